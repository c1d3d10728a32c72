"""Soak: many cycles of real use of the main window in one process — memory stays flat, nothing leaks.

    python benchmarks/soak.py                    # 30 cycles; full MNIST when found; prints ONE JSON object
    python benchmarks/soak.py --quick            # 8 cycles on the shipped sample, a CI-length run
    python benchmarks/soak.py --cycles 200 --out soak.json
    python benchmarks/soak.py --cycles 30 --keep-runs   # never Clear runs: what each kept run costs

Each cycle drives the real MainWindow (offscreen) as a learner would, waiting in a real event loop
(``QEventLoop``) for every answer from the engine worker:

1. Training: a short run (one epoch of [784,30,10] on the first ``--limit`` training images, a new seed
   each cycle) started with the Start button; the bottom views (weights, learning speed, test results)
   shown in turn; then **Clear runs** (not with ``--keep-runs``: see "Kept runs" below).
2. Draw: a digit drawn with synthetic mouse events on the canvas (a 1, a 0 or a 7 in turn), its guess
   awaited, then **Send to Backprop inspector**.
3. Backprop inspector: the drawn digit traced through the trained network; every step of the walk
   (Start, then Next to the end) with a neuron selected at each; a gradient check; the demon nudged.
4. Draw: Clear, its (empty) answer awaited.
5. Approximation playground: the one-neuron sliders moved; N bumps changed (the height table is rebuilt)
   and a height typed; least squares; a short gradient-descent fit; "Show as network…" opened and
   closed; windows of failure and two-input views changed.
6. Every tab shown once.

After each cycle (after ``gc.collect()`` and Qt's deferred deletes) it records: resident memory (VmRSS
from /proc/self/status), threads (Python's ``threading.active_count()`` and the process's native threads,
/proc/self/task: Qt's, BLAS's, the engine's), live QWidgets (``QApplication.allWidgets()``), top-level
widgets, the runs the Training tab shows, and the objects Python's gc tracks.  At the start, at warm-up
end and at the end it also takes a census: QObjects under the window (labels' rich-text documents not
counted), graphics items in every pyqtgraph scene and data items in every PlotItem (see ``measure``
for why not every cycle).

Warm-up cycles (``--warmup``, default 3) are excluded.  growth = (RSS at the end − RSS at warm-up end) /
RSS at warm-up end; slope = least-squares fit of RSS over the measured cycles, MiB per cycle, and over
their second half alone (still growing, or settling?).  ``--malloc-trim`` returns freed heap to the OS
before each reading, which tells heap fragmentation from live memory; ``--pixmap-cache-kib`` sets the
size of Qt's global pixmap cache (it holds the cached plot axes), which tells that cache from the rest.
Targets (issue #7): RSS growth ≤ 10%; widgets, top-level widgets, threads, QObjects and graphics items
the same at warm-up end and at the end; after the window closes, no engine thread left.

Kept runs: the Training tab shows the last ``CurvePlots.MAX_RUNS`` runs (8, one colour each) so runs can
be compared (chapter 3); older runs leave the plots and keep only their ``Curves`` arrays for Export
curves, until **Clear runs**.  By default each cycle presses Clear runs; ``--keep-runs`` does not, and
reports what each kept run costs (all targets still apply: the cap bounds it).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DRAW, TRAINING, INSPECTOR, PLAYGROUND = range(4)
RSS_GROWTH_MAX_PCT = 10.0
# figures that must not grow between warm-up end and the end (graphics items only without --keep-runs)
FLAT = ("widgets", "top_level_widgets", "python_threads", "native_threads", "window_qobjects", "graphics_items",
        "plot_data_items")


def find_data(explicit: str | None) -> str | None:
    for c in (explicit, os.environ.get("NNDL_DATA_DIR"), str(REPO.parent / "shared" / "mnist")):
        if c and (Path(c) / "train-images-idx3-ubyte.gz").exists():
            return c
    return None


# ------------------------------------------------------------------------------------------- measuring
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mib() -> float:
    """Resident memory now (VmRSS), MiB; ru_maxrss (the peak) where /proc is missing."""
    kib = _status_kib("VmRSS")
    if kib is None:
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    return kib / 1024


def native_threads() -> int | None:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def malloc_trim() -> bool:
    """Give freed heap memory back to the OS (glibc), so RSS shows what is live rather than fragmentation."""
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def settle_deletes() -> None:
    """Collect Python garbage and run Qt's deferred deletes, so only what is really kept is counted."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(2):
        gc.collect()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


