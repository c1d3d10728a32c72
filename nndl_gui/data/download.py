"""Download full MNIST into the user cache, safely (stdlib ``urllib`` only).

For each of the four files we try the mirrors in order. Bytes are streamed
into ``dest/.<name>.part``; while they arrive we gunzip them incrementally and
hash the *decompressed* IDX payload (mirrors recompress the ``.gz`` files
differently, the IDX content is the same everywhere). Only a complete,
verified file is fsynced and renamed to its final name, so a half-downloaded
or corrupt file never looks like a real one. A ``.part`` left by an interrupted
run is resumed with an HTTP Range request when the server supports it, and
restarted cleanly otherwise.

No network is needed anywhere else in nndl-gui: without this download the app
uses the offline sample in ``resources/mnist-sample``.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import socket
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .mnist import FILES, user_cache_dir

__all__ = ["MIRRORS", "SHA256", "SIZES", "DownloadError", "download_mnist", "verify_file"]

MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

#: SHA-256 of the *uncompressed* IDX payload of each file.
SHA256: dict[str, str] = {
    FILES["train_images"]: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    FILES["train_labels"]: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    FILES["test_images"]: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    FILES["test_labels"]: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Size in bytes of the *uncompressed* IDX payload of each file (header + data).
SIZES: dict[str, int] = {
    FILES["train_images"]: 16 + 60_000 * 28 * 28,  # 47,040,016
    FILES["train_labels"]: 8 + 60_000,  # 60,008
    FILES["test_images"]: 16 + 10_000 * 28 * 28,  # 7,840,016
    FILES["test_labels"]: 8 + 10_000,  # 10,008
}

CHUNK = 64 * 1024
#: Never decompress more than this per file when its size is not known (gzip-bomb guard).
MAX_UNKNOWN_SIZE = 200 * 1024 * 1024

ProgressFn = Callable[[int, "int | None", str], None]


class DownloadError(RuntimeError):
    """A download failed; the message says which file, from where, and why."""


class _MirrorFailed(Exception):
    """This mirror did not deliver a valid file; try the next one."""

    def __init__(self, message: str, *, unreachable: bool = False, resumed: bool = False):
        super().__init__(message)
        self.unreachable = unreachable
        self.resumed = resumed


# --------------------------------------------------------------------------- hashing


class _GunzipHasher:
    """Feed gzip bytes in; hashes the decompressed bytes (multi-member gzip allowed)."""

    def __init__(self, label: str, limit: int):
        self.label = label
        self.limit = limit
        self.sha = hashlib.sha256()
        self.size = 0
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> None:
        while data:
            if not self._started:
                if len(data) >= 2 and data[:2] != b"\x1f\x8b":
                    raise ValueError(f"{self.label}: not gzip data")
                self._started = True
            try:
                out = self._d.decompress(data, self.limit + 1 - self.size)
            except zlib.error as exc:
                raise ValueError(f"{self.label}: corrupt gzip data ({exc})") from exc
            self._take(out)
            if self._d.eof:
                data = self._d.unused_data
                if data:
                    if data.strip(b"\x00") == b"":  # padding after the last member
                        return
                    self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    self._started = False
                continue
            # unconsumed_tail is what max_length held back
            data = self._d.unconsumed_tail

    def _take(self, out: bytes) -> None:
        self.size += len(out)
        if self.size > self.limit:
            raise ValueError(f"{self.label}: decompressed data exceeds the expected {self.limit:,} bytes")
        self.sha.update(out)

    def finish(self) -> None:
        if not self._d.eof:
            raise ValueError(f"{self.label}: gzip stream ends early (truncated file)")


def _hash_payload(path: Path) -> tuple[str, int]:
    """SHA-256 and size of the IDX payload in ``path`` (gunzipped if it is gzip)."""
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        if head == b"\x1f\x8b":
            h = _GunzipHasher(path.name, MAX_UNKNOWN_SIZE)
            for block in iter(lambda: f.read(CHUNK), b""):
                h.feed(block)
            h.finish()
            return h.sha.hexdigest(), h.size
        sha = hashlib.sha256()
        size = 0
        for block in iter(lambda: f.read(CHUNK), b""):
            sha.update(block)
            size += len(block)
        return sha.hexdigest(), size


def verify_file(path: str | os.PathLike[str], sha256: str) -> bool:
    """True if ``path`` exists and its (decompressed) IDX payload has this SHA-256."""
    try:
        digest, _ = _hash_payload(Path(path))
    except (OSError, ValueError):
        return False
    return digest == sha256.lower()


# --------------------------------------------------------------------------- downloading


def _is_offline_error(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.gaierror, socket.timeout, TimeoutError, ConnectionError)):
        return True
    if isinstance(reason, OSError) and reason.errno in {
        errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ETIMEDOUT, errno.ECONNRESET,
    }:
        return True
    return False


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Job:
    """State shared across the files of one ``download_mnist`` call (progress totals, cancel)."""

    def __init__(self, progress: ProgressFn | None, should_stop: Callable[[], bool] | None,
                 total: int | None, timeout: float):
        self.progress = progress
        self.should_stop = should_stop
        self.total = total
        self.done = 0  # decompressed bytes of finished files
        self.timeout = timeout

    def report(self, current: int, message: str) -> None:
        if self.progress is not None:
            self.progress(self.done + current, self.total, message)

    def check_stop(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise DownloadError("cancelled")


def _fetch(job: _Job, url: str, name: str, part: Path, digest: str, limit: int, *, resume: bool) -> None:
    """Download ``url`` into ``part`` and verify it; raise ``_MirrorFailed`` on any problem."""
    hasher = _GunzipHasher(f"{name} from {url}", limit)
    offset = part.stat().st_size if resume and part.exists() else 0
    headers = {"User-Agent": "nndl-gui (MNIST downloader)", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=job.timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:  # our .part is as long as (or longer than) the file
            raise _MirrorFailed(f"HTTP 416 for {url} when resuming at byte {offset}", resumed=True) from None
        raise _MirrorFailed(f"HTTP {exc.code} for {url}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise _MirrorFailed(f"{url}: {reason}", unreachable=_is_offline_error(exc)) from None

    with response:
        status = getattr(response, "status", 200)
        resumed = False
        if offset and status == 206:
            content_range = response.headers.get("Content-Range", "")
            if not content_range.startswith(f"bytes {offset}-"):
                raise _MirrorFailed(f"{url}: server answered Range request with Content-Range {content_range!r}")
            resumed = True
        elif status != 200:
            raise _MirrorFailed(f"HTTP {status} for {url}")
        length_header = response.headers.get("Content-Length")
        expected = int(length_header) if length_header and length_header.isdigit() else None

        try:
            mode = "r+b" if resumed else "wb"
            with open(part, mode) as out:
                if resumed:  # hash what we already have, then append
                    for block in iter(lambda: out.read(CHUNK), b""):
                        hasher.feed(block)
                    out.seek(offset)
                    out.truncate()
                    job.report(hasher.size, f"resuming {name} at byte {offset:,} from {url}")
                received = 0
                while True:
                    job.check_stop()
                    try:
                        block = response.read(CHUNK)
                    except (OSError, http.client.HTTPException) as exc:
                        raise _MirrorFailed(
                            f"truncated transfer: got {received} of {expected if expected is not None else '?'} "
                            f"bytes for {name} from {url} ({exc})", resumed=resumed) from None
                    if not block:
                        break
                    out.write(block)
                    received += len(block)
                    hasher.feed(block)
                    job.report(hasher.size, f"downloading {name} from {url}")
                if expected is not None and received < expected:
                    raise _MirrorFailed(
                        f"truncated transfer: got {received} of {expected} bytes for {name} from {url}",
                        resumed=resumed)
                hasher.finish()
                out.flush()
                os.fsync(out.fileno())
        except ValueError as exc:  # from the hasher: not gzip, corrupt, too big, truncated stream
            raise _MirrorFailed(str(exc), resumed=resumed) from None
        except OSError as exc:
            raise DownloadError(f"cannot write {part}: {exc}") from exc

    if hasher.sha.hexdigest() != digest.lower():
        raise _MirrorFailed(
            f"checksum mismatch for {name} from {url}: SHA-256 of the decompressed data is "
            f"{hasher.sha.hexdigest()}, expected {digest.lower()}", resumed=resumed)


def _download_one(job: _Job, name: str, dest: Path, mirrors: Sequence[str], digest: str, limit: int) -> None:
    final = dest / name
    part = dest / f".{name}.part"
    failures: list[_MirrorFailed] = []
    for base in mirrors:
        url = base if base.endswith(name) else base.rstrip("/") + "/" + name
        attempts = 2 if part.exists() else 1  # a resumed .part may be stale: then retry from scratch
        for attempt in range(attempts):
            job.check_stop()
            try:
                _fetch(job, url, name, part, digest, limit, resume=(attempt == 0))
            except _MirrorFailed as exc:
                _remove(part)
                if exc.resumed and attempt + 1 < attempts:
                    continue
                failures.append(exc)
                break
            except BaseException:
                _remove(part)
                raise
            os.replace(part, final)
            _fsync_dir(dest)
            return
    details = "; ".join(str(f) for f in failures) or "no mirrors given"
    if failures and all(f.unreachable for f in failures):
        raise DownloadError(f"could not reach any MNIST mirror (offline?): {details}")
    raise DownloadError(f"could not download {name} from any mirror: {details}")


def download_mnist(
    dest: str | os.PathLike[str] | None = None,
    *,
    mirrors: Sequence[str] = MIRRORS,
    sha256: Mapping[str, str] = SHA256,
    progress: ProgressFn | None = None,
    timeout: float = 30,
    should_stop: Callable[[], bool] | None = None,
    sizes: Mapping[str, int] | None = None,
) -> Path:
    """Download the four MNIST files into ``dest`` (default ``user_cache_dir()``); return ``dest``.

    Files already present with the right checksum are kept. ``sha256`` maps
    each file name in ``FILES`` to the SHA-256 of its decompressed payload.
    ``progress(done, total, message)`` reports decompressed bytes across all
    files; ``total`` is None when the sizes are unknown (``sizes`` defaults to
    ``SIZES`` when ``sha256`` is the built-in table). ``should_stop()`` returning
    True cancels with ``DownloadError("cancelled")`` and removes the partial file.
    Raises ``DownloadError`` with a clear message when no mirror delivers a valid file.
    """
    dest = Path(dest) if dest is not None else user_cache_dir()
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create download directory {dest}: {exc}") from exc
    if sizes is None and sha256 is SHA256:
        sizes = SIZES
    names = list(FILES.values())
    missing = [n for n in names if n not in sha256]
    if missing:
        raise ValueError(f"no SHA-256 given for {', '.join(missing)}")
    total = sum(sizes[n] for n in names) if sizes is not None and all(n in sizes for n in names) else None
    job = _Job(progress, should_stop, total, timeout)

    for name in names:
        job.check_stop()
        size = sizes.get(name) if sizes is not None else None
        final = dest / name
        if final.exists() and verify_file(final, sha256[name]):
            job.done += size if size is not None else 0
            job.report(0, f"{name} already downloaded")
            continue
        _download_one(job, name, dest, mirrors, sha256[name], size if size is not None else MAX_UNKNOWN_SIZE)
        if size is not None:
            job.done += size
        else:
            job.done += _hash_payload(final)[1]
        job.report(0, f"{name} verified")
    return dest
