"""The Backprop inspector's two top rows: which network to inspect, and which example to follow through it.

``ExampleChooser`` owns the choice.  The network is the shared one (from Training or File ▸ Open), a small
sigmoid network built here from a seed and a cost, or an untrained [784, 30, 10]; the example is an MNIST
test image, typed numbers x and y, or the Draw tab's digit.  It says what it chose through two signals,
``networkChosen(network or None)`` and then ``exampleChosen(x, y, description)``, and the tab traces that
pair on the worker.  Bad typed input gets a one-line message in the row and keeps the last example.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from ... import chapter_url
from ...data.mnist import PIXELS
from ...jobs import inspector as ij
from ...settings import TabSettings
from .common import column, error_html, rich_label

SHARED = "shared"
MNIST_RANDOM = "mnist-random"  # a [784, 30, 10] network with random weights, for MNIST without training
NETWORK_CHOICES = [(f"Small net {s}", ",".join(map(str, s))) for s in ij.SMALL_SIZES] + [
    ("Untrained [784, 30, 10] (random weights)", MNIST_RANDOM)]
EX_MNIST, EX_TYPED, EX_DRAW = "mnist", "typed", "draw"


def _titled_spin(row: QHBoxLayout, title: str, tip: str, on_change) -> tuple[QLabel, QSpinBox]:
    """A title and a spin box for 0..9999 in ``row``; each new value calls ``on_change()``."""
    label = QLabel(title)
    row.addWidget(label)
    spin = QSpinBox()
    spin.setRange(0, 9999)
    spin.setToolTip(tip)
    spin.valueChanged.connect(lambda _v: on_change())
    row.addWidget(spin)
    return label, spin


class ExampleChooser(QWidget):
    """The network row and the example row.  ``network`` is the network chosen (None: no shared network
    yet); an edited copy of it is the tab's business."""

    networkChosen = Signal(object)  # the chosen network, or None
    exampleChosen = Signal(object, object, str)  # x (float64), y (digit label or target vector), description

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.network = None
        self.mnist = None  # loaded on first use (ctx.data)
        self._draw_input = None  # (x, label, description) from the Draw tab
        rows = column(self)
        rows.addLayout(self._build_network_row())
        rows.addLayout(self._build_example_row())
        ctx.client.networkChanged.connect(self._on_network_changed)
        self._update_shared_choice()
        if ctx.client.shared_network is None:
            self.network_combo.setCurrentIndex(1)  # a small net until something is trained or opened

    def _build_network_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Network:"))
        self.network_combo = QComboBox()
        self.network_combo.addItem("Shared network", SHARED)
        for text, data in NETWORK_CHOICES:
            self.network_combo.addItem(text, data)
        self.network_combo.setToolTip("The network trained in the Training tab (or opened with File ▸ Open), "
                                      "or a small sigmoid network built here where every number fits on screen.")
        self.network_combo.activated.connect(self.choose_network)
        row.addWidget(self.network_combo)
        self.cost_title = QLabel("cost C:")
        row.addWidget(self.cost_title)
        self.cost_combo = QComboBox()
        self.cost_combo.addItem("quadratic ½‖a − y‖²", "quadratic")
        self.cost_combo.addItem("cross-entropy", "cross-entropy")
        self.cost_combo.setToolTip("Cost of the networks built here (the shared network keeps its own).")
        self.cost_combo.activated.connect(lambda _i: self.choose_current())
        row.addWidget(self.cost_combo)
        self.seed_title, self.seed_spin = _titled_spin(
            row, "seed:", "Random seed of the weights and biases, N(0, 1) as in chapters 1–2.", self.choose_current)
        self.network_note = rich_label()
        row.addWidget(self.network_note, 1)
        link = rich_label(f'<a href="{chapter_url(2)}">Chapter 2 of the book</a>', False)
        link.setToolTip("Chapter 2: How the backpropagation algorithm works")
        row.addWidget(link)
        return row

    def _build_example_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Example:"))
        self.example_combo = QComboBox()
        self.example_combo.addItem("MNIST test image", EX_MNIST)
        self.example_combo.addItem("Typed input x", EX_TYPED)
        self.example_combo.addItem("From the Draw tab", EX_DRAW)
        self.example_combo.activated.connect(lambda _i: self.example_changed())
        row.addWidget(self.example_combo)
        self.index_label, self.index_spin = _titled_spin(
            row, "index:", "Which of the 10,000 MNIST test images.", self.example_changed)
        self.random_button = QPushButton("Random digit")
        self.random_button.clicked.connect(self.random_digit)
        row.addWidget(self.random_button)
        self.x_label = QLabel("x =")
        row.addWidget(self.x_label)
        self.x_edit = QLineEdit("0.5, 0.9")
        self.x_edit.setToolTip("The input activations a¹ = x, separated by commas.")
        self.x_edit.editingFinished.connect(self.example_changed)
        row.addWidget(self.x_edit, 1)
        row.addWidget(QLabel("target y ="))
        self.y_edit = QLineEdit("1, 0")
        self.y_edit.setToolTip("The desired output: one number per output neuron, or a digit label "
                               "(label j means y_j = 1 and the rest 0).")
        self.y_edit.editingFinished.connect(self.example_changed)
        self.y_edit.setMaximumWidth(130)
        row.addWidget(self.y_edit)
        self.example_note = rich_label()
        row.addWidget(self.example_note, 2)
        return row

    # ================================================================== the network
    def _update_shared_choice(self) -> None:
        shared = self.ctx.client.shared_network
        if shared is None:
            text = "Shared network (none yet)"
        elif hasattr(shared.network, "layers"):  # a conv net: its layers are said beside the box
            text = "Shared network: conv net"
        else:
            text = f"Shared network: {shared.network.sizes}"
        self.network_combo.setItemText(0, text)

    @Slot(object)
    def _on_network_changed(self, shared) -> None:
        self._update_shared_choice()
        if self.network_combo.currentData() == SHARED:
            self.choose_network(0)

    def choose_current(self) -> None:
        """Build (or fetch) the network the combo shows again, e.g. after a new seed or to drop an edit."""
        self.choose_network(self.network_combo.currentIndex())

    def choose_network(self, index: int) -> None:
        choice = self.network_combo.itemData(index)
        if choice == SHARED:
            shared = self.ctx.client.shared_network
            if shared is None:
                self.network = None
                self.network_note.setText("<b>No shared network yet</b>: train one in the Training tab or use "
                                          "File ▸ Open. Meanwhile pick a small net or the untrained [784, 30, 10].")
                self.networkChosen.emit(None)
                return
            self.network = shared.network
            self.network_note.setText(f"{shared.description} · cost: {self.network.cost.name}")
        else:
            sizes = [784, 30, 10] if choice == MNIST_RANDOM else [int(n) for n in choice.split(",")]
            self.network = ij.make_small_network(sizes, self.seed_spin.value(), self.cost_combo.currentData())
            self.network_note.setText("random N(0, 1) weights, so it guesses; train one in the Training tab."
                                      if choice == MNIST_RANDOM else "")
        for w in (self.cost_title, self.cost_combo, self.seed_title, self.seed_spin):
            w.setVisible(choice != SHARED)  # the shared network has its own cost and weights
        self.networkChosen.emit(self.network)
        n_in = self.network.sizes[0]
        if n_in == PIXELS and self.example_combo.currentData() == EX_TYPED:
            self.example_combo.setCurrentIndex(0)
        elif n_in != PIXELS and self.example_combo.currentData() != EX_TYPED:
            self.example_combo.setCurrentIndex(1)
        if n_in != PIXELS:
            rng = np.random.default_rng(self.seed_spin.value())
            self.x_edit.setText(", ".join(f"{v:.2f}" for v in rng.random(n_in)))
            self.y_edit.setText(", ".join("1" if j == 0 else "0" for j in range(self.network.sizes[-1])))
        self.example_changed()

    # ================================================================== the example
    def example_changed(self) -> None:
        kind = self.example_combo.currentData()
        for w in (self.index_label, self.index_spin, self.random_button):
            w.setVisible(kind == EX_MNIST)
        self.x_label.setVisible(kind == EX_TYPED)
        self.x_edit.setVisible(kind == EX_TYPED)
        if self.network is None:
            return
        self.example_note.setText("")
        if kind in (EX_MNIST, EX_DRAW) and self.network.sizes[0] != PIXELS:
            self.show_error(f"MNIST digits need a network with 784 inputs; this one has {self.network.sizes[0]}. "
                            "Choose the shared or the [784, 30, 10] network, or type x.")
            return
        try:
            if kind == EX_TYPED:
                x = ij.parse_numbers(self.x_edit.text(), self.network.sizes[0], "x")
                y = self._parse_target(self.y_edit.text())
                self.exampleChosen.emit(x, y, "")  # the row's own x and y fields already say what it is
            elif kind == EX_MNIST:
                self.ctx.data.get(self._on_mnist, lambda msg: self.show_error(f"MNIST could not be loaded: {msg}"))
            else:
                self._drawn_example()
        except ValueError as exc:
            self.show_error(str(exc))

    def _drawn_example(self) -> None:
        if self._draw_input is None:
            self.show_error("Nothing from the Draw tab yet: draw a digit there and press "
                            "“Send to Backprop inspector”.")
            return
        x, label, desc = self._draw_input
        if label < 0:
            try:
                y = self._parse_target(self.y_edit.text())
            except ValueError:
                self.y_edit.setText("0")
                y = 0
            desc += " (label unknown: type the digit you drew as target y)"
        else:
            y = label
        self.exampleChosen.emit(x, y, desc)

    def _parse_target(self, text: str):
        n = self.network.sizes[-1]
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
        if len(parts) == 1 and n > 1:
            try:
                label = int(parts[0])
            except ValueError:
                raise ValueError(f"target y: a digit 0..{n - 1} or {n} numbers") from None
            if not 0 <= label < n:
                raise ValueError(f"target y: label {label} is outside 0..{n - 1}")
            return label
        return ij.parse_numbers(text, n, "target y")

    def _on_mnist(self, mnist) -> None:
        self.mnist = mnist
        if self.example_combo.currentData() != EX_MNIST or self.network is None or self.network.sizes[0] != PIXELS:
            return
        test = mnist.test
        self.index_spin.setMaximum(len(test) - 1)
        i = self.index_spin.value()
        label = int(test.labels[i])
        self.y_edit.setText(str(label))
        self.exampleChosen.emit(np.asarray(test.x(i)).reshape(-1), label, f"MNIST test image #{i} (a {label})")

    def random_digit(self) -> None:
        n = len(self.mnist.test) if self.mnist is not None else 10000
        self.index_spin.setValue(int(np.random.default_rng().integers(n)))

    def take_drawing(self, x, label: int, description: str) -> None:
        """The Draw tab's input (x: (784,) in [0, 1], label or −1) becomes the example, on a network that
        reads 784 pixels (the shared one, or the untrained [784, 30, 10] when there is none)."""
        self._draw_input = (np.array(x, dtype=np.float64).reshape(-1), int(label), description)
        if label >= 0:
            self.y_edit.setText(str(label))
        self.example_combo.setCurrentIndex(self.example_combo.findData(EX_DRAW))
        if self.network is None or self.network.sizes[0] != PIXELS:
            idx = self.network_combo.findData(SHARED if self.ctx.client.shared_network is not None else MNIST_RANDOM)
            self.network_combo.setCurrentIndex(idx)
            self.choose_network(idx)
        else:
            self.example_changed()

    # ================================================================== what the row says
    def show_note(self, html: str) -> None:
        self.example_note.setText(html)

    def show_error(self, message: str) -> None:
        self.example_note.setText(error_html(message))
        self.ctx.status(message)

    # ================================================================== settings
    def save_settings(self, settings: TabSettings) -> None:
        settings.set("network", self.network_combo.currentIndex())
        settings.set("seed", self.seed_spin.value())
        settings.set("cost", self.cost_combo.currentIndex())
        settings.set("index", self.index_spin.value())
        settings.set("x", self.x_edit.text())

    def restore_settings(self, settings: TabSettings) -> None:
        net = settings.get("network")
        if 0 <= net < self.network_combo.count():
            self.network_combo.setCurrentIndex(net)
        self.cost_combo.setCurrentIndex(settings.get("cost"))
        for spin, key in ((self.seed_spin, "seed"), (self.index_spin, "index")):
            spin.blockSignals(True)  # one trace at the end, not one per value
            spin.setValue(settings.get(key))
            spin.blockSignals(False)
        self.choose_current()
