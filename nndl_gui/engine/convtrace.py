"""One input followed through a chapter-6 ConvNet, every number kept: the Backprop inspector's conv view.

``trace(net, x, label)`` runs one example forward and backward in float64 with plain, readable array
code (no buffers, no im2col) and keeps, for each layer, what the book's equations name:

* a conv-pool layer (input x of c maps h×w, f filters k×k, pool p):
    z[j, y, x']  = Σ_c Σ_u Σ_v w[j, c, u, v] · x[c, y+u, x'+v]   the shared weights over a k×k local
                                                                 receptive field (no bias yet)
    pooled[j, i, i'] = max of z over pool window (i, i')         ``winner`` remembers which unit won
    a[j, i, i']  = σ(pooled + b[j])                              one bias per feature map
  backward: δ = ∂C/∂(pooled + b) = ∂C/∂a ⊙ σ'; ``delta_z`` is δ routed through max-pooling (the winner
  gets it, the others 0); ∂C/∂b[j] = Σ δ (BP3 shared: summed over positions), ∂C/∂w[j, c, u, v] =
  Σ_y Σ_x' delta_z[j, y, x'] · x[c, y+u, x'+v] (BP4 shared), ∂C/∂x spreads each delta_z back through
  the same weights (BP2 through the convolution).
* a fully connected or softmax layer: z = x·w + b, a = σ(z) (softmax at the top), δ; BP1 at the top
  (log-likelihood: δ^L = a^L − y), BP2–BP4 below.

Layout here is maps-first (f, H, W) — the way the book draws feature maps — where the ConvNet keeps
(m, H, W, f); ``feature_maps(net, x)`` is the forward half alone, for the Draw tab.  Dropout layers act
as at test time (inputs scaled by 1 − p), as ``ConvNet.feedforward`` does.  The tests check every number
against the ConvNet's own forward, ``backprop`` and finite differences.

Chapter 6: http://neuralnetworksanddeeplearning.com/chap6.html
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .layers import ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer


def sigma(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigma_prime(name: str, a: np.ndarray) -> np.ndarray:
    """σ'(z) written with a = σ(z)."""
    if name == "relu":
        return (a > 0).astype(np.float64)
    if name == "tanh":
        return 1.0 - a * a
    return a * (1.0 - a)


@dataclass(frozen=True)
class ConvLayerTrace:
    """One conv-pool layer for one input (arrays maps-first, float64)."""

    index: int  # position in net.layers (0-based); the book's l = index + 2
    activation: str
    size: int  # k
    pool: int  # p
    x: np.ndarray  # (c, h, w) the layer's input
    w: np.ndarray  # (f, c, k, k) shared weights
    b: np.ndarray  # (f,) shared biases
    z: np.ndarray  # (f, h−k+1, w−k+1) the convolution, before pooling and bias
    winner: np.ndarray  # (f, H, W) int: which unit of each p×p window won, di·p + dj
    pooled: np.ndarray  # (f, H, W) max of z over each window
    a: np.ndarray  # (f, H, W) σ(pooled + b)
    grad_a: np.ndarray  # (f, H, W) ∂C/∂a from the layer above
    delta: np.ndarray  # (f, H, W) ∂C/∂(pooled + b) = grad_a ⊙ σ'
    delta_z: np.ndarray  # (f, h−k+1, w−k+1) δ routed through max-pooling to each window's winner
    grad_w: np.ndarray  # (f, c, k, k)
    grad_b: np.ndarray  # (f,)
    grad_x: np.ndarray  # (c, h, w) ∂C/∂x, the grad_a of the layer below

    def feature_map(self, j: int) -> np.ndarray:
        """σ(z + b) before pooling: what filter j sees at every position (monotone σ: pooling it is a)."""
        return sigma(self.activation, self.z[j] + self.b[j])

    def patch(self, j: int, y: int, x: int) -> np.ndarray:
        """(c, k, k) the local receptive field of conv unit (y, x): x[:, y:y+k, x:x+k]."""
        k = self.size
        return self.x[:, y:y + k, x:x + k]

    def winner_position(self, j: int, i: int, i2: int) -> tuple[int, int]:
        """(y, x) in the conv map of the unit that won pool window (i, i2) of map j."""
        u = int(self.winner[j, i, i2])
        return i * self.pool + u // self.pool, i2 * self.pool + u % self.pool


@dataclass(frozen=True)
class DenseLayerTrace:
    """A fully connected or softmax layer for one input (float64)."""

    index: int
    activation: str  # "softmax" at the top
    x: np.ndarray  # (n_in,) input (flattened maps-last, as the ConvNet reads it)
    w: np.ndarray  # (n_in, n_out) effective weights (× (1 − p) for dropout, as at test time)
    b: np.ndarray
    z: np.ndarray
    a: np.ndarray
    grad_a: np.ndarray | None  # ∂C/∂a (None at the softmax: BP1 gives δ directly)
    delta: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    grad_x: np.ndarray


