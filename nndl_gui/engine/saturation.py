"""Chapter 3's saturation demo: one sigmoid neuron learning to turn input 1 into output 0.

The neuron computes a = σ(z) with z = w·x + b, for the single training input x = 1 and the desired
output y = 0.  Gradient descent runs for 300 epochs from one of the book's two starting points:

* ``"unsaturated"`` (w, b) = (0.6, 0.9): z = 1.5, a ≈ 0.82, σ'(z) ≈ 0.15 — learns at once;
* ``"saturated"``   (w, b) = (2.0, 2.0): z = 4,   a ≈ 0.98, σ'(z) ≈ 0.018 — with the quadratic
  cost learning starts very slowly, because ∂C/∂w = (a − y) σ'(z) x carries the tiny σ'(z).

With the cross-entropy cost ∂C/∂w = x (a − y): σ'(z) has cancelled and the neuron learns fastest when
it is most wrong.  The book's learning rates are η = 0.15 (quadratic) and η = 0.005 (cross-entropy).
See http://neuralnetworksanddeeplearning.com/chap3.html.

Everything here is pure NumPy / floats (no Qt), so the GUI can run it on the worker and tests can check
the gradient against finite differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from .activations import sigmoid as _sigmoid

STARTS: dict[str, tuple[float, float]] = {"unsaturated": (0.6, 0.9), "saturated": (2.0, 2.0)}
ETAS: dict[str, float] = {"quadratic": 0.15, "cross-entropy": 0.005}
COSTS = tuple(ETAS)
EPOCHS = 300
X_IN, Y_OUT = 1.0, 0.0


@dataclass(frozen=True)
class SaturationRecord:
    """The neuron after ``epoch`` gradient-descent steps (epoch 0 = the starting point)."""

    epoch: int
    w: float
    b: float
    a: float  # output σ(w·x + b)
    cost: float  # C for the one training example


def sigmoid(z: float) -> float:
    """σ(z) for one number: the engine's sigmoid (``activations.sigmoid``) as a Python float."""
    return float(_sigmoid(z))


def _check_cost(cost: str) -> None:
    if cost not in ETAS:
        raise ValueError(f"unknown cost {cost!r}; choose one of {', '.join(COSTS)}")


def neuron_cost(w: float, b: float, cost: str, x: float = X_IN, y: float = Y_OUT) -> float:
    """C(w, b): quadratic ½(a − y)² or cross-entropy −[y ln a + (1 − y) ln(1 − a)], a = σ(wx + b)."""
    _check_cost(cost)
    z = w * x + b
    a = sigmoid(z)
    if cost == "quadratic":
        return 0.5 * (a - y) ** 2
    # ln a = −ln(1 + e^−z) and ln(1 − a) = −ln(1 + e^z), computed stably with log1p/exp on |z|
    log_a = -(max(-z, 0.0) + math.log1p(math.exp(-abs(z))))
    log_1ma = -(max(z, 0.0) + math.log1p(math.exp(-abs(z))))
    return -(y * log_a + (1.0 - y) * log_1ma)


def neuron_gradient(w: float, b: float, cost: str, x: float = X_IN, y: float = Y_OUT) -> tuple[float, float]:
    """(∂C/∂w, ∂C/∂b).  Quadratic: δ = (a − y) σ'(z); cross-entropy: δ = a − y.  ∂C/∂w = x δ, ∂C/∂b = δ."""
    _check_cost(cost)
    a = sigmoid(w * x + b)
    delta = (a - y) * a * (1.0 - a) if cost == "quadratic" else a - y
    return x * delta, delta


def saturation_run(start: str | tuple[float, float] = "unsaturated", cost: str = "quadratic", *,
                   eta: float | None = None, epochs: int = EPOCHS) -> Iterator[SaturationRecord]:
    """Gradient descent on the one example; yields epochs + 1 records (epoch 0 .. epochs).

    ``start`` is "unsaturated" (0.6, 0.9), "saturated" (2, 2) or an explicit (w, b); ``eta`` defaults to
    the book's rate for the cost (0.15 quadratic, 0.005 cross-entropy).
    """
    _check_cost(cost)
    if isinstance(start, str):
        if start not in STARTS:
            raise ValueError(f"unknown starting point {start!r}; choose one of {', '.join(STARTS)}")
        w, b = STARTS[start]
    else:
        w, b = (float(v) for v in start)
    eta = ETAS[cost] if eta is None else float(eta)
    if not (eta > 0 and math.isfinite(eta)):
        raise ValueError(f"the learning rate η must be a positive number, got {eta}")
    if epochs < 0:
        raise ValueError(f"epochs must be ≥ 0, got {epochs}")
    for epoch in range(epochs + 1):
        yield SaturationRecord(epoch, w, b, sigmoid(w * X_IN + b), neuron_cost(w, b, cost))
        if epoch < epochs:
            gw, gb = neuron_gradient(w, b, cost)
            w, b = w - eta * gw, b - eta * gb
