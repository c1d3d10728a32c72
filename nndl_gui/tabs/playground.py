"""The Approximation playground: chapter 4's visual proof that neural nets can compute any function.

Four views: One neuron, Bumps & the challenge, Windows of failure, Two inputs.  The tab owns only the
design (w, b, the bump heights h, ...); every curve it draws is computed on the engine worker by real
networks (nndl_gui.engine.approx through nndl_gui.jobs.playground) and arrives as a snapshot.  Rapid
slider and drag updates are coalesced: only the newest request is computed and drawn.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import chapter_url
from ..jobs import playground as jobs
from ..engine import approx as A
from ..widgets.bump_plot import DrawPlot, bump_index, sweep_heights
from ..latest import LatestTask
from .base import Tab, float_setting, int_setting

CH4 = chapter_url(4)
BLUE, ORANGE, GREEN, GREY, RED = "#1f77b4", "#ff7f0e", "#2ca02c", "#888888", "#d62728"
H_LIMIT = 50.0
TARGET_ORDER = ["book", "sin", "abs", "step", "noisy", "drawn"]
TARGET_SHORT = {"book": "Book challenge f(x)", "sin": "Sine", "abs": "|x − ½|", "step": "Step",
                "noisy": "Noisy samples", "drawn": "Drawn with the mouse"}


def _link(text: str, anchor: str = "") -> QLabel:
    label = QLabel(f'{text} <a href="{CH4}{anchor}">Read chapter 4 of the book</a>.')
    label.setWordWrap(True)
    label.setOpenExternalLinks(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _plot(title: str, xlabel: str = "x", ylabel: str = "", cls=pg.PlotWidget) -> pg.PlotWidget:
    p = cls()
    p.setTitle(title, size="10pt")
    p.setLabel("bottom", xlabel)
    if ylabel:
        p.setLabel("left", ylabel)
    p.showGrid(x=True, y=True, alpha=0.25)
    p.setMenuEnabled(False)
    p.getPlotItem().hideButtons()
    p.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
    for axis in ("left", "bottom"):
        p.getAxis(axis).enableAutoSIPrefix(False)
    return p


def _legend(p):
    """A one-row legend at the top left (the plots leave headroom for it)."""
    return p.addLegend(offset=(10, 2), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 210),
                       colCount=3, verSpacing=-6)


def _spin(lo: float, hi: float, value: float, decimals: int = 3, step: float = 0.1, tip: str = "") -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setValue(value)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s


# ================================================================================================ one neuron
class NeuronView(QWidget):
    """σ(wx + b) with w and b by slider and field (±1000); s = −b/w; a step mode setting s directly."""

    def __init__(self, client, parent=None):
        super().__init__(parent)
        self.result = None
        self._latest = LatestTask(client, self._show)
        self.w_slider, self.w_spin = self._pair(-1000, 1000, 8.0,
                                                "w: the weight on the input x. Large |w| makes σ(wx + b) a step.")
        self.b_slider, self.b_spin = self._pair(-1000, 1000, -3.0,
                                                "b: the bias. The step sits where wx + b = 0, at s = −b/w.")
        self.s_label = QLabel()
        self.s_label.setToolTip("The step position s = −b/w: where σ(wx + b) = ½.")
        self.step_mode = QCheckBox("Step mode: set s directly, w = 1000")
        self.step_mode.setToolTip("The book's simplification: with w fixed large the neuron is a step, "
                                  "described by one number, its position s (b = −1000·s).")
        self.s_spin = _spin(0.0, 1.0, 0.4, 3, 0.01, "Step position s; the bias is b = −w·s.")
        self.s_slider = QSlider(Qt.Orientation.Horizontal)
        self.s_slider.setRange(0, 1000)
        self.s_slider.setToolTip(self.s_spin.toolTip())
        self.s_slider.valueChanged.connect(lambda v: self.s_spin.setValue(v / 1000))
        self.s_spin.valueChanged.connect(self._on_s)

        form = QFormLayout()
        form.addRow("weight w", self._row(self.w_slider, self.w_spin))
        form.addRow("bias b", self._row(self.b_slider, self.b_spin))
        form.addRow("", self.s_label)
        form.addRow(self.step_mode)
        form.addRow("step s", self._row(self.s_slider, self.s_spin))
        box = QGroupBox("One neuron: output σ(wx + b)")
        box.setLayout(form)
        left = QVBoxLayout()
        left.addWidget(box)
        left.addWidget(_link(
            "A sigmoid neuron with one input x computes σ(wx + b). Make w large and it becomes a step "
            "at s = −b/w: raising b moves the step left, the sign of w flips it.", "#universality_with_one_input_and_one_output"))
        left.addStretch(1)
        leftw = QWidget()
        leftw.setLayout(left)
        leftw.setFixedWidth(360)

        self.plot = _plot("output a = σ(wx + b) of one neuron", "input x", "a")
        self.plot.setXRange(0, 1, padding=0.02)
        self.plot.setYRange(-0.05, 1.05, padding=0)
        self.curve = self.plot.plot(pen=pg.mkPen(BLUE, width=2.5))
        self.s_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(ORANGE, width=1.5, style=Qt.PenStyle.DashLine),
                                      label="s", labelOpts={"position": 0.92, "color": ORANGE})
        self.plot.addItem(self.s_line)
        layout = QHBoxLayout(self)
        layout.addWidget(leftw)
        layout.addWidget(self.plot, 1)

        for sl, sp in ((self.w_slider, self.w_spin), (self.b_slider, self.b_spin)):
            sp.valueChanged.connect(self._on_wb)
        self.step_mode.toggled.connect(self._on_mode)
        self._on_mode(False)

    def _pair(self, lo, hi, value, tip):
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(lo, hi)
        slider.setToolTip(tip)
        spin = _spin(lo, hi, value, 2, 1.0, tip)
        slider.setValue(int(round(value)))
        slider.valueChanged.connect(lambda v, sp=spin: sp.setValue(float(v)) if round(sp.value()) != v else None)
        spin.valueChanged.connect(lambda v, sl=slider: (sl.blockSignals(True), sl.setValue(int(round(v))),
                                                        sl.blockSignals(False)))
        return slider, spin

    @staticmethod
    def _row(*widgets):
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(widgets[0], 1)
        for other in widgets[1:]:
            other.setMinimumWidth(90)
            lay.addWidget(other)
        return w

    def _on_mode(self, on: bool) -> None:
        for wdg in (self.w_slider, self.w_spin, self.b_slider, self.b_spin):
            wdg.setEnabled(not on)
        self.s_spin.setEnabled(on)
        self.s_slider.setEnabled(on)
        if on:
            s = A.step_position(self.w_spin.value(), self.b_spin.value())
            self.s_spin.setValue(min(max(s if s is not None else 0.5, 0.0), 1.0))
            self._on_s(self.s_spin.value())
        else:
            self._on_wb()

    def _on_s(self, s: float) -> None:
        self.s_slider.blockSignals(True)
        self.s_slider.setValue(int(round(s * 1000)))
        self.s_slider.blockSignals(False)
        if self.step_mode.isChecked():
            self.w_spin.setValue(A.W_STEP)
            self.b_spin.setValue(-A.W_STEP * s)
            self._on_wb()

    def _on_wb(self, *_):
        w, b = self.w_spin.value(), self.b_spin.value()
        s = A.step_position(w, b)
        self.s_label.setText("s = −b/w: no step (w = 0)" if s is None else f"s = −b/w = {s:.4g}")
        self._latest.request(jobs.neuron_task, w, b)

    def _show(self, r: jobs.NeuronResult) -> None:
        self.result = r
        self.curve.setData(r.x, r.a)
        if r.s is not None and -10 < r.s < 10:
            self.s_line.setValue(r.s)
            self.s_line.setVisible(True)
        else:
            self.s_line.setVisible(False)

    def close_requests(self):
        self._latest.close()


# ================================================================================================ bumps
class NetworkDialog(QDialog):
    """"Show as network": the bump design as real weights and biases, evaluated by the engine."""

    def __init__(self, view: "BumpsView", net, parent=None):
        super().__init__(parent)
        self.setWindowTitle("The bump design as a network")
        self.resize(620, 560)
        n = net.sizes[1]
        w2, b2 = net.weights[0][:, 0], net.biases[0]
        w3, b3 = net.weights[1][0], net.biases[1][0]
        info = QLabel(
            f"<b>A network with sizes {net.sizes}</b>: input x, {n} sigmoid hidden neurons, a sigmoid output. "
            "Hidden neuron j has weight w<sup>2</sup><sub>j1</sub> = 1000 and bias b<sup>2</sup><sub>j</sub> = "
            "−1000·s<sub>j</sub> (a step at s<sub>j</sub>); pairs of output weights w<sup>3</sup><sub>1j</sub> "
            f"= +h, −h make the bumps; output bias b<sup>3</sup><sub>1</sub> = {b3:g}. "
            f"Score of this network, computed by the engine: <b>{view.score_text()}</b>.")
        info.setWordWrap(True)
        table = QTableWidget(n, 4)
        table.setHorizontalHeaderLabels(["w²ⱼ₁ (hidden weight)", "b²ⱼ (hidden bias)", "s = −b/w", "w³₁ⱼ (output weight)"])
        table.setVerticalHeaderLabels([f"j = {j + 1}" for j in range(n)])
        for j in range(n):
            for c, v in enumerate((w2[j], b2[j], -b2[j] / w2[j], w3[j])):
                item = QTableWidgetItem(f"{v:.4g}")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(j, c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        npz = QPushButton("Export as .npz…")
        npz.setToolTip("Save these weights and biases as a NumPy archive (File ▸ Open network reads it).")
        js = QPushButton("Export as network2 JSON…")
        js.setToolTip("Save in the format of the book's network2.py (sizes, weights, biases, cost).")
        npz.clicked.connect(lambda: view.export_dialog(".npz"))
        js.clicked.connect(lambda: view.export_dialog(".json"))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(npz)
        buttons.addWidget(js)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(table, 1)
        lay.addLayout(buttons)
        self.table = table


class BumpsView(QWidget):
    """N bumps with heights h set by field or by dragging; the book's challenge and its score; fits."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.h = np.zeros(5)
        self.target = A.Target("book")
        self.result: jobs.BumpsResult | None = None
        self.fit_result: np.ndarray | None = None
        self.train_records = None  # the newest TrainSnapshot
        self.job_id = None
        self.dialog = None
        self._last_drag = None
        self._drawn_points: list = []
        self._latest = LatestTask(ctx.client, self._show, self._failed)

        # --- controls
        self.target_box = QComboBox()
        for kind in TARGET_ORDER:
            self.target_box.addItem(TARGET_SHORT[kind], kind)
            self.target_box.setItemData(self.target_box.count() - 1, A.TARGET_KINDS[kind], Qt.ItemDataRole.ToolTipRole)
        self.target_box.setToolTip("The function f(x) the network should compute. The book's challenge is the first.")
        self.n_spin = QSpinBox()
        self.n_spin.setRange(1, A.MAX_BUMPS)
        self.n_spin.setValue(5)
        self.n_spin.setKeyboardTracking(False)
        self.n_spin.setToolTip("N bumps = 2N hidden neurons, with steps at 0, 1/N, …, 1. The book's challenge uses 5.")
        self.reset_btn = QPushButton("Reset (h = 0)")
        self.reset_btn.setToolTip("Set every bump height h back to 0.")
        self.fit_btn = QPushButton("Least squares")
        self.fit_btn.setToolTip("Choose h to minimise Σ (σ⁻¹f(x) − weighted output)² — solved exactly, instantly.")
        self.eta_spin = _spin(0.001, 100.0, 0.3, 3, 0.1, "Learning rate η of gradient descent on h.")
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 100_000)
        self.steps_spin.setValue(500)
        self.steps_spin.setToolTip("Number of gradient-descent steps (full batch over the points of f).")
        self.train_btn = QPushButton("Train by gradient descent")
        self.train_btn.setToolTip("Train the same network: cross-entropy cost, backpropagation, h → h − η ∂C/∂h. "
                                  "Runs on the engine worker with a live error curve.")
        self.draw_box = QCheckBox("Draw the target on the output plot")
        self.draw_box.setToolTip("Drag across the lower plot to draw your own f(x); then fit it.")
        self.show_net_btn = QPushButton("Show as network…")
        self.show_net_btn.setToolTip("The design as real weights and biases: w = 1000, b = −1000·s, output weights ±h.")
        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        self.score_label.setTextFormat(Qt.TextFormat.RichText)
        self.score_label.setToolTip("The book's score: mean of |σ⁻¹(f(x)) − weighted output| over x = 0, 0.01, …, 0.99.")
        self.msg = QLabel()
        self.msg.setWordWrap(True)
        self.msg.setStyleSheet(f"color: {RED}")

        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["steps s₁ … s₂", "height h"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setToolTip("Each bump: two hidden neurons with steps at s₁ and s₂ and output weights +h and −h.")
        self.spins: list[QDoubleSpinBox] = []

        form = QFormLayout()
        form.addRow("target f", self.target_box)
        form.addRow("bumps N", self.n_spin)
        grid = QGridLayout()
        grid.addWidget(self.reset_btn, 0, 0)
        grid.addWidget(self.fit_btn, 0, 1)
        gd = QGroupBox("Gradient descent")
        gdf = QFormLayout(gd)
        gdf.addRow("η", self.eta_spin)
        gdf.addRow("steps", self.steps_spin)
        gdf.addRow(self.train_btn)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.score_label)
        left.addLayout(grid)
        left.addWidget(gd)
        left.addWidget(self.draw_box)
        left.addWidget(self.show_net_btn)
        left.addWidget(self.msg)
        left.addWidget(self.table, 1)
        left.addWidget(_link("Drag on the upper plot to set the heights: a sweep draws the whole function.",
                             "#universality_with_one_input_and_one_output"))
        leftw = QWidget()
        leftw.setLayout(left)
        leftw.setFixedWidth(360)

        # --- plots
        self.zplot = _plot("hidden layer's weighted output z = Σⱼ w³₁ⱼ a²ⱼ (drag to set h) vs σ⁻¹∘f",
                           "x", "z", cls=DrawPlot)
        _legend(self.zplot)
        self.g_curve = self.zplot.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine), name="σ⁻¹(f(x)) to match")
        self.z_curve = self.zplot.plot(pen=pg.mkPen(BLUE, width=2.5), name="weighted output")
        self.handles = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(ORANGE), pen=pg.mkPen("k"))
        self.zplot.addItem(self.handles)
        self.zplot.setXRange(0, 1, padding=0.01)
        self.aplot = _plot("network output a = σ(z) vs the target f(x)", "x", "a", cls=DrawPlot)
        _legend(self.aplot)
        self.f_curve = self.aplot.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine), name="f(x)")
        self.samples = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(GREY), pen=None)
        self.aplot.addItem(self.samples)
        self.a_curve = self.aplot.plot(pen=pg.mkPen(ORANGE, width=2.5), name="output σ(z)")
        self.aplot.setXRange(0, 1, padding=0.01)
        self.aplot.setYRange(-0.02, 1.2, padding=0)  # headroom for the legend
        self.aplot.drawing_enabled = False
        self.eplot = _plot("gradient descent: average deviation (the book's score) per step", "step", "score")
        self.e_curve = self.eplot.plot(pen=pg.mkPen(RED, width=2))
        self.e_line = pg.InfiniteLine(A.SUCCESS_SCORE, angle=0, pen=pg.mkPen(GREEN, style=Qt.PenStyle.DashLine),
                                      label="0.40", labelOpts={"position": 0.05, "color": GREEN})
        self.eplot.addItem(self.e_line)
        self.eplot.setXRange(0, self.steps_spin.value(), padding=0.02)
        self.eplot.setYRange(0, 1, padding=0)
        right = QVBoxLayout()
        right.addWidget(self.zplot, 3)
        right.addWidget(self.aplot, 2)
        right.addWidget(self.eplot, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(leftw)
        layout.addLayout(right, 1)

        self.target_box.currentIndexChanged.connect(self._on_target)
        self.n_spin.valueChanged.connect(self.set_n)
        self.reset_btn.clicked.connect(self.reset)
        self.fit_btn.clicked.connect(self.least_squares)
        self.train_btn.clicked.connect(self.toggle_training)
        self.draw_box.toggled.connect(self._on_draw_mode)
        self.show_net_btn.clicked.connect(self.show_network)
        self.zplot.stroke.connect(self._on_h_stroke)
        self.zplot.strokeEnded.connect(self._end_stroke)
        self.aplot.stroke.connect(self._on_target_stroke)
        self.aplot.strokeEnded.connect(self._end_target_stroke)
        ctx.client.jobStateChanged.connect(self._on_job_state)
        self._rebuild_table()
        self._set_z_range()
        self.request()

    # ---------------------------------------------------------------- the design
    def set_heights(self, h, *, rerange: bool = False) -> None:
        h = np.clip(np.asarray(h, dtype=np.float64).reshape(-1), -H_LIMIT, H_LIMIT)
        if len(h) != len(self.h):
            self.h = h.copy()
            self.n_spin.blockSignals(True)
            self.n_spin.setValue(len(h))
            self.n_spin.blockSignals(False)
            self._rebuild_table()
        else:
            self.h = h.copy()
            self._sync_spins()
        if rerange:
            self._set_z_range()
        self.request()

    def set_n(self, n: int) -> None:
        n = A.check_bumps(n)
        if n == len(self.h):
            return
        self._clear_curve()
        # keep the drawn shape: resample the old staircase at the new bump centres
        old = self.h
        centres = (np.arange(n) + 0.5) / n
        new = old[[bump_index(c, len(old)) for c in centres]]
        self.set_heights(new)

    def reset(self) -> None:
        self.train_records = None
        self.e_curve.setData([], [])
        self.set_heights(np.zeros(len(self.h)))

    def _clear_curve(self) -> None:
        """A past gradient-descent curve belongs to another design: forget it."""
        if not self.training:
            self.train_records = None
            self.e_curve.setData([], [])

    def set_target(self, target: A.Target) -> None:
        if target != self.target:
            self._clear_curve()
        self.target = target
        kind_index = TARGET_ORDER.index(target.kind)
        if self.target_box.currentIndex() != kind_index:
            self.target_box.blockSignals(True)
            self.target_box.setCurrentIndex(kind_index)
            self.target_box.blockSignals(False)
        self._set_z_range()
        self.request()

    def _on_target(self, index: int) -> None:
        kind = self.target_box.itemData(index)
        self.msg.clear()
        if kind == "noisy":
            self.set_target(A.noisy_target())
        elif kind == "drawn":
            self.draw_box.setChecked(True)
            if self.target.kind != "drawn":
                self.msg.setText("Drag across the lower plot to draw f(x).")
        else:
            self.set_target(A.Target(kind))

    def _rebuild_table(self) -> None:
        n = len(self.h)
        self.table.setRowCount(n)
        self.table.setVerticalHeaderLabels([str(i + 1) for i in range(n)])
        steps = A.bump_steps(n)
        self.spins = []
        for i in range(n):
            item = QTableWidgetItem(f"{steps[i]:.3g} … {steps[i + 1]:.3g}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(i, 0, item)
            spin = _spin(-H_LIMIT, H_LIMIT, float(self.h[i]), 3, 0.1, f"Height h of bump {i + 1}")
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.valueChanged.connect(lambda v, i=i: self._on_spin(i, v))
            self.table.setCellWidget(i, 1, spin)
            self.spins.append(spin)

    def _sync_spins(self) -> None:
        for spin, v in zip(self.spins, self.h):
            if abs(spin.value() - v) > 5e-4:
                spin.blockSignals(True)
                spin.setValue(float(v))
                spin.blockSignals(False)

    def _on_spin(self, i: int, v: float) -> None:
        if self.training:
            return
        h = self.h.copy()
        h[i] = v
        self.h = h
        self.request()

    # ---------------------------------------------------------------- dragging
    @Slot(float, float, bool)
    def _on_h_stroke(self, x: float, y: float, first: bool) -> None:
        if self.training:
            self.ctx.status("Stop gradient descent before dragging the heights.")
            return
        if not 0 <= x <= 1:
            x = min(max(x, 0.0), 1.0)
        self.apply_drag(None if first else self._last_drag, (x, y))
        self._last_drag = (x, y)

    def apply_drag(self, p0, p1) -> None:
        """The drag moved from p0 (None at the start of a stroke) to p1 = (x, z): update h and redraw."""
        self.h = sweep_heights(self.h, p0, p1, H_LIMIT)
        self._sync_spins()
        self._draw_handles()
        self.request()

    def _end_stroke(self) -> None:
        self._last_drag = None

    def _on_draw_mode(self, on: bool) -> None:
        self.aplot.drawing_enabled = on
        self.aplot.setTitle("draw the target f(x) here (drag from left to right)" if on
                            else "network output a = σ(z) vs the target f(x)", size="10pt")

    @Slot(float, float, bool)
    def _on_target_stroke(self, x: float, y: float, first: bool) -> None:
        if first:
            self._drawn_points = []
        self._drawn_points.append((x, y))
        pts = np.asarray(self._drawn_points)
        self.samples.setData(pts[:, 0], np.clip(pts[:, 1], 0.02, 0.98))

    def _end_target_stroke(self) -> None:
        self.set_drawn_target(self._drawn_points)

    def set_drawn_target(self, points) -> None:
        try:
            target = A.drawn_target(points)
        except ValueError as exc:
            self.msg.setText(str(exc))
            return
        self.msg.clear()
        self.set_target(target)

    # ---------------------------------------------------------------- fits
    def least_squares(self) -> None:
        self.ctx.client.run_task(jobs.fit_task, len(self.h), self.target, on_result=self._fitted,
                                 on_error=lambda m: self.ctx.error("Least squares failed", m))

    def _fitted(self, h) -> None:
        self.fit_result = np.asarray(h)
        self.set_heights(h, rerange=True)
        self.ctx.status(f"Least-squares heights for {len(h)} bumps.")

    @property
    def training(self) -> bool:
        return self.job_id is not None

    def toggle_training(self) -> None:
        if self.training:
            self.ctx.client.stop()
            return
        self.train_records = None
        self.e_curve.setData([], [])
        self.eplot.setXRange(0, self.steps_spin.value(), padding=0.02)
        job = self.ctx.client.start_job(
            "playground gradient descent", jobs.train_job, self.h.copy(), self.target,
            self.eta_spin.value(), self.steps_spin.value(),
            on_snapshot=self._on_record, on_finished=self._on_trained, on_failed=self._on_train_failed)
        if job is not None:
            self.job_id = job
            self.train_btn.setText("Stop")
            self.zplot.drawing_enabled = False

    def _on_record(self, snap: jobs.TrainSnapshot) -> None:
        self.train_records = snap
        self.e_curve.setData(snap.curve_steps, snap.curve_scores)
        top = max(1.0, float(snap.curve_scores.max()) * 1.05)
        self.eplot.setYRange(0, top, padding=0)
        self.h = snap.h.copy()
        self._sync_spins()
        self.request()

    def _on_trained(self, h) -> None:
        self._end_training()
        if h is not None:
            self.set_heights(h)
        self.ctx.status("Gradient descent finished.")

    def _on_train_failed(self, message: str) -> None:
        self._end_training()
        self.msg.setText(message)
        self.ctx.error("Gradient descent", message)

    def _end_training(self) -> None:
        self.job_id = None
        self.train_btn.setText("Train by gradient descent")
        self.zplot.drawing_enabled = True

    def _on_job_state(self, state: str) -> None:
        busy_elsewhere = state != "idle" and not self.training
        self.train_btn.setEnabled(not busy_elsewhere)
        self.train_btn.setToolTip("The engine is busy with another run." if busy_elsewhere else
                                  "Train the same network: cross-entropy cost, backpropagation, h → h − η ∂C/∂h.")

    # ---------------------------------------------------------------- network and export
    def show_network(self) -> None:
        self.ctx.client.run_task(jobs.design_network_task, self.h.copy(), on_result=self._open_dialog,
                                 on_error=lambda m: self.ctx.error("Show as network", m))

    def _open_dialog(self, net) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()  # closing only hides it: every "Show as network…" kept one (soak)
        self.dialog = NetworkDialog(self, net, self)
        self.dialog.show()

    def export_dialog(self, suffix: str) -> None:
        name = "bumps.npz" if suffix == ".npz" else "bumps.json"
        filt = "NumPy archive (*.npz)" if suffix == ".npz" else "network2.py JSON (*.json)"
        path, _ = QFileDialog.getSaveFileName(self, "Export the bump network", name, filt)
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        self.ctx.client.run_task(jobs.export_task, self.h.copy(), path,
                                 on_result=lambda p: self.ctx.status(f"Saved the bump network to {p}"),
                                 on_error=lambda m: self.ctx.error("Could not export the network", m))

    # ---------------------------------------------------------------- evaluation and drawing
    def request(self) -> None:
        self._draw_handles()
        self._latest.request(jobs.bumps_task, self.h.copy(), self.target)

    def _draw_handles(self) -> None:
        n = len(self.h)
        self.handles.setData((np.arange(n) + 0.5) / n, self.h)

    def _set_z_range(self) -> None:
        g = self.target.g(A.PLOT_X)
        lo, hi = min(g.min(), self.h.min(), -1.0), max(g.max(), self.h.max(), 1.0)
        pad = 0.15 * (hi - lo)
        self.zplot.setYRange(lo - pad, hi + 3 * pad, padding=0)  # headroom for the legend

    def score_text(self) -> str:
        return "—" if self.result is None else f"{self.result.score:.2f}"

    def _show(self, r: jobs.BumpsResult) -> None:
        self.result = r
        self.g_curve.setData(r.x, r.g)
        self.z_curve.setData(r.x, r.weighted)
        self.f_curve.setData(r.x, r.f)
        self.a_curve.setData(r.x, r.output)
        if len(r.sample_x):
            self.samples.setData(r.sample_x, r.sample_f)
        else:
            self.samples.setData([], [])
        n = len(r.h)
        ok = r.score <= A.SUCCESS_SCORE
        verdict = (f'<span style="color:{GREEN}">≤ 0.40: success' + (" — the book's challenge met!" if n == 5 and self.target.kind == "book" else "")
                   + "</span>") if ok else f'<span style="color:{RED}">above 0.40: keep going</span>'
        what = "the book's challenge" if self.target.kind == "book" else "this target"
        self.score_label.setText(
            f"<b>Average deviation: <span style='font-size:15pt'>{r.score:.2f}</span></b> ({r.score:.4f}) {verdict}"
            f"<br><small>{what}, {n} bump{'s' if n > 1 else ''}: mean |σ⁻¹(f(x)) − z(x)| over x = 0, 0.01, …, 0.99</small>")

    def _failed(self, message: str) -> None:
        self.msg.setText(message)

    def close_requests(self) -> None:
        self._latest.close()
        if self.training:
            self.ctx.client.stop()
        if self.dialog is not None:
            self.dialog.close()


# ================================================================================================ windows
class WindowsView(QWidget):
    """Windows of failure near each step, and the book's fix: M shifted copies of σ⁻¹∘f / M summed."""

    def __init__(self, ctx, bumps: BumpsView, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.bumps = bumps
        self.result: jobs.WindowsResult | None = None
        self._latest = LatestTask(ctx.client, self._show)
        self.n_spin = QSpinBox()
        self.n_spin.setRange(2, A.MAX_BUMPS)
        self.n_spin.setValue(10)
        self.n_spin.setToolTip("N bumps of each copy.")
        self.w_spin = _spin(5, 1000, 150, 0, 10, "The hidden weight w. Smaller w → softer steps → wider windows of failure.")
        self.m_spin = QSpinBox()
        self.m_spin.setRange(1, 8)
        self.m_spin.setValue(3)
        self.m_spin.setToolTip("M: how many copies of the approximation of σ⁻¹∘f / M are summed, each shifted by 1/(MN).")
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 9)
        self.k_spin.setValue(5)
        self.k_spin.setToolTip("Which step to zoom on: the one at x = k/N.")
        for s in (self.n_spin, self.m_spin, self.k_spin):
            s.setKeyboardTracking(False)
            s.valueChanged.connect(self.request)
        self.w_spin.valueChanged.connect(self.request)
        form = QFormLayout()
        form.addRow("bumps N", self.n_spin)
        form.addRow("weight w", self.w_spin)
        form.addRow("copies M", self.m_spin)
        form.addRow("zoom on step k", self.k_spin)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.target_label = QLabel()
        self.target_label.setWordWrap(True)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.target_label)
        left.addWidget(self.stats)
        left.addWidget(_link(
            "σ(wx + b) is not a true step: within about 1/w of each step the weighted output is neither bump "
            "value. The book's fix sums M copies of the approximation of σ⁻¹∘f / M, shifted so that at any x at "
            "most one copy is in its window of failure.", "#fixing_up_the_step_functions"))
        left.addStretch(1)
        leftw = QWidget()
        leftw.setLayout(left)
        leftw.setFixedWidth(360)

        self.full = _plot("weighted output over [0, 1] (shaded: the zoom window)", "x", "z")
        _legend(self.full)
        self.g_full = self.full.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine), name="σ⁻¹(f(x))")
        self.z1_full = self.full.plot(pen=pg.mkPen(BLUE, width=2), name="1 copy")
        self.zm_full = self.full.plot(pen=pg.mkPen(ORANGE, width=2), name="M copies")
        self.region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(0, 0, 0, 25))
        self.full.addItem(self.region)
        self.zoom = _plot("zoom on one step", "x", "z")
        self.g_zoom = self.zoom.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine))
        self.z1_zoom = self.zoom.plot(pen=pg.mkPen(BLUE, width=2.5))
        self.zm_zoom = self.zoom.plot(pen=pg.mkPen(ORANGE, width=2.5))
        self.ideal_zoom = self.zoom.plot(pen=pg.mkPen("k", width=1.2, style=Qt.PenStyle.DotLine))
        self.err = _plot("error |σ⁻¹(f(x)) − weighted output|", "x", "error")
        _legend(self.err)
        self.e1 = self.err.plot(pen=pg.mkPen(BLUE, width=1.5), name="1 copy")
        self.em = self.err.plot(pen=pg.mkPen(ORANGE, width=1.5), name="M copies")
        grid = QGridLayout()
        grid.addWidget(self.full, 0, 0)
        grid.addWidget(self.zoom, 0, 1)
        grid.addWidget(self.err, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(leftw)
        layout.addLayout(grid, 1)

    def request(self, *_):
        n = self.n_spin.value()
        self.k_spin.setMaximum(n - 1)
        target = self.bumps.target
        self.target_label.setText(f"Target (from “Bumps & the challenge”): {target.label}.")
        self._latest.request(jobs.windows_task, target, n, self.m_spin.value(), self.w_spin.value())

    def _show(self, r: jobs.WindowsResult) -> None:
        self.result = r
        d = r.data
        x = d["x"]
        for g, z1, zm in ((self.g_full, self.z1_full, self.zm_full), (self.g_zoom, self.z1_zoom, self.zm_zoom)):
            g.setData(x, d["g"])
            z1.setData(x, d["z1"])
            zm.setData(x, d["zM"])
        self.ideal_zoom.setData(x, d["z1_ideal"])
        self.e1.setData(x, d["err1"])
        self.em.setData(x, d["errM"])
        top = float(max(d["err1"].max(), d["errM"].max(), 0.1))
        self.err.setYRange(0, 1.25 * top, padding=0)  # headroom for the legend
        lo = float(min(d["g"].min(), d["z1"].min(), d["zM"].min()))
        hi = float(max(d["g"].max(), d["z1"].max(), d["zM"].max()))
        self.full.setYRange(lo - 0.05 * (hi - lo), hi + 0.25 * (hi - lo), padding=0)
        self.full.setXRange(0, 1, padding=0.02)
        k = min(self.k_spin.value(), r.n - 1)
        s = k / r.n
        half = 0.75 / r.n
        lo, hi = max(s - half, 0), min(s + half, 1)
        self.region.setRegion((lo, hi))
        self.zoom.setXRange(lo, hi, padding=0)
        inside = (x >= lo) & (x <= hi)
        vals = np.concatenate([d["g"][inside], d["z1"][inside], d["zM"][inside]])
        pad = 0.1 * (vals.max() - vals.min() + 1e-3)
        self.zoom.setYRange(vals.min() - pad, vals.max() + pad, padding=0)
        self.zoom.setTitle(f"zoom on the step at x = {k}/{r.n} (dotted: true steps)",
                           size="10pt")
        self.stats.setText(
            f"Largest error for 0.02 ≤ x ≤ 0.98:<br><b style='color:{BLUE}'>1 copy: {d['max1']:.3f}</b> &nbsp; "
            f"<b style='color:{ORANGE}'>{r.copies} copies: {d['maxM']:.3f}</b><br>"
            f"Largest gap between 1 copy and its true-step version (the window of failure): "
            f"<b>{d['window1']:.3f}</b><br>"
            f"Mean error: 1 copy {d['mean1']:.3f}, {r.copies} copies {d['meanM']:.3f}<br>"
            f"<small>{r.copies} × {2 * r.n}+ hidden neurons, w = {r.w:g}.</small>")

    def close_requests(self):
        self._latest.close()


# ================================================================================================ two inputs
class TwoInputView(QWidget):
    """Two inputs: steps, bumps and towers in x and y, and many towers approximating f(x, y); heatmaps."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: jobs.TwoInputResult | None = None
        self._latest = LatestTask(ctx.client, self._show, self._failed)
        self.mode_box = QComboBox()
        tips = {"x-step": "one neuron with weights (w, 0): a step in x",
                "y-step": "one neuron with weights (0, w): a step in y",
                "x-bump": "two x-step neurons, output weights +h, −h",
                "y-bump": "two y-step neurons, output weights +h, −h",
                "x+y bumps": "an x-bump plus a y-bump: 2h where they cross, h on the strips",
                "tower": "x+y bumps through a sigmoid output with bias ≈ −3h/2: a tower",
                "many towers": "a grid of towers (a second hidden layer) approximating f(x, y)"}
        for m in A.TWO_D_MODES:
            self.mode_box.addItem(m, m)
            self.mode_box.setItemData(self.mode_box.count() - 1, tips[m], Qt.ItemDataRole.ToolTipRole)
        self.mode_box.setCurrentText("tower")
        self.sx1 = _spin(0, 1, 0.3, 2, 0.05, "x-step s₁")
        self.sx2 = _spin(0, 1, 0.7, 2, 0.05, "x-step s₂")
        self.sy1 = _spin(0, 1, 0.3, 2, 0.05, "y-step s₁")
        self.sy2 = _spin(0, 1, 0.6, 2, 0.05, "y-step s₂")
        self.h_spin = _spin(-50, 50, 10, 2, 0.5, "Height h: the output weights are +h and −h.")
        self.auto_bias = QCheckBox("output bias b = −3h/2")
        self.auto_bias.setChecked(True)
        self.auto_bias.setToolTip("The book's choice: the crossing (2h) ends up above 0, the strips (h) below.")
        self.bias_spin = _spin(-200, 200, -15, 2, 0.5, "Output bias b of the sigmoid output neuron.")
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 40)
        self.k_spin.setValue(12)
        self.k_spin.setToolTip("Towers per side for “many towers” (k² towers).")
        for s in (self.sx1, self.sx2, self.sy1, self.sy2, self.h_spin, self.bias_spin):
            s.valueChanged.connect(self.request)
        self.k_spin.valueChanged.connect(self.request)
        self.mode_box.currentIndexChanged.connect(self.request)
        self.auto_bias.toggled.connect(self.request)
        form = QFormLayout()
        form.addRow("design", self.mode_box)
        form.addRow("x steps s₁, s₂", NeuronView._row(self.sx1, self.sx2))
        form.addRow("y steps s₁, s₂", NeuronView._row(self.sy1, self.sy2))
        form.addRow("height h", self.h_spin)
        form.addRow(self.auto_bias)
        form.addRow("output bias b", self.bias_spin)
        form.addRow("towers per side k", self.k_spin)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.msg = QLabel()
        self.msg.setWordWrap(True)
        self.msg.setStyleSheet(f"color: {RED}")
        note = QLabel("<small>Shown as heatmaps: a 3-D surface would need pyqtgraph.opengl and PyOpenGL, "
                      "which this app does not depend on.</small>")
        note.setWordWrap(True)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.info)
        left.addWidget(self.msg)
        left.addWidget(_link("With two inputs, steps in x and in y combine into towers, and many towers "
                             "approximate any function of two variables.", "#many_input_variables"))
        left.addWidget(note)
        left.addStretch(1)
        leftw = QWidget()
        leftw.setLayout(left)
        leftw.setFixedWidth(360)

        self.cmap = pg.colormap.get("viridis")
        self.left_plot, self.left_img, self.left_bar = self._heatmap("weighted output z")
        self.right_plot, self.right_img, self.right_bar = self._heatmap("output a = σ(z + b)")
        plots = QHBoxLayout()
        plots.addWidget(self.left_plot)
        plots.addWidget(self.right_plot)
        layout = QHBoxLayout(self)
        layout.addWidget(leftw)
        layout.addLayout(plots, 1)

    def _heatmap(self, title):
        p = _plot(title, "x", "y")
        img = pg.ImageItem(axisOrder="row-major")
        img.setColorMap(self.cmap)
        p.addItem(img)
        p.setXRange(0, 1, padding=0.02)
        p.setYRange(0, 1, padding=0.02)
        bar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False, width=12)
        bar.setImageItem(img, insert_in=p.getPlotItem())
        return p, img, bar

    def request(self, *_):
        mode = self.mode_box.currentText()
        h = self.h_spin.value()
        if self.auto_bias.isChecked():
            self.bias_spin.blockSignals(True)
            self.bias_spin.setValue(-1.5 * h)
            self.bias_spin.blockSignals(False)
        self.bias_spin.setEnabled(not self.auto_bias.isChecked())
        towers = mode == "many towers"
        for wdg in (self.sx1, self.sx2, self.sy1, self.sy2, self.h_spin, self.auto_bias):
            wdg.setEnabled(not towers)
        self.bias_spin.setEnabled(not towers and not self.auto_bias.isChecked())
        self.k_spin.setEnabled(towers)
        bias = self.bias_spin.value() if mode in ("tower", "x+y bumps") or not self.auto_bias.isChecked() else 0.0
        self._latest.request(jobs.two_input_task, mode, (self.sx1.value(), self.sx2.value()),
                             (self.sy1.value(), self.sy2.value()), h, bias, self.k_spin.value())

    def _show(self, r: jobs.TwoInputResult) -> None:
        self.result = r
        self.msg.clear()
        if r.mode == "many towers":
            self.left_plot.setTitle("target f(x, y)", size="10pt")
            self.left_img.setImage(r.target, autoLevels=False, levels=(0, 1))
            self.left_bar.setLevels((0, 1))
            self.right_plot.setTitle("network output a (k² towers)", size="10pt")
            self.info.setText(f"Network sizes {list(r.sizes)}. Mean |a − f| = <b>{r.mean_error:.4f}</b>.<br>"
                              "f(x, y) = 0.5 + 0.3·sin(2πx)·cos(1.5πy) + 0.1·(x − y)")
        else:
            h = abs(self.h_spin.value()) or 1.0
            lim = 2.0 * h
            self.left_plot.setTitle("weighted output z (before the output bias)", size="10pt")
            z_wo_bias = r.weighted - (self.bias_spin.value() if r.mode in ("tower", "x+y bumps") or not self.auto_bias.isChecked() else 0.0)
            self.left_img.setImage(z_wo_bias, autoLevels=False, levels=(-lim, lim))
            self.left_bar.setLevels((-lim, lim))
            self.right_plot.setTitle("output a = σ(z + b)", size="10pt")
            self.info.setText(f"Network sizes {list(r.sizes)}; output a from {r.output.min():.3f} to {r.output.max():.3f}.")
        self.right_img.setImage(r.output, autoLevels=False, levels=(0, 1))
        self.right_bar.setLevels((0, 1))
        for img in (self.left_img, self.right_img):
            img.setRect(QRectF(0, 0, 1, 1))  # after setImage: the grid covers [0, 1]²

    def _failed(self, message: str) -> None:
        self.msg.setText(message)

    def close_requests(self):
        self._latest.close()


# ================================================================================================ the tab
class PlaygroundTab(Tab):
    title = "Approximation playground"
    chapter = 4

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        header = QLabel(
            "<b>A visual proof that neural nets can compute any function</b> — build functions from "
            "sigmoid steps and bumps; every curve is computed by a real network in the engine. "
            f'<a href="{CH4}">Chapter 4 of the book</a>.')
        header.setOpenExternalLinks(True)
        header.setWordWrap(True)
        self.views = QTabWidget()
        self.neuron = NeuronView(ctx.client)
        self.bumps = BumpsView(ctx)
        self.windows = WindowsView(ctx, self.bumps)
        self.two = TwoInputView(ctx)
        self.views.addTab(self.neuron, "One neuron")
        self.views.addTab(self.bumps, "Bumps && the challenge")
        self.views.addTab(self.windows, "Windows of failure")
        self.views.addTab(self.two, "Two inputs")
        self.views.currentChanged.connect(self._on_view)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.views, 1)
        self.windows.request()
        self.two.request()

    def _on_view(self, index: int) -> None:
        if self.views.widget(index) is self.windows:
            self.windows.request()  # the target may have changed on the bumps page

    # ---------------------------------------------------------------- settings
    def save_settings(self, s) -> None:
        s.setValue("view", self.views.currentIndex())
        s.setValue("w", self.neuron.w_spin.value())
        s.setValue("b", self.neuron.b_spin.value())
        s.setValue("step_mode", int(self.neuron.step_mode.isChecked()))
        kind = self.bumps.target.kind
        s.setValue("target", kind if kind != "drawn" else "book")
        s.setValue("h", ",".join(f"{v:.6g}" for v in self.bumps.h))
        s.setValue("eta", self.bumps.eta_spin.value())
        s.setValue("two_mode", self.two.mode_box.currentText())

    def restore_settings(self, s) -> None:
        self.neuron.w_spin.setValue(float_setting(s, "w", self.neuron.w_spin.value()))
        self.neuron.b_spin.setValue(float_setting(s, "b", self.neuron.b_spin.value()))
        self.neuron.step_mode.setChecked(bool(int_setting(s, "step_mode", 0)))
        kind = s.value("target")
        if kind in TARGET_ORDER and kind != "drawn":
            self.bumps.set_target(A.noisy_target() if kind == "noisy" else A.Target(kind))
        text = s.value("h")
        if isinstance(text, str) and text:
            try:
                h = np.array([float(t) for t in text.split(",")])
                if 1 <= len(h) <= A.MAX_BUMPS and np.all(np.isfinite(h)):
                    self.bumps.set_heights(h, rerange=True)
            except ValueError:
                pass
        self.bumps.eta_spin.setValue(float_setting(s, "eta", self.bumps.eta_spin.value()))
        mode = s.value("two_mode")
        if mode in A.TWO_D_MODES:
            self.two.mode_box.setCurrentText(mode)
        view = int_setting(s, "view", 0)
        if 0 <= view < self.views.count():
            self.views.setCurrentIndex(view)

    def shutdown(self) -> None:
        for view in (self.neuron, self.bumps, self.windows, self.two):
            view.close_requests()
