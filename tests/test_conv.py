"""Chapter 6's layers: gradients against central differences (float64), the fast convolution and pooling
against slow obvious loops, network3.py's initialisation, L2 and dropout."""

from __future__ import annotations

import numpy as np
import pytest

from nndl_gui.engine.convnet import ConvNet, evaluate, sgd, validate_spec
from nndl_gui.engine.layers import ConvPoolLayer, FullyConnectedLayer
from nndl_gui.engine.training import EpochRecord, RunEnd, TrainingConfig

SMALL = (10, 10, 2)  # a small input keeps the finite differences quick


def conv(filters, size=3, pool=2, activation="sigmoid"):
    return {"type": "conv", "filters": filters, "size": size, "pool": pool, "activation": activation}


def fc(n, activation="sigmoid", dropout=0.0):
    return {"type": "fc", "n_out": n, "activation": activation, "dropout": dropout}


def softmax(n=4, dropout=0.0):
    return {"type": "softmax", "n_out": n, "dropout": dropout}


def cost(net, x, labels):
    """C = −(1/m) Σ ln a^L_y, forward in training mode (so a fixed dropout mask applies)."""
    a = net.forward(net._as_images(x), train=True)
    return -np.mean(np.log(a[np.arange(len(labels)), labels]))


def randomise(net, rng):
    """Non-zero softmax weights (network3.py starts them at 0, where some gradients vanish)."""
    for p in net.params:
        p[...] = rng.normal(0, 0.5, p.shape)


def gradient_check(spec, input_shape=SMALL, m=3, seed=0, masks=None, eps=1e-5):
    rng = np.random.default_rng(seed)
    net = ConvNet(spec, input_shape=input_shape, rng=seed, dtype=np.float64)
    randomise(net, rng)
    for layer, mask in zip(net.layers, masks or []):
        if mask is not None:
            layer.fixed_mask = mask
    x = rng.random((m, int(np.prod(input_shape))))
    labels = rng.integers(0, spec[-1]["n_out"], m)
    y = np.eye(spec[-1]["n_out"])[labels]
    grads = net.backprop(x, y)
    worst = 0.0
    for layer, (gw, gb) in zip(net.layers, grads):
        for param, grad in ((layer.w, gw), (layer.b, gb)):
            numeric = np.zeros(param.shape)
            for idx in np.ndindex(param.shape):
                old = param[idx]
                param[idx] = old + eps
                c_plus = cost(net, x, labels)
                param[idx] = old - eps
                c_minus = cost(net, x, labels)
                param[idx] = old
                numeric[idx] = (c_plus - c_minus) / (2 * eps)
            err = np.linalg.norm(grad - numeric) / max(np.linalg.norm(grad) + np.linalg.norm(numeric), 1e-12)
            worst = max(worst, err)
    return worst


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_gradient_two_conv_layers_with_pooling(activation):
    # The second conv layer's backward pass carries δ to the first: this checks ∂C/∂w of a conv layer,
    # the route through max-pooling and ∂C/∂x through a convolution (col2im).
    spec = [conv(3, activation=activation), conv(4, size=2, pool=2, activation=activation), softmax()]
    assert gradient_check(spec) < 1e-7


def test_gradient_conv_without_pooling_and_fc():
    spec = [conv(3, size=3, pool=1), fc(5), softmax()]
    assert gradient_check(spec, input_shape=(6, 6, 1)) < 1e-7


def test_gradient_pool_three_and_odd_border():
    # 11×11 → conv 3 → 9×9 → pool 3 → 3×3; and 10×10 → 8×8 → pool 3 → 2×2 with a border row ignored.
    assert gradient_check([conv(2, pool=3), softmax()], input_shape=(11, 11, 1)) < 1e-7
    assert gradient_check([conv(2, pool=3), softmax()], input_shape=(10, 10, 1)) < 1e-7


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_gradient_fully_connected(activation):
    spec = [fc(7, activation), fc(6, activation), softmax(5)]
    assert gradient_check(spec, input_shape=(3, 3, 1), m=4) < 1e-7


def test_gradient_softmax_only():
    assert gradient_check([softmax(6)], input_shape=(4, 4, 1), m=5) < 1e-7


def test_gradient_dropout_with_fixed_mask():
    rng = np.random.default_rng(5)
    m = 4
    masks = [None, (rng.random((m, 4 * 4 * 3)) >= 0.5).astype(float),
             (rng.random((m, 6)) >= 0.5).astype(float), (rng.random((m, 5)) >= 0.3).astype(float)]
    spec = [conv(3), fc(6, "relu", dropout=0.5), fc(5, "tanh", dropout=0.5), softmax(4, dropout=0.3)]
    assert gradient_check(spec, m=m, masks=masks) < 1e-7


