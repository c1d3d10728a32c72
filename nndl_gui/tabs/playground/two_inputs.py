"""The playground's "Two inputs" view: steps, bumps and towers of f(x1, x2) from two-input neurons."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...engine import approx as A
from ...jobs import playground as jobs
from ...latest import LatestTask
from .common import RED, link_label, make_plot, side_panel, spin_box
from .neuron import NeuronView


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
        self.sx1 = spin_box(0, 1, 0.3, 2, 0.05, "x-step s₁")
        self.sx2 = spin_box(0, 1, 0.7, 2, 0.05, "x-step s₂")
        self.sy1 = spin_box(0, 1, 0.3, 2, 0.05, "y-step s₁")
        self.sy2 = spin_box(0, 1, 0.6, 2, 0.05, "y-step s₂")
        self.h_spin = spin_box(-50, 50, 10, 2, 0.5, "Height h: the output weights are +h and −h.")
        self.auto_bias = QCheckBox("output bias b = −3h/2")
        self.auto_bias.setChecked(True)
        self.auto_bias.setToolTip("The book's choice: the crossing (2h) ends up above 0, the strips (h) below.")
        self.bias_spin = spin_box(-200, 200, -15, 2, 0.5, "Output bias b of the sigmoid output neuron.")
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
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.info)
        left.addWidget(self.msg)
        left.addWidget(link_label("With two inputs, steps in x and in y combine into towers, and many towers "
                             "approximate any function of two variables.", "#many_input_variables"))
        left.addStretch(1)
        leftw = side_panel(left)

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
        p = make_plot(title, "x", "y")
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
            self.left_plot.setTitle("weighted output z (before b)", size="10pt")
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
