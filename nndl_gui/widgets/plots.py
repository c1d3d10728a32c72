"""Live training curves: cost, accuracy (several runs overlaid), and chapter 5's learning speed.

Every curve is created once and then fed with ``setData`` (STYLE.md): drawing a snapshot never adds
items, so thousands of updates do not leak.  Data come from ``nndl_gui.jobs.training.Curves``.

Made to read at a glance: the accuracy axis fits the data after the first epoch (as the book's figures
show 90–100%), test / validation / training are solid / dashed / dotted with a key, the mouse wheel zooms
the y axis only (the epochs stay in view and keep following the run), runs with different cost functions
are drawn relative to their first cost so none is flattened, the book's figure is named on the right axis
and in the key (never on the curves), the learning-speed axis labels decades only, and every plot exports
as PNG or SVG (right-click menu, or ``export_image``).
"""

from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..engine.files import UnsafeFileError, atomic_write

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
REFERENCE_PEN = pg.mkPen("#555555", width=1.5, style=Qt.PenStyle.DashDotLine)
LINE_GLYPHS = {"test": "<b>━━━</b>", "val": "<b>╺╸╺╸</b>", "train": "<b>┈┈┈</b>", "book": "─·─"}

SERIES = {  # name in Curves → (plot, label, line style, width)
    "cost": ("cost", "training cost", Qt.PenStyle.SolidLine, 2.5),
    "val_cost": ("cost", "validation cost", Qt.PenStyle.DashLine, 2.0),
    "test_cost": ("cost", "test cost", Qt.PenStyle.DashDotLine, 2.0),  # chapter 3's overfitting figure
    "test": ("acc", "test", Qt.PenStyle.SolidLine, 2.5),
    "val": ("acc", "validation", Qt.PenStyle.DashLine, 2.0),
    "train": ("acc", "training", Qt.PenStyle.DotLine, 2.0),
}


def sup(n: int) -> str:
    return str(n).translate(SUPERSCRIPT)


def decade_label(log10_value: float, span: float) -> str:
    """The label of a log-axis tick at 10^log10_value: decades always ("0.01", "1", "10⁻⁵"); 2× and 5×
    only when the axis spans less than two decades (``span``), so at least two ticks are named; nothing for
    the rest (every 0.009, 0.008, 0.007 … named is unreadable)."""
    k = math.floor(log10_value + 1e-9)
    mantissa = 10.0 ** (log10_value - k)
    m = round(mantissa)
    if abs(mantissa - m) > 1e-6 or m not in ((1,) if span >= 2 else (1, 2, 5)):
        return ""
    if -3 <= k <= 3:
        return f"{m * 10.0 ** k:.{max(0, -k)}f}"
    return f"{m}×10{sup(k)}" if m != 1 else f"10{sup(k)}"


class DecadeAxis(pg.AxisItem):
    """A log axis that labels decades (and 2×, 5× when zoomed in), never every minor tick."""

    def logTickStrings(self, values, scale, spacing):
        span = abs(self.range[1] - self.range[0])
        return [decade_label(v + math.log10(scale), span) for v in values]


class YZoomViewBox(pg.ViewBox):
    """The mouse wheel zooms the y axis only, so the epochs stay in view while the run goes on (over an
    axis, the wheel zooms that axis).  The limits set on the box keep the curves from being zoomed away."""

    def wheelEvent(self, ev, axis=None):
        super().wheelEvent(ev, axis=1 if axis is None else axis)


