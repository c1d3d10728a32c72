"""The Backprop inspector's "Saturation (ch. 3)" page: one sigmoid neuron learning 1 → 0 from a
saturated start, quadratic against cross-entropy cost (``saturation_job`` on the worker)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout

from ... import chapter_url
from ...engine.saturation import ETAS, STARTS
from ...jobs import inspector as ij
from . import equations as eqn
from .common import SidePage, error_html, rich_label


class SaturationPage(SidePage):
    saturation_pace = 0.01  # seconds per epoch of the saturation demo, so the curve visibly grows (3 s)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.saturation_runs: dict[str, ij.SaturationProgress] = {}
        self._sat_job = None
        v = QVBoxLayout(self)
        v.addWidget(rich_label("One sigmoid neuron learns input 1 → output 0 by gradient descent, 300 epochs "
                               f"(<a href='{chapter_url(3)}'>chapter 3</a>). From (w, b) = (2, 2) it is saturated: "
                               "with the quadratic cost it starts slowly; cross-entropy does not."))
        row = QHBoxLayout()
        self.sat_start = QComboBox()
        for key, (w, b) in STARTS.items():
            self.sat_start.addItem(f"start w = {w:g}, b = {b:g} ({key})", key)
        self.sat_start.setCurrentIndex(1)
        v.addWidget(self.sat_start)
        self.sat_buttons = {}
        for cost, eta in ETAS.items():
            b = QPushButton(f"Run {cost}")
            b.setToolTip(f"Gradient descent with the {cost} cost, η = {eta:g}, on the engine worker.")
            b.clicked.connect(lambda _c=False, cost=cost: self.run_saturation(cost))
            self.sat_buttons[cost] = b
            row.addWidget(b)
        self.sat_stop = QPushButton("Stop")
        self.sat_stop.setToolTip("Stop the saturation demo (never another tab's run).")
        self.sat_stop.clicked.connect(self.stop_saturation)
        row.addWidget(self.sat_stop)
        v.addLayout(row)
        plots = QHBoxLayout()
        self.sat_plots, self.sat_curves = {}, {}
        for cost, colour in (("quadratic", "#b2182b"), ("cross-entropy", "#2166ac")):
            plot = pg.PlotWidget()
            plot.setTitle(f"{cost}, η = {ETAS[cost]:g}", size="9pt")
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", "cost C")
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setXRange(0, 300)
            plot.setMinimumHeight(160)
            self.sat_plots[cost] = plot
            self.sat_curves[cost] = plot.plot([], [], pen=pg.mkPen(colour, width=2))
            plots.addWidget(plot)
        v.addLayout(plots, 1)
        self.sat_label = rich_label()
        v.addWidget(self.sat_label)

    def run_saturation(self, cost: str) -> None:
        start = self.sat_start.currentData()
        self.sat_curves[cost].setData([], [])

        def failed(msg):
            self.sat_label.setText(error_html(msg))

        job = self.ctx.client.start_job("saturation demo", ij.saturation_job, start, cost, self.saturation_pace,
                                        on_snapshot=self._on_saturation, on_finished=self._on_saturation_done,
                                        on_failed=failed)
        self._sat_job = job
        if job is not None:
            self.sat_label.setText(f"Running {cost}…")

    def stop_saturation(self) -> None:
        client = self.ctx.client
        if client.current_job is not None and client.current_job == self._sat_job:
            client.stop()

    def _on_saturation(self, snap: ij.SaturationProgress) -> None:
        self.saturation_runs[snap.cost] = snap
        recs = snap.records
        self.sat_curves[snap.cost].setData([r.epoch for r in recs], [r.cost for r in recs])
        r = snap.last
        self.sat_label.setText(f"{snap.cost}, start {snap.start}: epoch {r.epoch}, w = {eqn.fmt(r.w)}, "
                               f"b = {eqn.fmt(r.b)}, output a = {eqn.fmt(r.a)}, C = {eqn.fmt(r.cost)}")

    def _on_saturation_done(self, final) -> None:
        if final is not None:
            self._on_saturation(final)
