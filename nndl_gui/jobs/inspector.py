"""The Backprop inspector's work, without Qt: tasks and jobs run on the engine worker.

Every function named ``*_task(ctx, ...)`` is run with ``ctx.client.run_task`` and ``saturation_job``
with ``ctx.client.start_job``; ``ctx`` is the worker's JobContext and is not used (these never touch
the live network).  Networks passed in are never mutated: each task works on a float64 copy and returns
immutable results (copies of arrays), so the tab only draws.

The text the tab shows for a trace (steps and equations) is formatted on the GUI thread, next to the tab:
``nndl_gui.tabs.inspector.equations``.
"""

from __future__ import annotations

import time
from itertools import islice
from dataclasses import dataclass

import numpy as np

from ..engine.network import Network
from ..engine.saturation import saturation_run
from ..engine.trace import Trace, gradient_check, nudged_cost, numerical_derivative, trace

# σ'(z) below this marks a saturated neuron.  σ' is at most 0.25 (at z = 0); 0.01 means |z| > 4.6, i.e.
# a < 0.01 or a > 0.99: the neuron's weights and bias learn at under 4% of the fastest possible rate.
SATURATION_THRESHOLD = 0.01
# Small networks the tab can build (every number fits on screen).
SMALL_SIZES = ([2, 3, 2], [3, 4, 2], [2, 3, 3, 2], [4, 5, 3])
# Whole-network gradient check: every parameter up to this many, else a random sample of this size.
MAX_CHECKED = 300


@dataclass(frozen=True)
class Inspection:
    """One example traced through one network: what the tab draws."""

    network: Network  # float64 copy the trace was computed with (never mutated afterwards)
    trace: Trace
    description: str


def _as64(net: Network) -> Network:
    return net.copy(np.float64)


def make_small_network(sizes, seed: int = 0, cost: str = "quadratic") -> Network:
    """A float64 sigmoid network with the chapter-1 "large" N(0, 1) initialisation, seeded."""
    return Network(sizes, cost=cost, init="large", rng=int(seed), dtype=np.float64)


