"""The Backprop inspector's "Edit" page: change the selected weight or bias.  The page only asks
(``editRequested``, ``resetRequested``); the tab traces the edited copy again on the worker."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout

from . import equations as eqn
from .common import SidePage, rich_label


class EditPage(SidePage):
    editRequested = Signal(object)  # (kind "w" | "b", l, j, k or None, new value)
    resetRequested = Signal()  # forget the edits

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        v = QVBoxLayout(self)
        v.addWidget(rich_label("Change the selected weight or bias: a, C and every δ are traced again on the worker. "
                               "Editing the shared network changes only this tab's copy."))
        form = QFormLayout()
        self.edit_name = rich_label("", False)
        form.addRow("parameter:", self.edit_name)
        self.edit_spin = QDoubleSpinBox()
        self.edit_spin.setRange(-100.0, 100.0)
        self.edit_spin.setDecimals(3)
        self.edit_spin.setSingleStep(0.1)
        self.edit_spin.setKeyboardTracking(False)
        form.addRow("new value:", self.edit_spin)
        v.addLayout(form)
        row = QHBoxLayout()
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self.apply_edit)
        self.reset_button = QPushButton("Reset network")
        self.reset_button.setToolTip("Forget the edits.")
        self.reset_button.clicked.connect(self.resetRequested)
        row.addWidget(self.apply_button)
        row.addWidget(self.reset_button)
        v.addLayout(row)
        self.edit_note = rich_label()
        v.addWidget(self.edit_note)
        v.addStretch(1)

    def show_target(self, inspection, selection) -> None:
        super().show_target(inspection, selection)
        if inspection is None or selection is None:
            return
        net = inspection.network
        if selection[0] == "neuron":
            _, l, j = selection
            self.edit_name.setText(f"b<sup>{l}</sup><sub>{j}</sub>" if l >= 2 else "(select a neuron of layer ≥ 2 or a weight)")
            if l >= 2:
                self.edit_spin.setValue(float(net.biases[l - 2][j]))
            self.apply_button.setEnabled(l >= 2)
        else:
            _, l, j, k = selection
            self.edit_name.setText(eqn.sym("w", l, f"{j},{k}"))
            self.edit_spin.setValue(float(net.weights[l - 2][j, k]))
            self.apply_button.setEnabled(True)

    def apply_edit(self) -> None:
        if self.inspection is None:
            return
        sel = self.selection
        if sel[0] == "neuron" and sel[1] < 2:
            self.edit_note.setText("Inputs have no weights or bias: select a neuron of layer 2..L or a weight.")
            return
        value = self.edit_spin.value()
        args = ("w", sel[1], sel[2], sel[3]) if sel[0] == "weight" else ("b", sel[1], sel[2], None)
        self.edit_note.setText("")
        self.editRequested.emit((*args, value))