def export_image(plot: pg.PlotWidget, path, scale: float = 2.0, legend=(), corner=(-10, 10)) -> str:
    """Write one plot as PNG (``scale`` × its screen pixels: sharp on a slide) or SVG (vector curves and text),
    chosen by the suffix.  Qt renders the plot's scene straight into the file.  ``legend``: (item, text)
    pairs drawn as a legend in the file only (on screen the key sits under the plots), at ``corner``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"Plots export as .png or .svg, not “{path.suffix or path.name}”.")
    item = plot.getPlotItem()
    key = None
    if legend:
        key = pg.LegendItem(labelTextSize="8pt", brush=pg.mkBrush(255, 255, 255, 220))
        key.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, False)  # scale with the PNG
        key.setParentItem(item.getViewBox())
        for sample, text in legend:
            key.addItem(sample, text)
        key.layout.activate()
        key.updateSize()
        area, size = item.getViewBox().boundingRect(), key.boundingRect()
        key.setPos(area.width() - size.width() + corner[0] if corner[0] < 0 else corner[0],
                   area.height() - size.height() + corner[1] if corner[1] < 0 else corner[1])
    source = item.sceneBoundingRect()
    w, h = max(1, int(source.width())), max(1, int(source.height()))
    axes = [item.getAxis(name) for name in ("left", "bottom", "right", "top")]
    modes = [axis.cacheMode() for axis in axes]
    for axis in axes:  # a cached axis would go into the file as a bitmap
        axis.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        if suffix == ".png":
            target = QImage(int(w * scale), int(h * scale), QImage.Format.Format_ARGB32)
        else:
            target = QSvgGenerator()
            target.setFileName(str(path))
            target.setSize(QSize(w, h))
            target.setViewBox(QRectF(0, 0, w, h))
            target.setTitle(item.titleLabel.text or path.stem)
        size = QRectF(0, 0, w * scale, h * scale) if suffix == ".png" else QRectF(0, 0, w, h)
        painter = QPainter(target)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(size, plot.backgroundBrush())
        plot.scene().render(painter, size, source)
        painter.end()
    finally:
        for axis, mode in zip(axes, modes):
            axis.setCacheMode(mode)
        if key is not None:
            key.scene().removeItem(key)
    if suffix == ".png" and not target.save(str(path)):
        raise OSError(f"Could not write {path}.")
    if not path.exists():
        raise OSError(f"Could not write {path}.")
    return str(path)


def add_export_menu(plot: pg.PlotWidget, name: str, export=None) -> None:
    """Right-click on the plot: "Save this plot as PNG / SVG…" (teachers put them on slides).
    ``export(path)`` writes the file (default: ``export_image(plot, path)``)."""
    menu = plot.getPlotItem().getViewBox().menu
    if menu is None:
        return
    menu.addSeparator()
    for kind in ("PNG", "SVG"):
        action = menu.addAction(f"Save this plot as {kind}…")
        action.triggered.connect(lambda checked=False, kind=kind: _save_dialog(plot, name, kind, export))


def _save_dialog(plot: pg.PlotWidget, name: str, kind: str, export=None) -> None:
    path, _ = QFileDialog.getSaveFileName(plot, f"Save the plot as {kind}", f"{name}.{kind.lower()}",
                                          f"{kind} (*.{kind.lower()})")
    if path:
        path = path if path.lower().endswith(f".{kind.lower()}") else f"{path}.{kind.lower()}"
        (export or (lambda p: export_image(plot, p)))(path)


def _plot(title: str, left: str, bottom: str = "epoch") -> pg.PlotWidget:
    w = pg.PlotWidget(viewBox=YZoomViewBox())
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
    item.getViewBox().setLimits(xMin=0.0, yMin=0.0)  # epochs, costs and accuracies are never negative
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
    cost: str | None = None  # the cost function, e.g. "cross-entropy + L2": runs differ → relative costs


SETTLED = 1.0  # the accuracy axis fits the data from this epoch on (the first epoch's climb runs below it)


class CurvePlots(QWidget):
    """Cost and accuracy of every run so far, each run in its own colour (chapter 3's comparisons)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cost = _plot("Cost C on the training data", "C")
        self.acc = _plot("Classification accuracy", "accuracy (%)")
        self.cost.setToolTip(
            "Training cost C (with the L2 term ½(λ/n)Σw² when λ > 0): measured live on the first 500 training "
            "images several times per epoch, and on the whole training set at each epoch end (dashed: validation "
            "cost; dash-dot: test cost, chapter 3's overfitting figure).\nRuns with different cost functions are "
            "drawn relative to their first cost (C / C₀): their "
            "scales differ too much to share an axis.  Export curves… writes the real values.\n"
            "Mouse wheel: zoom the cost axis.  Right-click: save the plot as PNG or SVG.  \"A\": follow the data.")
        self.acc.setToolTip(
            "Solid: test data (10,000 images, at epoch ends).  Dashed: validation data.  Dotted: training data.\n"
            "Between epoch ends, validation and training accuracy are measured live on their first 500 images.\n"
            "The axis fits the accuracies from the first epoch end on, as the book's figures do.\n"
            "Mouse wheel: zoom the accuracy axis.  Right-click: save the plot as PNG or SVG.  \"A\": follow the data.")
        self.cost.getPlotItem().getViewBox().setLimits(minYRange=1e-4)
        self.acc.getPlotItem().getViewBox().setLimits(yMax=100.0, minYRange=0.2)
        # The key sits under the plots, not in them: nothing covers a curve, and it wraps instead of being cut.
        self.key = QLabel()
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setToolTip("Each run has its colour; the line style says which data set (the checkboxes below "
                            "show or hide them).")
        self.reference: pg.InfiniteLine | None = None
        self.reference_text = ""
        self.visible = {"test": True, "val": True, "train": True, "cost": True, "val_cost": True, "test_cost": True}
        self.runs: dict[int, _Run] = {}
        self.retired: list[_Run] = []  # runs taken off the plots (MAX_RUNS) whose curves export still writes
        self.relative_cost = False  # True while the shown runs use different cost functions
        # Each axis follows the data (steady_range) until the learner zooms or pans it; pyqtgraph's "A"
        # button (auto range) hands it back.  The wheel zooms y only, so x goes on following the run.
        self._follow = {"cost": [True, True], "acc": [True, True]}
        self._ranges: dict[str, tuple] = {}
        for which, plot in (("cost", self.cost), ("acc", self.acc)):
            vb = plot.getPlotItem().getViewBox()
            vb.disableAutoRange()
            vb.sigRangeChangedManually.connect(lambda mask, w=which: self._user_moved(w, mask))
        add_export_menu(self.cost, "training-cost", lambda path: self.export_plot("cost", path))
        add_export_menu(self.acc, "training-accuracy", lambda path: self.export_plot("accuracy", path))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.cost)
        row.addWidget(self.acc)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row, 1)
        layout.addWidget(self.key)
        self._planned = 1  # epochs of the run the form would start: the empty plots' epoch axis
        self._update_key()
        self.plan(1)

    def plan(self, epochs: int) -> None:
        """Before any curve: epochs 0 to the planned number, accuracy 0–100 %, cost from 0 (not 0–1 on every
        axis, which reads as 0.2–0.8 "% accuracy")."""
        self._planned = max(1, int(epochs))
        if any(run.curves is not None for run in self.runs.values()):
            return
        for which, plot in (("cost", self.cost), ("acc", self.acc)):
            self._ranges.pop(which, None)
            plot.getPlotItem().getViewBox().setRange(
                xRange=(0.0, float(self._planned)), yRange=(0.0, 100.0 if which == "acc" else 1.0), padding=0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_key()

    def _fit_key(self) -> None:
        """The key may wrap (a long reference text): its height at its width is its minimum, so the layout
        gives it that much and it never overlaps the plots' "epoch" labels."""
        need = self.key.heightForWidth(max(1, self.key.width()))
        if need > 0 and need != self.key.minimumHeight():
            self.key.setMinimumHeight(need)

    def _user_moved(self, which: str, mask) -> None:
        for axis, moved in enumerate(mask):
            if moved:
                self._follow[which][axis] = False

    # ------------------------------------------------------------------ runs
    MAX_RUNS = len(PALETTE)  # runs shown at once: one colour each; Export curves keeps them all

    def add_run(self, run_id: int, label: str, epochs: int | None = None, cost=None) -> str | None:
        """A new run's curves in a colour no shown run uses; ``epochs`` (planned) bounds the epoch axis;
        ``cost`` is its cost function, a name or (name, λ) (runs with different ones are drawn relative to
        their first cost).

        With MAX_RUNS runs already shown, the oldest one's curves go first: its label is returned so the
        tab can say so (None otherwise)."""
        dropped = None
        if len(self.runs) >= self.MAX_RUNS:
            oldest = next(iter(self.runs))
            dropped = self.runs[oldest].label
            self.retired.append(self.remove_run(oldest))  # off the plots, still exported
        used = {run.color for run in self.runs.values()}
        color = next(c for c in PALETTE if c not in used)  # fewer than MAX_RUNS = len(PALETTE) shown
        if isinstance(cost, tuple):  # (name, λ): the L2 term changes the scale as much as the cost does
            cost = cost[0] + (" + L2" if cost[1] else "")
        run = _Run(label, color, epochs=epochs, cost=cost)
        for name, (which, series_label, style, width) in SERIES.items():
            pen = pg.mkPen(color, width=width, style=style)
            plot = self.cost if which == "cost" else self.acc
            item = plot.getPlotItem().plot([], [], pen=pen, antialias=False)  # live: cheap to repaint
            item.setVisible(self.visible[name])
            run.items[name] = item
        self._follow = {"cost": [True, True], "acc": [True, True]}  # a new comparison: show it all
        self.runs[run_id] = run
        self._update_key()
        self._update_cost_scale()
        return dropped

    def remove_run(self, run_id: int) -> _Run:
        run = self.runs.pop(run_id)
        for name, item in run.items.items():
            (self.cost if SERIES[name][0] == "cost" else self.acc).getPlotItem().removeItem(item)
        run.items = {}
        self._update_key()
        self._update_cost_scale()
        return run

    def update_run(self, run_id: int, curves) -> None:
        run = self.runs.get(run_id)
        if run is None or curves is run.curves:
            return
        run.curves = curves
        self._set_data(run)
        self.follow_data()

    def _set_data(self, run: _Run) -> None:
        for name, item in run.items.items():
            x, y = self._series(run, name)
            # Cost can be NaN / inf in a diverging run: draw only the finite part.
            ok = np.isfinite(y)
            item.setData(x[ok], y[ok]) if not ok.all() else item.setData(x, y)

    def _series(self, run: _Run, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The x and y drawn for one series: accuracy in %, cost as it is or relative to its first value."""
        x, y = getattr(run.curves, f"{name}_x"), getattr(run.curves, f"{name}_y")
        if SERIES[name][0] == "acc":
            return x, y * 100.0
        if self.relative_cost:
            return x, y / _first_cost(run.curves)
        return x, y

    def _update_cost_scale(self) -> None:
        """One cost axis for one cost function; C / C₀ when the shown runs use different ones."""
        costs = {run.cost for run in self.runs.values()}
        relative = len(costs) > 1
        item = self.cost.getPlotItem()
        if relative:
            item.setTitle("Cost relative to its start, C / C₀", size="10pt")
        else:
            name = next(iter(costs)) if costs else None
            item.setTitle(f"Training cost C ({name})" if name else "Cost C on the training data", size="10pt")
        if relative == self.relative_cost:
            return
        self.relative_cost = relative
        item.setLabel("left", "C / C₀" if relative else "C")
        self._update_key()
        for run in self.runs.values():
            if run.curves is not None:
                self._set_data(run)
        self._ranges.pop("cost", None)
        self._follow["cost"] = [True, True]
        self.follow_data()

    def follow_data(self) -> None:
        """Keep each followed axis around all visible data, moving it as seldom as possible."""
        for which, plot in (("cost", self.cost), ("acc", self.acc)):
            vb = plot.getPlotItem().getViewBox()
            if any(vb.state["autoRange"]):  # the learner pressed "A": follow the data again
                vb.disableAutoRange()
                self._follow[which] = [True, True]
                self._ranges.pop(which, None)
            follow_x, follow_y = self._follow[which]
            if not (follow_x or follow_y):
                continue
            found = self._data_range(which)
            if found is None:
                continue
            x_hi, y_lo, y_hi, cap = found
            old = self._ranges.get(which)
            x_end = nice_ceil(max(1.05 * x_hi, 1.0))  # a little room ahead of the newest point
            x_range = (0.0, min(x_end, max(cap, x_hi)) if cap else x_end)
            bounds = (0.0, 100.0) if which == "acc" else (0.0, math.inf)
            y_range = steady_range(y_lo, y_hi, old[1] if old else None, bounds=bounds) or old[1]
            if old != (x_range, y_range):
                self._ranges[which] = (x_range, y_range)
                vb.setRange(xRange=x_range if follow_x else None, yRange=y_range if follow_y else None, padding=0)

    def _data_range(self, which: str):
        """(newest x, lowest y, highest y, planned epochs) of the visible data on one plot, or None.

        Accuracy fits the points from the first epoch end on once the run is past it (the climb from 10%
        in the first epoch would squeeze every later curve into the top tenth), and the book's figure."""
        x_hi, y_lo, y_hi, cap = 0.0, math.inf, -math.inf, 0
        shown = [run for run in self.runs.values() if run.curves is not None]
        for run in shown:
            cap = max(cap, run.epochs or 0)
            for name in SERIES:
                if SERIES[name][0] == which and self.visible[name] and len(getattr(run.curves, f"{name}_x")):
                    x_hi = max(x_hi, float(getattr(run.curves, f"{name}_x")[-1]))
        settled = which == "acc" and x_hi >= 1.5 * SETTLED
        for run in shown:
            for name in SERIES:
                if SERIES[name][0] != which or not self.visible[name]:
                    continue
                x, y = self._series(run, name)
                keep = np.isfinite(y) & (x >= SETTLED if settled else True)
                if keep.any():
                    y_lo, y_hi = min(y_lo, float(y[keep].min())), max(y_hi, float(y[keep].max()))
        if which == "acc" and self.reference is not None and self.reference.isVisible() and y_lo <= y_hi:
            ref = float(self.reference.value())
            y_lo, y_hi = min(y_lo, ref), max(y_hi, ref)
        return None if y_lo > y_hi else (x_hi, y_lo, y_hi, cap)

    def set_series_visible(self, name: str, visible: bool) -> None:
        self.visible[name] = visible
        for run in self.runs.values():
            run.items[name].setVisible(visible)
        self._update_key()
        self.follow_data()

    def _update_key(self) -> None:
        """Runs by colour, data sets by line style, and the book's figure, as one wrapping line of text."""
        runs = [f'<span style="color:{run.color}"><b>━━</b></span>&nbsp;{html.escape(run.label)}'
                for run in self.runs.values()]
        styles = [f'<span style="color:#555">{LINE_GLYPHS[name]}</span>&nbsp;{SERIES[name][1]}'
                  for name in ("test", "val", "train") if self.visible[name]]
        if self.reference_text:
            styles.append(f'<span style="color:#555">{LINE_GLYPHS["book"]}</span>&nbsp;'
                          f"{html.escape(self.reference_text)}")
        cost = ("<br>Cost: each run's C over its first value C₀, because the runs use different cost "
                "functions (Export curves… writes the real values)." if self.relative_cost else "")
        costs = [f'<span style="color:#555">{glyph}</span>&nbsp;{text}'  # the solid line is the plot's title
                 for name, glyph, text in (("cost", "<b>━━━</b>", "C"), ("val_cost", "<b>╺╸╺╸</b>", "on validation"),
                                           ("test_cost", "<b>━·━</b>", "on test")) if self.visible[name]]
        self.key.setText("&nbsp;&nbsp; ".join(runs) + ("<br>" if runs else "")
                         + "Accuracy: " + "&nbsp;&nbsp; ".join(styles) + "&nbsp;&nbsp;&nbsp; Cost: "
                         + "&nbsp;&nbsp; ".join(costs) + cost)
        self._fit_key()

    def clear_runs(self) -> None:
        for run_id in list(self.runs):
            self.remove_run(run_id)
        self.retired.clear()
        self._follow = {"cost": [True, True], "acc": [True, True]}
        self._ranges.clear()
        self.plan(self._planned)

    def set_reference(self, percent: float | None, text: str = "") -> None:
        """The book's reported figure as a horizontal line on the accuracy plot (None: hide it).

        Its words go in the key and "book" on the right axis at the line's height: outside the curves,
        never cut by an axis (the y range includes the line)."""
        item = self.acc.getPlotItem()
        if percent is None:
            if self.reference is not None:
                self.reference.setVisible(False)
            item.showAxis("right", False)
            self.reference_text = ""
            self._update_key()
            self._ranges.pop("acc", None)
            self.follow_data()
            return
        if self.reference is None:
            self.reference = pg.InfiniteLine(angle=0, movable=False, pen=REFERENCE_PEN)
            item.addItem(self.reference, ignoreBounds=True)
        self.reference.setValue(percent)
        self.reference.setVisible(True)
        self.reference_text = text or f"book: {percent:.2f}%"
        self._update_key()
        item.showAxis("right", True)
        right = item.getAxis("right")
        right.setTicks([[(percent, "book")], []])
        right.setStyle(tickLength=0)
        right.setGrid(False)
        self._ranges.pop("acc", None)
        self.follow_data()

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

    def export_images(self, stem, kinds=("png", "svg")) -> list[str]:
        """Both plots as ``STEM-cost.KIND`` and ``STEM-accuracy.KIND`` for each kind; the paths written."""
        stem = Path(stem)
        return [self.export_plot(name, stem.with_name(f"{stem.name}-{name}.{kind}"))
                for name in ("cost", "accuracy") for kind in kinds]

    def export_plot(self, which: str, path) -> str:
        """The cost or accuracy plot as PNG or SVG, with a legend (runs; line styles and the book's figure)."""
        runs = list(self.runs.values())
        if which == "cost":
            return export_image(self.cost, path, legend=[(run.items["cost"], run.label) for run in runs])
        samples = [(pg.PlotDataItem(pen=pg.mkPen("#666666", width=width, style=style)), label)
                   for name, (plot, label, style, width) in SERIES.items() if plot == "acc" and self.visible[name]]
        if self.reference_text:
            samples.append((pg.PlotDataItem(pen=REFERENCE_PEN), self.reference_text))
        return export_image(self.acc, path, legend=[(run.items["test"], run.label) for run in runs] + samples,
                            corner=(-10, -10))


def _first_cost(curves) -> float:
    """A run's first finite, positive cost (the C₀ of C / C₀), or 1."""
    y = curves.cost_y[np.isfinite(curves.cost_y) & (curves.cost_y > 0)]
    return float(y[0]) if len(y) else 1.0


class SpeedPlot(pg.PlotWidget):
    """Chapter 5: the learning speed ‖δ^l‖ = ‖∂C/∂b^l‖ of each hidden layer over time, one curve per layer."""

    def __init__(self, parent=None):
        super().__init__(parent, axisItems={"left": DecadeAxis("left")})
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
            "gradient problem.\nRight-click: save the plot as PNG or SVG.")
        add_export_menu(self, "learning-speed")
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