def parse_numbers(text: str, n: int, what: str) -> np.ndarray:
    """'0.5, 0.9' → array of n floats; ValueError with a sentence for people otherwise."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        values = np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        raise ValueError(f"{what}: type {n} numbers separated by commas, e.g. "
                         f"{', '.join(['0.5'] * n)}") from None
    if values.shape != (n,):
        raise ValueError(f"{what}: this network needs {n} numbers, you typed {values.size}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what}: numbers must be finite")
    return values


# ---------------------------------------------------------------------------------------------- tasks
def trace_task(ctx, net: Network, x, y, description: str = "") -> Inspection:
    """Forward pass and BP1–BP4 for one example on a float64 copy of ``net``."""
    net64 = _as64(net)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.shape != (net64.sizes[0],):
        raise ValueError(f"this network takes {net64.sizes[0]} inputs, the example has {x.size}")
    return Inspection(net64, trace(net64, x, y), description)


def edit_task(ctx, net: Network, x, y, kind: str, l: int, j: int, k: int | None, value: float,
              description: str = "") -> Inspection:
    """Set w^l_jk (kind "w") or b^l_j (kind "b") to ``value`` in a copy of ``net`` and trace again."""
    value = float(value)
    if not np.isfinite(value):
        raise ValueError("a weight or bias must be a finite number")
    net64 = _as64(net)
    _check_index(net64, kind, l, j, k)
    if kind == "w":
        net64.weights[l - 2][j, k] = value
    else:
        net64.biases[l - 2][j] = value
    return trace_task(ctx, net64, x, y, description)


def _check_index(net: Network, kind: str, l: int, j: int, k: int | None) -> None:
    if kind not in ("w", "b"):
        raise ValueError("kind must be 'w' or 'b'")
    if not 2 <= l <= net.num_layers:
        raise ValueError(f"layer l must be 2..{net.num_layers}, got {l}")
    if not 0 <= j < net.sizes[l - 1]:
        raise ValueError(f"neuron j must be 0..{net.sizes[l - 1] - 1} in layer {l}, got {j}")
    if kind == "w" and (k is None or not 0 <= k < net.sizes[l - 2]):
        raise ValueError(f"input k must be 0..{net.sizes[l - 2] - 1} for w^{l}, got {k}")


@dataclass(frozen=True)
class ParameterCheck:
    """Backprop against central differences for one parameter."""

    kind: str
    l: int
    j: int
    k: int | None
    backprop: float
    numerical: float
    relative_error: float  # |bp − fd| / (|bp| + |fd|), 0 when both are 0
    forward_passes_numerical: int  # 2 (C(p + ε) and C(p − ε))
    passes_backprop: int  # 1 forward + 1 backward, for all parameters at once
    eps: float


def check_parameter_task(ctx, net: Network, x, y, kind: str, l: int, j: int, k: int | None = None,
                         eps: float = 1e-5) -> ParameterCheck:
    """∂C/∂w^l_jk or ∂C/∂b^l_j by backprop (the trace) and by central differences, in float64."""
    net64 = _as64(net)
    _check_index(net64, kind, l, j, k)
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)
    tr = trace(net64, x[0], y)
    layer = tr.layer(l)
    bp = float(layer.nabla_w[j, k] if kind == "w" else layer.nabla_b[j])
    fd = float(numerical_derivative(net64, x, tr.y[None, :], kind, l, j, k, eps=eps))
    denom = abs(bp) + abs(fd)
    rel = abs(bp - fd) / denom if denom > 0 else 0.0
    return ParameterCheck(kind, l, j, k, bp, fd, rel, 2, 2, eps)


def check_network_task(ctx, net: Network, x, y, max_params: int = MAX_CHECKED, seed: int = 0):
    """Whole-network gradient check (engine.trace.gradient_check); a random sample of ``max_params``
    parameters when the network has more.  Returns a GradientCheck (n_checked of n_parameters)."""
    net64 = _as64(net)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y_vec = trace(net64, x, y).y
    limit = None if net64.num_parameters <= max_params else max_params
    return gradient_check(net64, x, y_vec, max_params=limit, rng=seed)


@dataclass(frozen=True)
class DemonResult:
    """The demon adds Δz to z^l_j: the actual change of C next to the first-order guess δ^l_j Δz."""

    l: int
    j: int
    dz: float
    cost: float  # C without the demon
    nudged_cost: float  # C with z^l_j + Δz
    delta: float  # δ^l_j from the trace

    @property
    def actual_change(self) -> float:
        return self.nudged_cost - self.cost

    @property
    def predicted_change(self) -> float:
        return self.delta * self.dz


def demon_task(ctx, net: Network, x, y, l: int, j: int, dz: float) -> DemonResult:
    net64 = _as64(net)
    if not 2 <= l <= net64.num_layers:
        raise ValueError("the demon lives in layers 2..L: pick a neuron that has a weighted input z")
    if not 0 <= j < net64.sizes[l - 1]:
        raise ValueError(f"neuron j must be 0..{net64.sizes[l - 1] - 1}")
    tr = trace(net64, x, y)
    return DemonResult(l, j, float(dz), float(tr.cost), float(nudged_cost(net64, x, y, l, j, float(dz))),
                       float(tr.layer(l).delta[j]))


@dataclass(frozen=True)
class SaturationProgress:
    """The run so far (a snapshot: the worker may drop intermediate ones, so each carries all records)."""

    start: str
    cost: str
    records: tuple  # of engine.saturation.SaturationRecord, epoch 0 .. current

    @property
    def last(self):
        return self.records[-1]


def saturation_job(ctx, start: str, costs, seconds_per_epoch: float = 0.0, shown=None):
    """Chapter 3's one-neuron runs as one worker job, side by side: yields a tuple with one
    SaturationProgress per cost after every epoch (the worker owns one job at a time, so two costs
    compared at once are two runs in this one job).

    ``costs`` is one cost name or several.  ``shown`` maps a cost to the epoch a previous job had
    already drawn: that run is recomputed up to there at once (gradient descent from a fixed start is
    deterministic) and continues from it, so a second run can join a first one mid-way.
    ``seconds_per_epoch`` paces the runs so a learner can watch the curves grow (0 in tests); the worker
    handles tasks, pause and stop between chunks.  Returns the last tuple.
    """
    costs = (costs,) if isinstance(costs, str) else tuple(costs)
    shown = dict(shown or {})
    runs = {cost: saturation_run(start, cost) for cost in costs}
    records = {cost: tuple(islice(runs[cost], shown.get(cost, -1) + 1)) for cost in costs}
    progress = None
    while True:
        if ctx is not None and ctx.should_stop():
            return progress
        moved = False
        for cost in costs:
            rec = next(runs[cost], None)
            if rec is not None:
                records[cost] = records[cost] + (rec,)
                moved = True
        if not moved:
            return progress
        progress = tuple(SaturationProgress(start, cost, records[cost]) for cost in costs)
        yield progress
        if seconds_per_epoch > 0:
            time.sleep(seconds_per_epoch)


# ---------------------------------------------------------------------------------------------- conv nets
@dataclass(frozen=True)
class ConvInspection:
    """One example traced through a chapter-6 ConvNet (engine.convtrace): what the conv view draws."""

    network: object  # the ConvNet (a published, never-mutated network)
    trace: object  # engine.convtrace.ConvTrace
    description: str


def _conv_label(net, y) -> int:
    y = np.asarray(y)
    label = int(np.argmax(y)) if y.ndim and y.size > 1 else int(y)
    if not 0 <= label < net.sizes[-1]:
        raise ValueError(f"target y: label {label} is outside 0..{net.sizes[-1] - 1}")
    return label


def conv_trace_task(ctx, net, x, y, description: str = "") -> ConvInspection:
    """Forward pass and the backward pass through pooling and shared weights for one example."""
    from ..engine.convtrace import trace as conv_trace

    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"this network takes {net.sizes[0]} inputs, the example has {x.size}")
    return ConvInspection(net, conv_trace(net, x, _conv_label(net, y)), description)


def _conv_cost(net64, x, label: int) -> float:
    """C = −ln a^L_label written as log Σ exp z^L − z^L_label: exact even when a^L_label rounds to 1 (a
    confident trained network), where −ln a^L would lose every digit of the finite difference."""
    a = net64._as_images(np.asarray(x, np.float64).reshape(1, -1))
    for layer in net64.layers[:-1]:
        a = layer.forward(a)
    last = net64.layers[-1]
    z = (a.reshape(1, -1) @ last.w)[0] * (1.0 - last.p_dropout) + last.b
    k = int(np.argmax(z))
    rest = np.exp(np.delete(z, k) - z[k])
    return float(z[k] - z[label]) + float(np.log1p(rest.sum()))  # log1p: C ≈ 1e-17 keeps its digits


def _conv_central_difference(net64, param, index, x, label: int, eps: float) -> float:
    """(C(p + ε) − C(p − ε)) / 2ε for one entry of a parameter array of ``net64``, left as it was."""
    old = float(param[index])
    param[index] = old + eps
    c_plus = _conv_cost(net64, x, label)
    param[index] = old - eps
    c_minus = _conv_cost(net64, x, label)
    param[index] = old
    return (c_plus - c_minus) / (2 * eps)


def _conv_param(net64, layer: int, kind: str):
    if not 0 <= layer < len(net64.layers):
        raise ValueError(f"layer must be 0..{len(net64.layers) - 1}, got {layer}")
    lay = net64.layers[layer]
    return lay.w if kind == "w" else lay.b


@dataclass(frozen=True)
class ConvParameterCheck:
    layer: int  # index in net.layers
    kind: str  # "w" or "b"
    index: tuple  # index into the layer's w (f, c, k, k) / (n_in, n_out) or b
    backprop: float
    numerical: float
    relative_error: float
    eps: float


def check_conv_parameter_task(ctx, net, x, y, layer: int, kind: str, index, eps: float = 1e-5) -> ConvParameterCheck:
    """One ConvNet parameter's ∂C/∂p by the trace (backprop) and by central differences, float64."""
    from ..engine.convtrace import trace as conv_trace

    label = _conv_label(net, y)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    net64 = net.copy(np.float64)
    param = _conv_param(net64, layer, kind)
    index = tuple(int(i) for i in np.atleast_1d(index))
    if len(index) != param.ndim or any(not 0 <= i < n for i, n in zip(index, param.shape)):
        raise ValueError(f"index {index} is outside the parameter's shape {param.shape}")
    lt = conv_trace(net64, x, label).layers[layer]
    bp = float((lt.grad_w if kind == "w" else lt.grad_b)[index])
    fd = _conv_central_difference(net64, param, index, x, label, eps)
    denom = abs(bp) + abs(fd)
    return ConvParameterCheck(layer, kind, index, bp, fd, abs(bp - fd) / denom if denom > 0 else 0.0, eps)


