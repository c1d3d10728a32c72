"""The Backprop inspector: chapter 2's four equations, one example, neuron by neuron.

The tab draws ``Inspection`` results (an ``engine.trace.Trace`` plus the float64 network it came from)
computed on the engine worker by the tasks in ``nndl_gui.jobs.inspector``; it never computes a forward
or backward pass itself.  A learner picks a network (the shared one from Training / File ▸ Open, or a
small one built here), an example (an MNIST test digit, the Draw tab's input, or typed numbers), then
steps through the forward pass, BP1, BP2 backwards, BP3 and BP4 with the numbers substituted, clicks
neurons and weights, checks gradients against finite differences, lets the demon nudge a z, edits
weights, and runs chapter 3's saturation demo.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import chapter_url
from ...data.mnist import PIXELS
from ...jobs import inspector as ij
from ...latest import LatestTask
from ...widgets.network_diagram import NetworkDiagram
from ...settings import TabSettings
from ..base import Tab
from . import equations as eqn
from .check import GradientCheckPage
from .common import rich_label, scrolled
from .conv import ConvView, is_conv
from .demon import DemonPage
from .edit import EditPage
from .saturation import SaturationPage

SHARED = "shared"
MNIST_RANDOM = "mnist-random"  # a [784, 30, 10] network with random weights, for MNIST without training
NETWORK_CHOICES = [(f"Small net {s}", ",".join(map(str, s))) for s in ij.SMALL_SIZES] + [
    ("Untrained [784, 30, 10] (random weights)", MNIST_RANDOM)]
EX_MNIST, EX_TYPED, EX_DRAW = "mnist", "typed", "draw"

class InspectorTab(Tab):
    title = "Backprop inspector"
    chapter = 2

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.inspection: ij.Inspection | None = None  # what is drawn (from the worker)
        self._net = None  # the network every task is given (small, random-784, shared, or an edited copy)
        self._edited = False
        self._x = None
        self._y = None  # digit label (int) or target vector
        self._description = ""
        self._draw_input = None  # (x, label, description) from the Draw tab
        self._mnist = None
        # newest request wins: traces and edits share one channel (the demon page has its own)
        self._latest = LatestTask(ctx.client, self._on_inspection, self._on_task_error)
        self.steps: list[eqn.Step] = []
        self.step_index = 0
        self._restart = True  # the next inspection starts the walk at step 1 (a new network or example)
        self.selection: tuple | None = None
        self.detail_values: dict[str, float] = {}  # the numbers the selection panel shows
        self._build()
        self.ctx.client.networkChanged.connect(self._on_network_changed)
        self.ctx.signals.sendToInspector.connect(self.receive_input)
        self._update_shared_choice()
        if self.ctx.client.shared_network is None:
            self.network_combo.setCurrentIndex(1)  # a small net until something is trained or opened
        self._choose_network(self.network_combo.currentIndex())

    # ================================================================== building
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        root.addLayout(self._build_network_row())
        root.addLayout(self._build_example_row())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)  # a collapsed panel would hide the steps or the diagram
        split.addWidget(self._build_diagram_panel())
        split.addWidget(scrolled(self._build_side_panel()))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([700, 560])
        # chapter-6 networks get their own view (tabs/inspector/conv.py) in place of the diagram
        self.conv_view = ConvView(self.ctx)
        self.view_stack = QStackedWidget()
        self.view_stack.addWidget(split)
        self.view_stack.addWidget(self.conv_view)
        root.addWidget(self.view_stack, 1)
        for keys, slot in ((("Right", "N"), self.next_step), (("Left", "P"), self.previous_step),
                           (("End",), self.run_to_end), (("Home",), self.go_to_start)):
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                sc.activated.connect(slot)

    def _build_network_row(self):
        row = QHBoxLayout()
        row.addWidget(QLabel("Network:"))
        self.network_combo = QComboBox()
        self.network_combo.addItem("Shared network", SHARED)
        for text, data in NETWORK_CHOICES:
            self.network_combo.addItem(text, data)
        self.network_combo.setToolTip("The network trained in the Training tab (or opened with File ▸ Open), "
                                      "or a small sigmoid network built here where every number fits on screen.")
        self.network_combo.activated.connect(self._choose_network)
        row.addWidget(self.network_combo)
        self.cost_title = QLabel("cost C:")
        row.addWidget(self.cost_title)
        self.cost_combo = QComboBox()
        self.cost_combo.addItem("quadratic ½‖a − y‖²", "quadratic")
        self.cost_combo.addItem("cross-entropy", "cross-entropy")
        self.cost_combo.setToolTip("Cost of the networks built here (the shared network keeps its own).")
        self.cost_combo.activated.connect(lambda _i: self._choose_network(self.network_combo.currentIndex()))
        row.addWidget(self.cost_combo)
        self.seed_title = QLabel("seed:")
        row.addWidget(self.seed_title)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 9999)
        self.seed_spin.setToolTip("Random seed of the weights and biases, N(0, 1) as in chapters 1–2.")
        self.seed_spin.valueChanged.connect(lambda _v: self._choose_network(self.network_combo.currentIndex()))
        row.addWidget(self.seed_spin)
        self.network_note = rich_label()
        row.addWidget(self.network_note, 1)
        link = rich_label(f'<a href="{chapter_url(2)}">Chapter 2 of the book</a>', False)
        link.setToolTip("Chapter 2: How the backpropagation algorithm works")
        row.addWidget(link)
        return row

    def _build_example_row(self):
        row = QHBoxLayout()
        row.addWidget(QLabel("Example:"))
        self.example_combo = QComboBox()
        self.example_combo.addItem("MNIST test image", EX_MNIST)
        self.example_combo.addItem("Typed input x", EX_TYPED)
        self.example_combo.addItem("From the Draw tab", EX_DRAW)
        self.example_combo.activated.connect(lambda _i: self._example_changed())
        row.addWidget(self.example_combo)
        self.index_label = QLabel("index:")
        row.addWidget(self.index_label)
        self.index_spin = QSpinBox()
        self.index_spin.setRange(0, 9999)
        self.index_spin.setToolTip("Which of the 10,000 MNIST test images.")
        self.index_spin.valueChanged.connect(lambda _v: self._example_changed())
        row.addWidget(self.index_spin)
        self.random_button = QPushButton("Random digit")
        self.random_button.clicked.connect(self.random_digit)
        row.addWidget(self.random_button)
        self.x_label = QLabel("x =")
        row.addWidget(self.x_label)
        self.x_edit = QLineEdit("0.5, 0.9")
        self.x_edit.setToolTip("The input activations a¹ = x, separated by commas.")
        self.x_edit.editingFinished.connect(self._example_changed)
        row.addWidget(self.x_edit, 1)
        row.addWidget(QLabel("target y ="))
        self.y_edit = QLineEdit("1, 0")
        self.y_edit.setToolTip("The desired output: one number per output neuron, or a digit label "
                               "(label j means y_j = 1 and the rest 0).")
        self.y_edit.editingFinished.connect(self._example_changed)
        self.y_edit.setMaximumWidth(130)
        row.addWidget(self.y_edit)
        self.example_note = rich_label()
        row.addWidget(self.example_note, 2)
        return row

    def _build_diagram_panel(self):
        panel = QWidget()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Colour neurons by:"))
        self.quantity_combo = QComboBox()
        for key, text in (("z", "weighted input z"), ("a", "activation a"), ("sp", "σ′(z)"), ("delta", "error δ")):
            self.quantity_combo.addItem(text, key)
        self.quantity_combo.setCurrentIndex(1)
        self.quantity_combo.currentIndexChanged.connect(
            lambda _i: self.diagram.set_quantity(self.quantity_combo.currentData()))
        row.addWidget(self.quantity_combo)
        row.addWidget(QLabel("lines:"))
        self.weight_combo = QComboBox()
        self.weight_combo.addItem("weights w", "w")
        self.weight_combo.addItem("gradient ∂C/∂w", "nabla_w")
        self.weight_combo.currentIndexChanged.connect(
            lambda _i: self.diagram.set_weight_mode(self.weight_combo.currentData()))
        row.addWidget(self.weight_combo)
        row.addStretch(1)
        lay.addLayout(row)
        self.cost_label = rich_label("")  # a line of its own: it wraps on a narrow window instead of widening it
        lay.addWidget(self.cost_label)
        self.diagram = NetworkDiagram()
        self.diagram.neuronClicked.connect(self._on_neuron_clicked)
        self.diagram.weightClicked.connect(self._on_weight_clicked)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.diagram)
        lay.addWidget(self.scroll, 1)
        return panel

    def _build_side_panel(self):
        panel = QWidget()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(0, 0, 0, 0)
        steps_box = QGroupBox("Step through backpropagation")
        sl = QVBoxLayout(steps_box)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("|◀ Start")
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.end_button = QPushButton("Run to end ▶|")
        for b, tip, slot in ((self.start_button, "Back to the input (Home)", self.go_to_start),
                             (self.prev_button, "One step back (← or P)", self.previous_step),
                             (self.next_button, "One step forward (→ or N)", self.next_step),
                             (self.end_button, "Show every step at once (End)", self.run_to_end)):
            b.setToolTip(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        sl.addLayout(buttons)
        self.step_label = rich_label()
        sl.addWidget(self.step_label)
        self.equation_label = rich_label()
        eq_font = QFont(self.font())
        eq_font.setPointSizeF(eq_font.pointSizeF() * 1.15)
        self.equation_label.setFont(eq_font)
        self.equation_label.setStyleSheet("QLabel { background: #fff8dc; padding: 6px; border: 1px solid #e0d090; }")
        self.equation_label.setMinimumHeight(64)
        sl.addWidget(self.equation_label)
        lay.addWidget(steps_box)

        sel_box = QGroupBox("Selected (click a neuron or a weight line)")
        sv = QVBoxLayout(sel_box)
        self.detail_label = rich_label()
        sv.addWidget(self.detail_label)
        self.saturation_flag = rich_label()
        self.saturation_flag.setStyleSheet("QLabel { color: #8a3b00; }")
        sv.addWidget(self.saturation_flag)
        lay.addWidget(sel_box)

        self.check_page = GradientCheckPage(self.ctx)
        self.demon_page = DemonPage(self.ctx)
        self.edit_page = EditPage(self.ctx)
        self.edit_page.editRequested.connect(self._apply_edit)
        self.edit_page.resetRequested.connect(lambda: self._choose_network(self.network_combo.currentIndex()))
        self.saturation_page = SaturationPage(self.ctx)
        self.pages = (self.check_page, self.demon_page, self.edit_page, self.saturation_page)
        self.tools = QTabWidget()
        self.tools.addTab(self.check_page, "Gradient check")
        self.tools.addTab(self.demon_page, "The demon")
        self.tools.addTab(self.edit_page, "Edit")
        self.tools.addTab(self.saturation_page, "Saturation (ch. 3)")
        lay.addWidget(self.tools, 1)
        return panel

    # ================================================================== network and example
    def _update_shared_choice(self) -> None:
        shared = self.ctx.client.shared_network
        text = (f"Shared network: {shared.network.sizes}" if shared is not None
                else "Shared network (none yet)")
        self.network_combo.setItemText(0, text)

    @Slot(object)
    def _on_network_changed(self, shared) -> None:
        self._update_shared_choice()
        if self.network_combo.currentData() == SHARED:
            self._choose_network(0)

    def _choose_network(self, index: int) -> None:
        choice = self.network_combo.itemData(index)
        self._edited = False
        if choice == SHARED:
            shared = self.ctx.client.shared_network
            if shared is None:
                self._net = None
                self.network_note.setText("<b>No shared network yet</b>: train one in the Training tab or use "
                                          "File ▸ Open. Meanwhile pick a small net or the untrained [784, 30, 10].")
                self._set_inspection(None)
                return
            self._net = shared.network
            self.network_note.setText(f"{shared.description} · cost: {self._net.cost.name}")
        elif choice == MNIST_RANDOM:
            self._net = ij.make_small_network([784, 30, 10], self.seed_spin.value(), self.cost_combo.currentData())
            self.network_note.setText("random N(0, 1) weights, so it guesses; train one in the Training tab.")
        else:
            self._net = ij.make_small_network([int(n) for n in choice.split(",")], self.seed_spin.value(), self.cost_combo.currentData())
            self.network_note.setText("")
        for w in (self.cost_title, self.cost_combo, self.seed_title, self.seed_spin):
            w.setVisible(choice != SHARED)  # the shared network has its own cost and weights
        self.selection = None
        self._restart = True  # another network: walk it from step 1
        n_in = self._net.sizes[0]
        if n_in == PIXELS and self.example_combo.currentData() == EX_TYPED:
            self.example_combo.setCurrentIndex(0)
        elif n_in != PIXELS and self.example_combo.currentData() != EX_TYPED:
            self.example_combo.setCurrentIndex(1)
        if n_in != PIXELS:
            rng = np.random.default_rng(self.seed_spin.value())
            self.x_edit.setText(", ".join(f"{v:.2f}" for v in rng.random(n_in)))
            self.y_edit.setText(", ".join("1" if j == 0 else "0" for j in range(self._net.sizes[-1])))
        self._example_changed()

    def _example_changed(self) -> None:
        kind = self.example_combo.currentData()
        mnist_like = kind in (EX_MNIST, EX_DRAW)
        for w in (self.index_label, self.index_spin, self.random_button):
            w.setVisible(kind == EX_MNIST)
        self.x_label.setVisible(kind == EX_TYPED)
        self.x_edit.setVisible(kind == EX_TYPED)
        if self._net is None:
            return
        self.example_note.setText("")
        if mnist_like and self._net.sizes[0] != PIXELS:
            self._input_error(f"MNIST digits need a network with 784 inputs; this one has {self._net.sizes[0]}. "
                              "Choose the shared or the [784, 30, 10] network, or type x.")
            return
        try:
            if kind == EX_TYPED:
                x = ij.parse_numbers(self.x_edit.text(), self._net.sizes[0], "x")
                y = self._parse_target(self.y_edit.text())
                self._set_example(x, y, f"x = ({self.x_edit.text()})")
            elif kind == EX_MNIST:
                self.ctx.data.get(self._on_mnist, lambda msg: self._input_error(f"MNIST could not be loaded: {msg}"))
            else:
                if self._draw_input is None:
                    self._input_error("Nothing from the Draw tab yet: draw a digit there and press "
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
                self._set_example(x, y, desc)
        except ValueError as exc:
            self._input_error(str(exc))

    def _parse_target(self, text: str):
        n = self._net.sizes[-1]
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

    def _input_error(self, message: str) -> None:
        self.example_note.setText(f"<span style='color:#b00020'>{message}</span>")
        self.ctx.status(message)

    def _on_mnist(self, mnist) -> None:
        self._mnist = mnist
        if self.example_combo.currentData() != EX_MNIST or self._net is None or self._net.sizes[0] != PIXELS:
            return
        test = mnist.test
        self.index_spin.setMaximum(len(test) - 1)
        i = self.index_spin.value()
        label = int(test.labels[i])
        self.y_edit.setText(str(label))
        self._set_example(np.asarray(test.x(i)).reshape(-1), label, f"MNIST test image #{i} (a {label})")

    def random_digit(self) -> None:
        n = len(self._mnist.test) if self._mnist is not None else 10000
        self.index_spin.setValue(int(np.random.default_rng().integers(n)))

    @Slot(object, int, str)
    def receive_input(self, x, label: int, description: str) -> None:
        """The Draw tab's input (x: (784,) in [0, 1], label or −1)."""
        self._draw_input = (np.array(x, dtype=np.float64).reshape(-1), int(label), description)
        self._restart = True  # a new digit: walk it from the input
        if label >= 0:
            self.y_edit.setText(str(label))
        self.example_combo.setCurrentIndex(self.example_combo.findData(EX_DRAW))
        if self._net is None or self._net.sizes[0] != PIXELS:
            idx = self.network_combo.findData(SHARED if self.ctx.client.shared_network is not None else MNIST_RANDOM)
            self.network_combo.setCurrentIndex(idx)
            self._choose_network(idx)
        else:
            self._example_changed()
        self.ctx.signals.showTab.emit(self.title)

    def _set_example(self, x, y, description: str) -> None:
        self._x, self._y, self._description = np.asarray(x, dtype=np.float64), y, description
        self._retrace()

    # ================================================================== worker round trips
    def _retrace(self) -> None:
        if self._net is None or self._x is None:
            return
        self.view_stack.setCurrentIndex(1 if is_conv(self._net) else 0)
        if is_conv(self._net):
            self._request(ij.conv_trace_task, self._net, self._x, self._y, self._description)
            return
        self._request(ij.trace_task, self._net, self._x, self._y, self._description)

    def _request(self, fn, *args) -> None:
        self._latest.request(fn, *args)

    def _on_task_error(self, message: str) -> None:
        self._input_error(message)

    def _on_inspection(self, insp: ij.Inspection) -> None:
        if isinstance(insp, ij.ConvInspection):
            self.conv_view.show_inspection(insp)
            self.example_note.setText(self._description)
            return
        self._set_inspection(insp)

    def _set_inspection(self, insp: ij.Inspection | None) -> None:
        old_layers = self.inspection.network.sizes if self.inspection is not None else None
        self.inspection = insp
        if insp is None:
            self._show_on_pages()
            self.diagram.set_data(None, None)
            self.equation_label.setText("")
            self.detail_label.setText("")
            return
        self._net = insp.network if self._edited else self._net
        L = insp.network.num_layers
        restart = self._restart or old_layers != insp.network.sizes or not self.steps
        self._restart = False
        if restart:
            self.steps = eqn.steps(L)
            self.step_index = 0  # step 1: the input, then the forward pass
        if self.selection is None or not self._valid(self.selection):
            out = insp.trace.output
            j = int(np.argmax(insp.trace.y)) if insp.trace.y.size > 1 else 0
            self.selection = ("neuron", L, j if j < out.size else 0)
        self.diagram.set_data(insp.network, insp.trace)
        tr = insp.trace
        pred = int(np.argmax(tr.output))
        self.cost_label.setText(f"C = <b>{eqn.fmt(tr.cost)}</b> ({insp.network.cost.name}) · output "
                                f"argmax<sub>j</sub> a<sup>L</sup><sub>j</sub> = {pred}")
        self.example_note.setText(self._description + (" · <i>edited network</i>" if self._edited else ""))
        self._show_on_pages()
        if restart:
            self._go(0)
        else:
            self._refresh()
        self._nudge_demon()

    def _show_on_pages(self) -> None:
        for page in self.pages:
            page.show_target(self.inspection, self.selection)

    def _nudge_demon(self) -> None:
        if self.tools.currentWidget() is self.demon_page:
            self.demon_page.nudge()

    def _valid(self, sel) -> bool:
        sizes = self.inspection.network.sizes
        if not 1 <= sel[1] <= len(sizes) or not 0 <= sel[2] < sizes[sel[1] - 1]:
            return False
        return sel[0] == "neuron" or (sel[1] >= 2 and 0 <= sel[3] < sizes[sel[1] - 2])

    # ================================================================== stepping
    def next_step(self) -> None:
        self._go(self.step_index + 1)

    def previous_step(self) -> None:
        self._go(self.step_index - 1)

    def run_to_end(self) -> None:
        self._go(len(self.steps) - 1)

    def go_to_start(self) -> None:
        self._go(0)

    def _go(self, index: int) -> None:
        if not self.steps or self.inspection is None:
            return
        self.step_index = max(0, min(index, len(self.steps) - 1))
        step = self.steps[self.step_index]
        # show what the step computes
        quantity = {"input": "a", "z": "z", "a": "a", "BP1": "delta", "BP2": "delta", "BP3": "delta"}.get(step.kind)
        if quantity:
            self.quantity_combo.setCurrentIndex(self.quantity_combo.findData(quantity))
        self.weight_combo.setCurrentIndex(1 if step.kind == "BP4" else 0)
        # move the selection into the layer the step computes
        sizes = self.inspection.network.sizes
        if step.kind in ("input", "z", "a", "BP1", "BP2"):
            l_sel = self.selection[1] if self.selection else 0
            j = self.selection[2] if self.selection else 0
            if self.selection is None or self.selection[0] != "neuron" or l_sel != step.l:
                if step.l == 1 and sizes[0] == PIXELS:  # an image: start at its brightest pixel
                    j = int(np.argmax(self.inspection.trace.x))
                self.selection = ("neuron", step.l, min(j, sizes[step.l - 1] - 1))
        elif self.selection is None or self.selection[1] < 2:
            self.selection = ("neuron", 2, 0)
        self._refresh()

    def _refresh(self) -> None:
        insp = self.inspection
        if insp is None:
            return
        step = self.steps[self.step_index]
        idx, steps = self.step_index, self.steps
        self.diagram.set_known(lambda q, l: eqn.known(steps, idx, q, l))
        L = insp.network.num_layers
        self.diagram.set_highlight(range(2, L + 1) if step.l == 0 else (step.l,))
        self.diagram.set_selection(self.selection)
        self.prev_button.setEnabled(idx > 0)
        self.start_button.setEnabled(idx > 0)
        self.next_button.setEnabled(idx < len(steps) - 1)
        self.end_button.setEnabled(idx < len(steps) - 1)
        self.step_label.setText(f"Step {idx + 1} of {len(steps)}: <b>{step.title}</b>")
        self.equation_label.setText(self._equation_for_selection(step))
        self._show_selection()

    def _equation_for_selection(self, step: eqn.Step) -> str:
        sel = self.selection
        l = sel[1]
        if step.kind in ("BP3", "BP4") and l < 2:
            note = "<br><span style='color:#777'>(inputs have no bias or weights: shown for neuron 0 of layer 2)</span>"
            return self._equation_for(step, ("neuron", 2, 0)) + note
        return self._equation_for(step, sel)

    def _equation_for(self, step: eqn.Step, sel: tuple) -> str:
        insp = self.inspection
        kind, l, j = sel[0], sel[1], sel[2]
        if step.kind == "BP4":
            if kind == "weight":
                k = sel[3]
            else:
                prev = insp.trace.layer(l - 1).a
                k = int(np.argmax(prev))
            return eqn.equation(insp.network, insp.trace, step, l, j, k)
        if step.kind == "BP3":
            return eqn.equation(insp.network, insp.trace, step, l, j)
        L = insp.network.num_layers
        fits = {"input": l == 1, "z": l >= 2, "a": l >= 2, "BP1": l == L, "BP2": 2 <= l < L}[step.kind]
        if kind == "neuron" and fits:
            eq = eqn.equation(insp.network, insp.trace, step, l, j)
            if l != step.l:
                eq += (f"<br><span style='color:#777'>(the same equation for the neuron you selected; this step "
                       f"computes layer {step.l})</span>")
            return eq
        return (eqn.equation(insp.network, insp.trace, step, step.l, 0)
                + f"<br><span style='color:#777'>(for neuron 0 of layer {step.l}: click a neuron there)</span>")

    def _show_selection(self) -> None:
        head, rows, flag, self.detail_values = eqn.selection_details(
            self.inspection.network, self.inspection.trace, self.selection, self.steps, self.step_index)
        self.detail_label.setText(f"{head}<table>{rows}</table>")
        self.saturation_flag.setText(flag)
        self.saturation_flag.setVisible(bool(flag))

    @Slot(int, int)
    def _on_neuron_clicked(self, l: int, j: int) -> None:
        self.select(("neuron", l, j))

    @Slot(int, int, int)
    def _on_weight_clicked(self, l: int, j: int, k: int) -> None:
        self.select(("weight", l, j, k))

    def select(self, selection: tuple) -> None:
        if self.inspection is None or not self._valid(selection):
            return
        self.selection = selection
        self._show_on_pages()
        self._refresh()
        self._nudge_demon()

    def _apply_edit(self, edit: tuple) -> None:
        """The edit page asks for ``(kind, l, j, k, value)``: trace an edited copy on the worker."""
        self._edited = True
        tr = self.inspection.trace
        self._request(ij.edit_task, self.inspection.network, tr.x, tr.y, *edit, self._description)

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
        self.seed_spin.blockSignals(True)
        self.seed_spin.setValue(settings.get("seed"))
        self.seed_spin.blockSignals(False)
        self.cost_combo.setCurrentIndex(settings.get("cost"))
        self.index_spin.blockSignals(True)
        self.index_spin.setValue(settings.get("index"))
        self.index_spin.blockSignals(False)
        self._choose_network(self.network_combo.currentIndex())

    def shutdown(self) -> None:
        self._latest.close()
        for page in self.pages:
            page.shutdown()
