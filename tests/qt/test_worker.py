"""The one engine worker: jobs, tasks, throttling, pause / step / stop, errors, shutdown."""

import threading
import time

import pytest

pytest.importorskip("PySide6")

from nndl_gui.client import EngineClient  # noqa: E402


@pytest.fixture
def client(qtbot):
    c = EngineClient()
    yield c
    assert c.shutdown()


def counting_job(ctx, n, delay=0.0):
    """Yields 0..n-1 with a urgent final record; notes the thread it runs on."""
    for i in range(n):
        if ctx.should_stop():
            return ("stopped", i)
        if delay:
            time.sleep(delay)
        yield (i, threading.get_ident())
    return ("done", n)


def test_job_runs_on_the_worker_thread_and_finishes(qtbot, client):
    snaps, results = [], []
    client.start_job("count", counting_job, 5000, on_snapshot=snaps.append, on_finished=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [("done", 5000)]
    # throttled: far fewer snapshots than items, but the final item always arrives
    assert 1 <= len(snaps) < 5000
    assert snaps[-1][0] == 4999
    assert snaps[-1][1] != threading.get_ident()
    assert client.state == "idle" and not client.busy


def test_pause_step_resume_stop(qtbot, client):
    snaps, results = [], []
    client.start_job("count", counting_job, 10**9, 0.001, on_snapshot=snaps.append, on_finished=results.append)
    qtbot.waitUntil(lambda: bool(snaps), timeout=3000)
    with qtbot.waitSignal(client.jobStateChanged, check_params_cb=lambda s: s == "paused", timeout=3000):
        client.pause()
    n = len(snaps)
    qtbot.wait(100)
    last = snaps[-1][0]
    assert len(snaps) == n  # nothing moves while paused
    client.step()
    qtbot.waitUntil(lambda: snaps[-1][0] == last + 1, timeout=3000)
    client.step()
    qtbot.waitUntil(lambda: snaps[-1][0] == last + 2, timeout=3000)
    client.resume()
    qtbot.waitUntil(lambda: snaps[-1][0] > last + 5, timeout=3000)
    client.stop()
    qtbot.waitUntil(lambda: bool(results), timeout=3000)
    assert results[0][0] == "stopped"
    assert client.state == "idle"


def test_second_job_is_refused_while_one_runs(qtbot, client):
    errors = []
    client.start_job("count", counting_job, 10**9, 0.001)
    assert client.start_job("other", counting_job, 3, on_failed=errors.append) is None
    assert errors and "busy" in errors[0]
    client.stop()
    qtbot.waitUntil(lambda: not client.busy, timeout=3000)


def test_errors_arrive_as_messages_and_the_worker_survives(qtbot, client):
    def bad_job(ctx):
        yield 1
        raise ValueError("η is far too large")

    errors, results = [], []
    client.start_job("bad", bad_job, on_failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    assert errors == ["η is far too large"]
    client.run_task(lambda ctx, a, b: a + b, 2, 3, on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=3000)
    assert results == [5]


def test_tasks_run_between_chunks_of_a_running_job(qtbot, client):
    results = []
    client.start_job("count", counting_job, 10**9, 0.0005)
    t0 = time.perf_counter()
    client.run_task(lambda ctx: "pong", on_result=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=3000)
    assert results == ["pong"]
    assert time.perf_counter() - t0 < 1.0  # did not wait for the (endless) job
    client.stop()
    qtbot.waitUntil(lambda: not client.busy, timeout=3000)


def test_published_networks_are_versioned_copies(qtbot, client):
    from nndl_gui.engine.network import Network

    net = Network([2, 3, 1], rng=0)
    with qtbot.waitSignal(client.networkChanged, timeout=3000) as blocker:
        client.set_network(net, "tiny", "test")
    shared = blocker.args[0]
    assert shared.version >= 1 and shared.description == "tiny"
    assert shared.network is not net
    net.params[0][:] = 0  # the owner changes its network; the published copy does not
    assert shared.network.params[0].any()


def test_shutdown_during_a_job_joins_the_thread(qtbot):
    c = EngineClient()
    c.start_job("count", counting_job, 10**9, 0.001)
    qtbot.wait(50)
    assert c.shutdown()
    assert not c.thread.isRunning()


def test_set_network_is_refused_while_a_job_owns_the_live_network(qtbot, client):
    from nndl_gui.engine.network import Network

    errors = []
    client.start_job("count", counting_job, 10**9, 0.001)
    assert client.set_network(Network([2, 2], rng=0), "other", "test", on_error=errors.append) is False
    assert errors and "stop that run" in errors[0]
    client.stop()
    qtbot.waitUntil(lambda: not client.busy, timeout=3000)
    with qtbot.waitSignal(client.networkChanged, timeout=3000):
        assert client.set_network(Network([2, 2], rng=0), "other", "test") is True


def test_an_engine_client_prepares_the_process_blas_on_one_thread_and_a_short_gil_switch(client):
    import sys

    from threadpoolctl import threadpool_info

    from nndl_gui.client import GIL_SWITCH_SECONDS

    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)
    assert GIL_SWITCH_SECONDS < 0.005  # Python's default is 5 ms
    assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_SECONDS)


def lazy_job(ctx, n, built):
    """Yields recipes for its snapshots; `built` records which ones the worker actually built."""
    for i in range(n):
        if ctx.should_stop():
            return ("stopped", i)
        time.sleep(0.0005)

        def make(i=i):
            built.append(i)
            return i

        yield make
    return ("done", n)


def test_lazily_yielded_snapshots_are_built_only_when_shown_and_pause_shows_the_newest(qtbot, client):
    built, snaps, results = [], [], []
    client.start_job("lazy", lazy_job, 10**9, built, on_snapshot=snaps.append, on_finished=results.append)
    qtbot.waitUntil(lambda: len(snaps) >= 3, timeout=3000)
    with qtbot.waitSignal(client.jobStateChanged, check_params_cb=lambda s: s == "paused", timeout=3000):
        client.pause()
    qtbot.wait(50)
    last = snaps[-1]
    assert built == snaps  # everything built was shown, in order, and nothing else was built
    assert last > 2 * len(snaps)  # far more items ran than were built (throttled to 30 per second)
    client.step()
    qtbot.waitUntil(lambda: snaps[-1] == last + 1, timeout=3000)  # the paused view was the newest item
    client.stop()
    qtbot.waitUntil(lambda: bool(results), timeout=3000)


def allocate(ctx, n):
    """Worker task: many small containers, kept (returned), enough to pass gen 0's threshold many times."""
    return [[i] for i in range(n)]


def test_cycles_are_collected_on_the_gui_thread_never_on_the_engine_thread(qtbot):
    """A collection started by the worker's allocations would destroy GUI-thread objects held in cycles on
    the engine thread (PySide then deadlocks or crashes): while an engine thread runs only the GUI thread
    collects, and automatic collection is back once none runs."""
    import gc

    from nndl_gui import client as client_module

    client = EngineClient()
    where = []

    class InACycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            where.append(threading.current_thread() is threading.main_thread())

    try:
        assert not gc.isenabled()  # the GUI thread's timer collects instead
        for _ in range(50):
            InACycle()  # unreachable at once, young: the next generation-0 collection frees them
        done = []
        client.run_task(allocate, 300_000, on_result=done.append)
        qtbot.waitUntil(lambda: bool(done) and len(where) == 50, timeout=20_000)
        assert all(where), f"{where.count(False)} of 50 cycles were freed on the engine thread"
    finally:
        assert client.shutdown()
    if not client_module._engine_threads_running():
        assert gc.isenabled() == client_module.collector.was_enabled