@dataclass(frozen=True)
class ConvNetworkCheck:
    n_checked: int
    n_parameters: int
    relative_error: float  # ‖bp − fd‖ / (‖bp‖ + ‖fd‖) over the checked parameters
    max_relative_error: float
    worst: tuple  # (layer, kind, index)


def check_conv_network_task(ctx, net, x, y, max_params: int = MAX_CHECKED, seed: int = 0,
                            eps: float = 1e-5) -> ConvNetworkCheck:
    """Whole-network check on a random sample of ``max_params`` parameters (every one when fewer)."""
    from ..engine.convtrace import trace as conv_trace

    label = _conv_label(net, y)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    net64 = net.copy(np.float64)
    t = conv_trace(net64, x, label)
    slots = [(i, kind) for i in range(len(net64.layers)) for kind in ("w", "b")]
    sizes = np.array([_conv_param(net64, i, k).size for i, k in slots])
    total = int(sizes.sum())
    rng = np.random.default_rng(seed)
    picks = np.arange(total) if total <= max_params else np.sort(rng.choice(total, max_params, replace=False))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    bp, fd, where = [], [], []
    for flat in picks:
        s = int(np.searchsorted(bounds, flat, side="right") - 1)
        layer, kind = slots[s]
        param = _conv_param(net64, layer, kind)
        index = np.unravel_index(int(flat - bounds[s]), param.shape)
        grad = t.layers[layer].grad_w if kind == "w" else t.layers[layer].grad_b
        bp.append(float(grad[index]))
        fd.append(_conv_central_difference(net64, param, index, x, label, eps))
        where.append((layer, kind, tuple(int(i) for i in index)))
    bp, fd = np.array(bp), np.array(fd)
    rel = float(np.linalg.norm(bp - fd) / max(np.linalg.norm(bp) + np.linalg.norm(fd), 1e-300))
    each = np.abs(bp - fd) / np.maximum(np.abs(bp) + np.abs(fd), 1e-300)
    return ConvNetworkCheck(len(picks), total, rel, float(each.max()), where[int(np.argmax(each))])
