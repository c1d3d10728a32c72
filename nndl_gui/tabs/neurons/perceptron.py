"""Chapter 1: a perceptron and a sigmoid neuron side by side, and what a small change in one weight does.

The learner sets three inputs x_j, weights w_j and a bias b; both neurons' outputs are shown, and a plot
of output against a nudge Δ of one weight or of the bias shows the perceptron jump from 0 to 1 where the
sigmoid neuron changes a little: the book's reason for sigmoid neurons.  Computed on the worker
(jobs.neurons.neuron_task from engine.perceptrons); only the newest request is drawn.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QWidget

from ...jobs import neurons as jobs
from ...widgets.numbers import subscript
from .common import BLUE, GREY, ORANGE, LiveView, beside, chapter_label, left_column, make_plot, rich_label, spin_box

INPUTS = 3


class PerceptronView(LiveView):
    def __init__(self, client, parent: QWidget | None = None):
        super().__init__(client, parent)
        form = QFormLayout()
        self.x_spins = [spin_box(-1, 1, v, 2, 1.0, "input x (the book's perceptrons take bits 0 or 1)")
                        for v in (1.0, 0.0, 1.0)]
        self.w_spins = [spin_box(-10, 10, v, 2, 0.1, "weight w") for v in (0.6, 0.4, 0.2)]
        self.b_spin = spin_box(-10, 10, -0.8, 2, 0.1, "bias b (−threshold)")
        for j in range(INPUTS):
            row = QHBoxLayout()
            row.addWidget(QLabel(f"x{subscript(j + 1)}"))
            row.addWidget(self.x_spins[j])
            row.addWidget(QLabel(f"w{subscript(j + 1)}"))
            row.addWidget(self.w_spins[j])
            form.addRow(f"input {j + 1}", row)
        form.addRow("bias b", self.b_spin)
        self.param_box = QComboBox()
        for j in range(INPUTS):  # shown as the book writes them (w₁), sent to the job as "w1"
            self.param_box.addItem(f"w{subscript(j + 1)}", f"w{j + 1}")
        self.param_box.addItem("b", "b")
        self.param_box.setCurrentIndex(INPUTS)
        self.span_spin = spin_box(0.01, 5, 0.5, 2, 0.05, "how far Δ goes either way")
        form.addRow("nudge", self.param_box)
        form.addRow("by Δ up to ±", self.span_spin)
        self.out_label = rich_label()
        left = left_column(chapter_label(
            "A perceptron outputs 1 if w·x + b > 0, else 0; a sigmoid neuron outputs σ(w·x + b). Nudge one "
            "weight or the bias: the perceptron's output can flip from 0 to 1, the sigmoid neuron's output "
            "changes only a little, so small changes in weights can be learnt step by step.", 1, "#perceptrons"),
            form, self.out_label, self.msg)
        self.plot = make_plot("output as one parameter is nudged by Δ", "Δ", "output")
        self.plot.setYRange(-0.05, 1.05, padding=0)
        self.plot.addLegend(offset=(10, 2), labelTextSize="9pt")
        self.per_curve = self.plot.plot([], [], pen=pg.mkPen(ORANGE, width=3), name="perceptron")
        self.sig_curve = self.plot.plot([], [], pen=pg.mkPen(BLUE, width=3), name="sigmoid neuron")
        self.now_line = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen(GREY, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.now_line)
        beside(self, left, self.plot)
        for s in (*self.x_spins, *self.w_spins, self.b_spin, self.span_spin):
            s.valueChanged.connect(self.request)
        self.param_box.currentTextChanged.connect(self.request)
        self.request()

    def request(self, *_args) -> None:
        self._latest.request(jobs.neuron_task, [s.value() for s in self.x_spins],
                             [s.value() for s in self.w_spins], self.b_spin.value(),
                             self.param_box.currentData(), self.span_spin.value())

    def show_result(self, r: jobs.NeuronSweep) -> None:
        self.per_curve.setData(r.deltas, r.perceptron)
        self.sig_curve.setData(r.deltas, r.sigmoid)
        self.plot.setXRange(r.deltas[0], r.deltas[-1], padding=0.02)
        jumps = int((abs(r.perceptron[1:] - r.perceptron[:-1]) > 0).sum())
        change = float(r.sigmoid.max() - r.sigmoid.min())
        self.out_label.setText(
            f"z = w·x + b = <b>{r.response.z:.3f}</b><br>"
            f"perceptron: <b style='color:{ORANGE}'>{r.response.perceptron}</b> &nbsp; "
            f"sigmoid neuron σ(z): <b style='color:{BLUE}'>{r.response.sigmoid:.4f}</b><br>"
            f"<small>Over Δ in ±{r.deltas[-1]:g} on {self.param_box.currentText()}: the perceptron "
            + (f"jumps {jumps} time{'s' if jumps > 1 else ''} between 0 and 1" if jumps else "does not change")
            + f"; the sigmoid neuron moves by {change:.3f} in all.</small>")
