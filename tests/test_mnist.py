"""Locating, loading and splitting MNIST; the Dataset helpers; the shipped sample."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nndl_gui.data import mnist as mn
from nndl_gui.data.idx import IdxError, read_idx, write_idx
from nndl_gui.data.mnist import FILES, SAMPLE_DIR, Dataset, load_mnist, locate_data, user_cache_dir

FULL_MNIST = Path(os.environ.get("NNDL_DATA_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "mnist")
FULL_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
FULL_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def make_fake_mnist(directory: Path, n_train: int = 60, n_test: int = 20, *, gz: bool = True,
                    level: int = 1) -> Path:
    """Write four small valid MNIST files. Image i is filled with i % 256, label i is i % 10."""
    directory.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("test", n_test)):
        idx = np.arange(n)
        images = np.broadcast_to((idx % 256).astype(np.uint8)[:, None, None], (n, 28, 28))
        labels = (idx % 10).astype(np.uint8)
        for kind, array in (("images", images), ("labels", labels)):
            name = FILES[f"{prefix}_{kind}"]
            write_idx(directory / (name if gz else name.removesuffix(".gz")), array, compresslevel=level)
    return directory


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NNDL_DATA_DIR, and a user cache in tmp (never the real one)."""
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)
    cache_root = tmp_path / "cache-root"
    monkeypatch.setenv("NNDL_CACHE_DIR", str(cache_root))
    return cache_root


# --------------------------------------------------------------------------- locating


def test_files_table() -> None:
    assert FILES == {
        "train_images": "train-images-idx3-ubyte.gz",
        "train_labels": "train-labels-idx1-ubyte.gz",
        "test_images": "t10k-images-idx3-ubyte.gz",
        "test_labels": "t10k-labels-idx1-ubyte.gz",
    }


def test_cache_dir_override(isolated_env: Path) -> None:
    assert user_cache_dir() == isolated_env / "mnist"


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {"XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/nndl-gui/mnist"),
        ("linux", {}, "{tmp}/home/.cache/nndl-gui/mnist"),
        ("darwin", {}, "{tmp}/home/Library/Caches/nndl-gui/mnist"),
        ("win32", {"LOCALAPPDATA": "{tmp}/local"}, "{tmp}/local/nndl-gui/mnist"),
    ],
)
def test_platform_cache_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str,
                             env: dict[str, str], expected: str) -> None:
    monkeypatch.delenv("NNDL_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for key, value in env.items():
        monkeypatch.setenv(key, value.format(tmp=tmp_path))
    monkeypatch.setattr(sys, "platform", platform)
    assert user_cache_dir() == Path(expected.format(tmp=tmp_path))


def test_explicit_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = make_fake_mnist(tmp_path / "explicit")
    monkeypatch.setenv("NNDL_DATA_DIR", str(make_fake_mnist(tmp_path / "env")))
    make_fake_mnist(user_cache_dir())
    directory, source = locate_data(explicit)
    assert directory == explicit
    assert source == f"explicit path {explicit}"


def test_env_beats_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = make_fake_mnist(tmp_path / "env")
    monkeypatch.setenv("NNDL_DATA_DIR", str(env))
    make_fake_mnist(user_cache_dir())
    assert locate_data() == (env, f"NNDL_DATA_DIR={env}")


def test_cache_beats_sample() -> None:
    cache = make_fake_mnist(user_cache_dir())
    directory, source = locate_data()
    assert directory == cache
    assert str(cache) in source


def test_incomplete_cache_falls_back_to_sample() -> None:
    cache = make_fake_mnist(user_cache_dir())
    (cache / FILES["test_labels"]).unlink()
    directory, source = locate_data()
    assert directory == SAMPLE_DIR
    assert source == "offline sample shipped with nndl-gui (12,000 training + 2,000 test images)"


def test_explicit_path_missing_files_raises(tmp_path: Path) -> None:
    d = make_fake_mnist(tmp_path / "d")
    (d / FILES["train_labels"]).unlink()
    (d / FILES["test_images"]).unlink()
    with pytest.raises(FileNotFoundError) as info:
        locate_data(d)
    msg = str(info.value)
    assert "explicit path" in msg and str(d) in msg
    assert "train-labels-idx1-ubyte.gz" in msg and "t10k-images-idx3-ubyte.gz" in msg
    assert "train-images-idx3-ubyte.gz" not in msg


def test_explicit_path_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        locate_data(tmp_path / "nowhere")


def test_env_set_but_incomplete_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = make_fake_mnist(tmp_path / "env")
    (d / FILES["train_images"]).unlink()
    monkeypatch.setenv("NNDL_DATA_DIR", str(d))
    make_fake_mnist(user_cache_dir())  # would be usable, but the user asked for NNDL_DATA_DIR
    with pytest.raises(FileNotFoundError, match=r"NNDL_DATA_DIR=.*missing 1 of 4 files: train-images-idx3-ubyte.gz"):
        locate_data()
    with pytest.raises(FileNotFoundError):
        load_mnist()


def test_names_without_gz_accepted(tmp_path: Path) -> None:
    d = make_fake_mnist(tmp_path / "plain", gz=False)
    assert sorted(p.name for p in d.iterdir()) == sorted(n.removesuffix(".gz") for n in FILES.values())
    m = load_mnist(d)
    assert (len(m.training), len(m.validation), len(m.test)) == (50, 10, 20)


def test_nothing_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mn, "SAMPLE_DIR", tmp_path / "no-sample")
    with pytest.raises(FileNotFoundError, match="no MNIST data found"):
        locate_data()


