"""What a trained network gets right and wrong, and what its first layer looks at (pure NumPy).

Helpers for the Training tab's views, kept here so they are testable without Qt:

* ``weight_tiles`` lays each hidden neuron's 784 input weights w^2_jk out as a 28×28 tile;
* ``output_scores`` / ``confusion_matrix`` / ``misclassified`` summarise a network on the test set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cancel import Cancel, check, rows_per_chunk
from .network import Network


def weight_tiles(w: np.ndarray, *, cap: int = 100, cols: int | None = None, side: int = 28,
                 gap: int = 1) -> tuple[np.ndarray, int]:
    """Arrange the rows of the first weight matrix as images in a grid.

    w: (n_hidden, side*side), the book's w^2 (row j = neuron j's weights from the 784 input pixels).
    Only the first ``cap`` neurons are drawn.  Each tile is divided by its own largest |w_jk|, so every
    tile spans [-1, 1] (positive: the pixel excites neuron j, negative: it inhibits it) and the image
    can be drawn with fixed levels (-1, 1).  Tiles are separated by ``gap`` pixels of NaN (drawn clear).

    Returns (image of shape (rows*(side+gap)-gap, cols*(side+gap)-gap), float32; number of tiles drawn).
    """
    w = np.asarray(w)
    if w.ndim != 2 or w.shape[1] != side * side:
        raise ValueError(f"weights should have shape (n, {side * side}), got {w.shape}")
    k = max(0, min(cap, w.shape[0]))
    if k == 0:
        return np.full((side, side), np.nan, np.float32), 0
    if cols is None:
        cols = int(np.ceil(np.sqrt(k)))
    rows = -(-k // cols)
    tiles = np.asarray(w[:k], dtype=np.float32).reshape(k, side, side)
    scale = np.abs(tiles).reshape(k, -1).max(axis=1)
    scale[~np.isfinite(scale) | (scale == 0)] = 1.0
    tiles = tiles / scale[:, None, None]
    step = side + gap
    out = np.full((rows * step - gap, cols * step - gap), np.nan, np.float32)
    for i in range(k):
        r, c = divmod(i, cols)
        out[r * step:r * step + side, c * step:c * step + side] = tiles[i]
    return out, k


def output_scores(net: Network, images: np.ndarray, chunk: int = 5000, cancel: Cancel = None) -> np.ndarray:
    """The output activations a^L for every image: images (n, 784) uint8 or float → (n, n_L) float32.

    In chunks of at most ``chunk`` images and ~0.1 s of arithmetic, ``cancel()`` checked before each."""
    out = np.empty((len(images), net.sizes[-1]), np.float32)
    # a chapter-6 ConvNet reuses each weight at every position: its arithmetic is not its parameter count
    chunk = rows_per_chunk(net.num_parameters, chunk) if isinstance(net, Network) else min(chunk, 500)
    for start in range(0, len(images), chunk):
        check(cancel)
        xb = images[start:start + chunk]
        xb = xb * np.asarray(1 / 255, net.dtype) if xb.dtype == np.uint8 else xb
        out[start:start + len(xb)] = net.feedforward(xb)
    return out


def confusion_matrix(predicted: np.ndarray, labels: np.ndarray, n: int = 10) -> np.ndarray:
    """counts[i, j] = number of images with true digit i that the network called j; (n, n) int64."""
    predicted = np.asarray(predicted, np.int64)
    labels = np.asarray(labels, np.int64)
    return np.bincount(labels * n + predicted, minlength=n * n).reshape(n, n)


@dataclass(frozen=True)
class ClassificationResults:
    """A network's verdict on the test set.  Arrays are read-only copies.

    confusion: (10, 10) int64, rows = true digit, columns = the network's answer.
    miss_index: (k,) indices into the test set of the misclassified images shown (k ≤ the cap).
    miss_label / miss_predicted: (k,) true digit and the network's answer.
    miss_scores: (k, 10) float32 output activations a^L for those images.
    miss_images: (k, 784) uint8 pixels, so the GUI needs nothing else to draw them.
    """

    confusion: np.ndarray
    correct: int
    total: int
    n_misclassified: int
    miss_index: np.ndarray
    miss_label: np.ndarray
    miss_predicted: np.ndarray
    miss_scores: np.ndarray
    miss_images: np.ndarray

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def misclassified(net: Network, images: np.ndarray, labels: np.ndarray, *, cap: int = 100,
                  cancel: Cancel = None) -> ClassificationResults:
    """Run the network on a labelled set; confusion matrix and the first ``cap`` mistakes."""
    labels = np.asarray(labels)
    scores = output_scores(net, images, cancel=cancel)
    predicted = np.argmax(scores, axis=1)
    wrong = np.flatnonzero(predicted != labels)
    shown = wrong[:cap]
    return ClassificationResults(
        confusion=_frozen(confusion_matrix(predicted, labels, net.sizes[-1])),
        correct=int(len(labels) - len(wrong)),
        total=int(len(labels)),
        n_misclassified=int(len(wrong)),
        miss_index=_frozen(shown),
        miss_label=_frozen(labels[shown].astype(np.int64)),
        miss_predicted=_frozen(predicted[shown]),
        miss_scores=_frozen(scores[shown]),
        miss_images=_frozen(np.asarray(images)[shown]),
    )
