"""Is this drawing anything like the digits the network learned from?  (No Qt here.)

A network trained on MNIST has ten output neurons and always answers one of the ten digits: a dot or a
scribble is read as *some* digit, often with a confident-looking output.  This module flags inputs far
from MNIST, with two plain measures of the preprocessed 28×28 input x (what the network sees):

* **ink** Σ_k x_k.  The preprocessing scales any drawing to fill 20×20, so a dot becomes a filled disc
  and a scribble a dense tangle: far more ink than a digit.  (Too little ink is no sign: after scaling,
  the least ink is a thin 1.)
* **solidity**: the share of the inked pixels (x ≥ ½) whose 3×3 neighbourhood is all inked.  Digits are
  strokes about two pixels wide, so few pixels lie inside the ink; blobs and tangles are mostly inside.

The thresholds are quantiles of MNIST training digits (both as MNIST stores them and redrawn on the Draw
tab's canvas and preprocessed), so few real digits are flagged.  ``benchmarks/novelty.py`` fits them and
measures false alarms on MNIST test digits and detections of generated dots and scribbles; the figures it
printed for THRESHOLDS are in its docstring.  (Reconstruction from MNIST's principal components and the
distance to the nearest class mean were measured too: they flag fewer dots and scribbles at the same false
alarms, and add nothing to these two.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PIXELS = 784
FIELD = 28


@dataclass(frozen=True)
class Thresholds:
    ink_high: float  # Σx above this: too much ink for a digit
    solidity_high: float  # solidity above this: a blob, not strokes


# Fitted by ``python benchmarks/novelty.py --data <full MNIST>`` (quantile 0.995 of 20,000 training digits).
THRESHOLDS = Thresholds(ink_high=210.6, solidity_high=0.553)


@dataclass(frozen=True)
class Novelty:
    """How far one input is from MNIST; ``score`` > 1 means flagged (the largest ratio to a threshold)."""

    ink: float
    solidity: float
    score: float
    reasons: tuple[str, ...]  # for people: "far more ink than any digit", ...

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def _as_rows(x) -> np.ndarray:
    a = np.asarray(x)
    scale = 1 / 255 if a.dtype == np.uint8 else 1.0
    return (a.astype(np.float32) * np.float32(scale)).reshape(-1, PIXELS)


def ink(x) -> np.ndarray:
    """Σ_k x_k of each row of x ((n, 784) or one image; values in [0, 1] or uint8)."""
    return _as_rows(x).sum(axis=1, dtype=np.float64)


def solidity(x) -> np.ndarray:
    """The share of inked pixels (≥ ½) whose 3×3 neighbourhood is all inked, per image (0 when no ink)."""
    inked = _as_rows(x).reshape(-1, FIELD, FIELD) >= 0.5
    p = np.pad(inked, ((0, 0), (1, 1), (1, 1)))
    inside = inked.copy()
    for dy in range(3):
        for dx in range(3):
            inside &= p[:, dy:dy + FIELD, dx:dx + FIELD]
    return inside.sum(axis=(1, 2)) / np.maximum(1, inked.sum(axis=(1, 2)))


def fit(images, quantile: float = 0.995) -> Thresholds:
    """Thresholds that flag at most a share of about 2·(1 − quantile) of ``images`` ((n, 784) digits)."""
    i, s = ink(images), solidity(images)
    return Thresholds(round(float(np.quantile(i, quantile)), 1), round(float(np.quantile(s, quantile)), 3))


def novelty(x, thresholds: Thresholds = THRESHOLDS) -> Novelty:
    """Measure one input x ((784,) or (28, 28), values in [0, 1])."""
    i, s = float(ink(x)[0]), float(solidity(x)[0])
    t = thresholds
    ratios = {"far more ink than a handwritten digit": i / t.ink_high,
              "a filled blob, not pen strokes": s / t.solidity_high}
    reasons = tuple(r for r, v in ratios.items() if v > 1.0)
    return Novelty(i, s, float(max(ratios.values())), reasons)


def flags(images, thresholds: Thresholds = THRESHOLDS) -> np.ndarray:
    """Which rows of ``images`` ((n, 784)) are flagged (vectorized ``novelty(...).flagged``)."""
    i, s = ink(images), solidity(images)
    t = thresholds
    return (i > t.ink_high) | (s > t.solidity_high)


# ---------------------------------------------------------------------------------------------- no digits
def stroke_canvas(paths, pen: float, size: int = 280) -> np.ndarray:
    """Draw polylines (each an (n, 2) array of (y, x) canvas points) with a round pen of width ``pen`` on
    a white ``size``² canvas, dark ink as the Draw tab's canvas; uint8."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    ink = np.zeros((size, size), bool)
    r2 = (pen / 2) ** 2
    for path in paths:
        path = np.asarray(path, np.float32).reshape(-1, 2)
        pts = [path[0]]
        for a, b in zip(path[:-1], path[1:]):  # a stamp every pixel along each segment
            steps = max(1, int(np.hypot(*(b - a))))
            pts.extend(a + (b - a) * t for t in np.linspace(0, 1, steps + 1)[1:])
        for y, x in pts:
            y0, y1 = max(0, int(y - pen)), min(size, int(y + pen) + 1)
            x0, x1 = max(0, int(x - pen)), min(size, int(x + pen) + 1)
            ink[y0:y1, x0:x1] |= (yy[y0:y1, x0:x1] - y) ** 2 + (xx[y0:y1, x0:x1] - x) ** 2 <= r2
    return np.where(ink, 0, 255).astype(np.uint8)


def dot(rng: np.random.Generator, size: int = 280) -> np.ndarray:
    """A dot (a short tap or a tiny circle) anywhere, with a pen of 4–40 px."""
    pen = rng.uniform(4, 40)
    c = rng.uniform(0.15 * size, 0.85 * size, 2)
    wiggle = c + rng.normal(0, pen / 4, (int(rng.integers(1, 4)), 2))
    return stroke_canvas([np.vstack([c, wiggle])], pen, size)


def scribble(rng: np.random.Generator, size: int = 280) -> np.ndarray:
    """A scribble: one stroke of 25–80 segments between random points of an ellipse, pen 6–30 px."""
    n = int(rng.integers(25, 81))
    centre = rng.uniform(0.3 * size, 0.7 * size, 2)
    radii = rng.uniform(0.1 * size, 0.35 * size, 2)
    angle, r = rng.uniform(0, 2 * np.pi, n), np.sqrt(rng.uniform(0, 1, n))
    path = np.stack([centre[0] + radii[0] * r * np.sin(angle), centre[1] + radii[1] * r * np.cos(angle)], 1)
    return stroke_canvas([path], rng.uniform(6, 30), size)
