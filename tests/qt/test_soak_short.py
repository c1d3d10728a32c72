"""A short soak of the real main window (issue #7): the cycle of benchmarks/soak.py — a training run,
a digit drawn with the mouse and sent to the Backprop inspector, stepped through, the playground's sliders,
fits and "Show as network…", every tab shown — repeated in one process on tiny data.

After warm-up nothing may accumulate: live QWidgets, top-level widgets, QObjects under the window,
pyqtgraph graphics items, Python and native threads must be exactly where they were; resident memory may
grow at most 10%.  Once the window closes no engine thread is left (conftest checks that too).  The long
version with figures is ``python benchmarks/soak.py`` (benchmarks/README.md).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from nndl_gui.app import MainWindow, configure_pyqtgraph  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_training_job import tiny_mnist  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
WARMUP, CYCLES = 3, 5


def load_soak():
    spec = importlib.util.spec_from_file_location("nndl_benchmark_soak", REPO / "benchmarks" / "soak.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_short_soak_leaves_nothing_behind(qtbot):
    soak = load_soak()
    python_threads_before = threading.active_count()
    native_threads_before = soak.native_threads()
    configure_pyqtgraph()
    w = MainWindow()
    qtbot.addWidget(w)
    w.data.mnist = tiny_mnist()  # 600 training images: a run takes a fraction of a second
    w.resize(1280, 820)
    w.show()
    soak.prepare(w, "784, 16, 10", limit=0)

    result = soak.run_cycles(w, CYCLES, WARMUP, gd_steps=50)

    rows = result["per_cycle"]
    assert len(rows) == WARMUP + CYCLES
    # every cycle really did the work: a finished run, a guess, a full BP walk, a playground score
    for row in rows:
        assert row["test_accuracy"] is not None and 0 <= row["guess"] <= 9
        assert row["steps"] >= 5 and row["score"] is not None
    growth = result["growth"]
    report = {k: (result["at_warmup_end"][k], result["at_end"][k]) for k in soak.FLAT}
    for key in soak.FLAT:  # widgets, top-level widgets, QObjects, graphics items, threads
        assert growth[key] == 0, f"{key} grew after warm-up (warm-up end, end): {report}"
    assert result["at_end"]["training_runs_shown"] == 0  # Clear runs removed every run's curves
    # Python objects: flat but for pyqtgraph's bounded caches and a one-off from the census itself
    # (about 190 here); a leaked snapshot, plot item or dialog per cycle is hundreds of objects a cycle
    assert growth["gc_objects"] <= 100 * CYCLES, [r["gc_objects"] for r in rows]
    assert result["rss"]["growth_pct"] <= soak.RSS_GROWTH_MAX_PCT, result["rss"]
    assert result["pass"]

    w.close()
    assert not w.client.thread.isRunning()
    soak.settle_deletes()
    assert not [t.name for t in threading.enumerate() if t.name.startswith("nndl-")]
    assert threading.active_count() == python_threads_before
    if native_threads_before is not None:
        # the engine's thread ended with the window (Qt's own helper threads, started with it, may stay);
        # a loaded machine may take a moment to reap a finished native thread
        limit = result["baseline"]["native_threads"] - 1
        qtbot.waitUntil(lambda: soak.native_threads() <= limit, timeout=10_000)
