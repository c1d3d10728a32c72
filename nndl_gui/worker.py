"""The one engine worker: a QObject on one QThread that owns the live network and runs the engine.

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

Qt rules kept here: widgets are touched only on the GUI thread; cross-thread signals carry copies; the
GUI calls the worker only through queued signals; a cancelled job's late signals are dropped.
"""

from __future__ import annotations

import itertools
import sys
import time
import traceback
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

CHUNK_SECONDS = 0.015

# Every EngineClient ever made and not yet collected: the tests check their threads all ended.
live_clients: "weakref.WeakSet[EngineClient]" = weakref.WeakSet()


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
        return self._worker._stop_requested and self._worker._job_id == self.job_id


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
    if isinstance(exc, (ValueError, OSError, MemoryError)):
        return str(exc) or type(exc).__name__
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (at {tb[-1].name}, line {tb[-1].lineno})" if tb else ""
    return f"Internal error: {type(exc).__name__}: {exc}{where}"


@dataclass
class _Callbacks:
    on_snapshot: Callable | None = None
    on_finished: Callable | None = None
    on_failed: Callable | None = None


_blas_cap = None
GIL_SWITCH_SECONDS = 0.001


def prepare_process() -> None:
    """Process-wide settings for one engine thread beside the GUI thread (idempotent; every EngineClient
    calls it, so the app, its tests and the benchmarks all run the same way).

    The GIL switch interval drops from 5 ms to 1 ms: whenever the worker holds the GIL in Python, the GUI
    thread gets it back within 1 ms.  And BLAS runs on one thread (``cap_blas_threads``).
    """
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    cap_blas_threads()


def cap_blas_threads() -> None:
    """Run BLAS on one thread for the rest of this process.

    In the app the GUI thread competes with the worker for the cores.  A second OpenBLAS thread gains at
    most ~20% at large mini-batches, but when a core is busy it spins waiting for work and slows small
    products by orders of magnitude (benchmarks/README.md, "BLAS notes"), so the app never risks it.
    """
    global _blas_cap
    if _blas_cap is None:
        from .engine.training import blas_controller  # numpy and its BLAS are loaded by then

        controller = blas_controller()
        _blas_cap = controller.limit(limits=1, user_api="blas") if controller is not None else False


