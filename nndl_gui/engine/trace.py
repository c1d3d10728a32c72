"""Backpropagation laid open for one example, and the checks that keep it honest (chapter 2).

``trace(net, x, y)`` runs the forward pass and BP1–BP4 for a single example and keeps every number:
z^l, a^l, σ'(z^l), δ^l, ∂C/∂b^l and ∂C/∂w^l for each layer.  The Backprop inspector only draws a Trace.

``gradient_check`` compares backprop with finite differences, counting the forward passes each needs
(one forward and one backward pass for backprop; two forward passes per parameter for central
differences).  ``nudged_cost`` is the book's "demon": add Δz to one weighted input z^l_j and see how C
moves — by about δ^l_j Δz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


@dataclass(frozen=True)
class LayerTrace:
    """Everything backprop knows about layer l (book numbering: 1 = input).

    For the input layer only ``a`` (= x) is set.  ``sigma_prime`` is None for a softmax output layer
    (its derivative is a Jacobian, not one number per neuron).  ``nabla_w`` has the shape of w^l:
    nabla_w[j, k] = a^{l-1}_k δ^l_j (BP4); ``nabla_b`` = δ^l (BP3).
    """

    l: int
    a: np.ndarray
    z: np.ndarray | None = None
    sigma_prime: np.ndarray | None = None
    delta: np.ndarray | None = None
    nabla_b: np.ndarray | None = None
    nabla_w: np.ndarray | None = None


@dataclass(frozen=True)
class Trace:
    """One example through the network: ``layers[0]`` is layer 1 (the input), ``layers[-1]`` layer L."""

    x: np.ndarray
    y: np.ndarray
    cost: float
    layers: tuple[LayerTrace, ...]

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].a

    def layer(self, l: int) -> LayerTrace:
        """Layer l in the book's numbering (1..L)."""
        return self.layers[l - 1]


def target_vector(net: Network, y) -> np.ndarray:
    """y as a desired-output vector: a digit label becomes a one-hot vector of length n_L."""
    if np.ndim(y) == 0:
        label = int(y)
        if not 0 <= label < net.sizes[-1]:
            raise ValueError(f"label {label} is outside 0..{net.sizes[-1] - 1}")
        vec = np.zeros(net.sizes[-1], dtype=net.dtype)
        vec[label] = 1.0
        return vec
    vec = np.asarray(y, dtype=net.dtype).reshape(-1)
    if vec.shape != (net.sizes[-1],):
        raise ValueError(f"the target should have {net.sizes[-1]} values, got {vec.shape[0]}")
    return vec


def trace(net: Network, x, y) -> Trace:
    """Forward pass and BP1–BP4 for one example x (n_1,) with target y (label or (n_L,) vector)."""
    x = np.asarray(x, dtype=net.dtype).reshape(-1)
    y = target_vector(net, y)
    zs, activations = net.forward(x[None, :])
    deltas = net.deltas(zs, activations, y[None, :])
    layers = [LayerTrace(l=1, a=x.copy())]
    for i, (z, a, d) in enumerate(zip(zs, activations[1:], deltas)):
        fn = net.output if i == len(zs) - 1 else net.activation
        sp = fn.prime(z, a)[0] if fn.elementwise else None
        layers.append(LayerTrace(
            l=i + 2, z=z[0], a=a[0], sigma_prime=sp, delta=d[0],
            nabla_b=d[0].copy(),  # BP3
            nabla_w=np.outer(d[0], activations[i][0]),  # BP4
        ))
    cost = net.cost.fn(activations[-1], y[None, :])
    return Trace(x=x, y=y, cost=cost, layers=tuple(layers))


def nudged_cost(net: Network, x, y, l: int, j: int, dz: float) -> float:
    """The demon: C when z^l_j (book numbering, l ≥ 2) is changed by Δz = dz during the forward pass."""
    if not 2 <= l <= net.num_layers:
        raise ValueError(f"layer l must be 2..{net.num_layers}, got {l}")
    a = np.asarray(x, dtype=net.dtype).reshape(1, -1)
    y = target_vector(net, y)[None, :]
    last = len(net.params) - 1
    for i, p in enumerate(net.params):
        z = a @ p[:, :-1].T + p[:, -1]
        if i == l - 2:
            z[0, j] += dz
        a = (net.output if i == last else net.activation).fn(z)
    return net.cost.fn(a, y)


