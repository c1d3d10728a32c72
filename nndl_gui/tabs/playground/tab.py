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
from ..base import Tab, float_setting, int_setting
from .bumps import BumpsView
from .common import CH4, TARGET_ORDER
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
    def save_settings(self, s) -> None:
        s.setValue("view", self.views.currentIndex())
        s.setValue("w", self.neuron.w_spin.value())
        s.setValue("b", self.neuron.b_spin.value())
        s.setValue("step_mode", int(self.neuron.step_mode.isChecked()))
        kind = self.bumps.target.kind
        s.setValue("target", kind if kind != "drawn" else "book")
        s.setValue("h", ",".join(f"{v:.6g}" for v in self.bumps.h))
        s.setValue("eta", self.bumps.eta_spin.value())
        s.setValue("two_mode", self.two.mode_box.currentText())

    def restore_settings(self, s) -> None:
        self.neuron.w_spin.setValue(float_setting(s, "w", self.neuron.w_spin.value()))
        self.neuron.b_spin.setValue(float_setting(s, "b", self.neuron.b_spin.value()))
        self.neuron.step_mode.setChecked(bool(int_setting(s, "step_mode", 0)))
        kind = s.value("target")
        if kind in TARGET_ORDER and kind != "drawn":
            self.bumps.set_target(A.noisy_target() if kind == "noisy" else A.Target(kind))
        text = s.value("h")
        if isinstance(text, str) and text:
            try:
                h = np.array([float(t) for t in text.split(",")])
                if 1 <= len(h) <= A.MAX_BUMPS and np.all(np.isfinite(h)):
                    self.bumps.set_heights(h, rerange=True)
            except ValueError:
                pass
        self.bumps.eta_spin.setValue(float_setting(s, "eta", self.bumps.eta_spin.value()))
        mode = s.value("two_mode")
        if mode in A.TWO_D_MODES:
            self.two.mode_box.setCurrentText(mode)
        view = int_setting(s, "view", 0)
        if 0 <= view < self.views.count():
            self.views.setCurrentIndex(view)

    def shutdown(self) -> None:
        for view in (self.neuron, self.bumps, self.windows, self.two):
            view.close_requests()
