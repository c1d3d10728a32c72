"""The Training tab's form: the book's presets, every hyper-parameter of the engine, checked as you type.

``TrainingForm.request()`` turns the form into a ``jobs.training.TrainingRequest`` (a ValueError with a
sentence for people on a malformed entry); ``validate_form()`` shows the first problem under the form
and emits ``validated``; choosing a preset fills the form and emits ``presetApplied`` (the tab draws the
book's figure as a reference line).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ... import chapter_url
from ...engine.convnet import spec_sizes
from ...engine.training import TrainingConfig
from ...jobs.training import TrainingRequest, check_request
from ...presets import ALL_PRESETS, CH6_PRESETS, PRESETS
from ...settings import TabSettings
from .stack_editor import LayerStackEditor

ACTIVATIONS = [("sigmoid", "sigmoid σ"), ("tanh", "tanh"), ("relu", "ReLU")]
OUTPUTS = [("sigmoid", "sigmoid σ"), ("softmax", "softmax"), ("tanh", "tanh"), ("relu", "ReLU")]
COSTS = [("quadratic", "quadratic ½‖y − a‖²"), ("cross-entropy", "cross-entropy"),
         ("log-likelihood", "log-likelihood −ln a_y")]
INITS = [("large", "large: w, b ~ N(0, 1) (ch. 1)"), ("default", "default: w ~ N(0, 1/n_in) (ch. 3)")]
CUSTOM = "(your own settings)"
NETWORKS = [("sizes", "fully connected (layer sizes)"), ("layers", "layer stack: conv-pool, FC, softmax (ch. 6)")]
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _combo(choices, tooltip: str) -> QComboBox:
    c = QComboBox()
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(12)
    for key, text in choices:
        c.addItem(text, key)
    c.setToolTip(tooltip)
    return c


def _select(combo: QComboBox, key) -> None:
    i = combo.findData(key)
    if i >= 0:
        combo.setCurrentIndex(i)


class TrainingForm(QWidget):
    """Preset chooser, hyper-parameters and the line that says what is wrong with them."""

    validated = Signal(object)  # the first problem (str) or None
    presetApplied = Signal(object)  # presets.Preset

    def __init__(self, parent=None):
        super().__init__(parent)
        self.n_available = 50_000  # training images the data offers (the tab sets it when MNIST loads)
        self.form_problem: str | None = None
        self._applying_preset = False
        self._edited = False
        self.preset = QComboBox()
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(20)
        self.preset.addItem(CUSTOM, "")
        for name, p in {**PRESETS, **CH6_PRESETS}.items():
            self.preset.addItem(p.title, name)
        self.preset.setToolTip("The book's experiments: choosing one fills the form and draws the book's "
                               "reported result as a dashed line on the accuracy plot.")
        self.preset_info = QLabel("")
        self.preset_info.setWordWrap(True)
        self.preset_info.setOpenExternalLinks(True)
        self.preset_info.setTextFormat(Qt.TextFormat.RichText)

        self.network = _combo(NETWORKS, "Fully connected: a list of layer sizes, as in chapters 1–5.\n"
                              "Layer stack: chapter 6's network3.py — conv-pool, fully connected and softmax layers.")
        self.stack = LayerStackEditor()
        self.expanded = QCheckBox("Expanded data: each image + 4 one-pixel shifts")
        self.expanded.setToolTip("Chapter 6: train on 5 × the images, each also moved one pixel up, down, left "
                                 "and right (the book's expand_mnist.py; 250,000 with full MNIST)")
        self.sizes = QLineEdit("784, 30, 10")
        self.sizes.setToolTip("Neurons in each layer, input first: 784 pixels in, hidden layers, 10 digits out.\n"
                              "[784, 30, 10] is chapter 1's network; [784, 30, 30, 10] has two hidden layers.")
        self.activation = _combo(ACTIVATIONS, "Activation of the hidden neurons: a = σ(z) in the book.")
        self.output = _combo(OUTPUTS, "Activation of the output layer a^L (softmax pairs with log-likelihood, ch. 3).")
        self.cost = _combo(COSTS, "Cost function C (chapter 1: quadratic; chapter 3: cross-entropy, log-likelihood).")
        self.init = _combo(INITS, "How weights and biases start (chapter 3, 'Weight initialization').")
        self.eta = QLineEdit("3.0")
        self.eta.setToolTip("Learning rate η: each step moves w by −(η/m) Σ ∂C_x/∂w.")
        self.m = QSpinBox()
        self.m.setRange(1, 60_000)
        self.m.setValue(10)
        self.m.setToolTip("Mini-batch size m: examples per gradient step.")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(30)
        self.epochs.setToolTip("Epochs: passes through the training data.")
        self.lmbda = QLineEdit("0.0")
        self.lmbda.setToolTip("L2 regularization λ: w → (1 − ηλ/n) w − (η/m) Σ ∂C_x/∂w (chapter 3). 0 = off.")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Random seed: the same seed repeats a run exactly (initial weights and shuffling).")
        self.limit = QSpinBox()
        self.limit.setRange(0, 60_000)
        self.limit.setSpecialValueText("all")
        self.limit.setSingleStep(1000)
        self.limit.setToolTip("Train on the first n training images only (chapter 3 overfits with 1,000). "
                              "'all' = 50,000 with full MNIST.")
        self.early = QSpinBox()
        self.early.setRange(0, 1000)
        self.early.setSpecialValueText("off")
        self.early.setToolTip("Early stopping: stop after this many epochs without a better validation accuracy "
                              "(chapter 3's 'no-improvement-in-n' rule).")
        self.schedule = QCheckBox("η schedule: halve η at each stall, stop at η₀/128")
        self.schedule.setToolTip("Needs the early-stopping window: instead of stopping, halve η (chapter 3).")
        self.continue_box = QCheckBox("Continue training the current network")
        self.continue_box.setToolTip("Keep the weights of the network trained last (or opened from a file) when "
                                     "its layers, activations and cost match this form; otherwise start afresh.")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Network", self.network)
        form.addRow(self.stack)
        form.addRow("Layer sizes", self.sizes)
        form.addRow("Hidden σ", self.activation)
        form.addRow("Output", self.output)
        form.addRow("Cost C", self.cost)
        form.addRow("Init", self.init)
        self.form_layout = form
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for r, (label, widget, label2, widget2) in enumerate((
                ("η", self.eta, "m", self.m), ("λ", self.lmbda, "epochs", self.epochs),
                ("images n", self.limit, "seed", self.seed))):
            grid.addWidget(QLabel(label), r, 0)
            grid.addWidget(widget, r, 1)
            grid.addWidget(QLabel(label2), r, 2, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(widget2, r, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        form.addRow(grid)
        form.addRow("Early stop", self.early)
        form.addRow(self.schedule)
        form.addRow(self.expanded)
        form.addRow(self.continue_box)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Preset from the book</b>"))
        layout.addWidget(self.preset)
        layout.addWidget(self.preset_info)
        box = QGroupBox("Network and hyper-parameters")
        box.setLayout(form)
        layout.addWidget(box)
        layout.addWidget(self.message)

        self.preset.currentIndexChanged.connect(self._on_preset)
        for w in (self.sizes, self.eta, self.lmbda):
            w.textChanged.connect(self._form_edited)
        for w in (self.m, self.epochs, self.seed, self.limit, self.early):
            w.valueChanged.connect(self._form_edited)
        for w in (self.activation, self.output, self.cost, self.init):
            w.currentIndexChanged.connect(self._form_edited)
        self.schedule.toggled.connect(self._form_edited)
        self.stack.changed.connect(self._form_edited)
        self.expanded.toggled.connect(self._form_edited)
        self.network.currentIndexChanged.connect(self._network_changed)
        self._network_changed()

    def add_below_preset(self, widget: QWidget) -> None:
        """Show ``widget`` under the preset's line (the tab's run-length estimate reads with it)."""
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.preset_info) + 1, widget)

    # ================================================================== network kind
    @property
    def is_stack(self) -> bool:
        """True when the form describes a chapter-6 layer stack rather than a list of layer sizes."""
        return self.network.currentData() == "layers"

    def _network_changed(self, *args) -> None:
        """Show the layer-stack editor only for layer stacks; the fully connected rows otherwise."""
        stack = self.is_stack
        for w in (self.sizes, self.activation, self.output, self.cost, self.init):
            self.form_layout.setRowVisible(w, not stack)
        self.form_layout.setRowVisible(self.stack, stack)
        self.form_layout.setRowVisible(self.expanded, stack)
        self._form_edited()

    def set_available(self, n: int) -> None:
        """The data now offers ``n`` training images: check the form again."""
        self.n_available = n
        self.validate_form()

    # ================================================================== form
    def _form_edited(self, *args) -> None:
        if not self._applying_preset and self.preset.currentIndex() != 0 and not self._edited:
            self._edited = True
            self.preset_info.setText(self.preset_info.text() + " <i>You changed some settings.</i>")
        self.validate_form()

    def _on_preset(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name:
            self.apply_preset(name)

    def apply_preset(self, name: str) -> None:
        """Fill the form from the book's preset ``name`` and draw its reported figure."""
        p = ALL_PRESETS[name]
        self._applying_preset = True
        try:
            i = self.preset.findData(name)
            if i != self.preset.currentIndex():
                self.preset.blockSignals(True)
                self.preset.setCurrentIndex(i)
                self.preset.blockSignals(False)
            self.sizes.setText(", ".join(str(s) for s in p.sizes))
            _select(self.activation, p.activation)
            _select(self.output, p.output)
            _select(self.cost, p.cost)
            _select(self.init, p.init)
            self.eta.setText(f"{p.eta:g}")
            self.m.setValue(p.mini_batch_size)
            self.epochs.setValue(p.epochs)
            self.lmbda.setText(f"{p.lmbda:g}")
            self.limit.setValue(p.limit or 0)
            self.early.setValue(p.early_stopping_n or 0)
            self.schedule.setChecked(bool(p.schedule))
            stack = name in CH6_PRESETS
            if stack:
                self.stack.set_spec(p.layer_spec())
            self.expanded.setChecked(bool(p.expanded))
            _select(self.network, "layers" if stack else "sizes")
        finally:
            self._applying_preset = False
        self._edited = False
        url = p.url or chapter_url(p.chapter)
        more = (f" The app trains one of the {p.ensemble} networks; their vote is the trainer's "
                f"(python -m nndl_gui train --preset {p.name})." if p.ensemble > 1 else "")
        self.preset_info.setText(f'Book (<a href="{url}">chapter {p.chapter}</a>): {p.book_result}{more}')
        self.presetApplied.emit(p)
        self.validate_form()

    def request(self, run_number: int = 1) -> TrainingRequest:
        """The form as a TrainingRequest for run ``run_number`` (its label); ValueError with a sentence for
        people on a malformed entry."""
        if self.is_stack:
            return self._stack_request(run_number)
        text = self.sizes.text().replace("[", " ").replace("]", " ").replace(",", " ").split()
        try:
            sizes = tuple(int(s) for s in text)
        except ValueError:
            raise ValueError(f"Layer sizes must be whole numbers separated by commas, e.g. 784, 30, 10 "
                             f"(got “{self.sizes.text()}”).") from None
        eta = _number(self.eta.text(), "The learning rate η")
        lmbda = _number(self.lmbda.text(), "The regularization parameter λ")
        config = TrainingConfig(
            epochs=self.epochs.value(), mini_batch_size=self.m.value(), eta=eta, lmbda=lmbda,
            early_stopping_n=self.early.value() or None, schedule=self.schedule.isChecked())
        return TrainingRequest(
            sizes=sizes, activation=self.activation.currentData(), output=self.output.currentData(),
            cost=self.cost.currentData(), init=self.init.currentData(), seed=self.seed.value(), config=config,
            limit=self.limit.value() or None, continue_training=self.continue_box.isChecked(),
            label=self._label(run_number, sizes, eta, lmbda))

    def _stack_request(self, run_number: int) -> TrainingRequest:
        """The layer stack as a TrainingRequest: softmax output, log-likelihood cost (network3.py)."""
        spec = self.stack.spec()
        eta = _number(self.eta.text(), "The learning rate η")
        lmbda = _number(self.lmbda.text(), "The regularization parameter λ")
        config = TrainingConfig(
            epochs=self.epochs.value(), mini_batch_size=self.m.value(), eta=eta, lmbda=lmbda,
            early_stopping_n=self.early.value() or None, schedule=self.schedule.isChecked())
        try:
            sizes = tuple(spec_sizes(spec))
        except ValueError:
            sizes = ()  # check_request explains
        short = {"conv": lambda d: f"conv{d['filters']}", "fc": lambda d: f"fc{d['n_out']}",
                 "softmax": lambda d: f"sm{d['n_out']}"}
        acts = sorted({d["activation"] for d in spec if "activation" in d})
        bits = ["·".join(short[d["type"]](d) for d in spec), "/".join(acts), f"η={eta:g}"]
        if lmbda:
            bits.append(f"λ={lmbda:g}")
        if self.expanded.isChecked():
            bits.append("expanded")
        return TrainingRequest(
            sizes=sizes, output="softmax", cost="log-likelihood", init="default", seed=self.seed.value(),
            config=config, limit=self.limit.value() or None, continue_training=self.continue_box.isChecked(),
            label=f"run {run_number}: " + " ".join(b for b in bits if b), layers=tuple(spec),
            expanded=self.expanded.isChecked())

    def _label(self, run_number: int, sizes, eta, lmbda) -> str:
        bits = [f"[{','.join(map(str, sizes))}]", f"η={eta:g}"]
        if lmbda:
            bits.append(f"λ={lmbda:g}")
        bits.append({"quadratic": "quad.", "cross-entropy": "CE", "log-likelihood": "LL"}.get(
            self.cost.currentData(), self.cost.currentData()))
        if self.init.currentData() == "large":
            bits.append("N(0,1)")
        return f"run {run_number}: " + " ".join(bits)

    def validate_form(self) -> str | None:
        """Check the form; show the first problem next to Start and return it (None when all is well)."""
        try:
            req = self.request()
            problem = check_request(req, self.n_available)
        except ValueError as exc:
            problem = str(exc)
        self.form_problem = problem
        self.message.setText(problem or "")
        self.validated.emit(problem)
        return problem

    # ================================================================== settings
    FIELDS = ("sizes", "eta", "lmbda")
    SPINS = ("m", "epochs", "seed", "limit", "early")
    COMBOS = ("activation", "output", "cost", "init")

    def save_settings(self, settings: TabSettings) -> None:
        settings.set("preset", self.preset.currentData() or "")
        for name in self.FIELDS:
            settings.set(name, getattr(self, name).text())
        for name in self.SPINS:
            settings.set(name, getattr(self, name).value())
        for name in self.COMBOS:
            settings.set(name, getattr(self, name).currentData())
        settings.set("schedule", self.schedule.isChecked())
        settings.set("continue", self.continue_box.isChecked())
        settings.set("network", self.network.currentData())
        settings.set("layers", self.stack.text())
        settings.set("expanded", self.expanded.isChecked())

    def restore_settings(self, settings: TabSettings) -> None:
        preset = settings.get("preset")
        if preset:
            self.apply_preset(preset)
        self._applying_preset = True
        try:
            for name in self.FIELDS:
                getattr(self, name).setText(settings.get(name, getattr(self, name).text()))
            for name in self.SPINS:
                spin = getattr(self, name)
                spin.setValue(settings.get(name, spin.value()))
            for name in self.COMBOS:
                combo = getattr(self, name)
                _select(combo, settings.get(name, combo.currentData()))
            self.schedule.setChecked(settings.get("schedule"))
            self.continue_box.setChecked(settings.get("continue"))
            if not self.stack.set_text(settings.get("layers")):
                self.stack.set_text(settings.key("layers").default)
            self.expanded.setChecked(settings.get("expanded"))
            _select(self.network, settings.get("network"))
        finally:
            self._applying_preset = False
        self.validate_form()


def _number(text: str, what: str) -> float:
    t = text.strip().replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        raise ValueError(f"{what} must be a number such as 0.5 (got “{text}”).") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number (got “{text}”).")
    return value
