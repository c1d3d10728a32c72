"""The one engine worker: a QObject on one QThread that owns the live network and runs the engine.

This is the worker's side of the thread (``SharedNetwork``, ``JobContext``, ``EngineWorker``); the GUI
thread's side, ``EngineClient``, and the process preparation are in ``nndl_gui.client``.

Data flows one way (STYLE.md): a tab asks the ``EngineClient`` for work → the ``EngineWorker`` runs the
engine on its thread in short chunks → it emits small immutable snapshots → the tab draws the newest.

Two kinds of work:

* **Jobs** — long, one at a time (a training run, a saturation demo, a gradient-descent fit).  A job is
  a generator function ``fn(ctx, *args)`` that yields snapshots, each yield one unit of progress for
  pause / step.  A job may yield a zero-argument *callable that builds* the snapshot instead: the worker
  calls it only when it shows that item (so a job that yields every mini-batch pays for the snapshots
  that are seen, not for the ones the throttle drops).  The worker advances it for at most
  ``CHUNK_SECONDS`` and then returns to its event loop, so pause / resume / step / stop and tasks are
  handled between chunks (for training: between mini-batches).  Snapshots are throttled to
  ``throttle_hz`` per second; the last one, and any snapshot with ``urgent = True``, always gets through.
* **Tasks** — short computations ``fn(ctx, *args) -> result`` (a trace, a prediction, a least-squares
  fit, loading data).  They run between chunks of the current job, so they never wait for a job to end.

The live network belongs to the worker.  Tabs see it only through ``SharedNetwork`` snapshots: frozen,
versioned copies published with ``ctx.publish(...)``.

Closing while busy: the GUI thread cannot reach a worker that is inside one long call through the queue,
so ``request_close()`` sets a thread-safe flag directly.  From then on ``ctx.cancelled()`` and
``ctx.should_stop()`` are true, the engine's long passes (given ``cancel=ctx.cancelled``) raise
``engine.cancel.Interrupted`` at their next chunk (~0.1 s), queued tasks are skipped and the running job
is closed without another item, so the thread ends promptly (``EngineClient.shutdown``).

Qt rules kept here: widgets are touched only on the GUI thread; cross-thread signals carry copies; the
GUI calls the worker only through queued signals; a cancelled job's late signals are dropped.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from .engine.cancel import Interrupted

CHUNK_SECONDS = 0.015

@dataclass(frozen=True)
class SharedNetwork:
    """A published, read-only copy of a network.  ``version`` grows with every publication."""

    version: int
    network: Any  # nndl_gui.engine.network.Network; never mutated after publication
    description: str  # for people: "trained in the Training tab: [784, 30, 10], 3 epochs, 95.1% test"
    source: str  # "training", "file", "pretrained", "playground", ...


class JobContext:
    """What a job or task sees, on the worker thread."""

    def __init__(self, worker: "EngineWorker", job_id: int):
        self._worker = worker
        self.job_id = job_id

    @property
    def network(self):
        """The live network (None until one is set).  Only the worker thread touches it."""
        return self._worker.network

    def set_network(self, net) -> None:
        self._worker.network = net

    def publish(self, description: str, source: str = "training", network=None) -> SharedNetwork:
        """Publish a frozen copy of ``network`` (default: the live one) for the tabs."""
        net = network if network is not None else self._worker.network
        shared = SharedNetwork(next(self._worker._versions), net.copy(), description, source)
        self._worker.networkPublished.emit(shared)
        return shared

    def should_stop(self) -> bool:
        """True when this job was asked to stop (the Stop button), or the app is closing."""
        w = self._worker
        return w.closing.is_set() or (w._stop_requested and w._job_id == self.job_id)

    def cancelled(self) -> bool:
        """True once the app is closing: the ``cancel`` to give the engine's long passes (``engine.cancel``)."""
        return self._worker.closing.is_set()

    def paused(self) -> bool:
        """True while the job is paused; a job resumed while paused is being advanced by Step."""
        return self._worker._paused and self._worker._job_id == self.job_id