def test_dropout_masks_drop_about_p_and_test_time_scales_by_one_minus_p():
    rng = np.random.default_rng(0)
    layer = FullyConnectedLayer(2000, 3, activation="sigmoid", p_dropout=0.3, rng=0, dtype=np.float64)
    layer.mask_rng = rng
    x = np.ones((50, 2000))
    layer.forward(x, train=True)
    kept = layer._bufs[50].keep.mean()
    assert abs(kept - 0.7) < 0.01
    # At test time z = (1 − p)·x·w + b, network3.py's scaling.
    a = layer.forward(x[:1], train=False)
    z = 0.7 * x[:1] @ layer.w + layer.b
    np.testing.assert_allclose(a, 0.5 * (1 + np.tanh(z / 2)), rtol=1e-12)


# ------------------------------------------------------------------------------------ slow reference
def slow_conv_pool(x, w, b, pool, activation):
    """x (h, w, c), w (f, c, k, k): loops over every output unit, window and weight."""
    f, c, k, _ = w.shape
    h, wd, _ = x.shape
    ch, cw = h - k + 1, wd - k + 1
    z = np.zeros((ch, cw, f))
    for j in range(f):
        for r in range(ch):
            for s in range(cw):
                total = 0.0
                for ci in range(c):
                    for u in range(k):
                        for v in range(k):
                            total += w[j, ci, u, v] * x[r + u, s + v, ci]
                z[r, s, j] = total
    H, W = ch // pool, cw // pool
    out = np.zeros((H, W, f))
    for j in range(f):
        for r in range(H):
            for s in range(W):
                out[r, s, j] = max(z[r * pool + dr, s * pool + ds, j] for dr in range(pool) for ds in range(pool)) + b[j]
    return {"sigmoid": lambda t: 1 / (1 + np.exp(-t)), "tanh": np.tanh, "relu": lambda t: np.maximum(t, 0)}[activation](out)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_fast_convolution_matches_slow_loops(activation):
    rng = np.random.default_rng(1)
    layer = ConvPoolLayer(4, (13, 12, 3), size=4, pool=2, activation=activation, rng=1, dtype=np.float64)
    x = rng.random((3, 13, 12, 3))
    fast = layer.forward(x, train=True)
    for i in range(3):
        np.testing.assert_allclose(fast[i], slow_conv_pool(x[i], layer.w, layer.b, 2, activation), rtol=1e-12, atol=1e-12)


def test_one_input_map_fast_path_matches_slow_loops():
    rng = np.random.default_rng(2)
    layer = ConvPoolLayer(3, (28, 28, 1), rng=2, dtype=np.float64)
    x = rng.random((2, 28, 28, 1))
    fast = layer.forward(x)
    np.testing.assert_allclose(fast[1], slow_conv_pool(x[1], layer.w, layer.b, 2, "sigmoid"), rtol=1e-12)


@pytest.mark.parametrize("maps", [1, 2])
def test_pooling_ties_send_delta_to_one_unit_only(maps):
    # A blank image: every conv output is 0, all four units of each window tie; the first one wins.
    layer = ConvPoolLayer(2, (6, 6, maps), size=3, pool=2, activation="relu", rng=0, dtype=np.float64)
    assert layer.one_map_path == (maps == 1)
    layer.forward(np.zeros((1, 6, 6, maps)), train=True)
    winners = layer._bufs[1].winner
    window_axis = 0 if maps == 1 else 1  # (p·p, f, m, H, W) or (m·H·W, p·p, f)
    assert (winners.sum(axis=window_axis) == 1).all()
    assert np.take(winners, 0, axis=window_axis).all()


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_one_map_layout_matches_the_general_path(activation):
    # The first layer's flat layout against the general patch-row path, forward and backward (with ∂C/∂x).
    rng = np.random.default_rng(3)
    fast = ConvPoolLayer(3, (9, 11, 1), size=4, pool=2, activation=activation, rng=3, dtype=np.float64)
    slow = ConvPoolLayer(3, (9, 11, 1), size=4, pool=2, activation=activation, rng=3, dtype=np.float64)
    slow.one_map_path = False
    x = rng.random((4, 9, 11, 1))
    np.testing.assert_allclose(fast.forward(x, train=True), slow.forward(x, train=True), rtol=1e-12)
    g = rng.random((4,) + fast.out_shape)
    np.testing.assert_allclose(fast.backward(g, True), slow.backward(g, True), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fast.grad_w, slow.grad_w, rtol=1e-12)
    np.testing.assert_allclose(fast.grad_b, slow.grad_b, rtol=1e-12)


# ------------------------------------------------------------------------------------ network3.py's set-up
def test_initialisation_is_network3s():
    net = ConvNet([conv(20, 5), conv(40, 5), fc(100, "relu"), softmax(10)], rng=0)
    c1, c2, f, s = net.layers
    assert c1.w.shape == (20, 1, 5, 5) and c2.w.shape == (40, 20, 5, 5) and f.w.shape == (640, 100)
    # N(0, 1/n_out) with n_out = filters·25/4 for conv layers, n_out for FC; biases N(0, 1)
    assert abs(c2.w.std() - np.sqrt(4 / (40 * 25))) < 0.005
    assert abs(f.w.std() - np.sqrt(1 / 100)) < 0.002
    assert abs(c2.b.std() - 1) < 0.4 and abs(f.b.std() - 1) < 0.2
    assert not s.w.any() and not s.b.any()
    assert net.sizes == [784, 2880, 640, 100, 10]


