"""Chapter 5: the unstable gradient in a real network, as the book draws it.

Bars of ∂C/∂b^l_j for the first six neurons j of each hidden layer l of [784, 30, 30, 10] (or deeper), at
initialisation (outlined) and as training goes (filled), and the learning speed ‖∂C/∂b^l‖ of each hidden
layer over the epochs (log scale): the layers near the input learn much more slowly.  The book's run,
on the worker (jobs.neurons.gradients_job): full-batch gradient descent on the first 1,000 training
images, η = 0.1, λ = 5, the gradient averaged over the same images, measured before each epoch.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSlider, QSpinBox, QVBoxLayout, QWidget

from ...engine.unstable import BOOK_BARS
from ...jobs import neurons as jobs
from .common import JobView, beside, chapter_label, left_column, make_plot, rich_label

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
MAX_HIDDEN = 4
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class GradientsView(JobView):
    run_text = "Train and measure"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.hidden_box = QComboBox()
        self.hidden_box.addItems(["[784, 30, 30, 10]", "[784, 30, 30, 30, 10]", "[784, 30, 30, 30, 30, 10]"])
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 2000)
        self.epochs_spin.setValue(500)
        self.epochs_spin.setToolTip("epochs of full-batch gradient descent on the 1,000 images (the book: 500)")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 9999)
        form = QFormLayout()
        form.addRow("network", self.hidden_box)
        form.addRow("epochs", self.epochs_spin)
        form.addRow("seed", self.seed_spin)
        self.epoch_slider = QSlider(Qt.Orientation.Horizontal)
        self.epoch_slider.setRange(0, 0)
        self.epoch_slider.setToolTip("the bars before this epoch (at the right end they follow the training)")
        self.epoch_slider.valueChanged.connect(self._draw_bars)
        self.epoch_label = QLabel("bars before epoch 0")
        self.info = rich_label()
        left = left_column(chapter_label(
            "∂C/∂bˡⱼ is how fast neuron j of layer l learns. In a deep sigmoid network the early hidden "
            "layers get much smaller gradients than the later ones, at initialisation and all through "
            "training: the vanishing gradient. Trained as the book does: 1,000 training images, full-batch "
            "gradient descent, η = 0.1, λ = 5.", 5, "#the_vanishing_gradient_problem"),
            form, self.controls, self.epoch_label, self.epoch_slider, self.info, self.controls.message)
        self.bar_plot = make_plot("∂C/∂b for the first six neurons of each hidden layer (outline: at initialisation)",
                                  "neuron j", "∂C/∂b")
        self.bar_plot.addLegend(offset=(10, 2), labelTextSize="9pt")
        self.bar_plot.getAxis("bottom").setTicks([[(j + 1, str(j + 1)) for j in range(BOOK_BARS)]])
        self.bar_items, self.bar0_items = [], []
        width = 0.8 / MAX_HIDDEN
        for layer in range(MAX_HIDDEN):
            x = np.arange(1, BOOK_BARS + 1) - 0.4 + width * (layer + 0.5)
            b0 = pg.BarGraphItem(x=x, height=np.zeros(BOOK_BARS), width=width, brush=None,
                                 pen=pg.mkPen(COLOURS[layer], width=1.5, style=Qt.PenStyle.DashLine))
            b = pg.BarGraphItem(x=x, height=np.zeros(BOOK_BARS), width=width * 0.6, brush=COLOURS[layer],
                                pen=pg.mkPen(None))
            self.bar_plot.addItem(b0)
            self.bar_plot.addItem(b)
            self.bar0_items.append(b0)
            self.bar_items.append(b)
        self.speed_plot = make_plot("learning speed ‖∂C/∂bˡ‖ of each hidden layer", "epoch", "‖∂C/∂bˡ‖")
        self.speed_plot.setLogMode(y=True)
        self.speed_plot.addLegend(offset=(-10, 2), labelTextSize="9pt")
        self.speed_curves = [self.speed_plot.plot([], [], pen=pg.mkPen(COLOURS[k], width=2))
                             for k in range(MAX_HIDDEN)]
        self._legend_layers = 0
        self.epoch_line = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine))
        self.speed_plot.addItem(self.epoch_line)  # the epoch whose bars are shown
        plots = QVBoxLayout()
        plots.addWidget(self.bar_plot, 1)
        plots.addWidget(self.speed_plot, 1)
        beside(self, left, plots)

    @property
    def hidden(self) -> int:
        return self.hidden_box.currentIndex() + 2

    def start(self, mnist) -> None:
        self.start_job("chapter 5 gradients", jobs.gradients_job, mnist.training, self.hidden,
                       self.epochs_spin.value(), self.seed_spin.value(),
                       message=f"Training on the first 1,000 images of {mnist.source}…")

    def show_snapshot(self, snap: jobs.GradientSnapshot) -> None:
        layers = len(snap.bars)
        if layers != self._legend_layers:  # the key names only the network's hidden layers
            self._legend_layers = layers
            for plot, items in ((self.bar_plot, self.bar_items), (self.speed_plot, self.speed_curves)):
                legend = plot.getPlotItem().legend
                legend.clear()
                for k in range(layers):
                    legend.addItem(items[k], f"hidden layer {k + 1}")
        for k in range(MAX_HIDDEN):
            visible = k < layers
            for item in (self.bar_items[k], self.bar0_items[k]):
                item.setVisible(visible)
            if visible:
                self.bar0_items[k].setOpts(height=snap.bars0[k])
                self.speed_curves[k].setData(np.arange(len(snap.speeds)), snap.speeds[:, k])
            else:
                self.speed_curves[k].setData([], [])
        following = self.epoch_slider.value() == self.epoch_slider.maximum()
        self.epoch_slider.blockSignals(True)
        self.epoch_slider.setMaximum(snap.epoch)
        if following:
            self.epoch_slider.setValue(snap.epoch)
        self.epoch_slider.blockSignals(False)
        self._draw_bars()
        self.controls.set_fraction((snap.epoch + 1) / snap.epochs)
        now = ", ".join(f"‖δ{str(k + 2).translate(SUP)}‖ = {v:.3g}" for k, v in enumerate(snap.speeds[-1]))
        self.info.setText(f"{list(snap.sizes)} · epoch {snap.epoch} of {snap.epochs} · gradient averaged over "
                          f"{snap.images:,} training images<br>{now}")

    def _draw_bars(self, *_args) -> None:
        """The filled bars: before the epoch the slider picks (the newest while it sits at the right end)."""
        snap = self.snapshot
        if snap is None or not len(snap.history):
            return
        epoch = min(self.epoch_slider.value(), len(snap.history) - 1)
        for k in range(len(snap.bars)):
            self.bar_items[k].setOpts(height=snap.history[epoch][k])
        self.epoch_label.setText(f"filled bars: before epoch {epoch} (slide to look back)")
        self.epoch_line.setValue(epoch)

    def done_text(self) -> str:
        s = self.snapshot
        return "Done." if s is None or s.epoch + 1 >= s.epochs else "Stopped."