class EngineWorker(QObject):
    """Lives on the engine thread.  Only the EngineClient talks to it (through queued signals)."""

    snapshot = Signal(int, object)  # job id, snapshot
    jobFinished = Signal(int, object)  # job id, result (the generator's return value, or None)
    jobFailed = Signal(int, str)  # job id, message for people
    stateChanged = Signal(int, str)  # job id, "running" | "paused" | "idle"
    taskDone = Signal(int, object)  # task id, result
    taskFailed = Signal(int, str)  # task id, message
    networkPublished = Signal(object)  # SharedNetwork

    def __init__(self):
        super().__init__()
        self.network = None
        self._versions = itertools.count(1)
        self._gen = None
        self._job_id = 0
        self._throttle = 1 / 30
        self._last_emit = 0.0
        self._pending = None  # newest snapshot not yet emitted
        self._paused = False
        self._stop_requested = False
        self._timer: QTimer | None = None
        self.closing = threading.Event()  # set from the GUI thread by request_close(), never cleared

    def request_close(self) -> None:
        """Thread-safe (called on the GUI thread while this thread may be busy): abandon all work."""
        self.closing.set()

    # ------------------------------------------------------------------ slots (worker thread)
    @Slot(int, object, object, float)
    def startJob(self, job_id: int, fn: Callable, args: tuple, throttle_hz: float) -> None:
        if self._gen is not None:
            self.jobFailed.emit(job_id, "The engine is busy with another run; stop it first.")
            return
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.setInterval(0)
            self._timer.timeout.connect(self._advance)
        ctx = JobContext(self, job_id)
        self._job_id = job_id
        self._stop_requested = False
        self._paused = False
        self._pending = None
        self._throttle = 1 / throttle_hz if throttle_hz > 0 else 0.0
        self._last_emit = 0.0
        try:
            self._gen = iter(fn(ctx, *args))
        except Exception as exc:  # noqa: BLE001 - report any failure to the GUI
            self._fail(exc)
            return
        self.stateChanged.emit(job_id, "running")
        self._timer.start()

    @Slot(int, object, object)
    def runTask(self, task_id: int, fn: Callable, args: tuple) -> None:
        if self.closing.is_set():
            return  # nobody waits for it any more
        try:
            result = fn(JobContext(self, -task_id), *args)
        except Exception as exc:  # noqa: BLE001
            self.taskFailed.emit(task_id, _message(exc))
            return
        self.taskDone.emit(task_id, result)

    @Slot()
    def pause(self) -> None:
        if self._gen is not None and not self._paused:
            self._paused = True
            self._flush()
            self.stateChanged.emit(self._job_id, "paused")

    @Slot()
    def resume(self) -> None:
        if self._gen is not None and self._paused:
            self._paused = False
            self.stateChanged.emit(self._job_id, "running")
            self._timer.start()

    @Slot()
    def step(self) -> None:
        """Advance a paused job by exactly one item (for training: one mini-batch) and show it."""
        if self._gen is not None and self._paused:
            self._next_items(max_items=1)
            self._flush()

    @Slot()
    def stop(self) -> None:
        if self._gen is None:
            return
        if self.closing.is_set():  # no final record for anyone: close the job where it is
            self._finish(None)
            return
        self._stop_requested = True
        if self._paused:
            self._paused = False
        # Let the job notice should_stop() and yield its final record; close it if it does not.
        self._next_items(max_items=10_000, max_seconds=0.5)
        if self._gen is not None:
            self._finish(None)

    # ------------------------------------------------------------------ the job loop
    @Slot()
    def _advance(self) -> None:
        if self._gen is None or self._paused:
            return
        if self.closing.is_set():
            self._finish(None)
            return
        self._next_items(max_seconds=CHUNK_SECONDS)
        if self._gen is not None and not self._paused:
            self._timer.start()  # back to the event loop first, then the next chunk

    def _next_items(self, max_items: int = sys.maxsize, max_seconds: float = CHUNK_SECONDS) -> None:
        deadline = time.perf_counter() + max_seconds
        gen = self._gen
        for _ in range(max_items):
            try:
                item = next(gen)
            except StopIteration as done:
                self._flush()
                self._finish(done.value)
                return
            except Exception as exc:  # noqa: BLE001
                self._flush()
                self._fail(exc)
                return
            now = time.perf_counter()
            if getattr(item, "urgent", False) or now - self._last_emit >= self._throttle:
                self._pending = item
                self._flush()
            else:
                self._pending = item  # the job is suspended right after it: building it later is the same
            if now >= deadline:
                return

    def _flush(self) -> None:
        if self._pending is not None:
            item, self._pending = self._pending, None
            if callable(item):
                try:
                    item = item()
                except Exception as exc:  # noqa: BLE001
                    self._fail(exc)
                    return
            self._last_emit = time.perf_counter()
            self.snapshot.emit(self._job_id, item)

    def _finish(self, result) -> None:
        gen, self._gen = self._gen, None
        if gen is not None:
            gen.close()
        self._paused = False
        self.jobFinished.emit(self._job_id, result)
        self.stateChanged.emit(self._job_id, "idle")

    def _fail(self, exc: BaseException) -> None:
        gen, self._gen = self._gen, None
        if gen is not None:
            gen.close()
        self._paused = False
        self.jobFailed.emit(self._job_id, _message(exc))
        self.stateChanged.emit(self._job_id, "idle")


def _message(exc: BaseException) -> str:
    """A sentence for people; programming errors keep their last traceback line for bug reports."""
    if isinstance(exc, (ValueError, OSError, MemoryError, Interrupted)):
        return str(exc) or type(exc).__name__
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (at {tb[-1].name}, line {tb[-1].lineno})" if tb else ""
    return f"Internal error: {type(exc).__name__}: {exc}{where}"