# --------------------------------------------------------------------------- loading and splitting


def test_small_training_file_split_five_sixths(tmp_path: Path) -> None:
    m = load_mnist(make_fake_mnist(tmp_path / "d", n_train=600, n_test=30))
    assert (len(m.training), len(m.validation), len(m.test)) == (500, 100, 30)
    assert not m.is_sample
    # order is kept: training is the first 500, validation the last 100
    np.testing.assert_array_equal(m.training.labels, np.arange(500) % 10)
    np.testing.assert_array_equal(m.validation.labels, np.arange(500, 600) % 10)
    np.testing.assert_array_equal(m.validation.images[:, 0], np.arange(500, 600) % 256)
    np.testing.assert_array_equal(m.test.images[:, 100], np.arange(30) % 256)
    # views of one buffer, no copies
    assert m.training.images.base is not None
    assert m.training.images.base is m.validation.images.base
    assert m.training.labels.base is m.validation.labels.base
    for ds in (m.training, m.validation, m.test):
        assert ds.images.dtype == np.uint8 and ds.labels.dtype == np.uint8
        assert ds.images.shape[1] == 784
        assert not ds.images.flags.writeable and not ds.labels.flags.writeable
    with pytest.raises(ValueError):
        m.training.images[0, 0] = 1
    assert m.training.x(slice(0, 2)).flags.writeable  # converted batches are the caller's own
    assert {m.training, m.validation} and m.training != m.validation  # hashable, identity equality


def test_full_size_training_file_split_like_the_book(tmp_path: Path) -> None:
    m = load_mnist(make_fake_mnist(tmp_path / "d", n_train=60_000, n_test=10))
    assert (len(m.training), len(m.validation), len(m.test)) == (50_000, 10_000, 10)
    assert m.validation.labels[0] == 50_000 % 10
    assert m.validation.images[0, 0] == 50_000 % 256


def test_progress_called_per_file(tmp_path: Path) -> None:
    calls: list[tuple[float, str]] = []
    load_mnist(make_fake_mnist(tmp_path / "d"), progress=lambda f, msg: calls.append((f, msg)))
    assert [f for f, _ in calls] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert [msg for _, msg in calls[:4]] == [f"reading {n}" for n in FILES.values()]


def _replace(directory: Path, key: str, array: np.ndarray) -> None:
    write_idx(directory / FILES[key], array)


def test_label_out_of_range(tmp_path: Path) -> None:
    d = make_fake_mnist(tmp_path / "d")
    labels = (np.arange(20) % 10).astype(np.uint8)
    labels[7] = 11
    _replace(d, "test_labels", labels)
    with pytest.raises(IdxError, match="t10k-labels-idx1-ubyte.gz: label 11 at index 7 is not a digit"):
        load_mnist(d)


def test_count_mismatch(tmp_path: Path) -> None:
    d = make_fake_mnist(tmp_path / "d")
    _replace(d, "train_labels", np.zeros(59, dtype=np.uint8))
    with pytest.raises(IdxError, match="train-labels-idx1-ubyte.gz: 59 labels but train-images-idx3-ubyte.gz has 60 images"):
        load_mnist(d)


def test_wrong_image_size(tmp_path: Path) -> None:
    d = make_fake_mnist(tmp_path / "d")
    _replace(d, "test_images", np.zeros((20, 27, 28), dtype=np.uint8))
    with pytest.raises(IdxError, match=r"t10k-images-idx3-ubyte.gz: images must be n×28×28, got 20×27×28"):
        load_mnist(d)


def test_swapped_files(tmp_path: Path) -> None:
    d = make_fake_mnist(tmp_path / "d")
    _replace(d, "train_images", np.zeros(60, dtype=np.uint8))
    with pytest.raises(IdxError, match="bad magic number 0x00000801 .expected 0x00000803 for images"):
        load_mnist(d)


