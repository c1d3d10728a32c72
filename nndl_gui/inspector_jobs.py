"""The Backprop inspector's work, without Qt: tasks and jobs run on the engine worker, and the text model.

Every function named ``*_task(ctx, ...)`` is run with ``ctx.client.run_task`` and ``saturation_job``
with ``ctx.client.start_job``; ``ctx`` is the worker's JobContext and is not used (these never touch
the live network).  Networks passed in are never mutated: each task works on a float64 copy and returns
immutable results (copies of arrays), so the tab only draws.

The second half (``steps``, ``equation``, ``fmt``) turns an ``engine.trace.Trace`` into what the tab
shows: the list of steps of the forward and backward pass and, for each step, the book's equation with
the actual numbers substituted for the selected neuron.  Neurons are numbered from 0 (so output neuron j
is digit j) and layers from 1 (the input) to L, as in the book.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .engine.network import Network
from .engine.saturation import saturation_run
from .engine.trace import Trace, gradient_check, nudged_cost, numerical_derivative, trace

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


def saturation_job(ctx, start: str, cost: str, seconds_per_epoch: float = 0.0):
    """Chapter 3's one-neuron run as a worker job: yields a SaturationProgress after every epoch.

    ``seconds_per_epoch`` paces the run so a learner can watch the curve grow (0 in tests); the worker
    handles tasks, pause and stop between chunks.  Returns the final SaturationProgress.
    """
    records: tuple = ()
    progress = None
    for rec in saturation_run(start, cost):
        if ctx is not None and ctx.should_stop():
            return progress
        records = records + (rec,)
        progress = SaturationProgress(start, cost, records)
        yield progress
        if seconds_per_epoch > 0:
            time.sleep(seconds_per_epoch)
    return progress


# ------------------------------------------------------------------------------ steps and equations
@dataclass(frozen=True)
class Step:
    """One step of the walk through backprop: ``kind`` is "input", "z", "a", "BP1", "BP2", "BP3", "BP4"."""

    kind: str
    l: int  # the layer it computes (BP3 / BP4: 0 = every layer)
    title: str


def steps(num_layers: int) -> list[Step]:
    """Input; forward z^l then a^l for l = 2..L; BP1 at L; BP2 for l = L−1..2; BP3; BP4."""
    L = num_layers
    out = [Step("input", 1, f"Input: {sym('a', 1)} = x")]
    for l in range(2, L + 1):
        out.append(Step("z", l, f"Forward: weighted input {sym('z', l)} = {sym('w', l)}{sym('a', l - 1)} + {sym('b', l)}"))
        out.append(Step("a", l, f"Forward: activation {sym('a', l)} = σ({sym('z', l)})"))
    out.append(Step("BP1", L, f"BP1: the output error {sym('δ', L)}"))
    for l in range(L - 1, 1, -1):
        out.append(Step("BP2", l, f"BP2: the error {sym('δ', l)} from {sym('δ', l + 1)}, backwards"))
    out.append(Step("BP3", 0, f"BP3: ∂C/∂{sym('b', 'l', 'j')} = {sym('δ', 'l', 'j')} for every layer"))
    out.append(Step("BP4", 0, f"BP4: ∂C/∂{sym('w', 'l', 'jk')} = {sym('a', 'l−1', 'k')}{sym('δ', 'l', 'j')} for every layer"))
    return out


def known(step_list: list[Step], index: int, quantity: str, l: int) -> bool:
    """Has the walk reached the point where ``quantity`` ("z", "a", "sp", "delta", "nabla_w") of layer l
    is computed?  Everything is known at the last step."""
    done = step_list[: index + 1]
    if quantity == "a" and l == 1:
        return True
    if quantity in ("z",):
        return any(s.kind == "z" and s.l == l for s in done)
    if quantity in ("a", "sp"):
        return any(s.kind == "a" and s.l == l for s in done)
    if quantity == "delta":
        return any(s.kind in ("BP1", "BP2") and s.l == l for s in done)
    if quantity == "nabla_b":
        return any(s.kind == "BP3" for s in done)
    if quantity == "nabla_w":
        return any(s.kind == "BP4" for s in done)
    return False


MINUS = "\u2212"


def fmt(v: float) -> str:
    """A number as the tab shows it: 3 decimals, or 3 significant digits below 0.01; a real minus sign."""
    v = float(v)
    if v == 0:
        s = "0.000"
    elif abs(v) >= 1e-2 and abs(v) < 1e5:
        s = f"{v:.3f}"
    else:
        s = f"{v:.2e}"
    return s.replace("-", MINUS)


def fmtp(v: float) -> str:
    """fmt in parentheses when negative (for products: 0.5 × (−1.2))."""
    s = fmt(v)
    return f"({s})" if s.startswith(MINUS) else s


def sym(name: str, l: int | str | None = None, sub: str | int | None = None) -> str:
    """HTML for a symbol in the book's notation: sym('w', 3, '12') → w<sup>3</sup><sub>12</sub>."""
    s = name
    if l is not None:
        s += f"<sup>{l}</sup>"
    if sub is not None and sub != "":
        s += f"<sub>{sub}</sub>"
    return s


