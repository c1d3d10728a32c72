"""The Backprop inspector's "Gradient check" page: backprop against finite differences, for the selected
parameter or the whole network (tasks ``check_parameter_task`` / ``check_network_task`` on the worker)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout

from ...jobs import inspector as ij
from . import equations as eqn
from .common import SidePage, error_html, rich_label


class GradientCheckPage(SidePage):
    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        v = QVBoxLayout(self)
        v.addWidget(rich_label("Backprop against finite differences (C(p + ε) − C(p − ε)) / 2ε in float64, "
                               "ε = 10⁻⁵. Backprop needs one forward and one backward pass for <i>every</i> "
                               "parameter at once; finite differences two forward passes <i>per</i> parameter."))
        row = QHBoxLayout()
        self.check_one_button = QPushButton("Check the selected parameter")
        self.check_one_button.clicked.connect(self.check_selected)
        self.check_all_button = QPushButton("Check the whole network")
        self.check_all_button.setToolTip(f"Every parameter, or a random sample of {ij.MAX_CHECKED} for big networks.")
        self.check_all_button.clicked.connect(self.check_network)
        row.addWidget(self.check_one_button)
        row.addWidget(self.check_all_button)
        v.addLayout(row)
        self.check_label = rich_label()
        v.addWidget(self.check_label)
        v.addStretch(1)

    def _target_and_net(self):
        if self.inspection is None:
            self.ctx.error("Nothing to check", "Choose a network and an example first.")
            return None
        return self.inspection.network, self.inspection.trace.x, self.inspection.trace.y

    def check_selected(self) -> None:
        got = self._target_and_net()
        if got is None:
            return
        net, x, y = got
        sel = self.selection
        if sel[0] == "neuron" and sel[1] < 2:
            self.check_label.setText("Select a neuron of layer 2..L (its bias) or a weight.")
            return
        args = ("w", sel[1], sel[2], sel[3]) if sel[0] == "weight" else ("b", sel[1], sel[2], None)
        self.check_label.setText("Checking…")
        self.ctx.client.run_task(ij.check_parameter_task, net, x, y, *args, on_result=self._on_param_check,
                                 on_error=lambda m: self.check_label.setText(error_html(m)))

    def _on_param_check(self, pc: ij.ParameterCheck) -> None:
        name = eqn.sym("w", pc.l, f"{pc.j},{pc.k}") if pc.kind == "w" else eqn.sym("b", pc.l, pc.j)
        n = self.inspection.network.num_parameters if self.inspection else 0
        self.check_label.setText(
            f"<table><tr><td>∂C/∂{name} by backprop</td><td align='right'>&nbsp;{pc.backprop:.10g}</td></tr>"
            f"<tr><td>by finite differences</td><td align='right'>&nbsp;{pc.numerical:.10g}</td></tr>"
            f"<tr><td>relative error</td><td align='right'>&nbsp;{pc.relative_error:.1e}</td></tr></table>"
            f"Finite differences: {pc.forward_passes_numerical} forward passes for this one parameter "
            f"({2 * n:,} for all {n:,}); backprop: 1 forward + 1 backward pass for all of them.")

    def check_network(self) -> None:
        got = self._target_and_net()
        if got is None:
            return
        net, x, y = got
        self.check_label.setText("Checking…")
        self.check_all_button.setEnabled(False)

        def done(res):
            self.check_all_button.setEnabled(True)
            self._on_network_check(res)

        def failed(msg):
            self.check_all_button.setEnabled(True)
            self.check_label.setText(error_html(msg))

        self.ctx.client.run_task(ij.check_network_task, net, x, y, on_result=done, on_error=failed)

    def _on_network_check(self, res) -> None:
        which = ("every parameter" if res.n_checked == res.n_parameters
                 else f"a random sample of {res.n_checked:,} of the {res.n_parameters:,} parameters")
        kind, l, j, k = res.worst
        worst = eqn.sym("w", l, f"{j},{k}") if kind == "w" else eqn.sym("b", l, j)
        self.check_label.setText(
            f"Checked {which}.<br>relative error ‖∇<sub>bp</sub> − ∇<sub>fd</sub>‖ / (‖∇<sub>bp</sub>‖ + ‖∇<sub>fd</sub>‖) = "
            f"<b>{res.relative_error:.1e}</b><br>largest single relative error {res.max_relative_error:.1e} (at {worst}; "
            "tiny gradients are dominated by rounding in the difference)<br>"
            f"forward passes: finite differences {res.forward_passes_numerical:,}; backprop 1 forward + 1 backward.")