# --------------------------------------------------------------------------- Dataset


@pytest.fixture
def dataset() -> Dataset:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(30, 784), dtype=np.uint8)
    images[0, :2] = (0, 255)
    return Dataset(images, (np.arange(30) % 10).astype(np.uint8), "demo")


def test_x_is_float32_in_unit_range(dataset: Dataset) -> None:
    x = dataset.x()
    assert x.dtype == np.float32 and x.shape == (30, 784)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_allclose(x, dataset.images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(dataset.float32(), x)


def test_x_writes_into_out(dataset: Dataset) -> None:
    out = np.full((10, 784), -1.0, dtype=np.float32)
    result = dataset.x(slice(5, 15), out=out)
    assert result is out
    np.testing.assert_allclose(out, dataset.images[5:15] / 255.0, rtol=1e-6)
    idx = np.array([3, 1, 4])
    np.testing.assert_allclose(dataset.x(idx, out=out[:3]), dataset.images[idx] / 255.0, rtol=1e-6)
    with pytest.raises(TypeError):
        dataset.x(slice(0, 10), out=np.empty((10, 784), dtype=np.float64))
    with pytest.raises(ValueError):
        dataset.x(slice(0, 10), out=np.empty((9, 784), dtype=np.float32))


def test_subset_and_len(dataset: Dataset) -> None:
    sub = dataset.subset(12)
    assert len(dataset) == 30 and len(sub) == 12
    assert np.shares_memory(sub.images, dataset.images)
    np.testing.assert_array_equal(sub.labels, dataset.labels[:12])
    assert len(dataset.subset(100)) == 30


def test_dataset_validates_lengths() -> None:
    with pytest.raises(ValueError, match="validation: 3 images but 2 labels"):
        Dataset(np.zeros((3, 784), np.uint8), np.zeros(2, np.uint8), "validation")
    with pytest.raises(ValueError, match="bad: images must have shape"):
        Dataset(np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8), "bad")


# --------------------------------------------------------------------------- the shipped sample and full MNIST


def test_shipped_sample_loads_by_default() -> None:
    m = load_mnist()
    assert m.is_sample
    assert "offline sample" in m.source and "12,000 training + 2,000 test" in m.source
    assert (len(m.training), len(m.validation), len(m.test)) == (10_000, 2_000, 2_000)
    for ds in (m.training, m.validation, m.test):
        assert set(np.unique(ds.labels)) == set(range(10))
        assert ds.images.max() == 255 and ds.images.min() == 0
    assert sum(f.stat().st_size for f in SAMPLE_DIR.iterdir()) <= 3_000_000


def test_sample_dir_is_in_the_repo_resources() -> None:
    assert SAMPLE_DIR == Path(__file__).resolve().parents[1] / "resources" / "mnist-sample"


@pytest.mark.mnist
def test_sample_is_the_start_of_full_mnist() -> None:
    if not (FULL_MNIST / FILES["test_images"]).exists():
        pytest.skip(f"full MNIST not found at {FULL_MNIST}")
    for name in FILES.values():
        sample = read_idx(SAMPLE_DIR / name)
        full = read_idx(FULL_MNIST / name)
        np.testing.assert_array_equal(sample, full[: len(sample)])


@pytest.mark.mnist
def test_full_mnist_book_split() -> None:
    if not all((FULL_MNIST / n).exists() for n in FILES.values()):
        pytest.skip(f"full MNIST not found at {FULL_MNIST} (set NNDL_DATA_DIR)")
    m = load_mnist(FULL_MNIST)
    assert not m.is_sample
    assert (len(m.training), len(m.validation), len(m.test)) == (50_000, 10_000, 10_000)
    all_train = np.concatenate([m.training.labels, m.validation.labels])
    assert np.bincount(all_train).tolist() == FULL_TRAIN_COUNTS
    assert np.bincount(m.test.labels).tolist() == FULL_TEST_COUNTS
    header = bytes([0, 0, 8, 1]) + (60_000).to_bytes(4, "big")
    digest = hashlib.sha256(header + all_train.tobytes()).hexdigest()
    assert digest == "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    assert m.training.labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    # stays uint8: about 55 MB, not 4x that
    total = sum(ds.images.nbytes + ds.labels.nbytes for ds in (m.training, m.validation, m.test))
    assert total < 56_000_000


def test_data_package_imports_without_qt() -> None:
    code = (
        "import sys, nndl_gui.data, nndl_gui.data.mnist, nndl_gui.data.idx, nndl_gui.data.download\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6', 'pyqtgraph')]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=30)
