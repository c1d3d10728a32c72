"""Chapter 6's layers — network3.py's ConvPoolLayer, FullyConnectedLayer and SoftmaxLayer — in NumPy.

Each layer is one small class whose ``forward`` and ``backward`` sit side by side.  The book leaves the
backward pass through convolution and pooling "as a problem": here it is written out.

Layout.  Images are kept channels-last, (m, height, width, maps): one example per leading index, as in
the rest of this engine (one example per row).  A fully connected layer after a conv layer reads its
input flattened in that order, (m, height·width·maps).

* ``forward(x, train)`` → the layer's output activations a.  With ``train=True`` it keeps what
  ``backward`` needs (the inputs, the winners of each pool window, the dropout mask).
* ``backward(grad_a, need_input_grad)`` takes ∂C/∂a for this layer's output (m, ...), turns it into
  δ = ∂C/∂z with σ'(z) (BP2's ⊙σ'), writes ∂C/∂w and ∂C/∂b (BP4, BP3) into ``grad_w`` and ``grad_b``,
  and returns ∂C/∂x for the layer below — (w)ᵀδ, BP2's other half — or None when
  ``need_input_grad`` is False (the first layer never needs it).  The softmax layer's ``backward`` takes
  the desired outputs y instead and starts with BP1, δ^L = a^L − y (log-likelihood cost).
* ``update(decay)`` does w → decay·w − grad_w, b → b − grad_b (the network scales δ^L by η/m, so the
  gradients are already the updates).

Speed without Python loops over images or pixels: the conv layer gathers all 5×5 patches with
``numpy.lib.stride_tricks.sliding_window_view`` (a view, no copy) and copies them once into a matrix
("im2col") whose rows are ordered so that the four units of each 2×2 pool window are neighbours; then
the whole convolution is one matrix product and pooling is a maximum over one axis.  Buffers are kept per
mini-batch size, so a training step allocates almost nothing.

Initialisation is network3.py's: weights N(0, 1/n_out) with, for a conv layer,
n_out = filters·5·5/(2·2); biases N(0, 1); the softmax layer starts all zero.  Like Theano's conv2d the
book's code flips the filter (a true convolution); we correlate (no flip): the same family of networks.

Source: Nielsen, Neural Networks and Deep Learning, chapter 6, http://neuralnetworksanddeeplearning.com/chap6.html
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ACTIVATIONS = ("sigmoid", "tanh", "relu")


# ---------------------------------------------------------------------------------------------- σ
def activate(name: str, z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """a = σ(z) into ``out`` (which may be z).  Sigmoid as (1 + tanh(z/2))/2: it never overflows."""
    if name == "relu":
        return np.maximum(z, 0, out=out)
    if name == "tanh":
        return np.tanh(z, out=out)
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    return np.add(out, 0.5, out=out)


def activation_backward(name: str, a: np.ndarray, grad_a: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """δ = ∂C/∂z = ∂C/∂a ⊙ σ'(z), with σ'(z) from a = σ(z): a(1−a), 1−a², or [a > 0] for ReLU."""
    if name == "relu":
        np.greater(a, 0, out=tmp)  # tmp is a float array: 1.0 where the unit is active
        return np.multiply(grad_a, tmp, out=out)
    if name == "tanh":
        np.multiply(a, a, out=tmp)
        np.subtract(1, tmp, out=tmp)
    else:
        np.subtract(1, a, out=tmp)
        np.multiply(tmp, a, out=tmp)
    return np.multiply(grad_a, tmp, out=out)


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _check_dropout(p: float) -> float:
    p = float(p)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability p must be at least 0 and below 1, got {p:g}")
    return p


class _Buffers:
    """Arrays one layer reuses between steps of the same mini-batch size (a plain attribute bag)."""


class Layer:
    """What the three layer types share: parameters w, b, their gradients, buffers per batch size."""

    kind = ""
    activation = "sigmoid"
    p_dropout = 0.0

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self._bufs: dict[int, _Buffers] = {}

    @property
    def params(self) -> list[np.ndarray]:
        return [self.w, self.b]

    def _buffers(self, m: int) -> _Buffers:
        buf = self._bufs.get(m)
        if buf is None:
            if len(self._bufs) > 4:  # training uses one or two sizes; evaluation one more
                self._bufs.clear()
            buf = self._bufs[m] = self._allocate(m)
        return buf

    def update(self, decay: float) -> None:
        """w → decay·w − grad_w (L2 weight decay; decay = 1 without it); b → b − grad_b."""
        if decay != 1.0:
            np.multiply(self._w_store, decay, out=self._w_store)
        np.subtract(self._w_store, self._grad_w_store, out=self._w_store)
        np.subtract(self.b, self.grad_b, out=self.b)


# ---------------------------------------------------------------------------------------------- conv
class ConvPoolLayer(Layer):
    """Convolution with ``filters`` k×k filters over ``in_maps`` maps, p×p max-pooling, σ(pooled + b).

    Shapes (m examples; input h×w with c maps; k = filter size; p = pool size; f = filters):
      input x (m, h, w, c) → conv z (m, h−k+1, w−k+1, f) → pooled (m, H, W, f) → a (m, H, W, f),
      with H = (h−k+1)//p, W = (w−k+1)//p (a border that does not fill a pool window is ignored).
    Parameters: ``w`` (f, c, k, k) as network3.py's filter_shape (a view of ``wmat``, (k·k·c, f), the
    matrix the convolution multiplies by), ``b`` (f,): one bias per filter, added after pooling.
    """

    kind = "conv"

    def __init__(self, filters: int, in_shape: tuple[int, int, int], *, size: int = 5, pool: int = 2,
                 activation: str = "sigmoid", rng=None, dtype=np.float32):
        super().__init__(dtype)
        h, w, c = (int(v) for v in in_shape)
        self.filters, self.size, self.pool, self.in_shape = int(filters), int(size), int(pool), (h, w, c)
        self.activation = _check_activation(activation)
        if self.filters < 1 or self.size < 1 or self.pool < 1:
            raise ValueError(f"a conv layer needs filters, filter size and pool size ≥ 1, got "
                             f"{filters}, {size}, {pool}")
        ch, cw = h - self.size + 1, w - self.size + 1
        if ch < self.pool or cw < self.pool:
            raise ValueError(f"a {self.size}×{self.size} filter and {self.pool}×{self.pool} pooling do not fit "
                             f"a {h}×{w} input")
        self.out_shape = (ch // self.pool, cw // self.pool, self.filters)
        k2c = self.size * self.size * c
        self.wmat = np.zeros((k2c, self.filters), self.dtype)  # rows ordered (ki, kj, c)
        self.b = np.zeros(self.filters, self.dtype)
        self.grad_w = self._grad_w_store = np.zeros_like(self.wmat)
        self.grad_b = np.zeros_like(self.b)
        self._w_store = self.wmat
        # One input map (the first layer on MNIST): the faster "flat" layout below.
        self.one_map_path = c == 1
        rng = np.random.default_rng(rng)
        n_out = self.filters * self.size * self.size / (self.pool * self.pool)  # network3.py's n_out
        self.w[...] = rng.normal(0.0, np.sqrt(1.0 / n_out), self.w.shape)
        self.b[...] = rng.normal(0.0, 1.0, self.b.shape)

    @property
    def w(self) -> np.ndarray:
        """The filters, (f, c, k, k): w[j, c, u, v] multiplies input pixel (y+u, x+v) of map c."""
        k, c = self.size, self.in_shape[2]
        return self.wmat.reshape(k, k, c, self.filters).transpose(3, 2, 0, 1)

    def _allocate(self, m: int) -> _Buffers:
        if self.one_map_path:
            return self._allocate_one_map(m)
        buf = _Buffers()
        H, W, f = self.out_shape
        p, k, c = self.pool, self.size, self.in_shape[2]
        rows = m * H * W * p * p
        buf.cols = np.empty((m, H, W, p, p, k, k, c), self.dtype)  # im2col, pool-window neighbours adjacent
        buf.z = np.empty((rows, f), self.dtype)
        buf.a = np.empty((m * H * W, f), self.dtype)
        buf.winner = np.empty((m * H * W, p * p, f), bool)  # True at each pool window's winner
        buf.seen = np.empty((m * H * W, f), bool)
        buf.delta = np.empty((m * H * W, f), self.dtype)
        buf.ftmp = np.empty((m * H * W, f), self.dtype)
        buf.delta_z = np.empty((m * H * W, p * p, f), self.dtype)
        buf.delta_nat = np.empty((m, H, p, W, p, f), self.dtype)
        buf.dcols = np.empty((rows, k * k * c), self.dtype)
        buf.dx = np.empty((m,) + self.in_shape, self.dtype)
        return buf

    def _patches(self, x: np.ndarray) -> np.ndarray:
        """Every k×k patch of x, as a view (m, H, W, p, p, k, k, c): patch (i, j, di, dj) is the one
        under conv output (p·i + di, p·j + dj), i.e. unit (di, dj) of pool window (i, j)."""
        m = x.shape[0]
        H, W, _ = self.out_shape
        p, k, c = self.pool, self.size, self.in_shape[2]
        v = sliding_window_view(x, (k, k), axis=(1, 2))[:, :H * p, :W * p]  # (m, H·p, W·p, c, k, k)
        v = v.reshape(m, H, p, W, p, c, k, k)
        return v.transpose(0, 1, 3, 2, 4, 6, 7, 5)

    def _im2col(self, x: np.ndarray, cols: np.ndarray) -> None:
        patches = self._patches(x)
        if self.in_shape[2] == 1:  # one map: (k, k, 1) and (1, k, k) are the same memory; copy rows of k
            np.copyto(cols.reshape(patches.shape[:5] + (1, self.size, self.size)), patches.transpose(0, 1, 2, 3, 4, 7, 5, 6))
        else:
            np.copyto(cols, patches)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x (m, h, w, c) → a (m, H, W, f): a = σ(max over each pool window of (w ∗ x) + b)."""
        if self.one_map_path:
            return self._forward_one_map(x, train)
        m = x.shape[0]
        buf = self._buffers(m)
        H, W, f = self.out_shape
        pp = self.pool * self.pool
        self._im2col(x, buf.cols)  # the only copy of the input
        # The convolution, every output unit of every example at once: z = patches · wmat.
        z = np.matmul(buf.cols.reshape(-1, self.wmat.shape[0]), self.wmat, out=buf.z)
        z = z.reshape(m * H * W, pp, f)
        pooled = buf.a
        np.copyto(pooled, z[:, 0])
        for u in range(1, pp):  # max-pooling: the maximum of the p·p neighbours
            np.maximum(pooled, z[:, u], out=pooled)
        if train:
            # Remember the winner of each window: δ flows back only through it.  On a tie the first
            # unit wins, so δ is never counted twice.
            winner, seen = buf.winner, buf.seen
            np.equal(z, pooled[:, None, :], out=winner)
            np.copyto(seen, winner[:, 0])
            for u in range(1, pp):
                np.greater(winner[:, u], seen, out=winner[:, u])  # a winner only if none before it
                np.logical_or(seen, winner[:, u], out=seen)
        pooled += self.b
        a = activate(self.activation, pooled, pooled)
        self._x = x
        return a.reshape(m, H, W, f)

    def backward(self, grad_a: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """grad_a = ∂C/∂a (m, H, W, f) → ∂C/∂x (m, h, w, c), or None; fills grad_w and grad_b."""
        if self.one_map_path:
            return self._backward_one_map(grad_a, need_input_grad)
        m = grad_a.shape[0]
        buf = self._bufs[m]
        H, W, f = self.out_shape
        p, k, c = self.pool, self.size, self.in_shape[2]
        # δ of the pooled units: ∂C/∂(pooled + b) = ∂C/∂a ⊙ σ'.
        delta = activation_backward(self.activation, buf.a, grad_a.reshape(-1, f), buf.delta, buf.ftmp)
        np.sum(delta, axis=0, out=self.grad_b)  # BP3: one bias per filter sums δ over every position
        # Through max-pooling: the winner of each window gets the window's δ, the others 0.
        delta_z = np.multiply(buf.winner, delta[:, None, :], out=buf.delta_z)
        delta_z = delta_z.reshape(-1, f)
        # BP4 with shared weights: each filter weight is used at every position, so its gradient is the
        # sum over positions and examples of (input under the weight) × δ — one product with the patches.
        np.matmul(buf.cols.reshape(-1, self.wmat.shape[0]).T, delta_z, out=self.grad_w)
        if not need_input_grad:
            return None
        # BP2 through the convolution: input pixel (y, x) fed outputs (y−u, x−v) through weight (u, v);
        # ∂C/∂x sums δ · w over those.  First δ · wᵀ for every patch ("col"), then add each patch back
        # where it came from ("col2im"): a loop over the k·k filter offsets, not over pixels.
        dn = buf.delta_nat  # δ in image order (m, H·p, W·p, f), so the patches come out in image order
        np.copyto(dn, delta_z.reshape(m, H, W, p, p, f).transpose(0, 1, 3, 2, 4, 5))
        dcols = np.matmul(dn.reshape(-1, f), self.wmat.T, out=buf.dcols)
        t = dcols.reshape(m, H * p, W * p, k, k, c)
        dx = buf.dx
        dx[...] = 0
        for u in range(k):
            for v in range(k):
                dx[:, u:u + H * p, v:v + W * p] += t[:, :, :, u, v]
        return dx


    # ------------------------------------------------------------------ one input map: the flat layout
    # With one input map, element (u, v) of the patch whose corner is pixel q of the flattened batch is
    # simply flat[q + u·w + v].  So the *transposed* patch matrix, (k·k, m·h·w), is k·k contiguous slices
    # of the flat images — far cheaper to build than patch rows of k-float pieces.  It holds a patch for
    # every pixel, also those too near the right or bottom edge (their "patches" run into the next row
    # or image): their outputs are computed and never used, and their δ is 0, so they add nothing back.
    # Arrays here are filters-first: z (f, m, h, w), pooled (f, m, H, W).

    def _allocate_one_map(self, m: int) -> _Buffers:
        buf = _Buffers()
        h, w, _ = self.in_shape
        H, W, f = self.out_shape
        p, k = self.pool, self.size
        n = m * h * w
        buf.flat = np.zeros(n + (k - 1) * (w + 1), self.dtype)  # the images, flat, then zeros
        buf.cols_t = np.empty((k * k, n), self.dtype)
        buf.z = np.empty((f, n), self.dtype)
        buf.pooled = np.empty((f, m, H, W), self.dtype)
        buf.winner = np.empty((p * p, f, m, H, W), bool)
        buf.seen = np.empty((f, m, H, W), bool)
        buf.a = np.empty((m, H, W, f), self.dtype)
        buf.delta = np.empty((f, m, H, W), self.dtype)
        buf.ftmp = np.empty((f, m, H, W), self.dtype)
        buf.delta_z = np.zeros((f, n), self.dtype)  # units outside the pool windows keep δ = 0
        buf.dcols_t = np.empty((k * k, n), self.dtype)
        buf.dflat = np.empty_like(buf.flat)
        return buf

    def _windows(self, arr: np.ndarray, m: int) -> np.ndarray:
        """(f, m·h·w) → a view (f, m, H, p, W, p): unit (di, dj) of pool window (i, j)."""
        h, w, _ = self.in_shape
        H, W, f = self.out_shape
        p = self.pool
        return arr.reshape(f, m, h, w)[:, :, :H * p, :W * p].reshape(f, m, H, p, W, p)

    def _forward_one_map(self, x: np.ndarray, train: bool) -> np.ndarray:
        m = x.shape[0]
        buf = self._buffers(m)
        h, w, _ = self.in_shape
        p, k = self.pool, self.size
        n = m * h * w
        buf.flat[:n] = x.reshape(-1)
        for u in range(k):
            for v in range(k):
                buf.cols_t[u * k + v] = buf.flat[u * w + v:u * w + v + n]
        np.matmul(self.wmat.T, buf.cols_t, out=buf.z)  # z = w ∗ x for every pixel: (f, m·h·w)
        z = self._windows(buf.z, m)
        pooled = buf.pooled
        np.copyto(pooled, z[:, :, :, 0, :, 0])
        for di in range(p):
            for dj in range(p):
                if di or dj:
                    np.maximum(pooled, z[:, :, :, di, :, dj], out=pooled)
        if train:  # the winner of each window, the first one on a tie (as the general path)
            winner, seen = buf.winner, buf.seen
            seen[...] = False
            for u in range(p * p):
                np.equal(z[:, :, :, u // p, :, u % p], pooled, out=winner[u])
                np.greater(winner[u], seen, out=winner[u])
                np.logical_or(seen, winner[u], out=seen)
        pooled += self.b[:, None, None, None]
        activate(self.activation, pooled, pooled)
        np.copyto(buf.a, pooled.transpose(1, 2, 3, 0))  # back to (m, H, W, f) for the next layer
        return buf.a

    def _backward_one_map(self, grad_a: np.ndarray, need_input_grad: bool) -> np.ndarray | None:
        m = grad_a.shape[0]
        buf = self._bufs[m]
        h, w, _ = self.in_shape
        p, k = self.pool, self.size
        n = m * h * w
        grad_a = grad_a.reshape((m,) + self.out_shape).transpose(3, 0, 1, 2)  # filters first, as pooled
        delta = activation_backward(self.activation, buf.pooled, grad_a, buf.delta, buf.ftmp)
        np.sum(delta.reshape(self.filters, -1), axis=1, out=self.grad_b)  # BP3
        dz = self._windows(buf.delta_z, m)
        for u in range(p * p):  # through max-pooling: only each window's winner gets δ
            np.multiply(delta, buf.winner[u], out=dz[:, :, :, u // p, :, u % p])
        np.matmul(buf.cols_t, buf.delta_z.T, out=self.grad_w)  # BP4, shared weights: (k·k, m·h·w)·(m·h·w, f)
        if not need_input_grad:
            return None
        dcols = np.matmul(self.wmat, buf.delta_z, out=buf.dcols_t)  # (k·k, m·h·w)
        dflat = buf.dflat
        dflat[...] = 0
        for u in range(k):  # col2im: each row of the patch matrix goes back to its slice of the images
            for v in range(k):
                dflat[u * w + v:u * w + v + n] += dcols[u * k + v]
        return dflat[:n].reshape(m, h, w, 1)


# ---------------------------------------------------------------------------------------------- FC
class FullyConnectedLayer(Layer):
    """network3.py's FullyConnectedLayer: a = σ(x·w + b), with dropout on its input x.

    Shapes: x (m, n_in) (or (m, H, W, f) from a conv layer, read flattened), w (n_in, n_out) as in
    network3.py — w[k, j] is the book's w^l_jk — b (n_out,), a (m, n_out).
    Dropout p: while training each input unit is kept with probability 1 − p (a fresh mask per
    mini-batch); at test time every unit is kept and w is scaled by (1 − p), as network3.py does.
    """

    kind = "fc"

    def __init__(self, n_in: int, n_out: int, *, activation: str = "sigmoid", p_dropout: float = 0.0,
                 rng=None, dtype=np.float32, zero: bool = False):
        super().__init__(dtype)
        self.n_in, self.n_out = int(n_in), int(n_out)
        if self.n_in < 1 or self.n_out < 1:
            raise ValueError(f"a layer needs at least one input and one output, got {n_in} → {n_out}")
        self.activation = activation if self.kind == "softmax" else _check_activation(activation)
        self.p_dropout = _check_dropout(p_dropout)
        self.w = np.zeros((self.n_in, self.n_out), self.dtype)
        self.b = np.zeros(self.n_out, self.dtype)
        self.grad_w = self._grad_w_store = np.zeros_like(self.w)
        self.grad_b = np.zeros_like(self.b)
        self._w_store = self.w
        self.mask_rng = None  # the network sets its Generator here: dropout masks repeat with the seed
        self.fixed_mask = None  # tests: use this dropout mask instead of drawing one
        if not zero:
            rng = np.random.default_rng(rng)
            self.w[...] = rng.normal(0.0, np.sqrt(1.0 / self.n_out), self.w.shape)
            self.b[...] = rng.normal(0.0, 1.0, self.b.shape)

    def _allocate(self, m: int) -> _Buffers:
        buf = _Buffers()
        buf.xd = np.empty((m, self.n_in), self.dtype)
        buf.keep = np.empty((m, self.n_in), self.dtype)
        buf.rand = np.empty((m, self.n_in), self.dtype)
        buf.a = np.empty((m, self.n_out), self.dtype)
        buf.delta = np.empty((m, self.n_out), self.dtype)
        buf.tmp = np.empty((m, self.n_out), self.dtype)
        buf.dx = np.empty((m, self.n_in), self.dtype)
        return buf

    def _weighted_input(self, x: np.ndarray, train: bool, buf: _Buffers) -> np.ndarray:
        """z = x·w + b (train: with the dropout mask on x; test: w scaled by 1 − p), into buf.a."""
        x = x.reshape(x.shape[0], self.n_in)
        p = self.p_dropout
        if train and p:
            if self.fixed_mask is not None:
                np.copyto(buf.keep, self.fixed_mask)
            else:
                self.mask_rng.random(out=buf.rand, dtype=self.dtype)
                np.greater_equal(buf.rand, p, out=buf.keep)  # keep each unit with probability 1 − p
            x = np.multiply(x, buf.keep, out=buf.xd)
        self._x = x
        z = np.matmul(x, self.w, out=buf.a)
        if p and not train:
            z *= 1.0 - p
        z += self.b
        return z

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x (m, n_in) → a = σ(z) (m, n_out)."""
        buf = self._buffers(x.shape[0])
        z = self._weighted_input(x, train, buf)
        return activate(self.activation, z, z)

    def backward(self, grad_a: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """grad_a = ∂C/∂a (m, n_out) → ∂C/∂x (m, n_in) (zero where dropped), or None."""
        buf = self._bufs[grad_a.shape[0]]
        delta = activation_backward(self.activation, buf.a, grad_a, buf.delta, buf.tmp)  # δ = ∂C/∂a ⊙ σ'(z)
        return self._backward_delta(delta, buf, need_input_grad)

    def _backward_delta(self, delta, buf, need_input_grad):
        np.matmul(self._x.T, delta, out=self.grad_w)  # BP4: ∂C/∂w_kj = Σ_x x_k δ_j
        np.sum(delta, axis=0, out=self.grad_b)  # BP3: ∂C/∂b_j = Σ_x δ_j
        if not need_input_grad:
            return None
        dx = np.matmul(delta, self.w.T, out=buf.dx)  # BP2's (w)ᵀ δ
        if self.p_dropout:
            dx *= buf.keep  # a dropped unit did not take part: its gradient is 0
        return dx


class SoftmaxLayer(FullyConnectedLayer):
    """network3.py's SoftmaxLayer: a^L = softmax(x·w + b), log-likelihood cost C = −ln a^L_y.

    Shapes as FullyConnectedLayer; weights and biases start at zero.  ``backward(y)`` takes the desired
    outputs y (m, n_out), one-hot, and begins with BP1: δ^L = a^L − y.
    """

    kind = "softmax"

    def __init__(self, n_in: int, n_out: int, *, p_dropout: float = 0.0, rng=None, dtype=np.float32):
        super().__init__(n_in, n_out, activation="softmax", p_dropout=p_dropout, rng=rng, dtype=dtype, zero=True)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x (m, n_in) → a^L (m, n_out), each row positive and summing to 1."""
        buf = self._buffers(x.shape[0])
        z = self._weighted_input(x, train, buf)
        z -= z.max(axis=1, keepdims=True)  # e^z / Σe^z is unchanged by a shift; this one cannot overflow
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def backward(self, y: np.ndarray, need_input_grad: bool = True, scale: float = 1.0) -> np.ndarray | None:
        """y (m, n_out) desired outputs → ∂C/∂x (m, n_in); δ^L = (a^L − y)·scale (BP1; the network
        passes scale = η/m during training, 1/m for the mean gradient)."""
        buf = self._bufs[y.shape[0]]
        delta = np.subtract(buf.a, y, out=buf.delta)
        if scale != 1.0:
            delta *= scale
        return self._backward_delta(delta, buf, need_input_grad)


LAYER_TYPES = {"conv": ConvPoolLayer, "fc": FullyConnectedLayer, "softmax": SoftmaxLayer}
