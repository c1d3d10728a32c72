"""Closing the real app while its worker is busy for seconds ends with exit 0, promptly (issue 15, item 1).

Each test starts the real app (``nndl_gui.app.main``) in a subprocess through tests/qt/busy_app.py, which
drives the worker into one long phase and closes the window 0.4 s after the worker entered it.  Before
the fix each of these phases kept the worker in one uninterruptible call for many seconds: the close
waited 5 s, then destroyed the running engine thread — "QThread: Destroyed while thread 'nndl-engine' is
still running", SIGABRT, exit 134 — and opening a large JSON file froze the window.

What must hold: exit code 0, the process gone within CLOSE_BUDGET seconds of the close, the settings
written on the way out, Qt's abort message absent, and the window kept responding while the worker was
busy (the driver's 10 ms heartbeat on the GUI thread never stalls for FROZEN seconds).  (The issue's
required timing is asserted here; each phase takes 5-60 s of the worker without the fix.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("busy_app.py")
CLOSE_BUDGET = 2.0  # seconds from the close to the end of the process (the requirement)
FROZEN = 1.0  # a GUI-thread stall this long while the worker is busy is a frozen window


def close_while_busy(tmp_path: Path, phase: str, *args: str) -> dict:
    settings = tmp_path / "settings.ini"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NNDL_NO_DIALOGS": "1",
           "NNDL_SETTINGS_FILE": str(settings), "NNDL_CACHE_DIR": str(tmp_path / "cache"),
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    seen: dict = {"lines": []}
    with subprocess.Popen([sys.executable, str(DRIVER), phase, *args], cwd=REPO, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        killer = threading.Timer(240, proc.kill)  # a hang fails the test, never the suite
        killer.start()
        try:
            _read(proc, seen)
        finally:
            killer.cancel()
            if proc.poll() is None:
                proc.kill()
    seen["settings"] = settings.read_text(encoding="utf-8") if settings.exists() else ""
    return seen


def _read(proc, seen: dict) -> None:
    for line in proc.stdout:
        seen["lines"].append(line.strip())
        word, _, value = line.strip().partition(" ")
        if word == "closing":
            seen["closing"] = float(value)
        elif word == "gap":
            seen["gap"] = float(value)
    seen["ended"] = time.monotonic()  # stdout closes when the process ends
    seen["code"] = proc.wait(30)
    seen["stderr"] = proc.stderr.read()


def assert_closed_promptly(seen: dict, phase: str) -> None:
    assert f"phase {phase}" in seen["lines"], seen
    assert "closing" in seen, seen
    assert "Destroyed while thread" not in seen["stderr"], seen["stderr"]
    assert "Traceback" not in seen["stderr"], seen["stderr"]
    assert seen["code"] == 0, (seen["code"], seen["stderr"])
    took = seen["ended"] - seen["closing"]
    assert took < CLOSE_BUDGET, f"the process took {took:.2f} s to end after the close"
    assert "version=" in seen["settings"], "the settings were not saved on the way out"
    assert seen["gap"] < FROZEN, f"the window froze for {seen['gap']:.2f} s while the worker was busy"


def test_closing_during_the_epoch_end_evaluation_of_a_large_network(tmp_path):
    """[784, 12000, 10] on 10,000 validation and 10,000 test images: ~10-20 s of BLAS unchunked."""
    assert_closed_promptly(close_while_busy(tmp_path, "evaluation"), "evaluation")


def test_closing_during_a_chapter_6_epoch(tmp_path):
    """The epoch-end evaluation of a ConvNet (engine.convnet.sgd) on 2 × 10,000 images."""
    assert_closed_promptly(close_while_busy(tmp_path, "conv-epoch"), "conv-epoch")


def big_network_json(path: Path, hidden: int) -> Path:
    """network2.py JSON of a [784, hidden, 10] network, written fast (every row the same numbers)."""
    rng = np.random.default_rng(0)
    row = "[" + ", ".join(f"{v:.17g}" for v in rng.standard_normal(784)) + "]"
    out_row = "[" + ", ".join(f"{v:.17g}" for v in rng.standard_normal(hidden)) + "]"
    with open(path, "w", encoding="ascii") as f:
        f.write('{"sizes": [784, %d, 10], "weights": [[' % hidden)
        for i in range(hidden):
            f.write(row if i == 0 else ", " + row)
        f.write("], [" + ", ".join([out_row] * 10) + ']], "biases": [')
        f.write("[" + ", ".join(["[0.5]"] * hidden) + "], [" + ", ".join(["[0.5]"] * 10) + ']], ')
        f.write('"cost": "CrossEntropyCost"}')
    return path


@pytest.mark.parametrize("how", ["close button", "sigterm"])
def test_closing_while_opening_a_large_network_file(tmp_path, how):
    """File ▸ Open (--network) of a 100 MB JSON network: seconds of parsing that held Python's GIL.
    SIGTERM (a logout, ``kill``) closes the app the same way."""
    path = big_network_json(tmp_path / "big.json", 6000)
    assert path.stat().st_size > 90 * 2**20
    extra = ["sigterm"] if how == "sigterm" else []
    assert_closed_promptly(close_while_busy(tmp_path, "open", str(path), *extra), "open")


def test_closing_while_opening_a_hostile_json_file(tmp_path):
    """A 120 MB JSON document that is one flat list of numbers (no network at all): the same parse."""
    path = tmp_path / "hostile.json"
    run = ", ".join(["1.2345678901234567"] * 100_000)
    with open(path, "w", encoding="ascii") as f:
        f.write("[")
        for i in range(60):
            f.write(run if i == 0 else ", " + run)
        f.write("]")
    assert_closed_promptly(close_while_busy(tmp_path, "open", str(path)), "open")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_closing_after_opening_a_slow_named_pipe(tmp_path):
    """A FIFO with a writer that has sent a little and may send more: refused at once, never read."""
    fifo = tmp_path / "slow.json"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer that never finishes
    try:
        os.write(writer, b'{"sizes": [784, ')
        assert_closed_promptly(close_while_busy(tmp_path, "open", str(fifo)), "open")
    finally:
        os.close(writer)


def test_closing_while_the_worker_is_inside_a_call_that_checks_nothing(tmp_path):
    """The last resort: the engine thread cannot end (30 s in one call); the app still ends with exit 0."""
    assert_closed_promptly(close_while_busy(tmp_path, "stuck"), "stuck")


# ------------------------------------------------------------------------- the client's side, in-process
def test_shutdown_abandons_the_running_task_and_skips_queued_ones(qtbot):
    from nndl_gui.client import EngineClient
    from nndl_gui.engine.cancel import check

    client = EngineClient()
    started, ran = threading.Event(), []

    def long_task(ctx):  # a pass that would take a minute, checking its cancel hook as the engine's do
        started.set()
        for _ in range(60_000):
            check(ctx.cancelled)
            time.sleep(0.001)

    client.run_task(long_task)
    for i in range(5):
        client.run_task(lambda ctx, i=i: ran.append(i))
    assert started.wait(10)
    t0 = time.monotonic()
    assert client.shutdown(2000)
    assert time.monotonic() - t0 < 1.0
    assert ran == []  # queued work is not started once the app is closing


def test_a_thread_inside_an_uninterruptible_call_is_never_destroyed_while_it_runs(qtbot):
    """shutdown gives up waiting but keeps the QThread alive (destroying it would abort the process)."""
    from nndl_gui import client as client_module

    client = client_module.EngineClient()
    started = threading.Event()
    client.run_task(lambda ctx: (started.set(), time.sleep(2.5)))  # checks nothing, like one huge BLAS call
    assert started.wait(10)
    assert not client.shutdown(100)
    assert any(thread is client.thread for thread, _ in client_module.stragglers)
    del client
    import gc
    gc.collect()  # the client goes; its running thread must not go with it
    assert not client_module.engine_threads_ended(0.0)
    assert client_module.engine_threads_ended(5.0)
    assert client_module.stragglers == []
