"""Chapter 6's expanded training data: every image plus its four 1-pixel shifts, made on the fly.

The book's ``expand_mnist.py`` turns the 50,000 training images into 250,000: each image, then copies
rolled one pixel down, up, right and left, with the row or column that rolls in set to zero.  Holding
250,000 float32 images would take 784 MB; ``ExpandedMnist`` keeps only the 50,000 uint8 originals
(39 MB) and shifts the images a training chunk needs when it asks for them (``fill``).

Example i is original ``i % n`` moved by ``SHIFTS[i // n]``: examples 0..n−1 are the originals.

MNIST is by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0).
"""

from __future__ import annotations

import numpy as np

SIDE = 28
# (name, rows down, columns right); "down" is np.roll(image, 1, axis=0) with the top row zeroed.
SHIFTS = (("original", 0, 0), ("down", 1, 0), ("up", -1, 0), ("right", 0, 1), ("left", 0, -1))


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Images (k, 28, 28) moved dy rows down and dx columns right; what rolls in is zero."""
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[:, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


class ExpandedMnist:
    """The 5·n expanded training set over n original images (n, 784), without storing the copies."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 2 or images.shape[1] != SIDE * SIDE or len(images) != len(labels):
            raise ValueError(f"expanded data needs images (n, {SIDE * SIDE}) and labels (n,), got "
                             f"{images.shape} and {labels.shape}")
        self.base = images
        self.n_base = len(images)
        self.labels = np.tile(labels, len(SHIFTS))  # (5n,) uint8: 5 small copies of the labels
        self.scale = np.float32(1 / 255) if images.dtype == np.uint8 else np.float32(1.0)
        self.name = f"expanded ({len(SHIFTS)} × {self.n_base:,})"

    def __len__(self) -> int:
        return len(self.labels)

    def fill(self, index, out: np.ndarray | None = None) -> np.ndarray:
        """Examples ``index`` (an index array or slice of 0..5n−1) as floats in [0, 1], shape (k, 784)."""
        index = np.arange(len(self))[index] if isinstance(index, slice) else np.asarray(index)
        base, shift = np.divmod(index, self.n_base)[::-1]
        k = len(index)
        imgs = self.base[base].reshape(k, SIDE, SIDE)
        moved = np.empty_like(imgs)
        for s, (_, dy, dx) in enumerate(SHIFTS):  # five groups, not a loop over images
            sel = np.flatnonzero(shift == s)
            if len(sel):
                moved[sel] = shift_images(imgs[sel], dy, dx) if s else imgs[sel]
        if out is None:
            out = np.empty((k, SIDE * SIDE), np.float32)
        np.multiply(moved.reshape(k, -1), self.scale, out=out, casting="unsafe")
        return out
