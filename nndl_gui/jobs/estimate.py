"""How long a training run takes on this machine: told before it starts, and what is left while it runs.

Chapter 6's runs take minutes to hours per epoch on a laptop's CPU (ch6-dropout trains 250,000 expanded
images for 40 epochs), so the Training tab says so *before* Start: ``time_steps`` (a worker task) times a
few mini-batches of the layer stack on random images, and a forward pass for the epoch-end measurements;
``RunEstimate`` turns that into "≈ 2 min per epoch · 40 epochs ≈ 1 h 20 min" for any number of images and
epochs without timing again.  While a run trains, ``time_left`` gives what remains from the examples per
second the job reports.  Plain Python on the engine: no Qt.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..engine.convnet import ConvNet, validate_spec

TIME_BUDGET = 0.3  # seconds of mini-batches timed (after one untimed warm-up step)
MAX_BATCHES = 40  # ... but no more than this many
TIMED_BATCH = 50  # mini-batches above this size are timed at this size and scaled (time grows ~ with m)
EVAL_IMAGES = 250  # images fed forward to time the epoch-end measurements (the job measures 250 at a time)


@dataclass(frozen=True)
class StepTiming:
    """Seconds of one SGD step on a mini-batch of ``m`` images, and of one image fed forward."""

    m: int
    seconds_per_batch: float
    seconds_per_eval_image: float
    batches_timed: int


def time_steps(ctx, layers, m: int, seed: int = 0) -> StepTiming:
    """Worker task: time SGD steps of the layer stack ``layers`` (a spec) at mini-batch size ``m``.

    The network is a fresh one on random inputs: the weights' values do not change the arithmetic.
    """
    spec = validate_spec([dict(d) for d in layers])
    rng = np.random.default_rng(seed)
    net = ConvNet(spec, rng=rng)
    mb = max(1, min(int(m), TIMED_BATCH))
    x = rng.random((mb,) + net.input_shape, dtype=np.float32)
    y = np.eye(net.sizes[-1], dtype=np.float32)[rng.integers(0, net.sizes[-1], mb)]
    eta_over_m = 1e-3 / mb  # tiny steps: the random network stays finite
    net.step(x, y, eta_over_m, 1.0)  # warm-up: buffers allocated, caches filled
    k, t0 = 0, time.perf_counter()
    while k < MAX_BATCHES and time.perf_counter() - t0 < TIME_BUDGET:
        net.step(x, y, eta_over_m, 1.0)
        k += 1
        if getattr(ctx, "cancelled", None) is not None and ctx.cancelled():
            break
    per_batch = (time.perf_counter() - t0) / max(1, k) * (m / mb)
    xe = rng.random((EVAL_IMAGES, int(np.prod(net.input_shape))), dtype=np.float32)
    net.feedforward(xe[:10])  # warm-up: the test-time buffers
    t0 = time.perf_counter()
    net.feedforward(xe)
    per_image = (time.perf_counter() - t0) / EVAL_IMAGES
    return StepTiming(int(m), per_batch, per_image, k)


@dataclass(frozen=True)
class RunEstimate:
    """A run's length from a ``StepTiming``: ``n_train`` images per epoch in mini-batches of ``m``, and
    ``n_eval`` images measured at each epoch's end (validation, test and part of the training set)."""

    timing: StepTiming
    n_train: int
    n_eval: int
    epochs: int

    @property
    def epoch_seconds(self) -> float:
        t = self.timing
        return math.ceil(self.n_train / t.m) * t.seconds_per_batch + self.n_eval * t.seconds_per_eval_image

    @property
    def run_seconds(self) -> float:
        return self.epochs * self.epoch_seconds

    def text(self) -> str:
        return (f"≈ {duration(self.epoch_seconds)} per epoch on {self.n_train:,} images · "
                f"{self.epochs} epoch{'s' if self.epochs != 1 else ''} ≈ {duration(self.run_seconds)}")


def time_left(epoch: int, batch: int, epochs: int, batches_per_epoch: int, n_train: int,
              examples_per_second: float | None) -> float | None:
    """Seconds of training left at mini-batch ``batch`` of epoch ``epoch`` (0-based) at the current rate."""
    if not examples_per_second or examples_per_second <= 0 or batches_per_epoch <= 0:
        return None
    batches = max(0, (epochs - epoch) * batches_per_epoch - batch)
    return batches * (n_train / batches_per_epoch) / examples_per_second


def duration(seconds: float) -> str:
    """A duration as people say it: 0.4 s, 12 s, 2 min 15 s, 45 min, 1 h 30 min."""
    s = max(0.0, float(seconds))
    if s < 9.95:
        return f"{s:.1f} s"
    if s < 59.5:
        return f"{s:.0f} s"
    if s < 600:
        minutes, rest = divmod(int(round(s)), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if s < 3570:
        return f"{int(round(s / 60))} min"
    hours, minutes = divmod(int(round(s / 60)), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