def relative_error(a, b) -> np.ndarray:
    """|a − b| / max(|a| + |b|, 1e-12): 0 when equal, about 1 when unrelated."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)


def numerical_derivative(net: Network, x, y, kind: str, l: int, j: int, k: int | None = None,
                         eps: float = 1e-5) -> float:
    """∂C/∂w^l_jk (kind "w") or ∂C/∂b^l_j (kind "b") by central differences: two forward passes.

    C is the mean cost over the rows of x (one example or a batch).  Use a float64 network.
    """
    i = l - 2
    if not 0 <= i < len(net.params):
        raise ValueError(f"layer l must be 2..{net.num_layers}, got {l}")
    p = net.params[i]
    col = p.shape[1] - 1 if kind == "b" else k
    if kind not in ("w", "b") or col is None:
        raise ValueError("kind must be 'w' (with k) or 'b'")
    x = np.asarray(x, dtype=net.dtype)
    y = np.asarray(y, dtype=net.dtype)
    old = p[j, col]
    try:
        p[j, col] = old + eps
        c_plus = net.total_cost(x, y)
        p[j, col] = old - eps
        c_minus = net.total_cost(x, y)
    finally:
        p[j, col] = old
    return (c_plus - c_minus) / (2 * eps)


@dataclass(frozen=True)
class GradientCheck:
    """Backprop against finite differences over ``n_checked`` parameters.

    ``relative_error`` compares the whole gradient vectors: ‖g_bp − g_fd‖ / (‖g_bp‖ + ‖g_fd‖).
    ``max_relative_error`` is the worst single parameter's |a − b| / (|a| + |b|); for a gradient that
    is itself tiny (1e-6) that ratio is dominated by the finite difference's rounding error.
    """

    relative_error: float
    max_relative_error: float
    mean_relative_error: float
    n_checked: int
    n_parameters: int
    forward_passes_numerical: int  # 2 per parameter checked (central differences)
    passes_backprop: int  # 1 forward + 1 backward for every parameter at once
    worst: tuple[str, int, int, int | None]  # (kind, l, j, k) of the largest relative error


def gradient_check(net: Network, x, y, *, eps: float = 1e-5, max_params: int | None = None,
                   rng: np.random.Generator | int | None = 0) -> GradientCheck:
    """Check every parameter (or a random ``max_params`` of them) of a float64 copy of ``net``."""
    net64 = net.copy(np.float64)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    y = np.asarray(y, dtype=np.float64).reshape(x.shape[0], -1)
    nabla_b, nabla_w = net64.backprop(x, y)
    entries = []
    for i, p in enumerate(net64.params):
        l = i + 2
        n_out, n_in = p.shape[0], p.shape[1] - 1
        entries += [("w", l, j, k) for j in range(n_out) for k in range(n_in)]
        entries += [("b", l, j, None) for j in range(n_out)]
    total = len(entries)
    if max_params is not None and max_params < total:
        pick = np.random.default_rng(rng).choice(total, size=max_params, replace=False)
        entries = [entries[t] for t in sorted(pick)]
    analytic = np.array([nabla_w[l - 2][j, k] if kind == "w" else nabla_b[l - 2][j] for kind, l, j, k in entries])
    numeric = np.array([numerical_derivative(net64, x, y, kind, l, j, k, eps=eps) for kind, l, j, k in entries])
    errors = relative_error(analytic, numeric)
    worst = int(np.argmax(errors))
    vector_error = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-300)
    return GradientCheck(
        relative_error=float(vector_error),
        max_relative_error=float(errors.max()), mean_relative_error=float(errors.mean()),
        n_checked=len(entries), n_parameters=total, forward_passes_numerical=2 * len(entries),
        passes_backprop=2, worst=entries[worst],
    )
