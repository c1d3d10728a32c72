"""MNIST as the book uses it: find the four IDX files, load them, split them.

The book (Nielsen, chapter 1) splits the 60,000 MNIST training images into the
first 50,000 for training and the last 10,000 for validation; the 10,000
``t10k`` images are the test set. Inputs are 784 values in [0, 1].

Where the files come from, first match wins (``locate_data``):

1. an explicit directory passed by the caller,
2. the environment variable ``NNDL_DATA_DIR``,
3. the per-user cache (``user_cache_dir()``, where ``download_mnist`` puts them),
4. the offline sample shipped in ``resources/mnist-sample`` (12,000 training
   and 2,000 test images), so the app works without a network.

Memory: images stay uint8 (full MNIST is about 55 MB). ``Dataset.x`` converts
a slice to float32 on demand, optionally into a buffer the caller reuses.

MNIST is by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import resource_path
from .idx import IdxError, read_idx, read_idx_shape

__all__ = [
    "FILES", "SAMPLE_DIR", "Dataset", "Mnist", "app_cache_dir", "user_cache_dir",
    "find_file", "missing_files", "locate_data", "load_mnist",
]

FILES: dict[str, str] = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: The offline sample: ``<repo>/resources/mnist-sample`` in a checkout, and
#: ``nndl_gui/resources/mnist-sample`` in an installed wheel (see ``nndl_gui.paths``).
SAMPLE_DIR: Path = resource_path("mnist-sample")

FULL_TRAINING_SIZE = 60_000
BOOK_TRAINING = 50_000
IMAGE_SHAPE = (28, 28)
PIXELS = 28 * 28  # the one copy of MNIST's sizes: a network reading MNIST has PIXELS inputs …
CLASSES = 10  # … and CLASSES outputs, one per digit

Progress = Callable[[float, str], None]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Images and labels of one split.

    ``images`` is uint8 of shape (n, 784) -- usually a view of the IDX array,
    ``labels`` is uint8 of shape (n,) with digits 0..9. Arrays from
    ``load_mnist`` are read-only (they are shared views); copy before editing.
    Equality is identity (comparing arrays element-wise is never what you want).
    """

    images: np.ndarray
    labels: np.ndarray
    name: str

    def __post_init__(self) -> None:
        if self.images.ndim != 2 or self.images.shape[1] != PIXELS:
            raise ValueError(f"{self.name}: images must have shape (n, {PIXELS}), got {self.images.shape}")
        if self.labels.ndim != 1:
            raise ValueError(f"{self.name}: labels must have shape (n,), got {self.labels.shape}")
        if len(self.images) != len(self.labels):
            raise ValueError(
                f"{self.name}: {len(self.images)} images but {len(self.labels)} labels"
            )

    def __len__(self) -> int:
        return len(self.labels)

    def x(self, index: slice | int | np.ndarray = slice(None), out: np.ndarray | None = None) -> np.ndarray:
        """Return ``images[index] / 255`` as float32, shape (k, 784), values in [0, 1].

        With ``out`` (a float32 array of the right shape) the result is written
        there and ``out`` is returned: a training loop can reuse one buffer per
        mini-batch. A slice index reads a view of the uint8 data; no full-size
        intermediate copy is made.
        """
        src = self.images[index]
        if out is not None and out.dtype != np.float32:
            raise TypeError(f"{self.name}: out must be float32, got {out.dtype}")
        if out is None:
            out = np.empty(src.shape, dtype=np.float32)
        np.multiply(src, np.float32(1.0 / 255.0), out=out, casting="unsafe")
        return out

    def float32(self) -> np.ndarray:
        """All images as float32 (n, 784) in [0, 1] (a new array: 4x the uint8 memory)."""
        return self.x()

    def subset(self, n: int) -> Dataset:
        """The first ``n`` examples (views, no copy)."""
        if n < 0:
            raise ValueError(f"{self.name}: subset size must be >= 0, got {n}")
        n = min(n, len(self))
        return Dataset(self.images[:n], self.labels[:n], f"{self.name}[:{n}]")


@dataclass(frozen=True, eq=False)
class Mnist:
    """The book's three splits plus where they came from."""

    training: Dataset
    validation: Dataset
    test: Dataset
    source: str
    is_sample: bool


# --------------------------------------------------------------------------- locating


