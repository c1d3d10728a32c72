"""Chapter 1's baselines: what a network has to beat on MNIST.

* ``random_guess``: a digit drawn uniformly at random for each test image (the book: 10%);
* ``average_darkness``: learn each digit's average darkness (the sum of its pixel values) on the training
  images, then call each test image the digit whose average darkness is closest (the book: 22.25%,
  2,225 of 10,000, training on the first 50,000 training images);
* ``svm``: scikit-learn's support vector classifier ``SVC()`` with its default settings (the book: 94.35%),
  only when scikit-learn happens to be installed (``svm_available``); it is never a dependency.

Images are (n, 784) uint8 0..255 or floats in [0, 1], as everywhere in the engine.
Source: http://neuralnetworksanddeeplearning.com/chap1.html
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOOK = {"random": 0.10, "average darkness": 0.2225, "svm": 0.9435}


@dataclass(frozen=True)
class Baseline:
    """A baseline's result on a labelled test set, next to the book's figure (fractions 0–1)."""

    name: str
    correct: int
    total: int
    book_accuracy: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _pixels(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 2:
        raise ValueError(f"images should be (n, pixels), got shape {images.shape}")
    return images.astype(np.float64) / 255.0 if images.dtype == np.uint8 else images.astype(np.float64)


def random_guess(test_labels, rng: np.random.Generator | int | None = 0) -> Baseline:
    """Guess a digit 0–9 uniformly at random for each test image."""
    labels = np.asarray(test_labels)
    guesses = np.random.default_rng(rng).integers(0, 10, len(labels))
    return Baseline("random", int(np.count_nonzero(guesses == labels)), len(labels), BOOK["random"])


def darkness_by_digit(train_images, train_labels) -> np.ndarray:
    """(10,) the average darkness (sum of pixel values in [0, 1]) of the training images of each digit."""
    dark = _pixels(train_images).sum(axis=1)
    labels = np.asarray(train_labels)
    counts = np.bincount(labels, minlength=10)
    if np.any(counts == 0):
        raise ValueError(f"every digit needs training images; missing {np.flatnonzero(counts == 0).tolist()}")
    return np.bincount(labels, weights=dark, minlength=10) / counts


def average_darkness(train_images, train_labels, test_images, test_labels) -> Baseline:
    """Call each test image the digit whose average training darkness is closest to its own darkness."""
    means = darkness_by_digit(train_images, train_labels)
    dark = _pixels(test_images).sum(axis=1)
    guesses = np.argmin(np.abs(dark[:, None] - means[None, :]), axis=1)
    labels = np.asarray(test_labels)
    return Baseline("average darkness", int(np.count_nonzero(guesses == labels)), len(labels),
                    BOOK["average darkness"])


def svm_available() -> bool:
    """True when scikit-learn can be imported (it is optional and never installed by this app)."""
    try:
        import sklearn.svm  # noqa: F401
    except ImportError:
        return False
    return True


def svm(train_images, train_labels, test_images, test_labels) -> Baseline:
    """scikit-learn's ``SVC()`` with default settings on pixels in [0, 1], as the book's mnist_svm.py.

    Raises RuntimeError when scikit-learn is not installed.  On all 50,000 training images it takes many
    minutes: a view should run it as a job.
    """
    try:
        from sklearn.svm import SVC
    except ImportError:
        raise RuntimeError("the SVM baseline needs scikit-learn, which is not installed (pip install scikit-learn)") \
            from None
    clf = SVC()
    clf.fit(_pixels(train_images), np.asarray(train_labels))
    guesses = clf.predict(_pixels(test_images))
    labels = np.asarray(test_labels)
    return Baseline("svm", int(np.count_nonzero(guesses == labels)), len(labels), BOOK["svm"])
