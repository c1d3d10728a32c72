"""Saliency ∂a^L_j/∂x by backprop, checked against finite differences for every kind of output layer."""

import numpy as np
import pytest

from nndl_gui.engine.network import Network
from nndl_gui.engine.saliency import numerical_saliency, output_gradient


@pytest.mark.parametrize("activation,output,cost", [
    ("sigmoid", "sigmoid", "cross-entropy"),
    ("sigmoid", "softmax", "log-likelihood"),
    ("tanh", "sigmoid", "quadratic"),
    ("relu", "softmax", "log-likelihood"),
])
@pytest.mark.parametrize("sizes", [[784, 30, 10], [784, 16, 12, 10], [784, 10]])
def test_gradient_matches_finite_differences(sizes, activation, output, cost):
    net = Network(sizes, activation=activation, output=output, cost=cost, rng=3, dtype=np.float64)
    x = np.random.default_rng(4).uniform(0, 1, 784)
    s = output_gradient(net, x)
    assert s.neuron == int(np.argmax(net.feedforward(x)))
    assert s.activation == pytest.approx(net.feedforward(x)[s.neuron])
    numeric = numerical_saliency(net, x, s.neuron)
    assert s.gradient.shape == (784,)
    assert np.abs(s.gradient).max() > 1e-6  # not trivially zero
    np.testing.assert_allclose(s.gradient, numeric, rtol=1e-4, atol=1e-8 * np.abs(numeric).max() + 1e-10)


def test_any_neuron_and_float32_network():
    net = Network([784, 20, 10], output="softmax", cost="log-likelihood", rng=0)  # float32
    x = np.random.default_rng(1).uniform(0, 1, 784).astype(np.float32)
    for j in (0, 7):
        s = output_gradient(net, x, j)
        assert s.neuron == j and s.gradient.dtype == np.float64
        np.testing.assert_allclose(s.gradient, numerical_saliency(net, x, j), rtol=2e-3, atol=1e-7)


def test_gradient_points_uphill():
    """A small step along the gradient raises a^L_j by about ‖g‖² step (first-order Taylor)."""
    net = Network([784, 30, 10], cost="cross-entropy", rng=5, dtype=np.float64)
    x = np.random.default_rng(6).uniform(0, 1, 784)
    s = output_gradient(net, x)
    step = 1e-3
    gain = net.feedforward(x + step * s.gradient)[s.neuron] - s.activation
    assert gain == pytest.approx(step * float(s.gradient @ s.gradient), rel=0.05)


def test_bad_input_is_a_clear_error():
    net = Network([784, 10], rng=0)
    with pytest.raises(ValueError, match="784 inputs"):
        output_gradient(net, np.zeros(100))
    with pytest.raises(ValueError, match="output neuron"):
        output_gradient(net, np.zeros(784), j=10)
