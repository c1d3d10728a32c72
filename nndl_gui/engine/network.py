"""A fully connected feedforward network in the book's notation, vectorized over the mini-batch.

Layers are numbered l = 1..L as in the book: layer 1 is the input, layer L the output.  Python lists are
0-based, so ``weights[i]`` is the book's w^{i+2} and ``biases[i]`` is b^{i+2}:

* ``weights[i]`` has shape (n_{l}, n_{l-1}): entry [j, k] is w^l_jk, from neuron k of layer l-1 to
  neuron j of layer l.
* ``biases[i]`` has shape (n_l,).

Inputs are batches with one example per row, x of shape (m, n_1), so the weighted input of a batch is
z^l = a^{l-1} (w^l)ᵀ + b^l, shape (m, n_l) — the book's z^l = w^l a^{l-1} + b^l for every row at once.

Storage detail that makes small mini-batches fast: each layer keeps one matrix ``params[i]`` of shape
(n_l, n_{l-1} + 1) whose last column is the bias, and ``weights[i]`` / ``biases[i]`` are views into it.
With a column of ones appended to a^{l-1}, one matrix product gives z^l, and one product δᵀ[a, 1] gives
∂C/∂w (BP4) and ∂C/∂b (BP3) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .activations import Activation, get_activation
from .costs import Cost, get_cost
from .cancel import Cancel, check, rows_per_chunk

INITS = ("default", "large")


def validate_sizes(sizes: Sequence[int]) -> list[int]:
    """Check a layer-size list such as [784, 30, 10] and return it as a list of ints."""
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise ValueError(f"layer sizes must be whole numbers, got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least an input and an output layer, got sizes {sizes}")
    if any(s < 1 for s in sizes):
        raise ValueError(f"every layer needs at least one neuron, got sizes {sizes}")
    if any(s > 100_000 for s in sizes):
        raise ValueError(f"layers are limited to 100,000 neurons, got sizes {sizes}")
    return sizes


class Network:
    """A feedforward network: sizes, hidden activation, output activation, cost and parameters."""

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        activation: str = "sigmoid",
        output: str = "sigmoid",
        cost: str = "quadratic",
        init: str = "default",
        rng: np.random.Generator | int | None = None,
        dtype=np.float32,
    ):
        self.sizes = validate_sizes(sizes)
        self.activation: type[Activation] = get_activation(activation)
        self.output: type[Activation] = get_activation(output, output=True)
        self.cost: type[Cost] = get_cost(cost)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.params: list[np.ndarray] = [
            np.zeros((n_out, n_in + 1), dtype=self.dtype) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]
        self.initialize(init, rng)

    # ------------------------------------------------------------------ parameters
    @property
    def num_layers(self) -> int:
        """L, the number of layers including the input layer."""
        return len(self.sizes)

    @property
    def weights(self) -> list[np.ndarray]:
        """[w^2, ..., w^L], views into ``params`` (writing to them changes the network)."""
        return [p[:, :-1] for p in self.params]

    @property
    def biases(self) -> list[np.ndarray]:
        """[b^2, ..., b^L], views into ``params``."""
        return [p[:, -1] for p in self.params]

    @property
    def num_parameters(self) -> int:
        return sum(p.size for p in self.params)

    def initialize(self, init: str = "default", rng: np.random.Generator | int | None = None) -> None:
        """Fill weights and biases afresh.

        "large" (chapter 1): every weight and bias ~ N(0, 1).
        "default" (chapter 3): weights ~ N(0, 1/n_in), biases ~ N(0, 1).
        """
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        rng = np.random.default_rng(rng)
        for p in self.params:
            n_out, n_in = p.shape[0], p.shape[1] - 1
            scale = 1.0 if init == "large" else 1.0 / np.sqrt(n_in)
            p[:, :-1] = rng.standard_normal((n_out, n_in)) * scale
            p[:, -1] = rng.standard_normal(n_out)

    def set_parameters(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Copy weights (n_l, n_{l-1}) and biases (n_l,) or (n_l, 1) into the network, checking shapes."""
        if len(weights) != len(self.params) or len(biases) != len(self.params):
            raise ValueError(
                f"sizes {self.sizes} need {len(self.params)} weight matrices and bias vectors, "
                f"got {len(weights)} and {len(biases)}"
            )
        for i, (w, b, p) in enumerate(zip(weights, biases, self.params)):
            w = np.asarray(w, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            if b.ndim == 2 and b.shape[1:] == (1,):
                b = b[:, 0]
            if w.shape != (p.shape[0], p.shape[1] - 1):
                raise ValueError(f"w^{i + 2} should have shape {(p.shape[0], p.shape[1] - 1)}, got {w.shape}")
            if b.shape != (p.shape[0],):
                raise ValueError(f"b^{i + 2} should have shape {(p.shape[0],)}, got {b.shape}")
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                raise ValueError(f"w^{i + 2} or b^{i + 2} contains NaN or infinity")
        for p, w, b in zip(self.params, weights, biases):
            p[:, :-1] = np.asarray(w)
            p[:, -1] = np.asarray(b).reshape(-1)

    def copy(self, dtype=None) -> "Network":
        """An independent copy (optionally converted to another dtype)."""
        other = Network.__new__(Network)
        other.sizes = list(self.sizes)
        other.activation, other.output, other.cost = self.activation, self.output, self.cost
        other.dtype = np.dtype(dtype or self.dtype)
        other.params = [p.astype(other.dtype, copy=True) for p in self.params]
        return other

    def config(self) -> dict:
        """The choices that define the architecture (what a save file records besides the numbers)."""
        return {
            "sizes": list(self.sizes),
            "activation": self.activation.name,
            "output": self.output.name,
            "cost": self.cost.name,
        }

    def __repr__(self) -> str:
        c = self.config()
        return (
            f"Network({c['sizes']}, activation={c['activation']!r}, output={c['output']!r}, "
            f"cost={c['cost']!r}, dtype={self.dtype.name})"
        )

    # ------------------------------------------------------------------ forward pass
    def _as_batch(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"inputs should have shape (m, {self.sizes[0]}), got {x.shape}")
        return x

    @np.errstate(all="ignore")  # a diverged network gives inf/NaN; callers check np.isfinite
    def forward(self, x) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Feed a batch forward keeping everything: returns (zs, activations).

        zs = [z^2, ..., z^L] and activations = [a^1 = x, a^2, ..., a^L], each of shape (m, n_l).
        """
        a = self._as_batch(x)
        zs, activations = [], [a]
        last = len(self.params) - 1
        for i, p in enumerate(self.params):
            z = a @ p[:, :-1].T + p[:, -1]  # z^l = w^l a^{l-1} + b^l
            a = (self.output if i == last else self.activation).fn(z)  # a^l = σ(z^l)
            zs.append(z)
            activations.append(a)
        return zs, activations

    @np.errstate(all="ignore")  # a diverged network gives inf/NaN; callers check np.isfinite
    def feedforward(self, x) -> np.ndarray:
        """The output a^L for a batch (m, n_1) → (m, n_L), or one example (n_1,) → (n_L,)."""
        single = np.ndim(x) == 1
        a = self._as_batch(x)
        last = len(self.params) - 1
        for i, p in enumerate(self.params):
            a = (self.output if i == last else self.activation).fn(a @ p[:, :-1].T + p[:, -1])
        return a[0] if single else a

    def predict(self, x) -> np.ndarray:
        """The digit (index of the most active output neuron) for each row of x."""
        return np.argmax(self.feedforward(self._as_batch(x)), axis=1)

    # ------------------------------------------------------------------ backpropagation
    def backprop(self, x, y) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradient of the mean cost C = (1/m) Σ_x C_x over a batch: returns (nabla_b, nabla_w).

        x is (m, n_1); y is (m, n_L) desired outputs.  nabla_b[i] has the shape of biases[i] and
        nabla_w[i] the shape of weights[i].  This is the readable reference version; training uses
        the same equations with preallocated buffers (see training.SGDStepper).
        """
        zs, activations = self.forward(x)
        y = np.asarray(y, dtype=self.dtype).reshape(activations[-1].shape)
        m = activations[0].shape[0]
        deltas = self.deltas(zs, activations, y)
        nabla_b = [d.sum(axis=0) / m for d in deltas]  # BP3: ∂C/∂b^l_j = δ^l_j
        nabla_w = [d.T @ a_prev / m for d, a_prev in zip(deltas, activations[:-1])]  # BP4: a^{l-1}_k δ^l_j
        return nabla_b, nabla_w

    @np.errstate(all="ignore")  # a diverged network gives inf/NaN; callers check np.isfinite
    def deltas(self, zs, activations, y) -> list[np.ndarray]:
        """The errors δ^l = ∂C_x/∂z^l for every layer l = 2..L, each (m, n_l)."""
        delta = self.cost.delta(zs[-1], activations[-1], y, self.output)  # BP1
        deltas = [delta]
        for i in range(len(self.params) - 1, 0, -1):
            w_next = self.params[i][:, :-1]
            # BP2: δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)
            delta = self.activation.backward(zs[i - 1], activations[i], delta @ w_next)
            deltas.append(delta)
        deltas.reverse()
        return deltas

    # ------------------------------------------------------------------ cost and accuracy
    def total_cost(self, x, y, lmbda: float = 0.0, n: int | None = None) -> float:
        """Mean cost over a batch plus the L2 term ½(λ/n) Σ w² (biases are not regularized)."""
        a = self.feedforward(self._as_batch(x))
        y = np.asarray(y, dtype=a.dtype).reshape(a.shape)
        c = self.cost.fn(a, y) / a.shape[0]
        if lmbda:
            n = n or a.shape[0]
            c += 0.5 * (lmbda / n) * sum(float(np.vdot(w, w)) for w in self.weights)
        return c


def one_hot(labels, n: int = 10, dtype=np.float32) -> np.ndarray:
    """Desired outputs y for digit labels: row i has a 1.0 in column labels[i]."""
    labels = np.asarray(labels)
    return np.eye(n, dtype=dtype)[labels]


@dataclass(frozen=True)
class Evaluation:
    """Cost and accuracy of a network on a labelled data set."""

    cost: float
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@np.errstate(all="ignore")
def evaluate(net: Network, images, labels, *, lmbda: float = 0.0, n_train: int | None = None,
             chunk: int = 5000, with_cost: bool = True, cancel: Cancel = None) -> Evaluation:
    """Cost (with the L2 term when lmbda > 0) and number correct over a whole data set, in chunks.

    ``images`` may be uint8 (0..255, converted chunk by chunk, so a whole float copy never exists)
    or already floats in [0, 1].  A chunk is at most ``chunk`` images and ~0.1 s of arithmetic
    (``cancel.rows_per_chunk``); ``cancel()`` is checked before each (``engine.cancel``).
    """
    labels = np.asarray(labels)
    total = len(labels)
    correct, cost_sum = 0, 0.0
    n_out = net.sizes[-1]
    eye = np.eye(n_out, dtype=net.dtype)
    chunk = rows_per_chunk(net.num_parameters, chunk)
    for start in range(0, total, chunk):
        check(cancel)
        xb = images[start:start + chunk]
        xb = xb * np.asarray(1 / 255, dtype=net.dtype) if xb.dtype == np.uint8 else np.asarray(xb, net.dtype)
        a = net.feedforward(xb)
        lb = labels[start:start + chunk]
        correct += int(np.count_nonzero(np.argmax(a, axis=1) == lb))
        if with_cost:
            cost_sum += net.cost.fn(a, eye[lb])
    cost = cost_sum / total if total and with_cost else float("nan")
    if with_cost and lmbda:
        cost += 0.5 * (lmbda / (n_train or total)) * sum(float(np.vdot(w, w)) for w in net.weights)
    return Evaluation(cost=cost, correct=correct, total=total)