def measure(window, trim: bool = False, census: bool = False) -> dict:
    """The figures recorded after each cycle (call settle_deletes() first; ``trim``: malloc_trim first).

    Every cycle: RSS, threads, widgets, top-level widgets, runs shown, objects tracked by Python's gc.
    With ``census`` (at the start, at warm-up end and at the end) also QObjects under the window and the
    items of every pyqtgraph scene and PlotItem.  Not every cycle because ``findChildren(QObject)`` and
    ``scene().items()`` make Python wrappers for objects Qt created, and PySide keeps such a wrapper
    (referenced from the window's) after Qt deletes the object: some 70 a cycle, which would make the
    soak measure its own leak.  ``QApplication.allWidgets()`` does not do that.
    """
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication, QGraphicsView

    import pyqtgraph as pg

    if trim:
        malloc_trim()
    out = {
        "rss_mib": round(rss_mib(), 2),
        "gc_objects": len(gc.get_objects()),  # first: what follows makes wrappers
        "python_threads": threading.active_count(),
        "native_threads": native_threads(),
        "widgets": len(QApplication.allWidgets()),
        "top_level_widgets": len(QApplication.topLevelWidgets()),
        "training_runs_shown": len(window.tab_widgets[TRAINING].plots.runs),
    }
    if census:
        views = window.findChildren(QGraphicsView)
        out["window_qobjects"] = sum(1 for o in window.findChildren(QObject) if not _rich_text_machinery(o))
        out["graphics_items"] = sum(len(v.scene().items()) for v in views if v.scene() is not None)
        out["plot_data_items"] = sum(len(v.getPlotItem().items) for v in views if isinstance(v, pg.PlotWidget))
    return out


def _rich_text_machinery(obj) -> bool:
    """A label's rich-text document and its parts: a QLabel makes them when its text turns rich and drops
    them when it turns plain again, so their number follows what the labels say, not a leak."""
    from PySide6.QtWidgets import QWidget

    while obj is not None and not isinstance(obj, QWidget):
        if obj.metaObject().className() == "QWidgetTextControl":
            return True
        obj = obj.parent()
    return False


def slope(ys: list[float]) -> float | None:
    """Least-squares slope of ys against 0, 1, 2, … (units of y per cycle)."""
    n = len(ys)
    if n < 2:
        return None
    mx, my = (n - 1) / 2, sum(ys) / n
    sxx = sum((i - mx) ** 2 for i in range(n))
    return sum((i - mx) * (y - my) for i, y in enumerate(ys)) / sxx


# ------------------------------------------------------------------------------------------- driving
class SoakError(RuntimeError):
    pass


def wait_until(predicate, timeout: float = 60.0, what: str = "") -> None:
    """Run a real Qt event loop until ``predicate()`` holds (checked every 5 ms), at most ``timeout`` s."""
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if predicate() else None)
    limit = QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    poll.start()
    limit.start(int(timeout * 1000))
    loop.exec()
    poll.stop()
    limit.stop()
    if not predicate():
        raise SoakError(f"timed out after {timeout:g} s waiting for {what or predicate}")


def pump(ms: int = 20) -> None:
    """Let the event loop run for ``ms`` milliseconds (layouts, paints, queued signals)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def mouse(canvas, kind, canvas_xy) -> None:
    """A real QMouseEvent at canvas pixel (x, y), mapped to the widget's coordinates."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    r = canvas.target_rect()
    s = r.width() / canvas.size_px
    pos = QPointF(r.left() + canvas_xy[0] * s, r.top() + canvas_xy[1] * s)
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
    QApplication.sendEvent(canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button, held,
                                               Qt.KeyboardModifier.NoModifier))


def stroke(canvas, points) -> None:
    from PySide6.QtCore import QEvent

    mouse(canvas, QEvent.Type.MouseButtonPress, points[0])
    for p in points[1:]:
        mouse(canvas, QEvent.Type.MouseMove, p)
    mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1])


