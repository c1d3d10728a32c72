"""Mini-batch stochastic gradient descent as a generator of small immutable progress records.

``sgd(net, training_data, config, rng=...)`` trains ``net`` in place.  It yields a ``BatchRecord`` after
mini-batches (every ``yield_every`` of them), an ``EpochRecord`` after each epoch, and a final ``RunEnd``
saying why it stopped.  Between mini-batches it checks ``should_stop()``, so a GUI can stop, pause
(simply by not asking for the next record) or step one mini-batch at a time.  The same seed gives the
same run, record for record.

The update is the book's, with L2 regularization (chapter 3):
    w → (1 − ηλ/n) w − (η/m) Σ_x ∂C_x/∂w,     b → b − (η/m) Σ_x ∂C_x/∂b.
Chapter 3's other techniques are options of ``TrainingConfig``, all off by default:
* L1 regularization (``l1`` = λ₁): w → w − (ηλ₁/n) sgn(w) − (η/m) Σ_x ∂C_x/∂w (sgn 0 = 0), with L2 if both;
* momentum-based gradient descent (``momentum`` = μ): v → μv − η∇C, w → w + v (∇C with its L2 / L1 terms;
  the biases have velocities too, unregularized);
* dropout in fully connected networks (``dropout`` = p): each hidden unit is dropped with probability p,
  afresh for each example of each mini-batch, while training; at test time the weights out of hidden units
  are scaled by 1 − p (the book halves them for p = ½).  The network always holds those test-time weights
  T = (1 − p)·W, so it can be evaluated, saved and drawn as it is, and each step does the book's arithmetic
  on W = T/(1 − p) exactly.  A new network meant to start from the book's initial W is scaled first with
  ``dropout_test_weights``.
The cost on the test data is recorded each epoch (``EpochRecord.test_cost``) when test data is given.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .blas import BlasThreads, blas_threads_for
from .cancel import Cancel
from .network import Network, evaluate
from .unstable import BOOK_SPEED_IMAGES, learning_speed  # noqa: F401  (learning_speed: re-exported)


# ---------------------------------------------------------------------------------------------- config
@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters of one run, in the book's symbols: η (eta), m (mini_batch_size), λ (lmbda)."""

    epochs: int = 30
    mini_batch_size: int = 10
    eta: float = 3.0
    lmbda: float = 0.0
    early_stopping_n: int | None = None  # stop after this many epochs without a better validation accuracy
    schedule: bool = False  # halve η after each early_stopping_n epochs without improvement; stop at η₀/128
    learning_speed: bool = False  # ‖∂C/∂b^l‖ of each hidden layer on monitoring steps (chapter 5), over the
    # first 1,000 training images as the book
    l1: float = 0.0  # λ₁ of L1 regularization: w → w − (ηλ₁/n) sgn(w) − ...
    momentum: float = 0.0  # μ of momentum-based gradient descent (0: plain SGD)
    dropout: float = 0.0  # p, the chance of dropping each hidden unit while training (0: no dropout)

    def validate(self, n_train: int | None = None) -> "TrainingConfig":
        """Raise ValueError with a plain explanation of the first bad value."""
        problems = []
        if not (isinstance(self.epochs, int) and 1 <= self.epochs <= 100_000):
            problems.append(f"epochs must be a whole number from 1 to 100000, got {self.epochs!r}")
        if not (isinstance(self.mini_batch_size, int) and self.mini_batch_size >= 1):
            problems.append(f"mini-batch size m must be at least 1, got {self.mini_batch_size!r}")
        elif n_train is not None and self.mini_batch_size > n_train:
            problems.append(f"mini-batch size m={self.mini_batch_size} is larger than the {n_train} training images")
        if not (isinstance(self.eta, (int, float)) and math.isfinite(self.eta) and self.eta > 0):
            problems.append(f"learning rate η must be a positive number, got {self.eta!r}")
        elif self.eta > 1e4:
            problems.append(f"learning rate η={self.eta:g} is absurdly large (the book uses 0.001 to 100)")
        if not (isinstance(self.lmbda, (int, float)) and math.isfinite(self.lmbda) and self.lmbda >= 0):
            problems.append(f"regularization λ must be zero or positive, got {self.lmbda!r}")
        if not (isinstance(self.l1, (int, float)) and math.isfinite(self.l1) and self.l1 >= 0):
            problems.append(f"L1 regularization λ₁ must be zero or positive, got {self.l1!r}")
        if not (isinstance(self.momentum, (int, float)) and 0 <= self.momentum < 1):
            problems.append(f"momentum μ must be at least 0 and below 1, got {self.momentum!r}")
        if not (isinstance(self.dropout, (int, float)) and 0 <= self.dropout < 1):
            problems.append(f"dropout p must be at least 0 and below 1, got {self.dropout!r}")
        if self.early_stopping_n is not None and not (
            isinstance(self.early_stopping_n, int) and self.early_stopping_n >= 1
        ):
            problems.append(f"the no-improvement window must be at least 1 epoch, got {self.early_stopping_n!r}")
        if self.schedule and self.early_stopping_n is None:
            problems.append("the η schedule needs a no-improvement window (early_stopping_n)")
        if n_train is not None and n_train < 1:
            problems.append("there are no training images")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class BatchRecord:
    """After a mini-batch.  ``training_cost`` and ``training_accuracy`` (on a fixed monitoring subset of
    the training data) and ``learning_speed`` are filled on monitoring steps only, else None."""

    epoch: int  # 0-based, as the book prints "Epoch 0"
    batch: int  # mini-batches done in this epoch, 1..batches_per_epoch
    batches_per_epoch: int
    examples_seen: int  # in the whole run
    eta: float
    train_seconds: float  # training time so far in this run (evaluation excluded)
    training_cost: float | None = None
    learning_speed: tuple[float, ...] | None = None
    training_accuracy: float | None = None  # on the same monitoring subset, with training_cost


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """After an epoch: costs and accuracies (fractions 0–1; None when not measured)."""

    epoch: int
    eta: float
    train_seconds: float  # this epoch's training time, evaluation excluded
    examples_per_second: float
    training_cost: float
    training_accuracy: float
    validation_cost: float | None
    validation_accuracy: float | None
    validation_correct: int | None
    test_accuracy: float | None
    test_correct: int | None
    test_total: int | None
    learning_speed: tuple[float, ...] | None = None
    test_cost: float | None = None  # on the test data (chapter 3's overfitting figure), with the L2 term


