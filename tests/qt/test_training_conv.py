"""The Training tab with chapter-6 layer stacks: the editor, the presets, a live conv run on the real worker."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.engine.convnet import ConvNet  # noqa: E402
from nndl_gui.presets import CH6_PRESETS  # noqa: E402
from nndl_gui.settings import TabSettings  # noqa: E402
from nndl_gui.engine.convnet import parse_layers  # noqa: E402
from nndl_gui.tabs.training.stack_editor import spec_text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_training_job import tiny_mnist  # noqa: E402
from test_training_tab import training_tab  # noqa: E402


@pytest.fixture
def tab(qtbot, tmp_path):
    yield from training_tab(qtbot, tmp_path, tiny_mnist(n_train=300, n_val=100, n_test=100))


def build_stack(form) -> None:
    """Through the editor's buttons and fields: conv 4×5×5 pool 2 sigmoid → fc 12 → softmax 10."""
    ed = form.stack
    form.network.setCurrentIndex(form.network.findData("layers"))
    while ed.list.count():
        ed.list.setCurrentRow(0)
        ed.remove_btn.click()
    ed.add_softmax.click()
    ed.add_conv.click()  # goes first: conv layers come before the others
    ed.units.setValue(4)
    ed.kernel.setValue(5)
    ed.pool.setValue(2)
    ed.activation.setCurrentIndex(ed.activation.findData("sigmoid"))
    ed.add_fc.click()  # goes before the softmax
    ed.units.setValue(12)
    ed.dropout.setValue(0.2)


def test_the_editor_builds_reorders_and_checks_a_layer_stack(qtbot, tab):
    form = tab.form
    build_stack(form)
    assert form.stack.spec() == [
        {"type": "conv", "filters": 4, "size": 5, "pool": 2, "activation": "sigmoid"},
        {"type": "fc", "n_out": 12, "activation": "relu", "dropout": 0.2},
        {"type": "softmax", "n_out": 10, "dropout": 0.0}]
    assert "28×28 → 4×12×12 → 12 → 10" in form.stack.shapes.text()
    assert not form.sizes.isVisible() and form.stack.isVisible() and form.expanded.isVisible()
    assert form.validate_form() is None and tab.start_btn.isEnabled()
    # moving the fc layer above the conv layer is explained, and blocks Start until moved back
    form.stack.list.setCurrentRow(1)
    form.stack.up_btn.click()
    assert "cannot follow a fully connected layer" in form.message.text() and not tab.start_btn.isEnabled()
    form.stack.down_btn.click()
    assert form.message.text() == "" and tab.start_btn.isEnabled()
    # the request is the editor's stack, with network3.py's output and cost
    req = form.request()
    assert list(req.layers) == form.stack.spec() and req.sizes == (784, 576, 12, 10)
    assert (req.output, req.cost) == ("softmax", "log-likelihood")
    # fully connected networks: the switch brings back the sizes row and hides the editor
    form.network.setCurrentIndex(form.network.findData("sizes"))
    assert form.sizes.isVisible() and not form.stack.isVisible() and form.request().layers == ()


def test_chapter_6_presets_fill_the_stack_and_draw_the_books_figure(qtbot, tab):
    titles = [tab.form.preset.itemText(i) for i in range(tab.form.preset.count())]
    assert all(p.title in titles for p in CH6_PRESETS.values())
    tab.form.apply_preset("ch6-dbl-conv-relu")
    p = CH6_PRESETS["ch6-dbl-conv-relu"]
    assert tab.form.is_stack and tab.form.stack.spec() == p.layer_spec()
    assert tab.form.eta.text() == "0.03" and tab.form.lmbda.text() == "0.1" and not tab.form.expanded.isChecked()
    assert tab.plots.reference.isVisible() and tab.plots.reference.value() == pytest.approx(99.23)
    tab.form.apply_preset("ch6-expanded")
    assert tab.form.expanded.isChecked() and tab.form.request().expanded
    tab.form.apply_preset("ch3-ce-30")  # back to a fully connected preset
    assert not tab.form.is_stack and tab.form.sizes.text() == "784, 30, 10"


