"""The playground's "Bumps & the challenge" view: a function built from sigmoid bumps, fitted by hand,
by least squares or by gradient descent, scored as the book scores it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine import approx as A
from ...jobs import playground as jobs
from ...latest import LatestTask
from ...widgets.bump_plot import DrawPlot, bump_index, sweep_heights
from .common import (
    BLUE, GREEN, GREY, H_LIMIT, ORANGE, RED, TARGET_ORDER, TARGET_SHORT, add_legend, link_label, make_plot, side_panel,
    num, spin_box,
)
from .network_dialog import NetworkDialog


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
        self.eta_spin = spin_box(0.001, 100.0, 0.3, 3, 0.1, "Learning rate η of gradient descent on h.")
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
        # a fixed height (a 15 pt line and three lines of text): the buttons below stay put as the score changes
        big = QFont(self.score_label.font())
        big.setPointSize(15)
        self.score_label.setFixedHeight(QFontMetrics(big).lineSpacing() + 4 * self.score_label.fontMetrics().lineSpacing() + 4)
        self.score_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
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
        left.addWidget(link_label("Drag on the upper plot to set the heights: a sweep draws the whole function.",
                             "#universality_with_one_input_and_one_output"))
        leftw = side_panel(left)

        # --- plots
        self.zplot = make_plot("hidden layer's weighted output z = Σⱼ w³₁ⱼ a²ⱼ (drag to set h) vs σ⁻¹∘f",
                           "x", "z", cls=DrawPlot)
        add_legend(self.zplot)
        self.g_curve = self.zplot.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine), name="σ⁻¹(f(x)) to match")
        self.z_curve = self.zplot.plot(pen=pg.mkPen(BLUE, width=2.5), name="weighted output")
        self.handles = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(ORANGE), pen=pg.mkPen("k"))
        self.zplot.addItem(self.handles)
        self.zplot.setXRange(0, 1, padding=0.01)
        self.aplot = make_plot("network output a = σ(z) vs the target f(x)", "x", "a", cls=DrawPlot)
        add_legend(self.aplot)
        self.f_curve = self.aplot.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine), name="f(x)")
        self.samples = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(GREY), pen=None)
        self.aplot.addItem(self.samples)
        self.a_curve = self.aplot.plot(pen=pg.mkPen(ORANGE, width=2.5), name="output σ(z)")
        self.aplot.setXRange(0, 1, padding=0.01)
        self.aplot.setYRange(-0.02, 1.2, padding=0)  # headroom for the legend
        self.aplot.drawing_enabled = False
        self.eplot = make_plot("gradient descent: the real network's deviation per step", "step", "deviation")
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
            item = QTableWidgetItem(f"{num(steps[i], '.3g')} … {num(steps[i + 1], '.3g')}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(i, 0, item)
            spin = spin_box(-H_LIMIT, H_LIMIT, float(self.h[i]), 3, 0.1, f"Height h of bump {i + 1}")
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
        shown, ok = A.book_verdict(r.book_score)  # the book's rule: score < 0.405, shown with two decimals
        verdict = (f'<span style="color:{GREEN}">Success!' + (" — the book's challenge met" if n == 5 and self.target.kind == "book" else "")
                   + "</span>") if ok else f'<span style="color:{RED}">not below 0.40 yet</span>'
        what = "the book's challenge" if self.target.kind == "book" else "this target"
        self.score_label.setText(
            f"<b>Score: <span style='font-size:15pt'>{shown}</span></b> {verdict}"
            f"<br><small>{r.book_score:.4f}: {what}, {n} bump{'s' if n > 1 else ''}, scored as the book does: ideal steps, mean "
            f"|σ⁻¹(f(x)) − h| over x = 0, 0.01, …, 0.99</small>"
            f"<br><small>Real network (steps w = 1000): deviation {r.score:.4f} — the steps are not ideal near "
            f"their edges (windows of failure)</small>")

    def _failed(self, message: str) -> None:
        self.msg.setText(message)

    def close_requests(self) -> None:
        self._latest.close()
        if self.training:
            self.ctx.client.stop()
        if self.dialog is not None:
            self.dialog.close()
