"""The Training tab's layer-stack editor: a chapter-6 network as network3.py's list of layers.

The learner adds, removes and reorders conv-pool, fully connected and softmax layers and sets each one's
filters (or units), kernel k, pool p, activation σ and dropout p.  The editor holds a layer *spec* — the
list of dicts ``engine.convnet`` builds a ``ConvNet`` from — and says under the list what each layer makes
of a 28×28 image (or why the stack cannot run).  ``spec_text`` / ``parse_layers`` turn a spec into the
trainer's ``--layers`` text and back: the form keeps that text in the settings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...engine.convnet import INPUT_SHAPE, parse_layers, validate_spec

ACTIVATIONS = [("sigmoid", "sigmoid σ"), ("tanh", "tanh"), ("relu", "ReLU")]
DEFAULT_SPEC = [{"type": "conv", "filters": 20, "size": 5, "pool": 2, "activation": "sigmoid"},
                {"type": "fc", "n_out": 100, "activation": "sigmoid", "dropout": 0.0},
                {"type": "softmax", "n_out": 10, "dropout": 0.0}]
NEW_LAYER = {"conv": {"type": "conv", "filters": 20, "size": 5, "pool": 2, "activation": "relu"},
             "fc": {"type": "fc", "n_out": 100, "activation": "relu", "dropout": 0.0},
             "softmax": {"type": "softmax", "n_out": 10, "dropout": 0.0}}
NAMES = {"conv": "conv-pool", "fc": "fully connected", "softmax": "softmax"}


def spec_text(spec) -> str:
    """A spec as the trainer's --layers text, every setting spelled out: conv20x5-pool2-relu,fc100-relu-drop0.5."""
    parts = []
    for d in spec:
        if d["type"] == "conv":
            parts.append(f"conv{d['filters']}x{d['size']}-pool{d['pool']}-{d['activation']}")
        else:
            t = f"{d['type']}{d['n_out']}" + (f"-{d['activation']}" if d["type"] == "fc" else "")
            if d.get("dropout"):
                t += f"-drop{round(float(d['dropout']), 2):g}"
            parts.append(t)
    return ",".join(parts)


def layer_line(d: dict) -> str:
    """One line for the list: conv-pool: 20 filters 5×5, max-pool 2×2, ReLU."""
    act = dict(ACTIVATIONS).get(d.get("activation", ""), "")
    drop = f", dropout p = {d['dropout']:g}" if d.get("dropout") else ""
    if d["type"] == "conv":
        return f"conv-pool: {d['filters']} filters {d['size']}×{d['size']}, max-pool {d['pool']}×{d['pool']}, {act}"
    if d["type"] == "fc":
        return f"fully connected: {d['n_out']} neurons, {act}{drop}"
    return f"softmax: {d['n_out']} outputs{drop}"


def shapes_text(spec) -> str:
    """What the stack makes of a 28×28 image, layer by layer — or why it cannot run."""
    try:
        spec = validate_spec(spec)
    except ValueError as exc:
        return f"<span style='color:#b00020'>{str(exc)[:1].upper() + str(exc)[1:]}.</span>"
    h, w, c = INPUT_SHAPE
    steps = [f"{h}×{w}"]
    for d in spec:
        if d["type"] == "conv":
            h, w = (h - d["size"] + 1) // d["pool"], (w - d["size"] + 1) // d["pool"]
            steps.append(f"{d['filters']}×{h}×{w}")
        else:
            steps.append(str(d["n_out"]))
    return "Shapes: " + " → ".join(steps)


