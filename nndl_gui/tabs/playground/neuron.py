"""The playground's "One neuron" view: σ(wx + b), w and b by slider and field, and the step it becomes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

import math

from ...engine import approx as A
from ...jobs import playground as jobs
from ...latest import LatestTask
from .common import BLUE, ORANGE, link_label, make_plot, side_panel, spin_box


SLIDER_STEPS = 1000  # slider positions on each side of 0


def slider_to_value(pos: int, limit: float) -> float:
    """A slider position in −SLIDER_STEPS..SLIDER_STEPS → a value in −limit..limit on a symmetric log scale,
    ``sign·((limit + 1)^(|pos|/SLIDER_STEPS) − 1)``: the first third of the way covers |v| ≤ 10, so small
    weights can be set by dragging as well as the large ones that make a step."""
    frac = abs(pos) / SLIDER_STEPS
    return math.copysign((limit + 1.0) ** frac - 1.0, pos) if pos else 0.0


def value_to_slider(value: float, limit: float) -> int:
    """The inverse of slider_to_value, rounded to the nearest slider position."""
    v = min(abs(value), limit)
    return int(math.copysign(round(SLIDER_STEPS * math.log1p(v) / math.log1p(limit)), value)) if v else 0


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
        self.s_spin = spin_box(0.0, 1.0, 0.4, 3, 0.01, "Step position s; the bias is b = −w·s.")
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
        left.addWidget(link_label(
            "A sigmoid neuron with one input x computes σ(wx + b). Make w large and it becomes a step "
            "at s = −b/w: raising b moves the step left, the sign of w flips it.", "#universality_with_one_input_and_one_output"))
        left.addStretch(1)
        leftw = side_panel(left)

        self.plot = make_plot("output a = σ(wx + b) of one neuron", "input x", "a")
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
        """A slider on a log scale (fine near 0, coarse near ±hi) beside a spin box with the exact value."""
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(-SLIDER_STEPS, SLIDER_STEPS)
        slider.setToolTip(tip + " The slider is logarithmic: fine steps near 0, coarse ones near ±1000.")
        spin = spin_box(lo, hi, value, 2, 1.0, tip)
        slider.setValue(value_to_slider(value, hi))
        slider.valueChanged.connect(
            lambda p, sp=spin: sp.setValue(round(slider_to_value(p, hi), 2))
            if value_to_slider(sp.value(), hi) != p else None)
        spin.valueChanged.connect(lambda v, sl=slider: (sl.blockSignals(True), sl.setValue(value_to_slider(v, hi)),
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