def _idx(*ij) -> str:
    return ",".join(str(i) for i in ij) if any(i >= 10 for i in ij) else "".join(str(i) for i in ij)


MAX_TERMS = 4  # sums with more terms are shown as Σ over n terms


def equation(net: Network, tr: Trace, step: Step, l: int, j: int, k: int = 0) -> str:
    """The step's equation for neuron j of layer l (and input k for BP4) with the numbers substituted.

    Returns HTML.  For steps tied to one layer (z, a, BP1, BP2) ``l`` must be that layer; BP3/BP4 use
    the given l ≥ 2.
    """
    L = net.num_layers
    if step.kind == "input":
        return f"{sym('a', 1, j)} = {sym('x', None, j)} = <b>{fmt(tr.layer(1).a[j])}</b>"
    lay = tr.layer(l)
    prev = tr.layer(l - 1)
    if step.kind == "z":
        w = net.weights[l - 2][j]
        b = net.biases[l - 2][j]
        lhs = f"{sym('z', l, j)} = Σ<sub>k</sub> {sym('w', l, 'j' + 'k')}{sym('a', l - 1, 'k')} + {sym('b', l, j)}"
        if len(w) <= MAX_TERMS:
            terms = " + ".join(f"{fmtp(w[kk])}×{fmtp(prev.a[kk])}" for kk in range(len(w)))
            mid = f"{terms} + {fmtp(b)}"
        else:
            mid = f"{fmt(float(w @ prev.a))} (sum of {len(w)} terms) + {fmtp(b)}"
        return f"{lhs} = {mid} = <b>{fmt(lay.z[j])}</b>"
    if step.kind == "a":
        name = net.output.name if l == L else net.activation.name
        f = "σ" if name == "sigmoid" else name
        return f"{sym('a', l, j)} = {f}({sym('z', l, j)}) = {f}({fmt(lay.z[j])}) = <b>{fmt(lay.a[j])}</b>"
    if step.kind == "BP1":
        a, y, d = lay.a[j], tr.y[j], lay.delta[j]
        cost, out = net.cost.name, net.output.name
        if (cost, out) in (("cross-entropy", "sigmoid"), ("log-likelihood", "softmax")):
            why = "cross-entropy: σ′ cancels" if cost == "cross-entropy" else "softmax + log-likelihood"
            return (f"{sym('δ', l, j)} = {sym('a', l, j)} − {sym('y', None, j)} = {fmt(a)} − {fmtp(y)} = "
                    f"<b>{fmt(d)}</b> &nbsp;<i>({why})</i>")
        if lay.sigma_prime is None:
            return f"{sym('δ', l, j)} = (∇<sub>a</sub>C ⊙ Jacobian)<sub>{j}</sub> = <b>{fmt(d)}</b>"
        sp = lay.sigma_prime[j]
        if cost == "quadratic":
            return (f"{sym('δ', l, j)} = ({sym('a', l, j)} − {sym('y', None, j)}) σ′({sym('z', l, j)}) = "
                    f"({fmt(a)} − {fmtp(y)}) × {fmtp(sp)} = <b>{fmt(d)}</b>")
        g = float(net.cost.grad_a(np.array([a]), np.array([y]))[0])
        return (f"{sym('δ', l, j)} = ∂C/∂{sym('a', l, j)} σ′({sym('z', l, j)}) = {fmtp(g)} × {fmtp(sp)} = "
                f"<b>{fmt(d)}</b>")
    if step.kind == "BP2":
        nxt = tr.layer(l + 1)
        wcol = net.weights[l - 1][:, j]  # w^{l+1}_{ij} for every i
        s = float(wcol @ nxt.delta)
        sp = lay.sigma_prime[j]
        lhs = f"{sym('δ', l, j)} = (Σ<sub>i</sub> {sym('w', l + 1, 'i' + str(j))}{sym('δ', l + 1, 'i')}) σ′({sym('z', l, j)})"
        if len(wcol) <= MAX_TERMS:
            mid = "(" + " + ".join(f"{fmtp(wcol[i])}×{fmtp(nxt.delta[i])}" for i in range(len(wcol))) + ")"
        else:
            mid = f"({fmt(s)}, sum of {len(wcol)} terms)"
        return f"{lhs} = {mid} × {fmtp(sp)} = <b>{fmt(lay.delta[j])}</b>"
    if step.kind == "BP3":
        return f"∂C/∂{sym('b', l, j)} = {sym('δ', l, j)} = <b>{fmt(lay.nabla_b[j])}</b>"
    if step.kind == "BP4":
        return (f"∂C/∂{sym('w', l, _idx(j, k))} = {sym('a', l - 1, k)} {sym('δ', l, j)} = "
                f"{fmtp(prev.a[k])} × {fmtp(lay.delta[j])} = <b>{fmt(lay.nabla_w[j, k])}</b>")
    raise ValueError(f"unknown step {step.kind!r}")
