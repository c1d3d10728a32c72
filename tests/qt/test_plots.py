"""Live curve plots: axes follow the data but move seldom; the learner's own zoom wins."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest

pytest.importorskip("PySide6")

from nndl_gui.jobs.training import Curves  # noqa: E402
from nndl_gui.widgets.plots import (  # noqa: E402
    SERIES, CurvePlots, SpeedPlot, decade_label, export_image, nice_ceil, steady_range,
)


def test_nice_ceil():
    assert [nice_ceil(v) for v in (0.3, 1, 1.1, 2.5, 7, 30, 101)] == [0.5, 1, 2, 5, 10, 50, 200]


def test_steady_range_holds_until_the_data_leave_it_or_shrink_a_lot():
    r = steady_range(0.1, 2.0, None, bounds=(0, np.inf))
    assert r[0] == 0 and r[1] >= 2.0
    assert steady_range(0.1, 1.9, r, bounds=(0, np.inf)) is None  # a little change: the axis stays
    assert steady_range(0.1, 1.2, r, bounds=(0, np.inf)) is None
    moved = steady_range(0.05, 0.3, r, bounds=(0, np.inf))  # the cost fell to a sixth: zoom in
    assert moved is not None and moved[1] < 1.0 and moved[0] <= 0.05
    grown = steady_range(0.1, 3.0, r, bounds=(0, np.inf))  # data left the range: it grows
    assert grown[1] >= 3.0
    acc = steady_range(90.0, 99.9, None, bounds=(0, 100))
    assert acc[1] == 100 and acc[0] <= 90


def curves(n_points: int, epochs_done: float, cost_scale: float = 2.0, acc0: float = 0.9, gain: float = 0.09,
           first: float | None = None) -> Curves:
    x = np.linspace(0, epochs_done, n_points)
    cost = cost_scale * np.exp(-x)
    acc = acc0 + gain * (1 - np.exp(-x))
    if first is not None:
        acc[0] = first  # the untrained network's accuracy at epoch 0
    empty = np.zeros(0)
    return Curves(cost_x=x, cost_y=cost, train_x=x, train_y=acc, val_x=x, val_y=acc - 0.01,
                  test_x=x[x == np.round(x)], test_y=acc[x == np.round(x)], val_cost_x=empty, val_cost_y=empty,
                  speed_x=empty, speed_y=np.zeros((0, 0)))


def view(plot):
    return plot.getPlotItem().getViewBox().viewRange()


def test_axes_follow_the_data_and_move_seldom_and_the_users_zoom_wins(qtbot):
    p = CurvePlots()
    qtbot.addWidget(p)
    p.resize(800, 300)
    p.show()
    p.add_run(1, "run 1", epochs=30)
    ranges = []
    for i in range(1, 301):  # 30 epochs, ten live points each
        p.update_run(1, curves(i + 1, i / 10))
        (x0, x1), (y0, y1) = view(p.cost)
        assert x0 <= 0 and x1 >= i / 10 and y0 <= 2.0 * np.exp(-i / 10) and y1 >= 2.0
        ranges.append((round(x1, 6), round(y0, 6), round(y1, 6)))
    assert view(p.cost)[0][1] == pytest.approx(30)  # the planned epochs bound the axis
    moves = sum(a != b for a, b in zip(ranges, ranges[1:]))
    assert moves <= 15, moves  # 300 updates, a handful of axis changes
    (ax0, ax1), (ay0, ay1) = view(p.acc)
    settled = 90 + 9 * (1 - np.exp(-1.0))  # the accuracy at the first epoch end: the axis starts near it
    assert 85 <= ay0 <= settled and 98.9 <= ay1 <= 100

    # The learner zooms in: updates no longer move the view ...
    vb = p.cost.getPlotItem().getViewBox()
    vb.setRange(xRange=(2, 3), yRange=(0.1, 0.3), padding=0)
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])
    p.update_run(1, curves(400, 35.0))
    assert view(p.cost)[0] == pytest.approx([2, 3])
    # ... until they press pyqtgraph's "A" (auto range): then the plot follows the data again.
    vb.enableAutoRange()
    p.update_run(1, curves(401, 36.0))
    assert view(p.cost)[0][1] >= 36.0
    assert not any(vb.state["autoRange"])


def test_the_plots_show_the_last_runs_and_export_keeps_them_all(qtbot, tmp_path):
    p = CurvePlots()
    qtbot.addWidget(p)
    dropped = []
    for run in range(1, p.MAX_RUNS + 4):
        dropped.append(p.add_run(run, f"run {run}", epochs=2))
        p.update_run(run, curves(5, 2.0))
    assert dropped[:p.MAX_RUNS] == [None] * p.MAX_RUNS and dropped[p.MAX_RUNS:] == ["run 1", "run 2", "run 3"]
    assert list(p.runs) == list(range(4, p.MAX_RUNS + 4))
    items = p.cost.getPlotItem().listDataItems() + p.acc.getPlotItem().listDataItems()
    assert len(items) == len(SERIES) * p.MAX_RUNS  # the old runs' curves really left the plots
    assert len({run.color for run in p.runs.values()}) == p.MAX_RUNS  # every shown run has its own colour
    p.export_csv(tmp_path / "curves.csv")
    text = (tmp_path / "curves.csv").read_text()
    assert all(f"run {k}," in text for k in range(1, p.MAX_RUNS + 4))
    p.clear_runs()
    assert not p.runs and not p.retired


def on_screen(qtbot, widget, width: int, height: int):
    """``widget`` shown (offscreen) at a size like the Training tab gives it."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def shown_plots(qtbot):
    return on_screen(qtbot, CurvePlots(), 900, 320)


