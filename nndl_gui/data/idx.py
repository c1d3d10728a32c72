"""Read and write IDX files, the format MNIST ships in.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number
of dimensions), one big-endian uint32 per dimension, then the data in C order.
MNIST uses dtype code 0x08 (unsigned byte): images are ``n x 28 x 28``
(magic 0x00000803), labels are ``n`` (magic 0x00000801). The files are usually
gzipped; we detect gzip by its two magic bytes, never by the file name.

Everything that can go wrong with a file on disk -- bad header, absurd
dimensions, truncated or trailing data, corrupt gzip -- raises ``IdxError``
whose message names the file and the problem; so does anything that is not a
regular file (a folder, a device, a pipe), refused before any read. Dimensions are checked *before*
anything is allocated, so a hostile header cannot make us allocate gigabytes.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import math
import os
import struct
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from ..engine.files import UnsafeFileError, atomic_write, open_regular

__all__ = ["IdxError", "read_idx", "read_idx_shape", "write_idx", "UBYTE"]

UBYTE = 0x08
_GZIP_MAGIC = b"\x1f\x8b"
_KIND = {1: "labels", 2: "2-d data", 3: "images", 4: "4-d data"}


class IdxError(ValueError):
    """A file is not a valid IDX file (the message names the file and the problem)."""


@contextlib.contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    """Open the regular file ``path`` for reading, transparently decompressing gzip (detected by content)."""
    try:
        raw = open_regular(path)
    except UnsafeFileError as exc:
        raise IdxError(f"{path.name}: {exc}") from None
    with raw:
        gz = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if gz:
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                yield f  # type: ignore[misc]
        else:
            yield raw


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    return data if data is not None else b""


def _parse_header(f: BinaryIO, name: str, expected_ndim: int | None, max_elements: int) -> tuple[int, ...]:
    magic = _read_exact(f, 4)
    if len(magic) < 4:
        raise IdxError(f"{name}: file is truncated: no complete 4-byte IDX magic number (found {len(magic)} bytes)")
    value = int.from_bytes(magic, "big")
    zero0, zero1, code, ndim = magic
    if zero0 != 0 or zero1 != 0 or not 1 <= ndim <= 4:
        hint = f" (expected 0x{0x0800 | expected_ndim:08x} for {_KIND[expected_ndim]})" if expected_ndim in _KIND else ""
        raise IdxError(f"{name}: bad magic number 0x{value:08x}{hint}: not an IDX file")
    if code != UBYTE:
        raise IdxError(
            f"{name}: unsupported IDX data type code 0x{code:02x} in magic number 0x{value:08x} "
            f"(only 0x08 = unsigned byte is supported)"
        )
    if expected_ndim is not None and ndim != expected_ndim:
        raise IdxError(
            f"{name}: bad magic number 0x{value:08x} (expected 0x{0x0800 | expected_ndim:08x} "
            f"for {_KIND.get(expected_ndim, f'{expected_ndim}-d data')})"
        )
    raw = _read_exact(f, 4 * ndim)
    if len(raw) < 4 * ndim:
        raise IdxError(f"{name}: file is truncated: header announces {ndim} dimensions but ends after {len(raw)} of {4 * ndim} dimension bytes")
    dims = struct.unpack(f">{ndim}I", raw)
    if any(d == 0 for d in dims):
        raise IdxError(f"{name}: invalid dimensions {_fmt_dims(dims)}: every dimension must be at least 1")
    count = math.prod(dims)
    if count > max_elements:
        raise IdxError(
            f"{name}: dimensions {_fmt_dims(dims)} = {count:,} elements exceed the limit of {max_elements:,}; "
            f"refusing to allocate (corrupt header?)"
        )
    return dims


@contextmanager
def _idx_errors(name: str):
    """Turn what reading a (gzipped) file can raise into one IdxError that names the file."""
    try:
        yield
    except IdxError:
        raise
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise IdxError(f"{name}: not a gzip file / corrupt gzip data ({exc})") from exc
    except EOFError as exc:
        raise IdxError(f"{name}: file is truncated: gzip stream ends early ({exc})") from exc
    except OSError as exc:
        raise IdxError(f"{name}: cannot read file: {exc}") from exc


def _fmt_dims(dims: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in dims)


def read_idx_shape(path: str | os.PathLike[str], *, expected_ndim: int | None = None,
                   max_elements: int = 100_000_000) -> tuple[int, ...]:
    """Return the dimensions in the header of ``path`` without reading the data."""
    path = Path(path)
    name = path.name
    with _idx_errors(name), _open(path) as f:
        return _parse_header(f, name, expected_ndim, max_elements)


def read_idx(path: str | os.PathLike[str], *, expected_ndim: int | None = None,
             max_elements: int = 100_000_000) -> np.ndarray:
    """Read an IDX file (plain or gzipped) into a new uint8 array of the header's shape.

    ``expected_ndim`` (1 for labels, 3 for images) turns a wrong kind of file
    into a clear error. ``max_elements`` bounds what a header may ask us to
    allocate. The data is read straight into one preallocated buffer.
    """
    path = Path(path)
    name = path.name
    with _idx_errors(name), _open(path) as f:
        dims = _parse_header(f, name, expected_ndim, max_elements)
        count = math.prod(dims)
        out = np.empty(dims, dtype=np.uint8)
        view = memoryview(out.reshape(-1))  # C-contiguous: reshape is a view
        got = 0
        while got < count:
            n = f.readinto(view[got:])
            if not n:
                break
            got += n
        if got < count:
            raise IdxError(
                f"{name}: file is truncated: header says {_fmt_dims(dims)} = {count} bytes, found {got}"
            )
        extra = f.read(1)
        if extra:
            raise IdxError(f"{name}: unexpected trailing data after the {_fmt_dims(dims)} = {count} data bytes")
        return out


def write_idx(path: str | os.PathLike[str], array: np.ndarray, *, compresslevel: int = 9) -> None:
    """Write a uint8 array (1 to 4 dimensions) as IDX; gzip it if ``path`` ends with ``.gz``.

    The write is atomic (``engine.files.atomic_write``: a temporary file in the
    same directory, fsynced, then renamed over ``path``). Gzip output is
    reproducible (no timestamp, no embedded file name).
    """
    path = Path(path)
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"{path.name}: write_idx needs a uint8 array, got {array.dtype}")
    if not 1 <= array.ndim <= 4:
        raise ValueError(f"{path.name}: IDX arrays have 1 to 4 dimensions, got {array.ndim}")
    if any(d == 0 or d >= 2**32 for d in array.shape):
        raise ValueError(f"{path.name}: every dimension must be in 1..2**32-1, got {array.shape}")
    header = bytes([0, 0, UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = np.ascontiguousarray(array)

    def write(raw: BinaryIO) -> None:
        if path.name.endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=compresslevel, mtime=0) as gz:
                _write_all(gz, header, data)
        else:
            _write_all(raw, header, data)

    atomic_write(path, write)


def _write_all(f: io.RawIOBase | BinaryIO, header: bytes, data: np.ndarray) -> None:
    f.write(header)
    f.write(memoryview(data.reshape(-1)))
