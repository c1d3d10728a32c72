"""IDX reading and writing: round-trips and every way a file can be broken."""

from __future__ import annotations

import gzip
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nndl_gui.data.idx import IdxError, read_idx, read_idx_shape, write_idx


def raw_idx(array: np.ndarray, *, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def images() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(7, 28, 28), dtype=np.uint8)


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
def test_round_trip(tmp_path: Path, images: np.ndarray, name: str) -> None:
    path = tmp_path / name
    write_idx(path, images)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    back = read_idx(path, expected_ndim=3)
    assert back.dtype == np.uint8 and back.shape == (7, 28, 28)
    np.testing.assert_array_equal(back, images)
    assert read_idx_shape(path) == (7, 28, 28)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 1, 3, 2)])
def test_round_trip_any_ndim(tmp_path: Path, shape: tuple[int, ...]) -> None:
    a = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    write_idx(tmp_path / "x.gz", a)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.gz"), a)


def test_gzip_detected_by_content_not_name(tmp_path: Path, images: np.ndarray) -> None:
    gz_without_suffix = tmp_path / "images.idx"
    gz_without_suffix.write_bytes(gzip.compress(raw_idx(images)))
    plain_with_suffix = tmp_path / "images.gz"
    plain_with_suffix.write_bytes(raw_idx(images))
    np.testing.assert_array_equal(read_idx(gz_without_suffix), images)
    np.testing.assert_array_equal(read_idx(plain_with_suffix), images)


def test_write_is_reproducible_and_leaves_no_temp(tmp_path: Path, images: np.ndarray) -> None:
    write_idx(tmp_path / "a.gz", images)
    first = (tmp_path / "a.gz").read_bytes()
    write_idx(tmp_path / "a.gz", images)
    assert (tmp_path / "a.gz").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gz"]


def test_write_rejects_non_uint8(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_idx(tmp_path / "a", np.zeros(3, dtype=np.float32))
    assert not (tmp_path / "a").exists()


def test_wrong_magic_names_file_and_numbers(tmp_path: Path, images: np.ndarray) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    labels = np.zeros(10, dtype=np.uint8)
    path.write_bytes(gzip.compress(raw_idx(labels)))  # a labels file under an images name
    with pytest.raises(IdxError) as info:
        read_idx(path, expected_ndim=3)
    msg = str(info.value)
    assert msg.startswith("train-images-idx3-ubyte.gz: bad magic number 0x00000801")
    assert "expected 0x00000803 for images" in msg


def test_not_idx_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world, not an idx file")
    with pytest.raises(IdxError, match=r"notes.txt: bad magic number 0x68656c6c"):
        read_idx(path)


def test_wrong_dtype_code(tmp_path: Path, images: np.ndarray) -> None:
    path = tmp_path / "f.idx"
    path.write_bytes(raw_idx(images, code=0x0D))  # 0x0D = float
    with pytest.raises(IdxError, match=r"f.idx: unsupported IDX data type code 0x0d"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_data(tmp_path: Path, images: np.ndarray, gz: bool) -> None:
    data = raw_idx(images)[:-100]
    path = tmp_path / "t.idx"
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(IdxError, match=r"t.idx: file is truncated: header says 7×28×28 = 5488 bytes, found 5388"):
        read_idx(path)


def test_truncated_header(tmp_path: Path) -> None:
    path = tmp_path / "h.idx"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(IdxError, match="h.idx: file is truncated"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(IdxError, match="h.idx: file is truncated"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_trailing_data(tmp_path: Path, images: np.ndarray, gz: bool) -> None:
    data = raw_idx(images) + b"\x01\x02"
    path = tmp_path / "t.idx"
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(IdxError, match="t.idx: unexpected trailing data"):
        read_idx(path)


def test_zero_dimension_rejected(tmp_path: Path) -> None:
    path = tmp_path / "z.idx"
    path.write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">3I", 0, 28, 28))
    with pytest.raises(IdxError, match=r"z.idx: invalid dimensions 0×28×28"):
        read_idx(path)


def test_bad_ndim_rejected(tmp_path: Path) -> None:
    path = tmp_path / "n.idx"
    path.write_bytes(bytes([0, 0, 8, 0]))
    with pytest.raises(IdxError, match="n.idx: bad magic number 0x00000800"):
        read_idx(path)
    path.write_bytes(bytes([0, 0, 8, 9]) + b"\x00" * 40)
    with pytest.raises(IdxError, match="n.idx: bad magic number 0x00000809"):
        read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_absurd_dims_raise_without_allocating(tmp_path: Path, gz: bool) -> None:
    header = bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 28, 28)
    data = header + b"\x00" * 100
    path = tmp_path / "huge.idx"
    path.write_bytes(gzip.compress(data) if gz else data)
    tracemalloc.start()
    try:
        with pytest.raises(IdxError, match=r"huge.idx: dimensions 2147483648×28×28 .* exceed the limit"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # nothing near 1.6 TB (or even 10 MB) was allocated


def test_max_elements_is_a_parameter(tmp_path: Path, images: np.ndarray) -> None:
    write_idx(tmp_path / "a", images)
    with pytest.raises(IdxError, match="exceed the limit of 1,000"):
        read_idx(tmp_path / "a", max_elements=1000)
    assert read_idx(tmp_path / "a", max_elements=7 * 28 * 28).shape == (7, 28, 28)


def test_corrupt_gzip(tmp_path: Path, images: np.ndarray) -> None:
    blob = gzip.compress(raw_idx(images))
    path = tmp_path / "c.gz"
    path.write_bytes(blob[:10] + b"\xff" * 50)  # valid gzip header, deflate block type 3 (invalid)
    with pytest.raises(IdxError, match=r"c.gz: not a gzip file / corrupt gzip data"):
        read_idx(path)


def test_gzip_bad_crc(tmp_path: Path, images: np.ndarray) -> None:
    blob = bytearray(gzip.compress(raw_idx(images)))
    blob[-8] ^= 0xFF  # CRC32 in the trailer
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(blob))
    with pytest.raises(IdxError, match=r"crc.gz: not a gzip file / corrupt gzip data"):
        read_idx(path)


def test_truncated_gzip(tmp_path: Path, images: np.ndarray) -> None:
    blob = gzip.compress(raw_idx(images))
    path = tmp_path / "short.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IdxError, match=r"short.gz: file is truncated"):
        read_idx(path)


def test_missing_file_is_idx_error(tmp_path: Path) -> None:
    with pytest.raises(IdxError, match="nope.gz: cannot read file"):
        read_idx(tmp_path / "nope.gz")
