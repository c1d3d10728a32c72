"""Chapter 3's "more data" figure: validation accuracy against the size of the training set.

The book's run (its fig/more_data.py): for each size n in 100, 200, 500, 1,000, 2,000, 5,000, 10,000,
20,000, 50,000 (a log axis), a fresh [784,30,10] sigmoid network with cross-entropy cost and the large
N(0, 1) initialisation trains on the first n training images for 1,500,000 / n epochs (every size sees the
same 1.5 million examples) with m = 10, η = 0.5 and λ = n·0.0001 (so the L2 decay ηλ/n is the same for all
n), then its accuracy on the 10,000 validation images is one point of the curve.

The second curve expands the data as the chapter describes: each of the n images plus copies rotated by a
few degrees (``ROTATIONS``), treated as a training set of n·(1 + len(ROTATIONS)) images with the same rule
for epochs and λ.  ``rotate_images`` rotates with bilinear interpolation in NumPy.

``more_data_curve`` is a generator: it yields a ``MoreDataProgress`` after each epoch and a ``MoreDataPoint``
after each size, and forwards ``should_stop`` to the training loop, so a job can run it in chunks.
Source: http://neuralnetworksanddeeplearning.com/chap3.html
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

from .network import Network, evaluate
from .training import EpochRecord, RunEnd, TrainingConfig, _unpack, sgd

BOOK_SIZES = (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)
EXAMPLES_PER_SIZE = 1_500_000  # epochs = 1,500,000 / n
LMBDA_PER_IMAGE = 0.0001  # λ = n · 0.0001
ROTATIONS = (-10.0, -5.0, 5.0, 10.0)  # degrees: the expanded set is each image plus these rotations
SIDE = 28


def rotate_images(images, degrees: float, side: int = SIDE) -> np.ndarray:
    """Rotate each (side·side,) image about its centre by ``degrees`` (counter-clockwise as drawn, rows going
    down), bilinear interpolation, zero outside.  images: (n, side²) uint8 or float; returns the same dtype."""
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != side * side:
        raise ValueError(f"images should have shape (n, {side * side}), got {images.shape}")
    theta = np.deg2rad(float(degrees))
    c = (side - 1) / 2.0
    rows, cols = np.mgrid[0:side, 0:side].astype(np.float64)
    # For each output pixel, where it comes from: the inverse rotation of (x, y) = (col − c, c − row).
    x, y = cols - c, c - rows
    cos, sin = np.cos(theta), np.sin(theta)
    src_x = cos * x + sin * y
    src_y = -sin * x + cos * y
    src_col, src_row = src_x + c, c - src_y
    r0, c0 = np.floor(src_row).astype(int), np.floor(src_col).astype(int)
    fr, fc = src_row - r0, src_col - c0
    pics = images.reshape(-1, side, side).astype(np.float64)
    padded = np.zeros((len(pics), side + 2, side + 2))
    padded[:, 1:-1, 1:-1] = pics

    def at(r, cc):  # pixel (r, cc) of every image, 0 outside the picture
        return padded[:, np.clip(r, -1, side) + 1, np.clip(cc, -1, side) + 1]

    out = ((1 - fr) * (1 - fc) * at(r0, c0) + (1 - fr) * fc * at(r0, c0 + 1)
           + fr * (1 - fc) * at(r0 + 1, c0) + fr * fc * at(r0 + 1, c0 + 1))
    out = out.reshape(len(pics), side * side)
    if images.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(images.dtype)


def expand_with_rotations(images, labels, angles: Sequence[float] = ROTATIONS) -> tuple[np.ndarray, np.ndarray]:
    """The images followed by one rotated copy of all of them per angle: (n·(1 + len(angles)), ...)."""
    images, labels = np.asarray(images), np.asarray(labels)
    parts = [images] + [rotate_images(images, a) for a in angles]
    return np.concatenate(parts), np.tile(labels, 1 + len(angles))


@dataclass(frozen=True)
class MoreDataProgress:
    """Training of one size is under way: ``epoch`` of ``epochs`` done."""

    curve: str
    size: int
    epoch: int
    epochs: int


@dataclass(frozen=True)
class MoreDataPoint:
    """One point of a curve: ``size`` training images from MNIST (``n_train`` after expansion)."""

    curve: str  # "plain" or "rotated"
    size: int
    n_train: int
    epochs: int
    lmbda: float
    validation_accuracy: float
    validation_correct: int
    train_seconds: float
    stopped: bool = False  # True when should_stop ended the run early (the point is not the book's then)


def settings_for(n_train: int, examples: int = EXAMPLES_PER_SIZE) -> TrainingConfig:
    """The book's hyper-parameters for a training set of n_train images."""
    return TrainingConfig(epochs=max(1, examples // n_train), mini_batch_size=10, eta=0.5,
                          lmbda=n_train * LMBDA_PER_IMAGE)


def more_data_curve(training, validation, *, sizes: Sequence[int] = BOOK_SIZES, expanded: bool = False,
                    angles: Sequence[float] = ROTATIONS, examples: int = EXAMPLES_PER_SIZE, seed: int = 0,
                    should_stop: Callable[[], bool] | None = None,
                    ) -> Iterator[MoreDataProgress | MoreDataPoint]:
    """Train one fresh network per size and yield the curve point by point (see the module docstring).

    training / validation: ``(images, labels)`` or objects with ``.images`` and ``.labels``.
    examples: training examples per size (the book's 1,500,000; smaller for a quick look).
    """
    train_x, train_y = _unpack(training)
    val_x, val_y = _unpack(validation)
    curve = "rotated" if expanded else "plain"
    for size in sizes:
        size = int(size)
        if not 1 <= size <= len(train_y):
            raise ValueError(f"training set sizes must be from 1 to {len(train_y)}, got {size}")
        x, y = train_x[:size], train_y[:size]
        if expanded:
            x, y = expand_with_rotations(x, y, angles)
        config = settings_for(len(y), examples)
        rng = np.random.default_rng([seed, size])
        net = Network([x.shape[1], 30, 10], cost="cross-entropy", init="large", rng=rng)
        seconds, stopped = 0.0, False
        t0 = time.perf_counter()
        for rec in sgd(net, (x, y), config, rng=rng, should_stop=should_stop, yield_every=0):
            if isinstance(rec, EpochRecord):
                seconds += rec.train_seconds
                yield MoreDataProgress(curve, size, rec.epoch + 1, config.epochs)
            elif isinstance(rec, RunEnd):
                stopped = rec.reason == "stopped"
        result = evaluate(net, val_x, val_y, with_cost=False)
        yield MoreDataPoint(curve, size, len(y), config.epochs, config.lmbda, result.accuracy, result.correct,
                            seconds or time.perf_counter() - t0, stopped)
        if stopped:
            return

