"""The GUI thread's side of the engine worker: ``EngineClient`` and the process it runs in.

A tab asks the ``EngineClient`` for work (``start_job``, ``run_task``, ``set_network``); the client passes
it to the ``EngineWorker`` (``nndl_gui.worker``) on its QThread through queued signals and calls the
tab's callbacks back on the GUI thread, dropping a cancelled job's late signals.  ``prepare_process`` sets
what one engine thread beside the GUI thread needs: a 1 ms GIL switch interval and BLAS on one thread;
``GuiThreadCollector`` keeps Python's cycle collector on the GUI thread while an engine thread lives.

Ending: ``shutdown`` asks the worker to abandon everything (``EngineWorker.request_close``) and waits a
bounded time.  Qt aborts the process when a QThread object is destroyed while its thread runs ("QThread:
Destroyed while thread is still running", SIGABRT), so a thread that has not ended by then (one long call
that checks nothing) is kept alive in ``stragglers`` until it ends; ``engine_threads_ended`` tells the app's
``main`` whether it may leave normally.
"""

from __future__ import annotations

import gc
import itertools
import sys
import time
import weakref
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from .worker import EngineWorker, SharedNetwork

# Every EngineClient ever made and not yet collected: the tests check their threads all ended.
live_clients: "weakref.WeakSet[EngineClient]" = weakref.WeakSet()
# Engine threads that did not end within shutdown's wait, with their workers: never destroyed while running.
stragglers: list[tuple[QThread, EngineWorker]] = []


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


class GuiThreadCollector:
    """Python's cycle collector runs on the GUI thread only, while any engine thread runs.

    Python collects reference cycles when allocations pass a threshold, on whichever thread allocates.
    The engine thread allocates all the time, so a collection can start there and free a cycle that holds
    Qt objects of the GUI thread (a widget, an action, a timer).  Destroyed on the wrong thread, PySide
    deadlocks — the engine thread waits for the GIL inside a Qt destructor while the GUI thread, holding
    the GIL, waits for that destructor's lock — or crashes.  So from the start of an engine thread
    automatic collection is off and a GUI-thread timer collects each generation whose count has passed
    its threshold (what pyqtgraph's GarbageCollector does); once no engine thread runs (``check``, on
    every tick and after every shutdown), automatic collection is back.
    """

    INTERVAL_MS = 100

    def __init__(self, threads_running: Callable[[], bool]):
        self.threads_running = threads_running
        self.timer: QTimer | None = None
        self.was_enabled = True

    def hold(self) -> None:
        """An engine thread is about to start (call on the GUI thread)."""
        if self.timer is None:
            self.was_enabled = gc.isenabled()
            gc.disable()
            self.timer = QTimer()
            self.timer.setInterval(self.INTERVAL_MS)
            self.timer.timeout.connect(self.check)
            self.timer.start()

    def check(self) -> None:
        """Collect what is due; once no engine thread runs, hand collection back to Python."""
        self.collect()
        if self.timer is not None and not self.threads_running():
            self.timer.stop()
            self.timer = None
            if self.was_enabled:
                gc.enable()

    @staticmethod
    def collect() -> None:
        threshold, count = gc.get_threshold(), gc.get_count()
        for generation in range(3):
            if count[generation] <= threshold[generation]:
                break
            gc.collect(generation)


def _engine_threads_running() -> bool:
    return (any(c.thread.isRunning() for c in list(live_clients))
            or any(t.isRunning() for t, _ in stragglers))


collector = GuiThreadCollector(_engine_threads_running)


def cap_blas_threads() -> None:
    """Run BLAS on one thread for the rest of this process.

    In the app the GUI thread competes with the worker for the cores.  A second OpenBLAS thread gains at
    most ~20% at large mini-batches, but when a core is busy it spins waiting for work and slows small
    products by orders of magnitude (benchmarks/README.md, "BLAS notes"), so the app never risks it.
    """
    global _blas_cap
    if _blas_cap is None:
        from .engine.blas import blas_controller  # numpy and its BLAS are loaded by then

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
        collector.hold()  # Python's collector stays on the GUI thread while this thread runs
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
        """Abandon any job and task, drop pending callbacks, end the thread and wait for it at most
        ``timeout_ms``.  True when it ended; else the thread is kept in ``stragglers`` until it does."""
        if not self.thread.isRunning():
            collector.check()
            return True
        self._jobs.clear()
        self._tasks.clear()
        self.worker.request_close()  # directly: the worker may be inside a long call, away from its queue
        self._stop.emit()
        self.thread.quit()
        ended = bool(self.thread.wait(timeout_ms))
        self.current_job = None
        collector.check()
        if not ended and all(t is not self.thread for t, _ in stragglers):
            stragglers.append((self.thread, self.worker))
        return ended

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


def engine_threads_ended(timeout_s: float = 0.0) -> bool:
    """Wait up to ``timeout_s`` (in total) for every straggling engine thread; True when none still runs."""
    deadline = time.monotonic() + timeout_s
    for thread, _worker in list(stragglers):
        if not thread.wait(max(0, int((deadline - time.monotonic()) * 1000))):
            return False
        stragglers.remove((thread, _worker))
    return True
