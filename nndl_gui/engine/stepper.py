"""The fast SGD step: one mini-batch update, Network.backprop's arithmetic done in place in preallocated
buffers (``engine.training.sgd`` runs it; ``tests/test_engine.py`` pins it to the readable backprop).

Chapter 3's options (L1, momentum, dropout) take a plain path written like the book's update rules (see
``engine.training``'s docstring).
"""

from __future__ import annotations

import numpy as np

from .network import Network

_HALF = np.float32(0.5)
_ONE = np.float32(1.0)


class SGDStepper:
    """One SGD step on a mini-batch of size m, reusing preallocated buffers between steps.

    The arithmetic is exactly Network.backprop followed by the update, done in place:
    forward pass, BP1 at the output, BP2 backwards, then BP3 and BP4 as one product per layer.
    Inputs come with a trailing column of ones, shape (m, n_1 + 1), so that product also gives ∂C/∂b.

    Internally the stepper works in the book's column layout: each example of the mini-batch is a
    column, so a^l, z^l and δ^l are (n_l, m) and z^l = w^l a^{l-1} + b^l is literally one product
    [w^l, b^l] @ [a^{l-1}; 1] (for these shapes OpenBLAS runs that form about 25% faster than the
    row layout).  Hidden activations keep a last row of ones for the next layer's bias.

    Speed at small m is all about the number of NumPy calls (each costs about 0.4 µs, a step makes
    about 25): ufuncs get float32 scalars and positional ``out`` arguments, and sigmoid, the book's
    activation, is inlined (the same four operations as ``Sigmoid.fn``).
    """

    def __init__(self, net: Network, m: int, *, momentum: float = 0.0, velocity: list | None = None,
                 dropout: float = 0.0, rng: np.random.Generator | None = None):
        """momentum μ > 0 needs ``velocity``, one zero-filled array shaped like each ``net.params[i]`` (shared by
        the steppers of one run); dropout p > 0 needs ``rng`` for the masks.  With neither, and no L1, every
        step takes the fast path below; otherwise ``_step_extras``."""
        self.net = net
        self.m = m
        dt = net.dtype
        self.momentum = float(momentum)
        self.velocity = velocity
        self.dropout = float(dropout)
        self.rng = rng
        if self.momentum and velocity is None:
            raise ValueError("momentum needs a velocity array per layer")
        if self.dropout and rng is None:
            raise ValueError("dropout needs a random generator for its masks")
        self._extras = bool(self.momentum or self.dropout)
        self._scratch = [np.empty((p.shape[0], p.shape[1] - 1), dt) for p in net.params]  # L1 / L2 terms
        sizes = net.sizes
        self.params = net.params
        self.w_only = [p[:, :-1] for p in net.params]  # w^l alone, for BP2
        self.bias_col = [p[:, -1] for p in net.params]  # b^l, a view (kept out of the weight decay)
        self.bias_save = [np.empty(p.shape[0], dt) for p in net.params]
        self.zs = [np.empty((n, m), dt) for n in sizes[1:]]
        # Hidden activations carry a row of ones for the next layer's bias.
        self.acts_aug = [np.ones((n + 1, m), dt) for n in sizes[1:-1]]
        self.acts = [a[:-1] for a in self.acts_aug] + [np.empty((sizes[-1], m), dt)]
        self.deltas = [np.empty((n, m), dt) for n in sizes[1:]]
        self.tmps = [np.empty((n, m), dt) for n in sizes[1:]]
        self.grads = [np.empty_like(p) for p in net.params]
        self.half = np.asarray(0.5, dt)[()]
        self.one = np.asarray(1.0, dt)[()]
        pair = (net.cost.name, net.output.name)
        self._delta_is_a_minus_y = pair in (("cross-entropy", "sigmoid"), ("log-likelihood", "softmax"))
        self._quadratic_sigmoid = pair == ("quadratic", "sigmoid")
        self._sigmoid_hidden = net.activation.name == "sigmoid"
        self._sigmoid_output = net.output.name == "sigmoid"
        if self.dropout:
            # Hidden activations after dropout, [ã^l; 1], with ã = a ⊙ keep / (1 − p): what the next layer sees.
            self.dropped_aug = [np.ones((n + 1, m), dt) for n in sizes[1:-1]]
            self.keep = [np.empty((n, m), dt) for n in sizes[1:-1]]
        self._plan()

    def _plan(self):
        """Per-layer tuples of the arrays a step touches, so the step does no attribute look-ups."""
        n_w = len(self.params)
        # Forward through the hidden layers: (w^l with b^l, z^l, a^l, [a^l; 1]).
        self._hidden = [(self.params[i], self.zs[i], self.acts[i], self.acts_aug[i]) for i in range(n_w - 1)]
        # Backward, output layer first: (i, [w, b], wᵀ, δ^l, δ^{l-1}, z^{l-1}, a^{l-1}, scratch, grad, [a^{l-1}, 1],
        # b^l view, b^l save); the input layer's [a, 1] is the step's x_aug (None here).
        self._backward = []
        for i in range(n_w - 1, -1, -1):
            has_prev = i > 0
            self._backward.append((
                self.params[i],
                self.w_only[i].T if has_prev else None,
                self.deltas[i],
                self.deltas[i - 1] if has_prev else None,
                self.zs[i - 1] if has_prev else None,
                self.acts[i - 1] if has_prev else None,
                self.tmps[i - 1] if has_prev else None,
                self.grads[i],
                self.acts_aug[i - 1].T if has_prev else None,
                self.bias_col[i],
                self.bias_save[i],
            ))

    def step(self, x_aug: np.ndarray, y: np.ndarray, eta_over_m: float, decay: float = 1.0,
             l1_step: float = 0.0) -> None:
        """Update the network from one mini-batch: x_aug (m, n_1+1) with a ones column, y (m, n_L).

        decay = 1 − ηλ/n (L2); l1_step = ηλ₁/n (L1)."""
        if self._extras or l1_step:
            self._step_extras(x_aug, y, eta_over_m, decay, l1_step)
            return
        net = self.net
        matmul, multiply, subtract, tanh, add, copyto = np.matmul, np.multiply, np.subtract, np.tanh, np.add, np.copyto
        half, one = self.half, self.one
        sigmoid_hidden = self._sigmoid_hidden
        # Forward: z^l = w^l a^{l-1} + b^l, a^l = σ(z^l).  x_aug.T is (n_1 + 1, m): one example per column.
        a_in = x_aug.T
        for p, z, a, a_aug in self._hidden:
            matmul(p, a_in, z)
            if sigmoid_hidden:  # σ(z) = (1 + tanh(z/2))/2, exactly as Sigmoid.fn
                multiply(z, half, a)
                tanh(a, a)
                multiply(a, half, a)
                add(a, half, a)
            else:
                net.activation.fn(z, out=a)
            a_in = a_aug
        z_L, a_L = self.zs[-1], self.acts[-1]
        matmul(self.params[-1], a_in, z_L)
        if self._sigmoid_output:
            multiply(z_L, half, a_L)
            tanh(a_L, a_L)
            multiply(a_L, half, a_L)
            add(a_L, half, a_L)
        else:
            net.output.fn(z_L.T, out=a_L.T)  # softmax normalizes over the last axis: hand it rows
        # BP1: δ^L = ∇_a C ⊙ σ'(z^L).
        delta = self.deltas[-1]
        y_col = y.T
        if self._delta_is_a_minus_y:
            subtract(a_L, y_col, delta)
        elif self._quadratic_sigmoid:
            subtract(a_L, y_col, delta)
            tmp = self.tmps[-1]  # σ'(z^L) = a^L (1 − a^L)
            subtract(one, a_L, tmp)
            multiply(tmp, a_L, tmp)
            multiply(delta, tmp, delta)
        else:
            delta.T[...] = net.cost.delta(z_L.T, a_L.T, y, net.output)
        # Scaling δ^L by η/m scales every δ^l below it, so the products below are the updates themselves.
        multiply(delta, eta_over_m, delta)
        for p, w_T, delta, delta_prev, z_prev, a_prev, tmp, grad, a_prev_aug, b, b_save in self._backward:
            if delta_prev is not None:
                # BP2: δ^{l-1} = ((w^l)ᵀ δ^l) ⊙ σ'(z^{l-1}), with w^l before its update.
                matmul(w_T, delta, delta_prev)
                if sigmoid_hidden:  # σ'(z) = a (1 − a)
                    subtract(one, a_prev, tmp)
                    multiply(tmp, a_prev, tmp)
                    multiply(delta_prev, tmp, delta_prev)
                else:
                    net.activation.prime_inplace(z_prev, a_prev, delta_prev, tmp)
            else:
                a_prev_aug = x_aug  # [a^1, 1] = the inputs, one example per row
            # BP3 and BP4 together: [∂C/∂w, ∂C/∂b] = δ [a^{l-1}, 1]  (summed over the batch, times η/m).
            matmul(delta, a_prev_aug, grad)
            if decay != 1.0:
                # L2: (1 − ηλ/n) w; biases are not regularized.  Scaling the whole contiguous [w, b] and
                # putting b back is several times faster than scaling the strided view w alone.
                copyto(b_save, b)
                multiply(p, decay, p)
                copyto(b, b_save)
            subtract(p, grad, p)

    def _step_extras(self, x_aug, y, eta_over_m, decay, l1_step) -> None:
        """One step with L1, momentum and / or dropout: the same equations in plain form (see the module
        docstring for the update rules and for why the network holds T = (1 − p)·W under dropout)."""
        net = self.net
        p = self.dropout
        q = 1.0 - p
        a_in = x_aug.T
        for i, (params, z, a, a_aug) in enumerate(self._hidden):
            np.matmul(params, a_in, z)  # z^l = T^l ã^{l-1} + b^l (= W^l (keep ⊙ a^{l-1}) + b^l)
            net.activation.fn(z, out=a)
            if p:
                keep = self.keep[i]
                np.greater_equal(self.rng.random(keep.shape, dtype=keep.dtype), p, out=keep, casting="unsafe")
                keep *= 1.0 / q
                np.multiply(a, keep, out=self.dropped_aug[i][:-1])  # ã^l = a^l ⊙ keep / (1 − p)
                a_in = self.dropped_aug[i]
            else:
                a_in = a_aug
        z_L, a_L = self.zs[-1], self.acts[-1]
        np.matmul(self.params[-1], a_in, z_L)
        net.output.fn(z_L.T, out=a_L.T)
        delta = self.deltas[-1]
        delta.T[...] = net.cost.delta(z_L.T, a_L.T, y, net.output)  # BP1
        delta *= eta_over_m
        n_w = len(self.params)
        for i in range(n_w - 1, -1, -1):
            params, grad, delta = self.params[i], self.grads[i], self.deltas[i]
            if i:
                a_prev_aug = (self.dropped_aug[i - 1] if p else self.acts_aug[i - 1]).T
                delta_prev = self.deltas[i - 1]
                # BP2 with T^l before its update: δ^{l-1} = ((T^l)ᵀ δ^l) ⊙ keep/(1 − p) ⊙ σ'(z^{l-1})
                np.matmul(self.w_only[i].T, delta, delta_prev)
                if p:
                    delta_prev *= self.keep[i - 1]
                net.activation.prime_inplace(self.zs[i - 1], self.acts[i - 1], delta_prev, self.tmps[i - 1])
            else:
                a_prev_aug = x_aug
            np.matmul(delta, a_prev_aug, grad)  # BP3, BP4: [∂C/∂w, ∂C/∂b] · η/m
            w, g_w = params[:, :-1], grad[:, :-1]
            # T = (1 − p) W for weights fed by hidden units: their step in T is (1 − p)² times the gradient
            # in the ã form, and their L1 step (1 − p) times ηλ₁/n.
            dropped_in = bool(p and i)
            if dropped_in:
                g_w *= q * q
            scratch = self._scratch[i]
            if decay != 1.0:
                np.multiply(w, 1.0 - decay, out=scratch)  # ηλ/n w
                g_w += scratch
            if l1_step:
                np.sign(w, out=scratch)
                scratch *= l1_step * (q if dropped_in else 1.0)
                g_w += scratch
            if self.momentum:
                v = self.velocity[i]
                v *= self.momentum
                v -= grad
                params += v
            else:
                params -= grad
