"""The Draw tab: draw a digit, see the 28×28 input the network sees, what it thinks, and why.

Everything the tab shows is computed on the engine worker (``nndl_gui.jobs.draw``) as short tasks, so
predictions keep coming even while the Training tab trains; the tab only draws the newest answer.
Chapter 1 of the book: http://neuralnetworksanddeeplearning.com/chap1.html
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
)

from .. import chapter_url
from ..jobs.draw import DrawResult, analyse, mnist_example, network_problem
from ..latest import LatestTask
from ..widgets.canvas import DEFAULT_PEN, Canvas
from ..widgets.numbers import readable
from ..widgets.feature_maps import FeatureMapsView
from .draw_networks import NetworkChooser, describe
from ..settings import TabSettings
from .base import Tab

LIVE_HZ = 30  # at most this many predictions per second while a stroke grows
# the answer's frame: dashed and empty before anything is drawn; the digit greyed for a drawing that is no digit
EMPTY_ANSWER = "QLabel { border: 1px dashed #c8c8c8; border-radius: 6px; color: #c8c8c8; }"
ANSWER = "QLabel { border: 1px solid transparent; }"
ODD_ANSWER = "QLabel { border: 1px solid transparent; color: #a0a0a0; }"


class DrawTab(Tab):
    title = "Draw"
    chapter = 1

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.network = None  # the Network in use (a frozen, published copy: never mutated)
        self.network_text = "loading the pretrained network…"
        self.result: DrawResult | None = None
        self._request = 0  # number of the newest request sent
        # newest request wins; an answer overtaken by a newer stroke is still shown (live feedback)
        self._latest = LatestTask(ctx.client, self._on_result, self._on_error, show_superseded=True)
        self._dirty = False  # the canvas changed since the last request was sent
        self._example_label = -1  # the true label when the canvas shows an unaltered MNIST example
        self._example_task: int | None = None
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(int(1000 / LIVE_HZ))
        self._throttle.timeout.connect(self._request_prediction)
        self.chooser = NetworkChooser(ctx, self)
        self.chooser.chosen.connect(self._on_chosen)
        self.chooser.failed.connect(self._on_pretrained_failed)
        self._build()
        ctx.client.networkChanged.connect(self._on_network_changed)
        shared = ctx.client.shared_network
        if shared is None or not self.chooser.adopt_shared(shared):
            self.chooser.start()  # the shipped conv net when there is one, else the fully connected one

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.canvas = Canvas()
        self.canvas.changed.connect(self._on_canvas_changed)
        self.canvas.finished.connect(self._on_canvas_finished)

        self.pen = QSlider(Qt.Orientation.Horizontal)
        self.pen.setRange(4, 40)
        self.pen.setValue(int(DEFAULT_PEN))
        self.pen.setToolTip("Pen width in canvas pixels (the canvas is 280×280, ten times MNIST's 28×28)")
        self.pen.valueChanged.connect(self._on_pen)
        self.pen_label = QLabel()
        self._on_pen(self.pen.value())
        self.clear_button = QPushButton("Clear (Esc)")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button = QPushButton("Undo (Ctrl+Z)")
        self.undo_button.setToolTip("Remove the last stroke")
        self.undo_button.clicked.connect(self.canvas.undo)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.canvas.clear,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.canvas.undo,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        pen_row = QHBoxLayout()
        pen_row.addWidget(self.pen_label)
        pen_row.addWidget(self.pen, 1)
        pen_row.addWidget(self.undo_button)
        pen_row.addWidget(self.clear_button)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(pen_row)

        # --- what the network sees: the 28×28 input x = a^1, with the saliency overlay
        self.seen_plot = pg.GraphicsLayoutWidget()
        self.seen_view = self.seen_plot.addViewBox(lockAspect=True, enableMouse=False, enableMenu=False,
                                                   invertY=True)
        self.seen_view.setRange(xRange=(0, 28), yRange=(0, 28), padding=0.01)
        self.seen_image = pg.ImageItem(np.zeros((28, 28), np.float32), levels=(0.0, 1.0), autoLevels=False)
        self.seen_image.setLookupTable(_ink_lut())
        self.seen_view.addItem(self.seen_image)
        frame = pg.QtWidgets.QGraphicsRectItem(0, 0, 28, 28)
        frame.setPen(pg.mkPen(150, 150, 150, width=1, cosmetic=True))
        self.seen_view.addItem(frame)
        self.saliency_image = pg.ImageItem(np.zeros((28, 28, 4), np.uint8), levels=(0, 255), autoLevels=False)
        self.seen_view.addItem(self.saliency_image)
        self.seen_plot.setMinimumSize(220, 220)
        self.show_saliency = QCheckBox("Show why: saliency ∂aᴸⱼ/∂x (j = the top digit)")
        self.show_saliency.setChecked(True)
        self.show_saliency.setToolTip(
            "Colour each input pixel by the gradient of the top output neuron's activation a^L_j with\n"
            "respect to that pixel, computed by backpropagation (chapter 2).  Red: more ink here would\n"
            "raise a^L_j; blue: more ink here would lower it.  Faint: the pixel hardly matters.")
        self.show_saliency.toggled.connect(self._draw_saliency)
        self.seen_caption = QLabel(
            "<b>What the network sees</b>: the 784 inputs x = a<sup>1</sup>, made as MNIST's digits were: "
            "the ink's bounding box scaled to fit 20×20 (aspect ratio kept, pixels averaged) and placed "
            "in 28×28 by its centre of mass.")
        self.seen_caption.setWordWrap(True)
        self.saliency_legend = QLabel()
        self.saliency_legend.setWordWrap(True)
        self.saliency_legend.setOpenExternalLinks(True)
        middle = QVBoxLayout()
        # the check box above the image, the legend (whose length changes) below it with room for three
        # lines: nothing clickable moves when a prediction comes or goes
        self.saliency_legend.setMinimumHeight(3 * self.saliency_legend.fontMetrics().lineSpacing())
        self.saliency_legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        middle.addWidget(self.seen_caption)
        middle.addWidget(self.show_saliency)
        middle.addWidget(self.seen_plot, 1)
        middle.addWidget(self.saliency_legend)

        # --- what it thinks: the top digit and ten bars
        self.digit_label = QLabel("")
        font = QFont()
        font.setPointSize(56)
        font.setBold(True)
        self.digit_label.setFont(font)
        self.digit_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digit_label.setMinimumWidth(120)
        # the answer's place keeps its size when empty (a dashed frame, no text): nothing jumps
        self.digit_label.setMinimumHeight(self.digit_label.fontMetrics().height() + 8)
        self.digit_caption = QLabel("Draw a digit to see the network's guess.")
        self.digit_caption.setWordWrap(True)
        self.digit_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # a drawing that is no digit: the network answers anyway (it only knows ten answers)
        self.novelty_label = QLabel("")
        self.novelty_label.setWordWrap(True)
        self.novelty_label.setStyleSheet("color: #8a4b00;")
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setMenuEnabled(False)
        self.bars_plot.setMouseEnabled(False, False)
        self.bars_plot.hideButtons()
        self.bars_plot.setYRange(0, 1.0, padding=0.02)
        self.bars_plot.setXRange(-0.6, 9.6, padding=0)
        self.bars_plot.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)]])
        self.bars_plot.setLabel("bottom", "digit j (output neuron j)")
        self._bars_left_label = None
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                    brushes=[pg.mkBrush(150, 170, 200)] * 10, pen=pg.mkPen(None))
        self.bars_plot.addItem(self.bars)
        self.bars_plot.setMinimumSize(260, 200)
        self.bars_caption = QLabel()
        self.bars_caption.setWordWrap(True)
        self.bars_caption.setOpenExternalLinks(True)
        right = QVBoxLayout()
        right.addWidget(self.digit_label)
        right.addWidget(self.digit_caption)
        right.addWidget(self.novelty_label)
        right.addWidget(self.bars_caption)
        right.addWidget(self.bars_plot, 1)

        panels = QHBoxLayout()
        panels.addLayout(left, 5)
        panels.addLayout(middle, 3)
        panels.addLayout(right, 3)

        # --- the drawn digit's feature maps (conv networks) and the ensemble's members
        self.maps_view = FeatureMapsView()  # always there: switching networks must not resize the canvas
        self.members_label = QLabel()
        self.members_label.setWordWrap(True)
        self.members_label.setVisible(False)
        right.insertWidget(3, self.members_label)

        # --- the network in use, examples, the inspector
        self.network_label = QLabel()
        self.network_label.setWordWrap(True)
        self.network_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.network_label.setOpenExternalLinks(True)
        examples = QGroupBox("MNIST test digits")
        grid = QGridLayout(examples)
        self.index_box = QSpinBox()
        self.index_box.setRange(0, 9999)
        self.index_box.setToolTip("Index of a digit in the 10,000 MNIST test images")
        self.index_button = QPushButton("Put on canvas")
        self.index_button.clicked.connect(lambda: self._example("index"))
        self.random_button = QPushButton("Random")
        self.random_button.clicked.connect(lambda: self._example("random"))
        self.wrong_button = QPushButton("One it gets wrong")
        self.wrong_button.setToolTip("A random test digit that the network in use misreads")
        self.wrong_button.clicked.connect(lambda: self._example("wrong"))
        self.inspector_button = QPushButton("Send to Backprop inspector")
        self.inspector_button.setToolTip("Follow this input x through backpropagation, BP1 to BP4 (chapter 2)")
        self.inspector_button.clicked.connect(self.send_to_inspector)
        self.example_label = QLabel("")
        self.example_label.setWordWrap(True)
        grid.addWidget(QLabel("Test digit #"), 0, 0)
        grid.addWidget(self.index_box, 0, 1)
        grid.addWidget(self.index_button, 0, 2)
        grid.addWidget(self.random_button, 0, 3)
        grid.addWidget(self.wrong_button, 0, 4)
        grid.addWidget(self.inspector_button, 0, 5)
        grid.addWidget(self.example_label, 1, 0, 1, 6)
        grid.setContentsMargins(6, 4, 6, 4)

        layout = QVBoxLayout(self)
        chooser_row = QHBoxLayout()
        chooser_row.addWidget(QLabel("Reading with:"))
        chooser_row.addWidget(self.chooser.combo)
        chooser_row.addWidget(self.network_label, 1)
        layout.addLayout(chooser_row)
        layout.addLayout(panels, 1)
        layout.addWidget(self.maps_view)
        layout.addWidget(examples)
        self._show_network_text()
        self._show_empty()

    # ------------------------------------------------------------------ the network
    def _use_network(self, net, text: str) -> None:
        self.network = net
        self.network_text = text
        # The feature maps' place is always there, whichever network reads and whether anything is drawn:
        # nothing moves under the pen when the first answer arrives or when the learner switches networks.
        self._show_network_text()
        if self.result is None or self.result.empty or not self.result.maps:
            self.maps_view.caption.setText(self._no_maps_text())
        self._schedule(final=True)

    def _show_network_text(self) -> None:
        kind = ""
        if self.network is not None and hasattr(self.network, "members"):
            kind = " · the bars: the members' mean probabilities; the big digit: their vote"
        elif self.network is not None:
            kind = (" · softmax output: the bars are probabilities" if self.network.output.name == "softmax"
                    else f" · {self.network.output.name} output")
        self.network_label.setText(
            f"<b>Network:</b> {self.network_text}{kind} &nbsp;·&nbsp; "
            f'<a href="{chapter_url(1)}">Chapter 1: recognizing handwritten digits</a>')

    @Slot(object)
    def _on_network_changed(self, shared) -> None:
        problem = network_problem(shared.network)
        if problem:
            self.ctx.status(f"Draw tab: keeps its network — {problem}.")
            return
        self.chooser.adopt_shared(shared)

    @Slot(object, str)
    def _on_chosen(self, net, text: str) -> None:
        client = self.ctx.client
        if self.chooser.current_key()[0] == "shipped" and client.shared_network is None and not client.busy:
            # publish the shipped network, so File ▸ Save and the inspector see the same network
            client.set_network(net, f"{describe(net)} ({text})", "pretrained")
        self._use_network(net, text)

    def _on_pretrained_failed(self, message: str) -> None:
        self.network_text = "none — the pretrained network could not be loaded; train one in the Training tab"
        self._show_network_text()
        self.ctx.error("Could not load the pretrained network", message)

    # ------------------------------------------------------------------ predictions
    def _on_pen(self, value: int) -> None:
        self.canvas.set_pen_width(value)
        self.pen_label.setText(f"Pen {value} px")

    @Slot()
    def _on_canvas_changed(self) -> None:
        self._example_label = -1 if self.canvas.strokes else self._example_label
        self._schedule(final=False)

    @Slot()
    def _on_canvas_finished(self) -> None:
        if self.canvas.strokes or self.canvas.background is None:
            self._example_label = -1
        self._schedule(final=True)

    def _schedule(self, final: bool) -> None:
        """Ask for a prediction: at once on release, at most LIVE_HZ per second while drawing."""
        self._dirty = True
        if final:
            self._throttle.stop()
            self._request_prediction()
        elif not self._throttle.isActive():
            self._throttle.start()

    @Slot()
    def _request_prediction(self) -> None:
        if self.network is None:
            return
        if self.canvas.is_blank():
            self._latest.discard()  # any answer on its way is now stale
            self._dirty = False
            self._show_empty()
            return
        self._dirty = False
        self._request += 1
        self._latest.request(analyse, self.canvas.to_array(), self.network, self._request, "dark-on-light")

    def _on_result(self, result: DrawResult) -> None:
        self.show_result(result)

    def _on_error(self, message: str) -> None:
        self.digit_caption.setText(message)

    # ------------------------------------------------------------------ drawing the answer
    def _show_empty(self) -> None:
        self.result = None
        self.seen_image.setImage(np.zeros((28, 28), np.float32), levels=(0.0, 1.0), autoLevels=False)
        self.saliency_image.setImage(np.zeros((28, 28, 4), np.uint8), levels=(0, 255), autoLevels=False)
        self.bars.setOpts(height=np.zeros(10), brushes=[pg.mkBrush(150, 170, 200)] * 10)
        self.digit_label.setText("")
        self.digit_label.setStyleSheet(EMPTY_ANSWER)
        self.digit_caption.setText("Draw a digit 0–9 to see the network's guess.")
        self.novelty_label.setText("The network always answers one of the ten digits 0–9, even for a drawing "
                                   "that is none.")
        self.bars_caption.setText("")
        self.saliency_legend.setText("")
        self.maps_view.show_maps(())
        self.maps_view.caption.setText(self._no_maps_text())
        self.members_label.setVisible(False)

    def show_result(self, result: DrawResult) -> None:
        self.result = result
        self.seen_image.setImage(result.image, levels=(0.0, 1.0), autoLevels=False)
        if result.empty or result.outputs is None:
            self._show_empty()
            return
        out = result.outputs
        j = out.digit
        brushes = [pg.mkBrush(40, 110, 200) if d == j else pg.mkBrush(150, 170, 200) for d in range(10)]
        self.bars.setOpts(height=out.bars, brushes=brushes)
        self.digit_label.setText(str(j))
        odd = result.novelty is not None and result.novelty.flagged
        self.digit_label.setStyleSheet(ODD_ANSWER if odd else ANSWER)
        if odd:
            self.novelty_label.setText(
                f"⚠ This does not look like a handwritten digit ({'; '.join(result.novelty.reasons)}). "
                f"The network can only answer one of the ten digits 0–9, so it says {j} anyway: "
                "do not trust this answer.")
        else:
            self.novelty_label.setText("")
        from nndl_gui.report import report  # test hook (NNDL_REPORT_FILE); absolute: survives moving this file
        report("prediction", digit=j, outputs=out.activations.tolist())
        left = "probability" if out.softmax else "a<sup>L</sup><sub>j</sub> / Σ<sub>k</sub> a<sup>L</sup><sub>k</sub>"
        if left != self._bars_left_label:  # a new label re-lays out and repaints the whole plot: only on change
            self._bars_left_label = left
            self.bars_plot.setLabel("left", left)
        if result.members:  # the bars are the members' mean, the big digit their vote: no one a^L
            self.digit_caption.setText(f"the members' mean for {j}: {out.bars[j]:.1%}")
            self.bars_caption.setText(
                f"Bars: the mean of the {len(result.members)} members' answers, each as probabilities (a "
                "sigmoid net's outputs scaled to sum to 1); the big digit is their majority vote.")
        elif out.softmax:
            self.digit_caption.setText(f"probability {out.bars[j]:.1%} (a<sup>L</sup><sub>{j}</sub> = "
                                       f"{out.activations[j]:.3f})")
            self.bars_caption.setText("Bars: the softmax outputs a<sup>L</sup><sub>j</sub>, which are "
                                      "probabilities (they sum to 1).")
        else:
            self.digit_caption.setText(f"a<sup>L</sup><sub>{j}</sub> = {out.activations[j]:.3f} "
                                       f"&nbsp;·&nbsp; {out.bars[j]:.1%} of the bars")
            self.bars_caption.setText(
                f"Bars: the {self.network.output.name if self.network else 'output'} outputs "
                "a<sup>L</sup><sub>j</sub> scaled to sum to 1 — <i>not</i> probabilities: each output "
                "neuron answers on its own (a softmax output layer gives probabilities, "
                f'<a href="{chapter_url(3)}#softmax">chapter 3</a>).')
        self._show_maps_and_members(result)
        if self._example_label >= 0:
            verdict = "right" if j == self._example_label else "wrong"
            self.digit_caption.setText(self.digit_caption.text()
                                       + f"<br>MNIST label: <b>{self._example_label}</b> ({verdict})")
        self._draw_saliency()

    def _show_maps_and_members(self, result: DrawResult) -> None:
        self.maps_view.show_maps(result.maps)
        if result.maps:
            whose = f" in the first member, {result.members[0].name}," if result.members else ""
            self.maps_view.caption.setText(
                f"<b>Feature maps</b> σ(z + b) of the drawn digit{whose} layer by layer, one per filter (black: "
                f'active) · <a href="{chapter_url(6)}#convolutional_neural_networks">Chapter 6</a>')
            self.maps_view.caption.setToolTip(
                "Each map is one filter's shared weights applied over every local receptive field of the layer "
                "below; max-pooling then keeps the largest of each 2×2.")
        else:
            self.maps_view.caption.setText(self._no_maps_text())
        self.members_label.setVisible(bool(result.members))
        if result.members:
            votes = sum(m.digit == result.digit for m in result.members)
            answers = ", ".join(f"{m.name}: <b>{m.digit}</b> ({m.confidence:.0%})" for m in result.members)
            self.members_label.setText(f"<b>Ensemble vote: {result.digit}</b> ({votes} of {len(result.members)} "
                                       f"members) — {answers}")

    def _no_maps_text(self) -> str:
        net = self.network
        first = net.members[0] if net is not None and hasattr(net, "members") else net
        if first is None or hasattr(first, "layers"):
            return ("<b>Feature maps</b> of the drawn digit appear here, layer by layer, while a conv net reads "
                    "(chapter 6).")
        return ("<b>Feature maps</b>: a fully connected network has none; they appear here, layer by layer, "
                "while a conv net reads (chapter 6).")

    def _draw_saliency(self) -> None:
        r = self.result
        if r is None or r.saliency is None or not self.show_saliency.isChecked():
            self.saliency_image.setImage(np.zeros((28, 28, 4), np.uint8), levels=(0, 255), autoLevels=False)
            self.saliency_legend.setText("")
            return
        g = r.saliency
        scale = float(np.abs(g).max()) or 1.0
        self.saliency_image.setImage(_saliency_rgba(g / scale), levels=(0, 255), autoLevels=False)
        self.saliency_legend.setText(
            f"<span style='color:#c8281e'>■</span> more ink here raises a<sup>L</sup><sub>{r.digit}</sub>, "
            f"<span style='color:#1e50c8'>■</span> lowers it; largest |∂a<sup>L</sup><sub>{r.digit}</sub>/∂x"
            f"<sub>k</sub>| = {readable(scale)}. "
            f'Computed by <a href="{chapter_url(2)}">backpropagation</a>.')

    # ------------------------------------------------------------------ examples and the inspector
    def _example(self, mode: str) -> None:
        if mode == "wrong" and self.network is None:
            self.ctx.error("No network yet", "The network is still loading; try again in a moment.")
            return
        self.example_label.setText("Loading MNIST…")
        self.ctx.data.get(lambda mnist: self._example_with(mnist, mode),
                          lambda msg: self._example_failed(msg))

    def _example_with(self, mnist, mode: str) -> None:
        test = mnist.test
        if len(test.labels) - 1 < self.index_box.value() and mode == "index":
            self._example_failed(f"Choose an index from 0 to {len(test.labels) - 1}.")
            return
        seed = int(np.random.default_rng().integers(2**31))
        self.example_label.setText("Looking for a digit it misreads…" if mode == "wrong" else "")
        self._example_task = self.ctx.client.run_task(
            mnist_example, test.images, test.labels, mode, self.index_box.value(), self.network, seed,
            self.canvas.size_px, on_result=self._on_example, on_error=self._example_failed)

    def _on_example(self, example) -> None:
        self.index_box.setValue(example.index)
        self.canvas.set_background(example.canvas)  # emits finished → prediction
        self._example_label = example.label
        self.example_label.setText(example.note + " — drawn on the canvas; draw over it or Undo to remove it.")
        self._schedule(final=True)

    def _example_failed(self, message: str) -> None:
        self.example_label.setText(message)
        self.ctx.error("No example", message)

    def send_to_inspector(self) -> None:
        r = self.result
        if r is None or r.empty:
            self.ctx.error("Nothing to send", "Draw a digit (or put an MNIST digit on the canvas) first.")
            return
        x = r.image.reshape(-1).astype(np.float32).copy()
        label = self._example_label
        text = f"MNIST test digit #{self.index_box.value()}" if label >= 0 else "drawn digit"
        self.ctx.signals.sendToInspector.emit(x, int(label), text)
        self.ctx.signals.showTab.emit("Backprop inspector")

    # ------------------------------------------------------------------ settings
    def save_settings(self, settings: TabSettings) -> None:
        settings.set("pen", self.pen.value())
        settings.set("saliency", self.show_saliency.isChecked())
        settings.set("index", self.index_box.value())

    def restore_settings(self, settings: TabSettings) -> None:
        self.pen.setValue(settings.get("pen"))
        self.show_saliency.setChecked(settings.get("saliency"))
        self.index_box.setValue(settings.get("index"))

    def shutdown(self) -> None:
        self._throttle.stop()
        self._latest.close()
        if self._example_task is not None:
            self.ctx.client.cancel_task(self._example_task)


def _ink_lut() -> np.ndarray:
    """0 → white paper, 1 → black ink (as the book shows MNIST digits)."""
    v = np.linspace(255, 0, 256).astype(np.uint8)
    return np.stack([v, v, v], axis=1)


def _saliency_rgba(g: np.ndarray) -> np.ndarray:
    """(28, 28) gradient scaled to [-1, 1] → RGBA overlay: red positive, blue negative, alpha ∝ |g|."""
    rgba = np.zeros(g.shape + (4,), np.uint8)
    pos = g > 0
    rgba[..., 0] = np.where(pos, 200, 30)
    rgba[..., 1] = np.where(pos, 40, 80)
    rgba[..., 2] = np.where(pos, 30, 200)
    rgba[..., 3] = np.round(130 * np.abs(g)).astype(np.uint8)  # the ink stays readable underneath
    return rgba
