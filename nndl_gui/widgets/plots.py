"""Live training curves: cost, accuracy (several runs overlaid), and chapter 5's learning speed.

Every curve is created once and then fed with ``setData`` (STYLE.md): drawing a snapshot never adds
items, so thousands of updates do not leak.  Data come from ``nndl_gui.jobs.training.Curves``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QWidget

from ..engine.files import UnsafeFileError, atomic_write

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

SERIES = {  # name in Curves → (plot, label, line style)
    "cost": ("cost", "training cost", Qt.PenStyle.SolidLine),
    "val_cost": ("cost", "validation cost", Qt.PenStyle.DashLine),
    "test": ("acc", "test", Qt.PenStyle.SolidLine),
    "val": ("acc", "validation", Qt.PenStyle.DashLine),
    "train": ("acc", "training", Qt.PenStyle.DotLine),
}


def sup(n: int) -> str:
    return str(n).translate(SUPERSCRIPT)


def _plot(title: str, left: str, bottom: str = "epoch") -> pg.PlotWidget:
    w = pg.PlotWidget()
    item = w.getPlotItem()
    item.setTitle(title, size="10pt")
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    item.showGrid(x=True, y=True, alpha=0.25)
    for name in ("left", "bottom"):
        # An axis with a grid paints over the whole plot whenever a curve changes; cached as a pixmap, it is
        # redrawn only when its range moves (the difference is most of a live frame: ui_latency.py).
        item.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    w.setMinimumSize(260, 200)
    return w


def nice_ceil(v: float) -> float:
    """The smallest of 1, 2, 5 × 10ᵏ that is ≥ v (v > 0)."""
    k = 10.0 ** math.floor(math.log10(v))
    return next(m * k for m in (1, 2, 5, 10) if m * k >= v * (1 - 1e-12))


def steady_range(lo: float, hi: float, current: tuple[float, float] | None, *,
                 bounds: tuple[float, float] = (-math.inf, math.inf)) -> tuple[float, float] | None:
    """A y range for live data in [lo, hi] that changes seldom, or None to keep ``current``.

    The range is the data's, widened to round numbers on a grid of half its order of magnitude; it changes
    only when data leave it or fill less than 40% of it.  Live curves then redraw only themselves: moving
    an axis repaints its tick labels, the most expensive thing on the plot (benchmarks/ui_latency.py).
    """
    span = hi - lo
    grid = nice_ceil(span if span > 0 else (abs(hi) or 1.0)) / 10
    target = (max(bounds[0], math.floor(lo / grid - 0.5) * grid), min(bounds[1], math.ceil(hi / grid + 0.5) * grid))
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= lo and hi <= c_hi and (target[1] - target[0]) >= 0.4 * (c_hi - c_lo):
            return None
    return target


@dataclass
class _Run:
    label: str
    color: str
    items: dict = field(default_factory=dict)  # series name → PlotDataItem
    curves: object = None
    epochs: int | None = None


class CurvePlots(QWidget):
    """Cost and accuracy of every run so far, each run in its own colour (chapter 3's comparisons)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cost = _plot("Cost C on the training data", "C")
        self.acc = _plot("Classification accuracy", "accuracy (%)")
        self.cost.setToolTip(
            "Training cost C (with the L2 term ½(λ/n)Σw² when λ > 0): measured live on the first 500 training "
            "images several times per epoch, and on the whole training set at each epoch end (dashed: validation "
            "cost).")
        self.acc.setToolTip(
            "Solid: test data (10,000 images, at epoch ends).  Dashed: validation data.  Dotted: training data.\n"
            "Between epoch ends, validation and training accuracy are measured live on their first 500 images.")
        self.cost_legend = self.cost.getPlotItem().addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.acc_legend = self.acc.getPlotItem().addLegend(offset=(-10, -10), labelTextSize="8pt")
        self.reference: pg.InfiniteLine | None = None
        self.visible = {"test": True, "val": True, "train": True, "cost": True, "val_cost": True}
        self.runs: dict[int, _Run] = {}
        self.retired: list[_Run] = []  # runs taken off the plots (MAX_RUNS) whose curves export still writes
        # Ranges follow the data (steady_range) until the learner pans or zooms; pyqtgraph's "A" button
        # (auto range) hands it back.
        self._follow = {"cost": True, "acc": True}
        self._ranges: dict[str, tuple] = {}
        for which, plot in (("cost", self.cost), ("acc", self.acc)):
            vb = plot.getPlotItem().getViewBox()
            vb.disableAutoRange()
            vb.sigRangeChangedManually.connect(lambda *_, w=which: self._follow.__setitem__(w, False))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.cost)
        layout.addWidget(self.acc)

    # ------------------------------------------------------------------ runs
    MAX_RUNS = len(PALETTE)  # runs shown at once: one colour each; Export curves keeps them all

    def add_run(self, run_id: int, label: str, epochs: int | None = None) -> str | None:
        """A new run's curves in a colour no shown run uses; ``epochs`` (planned) bounds the epoch axis.

        With MAX_RUNS runs already shown, the oldest one's curves go first: its label is returned so the
        tab can say so (None otherwise)."""
        dropped = None
        if len(self.runs) >= self.MAX_RUNS:
            oldest = next(iter(self.runs))
            dropped = self.runs[oldest].label
            self.retired.append(self.remove_run(oldest))  # off the plots, still exported
        used = {run.color for run in self.runs.values()}
        color = next(c for c in PALETTE if c not in used)  # fewer than MAX_RUNS = len(PALETTE) shown
        run = _Run(label, color, epochs=epochs)
        for name, (which, series_label, style) in SERIES.items():
            pen = pg.mkPen(color, width=2 if style == Qt.PenStyle.SolidLine else 1.5, style=style)
            plot = self.cost if which == "cost" else self.acc
            item = plot.getPlotItem().plot([], [], pen=pen, antialias=False)  # live: cheap to repaint
            item.setVisible(self.visible[name])
            run.items[name] = item
        self._follow = {"cost": True, "acc": True}  # a new comparison: show it all
        self.cost_legend.addItem(run.items["cost"], label)
        self.acc_legend.addItem(run.items["test"], label)
        self.runs[run_id] = run
        return dropped

    def remove_run(self, run_id: int) -> _Run:
        run = self.runs.pop(run_id)
        for name, item in run.items.items():
            (self.cost if SERIES[name][0] == "cost" else self.acc).getPlotItem().removeItem(item)
        self.cost_legend.removeItem(run.items["cost"])
        self.acc_legend.removeItem(run.items["test"])
        run.items = {}
        return run

    def update_run(self, run_id: int, curves) -> None:
        run = self.runs.get(run_id)
        if run is None or curves is run.curves:
            return
        run.curves = curves
        for name, item in run.items.items():
            x = getattr(curves, f"{name}_x")
            y = getattr(curves, f"{name}_y")
            if SERIES[name][0] == "acc":
                y = y * 100.0
            # Cost can be NaN / inf in a diverging run: draw only the finite part.
            ok = np.isfinite(y)
            item.setData(x[ok], y[ok]) if not ok.all() else item.setData(x, y)
        self.follow_data()

    def follow_data(self) -> None:
        """Keep each followed plot's axes around all visible data, moving them as seldom as possible."""
        for which, plot in (("cost", self.cost), ("acc", self.acc)):
            vb = plot.getPlotItem().getViewBox()
            if any(vb.state["autoRange"]):  # the learner pressed "A": follow the data again
                vb.disableAutoRange()
                self._follow[which] = True
                self._ranges.pop(which, None)
            if not self._follow[which]:
                continue
            x_hi, y_lo, y_hi, cap = 0.0, math.inf, -math.inf, 0
            for run in self.runs.values():
                if run.curves is None:
                    continue
                cap = max(cap, run.epochs or 0)
                for name in SERIES:
                    if SERIES[name][0] != which or not self.visible[name]:
                        continue
                    x, y = getattr(run.curves, f"{name}_x"), getattr(run.curves, f"{name}_y")
                    y = y[np.isfinite(y)] * (100.0 if which == "acc" else 1.0)
                    if len(x):
                        x_hi = max(x_hi, float(x[-1]))
                    if len(y):
                        y_lo, y_hi = min(y_lo, float(y.min())), max(y_hi, float(y.max()))
            if y_lo > y_hi:
                continue
            old = self._ranges.get(which)
            x_end = nice_ceil(max(1.05 * x_hi, 1.0))  # a little room ahead of the newest point
            x_range = (0.0, min(x_end, max(cap, x_hi)) if cap else x_end)
            bounds = (0.0, 100.0) if which == "acc" else (0.0 if y_lo >= 0 else -math.inf, math.inf)
            y_range = steady_range(y_lo, y_hi, old[1] if old else None, bounds=bounds) or old[1]
            if old != (x_range, y_range):
                self._ranges[which] = (x_range, y_range)
                vb.setRange(xRange=x_range, yRange=y_range, padding=0)

    def set_series_visible(self, name: str, visible: bool) -> None:
        self.visible[name] = visible
        for run in self.runs.values():
            run.items[name].setVisible(visible)
        self.follow_data()

    def clear_runs(self) -> None:
        for run_id in list(self.runs):
            self.remove_run(run_id)
        self.retired.clear()
        self._follow = {"cost": True, "acc": True}
        self._ranges.clear()

    def set_reference(self, percent: float | None, text: str = "") -> None:
        """The book's reported figure as a horizontal line on the accuracy plot (None: hide it)."""
        if percent is None:
            if self.reference is not None:
                self.reference.setVisible(False)
            return
        if self.reference is None:
            self.reference = pg.InfiniteLine(
                angle=0, movable=False, pen=pg.mkPen("#555555", width=1.5, style=Qt.PenStyle.DashDotLine),
                label="", labelOpts={"position": 0.98, "color": "#333333", "anchors": [(1, 0), (1, 0)]})
            self.acc.getPlotItem().addItem(self.reference, ignoreBounds=True)
        self.reference.setValue(percent)
        self.reference.label.setFormat(text)
        self.reference.setVisible(True)

    # ------------------------------------------------------------------ export
    def rows(self):
        """(run, series, epoch, value) for every point of every run since Clear (accuracy as a fraction)."""
        for run in [*self.retired, *self.runs.values()]:
            if run.curves is None:
                continue
            for name in SERIES:
                xs = getattr(run.curves, f"{name}_x")
                ys = getattr(run.curves, f"{name}_y")
                for x, y in zip(xs.tolist(), ys.tolist()):
                    yield run.label, SERIES[name][1] + (" accuracy" if SERIES[name][0] == "acc" else ""), x, y

    def export_csv(self, path: str) -> int:
        """Write every curve as CSV rows (atomically, with engine.files.atomic_write); returns the row count."""
        n = 0
        f = io.StringIO(newline="")
        writer = csv.writer(f)
        writer.writerow(["run", "series", "epoch", "value"])
        for row in self.rows():
            writer.writerow([row[0], row[1], f"{row[2]:.6g}", repr(row[3])])
            n += 1
        try:
            atomic_write(path, f.getvalue().encode("utf-8"))
        except UnsafeFileError as exc:  # a folder or a device where the file should go
            raise OSError(str(exc)) from None
        return n