def test_the_accuracy_axis_fits_the_data_not_0_to_100(qtbot):
    """Curves at 95–98% after the first epoch (from 10% at epoch 0): the axis lies within 85–100."""
    p = CurvePlots()
    qtbot.addWidget(p)
    p.add_run(1, "run 1", epochs=10)
    p.update_run(1, curves(60, 6.0, acc0=0.95, gain=0.03, first=0.10))
    (_, _), (y0, y1) = view(p.acc)
    assert 85 <= y0 <= 95.0 + 3 * (1 - np.exp(-1)) and 98 <= y1 <= 100, (y0, y1)
    # Only the first epoch: the climb from 10% is all there is to show.
    p.clear_runs()
    p.add_run(2, "run 2", epochs=10)
    p.update_run(2, curves(10, 0.9, acc0=0.95, gain=0.03, first=0.10))
    assert view(p.acc)[1][0] <= 10


def test_test_validation_and_training_lines_differ_and_have_a_key(qtbot):
    p = CurvePlots()
    qtbot.addWidget(p)
    p.add_run(1, "run 1")
    pens = {name: p.runs[1].items[name].opts["pen"] for name in ("test", "val", "train")}
    assert len({pen.style() for pen in pens.values()}) == 3
    assert min(pen.widthF() for pen in pens.values()) >= 2
    key = p.key.text()
    assert "run 1" in key and p.runs[1].color in key  # the run by its colour
    assert key.index("test") < key.index("validation") < key.index("training")
    p.set_series_visible("train", False)
    assert "training" not in p.key.text() and not p.runs[1].items["train"].isVisible()


