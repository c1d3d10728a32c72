"""The Training tab with the real engine worker: controls, results, divergence, validation, download, close."""

from __future__ import annotations

import gzip
import hashlib
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.app import MainWindow, configure_pyqtgraph  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.data.idx import write_idx  # noqa: E402
from nndl_gui.data.mnist import FILES  # noqa: E402
from nndl_gui.settings import TabSettings  # noqa: E402
from nndl_gui.tabs.training.tab import TrainingTab  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_training_job import tiny_mnist  # noqa: E402


@pytest.fixture
def tab(qtbot, tmp_path):
    yield from training_tab(qtbot, tmp_path, tiny_mnist())


def training_tab(qtbot, tmp_path, mnist):
    """A shown Training tab on ``mnist`` with its own engine and settings; statuses and errors recorded."""
    configure_pyqtgraph()
    client = EngineClient()
    data = DataManager(client)
    data.mnist = mnist
    statuses, errors = [], []
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(client, data, settings, statuses.append, lambda t, m: errors.append((t, m)))
    t = TrainingTab(ctx)
    t.statuses, t.errors = statuses, errors
    qtbot.addWidget(t)
    t.resize(1200, 800)
    t.show()
    yield t
    t.shutdown()
    assert client.shutdown()


def small_form(t, epochs=2, m=10, eta="3.0", sizes="784, 16, 10"):
    t.form.sizes.setText(sizes)
    t.form.eta.setText(eta)
    t.form.m.setValue(m)
    t.form.epochs.setValue(epochs)
    t.form.lmbda.setText("0")
    t.form.early.setValue(0)
    t.form.schedule.setChecked(False)
    assert t.form.validate_form() is None, t.form.message.text()


def test_start_pause_step_resume_stop(qtbot, tab):
    small_form(tab, epochs=10_000)
    tab.start()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.phase == "training", timeout=5000)
    assert tab.stop_btn.isEnabled() and not tab.start_btn.isEnabled()
    with qtbot.waitSignal(tab.client.jobStateChanged, check_params_cb=lambda s: s == "paused", timeout=3000):
        tab.toggle_pause()
    qtbot.waitUntil(lambda: tab.pause_btn.text() == "Resume" and tab.step_btn.isEnabled(), timeout=3000)
    qtbot.wait(50)  # the last throttled snapshot is flushed on pause
    seen = tab.snapshot.examples_seen
    draws = tab.draws
    qtbot.wait(150)
    assert tab.snapshot.examples_seen == seen and tab.draws == draws  # nothing moves while paused
    tab.step()
    qtbot.waitUntil(lambda: tab.draws > draws, timeout=3000)
    # Exactly one item: the next mini-batch of m=10, or the end-of-epoch evaluation (no new examples).
    if tab.snapshot.epoch_record is None or tab.snapshot.examples_seen != seen:
        assert tab.snapshot.examples_seen == seen + 10
    tab.toggle_pause()  # resume
    qtbot.waitUntil(lambda: tab.snapshot.examples_seen > seen + 100, timeout=5000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)
    assert tab.snapshot.phase == "stopped"
    assert tab.start_btn.isEnabled() and not tab.stop_btn.isEnabled()
    assert "Stopped" in tab.last_message