class SpeedPlot(pg.PlotWidget):
    """Chapter 5: the learning speed ‖δ^l‖ = ‖∂C/∂b^l‖ of each hidden layer over time, one curve per layer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        item = self.getPlotItem()
        item.setTitle("Learning speed ‖δˡ‖ = ‖∂C/∂bˡ‖ of each hidden layer", size="10pt")
        item.setLabel("left", "‖δˡ‖ (log scale)")
        item.setLabel("bottom", "epoch")
        item.setLogMode(y=True)
        item.getAxis("left").enableAutoSIPrefix(False)
        item.showGrid(x=True, y=True, alpha=0.25)
        self.legend = item.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.setToolTip(
            "The length of the gradient ∂C/∂b^l for each hidden layer l, averaged over 500 training images "
            "(chapter 5).\nIn deep sigmoid networks the early layers learn much more slowly: the vanishing "
            "gradient problem.")
        self.items: list[pg.PlotDataItem] = []
        self._curves = None

    def set_layers(self, n_hidden: int) -> None:
        if n_hidden == len(self.items):
            return
        for it in self.items:
            self.getPlotItem().removeItem(it)
        self.legend.clear()
        self.items = []
        for i in range(n_hidden):
            color = PALETTE[i % len(PALETTE)]
            it = self.getPlotItem().plot([], [], pen=pg.mkPen(color, width=2), antialias=False)
            self.legend.addItem(it, f"hidden layer {i + 1}: ‖δ{sup(i + 2)}‖")
            self.items.append(it)
        self._curves = None

    def update_curves(self, curves) -> None:
        if curves is self._curves:
            return
        self._curves = curves
        x, y = curves.speed_x, curves.speed_y
        self.set_layers(y.shape[1] if y.ndim == 2 else 0)
        for i, it in enumerate(self.items):
            col = y[:, i] if len(y) else y.reshape(0)
            ok = np.isfinite(col) & (col > 0)
            it.setData(x[ok], col[ok])