def test_a_conv_run_updates_filters_and_feature_maps_and_reports_the_best_validation_epoch(qtbot, tab):
    build_stack(tab.form)
    tab.form.eta.setText("0.5")
    tab.form.m.setValue(10)
    tab.form.epochs.setValue(3)
    tab.form.limit.setValue(0)
    tab.form.lmbda.setText("0")
    assert tab.form.validate_form() is None, tab.form.message.text()
    drawn = []  # (filters, maps of the conv layer) arrays of every conv view drawn
    original = tab.conv_view.set_view

    def spy(view):
        original(view)
        if view is not None:
            drawn.append((tab.conv_view.filters.array, tab.conv_view.maps[0].array))

    tab.conv_view.set_view = spy
    tab.start()
    assert tab.bottom.currentWidget() is tab.conv_view  # a layer stack shows its filters, not 28×28 weights
    qtbot.waitUntil(lambda: not tab.running, timeout=30_000)
    snap = tab.snapshot
    assert snap.phase == "finished", snap.message
    assert len(drawn) >= 2
    first, last = drawn[0], drawn[-1]
    assert first[0].shape == last[0].shape == (2 * 6 - 1, 2 * 6 - 1)  # 4 filters 5×5 in a 2×2 grid
    # the filters learned: what is drawn last is not the network the run started from (the job builds it
    # from the request's seed); comparing two drawn views instead would depend on when a loaded machine
    # let the GUI thread draw
    start = ConvNet(tab.form.stack.spec(), rng=np.random.default_rng(tab.form.request().seed))
    assert not np.allclose(last[0][:5, :5], start.layers[0].w[0, 0], atol=1e-6)
    if len(drawn) > 2 or not np.allclose(first[0], last[0], equal_nan=True):
        # and the digit's feature maps changed with them
        assert any(not np.allclose(first[1], d[1], equal_nan=True) for d in drawn[1:])
    # what is drawn is the live network's: the published network's first-layer filters
    net = tab.client.shared_network.network
    assert isinstance(net, ConvNet)
    np.testing.assert_allclose(last[0][:5, :5], net.layers[0].w[0, 0], rtol=1e-6)
    # network3.py's report: best validation accuracy and the test accuracy at that epoch
    best = snap.best
    x, y = snap.curves.val_x, snap.curves.val_y
    at_epoch_ends = y[(x >= 1) & (x == np.round(x))]  # live points within an epoch are on a subset
    assert len(at_epoch_ends) == 3 and best is not None
    assert best.validation_accuracy == max(at_epoch_ends) and best.epoch == int(np.argmax(at_epoch_ends))
    assert "Best validation accuracy" in tab.results_caption.text()
    assert f"test accuracy at that epoch {best.test_accuracy:.2%}" in tab.results_caption.text()
    assert any("Best validation accuracy" in s for s in tab.statuses)
    # choosing another digit redraws its feature maps from the trained network
    n_before = len(drawn)
    tab.conv_view.digit.setValue(5)
    qtbot.waitUntil(lambda: len(drawn) > n_before, timeout=5000)
    assert tab.conv_view.current.digit_index == 5
    expected = tab.ctx.data.mnist.validation.images[5].reshape(28, 28) / 255.0
    np.testing.assert_allclose(tab.conv_view.input.array, expected, atol=1e-6)


def test_stack_settings_round_trip(qtbot, tab, tmp_path):
    build_stack(tab.form)
    tab.form.expanded.setChecked(True)
    tab.conv_view.digit.setValue(42)
    s = TabSettings(QSettings(str(tmp_path / "round.ini"), QSettings.Format.IniFormat), tab.title)
    tab.save_settings(s)
    spec = tab.form.stack.spec()
    tab.form.apply_preset("ch1-30")
    tab.conv_view.digit.setValue(0)
    tab.restore_settings(s)
    assert tab.form.is_stack and tab.form.stack.spec() == spec and tab.form.expanded.isChecked()
    assert tab.conv.probe.index == 42


def test_stack_text_round_trips_through_the_trainers_syntax():
    spec = parse_layers("conv20x5-pool2-relu,conv40x3-pool1-tanh,fc100-sigmoid-drop0.5,softmax10-drop0.25")
    assert parse_layers(spec_text(spec)) == spec


