"""The Draw tab end to end: real mouse strokes → the 28×28 view and the guess; network choice;
stale answers dropped; clear / undo; examples; send to inspector."""

import math

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nndl_gui.app import configure_pyqtgraph  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.settings import TabSettings  # noqa: E402
from nndl_gui.engine.network import Network  # noqa: E402
from nndl_gui.tabs.draw import DrawTab  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402


@pytest.fixture
def tab(qtbot, tmp_path):
    configure_pyqtgraph()
    client = EngineClient()
    errors, statuses = [], []
    ctx = AppContext(client, DataManager(client), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                     statuses.append, lambda title, text: errors.append((title, text)))
    t = DrawTab(ctx)
    t.errors, t.statuses = errors, statuses
    qtbot.addWidget(t)
    t.resize(1100, 650)
    t.show()
    qtbot.waitUntil(lambda: t.network is not None, timeout=10000)
    yield t
    t.shutdown()
    assert client.shutdown()


def settled(tab):
    return tab._latest.idle and not tab._dirty and not tab._throttle.isActive()


def mouse(widget, kind, canvas_xy, buttons=Qt.MouseButton.LeftButton):
    """Send a real QMouseEvent at canvas pixel (x, y), mapped to the widget's coordinates."""
    r = widget.target_rect()
    s = r.width() / widget.size_px
    pos = QPointF(r.left() + canvas_xy[0] * s, r.top() + canvas_xy[1] * s)
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else buttons
    event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def draw_with_mouse(qtbot, canvas, points):
    mouse(canvas, QEvent.Type.MouseButtonPress, points[0])
    for p in points[1:]:
        mouse(canvas, QEvent.Type.MouseMove, p)
    mouse(canvas, QEvent.Type.MouseButtonRelease, points[-1])


def circle(cx, cy, rx, ry, n=40):
    return [(cx + rx * math.sin(2 * math.pi * i / n), cy - ry * math.cos(2 * math.pi * i / n)) for i in range(n + 1)]


def test_drawing_with_the_mouse_updates_the_view_and_the_guess(qtbot, tab):
    assert tab.result is None and tab.digit_label.text() == ""  # empty canvas: no guess
    # a "1": one vertical stroke in the left part of the canvas
    draw_with_mouse(qtbot, tab.canvas, [(90, 40 + 4 * i) for i in range(50)])
    assert tab.canvas.to_array()[120, 90] < 50  # ink on the canvas where the mouse went
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    seen_one = np.array(tab.seen_image.image)
    assert seen_one.shape == (28, 28) and seen_one.max() == pytest.approx(1.0)
    cols = np.flatnonzero(seen_one.max(axis=0) > 0.5)
    assert cols.min() >= 11 and cols.max() <= 17  # centred by its centre of mass, not on the left
    assert tab.result.digit == 1 and tab.digit_label.text() == "1"
    assert tab.bars.opts["height"][1] == pytest.approx(max(tab.bars.opts["height"]))
    assert tab.saliency_image.image.shape == (28, 28, 4) and tab.saliency_image.image[..., 3].max() > 0
    assert "e-0" not in tab.saliency_legend.text() and "e+0" not in tab.saliency_legend.text()  # 3.26×10⁻⁵

    # Esc clears: no guess
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.result is None, timeout=3000)
    assert tab.digit_label.text() == "" and tab.canvas.is_blank()

    # a "0": an ellipse
    draw_with_mouse(qtbot, tab.canvas, circle(150, 140, 60, 95))
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    seen_zero = np.array(tab.seen_image.image)
    assert tab.result.digit == 0 and tab.digit_label.text() == "0"
    assert seen_zero[14, 14] < 0.2 and np.abs(seen_zero - seen_one).sum() > 50  # a hole in the middle

    # Ctrl+Z takes the stroke away again
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.result is None, timeout=3000)
    assert tab.canvas.strokes == []


def test_live_predictions_are_throttled_and_the_last_one_always_comes(qtbot, tab, monkeypatch):
    calls = []
    real = tab.ctx.client.run_task
    monkeypatch.setattr(tab.ctx.client, "run_task", lambda *a, **k: (calls.append(a[0]), real(*a, **k))[1])
    tab.canvas.begin_stroke(QPointF(140, 30))
    for i in range(200):  # 200 moves in one go: no time passes, so at most one live request
        tab.canvas.extend_stroke(QPointF(140 + 20 * math.sin(i / 10), 30 + i))
    tab.canvas.end_stroke()
    qtbot.waitUntil(lambda: settled(tab) and tab.result is not None, timeout=5000)
    assert 1 <= len(calls) <= 3
    # the answer shown is for the whole stroke
    assert tab.result.request == tab._request


def test_stale_answers_are_dropped(qtbot, tab):
    tab.canvas.draw_stroke([(140, 40), (140, 240)])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    tab.canvas.draw_stroke([(60, 60), (200, 200)])  # a new answer is asked for …
    assert not tab._latest.idle
    tab.canvas.clear()  # … and made stale before it arrives: the canvas is blank now
    qtbot.waitUntil(lambda: settled(tab), timeout=5000)
    assert tab.result is None  # the older answer was ignored: the tab shows the empty canvas
    assert tab._latest.dropped == 1