def test_a_full_run_shows_results_publishes_and_exports(qtbot, tab, tmp_path):
    small_form(tab, epochs=2)
    with qtbot.waitSignal(tab.client.networkChanged, timeout=10_000):
        tab.start()
    qtbot.waitUntil(lambda: not tab.running, timeout=20_000)
    snap = tab.snapshot
    assert snap.phase == "finished"
    # curves drawn: the run's test accuracy curve has the two epoch-end points
    run = tab.plots.runs[1]
    x, y = run.items["test"].getData()
    assert list(x) == [1.0, 2.0] and y[-1] > 80
    # confusion matrix and gallery
    counts = np.array([[int(tab.confusion.item(i, j).text()) for j in range(10)] for i in range(10)])
    assert counts.sum() == 200 and np.trace(counts) == snap.results.correct
    assert tab.gallery.list.count() == len(snap.results.miss_index)
    assert tab.bottom.currentIndex() == 2
    if tab.gallery.list.count() > 1:
        tab.gallery.list.setCurrentRow(1)
        assert f"#{snap.results.miss_index[1]}" in tab.gallery.detail.text()
    # the trained network is published for the other tabs
    shared = tab.client.shared_network
    assert shared is not None and shared.source == "training" and shared.network.sizes == [784, 16, 10]
    # export: CSV with every series, and each plot as PNG and SVG (for slides)
    paths = tab.export(str(tmp_path / "curves.csv"))
    assert sorted(Path(p).name for p in paths) == sorted(
        ["curves.csv", "curves-cost.png", "curves-cost.svg", "curves-accuracy.png", "curves-accuracy.svg"])
    assert all(Path(p).stat().st_size > 0 for p in paths)
    assert "<svg" in Path(tmp_path / "curves-accuracy.svg").read_text(encoding="utf-8")
    text = Path(paths[0]).read_text(encoding="utf-8")
    assert text.startswith("run,series,epoch,value") and "test accuracy" in text and "training cost" in text
    # a second run is overlaid, then runs are cleared
    tab.start()
    qtbot.waitUntil(lambda: not tab.running, timeout=20_000)
    assert len(tab.plots.runs) == 2 and all(run.label in tab.plots.key.text() for run in tab.plots.runs.values())
    tab.clear_runs()
    assert not tab.plots.runs and "run 1:" not in tab.plots.key.text()


def test_divergence_stops_with_a_plain_message_and_the_tab_stays_usable(qtbot, tab):
    small_form(tab, epochs=3, eta="1000")
    tab.form.output.setCurrentIndex(tab.form.output.findData("softmax"))
    tab.form.cost.setCurrentIndex(tab.form.cost.findData("cross-entropy"))
    tab.start()
    qtbot.waitUntil(lambda: not tab.running and tab.snapshot is not None, timeout=10_000)
    assert tab.snapshot.phase == "diverged"
    assert "diverged" in tab.form.message.text() and "smaller learning rate η" in tab.form.message.text()
    assert tab.start_btn.isEnabled()
    small_form(tab, epochs=1)
    tab.form.output.setCurrentIndex(tab.form.output.findData("sigmoid"))
    tab.start()
    qtbot.waitUntil(lambda: not tab.running, timeout=10_000)
    assert tab.snapshot.phase == "finished"


@pytest.mark.parametrize("field, value, words", [
    ("sizes", "784, x, 10", "whole numbers"),
    ("sizes", "700, 30, 10", "784 neurons"),
    ("sizes", "784, 30, 3", "10 neurons"),
    ("eta", "fast", "learning rate η must be a number"),
    ("eta", "-1", "η must be a positive number"),
    ("lmbda", "-2", "λ must be zero or positive"),
    ("m", 700, "larger than the 600 training images"),
    ("early_schedule", None, "schedule needs a no-improvement window"),
])
def test_form_validation_explains_bad_values_before_a_run(qtbot, tab, field, value, words):
    small_form(tab)
    if field == "m":
        tab.form.m.setValue(value)
    elif field == "early_schedule":
        tab.form.schedule.setChecked(True)
    else:
        getattr(tab.form, field).setText(value)
    assert words in tab.form.message.text()
    assert not tab.start_btn.isEnabled()
    tab.start()  # the shortcut or a stale click must not start anything
    assert not tab.running


def test_presets_fill_the_form_and_draw_the_books_figure(qtbot, tab):
    tab.form.apply_preset("ch3-l2-30")
    assert tab.form.sizes.text() == "784, 30, 10" and tab.form.cost.currentData() == "cross-entropy"
    assert tab.form.eta.text() == "0.5" and tab.form.lmbda.text() == "5"
    assert tab.plots.reference.isVisible() and tab.plots.reference.value() == pytest.approx(96.49)
    assert "96.49%" in tab.form.preset_info.text()
    tab.form.apply_preset("ch3-eta-2.5")  # no single number in the book: no line
    assert not tab.plots.reference.isVisible()


