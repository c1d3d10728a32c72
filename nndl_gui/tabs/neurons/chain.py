"""Chapter 5: the unstable-gradient chain of a network with one neuron per layer.

Backpropagation there collapses to a product, ∂C/∂b¹ = σ′(z¹)·w²·σ′(z²)·w³·σ′(z³)·w⁴·σ′(z⁴)·∂C/∂a⁴.  The
learner sets the weights w^j and biases b^j; the view lists every factor and the product next to the
engine's backpropagated ∂C/∂b¹ and the bars of ∂C/∂b^j neuron by neuron (log scale).  Two buttons set
the book's cases: ordinary weights (vanishing) and w = 100 with biases that keep σ′ = ¼ (exploding).
Computed on the worker by engine.unstable.gradient_chain.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...engine.unstable import centering_biases
from ...jobs import neurons as jobs
from .common import BLUE, ORANGE, LiveView, beside, chapter_label, left_column, make_plot, rich_label, spin_box

K = 4  # neurons in the chain
SUP = "¹²³⁴"
VANISHING = ((0.8, -0.6, 1.1, 0.5), (0.3, -0.4, 0.2, 0.1))  # ordinary weights: |w σ′(z)| < ¼
EXPLODING_W = (100.0,) * K


class ChainView(LiveView):
    def __init__(self, client, parent: QWidget | None = None):
        super().__init__(client, parent)
        grid = QGridLayout()
        self.w_spins = [spin_box(-1000, 1000, VANISHING[0][j], 3, 0.1, f"weight w{SUP[j]}") for j in range(K)]
        self.b_spins = [spin_box(-1000, 1000, VANISHING[1][j], 3, 0.1, f"bias b{SUP[j]}") for j in range(K)]
        grid.addWidget(QLabel("neuron"), 0, 0)
        grid.addWidget(QLabel("weight w"), 0, 1)
        grid.addWidget(QLabel("bias b"), 0, 2)
        for j in range(K):
            grid.addWidget(QLabel(f"{j + 1}"), j + 1, 0)
            grid.addWidget(self.w_spins[j], j + 1, 1)
            grid.addWidget(self.b_spins[j], j + 1, 2)
        self.x_spin = spin_box(-10, 10, 1.0, 2, 0.1, "the input x")
        self.y_spin = spin_box(0, 1, 0.0, 2, 0.1, "the desired output y; C = ½(a⁴ − y)²")
        grid.addWidget(QLabel("input x"), K + 1, 0)
        grid.addWidget(self.x_spin, K + 1, 1)
        grid.addWidget(QLabel("target y"), K + 2, 0)
        grid.addWidget(self.y_spin, K + 2, 1)
        self.vanish_btn = QPushButton("Vanishing: ordinary weights")
        self.explode_btn = QPushButton("Exploding: w = 100, σ′ = ¼")
        self.vanish_btn.clicked.connect(self.set_vanishing)
        self.explode_btn.clicked.connect(self.set_exploding)
        self.product_label = rich_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.vanish_btn)
        buttons.addWidget(self.explode_btn)
        left = left_column(chapter_label(
            "With one neuron per layer, ∂C/∂b¹ = σ′(z¹)·w²·σ′(z²)·w³·σ′(z³)·w⁴·σ′(z⁴)·∂C/∂a⁴. Since σ′ ≤ ¼, "
            "ordinary weights make each w·σ′(z) term small and the gradient vanishes towards the input; "
            "large weights with biases that keep σ′ near ¼ make it explode.", 5, "#the_vanishing_gradient_problem"),
            grid, buttons, self.msg, width=400)
        right = QVBoxLayout()
        right.addWidget(self.product_label)
        self.plot = make_plot("∂C/∂bʲ neuron by neuron, from backprop", "neuron j", "log₁₀ |∂C/∂bʲ|")
        self.plot.getAxis("bottom").setTicks([[(j + 1, f"b{SUP[j]}") for j in range(K)]])
        self.bars = pg.BarGraphItem(x=np.arange(1, K + 1), height=np.zeros(K), width=0.6, brush=BLUE)
        self.plot.addItem(self.bars)
        right.addWidget(self.plot, 1)
        beside(self, left, right)
        for s in (*self.w_spins, *self.b_spins, self.x_spin, self.y_spin):
            s.valueChanged.connect(self.request)
        self.request()

    def _set(self, weights, biases) -> None:
        for s, v in zip((*self.w_spins, *self.b_spins), (*weights, *biases)):
            s.blockSignals(True)
            s.setValue(float(v))
            s.blockSignals(False)
        self.request()

    def set_vanishing(self) -> None:
        self._set(*VANISHING)

    def set_exploding(self) -> None:
        self._set(EXPLODING_W, centering_biases(EXPLODING_W, self.x_spin.value()))

    def parameters(self) -> tuple[list[float], list[float]]:
        return [s.value() for s in self.w_spins], [s.value() for s in self.b_spins]

    def request(self, *_args) -> None:
        w, b = self.parameters()
        self._latest.request(jobs.chain_task, w, b, self.x_spin.value(), self.y_spin.value())

    def show_result(self, r) -> None:
        terms = " · ".join(f"{name} <b>{value:.4g}</b>" for name, value in r.factors)
        pairs = []
        for j in range(1, K):  # the w^j σ'(z^j) terms the book discusses
            w = dict(r.factors)[f"w{SUP[j]}"]
            s = dict(r.factors)[f"σ′(z{SUP[j]})"]
            pairs.append(f"w{SUP[j]}σ′(z{SUP[j]}) = {w * s:.4g}")
        self.product_label.setText(
            f"∂C/∂b¹ = {terms}<br>= <b style='color:{ORANGE}; font-size:14pt'>{r.product:.6g}</b> "
            f"&nbsp; (backprop in the engine: {r.backprop:.6g})<br><small>" + ", ".join(pairs)
            + f"; cost C = {r.cost:.4g}</small>")
        logs = np.log10(np.maximum(np.abs(r.bias_gradients), 1e-300))
        floor = float(np.floor(logs.min())) - 1
        self.bars.setOpts(y0=np.full(K, floor), height=logs - floor)
        self.plot.setYRange(floor, max(float(logs.max()), floor + 1) + 0.5, padding=0)