@dataclass(frozen=True)
class ConvTrace:
    x: np.ndarray  # (784,)
    label: int
    layers: tuple
    cost: float  # −ln a^L_label

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].a


def _conv_forward(layer: ConvPoolLayer, x: np.ndarray):
    """x (c, h, w) → z (f, ch, cw), winner, pooled, a."""
    k, p = layer.size, layer.pool
    w = np.asarray(layer.w, np.float64)
    b = np.asarray(layer.b, np.float64)
    patches = sliding_window_view(x, (k, k), axis=(1, 2))  # (c, ch, cw, k, k)
    z = np.tensordot(w, patches, axes=([1, 2, 3], [0, 3, 4]))  # Σ_c,u,v w[j,c,u,v]·x[c,y+u,x+v]: (f, ch, cw)
    H, W, f = layer.out_shape
    windows = z[:, :H * p, :W * p].reshape(f, H, p, W, p).transpose(0, 1, 3, 2, 4).reshape(f, H, W, p * p)
    winner = windows.argmax(axis=3)  # the first maximum on a tie, as the ConvNet
    pooled = np.take_along_axis(windows, winner[..., None], axis=3)[..., 0]
    a = sigma(layer.activation, pooled + b[:, None, None])
    return w, b, z, winner, pooled, a


def _conv_backward(layer: ConvPoolLayer, x, w, z, winner, a, grad_a):
    k, p = layer.size, layer.pool
    f, H, W = a.shape
    delta = grad_a * sigma_prime(layer.activation, a)
    delta_z = np.zeros_like(z)
    ii, jj = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    for j in range(f):
        delta_z[j, ii * p + winner[j] // p, jj * p + winner[j] % p] = delta[j]
    patches = sliding_window_view(x, (k, k), axis=(1, 2))  # (c, ch, cw, k, k)
    grad_w = np.tensordot(delta_z, patches, axes=([1, 2], [1, 2]))  # Σ_y,x δz[j,y,x]·x[c,y+u,x+v]: (f, c, k, k)
    grad_b = delta.sum(axis=(1, 2))
    return delta, delta_z, grad_w, grad_b, _spread_back(delta_z, w, x.shape)


def _spread_back(delta_z: np.ndarray, w: np.ndarray, x_shape) -> np.ndarray:
    """∂C/∂x[c, y+u, x+v] = Σ_j Σ_(y,x) δz[j, y, x] · w[j, c, u, v]: each unit's δ back through its weights."""
    k = w.shape[2]
    ch, cw = delta_z.shape[1:]
    shares = np.tensordot(w, delta_z, axes=([0], [0]))  # (c, k, k, ch, cw)
    grad_x = np.zeros(x_shape)
    for u in range(k):
        for v in range(k):
            grad_x[:, u:u + ch, v:v + cw] += shares[:, u, v]
    return grad_x


def _dense_w(layer: FullyConnectedLayer) -> np.ndarray:
    return np.asarray(layer.w, np.float64) * (1.0 - layer.p_dropout)


def feature_maps(net, x) -> list[np.ndarray]:
    """For each conv-pool layer, σ(z + b) before pooling, (f, ch, cw) float32: the Draw tab's view."""
    a = np.asarray(x, np.float64).reshape(net.input_shape).transpose(2, 0, 1)
    maps = []
    for layer in net.layers:
        if not isinstance(layer, ConvPoolLayer):
            break
        w, b, z, winner, pooled, a = _conv_forward(layer, a)
        maps.append(sigma(layer.activation, z + b[:, None, None]).astype(np.float32))
    return maps


def trace(net, x, label: int) -> ConvTrace:
    """Forward and backward for one input x (784,) with desired digit ``label``."""
    x = np.asarray(x, np.float64).reshape(-1)
    n_out = net.sizes[-1]
    if not 0 <= int(label) < n_out:
        raise ValueError(f"the label must be 0..{n_out - 1}, got {label}")
    forward = []
    a = x.reshape(net.input_shape).transpose(2, 0, 1)  # (c, h, w)
    for layer in net.layers:
        if isinstance(layer, ConvPoolLayer):
            w, b, z, winner, pooled, out = _conv_forward(layer, a)
            forward.append((layer, a, w, b, z, winner, pooled, out))
        else:
            flat = a.transpose(1, 2, 0).reshape(-1) if a.ndim == 3 else a  # the ConvNet's order: (h, w, c)
            w, b = _dense_w(layer), np.asarray(layer.b, np.float64)
            z = flat @ w + b
            if isinstance(layer, SoftmaxLayer):
                e = np.exp(z - z.max())
                out = e / e.sum()
            else:
                out = sigma(layer.activation, z)
            forward.append((layer, flat, w, b, z, None, None, out))
        a = out
    y = np.zeros(n_out)
    y[int(label)] = 1.0
    traces = [None] * len(forward)
    grad_a = None
    for i in range(len(forward) - 1, -1, -1):
        layer, xin, w, b, z, winner, pooled, out = forward[i]
        if isinstance(layer, ConvPoolLayer):
            ga = grad_a if grad_a.ndim == 3 else (  # from a dense layer: flat (h, w, f) → maps first
                grad_a.reshape(out.shape[1], out.shape[2], out.shape[0]).transpose(2, 0, 1))
            delta, delta_z, gw, gb, gx = _conv_backward(layer, xin, w, z, winner, out, ga)
            traces[i] = ConvLayerTrace(i, layer.activation, layer.size, layer.pool, xin, w, b, z, winner, pooled,
                                       out, ga, delta, delta_z, gw, gb, gx)
            grad_a = gx
        else:
            if isinstance(layer, SoftmaxLayer):
                ga, delta, act = None, out - y, "softmax"  # BP1, log-likelihood with softmax
                # a^L_label − 1 written as −Σ_{k≠label} a^L_k (equal, as Σ a^L = 1): keeps its digits when
                # a^L_label rounds to 1, so a confident network's small gradients stay exact
                delta[int(label)] = -(np.sum(out[:int(label)]) + np.sum(out[int(label) + 1:]))
            else:
                ga, act = grad_a, layer.activation
                delta = ga * sigma_prime(act, out)  # BP2's ⊙ σ'(z)
            gx = w @ delta
            traces[i] = DenseLayerTrace(i, act, xin, w, b, z, out, ga, delta,
                                        np.outer(xin, delta) * (1.0 - layer.p_dropout), delta, gx)
            grad_a = gx
    cost = -float(np.log(max(forward[-1][-1][int(label)], 1e-300)))
    return ConvTrace(x, int(label), tuple(traces), cost)


def output_gradient(net, x, j: int | None = None, maps: list | None = None):
    """∂a^L_j/∂x for one input (784,) — the Draw tab's saliency map — by a forward and a backward pass
    that computes no weight gradients (a few ms; ``ConvNet.output_gradient`` gives the same numbers).
    Returns an ``engine.saliency.Saliency``; a ``maps`` list receives ``feature_maps``' arrays on the way."""
    from .saliency import Saliency

    x = np.asarray(x, np.float64).reshape(-1)
    a = x.reshape(net.input_shape).transpose(2, 0, 1)
    kept = []
    for layer in net.layers:
        if isinstance(layer, ConvPoolLayer):
            w, b, z, winner, pooled, out = _conv_forward(layer, a)
            kept.append((layer, w, z, winner, out, a.shape))
            if maps is not None:
                maps.append(sigma(layer.activation, z + b[:, None, None]).astype(np.float32))
        else:
            flat = a.transpose(1, 2, 0).reshape(-1) if a.ndim == 3 else a
            w = _dense_w(layer)
            z = flat @ w + np.asarray(layer.b, np.float64)
            if isinstance(layer, SoftmaxLayer):
                e = np.exp(z - z.max())
                out = e / e.sum()
            else:
                out = sigma(layer.activation, z)
            kept.append((layer, w, None, None, out, a.shape))
        a = out
    if j is None:
        j = int(np.argmax(a))
    if not 0 <= j < a.shape[0]:
        raise ValueError(f"output neuron j must be 0..{a.shape[0] - 1}, got {j}")
    delta = -a[j] * a
    delta[j] += a[j]  # ∂a^L_j/∂z^L = a^L_j (e_j − a^L), the softmax's Jacobian row
    g = None
    for layer, w, z, winner, out, in_shape in reversed(kept):
        if isinstance(layer, ConvPoolLayer):
            f, H, W = out.shape
            ga = g if g.ndim == 3 else g.reshape(H, W, f).transpose(2, 0, 1)
            d = ga * sigma_prime(layer.activation, out)
            p = layer.pool
            dz = np.zeros_like(z)
            ii, jj = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
            for m in range(f):
                dz[m, ii * p + winner[m] // p, jj * p + winner[m] % p] = d[m]
            g = _spread_back(dz, w, in_shape)
        else:
            if not isinstance(layer, SoftmaxLayer):
                delta = g * sigma_prime(layer.activation, out)
            g = w @ delta
    grad = g.transpose(1, 2, 0).reshape(-1) if g.ndim == 3 else g
    return Saliency(neuron=j, activation=float(a[j]), gradient=grad)


def gradients_like_backprop(t: ConvTrace) -> list[tuple[np.ndarray, np.ndarray]]:
    """The trace's (∂C/∂w, ∂C/∂b) per layer in ``ConvNet.backprop``'s shapes."""
    return [(lt.grad_w, lt.grad_b) for lt in t.layers]
