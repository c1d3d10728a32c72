"""The Approximation playground tab, driven as a learner would, with the real engine worker."""

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402

from nndl_gui.app import configure_pyqtgraph  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.engine import approx as A  # noqa: E402
from nndl_gui.engine.io import load_network  # noqa: E402
from nndl_gui.settings import TabSettings  # noqa: E402
from nndl_gui.tabs.playground.tab import PlaygroundTab  # noqa: E402
from nndl_gui.widgets.bump_plot import bump_index, sweep_heights  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402


@pytest.fixture
def env(qtbot, tmp_path):
    configure_pyqtgraph()
    client = EngineClient()
    messages = {"status": [], "error": []}
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(client, DataManager(client), settings, messages["status"].append,
                     lambda t, m: messages["error"].append((t, m)))
    tab = PlaygroundTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab, ctx, messages
    tab.shutdown()
    assert client.shutdown()


def settle(qtbot, tab):
    views = (tab.neuron, tab.bumps, tab.windows, tab.two)
    qtbot.waitUntil(lambda: all(v._latest.idle for v in views), timeout=5000)


def data_to_widget(plot, x, y) -> QPoint:
    vb = plot.getPlotItem().getViewBox()
    return plot.mapFromScene(vb.mapViewToScene(__import__("pyqtgraph").Point(x, y)))