def test_stop_during_a_conv_run_keeps_the_network_and_the_tab_usable(qtbot, tab):
    build_stack(tab.form)
    tab.form.epochs.setValue(1000)
    tab.start()
    qtbot.waitUntil(lambda: tab.snapshot is not None and tab.snapshot.phase == "training"
                    and tab.snapshot.batch > 3, timeout=10_000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)
    assert tab.snapshot.phase == "stopped" and "Stopped by the user" in tab.last_message
    assert isinstance(tab.client.shared_network.network, ConvNet) and tab.start_btn.isEnabled()


def test_before_start_a_chapter_6_preset_says_how_long_the_run_takes_here(qtbot, tab):
    """ch6-dropout is 40 epochs of 5 × the images: the tab says so, timed on this machine, before Start."""
    assert not tab.estimate.isVisibleTo(tab)  # a fully connected form: epochs take a second
    tab.form.apply_preset("ch6-dropout")
    qtbot.waitUntil(lambda: tab.estimate.estimate is not None, timeout=10_000)
    est = tab.estimate.estimate
    n = len(tab.mnist.training) * 5  # Expanded data: each image and its four one-pixel shifts
    assert est.n_train == n and est.epochs == 40 and est.timing.seconds_per_batch > 0
    text = tab.estimate.text()
    assert tab.estimate.isVisibleTo(tab) and f"per epoch on {n:,} images" in text and "40 epochs ≈" in text
    assert "Stop keeps the network" in text
    timed = est.timing
    tab.form.epochs.setValue(4)  # only the arithmetic changes: no second timing
    assert tab.estimate.estimate.timing is timed and "4 epochs ≈" in tab.estimate.text()
    assert tab.estimate.estimate.run_seconds == pytest.approx(est.run_seconds / 10)
    tab.form.network.setCurrentIndex(tab.form.network.findData("sizes"))
    assert not tab.estimate.isVisibleTo(tab)


def test_while_a_conv_run_trains_the_progress_line_says_what_is_left(qtbot, tab):
    build_stack(tab.form)
    tab.form.epochs.setValue(50)
    tab.start()
    assert not tab.estimate.isVisibleTo(tab)  # the running line takes over
    qtbot.waitUntil(lambda: "left" in tab.progress_text.text(), timeout=20_000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)
    assert "left" not in tab.progress_text.text() and tab.estimate.isVisibleTo(tab)


def test_no_preset_makes_the_left_panel_wider_than_its_scroll_area(qtbot, tab):
    """A panel wider than its viewport is scrolled sideways by focus changes: every right edge clipped."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    from nndl_gui.presets import ALL_PRESETS

    scroll = tab.findChild(QScrollArea)
    for name in ALL_PRESETS:
        tab.form.apply_preset(name)
        QApplication.processEvents()  # the layout settles
        assert scroll.horizontalScrollBar().maximum() == 0, name
        assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width(), name


def _wheel(widget, down=True):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, -120 if down else 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_panel_and_never_changes_a_field_it_passes(qtbot, tab):
    """Scrolling the form down to Start must not turn the epochs, m or a combo box on the way."""
    from PySide6.QtWidgets import QScrollArea

    tab.form.apply_preset("ch6-dropout")  # a long form: the panel scrolls
    scroll = tab.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    epochs, m, sigma = tab.form.epochs.value(), tab.form.m.value(), tab.form.stack.activation.currentIndex()
    tab.setFocus()
    for widget in (tab.form.epochs, tab.form.m, tab.form.stack.activation, tab.form.eta):
        before = bar.value()
        _wheel(widget)
        assert bar.value() > before or bar.value() == bar.maximum()
    assert (tab.form.epochs.value(), tab.form.m.value(), tab.form.stack.activation.currentIndex()) == (epochs, m, sigma)
    tab.form.epochs.setFocus()  # clicked into: the wheel turns it, as a learner expects
    _wheel(tab.form.epochs, down=False)
    assert tab.form.epochs.value() == epochs + 1