def test_settings_round_trip(qtbot, tab, tmp_path):
    tab.form.apply_preset("ch1-100")
    tab.form.eta.setText("0.25")
    s = TabSettings(QSettings(str(tmp_path / "round.ini"), QSettings.Format.IniFormat), tab.title)
    tab.save_settings(s)
    tab.form.apply_preset("ch3-ce-30")
    tab.restore_settings(s)
    assert tab.form.sizes.text() == "784, 100, 10" and tab.form.eta.text() == "0.25"


def test_closing_the_window_during_training_joins_the_thread(qtbot, monkeypatch):
    configure_pyqtgraph()
    window = MainWindow()
    qtbot.addWidget(window)
    window.data.mnist = tiny_mnist()
    tab = next(w for w in window.tab_widgets if isinstance(w, TrainingTab))
    small_form(tab, epochs=10_000)
    tab.start()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.phase == "training", timeout=5000)
    window.close()
    assert not window.client.thread.isRunning()


# ------------------------------------------------------------------------------------ MNIST download
class _Server:
    def __init__(self, files: dict[str, bytes]):
        files = dict(files)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                _, mirror, name = self.path.split("/", 2)
                body = files.get(name)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mirror == "slow":  # a trickle, so a Cancel arrives mid-file
                    for i in range(0, len(body), 512):
                        try:
                            self.wfile.write(body[i:i + 512])
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.02)
                else:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def served(tmp_path, monkeypatch):
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)
    rng = np.random.default_rng(5)
    src = tmp_path / "src"
    src.mkdir()
    for prefix, n in (("train", 240), ("test", 60)):
        write_idx(src / FILES[f"{prefix}_images"], rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(src / FILES[f"{prefix}_labels"], rng.integers(0, 10, n, dtype=np.uint8))
    files = {n: (src / n).read_bytes() for n in FILES.values()}
    server = _Server(files)
    yield server, {n: hashlib.sha256(gzip.decompress(b)).hexdigest() for n, b in files.items()}, \
        {n: len(gzip.decompress(b)) for n, b in files.items()}
    server.close()


def test_download_full_mnist_then_use_it(qtbot, tab, served):
    server, sha, sizes = served
    tab._set_mnist(tab.ctx.data.mnist)  # the fake data says it is the shipped sample
    assert not tab.download.download_btn.isHidden()
    tab.download.mirrors, tab.download.sha256, tab.download.sizes = [server.base + "fast/"], sha, sizes
    tab.download.download_btn.click()
    qtbot.waitUntil(lambda: tab.download.download_id is None and tab.mnist is not None and not tab.mnist.is_sample,
                    timeout=15_000)
    assert len(tab.mnist.training) == 200  # 240 downloaded images, 5/6 for training
    assert tab.download.download_btn.isHidden() and "200 training" in tab.data_label.text()


def test_download_can_be_cancelled(qtbot, tab, served):
    server, sha, sizes = served
    tab._set_mnist(tab.ctx.data.mnist)
    tab.download.mirrors, tab.download.sha256, tab.download.sizes = [server.base + "slow/"], sha, sizes
    tab.download.start_download()
    qtbot.waitUntil(lambda: tab.download.download_bar.value() > 0, timeout=10_000)
    tab.download.cancel_download()
    qtbot.waitUntil(lambda: tab.download.download_id is None, timeout=10_000)
    assert "cancelled" in tab.data_label.text()
    assert not tab.download.download_btn.isHidden() and tab.mnist.is_sample


def test_save_and_open_buttons_ask_the_main_window_through_app_signals(qtbot, tab):
    """No link up to the window: the tab emits the app context's signals; opening ticks "Continue"."""
    with qtbot.waitSignal(tab.ctx.signals.saveNetwork, timeout=1000):
        tab.save_btn.click()
    assert not tab.form.continue_box.isChecked()
    with qtbot.waitSignal(tab.ctx.signals.openNetwork, timeout=1000):
        tab.open_btn.click()
    assert tab.form.continue_box.isChecked()


# ---------------------------------------------------------------------------------------------- issue 14
def test_watch_speed_slows_the_run_and_can_be_changed_while_it_runs(qtbot, tab):
    small_form(tab, epochs=10_000)
    tab.watch.setCurrentIndex(tab.watch.findData("slow"))  # 200 images a second
    assert tab.pace.rate == 200
    tab.start()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.examples_seen >= 50, timeout=5000)
    t0, seen0 = time.perf_counter(), tab.snapshot.examples_seen
    qtbot.wait(1000)
    elapsed, seen = time.perf_counter() - t0, tab.snapshot.examples_seen
    assert seen - seen0 <= 200 * elapsed * 1.5 + 20  # about 200 a second, not thousands
    assert "examples/s" in tab.progress_text.text()
    # paused within a paced wait: nothing moves
    with qtbot.waitSignal(tab.client.jobStateChanged, check_params_cb=lambda s: s == "paused", timeout=3000):
        tab.toggle_pause()
    qtbot.wait(100)
    frozen = tab.snapshot.examples_seen
    qtbot.wait(300)
    assert tab.snapshot.examples_seen == frozen
    tab.toggle_pause()
    tab.watch.setCurrentIndex(tab.watch.findData("full"))  # full speed again, in the same run
    assert tab.pace.rate is None
    qtbot.waitUntil(lambda: tab.snapshot.examples_seen > frozen + 2000, timeout=5000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)


