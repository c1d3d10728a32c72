"""Live curve plots: axes follow the data but move seldom; the learner's own zoom wins."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from nndl_gui.jobs.training import Curves  # noqa: E402
from nndl_gui.widgets.plots import CurvePlots, nice_ceil, steady_range  # noqa: E402


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


def curves(n_points: int, epochs_done: float) -> Curves:
    x = np.linspace(0, epochs_done, n_points)
    cost = 2.0 * np.exp(-x)
    acc = 0.9 + 0.09 * (1 - np.exp(-x))
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
    assert ay1 <= 100 and ay0 <= 90

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
    assert len(items) == 5 * p.MAX_RUNS  # the old runs' curves really left the plots
    assert len({run.color for run in p.runs.values()}) == p.MAX_RUNS  # every shown run has its own colour
    p.export_csv(tmp_path / "curves.csv")
    text = (tmp_path / "curves.csv").read_text()
    assert all(f"run {k}," in text for k in range(1, p.MAX_RUNS + 4))
    p.clear_runs()
    assert not p.runs and not p.retired
