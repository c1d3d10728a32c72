"""The full-MNIST download the Training tab starts, run on the engine worker (no Qt here).

``download_job(ctx, ...)`` downloads full MNIST (``nndl_gui.data.download``) on a helper thread and yields
``DownloadProgress`` while bytes arrive, so the worker stays responsive and Cancel stops it.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

@dataclass(frozen=True)
class DownloadProgress:
    done: int
    total: int | None
    message: str
    finished: bool = False
    error: str | None = None
    path: str | None = None
    urgent: bool = False

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None


def download_job(ctx, dest=None, mirrors=None, sha256=None, sizes=None, poll: float = 0.02):
    """Job generator: download full MNIST (``nndl_gui.data.download.download_mnist``) on a helper thread.

    Yields DownloadProgress while bytes arrive; the worker stays responsive (stop = Cancel).  Returns the
    final DownloadProgress (``error`` set on failure or cancel).
    """
    from ..data import download as dl

    kwargs = {}
    if mirrors is not None:
        kwargs["mirrors"] = list(mirrors)
    if sha256 is not None:
        kwargs["sha256"] = dict(sha256)
    if sizes is not None:
        kwargs["sizes"] = dict(sizes)
    cancel = threading.Event()
    updates: queue.Queue = queue.Queue()
    outcome: dict = {}

    def should_stop() -> bool:
        return cancel.is_set() or ctx.should_stop()

    def progress(done, total, message):
        updates.put((done, total, message))

    def run():
        try:
            outcome["path"] = str(dl.download_mnist(dest, progress=progress, should_stop=should_stop, **kwargs))
        except Exception as exc:  # noqa: BLE001 - reported to the GUI as a message
            outcome["error"] = str(exc) or type(exc).__name__

    thread = threading.Thread(target=run, name="nndl-mnist-download", daemon=True)
    thread.start()
    last = DownloadProgress(0, None, "Connecting…", urgent=True)
    yield last
    try:
        while thread.is_alive():
            if ctx.should_stop():
                cancel.set()
            thread.join(poll)
            got = None
            while True:
                try:
                    got = updates.get_nowait()
                except queue.Empty:
                    break
            if got is not None:
                last = DownloadProgress(*got)
            yield last
    finally:
        cancel.set()
        thread.join(5.0)
    if "error" in outcome:
        msg = outcome["error"]
        if "cancel" in msg.lower():
            msg = "Download cancelled."
        final = DownloadProgress(last.done, last.total, msg, True, error=msg, urgent=True)
    else:
        final = DownloadProgress(last.total or last.done, last.total, "Full MNIST downloaded and verified.", True,
                                 path=outcome.get("path"), urgent=True)
    yield final
    return final