def test_step_shows_what_the_mini_batch_did_and_no_examples_per_second(qtbot, tab):
    small_form(tab, epochs=10_000)
    tab.start()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.examples_seen > 100, timeout=5000)
    with qtbot.waitSignal(tab.client.jobStateChanged, check_params_cb=lambda s: s == "paused", timeout=3000):
        tab.toggle_pause()
    assert not tab.step_text.isVisible()
    for _ in range(2):  # the first Step may end an epoch (its evaluation is one item too)
        draws = tab.draws
        tab.step()
        qtbot.waitUntil(lambda: tab.draws > draws, timeout=3000)
        if tab.snapshot.step is not None:
            break
    step = tab.snapshot.step
    assert step is not None and tab.step_text.isVisible()
    text = tab.step_text.text()
    assert f"mini-batch {step.batch:,} of epoch {step.epoch}" in text and "‖Δw‖" in text and "cost C" in text
    assert f"of {step.size}" in text
    assert "examples/s" not in tab.progress_text.text()
    tab.toggle_pause()  # resumed: the step's report goes away
    qtbot.waitUntil(lambda: not tab.step_text.isVisible(), timeout=3000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)


def test_stop_message_and_epoch_line_count_epochs_the_same_way(qtbot, tab):
    small_form(tab, epochs=10_000)
    tab.start()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.epoch >= 1, timeout=10_000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)
    import re
    epoch_line = int(re.search(r"^Epoch (\d+) \(of 0–9999\)", tab.progress_text.text()).group(1))
    said = int(re.search(r"epoch (\d+)", tab.last_message).group(1))
    assert epoch_line == said == tab.snapshot.epoch >= 1


def test_the_sample_is_never_passed_off_as_the_books_data(qtbot, tab):
    assert tab.mnist.is_sample
    tab.form.apply_preset("ch1-30")
    key = tab.plots.key.text()
    assert "book: 95.42% test on full MNIST" in key and "you are training on the 800-image sample" in key
    assert "800-image sample" in tab.plots.acc.getPlotItem().getAxis("right").toolTip()
    # the banner with the download button sits at the top of the panel, seen without scrolling
    assert tab.data_banner.isVisible() and tab.download.download_btn.isVisible()
    assert tab.data_banner.mapTo(tab, tab.data_banner.rect().bottomLeft()).y() < tab.form.y() + 40
    small_form(tab, epochs=1)
    tab.start()
    qtbot.waitUntil(lambda: not tab.running, timeout=20_000)
    assert "800-image sample, not the book's full MNIST" in tab.statuses[-1]


def test_full_data_has_no_sample_warning(qtbot, tab):
    from dataclasses import replace
    tab._set_mnist(replace(tiny_mnist(), is_sample=False, source="full"))
    tab.form.apply_preset("ch1-30")
    assert "sample" not in tab.plots.key.text() and not tab.data_banner.isVisible()


