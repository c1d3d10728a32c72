"""Worker-side functions of the Approximation playground (no Qt: testable on their own).

Tasks have the worker's signature ``fn(ctx, *args) -> result`` and jobs ``fn(ctx, *args)`` → generator;
``ctx`` is the worker's JobContext (tests may pass None).  Every result is a frozen dataclass holding
fresh arrays the worker never touches again, so the GUI may keep and draw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..engine import approx as A
from ..engine.io import save_network


@dataclass(frozen=True)
class NeuronResult:
    w: float
    b: float
    s: float | None  # the step position −b/w
    x: np.ndarray
    a: np.ndarray  # σ(wx + b)


@dataclass(frozen=True)
class BumpsResult:
    h: np.ndarray  # (N,) the heights evaluated
    steps: np.ndarray  # (N + 1,)
    x: np.ndarray  # plot grid
    weighted: np.ndarray  # z^L(x), the hidden layer's weighted output
    output: np.ndarray  # a^L(x) = σ(z^L)
    g: np.ndarray  # σ⁻¹f(x) on the grid
    f: np.ndarray  # f(x) on the grid
    score: float  # the real network's deviation (w = 1000 steps): the windows-of-failure figure
    sample_x: np.ndarray  # sample points of a sampled target (empty otherwise)
    sample_f: np.ndarray
    book_score: float = float("nan")  # the book's score of the ideal steps (approx.book_score): the verdict


@dataclass(frozen=True)
class WindowsResult:
    n: int
    copies: int
    w: float
    data: dict  # approx.window_errors(...)


@dataclass(frozen=True)
class TwoInputResult:
    mode: str
    axis: np.ndarray  # (n,) grid along x and y
    weighted: np.ndarray  # (n, n) z^L, rows along y
    output: np.ndarray  # (n, n) σ(z^L)
    target: np.ndarray | None  # (n, n) f(x, y) for "many towers"
    mean_error: float | None  # mean |a^L − f| for "many towers"
    sizes: tuple


def neuron_task(ctx, w: float, b: float) -> NeuronResult:
    """σ(wx + b) on [0, 1] computed by a one-neuron engine Network."""
    net = A.neuron_network(w, b)
    x = A.PLOT_X.copy()
    return NeuronResult(float(w), float(b), A.step_position(w, b), x, A.network_output(net, x))


def bumps_task(ctx, h, target: A.Target) -> BumpsResult:
    """Evaluate the bump network with heights h: weighted output, output σ(·), the book's score of the ideal
    steps (book_score, the verdict) and the real network's deviation (score)."""
    h = np.array(h, dtype=np.float64)
    net = A.bump_network(h)
    x = A.PLOT_X.copy()
    sx = np.asarray(target.xs, float) if target.sampled else np.empty(0)
    sf = np.asarray(target.ys, float) if target.sampled else np.empty(0)
    return BumpsResult(h, A.bump_steps(len(h)), x, A.weighted_output(net, x), A.network_output(net, x),
                       target.g(x), target.f(x), A.network_score(net, target), sx, sf, A.book_score(h, target))


def fit_task(ctx, n: int, target: A.Target) -> np.ndarray:
    """Least-squares heights h (N,)."""
    return A.fit_heights(n, target)


@dataclass(frozen=True)
class TrainSnapshot:
    """Progress of gradient descent: the newest record plus the whole error curve so far (copies)."""

    step: int
    steps: int  # the planned number of steps
    cost: float
    score: float
    h: np.ndarray  # (N,)
    curve_steps: np.ndarray  # (k,) every step so far
    curve_scores: np.ndarray  # (k,) the book's score after each of those steps
    urgent: bool = False


def train_job(ctx, h0, target: A.Target, eta: float, steps: int,
              max_snapshots: int = 300) -> Iterator[TrainSnapshot]:
    """Gradient descent on h (approx.train_heights) on the worker; stops when asked.

    The worker shows at most ~30 snapshots a second and drops the ones in between, so each snapshot
    carries the whole error curve so far; one is yielded every steps/max_snapshots steps (and the last).
    Returns the final h.
    """
    stop = (lambda: ctx.should_stop()) if ctx is not None else (lambda: False)
    every = max(1, int(steps) // max_snapshots)
    curve_steps, curve_scores = [], []
    h = np.array(h0, dtype=np.float64)
    for rec in A.train_heights(h0, target, eta=eta, steps=steps, should_stop=stop):
        curve_steps.append(rec.step)
        curve_scores.append(rec.score)
        h = rec.h
        if rec.urgent or rec.step % every == 0:
            yield TrainSnapshot(rec.step, int(steps), rec.cost, rec.score, rec.h,
                                np.array(curve_steps), np.array(curve_scores), urgent=rec.urgent)
    return h.copy()


def windows_task(ctx, target: A.Target, n: int, copies: int, w: float) -> WindowsResult:
    return WindowsResult(int(n), int(copies), float(w), A.window_errors(target, n, copies, w))


def two_input_task(ctx, mode: str, sx, sy, h: float, bias: float | None, towers: int,
                   grid: int = 101) -> TwoInputResult:
    """Heatmap data of a two-input design; "many towers" also returns the target and the mean error."""
    xy, axis = A.grid2d(grid)
    if mode == "many towers":
        net = A.towers_network(towers)
        target = A.target2d(xy[:, 0], xy[:, 1]).reshape(grid, grid)
    else:
        net = A.two_input_network(mode, sx, sy, h, bias)
        target = None
    zs, acts = net.forward(xy)
    z = zs[-1][:, 0].reshape(grid, grid).copy()
    a = acts[-1][:, 0].reshape(grid, grid).copy()
    err = float(np.mean(np.abs(a - target))) if target is not None else None
    return TwoInputResult(mode, axis, z, a, target, err, tuple(net.sizes))


def design_network_task(ctx, h):
    """The bump design as a real Network (for the "Show as network" table)."""
    return A.bump_network(np.array(h, dtype=np.float64))


def export_task(ctx, h, path: str) -> str:
    """Save the bump design as .npz or network2 JSON (atomic, via engine.io.save_network)."""
    return str(save_network(A.bump_network(np.array(h, dtype=np.float64)), path))