def wheel(qtbot, plot, steps: int):
    """Real wheel events at the middle of the plot's data area."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    vb = plot.getPlotItem().getViewBox()
    centre = plot.mapFromScene(vb.sceneBoundingRect().center())
    for _ in range(abs(steps)):
        event = QWheelEvent(QPointF(centre), QPointF(plot.mapToGlobal(centre)), QPoint(0, 0),
                            QPoint(0, 120 if steps > 0 else -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(plot.viewport(), event)


def test_the_wheel_zooms_the_accuracy_axis_only_and_keeps_following_the_epochs(qtbot, shown_plots):
    p = shown_plots
    p.add_run(1, "run 1", epochs=30)
    p.update_run(1, curves(50, 5.0, acc0=0.95, gain=0.03, first=0.1))
    (x0, x1), (y0, y1) = view(p.acc)
    wheel(qtbot, p.acc, 3)  # zoom in
    (zx0, zx1), (zy0, zy1) = view(p.acc)
    assert (zx0, zx1) == pytest.approx((x0, x1)) and zy1 - zy0 < 0.95 * (y1 - y0)
    p.update_run(1, curves(120, 12.0, acc0=0.95, gain=0.03, first=0.1))
    (nx0, nx1), (ny0, ny1) = view(p.acc)
    assert nx1 >= 12.0 and (ny0, ny1) == pytest.approx((zy0, zy1))  # x follows the run, y is the learner's
    wheel(qtbot, p.acc, -60)  # zoom far out: the curves stay, the axis stops at 0–100
    (_, _), (oy0, oy1) = view(p.acc)
    assert oy0 >= -1e-6 and oy1 <= 100 + 1e-6 and oy0 <= 95 and oy1 >= 98


def test_runs_with_different_cost_functions_get_relative_costs(qtbot, tmp_path):
    p = CurvePlots()
    qtbot.addWidget(p)
    p.add_run(1, "quadratic run", epochs=5, cost="quadratic")
    p.update_run(1, curves(30, 3.0, cost_scale=0.09))
    assert not p.relative_cost and p.cost.getPlotItem().getAxis("left").labelText == "C"
    assert "quadratic" in p.cost.getPlotItem().titleLabel.text
    (_, _), (y0, y1) = view(p.cost)
    assert y1 < 0.2  # its own scale
    p.add_run(2, "CE + L2 run", epochs=5, cost=("cross-entropy", 5.0))  # as the Training tab passes it
    p.update_run(2, curves(30, 3.0, cost_scale=40.0))
    assert p.relative_cost and p.cost.getPlotItem().getAxis("left").labelText.startswith("C / C₀")
    assert p.runs[2].cost == "cross-entropy + L2"
    for run in p.runs.values():
        x, y = run.items["cost"].getData()
        assert y[0] == pytest.approx(1.0) and y[-1] == pytest.approx(np.exp(-3.0))  # both fall across the plot
    (_, _), (y0, y1) = view(p.cost)
    assert 1.0 <= y1 <= 1.5
    p.export_csv(tmp_path / "c.csv")
    assert "40.0" in (tmp_path / "c.csv").read_text()  # the file keeps the real costs
    p.remove_run(2)
    assert not p.relative_cost and p.runs[1].items["cost"].getData()[1][0] == pytest.approx(0.09)


@pytest.mark.parametrize("book, low", [(98.04, (0.95, 0.03)), (9.82, (0.09, 0.02))])
def test_the_books_figure_is_named_beside_the_plot_not_on_the_curves(shown_plots, book, low):
    p = shown_plots
    p.set_reference(book, f"book: {book:.2f}% validation")
    p.add_run(1, "run 1", epochs=10)
    p.update_run(1, curves(60, 6.0, acc0=low[0], gain=low[1], first=0.1))
    (_, _), (y0, y1) = view(p.acc)
    assert y0 < book < y1  # inside the axis, never cut by it
    item = p.acc.getPlotItem()
    vb = item.getViewBox()
    texts = [child for child in vb.allChildren() if isinstance(child, pg.TextItem)
             or type(child).__name__ == "InfLineLabel"]
    assert not [t for t in texts if t.isVisible()]  # no label inside the data area
    right = item.getAxis("right")
    assert right.isVisible() and right.sceneBoundingRect().left() >= vb.sceneBoundingRect().right() - 1
    assert right._tickLevels[0] == [(book, "book")]
    assert f"book: {book:.2f}% validation" in p.key.text()
    p.set_reference(None)
    assert not right.isVisible() and not p.reference.isVisible()
    assert "book" not in p.key.text()


def test_log_axis_labels_are_decades():
    assert [decade_label(np.log10(v), 3) for v in (0.001, 0.01, 0.1, 1, 10)] == ["0.001", "0.01", "0.1", "1", "10"]
    assert [decade_label(np.log10(v), 3) for v in (0.009, 0.008, 0.007, 0.02, 0.5)] == [""] * 5
    assert decade_label(-5, 3) == "10⁻⁵" and decade_label(np.log10(2e-5), 0.5) == "2×10⁻⁵"
    assert [decade_label(np.log10(v), 1.5) for v in (0.02, 0.03, 0.05, 0.1)] == ["0.02", "", "0.05", "0.1"]


def test_the_learning_speed_axis_shows_readable_labels(qtbot):
    from nndl_gui.jobs.training import Curves

    plot = on_screen(qtbot, SpeedPlot(), 700, 300)
    x = np.linspace(0, 3, 40)
    y = np.stack([0.7 * np.exp(-1.2 * x), 0.004 + 0.1 * np.exp(-x)], axis=1)
    empty = np.zeros(0)
    plot.update_curves(Curves(cost_x=empty, cost_y=empty, train_x=empty, train_y=empty, val_x=empty, val_y=empty,
                              test_x=empty, test_y=empty, val_cost_x=empty, val_cost_y=empty, speed_x=x, speed_y=y))
    plot.getPlotItem().getViewBox().autoRange()
    axis = plot.getPlotItem().getAxis("left")
    lo, hi = axis.range
    labels = []
    for spacing, values in axis.tickValues(lo, hi, axis.height()):
        labels += [s for s in axis.tickStrings(values, axis.autoSIPrefixScale, spacing or 1) if s]
    assert labels and set(labels) <= {"0.001", "0.01", "0.1", "1"}, labels
    assert len(labels) == len(set(labels))


def test_any_plot_exports_as_png_and_svg(qtbot, shown_plots, tmp_path):
    import xml.etree.ElementTree as ET

    p = shown_plots
    p.add_run(1, "run 1", epochs=5)
    p.update_run(1, curves(40, 4.0))
    p.set_reference(98.04, "book: 98.04% validation")
    children = len(p.acc.getPlotItem().getViewBox().childItems())
    written = p.export_images(tmp_path / "curves")
    assert len(p.acc.getPlotItem().getViewBox().childItems()) == children  # the file's legend left the screen
    assert sorted(os.path.basename(f) for f in written) == [
        "curves-accuracy.png", "curves-accuracy.svg", "curves-cost.png", "curves-cost.svg"]
    for path in written:
        data = Path(path).read_bytes()
        if path.endswith(".png"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            width = int.from_bytes(data[16:20], "big")
            assert width >= 400  # twice the screen's pixels: sharp on a slide
        else:
            root = ET.fromstring(data)
            assert root.tag.endswith("svg")
            assert any(el.tag.endswith(("path", "polyline")) for el in root.iter())  # the curves are vectors
            text = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
            assert "run 1" in text  # a legend for the slide
            if "accuracy" in path:
                assert "validation" in text and "book: 98.04% validation" in text
    speed = SpeedPlot()
    qtbot.addWidget(speed)
    assert export_image(speed, tmp_path / "speed.svg").endswith("speed.svg")
    with pytest.raises(ValueError, match="png or .svg"):
        export_image(speed, tmp_path / "speed.jpg")
    menu = [a.text() for a in p.acc.getPlotItem().getViewBox().menu.actions()]
    assert "Save this plot as PNG…" in menu and "Save this plot as SVG…" in menu
