"""Chapter 3: the softmax layer.  Sliders on four weighted inputs z_j; bars of a_j = e^{z_j} / Σ_k e^{z_k}
and their sum, which is always 1 (computed on the worker by activations.softmax)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QWidget

from ...jobs import neurons as jobs
from ...widgets.numbers import subscript
from .common import BLUE, LiveView, beside, chapter_label, left_column, make_plot, rich_label

N_Z = 4
SCALE = 100  # slider steps per unit of z
Z_RANGE = 5.0


class SoftmaxView(LiveView):
    def __init__(self, client, parent: QWidget | None = None):
        super().__init__(client, parent)
        grid = QGridLayout()
        self.sliders, self.z_labels = [], []
        for j, v in enumerate((2.5, -1.0, 3.2, 0.5)):
            s = QSlider(Qt.Orientation.Horizontal)
            s.setRange(int(-Z_RANGE * SCALE), int(Z_RANGE * SCALE))
            s.setValue(int(v * SCALE))
            s.setToolTip(f"the weighted input z{subscript(j + 1)} of output neuron {j + 1}")
            label = QLabel()
            grid.addWidget(QLabel(f"z{subscript(j + 1)}"), j, 0)
            grid.addWidget(s, j, 1)
            grid.addWidget(label, j, 2)
            self.sliders.append(s)
            self.z_labels.append(label)
            s.valueChanged.connect(self.request)
        self.sum_label = rich_label()
        left = left_column(chapter_label(
            "A softmax output layer turns the weighted inputs z into activations aⱼ = e^zⱼ / Σₖ e^zₖ: "
            "all positive, summing to 1, so they read as probabilities. Raise one z and its a grows while "
            "every other a shrinks.", 3, "#softmax"), grid, self.sum_label, self.msg)
        self.plot = make_plot("a = softmax(z)", "output neuron j", "aⱼ")
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("bottom").setTicks([[(j + 1, f"a{subscript(j + 1)}") for j in range(N_Z)]])
        self.bars = pg.BarGraphItem(x=np.arange(1, N_Z + 1), height=np.zeros(N_Z), width=0.6, brush=BLUE)
        self.plot.addItem(self.bars)
        self.texts = [pg.TextItem(anchor=(0.5, 1.0), color="k") for _ in range(N_Z)]
        for t in self.texts:
            self.plot.addItem(t)
        beside(self, left, self.plot)
        self.request()

    def z(self) -> np.ndarray:
        return np.array([s.value() / SCALE for s in self.sliders])

    def request(self, *_args) -> None:
        z = self.z()
        for label, v in zip(self.z_labels, z):
            label.setText(f"{v:+.2f}")
        self._latest.request(jobs.softmax_task, z)

    def show_result(self, r: jobs.SoftmaxResult) -> None:
        self.bars.setOpts(height=r.a)
        for j, (t, a) in enumerate(zip(self.texts, r.a)):
            t.setText(f"{a:.3f}")
            t.setPos(j + 1, float(a) + 0.05)
        self.sum_label.setText(" + ".join(f"{a:.3f}" for a in r.a) + f" = <b>Σⱼ aⱼ = {r.total:.6f}</b>")