def digit_strokes(k: int) -> list[list[tuple[float, float]]]:
    """Strokes of a 1, a 0 or a 7 (k mod 3) in canvas pixels (280×280)."""
    which = k % 3
    if which == 0:
        return [[(140 + 0.1 * i, 40 + 4 * i) for i in range(50)]]
    if which == 1:
        return [[(140 + 60 * math.sin(2 * math.pi * i / 40), 140 - 95 * math.cos(2 * math.pi * i / 40))
                 for i in range(41)]]
    return [[(70 + 7 * i, 50) for i in range(21)] + [(210 - 3 * i, 50 + 9 * i) for i in range(1, 22)]]


def _draw_settled(tab) -> bool:
    return tab._latest.idle and not tab._dirty and not tab._throttle.isActive()


def set_training_form(tab, sizes: str, limit: int, epochs: int = 1) -> None:
    """The small run each cycle makes (the seed changes per cycle)."""
    tab.form.sizes.setText(sizes)
    tab.form.activation.setCurrentIndex(tab.form.activation.findData("sigmoid"))
    tab.form.output.setCurrentIndex(tab.form.output.findData("sigmoid"))
    tab.form.cost.setCurrentIndex(tab.form.cost.findData("quadratic"))
    tab.form.init.setCurrentIndex(tab.form.init.findData("large"))
    tab.form.eta.setText("3.0")
    tab.form.m.setValue(10)
    tab.form.epochs.setValue(epochs)
    tab.form.lmbda.setText("0")
    tab.form.limit.setValue(limit)
    tab.form.early.setValue(0)
    tab.form.schedule.setChecked(False)
    tab.form.continue_box.setChecked(False)


def training_step(window, cycle: int, keep_runs: bool) -> dict:
    tab = window.tab_widgets[TRAINING]
    client = window.client
    window.tabs.setCurrentIndex(TRAINING)
    wait_until(lambda: not client.busy, 60, "the engine to be idle before a run")
    tab.form.seed.setValue(cycle)
    if tab.form.validate_form():
        raise SoakError(f"training form refused: {tab.form.message.text()}")
    runs_before = tab.run_count
    wait_until(tab.start_btn.isEnabled, 30, "Start to be enabled")
    tab.start_btn.click()
    wait_until(lambda: tab.run_count == runs_before + 1 and not tab.running and not client.busy, 300,
               "the training run to finish")
    snap = tab.snapshot
    if snap is None or snap.phase != "finished":
        raise SoakError(f"training run ended as {getattr(snap, 'phase', None)}: {tab.last_message}")
    for i in range(3):  # weights, learning speed, test results (confusion matrix, misclassified digits)
        tab.bottom.setCurrentIndex(i)
        pump(5)
    if tab.gallery.list.count():
        tab.gallery.list.setCurrentRow(cycle % tab.gallery.list.count())
    if not keep_runs:
        tab.clear_btn.click()
    acc = snap.epoch_record.test_accuracy if snap.epoch_record is not None else None
    return {"test_accuracy": acc}


def draw_step(window, cycle: int) -> dict:
    draw = window.tab_widgets[DRAW]
    insp = window.tab_widgets[INSPECTOR]
    window.tabs.setCurrentIndex(DRAW)
    wait_until(lambda: draw.network is not None and draw.canvas.isVisible() and draw.canvas.width() > 50, 30,
               "the Draw tab's network and canvas")
    pump(5)
    for points in digit_strokes(cycle):
        stroke(draw.canvas, points)
    wait_until(lambda: draw.result is not None and _draw_settled(draw), 30, "the Draw tab's guess")
    guess = draw.result.digit
    before = insp.inspection
    draw.inspector_button.click()  # Send to Backprop inspector (shows that tab)
    wait_until(lambda: insp._latest.idle and insp.inspection is not None and insp.inspection is not before,
               30, "the inspector's trace of the drawn digit")
    if window.tabs.currentIndex() != INSPECTOR or insp.inspection.network.sizes[0] != 784:
        raise SoakError("the drawn digit did not reach the inspector")
    return {"guess": guess}


