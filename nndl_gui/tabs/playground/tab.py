"""The Approximation playground tab: chapter 4's visual proof that neural nets can compute any function.

Four views: One neuron, Bumps & the challenge, Windows of failure, Two inputs.  The tab owns only the
design (w, b, the bump heights h, ...); every curve it draws is computed on the engine worker by real
networks (nndl_gui.engine.approx through nndl_gui.jobs.playground) and arrives as a snapshot.  Rapid
slider and drag updates are coalesced: only the newest request is computed and drawn.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout

from ...engine import approx as A
from ...settings import TabSettings
from ..base import Tab
from .bumps import BumpsView
from .common import CH4
from .neuron import NeuronView
from .two_inputs import TwoInputView
from .windows import WindowsView


class PlaygroundTab(Tab):
    title = "Approximation playground"
    chapter = 4

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        header = QLabel(
            "<b>A visual proof that neural nets can compute any function</b> — build functions from "
            "sigmoid steps and bumps; every curve is computed by a real network in the engine. "
            f'<a href="{CH4}">Chapter 4 of the book</a>.')
        header.setOpenExternalLinks(True)
        header.setWordWrap(True)
        self.views = QTabWidget()
        self.neuron = NeuronView(ctx.client)
        self.bumps = BumpsView(ctx)
        self.windows = WindowsView(ctx, self.bumps)
        self.two = TwoInputView(ctx)
        self.views.addTab(self.neuron, "One neuron")
        self.views.addTab(self.bumps, "Bumps && the challenge")
        self.views.addTab(self.windows, "Windows of failure")
        self.views.addTab(self.two, "Two inputs")
        self.views.currentChanged.connect(self._on_view)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.views, 1)
        self.windows.request()
        self.two.request()

    def _on_view(self, index: int) -> None:
        if self.views.widget(index) is self.windows:
            self.windows.request()  # the target may have changed on the bumps page

    # ---------------------------------------------------------------- settings
    def save_settings(self, s: TabSettings) -> None:
        s.set("view", self.views.currentIndex())
        s.set("w", self.neuron.w_spin.value())
        s.set("b", self.neuron.b_spin.value())
        s.set("step_mode", self.neuron.step_mode.isChecked())
        kind = self.bumps.target.kind
        s.set("target", kind if kind != "drawn" else "book")
        s.set("h", ",".join(f"{v:.6g}" for v in self.bumps.h))
        s.set("eta", self.bumps.eta_spin.value())
        s.set("two_mode", self.two.mode_box.currentText())

    def restore_settings(self, s: TabSettings) -> None:
        self.neuron.w_spin.setValue(s.get("w", self.neuron.w_spin.value()))
        self.neuron.b_spin.setValue(s.get("b", self.neuron.b_spin.value()))
        self.neuron.step_mode.setChecked(s.get("step_mode"))
        kind = s.get("target", "")
        if kind:
            self.bumps.set_target(A.noisy_target() if kind == "noisy" else A.Target(kind))
        text = s.get("h", "")
        if text:
            try:
                h = np.array([float(t) for t in text.split(",")])
                if 1 <= len(h) <= A.MAX_BUMPS and np.all(np.isfinite(h)):
                    self.bumps.set_heights(h, rerange=True)
            except ValueError:
                pass
        self.bumps.eta_spin.setValue(s.get("eta", self.bumps.eta_spin.value()))
        mode = s.get("two_mode", "")
        if mode:
            self.two.mode_box.setCurrentText(mode)
        self.views.setCurrentIndex(s.get("view"))

    def shutdown(self) -> None:
        for view in (self.neuron, self.bumps, self.windows, self.two):
            view.close_requests()
