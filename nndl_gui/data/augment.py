"""Digits as people draw them: slanted, sheared, small, thin or fat pens — for the robustness benchmark
and for training with augmentation (chapter 3 suggests rotations; the field adds shear and thickness).

A ``Perturbation`` says how one MNIST digit is redrawn on a canvas like the Draw tab's (dark ink on
white): rotated by ``angle`` degrees, sheared by ``shear`` (x → x + shear·y, a slant), its pen made
``pen`` times as wide (grey dilation or erosion), ``height`` of the canvas tall, centred at ``centre``.
``draw(img28, p, size)`` does it in one bilinear warp of the digit (no loop over pixels).

``AugmentedMnist`` is a training source for ``engine.convnet.sgd`` (``fill(index, out)`` and ``labels``,
like ``data.expand.ExpandedMnist``): each time an image is asked for, it is redrawn with a fresh random
perturbation on a small canvas and read back through ``data.preprocess.preprocess`` — the very path a
drawn digit takes in the Draw tab — so the network trains on what it will be shown.  A fraction
``plain`` of the examples stay the original MNIST images.  Nothing here imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .preprocess import FIELD, bilinear_sample, bounding_box, preprocess
from .preprocess import _morph  # the same grey dilation / erosion as render_digit

PEN_WIDTH = 2.5  # a typical MNIST stroke is about this many pixels wide (of the 20-pixel box)
SIDE = FIELD


@dataclass(frozen=True)
class Perturbation:
    angle: float = 0.0  # degrees
    shear: float = 0.0  # x → x + shear·y (y down): > 0 slants the top to the left
    pen: float = 1.0  # stroke width × pen
    height: float = 0.7  # the ink's height as a fraction of the canvas
    centre: tuple[float, float] = (0.5, 0.5)  # (y, x) of the ink's box centre, as fractions of the canvas


# The benchmark's ranges (issue 12): rotation ±25°, shear ±0.3, pen ×0.5–×2, size down to 30%.
RANGES = {"angle": 25.0, "shear": 0.3, "pen": (0.5, 2.0), "height": (0.30, 0.95)}
KINDS = ("rotation", "shear", "pen", "size")


def random_perturbation(rng: np.random.Generator, kinds=KINDS, ranges=RANGES) -> Perturbation:
    """A random perturbation varying only ``kinds`` (the others stay at a plain, centred 70% digit)."""
    p = Perturbation()
    if "rotation" in kinds:
        p = replace(p, angle=float(rng.uniform(-ranges["angle"], ranges["angle"])))
    if "shear" in kinds:
        p = replace(p, shear=float(rng.uniform(-ranges["shear"], ranges["shear"])))
    if "pen" in kinds:
        lo, hi = ranges["pen"]
        p = replace(p, pen=float(math.exp(rng.uniform(math.log(lo), math.log(hi)))))
    if "size" in kinds:
        lo, hi = ranges["height"]
        p = replace(p, height=float(rng.uniform(lo, hi)), centre=(float(rng.uniform(0, 1)), float(rng.uniform(0, 1))))
    return p


def draw(img28, p: Perturbation, size: int = 280) -> np.ndarray:
    """A 28×28 digit (light on dark, uint8 or [0, 1]) redrawn as ``p`` says on a white size×size canvas.

    Returns uint8 (size, size), dark ink on white, like the Draw tab's canvas.
    """
    x = np.asarray(img28, np.float32).reshape(SIDE, SIDE)
    if np.asarray(img28).dtype == np.uint8 or x.max() > 1.0:
        x = x / 255.0
    box = bounding_box(x, 0.0)
    if box is None:
        return np.full((size, size), 255, np.uint8)
    top, bottom, left, right = box
    crop = x[top:bottom, left:right]
    h, w = crop.shape
    t = math.radians(p.angle)
    # the linear map (x, y) → A (x, y): shear, then rotation
    shear = np.array([[1.0, p.shear], [0.0, 1.0]])
    rot = np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])
    a = rot @ shear
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [-w / 2, h / 2], [w / 2, h / 2]]) @ a.T
    span_x = np.ptp(corners[:, 0])
    span_y = np.ptp(corners[:, 1])
    scale = min(p.height * size / span_y, 0.98 * size / span_x)
    half_x, half_y = scale * span_x / 2, scale * span_y / 2
    cy = min(max(p.centre[0] * size, half_y), size - half_y)
    cx = min(max(p.centre[1] * size, half_x), size - half_x)
    inv = np.linalg.inv(scale * a)
    change = (p.pen - 1.0) * PEN_WIDTH * scale  # canvas pixels of stroke width to add (or remove)
    radius = int(round(abs(change) / 2))
    # only the part of the canvas the digit (and a dilated pen) can reach is computed
    m = radius + 2 + int(scale)
    y0, y1 = max(0, int(cy - half_y) - m), min(size, int(math.ceil(cy + half_y)) + m)
    x0, x1 = max(0, int(cx - half_x) - m), min(size, int(math.ceil(cx + half_x)) + m)
    py, px = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = px + 0.5 - cx, py + 0.5 - cy
    sx = inv[0, 0] * dx + inv[0, 1] * dy + w / 2 - 0.5
    sy = inv[1, 0] * dx + inv[1, 1] * dy + h / 2 - 0.5
    part = bilinear_sample(crop, sy, sx)
    if radius:
        part = _morph(part, radius, np.maximum if change > 0 else np.minimum)
    canvas = np.zeros((size, size), np.float32)
    canvas[y0:y1, x0:x1] = part
    return np.round(255.0 * (1.0 - np.clip(canvas, 0.0, 1.0))).astype(np.uint8)


class AugmentedMnist:
    """Training images redrawn with random perturbations each time they are asked for (see the module doc).

    ``images`` (n, 784) uint8, ``labels`` (n,).  ``canvas``: the side of the small canvas the digits are
    redrawn on (84 keeps pen changes visible and costs ~0.3 ms per image).  ``transform``: an optional
    function applied to every 28×28 result (the same one the Draw tab applies to drawn input).
    """

    def __init__(self, images, labels, *, seed: int = 0, plain: float = 0.25, canvas: int = 84,
                 kinds=KINDS, ranges=RANGES, transform=None):
        self.images = np.asarray(images)
        self.labels = np.asarray(labels)
        if self.images.ndim != 2 or self.images.shape[1] != SIDE * SIDE or len(self.images) != len(self.labels):
            raise ValueError(f"augmented data needs images (n, 784) and labels (n,), got {self.images.shape} "
                             f"and {self.labels.shape}")
        self.rng = np.random.default_rng(seed)
        self.plain, self.canvas, self.kinds, self.ranges = float(plain), int(canvas), tuple(kinds), ranges
        self.transform = transform
        self.name = f"augmented ({', '.join(self.kinds)}; {self.plain:.0%} plain) × {len(self.labels):,}"

    def __len__(self) -> int:
        return len(self.labels)

    def one(self, i: int) -> np.ndarray:
        """Example i, freshly perturbed: (28, 28) float32 in [0, 1]."""
        img = self.images[i]
        if self.rng.random() < self.plain:
            out = img.reshape(SIDE, SIDE).astype(np.float32) * np.float32(1 / 255)
        else:
            p = random_perturbation(self.rng, self.kinds, self.ranges)
            out = preprocess(draw(img, p, self.canvas), "dark-on-light")
        return self.transform(out) if self.transform is not None else out

    def fill(self, index, out: np.ndarray | None = None) -> np.ndarray:
        index = np.arange(len(self))[index] if isinstance(index, slice) else np.asarray(index)
        if out is None:
            out = np.empty((len(index), SIDE * SIDE), np.float32)
        for k, i in enumerate(index):
            out[k] = self.one(int(i)).reshape(-1)
        return out