def test_uses_a_published_network_and_says_so_and_ignores_ones_that_cannot_read_digits(qtbot, tab):
    assert "shipped" in tab.network_label.text() and "resources/" in tab.network_label.text()
    tab.canvas.draw_stroke([(140, 40), (140, 240)])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    four = Network([784, 10], output="softmax", cost="log-likelihood", rng=0)
    four.params[0][:, :] = 0
    four.params[0][4, -1] = 5.0  # always answers 4
    with qtbot.waitSignal(tab.ctx.client.networkChanged, timeout=5000):
        tab.ctx.client.set_network(four, "four-only test network", "training")
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.digit == 4 and settled(tab), timeout=5000)
    assert "four-only" in tab.network_label.text() and "Training tab" in tab.network_label.text()
    assert "probabilities" in tab.bars_caption.text() and "not" not in tab.bars_caption.text()
    assert sum(tab.bars.opts["height"]) == pytest.approx(1.0)
    with qtbot.waitSignal(tab.ctx.client.networkChanged, timeout=5000):
        tab.ctx.client.set_network(Network([1, 5, 1], rng=0), "a playground network", "playground")
    assert tab.network.sizes == [784, 10] and "four-only" in tab.network_label.text()
    assert any("784 inputs" in s for s in tab.statuses)


def test_send_to_inspector_hands_over_the_28x28_input(qtbot, tab):
    tab.send_to_inspector()
    assert tab.errors and "Nothing to send" in tab.errors[-1][0]  # empty canvas: a clear message
    tab.canvas.draw_stroke([(140, 40), (140, 240)])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    with qtbot.waitSignal(tab.ctx.signals.sendToInspector, timeout=1000) as sent, \
            qtbot.waitSignal(tab.ctx.signals.showTab, timeout=1000) as shown:
        tab.inspector_button.click()
    x, label, text = sent.args
    assert x.shape == (784,) and x.dtype == np.float32 and label == -1 and text == "drawn digit"
    np.testing.assert_array_equal(x, tab.result.image.reshape(-1))
    assert shown.args == ["Backprop inspector"]


def test_mnist_example_goes_on_the_canvas_with_its_label(qtbot, tab):
    tab.index_box.setValue(3)
    tab.index_button.click()
    qtbot.waitUntil(lambda: tab.canvas.background is not None, timeout=20000)
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    mnist = tab.ctx.data.mnist
    label = int(mnist.test.labels[3])
    assert tab._example_label == label and f"#3 (a {label})" in tab.example_label.text()
    assert f"MNIST label: <b>{label}</b>" in tab.digit_caption.text()
    # what the network sees is close to the MNIST image itself
    original = mnist.test.images[3].reshape(28, 28) / 255.0
    seen = tab.result.image
    assert (seen * original).sum() / np.sqrt((seen ** 2).sum() * (original ** 2).sum()) > 0.9
    assert tab.canvas.undo() and tab.canvas.is_blank()  # undo removes the example


def test_settings_round_trip(qtbot, tab, tmp_path):
    s = TabSettings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat), tab.title)
    tab.pen.setValue(33)
    tab.show_saliency.setChecked(False)
    tab.save_settings(s)
    tab.pen.setValue(10)
    tab.show_saliency.setChecked(True)
    tab.restore_settings(s)
    assert tab.pen.value() == 33 and tab.canvas.pen_width == 33 and not tab.show_saliency.isChecked()


# ---------------------------------------------------------------------------------------------- issue 14
def test_before_anything_is_drawn_the_answer_is_an_empty_frame_not_a_black_bar(qtbot, tab):
    assert tab.digit_label.text() == "" and "dashed" in tab.digit_label.styleSheet()
    assert "one of the ten digits" in tab.novelty_label.text()
    tab.canvas.draw_stroke([(140, 40), (140, 240)])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    assert tab.digit_label.text() == "1" and "dashed" not in tab.digit_label.styleSheet()
    assert tab.novelty_label.text() == ""  # a digit: no warning


def test_a_dot_and_a_scribble_are_flagged_as_no_digit(qtbot, tab):
    # a dot: a short wiggle with a thick pen, drawn with real mouse events
    tab.pen.setValue(40)
    draw_with_mouse(qtbot, tab.canvas, [(150, 150), (153, 152), (151, 155), (149, 151)])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    assert tab.result.novelty.flagged
    text = tab.novelty_label.text()
    assert "does not look like a handwritten digit" in text and "only answer one of the ten digits" in text
    assert f"says {tab.result.digit} anyway" in text and "#a0a0a0" in tab.digit_label.styleSheet()
    # a scribble: a tangle of strokes back and forth
    tab.canvas.clear()
    tab.pen.setValue(20)
    rng = np.random.default_rng(3)
    draw_with_mouse(qtbot, tab.canvas, [tuple(p) for p in rng.uniform(80, 200, (60, 2))])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=5000)
    assert tab.result.novelty.flagged and "does not look like" in tab.novelty_label.text()


def test_a_network_trained_in_the_training_tab_is_named_once(qtbot, tab):
    net = Network([784, 10], rng=0)
    with qtbot.waitSignal(tab.ctx.client.networkChanged, timeout=5000):
        tab.ctx.client.set_network(net, "trained in the Training tab: [784, 10], 1 epoch", "training")
    qtbot.waitUntil(lambda: "[784, 10]" in tab.network_label.text(), timeout=3000)
    assert tab.network_label.text().count("trained in the Training tab") == 1


def test_the_network_selector_shows_each_shipped_networks_name_whole(qtbot, tab):
    """"Shipped conv net trained on drawn-like d" was all a learner could read of the default choice."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from nndl_gui.jobs.draw import shipped_networks

    combo = tab.chooser.combo
    tab.resize(1024, 640)  # about the window's minimum size less its menu and tab bars
    QApplication.processEvents()
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    shipped = [combo.itemText(i) for i in range(len(shipped_networks()))]
    assert shipped and all(combo.fontMetrics().horizontalAdvance(t) <= room for t in shipped), (shipped, room)
    assert all(combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(len(shipped)))  # the full sentence