def inspector_step(window, cycle: int) -> dict:
    insp = window.tab_widgets[INSPECTOR]
    insp.start_button.click()
    sizes = insp.inspection.network.sizes
    steps = 0
    while insp.next_button.isEnabled():
        l = insp.steps[insp.step_index].l or len(sizes)
        insp.select(("neuron", max(l, 1), cycle % sizes[max(l, 1) - 1]))
        insp.next_button.click()
        steps += 1
        pump(1)
    L = len(sizes)
    insp.tools.setCurrentIndex(0)
    insp.select(("weight", L, cycle % sizes[-1], cycle % sizes[-2]))
    insp.check_page.check_one_button.click()
    wait_until(lambda: "relative error" in insp.check_page.check_label.text(), 30, "the gradient check")
    insp.tools.setCurrentIndex(1)
    insp.select(("neuron", L, cycle % sizes[-1]))
    insp.demon_page.demon_result = None
    insp.demon_page.demon_slider.setValue(-30 if cycle % 2 else 30)
    wait_until(lambda: insp.demon_page.demon_result is not None and insp.demon_page._latest.idle, 30,
               "the demon's answer")
    insp.tools.setCurrentIndex(0)
    return {"steps": steps}


def clear_drawing(window) -> None:
    draw = window.tab_widgets[DRAW]
    window.tabs.setCurrentIndex(DRAW)
    draw.clear_button.click()
    wait_until(lambda: draw.result is None and _draw_settled(draw) and draw.canvas.is_blank(), 30,
               "the cleared canvas")