class EngineClient(QObject):
    """The GUI thread's handle on the worker: start jobs and tasks, control the running job.

    Create one per main window; call ``shutdown()`` before it goes (closeEvent does).
    """

    # GUI → worker (queued across threads)
    _startJob = Signal(int, object, object, float)
    _runTask = Signal(int, object, object)
    _pause = Signal()
    _resume = Signal()
    _step = Signal()
    _stop = Signal()

    # for tabs (GUI thread)
    jobStateChanged = Signal(str)  # "running" | "paused" | "idle"
    networkChanged = Signal(object)  # SharedNetwork

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        prepare_process()
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Callbacks] = {}
        self._tasks: dict[int, _Callbacks] = {}
        self.current_job: int | None = None
        self.current_kind: str | None = None
        self.state = "idle"
        self.shared_network: SharedNetwork | None = None
        self.thread = QThread()
        self.thread.setObjectName("nndl-engine")
        self.worker = EngineWorker()
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)
        self._startJob.connect(self.worker.startJob)
        self._runTask.connect(self.worker.runTask)
        self._pause.connect(self.worker.pause)
        self._resume.connect(self.worker.resume)
        self._step.connect(self.worker.step)
        self._stop.connect(self.worker.stop)
        self.worker.snapshot.connect(self._on_snapshot)
        self.worker.jobFinished.connect(self._on_job_finished)
        self.worker.jobFailed.connect(self._on_job_failed)
        self.worker.stateChanged.connect(self._on_state)
        self.worker.taskDone.connect(self._on_task_done)
        self.worker.taskFailed.connect(self._on_task_failed)
        self.worker.networkPublished.connect(self._on_network)
        self.thread.start()
        live_clients.add(self)

    # ------------------------------------------------------------------ API for tabs
    @property
    def busy(self) -> bool:
        return self.current_job is not None

    def start_job(self, kind: str, fn: Callable, *args, on_snapshot=None, on_finished=None, on_failed=None,
                  throttle_hz: float = 30.0) -> int | None:
        """Run generator function ``fn(ctx, *args)`` on the worker.  Returns its id, or None (and calls
        ``on_failed`` with a message) when another job is running."""
        if self.current_job is not None:
            msg = f"The engine is busy ({self.current_kind}); stop that run first."
            if on_failed:
                on_failed(msg)
            return None
        job_id = next(self._ids)
        self._jobs[job_id] = _Callbacks(on_snapshot, on_finished, on_failed)
        self.current_job, self.current_kind = job_id, kind
        self._set_state("running")
        self._startJob.emit(job_id, fn, args, float(throttle_hz))
        return job_id

    def run_task(self, fn: Callable, *args, on_result=None, on_error=None) -> int:
        """Run ``fn(ctx, *args)`` on the worker between job chunks; ``on_result(result)`` on the GUI thread."""
        task_id = next(self._ids)
        self._tasks[task_id] = _Callbacks(None, on_result, on_error)
        self._runTask.emit(task_id, fn, args)
        return task_id

    def cancel_task(self, task_id: int) -> None:
        """Forget a task: its result, when it comes, is dropped."""
        self._tasks.pop(task_id, None)

    def pause(self) -> None:
        self._pause.emit()

    def resume(self) -> None:
        self._resume.emit()

    def step(self) -> None:
        self._step.emit()

    def stop(self) -> None:
        self._stop.emit()

    def set_network(self, net, description: str, source: str, *, on_done=None, on_error=None) -> bool:
        """Hand a network to the worker as the live one and publish it (e.g. opened from a file).

        Refused (False, and ``on_error`` is told why) while a job runs: the job owns the live network.
        """
        if self.current_job is not None:
            if on_error:
                on_error(f"The engine is busy ({self.current_kind}); stop that run before using another network.")
            return False

        def adopt(ctx, net, description, source):
            ctx.set_network(net)
            return ctx.publish(description, source)

        self.run_task(adopt, net, description, source, on_result=on_done, on_error=on_error)
        return True

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop any job, drop pending callbacks, end the thread and wait for it.  True when it ended."""
        if not self.thread.isRunning():
            return True
        self._jobs.clear()
        self._tasks.clear()
        self._stop.emit()
        self.thread.quit()
        ended = self.thread.wait(timeout_ms)
        self.current_job = None
        return bool(ended)

    # ------------------------------------------------------------------ worker → GUI
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.jobStateChanged.emit(state)

    @Slot(int, object)
    def _on_snapshot(self, job_id: int, snap) -> None:
        cb = self._jobs.get(job_id)
        if cb and cb.on_snapshot:
            cb.on_snapshot(snap)

    @Slot(int, object)
    def _on_job_finished(self, job_id: int, result) -> None:
        cb = self._jobs.pop(job_id, None)
        self._end_job(job_id)
        if cb and cb.on_finished:
            cb.on_finished(result)

    @Slot(int, str)
    def _on_job_failed(self, job_id: int, message: str) -> None:
        cb = self._jobs.pop(job_id, None)
        self._end_job(job_id)
        if cb and cb.on_failed:
            cb.on_failed(message)

    def _end_job(self, job_id: int) -> None:
        if job_id == self.current_job:
            self.current_job = self.current_kind = None
            self._set_state("idle")

    @Slot(int, str)
    def _on_state(self, job_id: int, state: str) -> None:
        if job_id == self.current_job and state != "idle":
            self._set_state(state)

    @Slot(int, object)
    def _on_task_done(self, task_id: int, result) -> None:
        cb = self._tasks.pop(task_id, None)
        if cb and cb.on_finished:
            cb.on_finished(result)

    @Slot(int, str)
    def _on_task_failed(self, task_id: int, message: str) -> None:
        cb = self._tasks.pop(task_id, None)
        if cb and cb.on_failed:
            cb.on_failed(message)

    @Slot(object)
    def _on_network(self, shared: SharedNetwork) -> None:
        if self.shared_network is None or shared.version > self.shared_network.version:
            self.shared_network = shared
            self.networkChanged.emit(shared)