def test_spec_errors_are_sentences():
    with pytest.raises(ValueError, match="last layer must be a softmax"):
        validate_spec([conv(20)])
    with pytest.raises(ValueError, match="does not fit"):
        validate_spec([conv(20, 5), conv(40, 5), conv(40, 5), softmax(10)])
    with pytest.raises(ValueError, match="cannot follow"):
        validate_spec([fc(10), conv(20), softmax(10)])
    with pytest.raises(ValueError, match="dropout"):
        validate_spec([fc(10, dropout=1.0), softmax(10)])


def test_l2_decay_is_network3s():
    # w → (1 − ηλm/n) w: network3.py adds 0.5·λ·Σw² / (n/m) to every mini-batch's cost.
    net = ConvNet([softmax(3)], input_shape=(2, 2, 1), rng=0, dtype=np.float64)
    net.layers[0].w[...] = 1.0
    x = np.zeros((5, 2, 2, 1))  # zero inputs: ∂C/∂w = 0, only the decay moves w
    y = np.eye(3)[[0, 1, 2, 0, 1]]
    eta, lmbda, m, n = 0.5, 2.0, 5, 100
    net.step(x, y, eta / m, 1 - eta * lmbda * m / n)
    np.testing.assert_allclose(net.layers[0].w, 1 - eta * lmbda * m / n)


def test_sgd_learns_and_repeats_with_the_seed():
    rng = np.random.default_rng(0)
    # two classes: a bright left or right half
    labels = rng.integers(0, 2, 400)
    images = rng.random((400, 8, 8)) * 0.3
    images[labels == 0, :, :4] += 0.7
    images[labels == 1, :, 4:] += 0.7
    images = images.reshape(400, 64)
    spec = [conv(4, 3, 2, "relu"), fc(8, "relu", dropout=0.2), softmax(2)]

    def run(seed):
        net = ConvNet(spec, input_shape=(8, 8, 1), rng=seed)
        config = TrainingConfig(epochs=2, mini_batch_size=10, eta=0.1, lmbda=0.1)
        recs = list(sgd(net, (images, labels), config, rng=np.random.default_rng(seed),
                        validation_data=(images[:100], labels[:100]), yield_every=0))
        return net, recs

    net, recs = run(3)
    epochs = [r for r in recs if isinstance(r, EpochRecord)]
    assert len(epochs) == 2 and isinstance(recs[-1], RunEnd) and recs[-1].reason == "finished"
    assert epochs[-1].validation_accuracy > 0.95
    net2, _ = run(3)
    for a, b in zip(net.params, net2.params):
        np.testing.assert_array_equal(a, b)
    assert evaluate(net, (images, labels)).accuracy > 0.95


def test_sgd_stops_between_mini_batches():
    images = np.zeros((100, 36), np.uint8)
    labels = np.zeros(100, np.int64)
    net = ConvNet([conv(2, 3, 2), softmax(2)], input_shape=(6, 6, 1), rng=0)
    stop = []
    recs = []
    for rec in sgd(net, (images, labels), TrainingConfig(epochs=3, mini_batch_size=10, eta=0.1),
                   rng=np.random.default_rng(0), should_stop=lambda: bool(stop), yield_every=2):
        recs.append(rec)
        stop.append(1)
    assert isinstance(recs[-1], RunEnd) and recs[-1].reason == "stopped" and len(recs) == 2


def test_a_large_mini_batch_in_pieces_is_the_same_step(monkeypatch):
    import nndl_gui.engine.convnet as convnet

    rng = np.random.default_rng(4)
    spec = [conv(3), fc(5, "relu"), softmax(4)]
    x = rng.random((11,) + SMALL)
    y = np.eye(4)[rng.integers(0, 4, 11)]
    whole = ConvNet(spec, input_shape=SMALL, rng=4, dtype=np.float64)
    randomise(whole, rng)
    pieces = whole.copy()
    whole.step(x, y, 0.1 / 11, 0.99)
    monkeypatch.setattr(convnet, "MICRO_BATCH", 4)  # 11 examples → pieces of 3, 4, 4
    pieces.step(x, y, 0.1 / 11, 0.99)
    for a, b in zip(whole.params, pieces.params):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_saliency_of_a_conv_network_matches_finite_differences():
    from nndl_gui.engine.saliency import numerical_saliency, output_gradient

    rng = np.random.default_rng(6)
    spec = [conv(3, 5, 2, "tanh"), conv(2, 3, 2, "sigmoid"), fc(6, "relu", dropout=0.5), softmax(10, dropout=0.2)]
    net = ConvNet(spec, rng=6, dtype=np.float32)
    randomise(net, rng)
    x = rng.random(784).astype(np.float32)
    s = output_gradient(net, x)
    assert s.neuron == int(np.argmax(net.feedforward(x)))
    numeric = numerical_saliency(net, x, s.neuron)
    assert np.linalg.norm(s.gradient - numeric) / np.linalg.norm(numeric) < 1e-7