def playground_step(window, cycle: int, gd_steps: int) -> dict:
    play = window.tab_widgets[PLAYGROUND]
    views = (play.neuron, play.bumps, play.windows, play.two)

    def settle(what):
        wait_until(lambda: all(v._latest.idle for v in views), 30, what)

    window.tabs.setCurrentIndex(PLAYGROUND)
    n = play.neuron
    play.views.setCurrentWidget(n)
    for v in (5, 40, 200, -120, 8 + cycle):  # a slider dragged: each move asks the worker
        n.w_slider.setValue(v)
        n.b_slider.setValue(-v // 2)
    settle("the one-neuron view")

    b = play.bumps
    play.views.setCurrentWidget(b)
    b.n_spin.setValue(5 + cycle % 3)  # rebuilds the table of heights (one spin box per bump)
    b.spins[0].setValue(0.5 + 0.1 * (cycle % 5))
    settle("the bumps view")
    fit_before = b.fit_result
    b.fit_btn.click()
    wait_until(lambda: b.fit_result is not fit_before, 30, "least squares")
    b.steps_spin.setValue(gd_steps)
    wait_until(lambda: not window.client.busy, 60, "the engine to be idle before gradient descent")
    b.train_btn.click()
    if not b.training:
        raise SoakError(f"gradient descent did not start: {b.msg.text()}")
    wait_until(lambda: not b.training and not window.client.busy, 120, "gradient descent")
    settle("the bumps view after gradient descent")
    dialog_before = b.dialog
    b.show_net_btn.click()
    wait_until(lambda: b.dialog is not None and b.dialog is not dialog_before and b.dialog.isVisible(), 30,
               "the 'Show as network' dialog")
    pump(5)
    b.dialog.close()
    b.reset_btn.click()
    b.n_spin.setValue(5)
    settle("the bumps view after reset")

    play.views.setCurrentWidget(play.windows)
    play.windows.m_spin.setValue(1 + cycle % 4)
    play.views.setCurrentWidget(play.two)
    play.two.mode_box.setCurrentIndex(cycle % play.two.mode_box.count())
    play.two.h_spin.setValue(5 + cycle % 10)
    settle("the windows and two-input views")
    play.views.setCurrentWidget(b)
    return {"score": round(float(b.result.score), 4) if b.result is not None else None}


def one_cycle(window, cycle: int, *, keep_runs: bool = False, gd_steps: int = 300) -> dict:
    """One round of everything a learner does; returns what the tabs answered (for the record)."""
    t0 = time.perf_counter()
    out = {"cycle": cycle}
    out.update(training_step(window, cycle, keep_runs))
    out.update(draw_step(window, cycle))
    out.update(inspector_step(window, cycle))
    clear_drawing(window)
    out.update(playground_step(window, cycle, gd_steps))
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        pump(5)
    window.tabs.setCurrentIndex(TRAINING)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def prepare(window, sizes: str, limit: int) -> None:
    """Data loaded, the Draw tab's network in place, the Training tab's form set."""
    loaded = []
    window.data.get(loaded.append, lambda msg: loaded.append(SoakError(f"MNIST could not be loaded: {msg}")))
    wait_until(lambda: bool(loaded), 300, "MNIST to load")
    if isinstance(loaded[0], Exception):
        raise loaded[0]
    draw = window.tab_widgets[DRAW]
    wait_until(lambda: draw.network is not None, 60, "the pretrained network")
    set_training_form(window.tab_widgets[TRAINING], sizes, limit)


def run_cycles(window, cycles: int, warmup: int, *, keep_runs: bool = False, gd_steps: int = 300,
               trim: bool = False, on_cycle=None) -> dict:
    """Drive ``window`` through ``warmup + cycles`` cycles; the figures and verdict as a dict."""
    settle_deletes()
    baseline = measure(window, trim, census=True)
    rows = []
    total = warmup + cycles
    for c in range(total):
        out = one_cycle(window, c, keep_runs=keep_runs, gd_steps=gd_steps)
        settle_deletes()
        out.update(measure(window, trim, census=c in (warmup - 1, total - 1)))
        out["warmup"] = c < warmup
        rows.append(out)
        if on_cycle is not None:
            on_cycle(out)
    return summarize(baseline, rows, warmup, keep_runs)


def summarize(baseline: dict, rows: list[dict], warmup: int, keep_runs: bool) -> dict:
    start = rows[warmup - 1] if warmup > 0 else baseline
    end = rows[-1]
    measured = rows[warmup:]
    rss = [r["rss_mib"] for r in measured]
    growth_pct = 100.0 * (end["rss_mib"] - start["rss_mib"]) / start["rss_mib"]
    keys = ("rss_mib",) + FLAT + ("training_runs_shown", "gc_objects")
    growth = {k: end[k] - start[k] for k in keys if isinstance(end.get(k), (int, float))}
    growth["rss_mib"] = round(growth["rss_mib"], 2)
    must_be_flat = [k for k in FLAT if not (keep_runs and k in ("graphics_items", "plot_data_items"))]
    flat_ok = {k: growth.get(k, 0) == 0 for k in must_be_flat}
    result = {
        "baseline": baseline,
        "at_warmup_end": {k: start[k] for k in keys},
        "at_end": {k: end[k] for k in keys},
        "growth": growth,
        "rss": {
            "warmup_end_mib": start["rss_mib"],
            "end_mib": end["rss_mib"],
            "min_mib": min(rss) if rss else None,
            "max_mib": max(rss) if rss else None,
            "peak_vmhwm_mib": round((_status_kib("VmHWM") or 0) / 1024, 2),
            "growth_pct": round(growth_pct, 2),
            "slope_mib_per_cycle": round(slope([start["rss_mib"]] + rss), 4) if rss else None,
            # still growing at the end, or only settling in?  The slope over the second half alone:
            "slope_second_half_mib_per_cycle": round(slope(rss[len(rss) // 2:]), 4) if len(rss) >= 4 else None,
        },
        "gc_objects_slope_per_cycle": round(slope([start["gc_objects"]] + [r["gc_objects"] for r in measured]), 2)
        if measured else None,
        "flat": flat_ok,
        "per_cycle": rows,
    }
    runs = end["training_runs_shown"] - start["training_runs_shown"]
    if keep_runs and runs:
        from nndl_gui.widgets.plots import CurvePlots

        result["kept_runs"] = {
            "cap": CurvePlots.MAX_RUNS,
            "runs_added": runs,
            "plot_data_items_per_run": round(growth["plot_data_items"] / runs, 2),
            "graphics_items_per_run": round(growth["graphics_items"] / runs, 2),
            "gc_objects_per_run": round(growth["gc_objects"] / runs, 1),
            # RSS: compare with the same cycles without --keep-runs (the caches settle in both)
        }
    rss_ok = growth_pct <= RSS_GROWTH_MAX_PCT
    result["pass"] = bool(measured) and rss_ok and all(flat_ok.values())
    return result


# ------------------------------------------------------------------------------------------- the script
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="MNIST folder (default: NNDL_DATA_DIR or ../shared/mnist; else the sample)")
    ap.add_argument("--cycles", type=int, help="measured cycles after warm-up (default 30; 8 with --quick)")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up cycles, not measured (default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="CI length: 8 cycles on the shipped sample, 1,000 training images per run")
    ap.add_argument("--limit", type=int, help="training images per run (default 10,000; 1,000 with --quick)")
    ap.add_argument("--sizes", default="784, 30, 10")
    ap.add_argument("--gd-steps", type=int, help="playground gradient-descent steps (default 300; 100 --quick)")
    ap.add_argument("--keep-runs", action="store_true", help="never press Clear runs: curves accumulate")
    ap.add_argument("--malloc-trim", action="store_true",
                    help="malloc_trim(0) before each RSS reading: live memory without heap fragmentation")
    ap.add_argument("--pixmap-cache-kib", type=int,
                    help="QPixmapCache limit (Qt's default 10,240 KiB): how much of the settling-in is that cache")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    cycles = args.cycles if args.cycles is not None else (8 if args.quick else 30)
    limit = args.limit if args.limit is not None else (1000 if args.quick else 10_000)
    gd_steps = args.gd_steps if args.gd_steps is not None else (100 if args.quick else 300)

    home = Path(tempfile.mkdtemp(prefix="nndl-soak-"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["NNDL_NO_DIALOGS"] = "1"
    os.environ["NNDL_SETTINGS_FILE"] = str(home / "settings.ini")
    os.environ["NNDL_CACHE_DIR"] = str(home / "cache")
    if args.data or not args.quick:
        data_dir = find_data(args.data)
    else:
        data_dir = None
    from nndl_gui.data.mnist import SAMPLE_DIR

    if data_dir is None:
        data_dir = str(SAMPLE_DIR)
        os.environ.pop("NNDL_DATA_DIR", None)

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def quiet(mode, context, message):  # the offscreen platform says this for every dialog shown
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from nndl_gui.app import MainWindow, configure_pyqtgraph

    configure_pyqtgraph()
    from PySide6.QtGui import QPixmapCache

    if args.pixmap_cache_kib is not None:
        QPixmapCache.setCacheLimit(args.pixmap_cache_kib)
    before_window = {"python_threads": threading.active_count(), "native_threads": native_threads()}
    t0 = time.perf_counter()
    window = MainWindow(data_dir)
    window.resize(1280, 820)
    window.show()
    error = None
    try:
        prepare(window, args.sizes, limit)

        def progress(row):
            print(f"cycle {row['cycle']:3d}{' (warm-up)' if row['warmup'] else ''}: {row['seconds']:.1f} s, "
                  f"RSS {row['rss_mib']:.1f} MiB, widgets {row['widgets']}, gc objects {row['gc_objects']}, "
                  f"threads {row['python_threads']}/{row['native_threads']}", file=sys.stderr, flush=True)

        result = run_cycles(window, cycles, args.warmup, keep_runs=args.keep_runs, gd_steps=gd_steps,
                            trim=args.malloc_trim, on_cycle=progress)
    except SoakError as exc:
        error = str(exc)
        result = {"pass": False}
    except BaseException:
        window.close()  # never leave the engine thread running (Qt aborts the process)
        raise
    mnist = window.data.mnist
    window.close()
    engine_left = window.client.thread.isRunning()
    del window
    settle_deletes()
    app.processEvents()
    after_close = {"python_threads": threading.active_count(), "native_threads": native_threads(),
                   "engine_thread_running": engine_left,
                   "nndl_threads": [t.name for t in threading.enumerate() if t.name.startswith("nndl-")]}
    from nndl_gui import __version__
    import numpy
    import PySide6
    import pyqtgraph

    out = {
        "benchmark": "soak",
        "command": "python benchmarks/soak.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "cycles": cycles,
        "warmup": args.warmup,
        "sizes": [int(s) for s in args.sizes.replace(",", " ").split()],
        "training_images_per_run": min(limit, len(mnist.training)) if mnist is not None and limit else None,
        "epochs_per_run": 1,
        "playground_gd_steps": gd_steps,
        "keep_runs": args.keep_runs,
        "malloc_trim": args.malloc_trim,
        "pixmap_cache_kib": QPixmapCache.cacheLimit(),
        "data": mnist.source if mnist is not None else None,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "nndl_gui": __version__, "numpy": numpy.__version__, "pyside6": PySide6.__version__,
                    "pyqtgraph": pyqtgraph.__version__},
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "before_window": before_window,
        "after_close": after_close,
        **result,
        "targets": {"rss_growth_pct_max": RSS_GROWTH_MAX_PCT,
                    "no_growth": [k for k in FLAT if not (args.keep_runs and k in ("graphics_items",
                                                                                     "plot_data_items"))],
                    "engine_thread_after_close": False},
    }
    if error:
        out["error"] = error
    out["pass"] = bool(result.get("pass")) and not engine_left and not error
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0 if out["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
