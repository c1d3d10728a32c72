"""The playground's "Windows of failure" view: where steep sigmoids are not yet steps, and how
summing shifted copies shrinks the error.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGridLayout, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ...engine import approx as A
from ...jobs import playground as jobs
from ...latest import LatestTask
from .bumps import BumpsView
from .common import BLUE, GREY, ORANGE, add_legend, link_label, make_plot, side_panel, spin_box


class WindowsView(QWidget):
    """Windows of failure near each step, and the book's fix: M shifted copies of σ⁻¹∘f / M summed."""

    def __init__(self, ctx, bumps: BumpsView, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.bumps = bumps
        self.result: jobs.WindowsResult | None = None
        self._latest = LatestTask(ctx.client, self._show)
        self.n_spin = QSpinBox()
        self.n_spin.setRange(2, A.MAX_BUMPS)
        self.n_spin.setValue(10)
        self.n_spin.setToolTip("N bumps of each copy.")
        self.w_spin = spin_box(5, 1000, 150, 0, 10, "The hidden weight w. Smaller w → softer steps → wider windows of failure.")
        self.m_spin = QSpinBox()
        self.m_spin.setRange(1, 8)
        self.m_spin.setValue(3)
        self.m_spin.setToolTip("M: how many copies of the approximation of σ⁻¹∘f / M are summed, each shifted by 1/(MN).")
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 9)
        self.k_spin.setValue(5)
        self.k_spin.setToolTip("Which step to zoom on: the one at x = k/N.")
        for s in (self.n_spin, self.m_spin, self.k_spin):
            s.setKeyboardTracking(False)
            s.valueChanged.connect(self.request)
        self.w_spin.valueChanged.connect(self.request)
        form = QFormLayout()
        form.addRow("bumps N", self.n_spin)
        form.addRow("weight w", self.w_spin)
        form.addRow("copies M", self.m_spin)
        form.addRow("zoom on step k", self.k_spin)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.target_label = QLabel()
        self.target_label.setWordWrap(True)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.target_label)
        left.addWidget(self.stats)
        left.addWidget(link_label(
            "σ(wx + b) is not a true step: within about 1/w of each step the weighted output is neither bump "
            "value. The book's fix sums M copies of the approximation of σ⁻¹∘f / M, shifted so that at any x at "
            "most one copy is in its window of failure.", "#fixing_up_the_step_functions"))
        left.addStretch(1)
        leftw = side_panel(left)

        self.full = make_plot("weighted output z (shaded: zoom)", "x", "z")
        add_legend(self.full)
        self.g_full = self.full.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine), name="σ⁻¹(f(x))")
        self.z1_full = self.full.plot(pen=pg.mkPen(BLUE, width=2), name="1 copy")
        self.zm_full = self.full.plot(pen=pg.mkPen(ORANGE, width=2), name="M copies")
        self.region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(0, 0, 0, 25))
        self.full.addItem(self.region)
        self.zoom = make_plot("zoom on one step", "x", "z")
        self.g_zoom = self.zoom.plot(pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine))
        self.z1_zoom = self.zoom.plot(pen=pg.mkPen(BLUE, width=2.5))
        self.zm_zoom = self.zoom.plot(pen=pg.mkPen(ORANGE, width=2.5))
        self.ideal_zoom = self.zoom.plot(pen=pg.mkPen("k", width=1.2, style=Qt.PenStyle.DotLine))
        self.err = make_plot("error |σ⁻¹(f(x)) − weighted output|", "x", "error")
        add_legend(self.err)
        self.e1 = self.err.plot(pen=pg.mkPen(BLUE, width=1.5), name="1 copy")
        self.em = self.err.plot(pen=pg.mkPen(ORANGE, width=1.5), name="M copies")
        grid = QGridLayout()
        grid.addWidget(self.full, 0, 0)
        grid.addWidget(self.zoom, 0, 1)
        grid.addWidget(self.err, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(leftw)
        layout.addLayout(grid, 1)

    def request(self, *_):
        n = self.n_spin.value()
        self.k_spin.setMaximum(n - 1)
        target = self.bumps.target
        self.target_label.setText(f"Target (from “Bumps & the challenge”): {target.label}.")
        self._latest.request(jobs.windows_task, target, n, self.m_spin.value(), self.w_spin.value())

    def _show(self, r: jobs.WindowsResult) -> None:
        self.result = r
        d = r.data
        x = d["x"]
        for g, z1, zm in ((self.g_full, self.z1_full, self.zm_full), (self.g_zoom, self.z1_zoom, self.zm_zoom)):
            g.setData(x, d["g"])
            z1.setData(x, d["z1"])
            zm.setData(x, d["zM"])
        self.ideal_zoom.setData(x, d["z1_ideal"])
        self.e1.setData(x, d["err1"])
        self.em.setData(x, d["errM"])
        top = float(max(d["err1"].max(), d["errM"].max(), 0.1))
        self.err.setYRange(0, 1.25 * top, padding=0)  # headroom for the legend
        lo = float(min(d["g"].min(), d["z1"].min(), d["zM"].min()))
        hi = float(max(d["g"].max(), d["z1"].max(), d["zM"].max()))
        self.full.setYRange(lo - 0.05 * (hi - lo), hi + 0.25 * (hi - lo), padding=0)
        self.full.setXRange(0, 1, padding=0.02)
        k = min(self.k_spin.value(), r.n - 1)
        s = k / r.n
        half = 0.75 / r.n
        lo, hi = max(s - half, 0), min(s + half, 1)
        self.region.setRegion((lo, hi))
        self.zoom.setXRange(lo, hi, padding=0)
        inside = (x >= lo) & (x <= hi)
        vals = np.concatenate([d["g"][inside], d["z1"][inside], d["zM"][inside]])
        pad = 0.1 * (vals.max() - vals.min() + 1e-3)
        self.zoom.setYRange(vals.min() - pad, vals.max() + pad, padding=0)
        self.zoom.setTitle(f"step at x = {k}/{r.n}; dotted: true steps",
                           size="10pt")
        self.stats.setText(
            f"Largest error for 0.02 ≤ x ≤ 0.98:<br><b style='color:{BLUE}'>1 copy: {d['max1']:.3f}</b> &nbsp; "
            f"<b style='color:{ORANGE}'>{r.copies} copies: {d['maxM']:.3f}</b><br>"
            f"Largest gap between 1 copy and its true-step version (the window of failure): "
            f"<b>{d['window1']:.3f}</b><br>"
            f"Mean error: 1 copy {d['mean1']:.3f}, {r.copies} copies {d['meanM']:.3f}<br>"
            f"<small>{r.copies} × {2 * r.n}+ hidden neurons, w = {r.w:g}.</small>")

    def close_requests(self):
        self._latest.close()
