"""The inspector's conv trace (engine/convtrace.py) against the ConvNet's own forward and backprop."""

from __future__ import annotations

import numpy as np
import pytest

from nndl_gui.engine.convnet import ConvNet
from nndl_gui.engine.convtrace import feature_maps, trace

SPEC = [{"type": "conv", "filters": 3, "size": 3, "pool": 2, "activation": "sigmoid"},
        {"type": "conv", "filters": 2, "size": 2, "pool": 2, "activation": "relu"},
        {"type": "fc", "n_out": 5, "activation": "tanh", "dropout": 0.0},
        {"type": "softmax", "n_out": 4, "dropout": 0.0}]


def small_net(seed=0, spec=SPEC, shape=(12, 12, 1)):
    rng = np.random.default_rng(seed)
    net = ConvNet(spec, input_shape=shape, rng=seed, dtype=np.float64)
    for p in net.params:
        p[...] = rng.normal(0, 0.5, p.shape)
    return net, rng.random(int(np.prod(shape)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trace_equals_the_convnets_forward_and_backprop(seed):
    net, x = small_net(seed)
    t = trace(net, x, 2)
    np.testing.assert_allclose(t.output, net.feedforward(x), rtol=1e-12, atol=1e-14)
    grads = net.backprop(x[None, :], np.eye(4)[[2]])
    for lt, (gw, gb) in zip(t.layers, grads):
        np.testing.assert_allclose(lt.grad_w, gw, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(lt.grad_b, gb, rtol=1e-9, atol=1e-12)
    assert t.cost == pytest.approx(-np.log(net.feedforward(x)[2]))


def test_conv_layer_numbers_follow_the_equations():
    net, x = small_net(3)
    t = trace(net, x, 1)
    c0 = t.layers[0]
    # z at one unit is the shared weights times its local receptive field
    assert c0.z[1, 4, 5] == pytest.approx(float(np.sum(c0.w[1] * c0.patch(1, 4, 5))))
    # the pooled value is the winner's z; δ reaches the winner only
    y, xx = c0.winner_position(2, 1, 3)
    assert c0.pooled[2, 1, 3] == c0.z[2, y, xx] == c0.z[2, 2:4, 6:8].max()
    window = c0.delta_z[2, 2:4, 6:8]
    assert window[y - 2, xx - 6] == c0.delta[2, 1, 3]
    assert np.count_nonzero(window) <= 1
    # the input gradient is ∂C/∂x of the whole network: finite differences
    eps = 1e-6
    k = 31
    xp, xm = x.copy(), x.copy()
    xp[k] += eps
    xm[k] -= eps
    numeric = (trace(net, xp, 1).cost - trace(net, xm, 1).cost) / (2 * eps)
    assert c0.grad_x.reshape(-1)[k] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_a_wrong_route_would_be_caught():
    """Moving δ to a unit that did not win changes ∂C/∂w: the comparison above can fail."""
    net, x = small_net(4)
    t = trace(net, x, 0)
    grads = net.backprop(x[None, :], np.eye(4)[[0]])
    c0 = t.layers[0]
    moved = np.roll(c0.delta_z, 1, axis=2)
    from numpy.lib.stride_tricks import sliding_window_view
    wrong = np.einsum("jyx,cyxuv->jcuv", moved, sliding_window_view(c0.x, (3, 3), axis=(1, 2)))
    assert not np.allclose(wrong, grads[0][0])


def test_dropout_layers_act_as_at_test_time():
    spec = [SPEC[0], {"type": "fc", "n_out": 6, "activation": "relu", "dropout": 0.5},
            {"type": "softmax", "n_out": 4, "dropout": 0.25}]
    net, x = small_net(5, spec)
    np.testing.assert_allclose(trace(net, x, 3).output, net.feedforward(x), rtol=1e-12)


def test_feature_maps_pool_to_the_layers_activations():
    net, x = small_net(6)
    maps = feature_maps(net, x)
    t = trace(net, x, 0)
    assert [m.shape for m in maps] == [(3, 10, 10), (2, 4, 4)]
    pooled = maps[0].reshape(3, 5, 2, 5, 2).max(axis=(2, 4))
    np.testing.assert_allclose(pooled, t.layers[0].a, rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_saliency_equals_the_convnets_output_gradient(seed):
    from nndl_gui.engine.convtrace import output_gradient

    spec = [SPEC[0], SPEC[1], {"type": "fc", "n_out": 5, "activation": "tanh", "dropout": 0.3},
            {"type": "softmax", "n_out": 4, "dropout": 0.0}]
    net, x = small_net(seed, spec)
    for j in (None, 1):
        mine, engine = output_gradient(net, x, j), net.output_gradient(x, j)
        assert mine.neuron == engine.neuron and mine.activation == pytest.approx(engine.activation)
        np.testing.assert_allclose(mine.gradient, engine.gradient, rtol=1e-9, atol=1e-14)