class LayerStackEditor(QWidget):
    """A list of layers with add / remove / reorder buttons and an editor for the selected layer."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._spec: list[dict] = [dict(d) for d in DEFAULT_SPEC]
        self._filling = False
        self.list = QListWidget()
        self.list.setToolTip("The network's layers, input first (network3.py's list of layers). Select one to "
                             "edit it below.")
        self.list.setMinimumHeight(72)
        self.list.setMaximumHeight(96)
        self.list.currentRowChanged.connect(self._select)
        self.add_conv = QPushButton("+ conv-pool")
        self.add_conv.setToolTip("Add a convolutional layer with max-pooling (after the last conv-pool layer)")
        self.add_fc = QPushButton("+ fully conn.")
        self.add_fc.setToolTip("Add a fully connected layer (before the softmax layer)")
        self.add_softmax = QPushButton("+ softmax")
        self.add_softmax.setToolTip("Add the softmax output layer (the last layer; log-likelihood cost)")
        self.remove_btn = QPushButton("Remove")
        self.up_btn = QPushButton("Up")
        self.down_btn = QPushButton("Down")
        self.add_conv.clicked.connect(lambda: self.add_layer("conv"))
        self.add_fc.clicked.connect(lambda: self.add_layer("fc"))
        self.add_softmax.clicked.connect(lambda: self.add_layer("softmax"))
        self.remove_btn.clicked.connect(self.remove_layer)
        self.up_btn.clicked.connect(lambda: self.move_layer(-1))
        self.down_btn.clicked.connect(lambda: self.move_layer(1))
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setHorizontalSpacing(3)
        for i, b in enumerate((self.add_conv, self.add_fc, self.add_softmax, self.remove_btn, self.up_btn,
                               self.down_btn)):
            buttons.addWidget(b, i // 3, i % 3)

        # ---------------------------------------------------------------- the selected layer
        self.kind = QLabel("")
        self.units = QSpinBox()
        self.units.setRange(1, 10_000)
        self.kernel = QSpinBox()
        self.kernel.setRange(1, 28)
        self.kernel.setToolTip("Local receptive field k×k: each filter sees k×k pixels (the book: 5×5)")
        self.pool = QSpinBox()
        self.pool.setRange(1, 28)
        self.pool.setToolTip("Max-pooling p×p: each pooled unit is the largest of p×p neighbours (1: none)")
        self.activation = QComboBox()
        for key, text in ACTIVATIONS:
            self.activation.addItem(text, key)
        self.activation.setToolTip("The layer's activation σ (chapter 6 ends with ReLU)")
        self.dropout = QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.95)
        self.dropout.setSingleStep(0.05)
        self.dropout.setDecimals(2)
        self.dropout.setToolTip("Dropout p: while training, each input unit of this layer is dropped with "
                                "probability p (chapter 6 drops the inputs of the fully connected layers)")
        self.detail = QFormLayout()
        self.detail.setContentsMargins(0, 0, 0, 0)
        self.detail.addRow("Layer", self.kind)
        self.units_label = QLabel("filters")
        self.detail.addRow(self.units_label, self.units)
        self.detail.addRow("kernel k", self.kernel)
        self.detail.addRow("pool p", self.pool)
        self.detail.addRow("σ", self.activation)
        self.detail.addRow("dropout p", self.dropout)
        for w in (self.units, self.kernel, self.pool):
            w.valueChanged.connect(self._edited)
        self.dropout.valueChanged.connect(self._edited)
        self.activation.currentIndexChanged.connect(self._edited)

        self.shapes = QLabel("")
        self.shapes.setWordWrap(True)
        self.shapes.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addLayout(self.detail)
        layout.addWidget(self.shapes)
        self._refill(0)

    # ------------------------------------------------------------------ the spec
    def spec(self) -> list[dict]:
        """The layers as an engine.convnet spec (copies; not yet validated)."""
        return [dict(d) for d in self._spec]

    def set_spec(self, spec) -> None:
        """Show ``spec`` (a list of layer dicts, e.g. a preset's ``layer_spec()``)."""
        self._spec = [dict(d) for d in spec]
        self._refill(0 if self._spec else -1)
        self.changed.emit()

    def text(self) -> str:
        return spec_text(self._spec)

    def set_text(self, text: str) -> bool:
        """Show the layers of a --layers text; False (and nothing changed) if it cannot be read."""
        try:
            spec = validate_spec(parse_layers(text))
        except ValueError:
            return False
        self.set_spec(spec)
        return True

    # ------------------------------------------------------------------ editing
    def add_layer(self, kind: str) -> None:
        """Add a layer where it can go: conv after the last conv, fc before the softmax, softmax last."""
        types = [d["type"] for d in self._spec]
        if kind == "conv":
            at = max((i + 1 for i, t in enumerate(types) if t == "conv"), default=0)
        elif kind == "fc":
            at = types.index("softmax") if "softmax" in types else len(types)
        else:
            at = len(types)
        self._spec.insert(at, dict(NEW_LAYER[kind]))
        self._refill(at)
        self.changed.emit()

    def remove_layer(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._spec):
            del self._spec[row]
            self._refill(min(row, len(self._spec) - 1))
            self.changed.emit()

    def move_layer(self, step: int) -> None:
        row = self.list.currentRow()
        to = row + step
        if 0 <= row < len(self._spec) and 0 <= to < len(self._spec):
            self._spec[row], self._spec[to] = self._spec[to], self._spec[row]
            self._refill(to)
            self.changed.emit()

    def _refill(self, row: int) -> None:
        self._filling = True
        try:
            self.list.clear()
            for d in self._spec:
                self.list.addItem(layer_line(d))
            self.list.setCurrentRow(row)
        finally:
            self._filling = False
        self._select(self.list.currentRow())
        self.shapes.setText(shapes_text(self._spec))

    def _select(self, row: int) -> None:
        """Fill the detail editor from layer ``row`` and show only the settings its type has."""
        ok = 0 <= row < len(self._spec)
        self.remove_btn.setEnabled(ok)
        self.up_btn.setEnabled(ok and row > 0)
        self.down_btn.setEnabled(ok and row < len(self._spec) - 1)
        d = self._spec[row] if ok else {"type": ""}
        kind = d["type"]
        was, self._filling = self._filling, True
        try:
            self.kind.setText(f"{row + 1}: {NAMES[kind]}" if ok else "(no layer selected)")
            conv = kind == "conv"
            self.units_label.setText("filters" if conv else "neurons")
            self.units.setToolTip("Feature maps: one shared k×k filter and bias each" if conv else
                                  "Neurons (the softmax layer: one per digit, 10)")
            for widget, shown in ((self.units, ok), (self.kernel, conv), (self.pool, conv),
                                  (self.activation, kind in ("conv", "fc")), (self.dropout, kind in ("fc", "softmax"))):
                self.detail.setRowVisible(widget, shown)
            if ok:
                self.units.setValue(d["filters"] if conv else d["n_out"])
                if conv:
                    self.kernel.setValue(d["size"])
                    self.pool.setValue(d["pool"])
                if "activation" in d:
                    self.activation.setCurrentIndex(max(0, self.activation.findData(d["activation"])))
                if "dropout" in d:
                    self.dropout.setValue(float(d["dropout"]))
        finally:
            self._filling = was

    def _edited(self, *args) -> None:
        row = self.list.currentRow()
        if self._filling or not 0 <= row < len(self._spec):
            return
        d = self._spec[row]
        if d["type"] == "conv":
            d.update(filters=self.units.value(), size=self.kernel.value(), pool=self.pool.value(),
                     activation=self.activation.currentData())
        else:
            d["n_out"] = self.units.value()
            d["dropout"] = round(self.dropout.value(), 2)
            if d["type"] == "fc":
                d["activation"] = self.activation.currentData()
        self.list.item(row).setText(layer_line(d))
        self.shapes.setText(shapes_text(self._spec))
        self.changed.emit()