def test_an_empty_data_folder_is_named_at_start(qtbot, tmp_path):
    configure_pyqtgraph()
    w = MainWindow(str(tmp_path), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.note.isVisible() and "missing 4 of 4 files" in w.note.label.text()
        assert not w.training_tab.data_banner.isHidden()  # (the Training tab is not the one shown)
        assert "missing 4 of 4 files" in w.training_tab.banner_text.text()
        assert w.training_tab.download.download_btn.isHidden()
    finally:
        w.close()


def test_before_full_mnist_is_loaded_the_reference_line_does_not_call_it_the_sample(qtbot, tmp_path, monkeypatch):
    """NNDL_DATA_DIR / --data naming full MNIST: the book's line must not say "you are training on the
    bundled sample" just because the files are read only at Start."""
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)  # so that no path at all means the sample, as on a laptop
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz"):
        (folder / name).write_bytes(b"")  # found by name; read only when a run starts
    gen = training_tab(qtbot, tmp_path, None)
    t = next(gen)
    t.ctx.data.path = str(folder)
    t.form.apply_preset("ch1-30")
    assert t.mnist is None and "book: 95.42% test" in t.plots.key.text()
    assert "sample" not in t.plots.key.text()
    t.ctx.data.path = None  # the bundled sample: it is said before loading too
    t.form.apply_preset("ch1-100")
    assert "you are training on the bundled sample" in t.plots.key.text()
    next(gen, None)  # the helper's teardown: the tab shut down, the engine thread joined


def test_before_any_run_the_plots_show_percent_and_the_planned_epochs_and_the_bars_say_not_started(qtbot, tab):
    """Not 0–1 on every axis (which reads as 0.2–0.8 "% accuracy") and not two blank bars."""
    tab.form.epochs.setValue(30)
    acc, cost = (p.getPlotItem().getViewBox().viewRange() for p in (tab.plots.acc, tab.plots.cost))
    assert acc == [[0.0, 30.0], [0.0, 100.0]] and cost[0] == [0.0, 30.0]
    tab.form.epochs.setValue(10)
    assert tab.plots.acc.getPlotItem().getViewBox().viewRange()[0] == [0.0, 10.0]
    assert tab.epoch_bar.text() == "epoch: not started" and tab.run_bar.text() == "run: not started"
    small_form(tab, epochs=1)
    tab.start()
    qtbot.waitUntil(lambda: not tab.running, timeout=20_000)
    assert tab.epoch_bar.text() == "epoch: 100%" and tab.run_bar.text() == "run: 100%"
    tab.form.epochs.setValue(5)
    tab.clear_runs()  # no curves: back to the empty range, with the form's epochs
    assert tab.plots.acc.getPlotItem().getViewBox().viewRange() == [[0.0, 5.0], [0.0, 100.0]]


@pytest.mark.parametrize("size", [None, (1200, 800)])  # None: the window's minimum size
def test_a_long_key_never_covers_the_plots_and_save_open_stay_in_view(qtbot, tmp_path, size, monkeypatch):
    """The book's line with the sample's words makes the key wrap: it gets the height it needs, below
    the plots' "epoch" labels; a four-line progress text never pushes Save / Open network out of view."""
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)  # the sample's words make the key wrap
    from nndl_gui.app import MIN_SIZE

    configure_pyqtgraph()
    w = MainWindow(None, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    try:
        w.resize(*(size or MIN_SIZE))
        t = w.training_tab
        w.tabs.setCurrentWidget(t)
        t.form.apply_preset("ch3-l2-100")
        t.progress_text.setText("Epoch 3 (of 0–29) · mini-batch 400 / 1,000 · η = 0.5\nEpoch 2 done: test 95.01%"
                                "\nBest validation accuracy so far: 95.12% at epoch 2.\nStopped.")
        qtbot.wait(50)
        key = t.plots.key
        assert key.height() >= key.heightForWidth(key.width()) > key.fontMetrics().height()  # two lines
        for plot in (t.plots.acc, t.plots.cost):
            assert key.geometry().top() >= plot.geometry().bottom()
        for b in (t.save_btn, t.open_btn):
            assert b.visibleRegion().boundingRect() == b.rect(), b.text()
    finally:
        w.close()
