"""The MNIST downloader against a real HTTP server on 127.0.0.1 (never the internet, no mocks).

One ThreadingHTTPServer plays several mirrors, one per path prefix:
/good/ serves the files (with Range support), /norange/ ignores Range headers,
/missing/ answers 404, /short/ announces the full Content-Length but sends half and
hangs up, /bad/ serves valid gzip IDX files with different content, /raw/ serves
uncompressed IDX.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from nndl_gui.data.download import SHA256, SIZES, DownloadError, download_mnist, verify_file
from nndl_gui.data.idx import write_idx
from nndl_gui.data.mnist import FILES, load_mnist

N_TRAIN, N_TEST = 240, 36  # train images ~188 KB: several 64 KB chunks


def write_fake_mnist(directory: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", N_TRAIN), ("test", N_TEST)):
        write_idx(directory / FILES[f"{prefix}_images"], rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(directory / FILES[f"{prefix}_labels"], rng.integers(0, 10, n, dtype=np.uint8))


@dataclass
class Mirrors:
    base: str  # http://127.0.0.1:PORT/
    files: dict[str, bytes]  # the good gz files, by name
    sha256: dict[str, str]  # of their decompressed payloads
    sizes: dict[str, int]
    log: list[tuple[str, str | None, int]] = field(default_factory=list)  # (path, Range header, status)

    def url(self, mirror: str) -> str:
        return f"{self.base}{mirror}/"


def make_handler(good: dict[str, bytes], bad: dict[str, bytes], log: list) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
                  announce: int | None = None) -> None:
            log.append((self.path, self.headers.get("Range"), status))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if announce is None else announce))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            _, mirror, name = self.path.split("/", 2)
            if mirror == "missing" or name not in good:
                self._send(404, b"not found")
                return
            body = good[name]
            if mirror == "bad":
                self._send(200, bad[name])
            elif mirror == "raw":
                self._send(200, gzip.decompress(body))
            elif mirror == "short":
                self._send(200, body[: len(body) // 2], announce=len(body))
            elif mirror == "good" and self.headers.get("Range", "").startswith("bytes="):
                start = int(self.headers["Range"][len("bytes="):].rstrip("-"))
                if start >= len(body):
                    self._send(416, b"", {"Content-Range": f"bytes */{len(body)}"})
                else:
                    self._send(206, body[start:], {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"})
            else:  # good without Range, or norange (ignores Range: full body, 200)
                self._send(200, body)

    return Handler


@pytest.fixture(scope="module")
def fake_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    root = tmp_path_factory.mktemp("served")
    write_fake_mnist(root / "good", seed=1)
    write_fake_mnist(root / "bad", seed=2)
    good = {n: (root / "good" / n).read_bytes() for n in FILES.values()}
    bad = {n: (root / "bad" / n).read_bytes() for n in FILES.values()}
    return good, bad


@pytest.fixture
def mirrors(fake_files: tuple[dict[str, bytes], dict[str, bytes]]) -> Iterator[Mirrors]:
    good, bad = fake_files
    log: list = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(good, bad, log))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Mirrors(
            base=f"http://127.0.0.1:{server.server_address[1]}/",
            files=good,
            sha256={n: hashlib.sha256(gzip.decompress(b)).hexdigest() for n, b in good.items()},
            sizes={n: len(gzip.decompress(b)) for n, b in good.items()},
            log=log,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_proxy_no_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)
    monkeypatch.setenv("NNDL_CACHE_DIR", str(tmp_path / "cache"))


def names_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


TRAIN_IMAGES = FILES["train_images"]


# --------------------------------------------------------------------------- tests


def test_good_mirror_downloads_all_four(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    calls: list[tuple[int, int | None, str]] = []
    result = download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256,
                            sizes=mirrors.sizes, timeout=5, progress=lambda *a: calls.append(a))
    assert result == dest
    assert names_in(dest) == sorted(FILES.values())  # no .part left over
    for name, body in mirrors.files.items():
        assert (dest / name).read_bytes() == body
    m = load_mnist(dest)
    assert (len(m.training), len(m.validation), len(m.test)) == (200, 40, 36)
    total = sum(mirrors.sizes.values())
    assert all(t == total for _, t, _ in calls)
    done = [d for d, _, _ in calls]
    assert done == sorted(done) and done[-1] == total
    assert len(calls) > 4  # reported while bytes arrive, not only per file

    # a second run finds valid files and downloads nothing
    n_requests = len(mirrors.log)
    download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert len(mirrors.log) == n_requests


def test_default_destination_is_user_cache(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = download_mnist(mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert dest == tmp_path / "cache" / "mnist"
    m = load_mnist()  # found in the (temporary) user cache
    assert not m.is_sample and str(dest) in m.source


def test_truncated_transfer_leaves_no_file(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    with pytest.raises(DownloadError, match=r"truncated transfer: got \d+ of \d+ bytes for train-images"):
        download_mnist(dest, mirrors=[mirrors.url("short")], sha256=mirrors.sha256, timeout=5)
    assert names_in(dest) == []


def test_truncated_transfer_falls_to_next_mirror(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    download_mnist(dest, mirrors=[mirrors.url("short"), mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert names_in(dest) == sorted(FILES.values())
    assert all(verify_file(dest / n, mirrors.sha256[n]) for n in FILES.values())


def test_wrong_checksum_leaves_no_file(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    with pytest.raises(DownloadError, match=rf"checksum mismatch for {TRAIN_IMAGES} from {mirrors.url('bad')}"):
        download_mnist(dest, mirrors=[mirrors.url("bad")], sha256=mirrors.sha256, timeout=5)
    assert names_in(dest) == []


def test_not_gzip_rejected(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    with pytest.raises(DownloadError, match="not gzip data"):
        download_mnist(dest, mirrors=[mirrors.url("raw")], sha256=mirrors.sha256, timeout=5)
    assert names_in(dest) == []


def test_404_then_good_mirror(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    download_mnist(dest, mirrors=[mirrors.url("missing"), mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert names_in(dest) == sorted(FILES.values())
    assert (f"/missing/{TRAIN_IMAGES}", None, 404) in mirrors.log
    assert (f"/good/{TRAIN_IMAGES}", None, 200) in mirrors.log


def test_all_mirrors_fail(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=[mirrors.url("missing"), mirrors.url("bad")], sha256=mirrors.sha256, timeout=5)
    msg = str(info.value)
    assert msg.startswith(f"could not download {TRAIN_IMAGES} from any mirror")
    assert f"HTTP 404 for {mirrors.url('missing')}{TRAIN_IMAGES}" in msg
    assert "checksum mismatch" in msg
    assert names_in(dest) == []


def test_unreachable_mirror_says_offline(tmp_path: Path) -> None:
    with socket.socket() as s:  # find a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = tmp_path / "dl"
    with pytest.raises(DownloadError, match=r"could not reach any MNIST mirror \(offline\?\)"):
        download_mnist(dest, mirrors=[f"http://127.0.0.1:{port}/mnist/"], sha256=SHA256, timeout=2)
    assert names_in(dest) == []


def test_resume_partial_file_with_range(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    body = mirrors.files[TRAIN_IMAGES]
    half = len(body) // 2
    (dest / f".{TRAIN_IMAGES}.part").write_bytes(body[:half])
    download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert (dest / TRAIN_IMAGES).read_bytes() == body
    assert (f"/good/{TRAIN_IMAGES}", f"bytes={half}-", 206) in mirrors.log
    assert [entry for entry in mirrors.log if entry[0] == f"/good/{TRAIN_IMAGES}"] == [
        (f"/good/{TRAIN_IMAGES}", f"bytes={half}-", 206)]  # only the rest was fetched
    assert names_in(dest) == sorted(FILES.values())


def test_partial_file_restarted_when_server_ignores_range(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    body = mirrors.files[TRAIN_IMAGES]
    (dest / f".{TRAIN_IMAGES}.part").write_bytes(body[:1000])
    download_mnist(dest, mirrors=[mirrors.url("norange")], sha256=mirrors.sha256, timeout=5)
    assert (dest / TRAIN_IMAGES).read_bytes() == body
    assert (f"/norange/{TRAIN_IMAGES}", "bytes=1000-", 200) in mirrors.log
    assert names_in(dest) == sorted(FILES.values())


def test_stale_partial_file_restarted_from_scratch(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    body = mirrors.files[TRAIN_IMAGES]
    # a .part from another mirror's compression: resuming it cannot verify
    (dest / f".{TRAIN_IMAGES}.part").write_bytes(gzip.compress(b"\x00" * 5000)[: len(body) // 3])
    download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert (dest / TRAIN_IMAGES).read_bytes() == body
    requests = [(r, s) for p, r, s in mirrors.log if p == f"/good/{TRAIN_IMAGES}"]
    assert requests[0][1] == 206 and requests[-1] == (None, 200)


def test_part_longer_than_file_restarts(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    body = mirrors.files[TRAIN_IMAGES]
    (dest / f".{TRAIN_IMAGES}.part").write_bytes(body + b"junk")
    download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert (dest / TRAIN_IMAGES).read_bytes() == body
    assert (f"/good/{TRAIN_IMAGES}", f"bytes={len(body) + 4}-", 416) in mirrors.log


def test_cancel_removes_part(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    calls: list[int] = []

    def progress(done: int, total: int | None, message: str) -> None:
        calls.append(done)

    with pytest.raises(DownloadError, match="^cancelled$"):
        download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5,
                       progress=progress, should_stop=lambda: len(calls) >= 1)
    assert len(calls) == 1  # stopped at the next chunk
    assert names_in(dest) == []


def test_invalid_existing_file_is_replaced(mirrors: Mirrors, tmp_path: Path) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / TRAIN_IMAGES).write_bytes(b"garbage")
    download_mnist(dest, mirrors=[mirrors.url("good")], sha256=mirrors.sha256, timeout=5)
    assert (dest / TRAIN_IMAGES).read_bytes() == mirrors.files[TRAIN_IMAGES]


def test_verify_file(mirrors: Mirrors, tmp_path: Path) -> None:
    p = tmp_path / "f.gz"
    p.write_bytes(mirrors.files[TRAIN_IMAGES])
    assert verify_file(p, mirrors.sha256[TRAIN_IMAGES])
    assert verify_file(p, mirrors.sha256[TRAIN_IMAGES].upper())
    assert not verify_file(p, mirrors.sha256[FILES["test_images"]])
    raw = tmp_path / "f.idx"  # uncompressed files verify by their content too
    raw.write_bytes(gzip.decompress(mirrors.files[TRAIN_IMAGES]))
    assert verify_file(raw, mirrors.sha256[TRAIN_IMAGES])
    p.write_bytes(mirrors.files[TRAIN_IMAGES][:-100])  # truncated gzip
    assert not verify_file(p, mirrors.sha256[TRAIN_IMAGES])
    assert not verify_file(tmp_path / "missing.gz", mirrors.sha256[TRAIN_IMAGES])


def test_missing_checksum_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no SHA-256 given"):
        download_mnist(tmp_path, mirrors=[], sha256={TRAIN_IMAGES: "00"})


@pytest.mark.mnist
def test_builtin_tables_match_full_mnist() -> None:
    full = Path(__file__).resolve().parents[1].parent / "shared" / "mnist"
    if not all((full / n).exists() for n in FILES.values()):
        pytest.skip(f"full MNIST not found at {full}")
    for name in FILES.values():
        data = gzip.decompress((full / name).read_bytes())
        assert len(data) == SIZES[name]
        assert hashlib.sha256(data).hexdigest() == SHA256[name]
        assert verify_file(full / name, SHA256[name])