@dataclass(frozen=True, slots=True)
class RunEnd:
    """The last record: why the run ended (``reason`` is one of REASONS) and a sentence for people."""

    reason: str
    message: str
    epochs_done: int
    best_validation_accuracy: float | None = None
    best_epoch: int | None = None


REASONS = ("finished", "early-stopping", "schedule", "stopped", "diverged")


# ---------------------------------------------------------------------------------------------- fast step
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


def _unpack(data):
    if data is None:
        return None
    if hasattr(data, "images") and hasattr(data, "labels"):
        images, labels = data.images, data.labels
    else:
        images, labels = data
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 2 or len(images) != len(labels):
        raise ValueError(f"data should be images (n, inputs) and labels (n,), got {images.shape} and {labels.shape}")
    return images, labels


def dropout_test_weights(net: Network, p: float) -> Network:
    """Scale the weights out of hidden units (w^3 ... w^L) by 1 − p in place, turning the book's training
    weights W into the test-time weights T that ``sgd`` with dropout p works on; returns ``net``."""
    for w in net.weights[1:]:
        w *= 1.0 - float(p)
    return net


def _finite(net: Network) -> bool:
    return all(np.isfinite(p).all() for p in net.params)


def sgd(
    net: Network,
    training_data,
    config: TrainingConfig,
    *,
    rng: np.random.Generator,
    validation_data=None,
    test_data=None,
    should_stop: Callable[[], bool] | None = None,
    yield_every: int = 1,
    monitor_every: int = 0,
    monitor_size: int = 1000,
    monitor_seconds: float = 0.0,
    chunk_size: int = 2000,
    blas_threads: int | None | str = "auto",
    cancel: Cancel = None,
) -> Iterator[BatchRecord | EpochRecord | RunEnd]:
    """Train ``net`` in place; see the module docstring.

    training_data / validation_data / test_data: ``(images, labels)`` or objects with ``.images`` and
    ``.labels``; images uint8 0..255 (converted a chunk at a time) or floats in [0, 1], one per row.
    yield_every: yield a BatchRecord after every that many mini-batches (0: only at epoch ends).
    monitor_every: measure the cost on the first ``monitor_size`` training images every that many
    mini-batches (0: never), for live curves within an epoch.
    monitor_seconds: and only once at least this many seconds of training have passed since the last
    measurement or epoch end (0: no minimum), so a fast run does not spend its time measuring itself.
    blas_threads: cap on BLAS threads while training ("auto": ``blas_threads_for(net.sizes, m)``, one
    thread for small mini-batches; None: leave BLAS alone; or a number).  Evaluation is never capped.
    cancel: checked within the passes over data sets (evaluations, learning speed), which raise
    ``engine.cancel.Interrupted`` when it returns True (the app closing; see ``engine.cancel``).
    """
    images, labels = _unpack(training_data)
    n = len(labels)
    config.validate(n)
    validation = _unpack(validation_data)
    test = _unpack(test_data)
    if images.shape[1] != net.sizes[0]:
        raise ValueError(f"the network has {net.sizes[0]} inputs but the images have {images.shape[1]} values")
    if config.dropout and len(net.sizes) < 3:
        raise ValueError("dropout drops hidden units: the network needs at least one hidden layer")
    m = config.mini_batch_size
    dt = net.dtype
    extras = {}
    if config.momentum:
        extras.update(momentum=config.momentum, velocity=[np.zeros_like(p) for p in net.params])
    if config.dropout:
        extras.update(dropout=config.dropout, rng=rng)
    scale = np.asarray(1 / 255 if images.dtype == np.uint8 else 1.0, dt)
    eye = np.eye(net.sizes[-1], dtype=dt)
    chunk_size = max(m, (chunk_size // m) * m)
    x_chunk = np.ones((chunk_size, images.shape[1] + 1), dt)  # trailing ones column for the biases
    steppers: dict[int, SGDStepper] = {}
    monitor_x = images[:monitor_size]
    monitor_y = labels[:monitor_size]
    speed_x, speed_y = images[:BOOK_SPEED_IMAGES], labels[:BOOK_SPEED_IMAGES]  # the book's first 1,000
    batches_per_epoch = -(-n // m)
    judge = EpochJudge(config)
    eta = judge.eta
    examples_seen = 0
    total_seconds = 0.0
    since_yield = 0
    last_point = 0.0  # training seconds at the last measurement (live point or epoch end)

    def stop_requested() -> bool:
        return should_stop is not None and should_stop()

    end = judge.end

    if blas_threads == "auto":
        blas_threads = blas_threads_for(net.sizes, m)
    threads = BlasThreads(blas_threads)
    # Without yields, monitoring or a stop flag the inner loop does nothing but step.
    watching = bool(yield_every or monitor_every or should_stop is not None)
    try:
        for epoch in range(config.epochs):
            decay = 1.0 - eta * config.lmbda / n
            l1_step = eta * config.l1 / n
            eta_over_m = eta / m
            perm = rng.permutation(n)
            epoch_seconds = 0.0
            batch = 0
            threads.hold()
            t0 = time.perf_counter()
            for c0 in range(0, n, chunk_size):
                idx = perm[c0:c0 + chunk_size]
                k = len(idx)
                np.multiply(images[idx], scale, out=x_chunk[:k, :-1], casting="unsafe")
                y_chunk = eye[labels[idx]]
                for b0 in range(0, k, m):
                    b1 = b0 + m
                    if b1 <= k:
                        mb = m
                        stepper = steppers.get(m)
                        if stepper is None:
                            stepper = steppers[m] = SGDStepper(net, m, **extras)
                        stepper.step(x_chunk[b0:b1], y_chunk[b0:b1], eta_over_m, decay, l1_step)
                    else:
                        mb = k - b0
                        stepper = steppers.get(mb)
                        if stepper is None:
                            stepper = steppers[mb] = SGDStepper(net, mb, **extras)
                        # η/m and the decay use the mini-batch's own size, so a short last batch is not
                        # overweighted.
                        stepper.step(x_chunk[b0:k], y_chunk[b0:k], eta / mb, decay, l1_step)
                    if not watching:
                        continue
                    batch += 1
                    examples_seen += mb
                    since_yield += 1
                    monitoring = monitor_every and batch % monitor_every == 0
                    if monitoring and monitor_seconds:
                        trained = total_seconds + epoch_seconds + time.perf_counter() - t0
                        monitoring = trained - last_point >= monitor_seconds
                        if monitoring:
                            last_point = trained
                    if (yield_every and since_yield >= yield_every) or monitoring:
                        since_yield = 0
                        threads.release()
                        now = time.perf_counter()
                        epoch_seconds += now - t0
                        cost = speed = accuracy = None
                        if monitoring:
                            monitored = evaluate(net, monitor_x, monitor_y, with_cost=True, cancel=cancel)
                            cost, accuracy = monitored.cost, monitored.accuracy
                            if config.learning_speed and len(net.sizes) > 2:
                                speed = learning_speed(net, speed_x, speed_y, cancel=cancel)
                        yield BatchRecord(epoch, batch, batches_per_epoch, examples_seen, eta,
                                          total_seconds + epoch_seconds, cost, speed, accuracy)
                        if cost is not None and not math.isfinite(cost):
                            yield end("diverged", _diverged_message(eta), epoch)
                            return
                        if stop_requested():
                            yield end("stopped", f"Stopped by the user during epoch {epoch}.", epoch)
                            return
                        threads.hold()
                        t0 = time.perf_counter()
                    elif should_stop is not None and should_stop():
                        threads.release()
                        epoch_seconds += time.perf_counter() - t0
                        yield end("stopped", f"Stopped by the user during epoch {epoch}.", epoch)
                        return
                if not watching:
                    batch += -(-k // m)
                    examples_seen += k
            threads.release()
            epoch_seconds += time.perf_counter() - t0
            total_seconds += epoch_seconds
            last_point = total_seconds
            if not _finite(net):
                yield end("diverged", _diverged_message(eta), epoch)
                return
            # ---- evaluation (not counted in train_seconds)
            train_eval = evaluate(net, images, labels, lmbda=config.lmbda, n_train=n, cancel=cancel)
            val_eval = evaluate(net, *validation, lmbda=config.lmbda, n_train=n, cancel=cancel) if validation else None
            test_eval = evaluate(net, *test, lmbda=config.lmbda, n_train=n, cancel=cancel) if test else None
            speed = (learning_speed(net, speed_x, speed_y, cancel=cancel)
                     if config.learning_speed and len(net.sizes) > 2 else None)
            yield epoch_record(epoch, eta, epoch_seconds, n, train_eval, val_eval, test_eval, learning_speed=speed)
            if not math.isfinite(train_eval.cost):
                yield end("diverged", _diverged_message(eta), epoch + 1)
                return
            # ---- early stopping and the η schedule (chapter 3), judged on validation accuracy
            verdict = judge.after_epoch(epoch, val_eval.accuracy if val_eval is not None else None)
            eta = judge.eta
            if verdict is not None:
                yield verdict
                return
            if stop_requested():
                yield end("stopped", f"Stopped by the user after epoch {epoch}.", epoch + 1)
                return
        yield end("finished", f"Finished {config.epochs} epochs.", config.epochs)
    finally:
        threads.release()


def epoch_record(epoch: int, eta: float, seconds: float, n: int, train_eval, val_eval, test_eval,
                 **extra) -> EpochRecord:
    """An epoch's record from its evaluations (``network.Evaluation``; None for a set not given), shared by
    ``sgd`` and the chapter-6 ``convnet.sgd``."""
    return EpochRecord(
        epoch=epoch, eta=eta, train_seconds=seconds,
        examples_per_second=n / seconds if seconds > 0 else float("inf"),
        training_cost=train_eval.cost, training_accuracy=train_eval.accuracy,
        validation_cost=val_eval.cost if val_eval else None,
        validation_accuracy=val_eval.accuracy if val_eval else None,
        validation_correct=val_eval.correct if val_eval else None,
        test_accuracy=test_eval.accuracy if test_eval else None,
        test_correct=test_eval.correct if test_eval else None,
        test_total=test_eval.total if test_eval else None,
        test_cost=test_eval.cost if test_eval else None,
        **extra)


class EpochJudge:
    """Chapter 3's rules after each epoch, judged on validation accuracy (shared by ``sgd`` and the chapter-6
    ``convnet.sgd``): remember the best epoch; with early stopping, end the run after ``early_stopping_n``
    epochs without a better one — or, with the η schedule, halve η instead and end once η < η₀/128."""

    def __init__(self, config: TrainingConfig):
        self.config = config
        self.eta = self.eta0 = float(config.eta)
        self.best_acc, self.best_epoch, self.since_best = -1.0, None, 0

    def end(self, reason: str, message: str, epochs_done: int) -> RunEnd:
        """The run's last record, carrying the best validation accuracy and its epoch."""
        return RunEnd(reason, message, epochs_done, self.best_acc if self.best_acc >= 0 else None,
                      self.best_epoch)

    def after_epoch(self, epoch: int, val_accuracy: float | None) -> RunEnd | None:
        """None to go on (``eta`` may have been halved), else the run's end."""
        if val_accuracy is None:
            return None
        if val_accuracy > self.best_acc:
            self.best_acc, self.best_epoch, self.since_best = val_accuracy, epoch, 0
        else:
            self.since_best += 1
        n = self.config.early_stopping_n
        if not (n and self.since_best >= n):
            return None
        if not self.config.schedule:
            return self.end("early-stopping", f"Early stopping: no better validation accuracy in {n} epochs "
                            f"(best {self.best_acc:.2%} at epoch {self.best_epoch}).", epoch + 1)
        self.eta /= 2
        self.since_best = 0
        if self.eta < self.eta0 / 128:
            return self.end("schedule", f"η schedule finished: η fell below η₀/128 = {self.eta0 / 128:g}.",
                            epoch + 1)
        return None


def _diverged_message(eta: float) -> str:
    return (f"Training diverged: the cost became NaN or infinite with η = {eta:g}. "
            "Try a smaller learning rate η.")