def app_cache_dir() -> Path:
    """The per-user cache directory of nndl-gui (no Qt needed).

    ``NNDL_CACHE_DIR`` overrides it (tests point it at a temporary directory).
    Otherwise: ``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches``
    on macOS, ``%LOCALAPPDATA%`` on Windows, followed by ``nndl-gui``.
    """
    override = os.environ.get("NNDL_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "nndl-gui"


def user_cache_dir() -> Path:
    """Where downloaded MNIST lives: ``app_cache_dir() / "mnist"``."""
    return app_cache_dir() / "mnist"


def find_file(directory: Path, name: str) -> Path | None:
    """``directory/name`` if it exists, else the same name without ``.gz``, else None."""
    for candidate in (name, name.removesuffix(".gz")):
        p = directory / candidate
        if p.is_file():
            return p
    return None


def missing_files(directory: Path) -> list[str]:
    """Names of the four MNIST files not present in ``directory``."""
    return [name for name in FILES.values() if find_file(directory, name) is None]


def _check_requested(directory: Path, label: str) -> None:
    if not directory.is_dir():
        raise FileNotFoundError(f"MNIST directory from {label} does not exist or is not a directory: {directory}")
    missing = missing_files(directory)
    if missing:
        raise FileNotFoundError(
            f"MNIST directory from {label} ({directory}) is missing {len(missing)} of 4 files: "
            f"{', '.join(missing)} (the names without .gz are accepted too)"
        )


def _sample_description(directory: Path) -> str:
    try:
        n_train = read_idx_shape(find_file(directory, FILES["train_labels"]), expected_ndim=1)[0]  # type: ignore[arg-type]
        n_test = read_idx_shape(find_file(directory, FILES["test_labels"]), expected_ndim=1)[0]  # type: ignore[arg-type]
    except (IdxError, TypeError):
        return f"offline sample shipped with nndl-gui ({directory})"
    return f"offline sample shipped with nndl-gui ({n_train:,} training + {n_test:,} test images)"


def locate_data(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, str]:
    """Find a directory holding the four MNIST files; return it and a human-readable source.

    Order: ``explicit`` -> ``$NNDL_DATA_DIR`` -> ``user_cache_dir()`` -> the shipped
    sample. An explicit path or a set ``NNDL_DATA_DIR`` that lacks files raises
    ``FileNotFoundError`` listing what is missing (the user asked for that
    directory, so we do not silently use another one).
    """
    if explicit is not None:
        directory = Path(explicit).expanduser()
        _check_requested(directory, "explicit path")
        return directory, f"explicit path {directory}"
    env = os.environ.get("NNDL_DATA_DIR")
    if env:
        directory = Path(env).expanduser()
        _check_requested(directory, f"NNDL_DATA_DIR={env}")
        return directory, f"NNDL_DATA_DIR={directory}"
    cache = user_cache_dir()
    if cache.is_dir() and not missing_files(cache):
        return cache, f"downloaded copy in the user cache {cache}"
    if SAMPLE_DIR.is_dir() and not missing_files(SAMPLE_DIR):
        return SAMPLE_DIR, _sample_description(SAMPLE_DIR)
    raise FileNotFoundError(
        "no MNIST data found: NNDL_DATA_DIR is not set, the user cache "
        f"{cache} has no complete download, and the offline sample {SAMPLE_DIR} is missing"
    )


# --------------------------------------------------------------------------- loading


def _read_images(path: Path) -> np.ndarray:
    images = read_idx(path, expected_ndim=3)
    if images.shape[1:] != IMAGE_SHAPE:
        raise IdxError(f"{path.name}: images must be n×28×28, got {'×'.join(map(str, images.shape))}")
    return images


def _read_labels(path: Path, n_images: int, images_name: str) -> np.ndarray:
    labels = read_idx(path, expected_ndim=1)
    if len(labels) != n_images:
        raise IdxError(f"{path.name}: {len(labels)} labels but {images_name} has {n_images} images")
    top = int(labels.max())
    if top > 9:
        raise IdxError(f"{path.name}: label {top} at index {int(labels.argmax())} is not a digit 0..9")
    return labels


def _book_split(n: int) -> int:
    """Number of training examples the book keeps out of ``n`` training-file examples."""
    return BOOK_TRAINING if n == FULL_TRAINING_SIZE else n * 5 // 6


def load_mnist(path: str | os.PathLike[str] | None = None, *, progress: Progress | None = None) -> Mnist:
    """Locate and load MNIST, split as in the book (50,000 / 10,000 / 10,000 for full MNIST).

    Smaller training files (the shipped sample) keep the first 5/6 for
    training and the rest for validation. ``progress(fraction, message)`` is
    called before each of the four files and once at the end with 1.0.
    All arrays are uint8 views of the file data; nothing is converted to float.
    """
    directory, source = locate_data(path)
    arrays: dict[str, np.ndarray] = {}
    for i, (key, name) in enumerate(FILES.items()):
        if progress is not None:
            progress(i / 4, f"reading {name}")
        file = find_file(directory, name)
        if file is None:  # removed between locate_data and now
            raise FileNotFoundError(f"{directory}: {name} disappeared while loading")
        if key.endswith("_images"):
            arrays[key] = _read_images(file)
        else:
            images_key = key.replace("_labels", "_images")
            arrays[key] = _read_labels(file, len(arrays[images_key]), FILES[images_key])

    for array in arrays.values():
        array.flags.writeable = False  # shared by every split and thread: nobody edits it in place
    train_x = arrays["train_images"].reshape(len(arrays["train_images"]), PIXELS)
    test_x = arrays["test_images"].reshape(len(arrays["test_images"]), PIXELS)
    train_y, test_y = arrays["train_labels"], arrays["test_labels"]
    k = _book_split(len(train_y))
    if k < 1:
        raise IdxError(f"{FILES['train_images']}: only {len(train_y)} training image: the book's split keeps 5/6 "
                       "of the training file for training and the rest for validation, so at least 2 are needed")
    mnist = Mnist(
        training=Dataset(train_x[:k], train_y[:k], "training"),
        validation=Dataset(train_x[k:], train_y[k:], "validation"),
        test=Dataset(test_x, test_y, "test"),
        source=source,
        is_sample=directory.resolve() == SAMPLE_DIR.resolve(),
    )
    if progress is not None:
        progress(1.0, f"loaded MNIST from {source}")
    return mnist
