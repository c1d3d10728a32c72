"""Worker-side functions of the Neurons tab (chapters 1, 3 and 5; no Qt: testable on their own).

Tasks have the worker's signature ``fn(ctx, *args) -> result``; jobs are generators ``fn(ctx, *args)`` that
yield snapshots and check ``ctx.should_stop()`` between chunks (``ctx`` may be None in tests).  Every result
is a frozen dataclass holding fresh arrays the worker never touches again, so the GUI may keep and draw
them.  The numbers all come from the engine: ``engine.perceptrons``, ``activations.softmax``,
``engine.unstable``, ``engine.baselines`` and ``engine.more_data``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

import numpy as np

from ..engine import baselines as B
from ..engine import more_data as MD
from ..engine import perceptrons as P
from ..engine import unstable as U
from ..engine.activations import softmax
from ..engine.network import Network


def _stop(ctx):
    return (lambda: ctx.should_stop()) if ctx is not None else (lambda: False)


# ---------------------------------------------------------------------------------------------- chapter 1
@dataclass(frozen=True)
class NeuronSweep:
    """One neuron with inputs x, weights w and bias b, and what happens as one parameter is nudged.

    param: "w1", "w2", ... or "b"; deltas: (k,) the nudges Δ; perceptron (k,) 0/1 and sigmoid (k,) outputs
    with that parameter at its value + Δ.  response: the unnudged neuron (engine.perceptrons)."""

    x: tuple[float, ...]
    w: tuple[float, ...]
    b: float
    response: P.NeuronResponse
    param: str
    deltas: np.ndarray
    perceptron: np.ndarray
    sigmoid: np.ndarray


def neuron_task(ctx, x, w, b: float, param: str = "b", span: float = 1.0, points: int = 201) -> NeuronSweep:
    """Both neurons' outputs at (x, w, b), and across Δ in [−span, span] added to ``param``."""
    x = tuple(float(v) for v in x)
    w = tuple(float(v) for v in w)
    names = [f"w{i + 1}" for i in range(len(w))] + ["b"]
    if param not in names:
        raise ValueError(f"nudge one of {', '.join(names)}, not {param!r}")
    deltas = np.linspace(-float(span), float(span), int(points))
    per, sig = np.empty(len(deltas)), np.empty(len(deltas))
    for k, d in enumerate(deltas):
        ww, bb = list(w), float(b)
        if param == "b":
            bb += d
        else:
            ww[names.index(param)] += d
        r = P.neuron_response(x, ww, bb)
        per[k], sig[k] = r.perceptron, r.sigmoid
    return NeuronSweep(x, w, float(b), P.neuron_response(x, w, b), param, deltas, per, sig)


@dataclass(frozen=True)
class AdderResult:
    x1: int
    x2: int
    total: int  # the sum bit x1 ⊕ x2
    carry: int  # the carry bit x1·x2
    gates: dict = field(default_factory=dict)  # every gate's output: g1, g2, g3, sum, carry


def adder_task(ctx, x1: int, x2: int) -> AdderResult:
    """The book's adder of two bits from NAND perceptrons (engine.perceptrons.half_adder)."""
    total, carry, gates = P.half_adder(int(x1), int(x2))
    return AdderResult(int(x1), int(x2), total, carry, dict(gates))


# ---------------------------------------------------------------------------------------------- chapter 3
@dataclass(frozen=True)
class SoftmaxResult:
    z: np.ndarray  # (k,) weighted inputs
    a: np.ndarray  # (k,) softmax(z)
    total: float  # Σ a_j (= 1)


def softmax_task(ctx, z) -> SoftmaxResult:
    z = np.array(z, dtype=np.float64).reshape(-1)
    a = softmax(z)
    return SoftmaxResult(z, a, float(a.sum()))


# ---------------------------------------------------------------------------------------------- chapter 5
def chain_task(ctx, weights, biases, x: float = 1.0, y: float = 0.0) -> U.GradientChain:
    """The unstable-gradient chain of a one-neuron-per-layer network (engine.unstable.gradient_chain)."""
    return U.gradient_chain(weights, biases, x, y)


@dataclass(frozen=True)
class GradientSnapshot:
    """Training [784, 30, …, 30, 10] as the book's chapter 5 does, measured before each epoch.

    sizes: the network; epoch: epochs done; epochs: planned; speeds: (epoch + 1, hidden layers) ‖∂C/∂b^l‖
    so far; bars: ∂C/∂b^l_j of the first six neurons of each hidden layer now; bars0: the same at
    initialisation; images: how many training images the gradient is averaged over; history:
    (epoch + 1, hidden layers, 6) the bars before every epoch so far (to look back at any epoch)."""

    sizes: tuple[int, ...]
    epoch: int
    epochs: int
    speeds: np.ndarray
    bars: tuple[np.ndarray, ...]
    bars0: tuple[np.ndarray, ...]
    images: int
    urgent: bool = False
    history: np.ndarray = field(default_factory=lambda: np.empty((0, 0, 0)))


