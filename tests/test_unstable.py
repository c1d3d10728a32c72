"""Chapter 5 engine (nndl_gui.engine.unstable): learning speed, the ∂C/∂b bars, the one-neuron chain."""

import numpy as np
import pytest

from nndl_gui.engine.network import Network
from nndl_gui.engine.training import TrainingConfig, sgd
from nndl_gui.engine.unstable import (BOOK_SPEED_IMAGES, bias_gradients, centering_biases, chain_network,
                                      gradient_chain, learning_speed)


def digits(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 12), dtype=np.uint8), rng.integers(0, 4, n)


def averaged_by_hand(net, images, labels):
    """∂C/∂b averaged example by example with the readable backprop (one example per call)."""
    total = [np.zeros(n) for n in net.sizes[1:]]
    for img, lab in zip(images, labels):
        y = np.zeros((1, net.sizes[-1]))
        y[0, lab] = 1.0
        nabla_b, _ = net.backprop(img[None, :] / 255.0, y)
        total = [t + nb for t, nb in zip(total, nabla_b)]
    return [t / len(labels) for t in total]


def test_learning_speed_and_bars_average_backprop_over_the_first_1000_images():
    images, labels = digits(1300)
    net = Network([12, 8, 7, 4], cost="cross-entropy", dtype=np.float64, rng=3)
    by_hand = averaged_by_hand(net, images[:1000], labels[:1000])
    assert BOOK_SPEED_IMAGES == 1000
    assert learning_speed(net, images, labels) == pytest.approx([np.linalg.norm(g) for g in by_hand[:-1]],
                                                                rel=1e-10)
    bars = bias_gradients(net, images, labels)
    assert [b.shape for b in bars] == [(6,), (6,)]
    for got, want in zip(bars, by_hand[:-1]):
        np.testing.assert_allclose(got, want[:6], rtol=1e-10, atol=1e-15)
    # images 1000.. do not count: changing them changes nothing, changing image 999 does
    other = images.copy()
    other[1000:] = 0
    assert learning_speed(net, other, labels) == learning_speed(net, images, labels)
    other[999] = 255 - other[999]
    assert learning_speed(net, other, labels) != learning_speed(net, images, labels)
    assert [b.shape for b in bias_gradients(net, images, labels, first=3)] == [(3,), (3,)]
    with pytest.raises(ValueError):
        learning_speed(net, images[:0], labels[:0])


def test_sgd_measures_learning_speed_on_the_first_1000_training_images():
    images, labels = digits(1500)
    net = Network([12, 8, 7, 4], cost="cross-entropy", rng=3)
    start = net.copy()
    records = list(sgd(net, (images, labels), TrainingConfig(epochs=1, eta=0.1, learning_speed=True),
                       rng=np.random.default_rng(0), yield_every=0, monitor_size=200))
    epoch = records[0]
    assert epoch.learning_speed == pytest.approx(learning_speed(net, images[:1000], labels[:1000]), rel=1e-5)
    assert epoch.learning_speed != pytest.approx(learning_speed(start, images, labels), rel=1e-3)


def test_the_chain_product_is_backprops_gradient_and_vanishes_with_ordinary_weights():
    w, b = [0.9, -0.7, 0.8, 0.6], [0.3, -1.2, 0.5, 0.1]
    chain = gradient_chain(w, b, x=0.7, y=0.0)
    labels = [name for name, _ in chain.factors]
    assert labels == ["σ′(z¹)", "w²", "σ′(z²)", "w³", "σ′(z³)", "w⁴", "σ′(z⁴)", "∂C/∂a⁴"]
    # the product equals the engine's ∂C/∂b¹, and a finite difference of the cost
    assert chain.product == pytest.approx(chain.backprop, rel=1e-12)
    eps = 1e-6
    up = chain_network(w, [b[0] + eps] + b[1:]).total_cost([[0.7]], [[0.0]])
    down = chain_network(w, [b[0] - eps] + b[1:]).total_cost([[0.7]], [[0.0]])
    assert chain.backprop == pytest.approx((up - down) / (2 * eps), rel=1e-6)
    # each w σ'(z) is at most ¼ in size here, so the gradient shrinks towards the input
    g = np.abs(chain.bias_gradients)
    assert np.all(g[:-1] < g[1:] / 4)
    assert g[0] < g[-1] / 4**3


def test_the_chain_explodes_with_w_100_and_sigma_prime_at_a_quarter():
    w = [100.0, 100.0, 100.0, 100.0]
    b = centering_biases(w, x=0.3)
    chain = gradient_chain(w, b, x=0.3, y=0.0)
    np.testing.assert_allclose(chain.z, 0.0, atol=1e-12)
    primes = [v for name, v in chain.factors if name.startswith("σ′")]
    np.testing.assert_allclose(primes, 0.25)
    assert chain.product == pytest.approx(chain.backprop, rel=1e-12)
    g = np.abs(chain.bias_gradients)
    np.testing.assert_allclose(g[:-1] / g[1:], 25.0, rtol=1e-12)  # each w σ'(z) = 100 · ¼
    with pytest.raises(ValueError):
        gradient_chain([1.0, 2.0], [0.0])


def test_learning_speed_curve_is_full_batch_gradient_descent_measured_before_each_epoch():
    from nndl_gui.engine.unstable import learning_speed_curve

    images, labels = digits(1200)
    net = Network([12, 8, 7, 4], cost="cross-entropy", dtype=np.float64, rng=5)
    ref = net.copy()
    curve = list(learning_speed_curve(net, images, labels, epochs=4, eta=0.1, lmbda=5.0))
    assert [e for e, _ in curve] == [0, 1, 2, 3]
    x, y = images[:1000] / 255.0, np.eye(4)[labels[:1000]]
    for epoch, speeds in curve:
        assert speeds == pytest.approx(learning_speed(ref, images, labels), rel=1e-10)
        nabla_b, nabla_w = ref.backprop(x, y)  # one step on the mean gradient of all 1,000 images
        for w, b, nw, nb in zip(ref.weights, ref.biases, nabla_w, nabla_b):
            w *= 1 - 0.1 * 5.0 / 1000
            w -= 0.1 * nw
            b -= 0.1 * nb
    for p, q in zip(net.params, ref.params):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-13)
    assert len(list(learning_speed_curve(net, images, labels, epochs=9, should_stop=lambda: True))) == 1