def drag(qtbot, plot, points):
    """A real left-button stroke through ``points`` (data coordinates), sent to the plot's viewport."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    vp = plot.viewport()
    pos = [data_to_widget(plot, x, y) for x, y in points]
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=pos[0])
    for p in pos[1:]:
        QApplication.sendEvent(vp, QMouseEvent(QEvent.Type.MouseMove, QPointF(p), vp.mapToGlobal(QPointF(p)),
                                               Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                                               Qt.KeyboardModifier.NoModifier))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=pos[-1])


def test_bump_index_and_sweep():
    assert [bump_index(x, 5) for x in (-0.3, 0.0, 0.19, 0.2, 0.99, 1.0, 7)] == [0, 0, 0, 1, 4, 4, 4]
    h = sweep_heights(np.zeros(5), None, (0.5, 1.0))
    assert h.tolist() == [0, 0, 1.0, 0, 0]
    h = sweep_heights(h, (0.5, 1.0), (0.95, -0.8))  # a fast sweep fills the bumps skipped over
    assert h[2] == pytest.approx(1.0 + (0.5 - 0.5) * -1.8 / 0.45)
    assert h[3] == pytest.approx(1.0 + (0.7 - 0.5) * (-1.8) / 0.45)
    assert h[4] == pytest.approx(-0.8)
    assert sweep_heights(np.zeros(3), None, (0.5, 1e9), limit=50).max() == 50


def test_least_squares_meets_the_challenge_and_reset(qtbot, env):
    tab, ctx, _ = env
    b = tab.bumps
    tab.views.setCurrentWidget(b)
    settle(qtbot, tab)
    assert b.result is not None and b.result.h.tolist() == [0.0] * 5
    zero_score = b.result.score
    b.fit_btn.click()
    qtbot.waitUntil(lambda: b.fit_result is not None, timeout=5000)
    settle(qtbot, tab)
    assert b.result.score <= 0.40 < zero_score
    np.testing.assert_allclose(b.result.h, A.fit_heights(5))
    assert "Success!" in b.score_label.text()
    assert A.book_verdict(b.result.book_score)[0] in b.score_label.text()
    assert [round(s.value(), 3) for s in b.spins] == [round(v, 3) for v in A.fit_heights(5)]
    b.reset_btn.click()
    settle(qtbot, tab)
    assert b.result.score == pytest.approx(zero_score) and "not below 0.40 yet" in b.score_label.text()
    for spin, v in zip(b.spins, (-1.2, -1.6, -0.5, -1.3, 0.8)):  # passes on the real network, not in the book
        spin.setValue(v)
    settle(qtbot, tab)
    assert "not below 0.40 yet" in b.score_label.text() and "Real network" in b.score_label.text()


def test_dragging_on_the_graph_sets_heights(qtbot, env):
    tab, ctx, _ = env
    b = tab.bumps
    tab.views.setCurrentWidget(b)
    settle(qtbot, tab)
    b.zplot.setYRange(-3, 3, padding=0)
    qtbot.wait(10)
    drag(qtbot, b.zplot, [(0.5, 1.0), (0.9, -1.0)])
    assert b.h[2] == pytest.approx(1.0, abs=0.05)
    assert b.h[4] == pytest.approx(-1.0, abs=0.05)
    assert b.h[3] == pytest.approx(0.0, abs=0.05)  # centre 0.7 is halfway along the sweep
    assert b.h[0] == 0 and b.h[1] == 0
    settle(qtbot, tab)
    np.testing.assert_allclose(b.result.h, b.h)
    assert b.result.weighted[np.searchsorted(b.result.x, 0.5)] == pytest.approx(b.h[2], abs=1e-6)
    assert b.spins[2].value() == pytest.approx(b.h[2], abs=1e-3)
    # a field sets one height too
    b.spins[0].setValue(2.5)
    settle(qtbot, tab)
    assert b.result.h[0] == 2.5


def test_gradient_descent_runs_on_the_worker_with_a_live_error_curve(qtbot, env):
    tab, ctx, messages = env
    b = tab.bumps
    b.steps_spin.setValue(1500)
    b.train_btn.click()
    assert b.training and b.train_btn.text() == "Stop"
    qtbot.waitUntil(lambda: not b.training, timeout=15000)
    settle(qtbot, tab)
    xs, ys = b.e_curve.getData()
    assert len(xs) == 1500 and xs[-1] == 1500  # the whole curve arrives, even though snapshots are throttled
    assert ys[0] > 0.9 and ys[-1] <= 0.40
    assert b.result.score == pytest.approx(ys[-1], abs=1e-9)
    assert not messages["error"]


def test_target_choice_and_drawing_a_target(qtbot, env):
    tab, ctx, _ = env
    b = tab.bumps
    tab.views.setCurrentWidget(b)
    b.target_box.setCurrentIndex(1)  # sine
    settle(qtbot, tab)
    assert b.result is not None and b.target.kind == "sin"
    np.testing.assert_allclose(b.result.f, 0.5 + 0.35 * np.sin(2 * np.pi * b.result.x))
    b.draw_box.setChecked(True)
    b.aplot.setYRange(0, 1, padding=0)
    qtbot.wait(10)
    drag(qtbot, b.aplot, [(x, 0.3 + 0.4 * x) for x in np.linspace(0.05, 0.95, 12)])
    assert b.target.kind == "drawn" and len(b.target.xs) == 12
    settle(qtbot, tab)
    assert b.result.f[np.searchsorted(b.result.x, 0.5)] == pytest.approx(0.5, abs=0.03)
    # a single click is not a curve: a clear message, no crash
    b.set_drawn_target([(0.5, 0.5)])
    assert "at least two points" in b.msg.text()


def test_show_as_network_and_export(qtbot, env, tmp_path):
    tab, ctx, messages = env
    b = tab.bumps
    b.fit_btn.click()
    qtbot.waitUntil(lambda: b.fit_result is not None, timeout=5000)
    b.show_net_btn.click()
    qtbot.waitUntil(lambda: b.dialog is not None, timeout=5000)
    t = b.dialog.table
    assert t.rowCount() == 10
    assert t.item(0, 1).text() == "0"  # b = −1000·0 is −0.0 in floats: shown as "0", never "−0"
    assert all("-0" != t.item(r, c).text() for r in range(10) for c in range(4))
    assert t.item(0, 0).text() == "1000" and t.item(2, 1).text() == "-200"
    assert float(t.item(4, 3).text()) == pytest.approx(b.h[2], rel=1e-3)
    assert float(t.item(5, 3).text()) == pytest.approx(-b.h[2], rel=1e-3)
    for name in ("design.npz", "design.json"):
        path = tmp_path / name
        b.export(str(path))
        qtbot.waitUntil(lambda: path.exists(), timeout=5000)
        net = load_network(path, dtype=np.float64)
        np.testing.assert_allclose(A.heights_of(net), b.h, rtol=1e-6)
    b.export(str(tmp_path / "design.txt"))
    qtbot.waitUntil(lambda: bool(messages["error"]), timeout=5000)
    assert ".npz or .json" in messages["error"][0][1]


def test_one_neuron_step_mode(qtbot, env):
    tab, ctx, _ = env
    n = tab.neuron
    n.w_spin.setValue(20.0)
    n.b_spin.setValue(-10.0)
    settle(qtbot, tab)
    assert n.result.s == pytest.approx(0.5) and "0.5" in n.s_label.text()
    n.step_mode.setChecked(True)
    n.s_spin.setValue(0.3)
    settle(qtbot, tab)
    assert n.w_spin.value() == 1000 and n.b_spin.value() == pytest.approx(-300)
    a = n.result.a[np.searchsorted(n.result.x, [0.28, 0.32])]
    assert a[0] < 1e-6 and a[1] > 1 - 1e-6
    assert not n.w_spin.isEnabled()
    n.w_spin.setValue(0.0)  # (disabled in step mode, but the view copes with w = 0)
    n.step_mode.setChecked(False)
    n.w_spin.setValue(0.0)
    settle(qtbot, tab)
    assert n.result.s is None and "no step" in n.s_label.text()


def test_weight_slider_is_logarithmic_so_small_w_can_be_set(qtbot, env):
    from nndl_gui.tabs.playground.neuron import SLIDER_STEPS, slider_to_value, value_to_slider

    tab, ctx, _ = env
    n = tab.neuron
    sl = n.w_slider
    assert (sl.minimum(), sl.maximum()) == (-SLIDER_STEPS, SLIDER_STEPS)
    # a short drag (a tenth of the track) from w = 8 stays among small weights, not 8 → 986
    n.w_spin.setValue(8.0)
    start = sl.value()
    sl.setValue(start + SLIDER_STEPS // 10)
    assert 8.0 < n.w_spin.value() < 20.0
    # a third of the way covers |w| ≤ 10; the ends reach ±1000; the mapping round-trips
    assert slider_to_value(SLIDER_STEPS // 3, 1000) < 10.0 and slider_to_value(SLIDER_STEPS, 1000) == pytest.approx(1000)
    assert slider_to_value(-SLIDER_STEPS, 1000) == pytest.approx(-1000) and slider_to_value(0, 1000) == 0
    for pos in (-1000, -373, -1, 0, 1, 250, 999):
        assert value_to_slider(slider_to_value(pos, 1000), 1000) == pos
    n.w_spin.setValue(0.5)  # typing a value moves the slider to it
    assert slider_to_value(sl.value(), 1000) == pytest.approx(0.5, abs=0.01)


def test_windows_of_failure_and_two_inputs(qtbot, env):
    tab, ctx, _ = env
    tab.views.setCurrentWidget(tab.windows)
    settle(qtbot, tab)
    d = tab.windows.result.data
    assert d["maxM"] < d["max1"]
    tab.windows.m_spin.setValue(1)
    settle(qtbot, tab)
    assert tab.windows.result.data["maxM"] == pytest.approx(tab.windows.result.data["max1"])
    two = tab.two
    tab.views.setCurrentWidget(two)
    two.mode_box.setCurrentText("tower")
    settle(qtbot, tab)
    r = two.result
    assert r.mode == "tower" and r.output.max() > 0.99 and r.output[0, 0] < 1e-3
    assert tuple(two.right_img.getLevels()) == (0, 1)
    two.mode_box.setCurrentText("many towers")
    two.k_spin.setValue(16)
    settle(qtbot, tab)
    assert two.result.mean_error < 0.03 and "Mean |a − f|" in two.info.text()
    two.mode_box.setCurrentText("x-bump")
    two.sx1.setValue(0.8)  # s1 > s2: a message, not a crash
    settle(qtbot, tab)
    assert "s1 < s2" in two.msg.text()


def test_settings_round_trip(qtbot, env, tmp_path):
    tab, ctx, _ = env
    tab.bumps.set_heights([0.5, -0.25, 1.0])
    tab.bumps.target_box.setCurrentIndex(2)
    tab.views.setCurrentIndex(2)
    qs = QSettings(str(tmp_path / "round.ini"), QSettings.Format.IniFormat)
    s = TabSettings(qs, tab.title)
    tab.save_settings(s)
    other = PlaygroundTab(ctx)
    qtbot.addWidget(other)
    other.restore_settings(s)
    assert other.bumps.h.tolist() == [0.5, -0.25, 1.0] and other.bumps.n_spin.value() == 3
    assert other.bumps.target.kind == "abs" and other.views.currentIndex() == 2
    qs.setValue(s.prefix + "h", "nonsense,1")
    qs.setValue(s.prefix + "w", "x")
    other.restore_settings(s)  # bad values are ignored
    assert other.bumps.h.tolist() == [0.5, -0.25, 1.0]
    other.shutdown()
    settle(qtbot, tab)
