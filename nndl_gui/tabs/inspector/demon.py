"""The Backprop inspector's "The demon" page: add Δz to the selected neuron's weighted input and compare
the actual change of the cost with δΔz (``demon_task`` on the worker, newest slider position wins)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout

from ... import chapter_url
from ...jobs import inspector as ij
from ...latest import LatestTask
from . import equations as eqn
from .common import SidePage, error_html, rich_label


class DemonPage(SidePage):
    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.demon_result: ij.DemonResult | None = None
        self._latest = LatestTask(ctx.client, self._on_demon, self._on_demon_error)
        v = QVBoxLayout(self)
        v.addWidget(rich_label("A demon in neuron j of layer l adds Δz to its weighted input z<sup>l</sup><sub>j</sub>. "
                               "The cost changes by about δ<sup>l</sup><sub>j</sub>Δz — that is what δ means "
                               f"(<a href='{chapter_url(2)}#the_four_fundamental_equations_behind_backpropagation'>chapter 2</a>). "
                               "Select a neuron of layer 2..L, then move the slider."))
        row = QHBoxLayout()
        row.addWidget(QLabel("Δz:"))
        self.demon_slider = QSlider(Qt.Orientation.Horizontal)
        self.demon_slider.setRange(-100, 100)
        self.demon_slider.setValue(10)
        self.demon_slider.setToolTip("Δz from −1 to 1")
        self.demon_slider.valueChanged.connect(self._demon_changed)
        row.addWidget(self.demon_slider, 1)
        self.demon_value = QLabel("+0.10")
        self.demon_value.setMinimumWidth(50)
        row.addWidget(self.demon_value)
        v.addLayout(row)
        self.demon_label = rich_label()
        v.addWidget(self.demon_label)
        v.addStretch(1)

    def nudge(self) -> None:
        """Ask again for the current Δz (the inspection or the selection changed)."""
        self._demon_changed(self.demon_slider.value())

    def _demon_changed(self, value: int) -> None:
        dz = value / 100.0
        self.demon_value.setText(f"{dz:+.2f}".replace("-", eqn.MINUS))
        if self.inspection is None:
            return
        sel = self.selection
        if sel[0] != "neuron" or sel[1] < 2:
            self.demon_label.setText("Select a neuron of layer 2..L: the demon changes its weighted input z.")
            return
        net, tr = self.inspection.network, self.inspection.trace
        self._latest.request(ij.demon_task, net, tr.x, tr.y, sel[1], sel[2], dz)

    def _on_demon_error(self, message: str) -> None:
        self.demon_label.setText(error_html(message))

    def _on_demon(self, res: ij.DemonResult) -> None:
        l, j = res.l, res.j
        self.demon_result = res
        self.demon_label.setText(
            f"<table><tr><td>C</td><td align='right'>&nbsp;{eqn.fmt(res.cost)}</td></tr>"
            f"<tr><td>C with {eqn.sym('z', l, j)} + Δz</td><td align='right'>&nbsp;{eqn.fmt(res.nudged_cost)}</td></tr>"
            f"<tr><td><b>actual ΔC</b></td><td align='right'>&nbsp;<b>{eqn.fmt(res.actual_change)}</b></td></tr>"
            f"<tr><td><b>{eqn.sym('δ', l, j)}Δz</b> = {eqn.fmtp(res.delta)} × {eqn.fmtp(res.dz)}</td>"
            f"<td align='right'>&nbsp;<b>{eqn.fmt(res.predicted_change)}</b></td></tr></table>"
            "The two agree better the smaller Δz is: δ is the slope ∂C/∂z.")

    def shutdown(self) -> None:
        self._latest.close()