def gradients_job(ctx, training, hidden: int = 2, epochs: int = 500, seed: int = 0,
                  count: int = U.BOOK_SPEED_IMAGES, eta: float = 0.1, lmbda: float = 5.0,
                  ) -> Iterator[GradientSnapshot]:
    """The book's chapter 5 run: a fresh [784, 30 × hidden, 10] network (weights N(0, 1/n_in)) trained by
    full-batch gradient descent on the first ``count`` training images (engine.unstable.learning_speed_curve),
    yielding the learning speed of each hidden layer and the ∂C/∂b bars before every epoch."""
    images, labels = np.asarray(training.images)[:count], np.asarray(training.labels)[:count]
    sizes = (images.shape[1], *([30] * int(hidden)), 10)
    net = Network(list(sizes), cost="cross-entropy", rng=np.random.default_rng(seed))
    speeds: list[tuple[float, ...]] = []
    bars0: tuple[np.ndarray, ...] | None = None
    snap, history = None, []
    for epoch, speed in U.learning_speed_curve(net, images, labels, epochs=epochs, eta=eta, lmbda=lmbda,
                                               count=count, should_stop=_stop(ctx)):
        speeds.append(speed)
        bars = tuple(U.bias_gradients(net, images, labels, count=count))
        if bars0 is None:
            bars0 = tuple(b.copy() for b in bars)
        history.append(np.stack(bars))
        snap = GradientSnapshot(sizes, epoch, int(epochs), np.array(speeds), bars, bars0, len(labels),
                                urgent=epoch == int(epochs) - 1, history=np.array(history))
        yield snap
    if snap is not None and not snap.urgent:  # stopped early: the last one is always shown
        yield replace(snap, urgent=True)


@dataclass(frozen=True)
class BaselineSnapshot:
    """The chapter 1 baselines finished so far, and what they ran on."""

    results: tuple[B.Baseline, ...]
    notes: tuple[str, ...]  # one line per baseline: the data it used, or why it did not run
    urgent: bool = True


def baselines_job(ctx, mnist, svm_images: int = 10_000) -> Iterator[BaselineSnapshot]:
    """Random guessing and average darkness on the test set, then the SVM when scikit-learn is installed
    (trained on the first ``svm_images`` training images: all 50,000 take many minutes)."""
    tr, te = mnist.training, mnist.test
    results, notes = [], []
    results.append(B.random_guess(te.labels, rng=0))
    notes.append(f"random digits (seed 0) for the {len(te.labels):,} test images")
    yield BaselineSnapshot(tuple(results), tuple(notes))
    results.append(B.average_darkness(tr.images, tr.labels, te.images, te.labels))
    notes.append(f"darkness learnt on {len(tr.labels):,} training images, tested on {len(te.labels):,}")
    yield BaselineSnapshot(tuple(results), tuple(notes))
    if not B.svm_available():
        notes.append("SVM: scikit-learn is not installed (it is optional: pip install scikit-learn)")
        yield BaselineSnapshot(tuple(results), tuple(notes))
        return
    if ctx is not None and ctx.should_stop():
        return
    n = min(int(svm_images), len(tr.labels))
    t0 = time.perf_counter()
    results.append(B.svm(tr.images[:n], tr.labels[:n], te.images, te.labels))
    notes.append(f"SVM (scikit-learn SVC()) trained on {n:,} training images in {time.perf_counter() - t0:.0f} s, "
                 f"tested on {len(te.labels):,}")
    yield BaselineSnapshot(tuple(results), tuple(notes))


QUICK_SIZES = (100, 200, 500, 1000, 2000, 5000)
QUICK_EXAMPLES = 150_000


@dataclass(frozen=True)
class MoreDataSnapshot:
    """The "more data" curves so far: points per curve ("plain", "rotated"), and the run under way."""

    points: dict  # curve → tuple of MoreDataPoint
    curve: str
    size: int
    epoch: int
    epochs: int
    done: int  # training examples processed so far over all sizes and curves
    total: int  # planned training examples
    seconds: float
    urgent: bool = False


def more_data_job(ctx, mnist, sizes: Sequence[int] = MD.BOOK_SIZES, rotated: bool = True,
                  examples: int = MD.EXAMPLES_PER_SIZE, seed: int = 0) -> Iterator[MoreDataSnapshot]:
    """Validation accuracy against training-set size (engine.more_data.more_data_curve), the plain curve
    and then, when ``rotated``, the curve on the images plus their rotated copies."""
    curves = ["plain", "rotated"] if rotated else ["plain"]
    per_epoch = {}
    total = 0
    for curve in curves:
        for n in sizes:
            n_train = n * (1 + len(MD.ROTATIONS)) if curve == "rotated" else n
            epochs = MD.settings_for(n_train, examples).epochs
            per_epoch[(curve, n)] = n_train
            total += epochs * n_train
    points: dict[str, tuple] = {c: () for c in curves}
    done, t0 = 0, time.perf_counter()
    stop = _stop(ctx)
    for curve in curves:
        for item in MD.more_data_curve(mnist.training, mnist.validation, sizes=sizes, expanded=curve == "rotated",
                                       examples=examples, seed=seed, should_stop=stop):
            if isinstance(item, MD.MoreDataProgress):
                done += per_epoch[(curve, item.size)]
                yield MoreDataSnapshot(dict(points), curve, item.size, item.epoch, item.epochs, done, total,
                                       time.perf_counter() - t0)
            else:
                points[curve] = points[curve] + (item,)
                yield MoreDataSnapshot(dict(points), curve, item.size, item.epochs, item.epochs, done, total,
                                       time.perf_counter() - t0, urgent=True)
                if item.stopped:
                    return
        if stop():
            return
