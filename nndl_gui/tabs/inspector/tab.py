"""The Backprop inspector: chapter 2's four equations, one example, neuron by neuron.

The tab draws ``Inspection`` results (an ``engine.trace.Trace`` plus the float64 network it came from)
computed on the engine worker by the tasks in ``nndl_gui.jobs.inspector``; it never computes a forward
or backward pass itself.  A learner picks a network (the shared one from Training / File ▸ Open, or a
small one built here), an example (an MNIST test digit, the Draw tab's input, or typed numbers), then
steps through the forward pass, BP1, BP2 backwards, BP3 and BP4 with the numbers substituted, clicks
neurons and weights, checks gradients against finite differences, lets the demon nudge a z, edits
weights, and runs chapter 3's saturation demo.  The two top rows (network, example) are
``example.ExampleChooser``; the equation shown for a step and a selection comes from ``equations``.
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
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...data.mnist import PIXELS
from ...jobs import inspector as ij
from ...latest import LatestTask
from ...widgets.network_diagram import NetworkDiagram
from ...settings import TabSettings
from ..base import Tab
from . import equations as eqn
from .check import GradientCheckPage
from .common import column, rich_label, scrolled
from .conv import ConvView, is_conv
from .demon import DemonPage
from .edit import EditPage
from .example import ExampleChooser
from .saturation import SaturationPage


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
        # newest request wins: traces and edits share one channel (the demon page has its own)
        self._latest = LatestTask(ctx.client, self._on_inspection, self._on_task_error)
        self.steps: list[eqn.Step] = []
        self.step_index = 0
        self._restart = True  # the next inspection starts the walk at step 1 (a new network or example)
        self.selection: tuple | None = None
        self.detail_values: dict[str, float] = {}  # the numbers the selection panel shows
        self._build()
        self.ctx.signals.sendToInspector.connect(self.receive_input)
        self.chooser.choose_current()

    # ================================================================== building
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        self.chooser = ExampleChooser(self.ctx)
        self.chooser.networkChosen.connect(self._network_chosen)
        self.chooser.exampleChosen.connect(self._set_example)
        root.addWidget(self.chooser)
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

    def _build_diagram_panel(self):
        panel = QWidget()
        lay = column(panel)
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
        lay = column(panel)
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
        self.edit_page.resetRequested.connect(self.chooser.choose_current)
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
    def _network_chosen(self, net) -> None:
        self._net, self._edited = net, False
        if net is None:
            self._set_inspection(None)
            return
        self.selection = None
        self._restart = True  # another network: walk it from step 1

    @Slot(object, int, str)
    def receive_input(self, x, label: int, description: str) -> None:
        """The Draw tab's input (x: (784,) in [0, 1], label or −1), walked from step 1."""
        self._restart = True  # a new digit: walk it from the input
        self.chooser.take_drawing(x, label, description)
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
        self.chooser.show_error(message)

    def _on_inspection(self, insp: ij.Inspection) -> None:
        if isinstance(insp, ij.ConvInspection):
            self.conv_view.show_inspection(insp)
            self.chooser.show_note(self._description)
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
        self.chooser.show_note(" · ".join(t for t in (self._description, "<i>edited network</i>" if self._edited else "")
                                          if t))
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
        self.equation_label.setText(eqn.equation_for_selection(insp.network, insp.trace, step, self.selection))
        self._show_selection()

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
        self.chooser.save_settings(settings)

    def restore_settings(self, settings: TabSettings) -> None:
        self.chooser.restore_settings(settings)

    def shutdown(self) -> None:
        self._latest.close()
        for page in self.pages:
            page.shutdown()
