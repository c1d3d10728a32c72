"""The Backprop inspector's "Saturation (ch. 3)" page: one sigmoid neuron learning 1 → 0 from a
saturated start, quadratic against cross-entropy cost (``saturation_job`` on the worker).

The two runs can go side by side: the worker owns one job at a time, so starting the second run while
the first one runs stops that job and starts one job with both runs, the first continuing from the
epoch it had reached."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout

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
        self._sat_costs: tuple = ()  # the costs the running job computes
        self._sat_join: tuple | None = None  # (start, costs, shown) to start once the running job has stopped
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
            plot.setMinimumHeight(130)
            # no preferred height: in the side panel's scroll area the plots take the room there is,
            # instead of making the panel twice the window's height
            plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            self.sat_plots[cost] = plot
            self.sat_curves[cost] = plot.plot([], [], pen=pg.mkPen(colour, width=2))
            plots.addWidget(plot)
        v.addLayout(plots, 1)
        self.scale_note = rich_label(
            "<small>The two costs have different scales: for y = 0, quadratic C = ½a² is at most ½, "
            "cross-entropy C = −ln(1 − a) grows without bound; and the book's η is 30× smaller for "
            "cross-entropy. Compare how each curve starts (flat or steep) and the output a, "
            "not how high a curve ends.</small>")
        v.addWidget(self.scale_note)
        self.sat_label = rich_label()
        v.addWidget(self.sat_label)

    def run_saturation(self, cost: str) -> None:
        """Start a run of ``cost``; while the other cost's run goes, both continue side by side."""
        client = self.ctx.client
        start = self.sat_start.currentData()
        if self._sat_job is not None and client.current_job == self._sat_job:
            if cost in self._sat_costs:
                return  # it is running already
            # one job at a time: stop this one and run both in a new one, the first from where it is
            job_start = self.saturation_runs[self._sat_costs[0]].start if self.saturation_runs else start
            shown = {c: self.saturation_runs[c].last.epoch for c in self._sat_costs if c in self.saturation_runs}
            self._sat_join = (job_start, (*self._sat_costs, cost), shown)
            self.sat_curves[cost].setData([], [])
            self.saturation_runs.pop(cost, None)
            client.stop()
            return
        self.sat_curves[cost].setData([], [])
        self.saturation_runs.pop(cost, None)
        self._start(start, (cost,), {})

    def _start(self, start: str, costs: tuple, shown: dict) -> None:
        def failed(msg):
            self.sat_label.setText(error_html(msg))

        job = self.ctx.client.start_job("saturation demo", ij.saturation_job, start, costs, self.saturation_pace,
                                        shown, on_snapshot=self._on_saturation,
                                        on_finished=self._on_saturation_done, on_failed=failed)
        self._sat_job = job
        self._sat_costs = costs if job is not None else ()
        self.sat_start.setEnabled(job is None)  # both runs start from the same point
        if job is not None:
            self.sat_label.setText(f"Running {' and '.join(costs)}…")

    def stop_saturation(self) -> None:
        client = self.ctx.client
        self._sat_join = None
        if client.current_job is not None and client.current_job == self._sat_job:
            client.stop()

    def _on_saturation(self, snaps: tuple) -> None:
        lines = []
        for snap in snaps:
            self.saturation_runs[snap.cost] = snap
            recs = snap.records
            self.sat_curves[snap.cost].setData([r.epoch for r in recs], [r.cost for r in recs])
            r = snap.last
            lines.append(f"{snap.cost}, start {snap.start}: epoch {r.epoch}, w = {eqn.fmt(r.w)}, "
                         f"b = {eqn.fmt(r.b)}, output a = {eqn.fmt(r.a)}, C = {eqn.fmt(r.cost)}")
        self.sat_label.setText("<br>".join(lines))

    def _on_saturation_done(self, final) -> None:
        if final is not None:
            self._on_saturation(final)
        self._sat_job, self._sat_costs = None, ()
        self.sat_start.setEnabled(True)
        join, self._sat_join = self._sat_join, None
        if join is not None:
            self._start(*join)
