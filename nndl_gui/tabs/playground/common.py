"""What the playground's views share: colours, targets, the chapter link, plot and spin-box makers."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QWidget

from ... import chapter_url


CH4 = chapter_url(4)
BLUE, ORANGE, GREEN, GREY, RED = "#1f77b4", "#ff7f0e", "#2ca02c", "#888888", "#d62728"
H_LIMIT = 50.0
TARGET_ORDER = ["book", "sin", "abs", "step", "noisy", "drawn"]
TARGET_SHORT = {"book": "Book challenge f(x)", "sin": "Sine", "abs": "|x − ½|", "step": "Step",
                "noisy": "Noisy samples", "drawn": "Drawn with the mouse"}


def link_label(text: str, anchor: str = "") -> QLabel:
    label = QLabel(f'{text} <a href="{CH4}{anchor}">Read chapter 4 of the book</a>.')
    label.setWordWrap(True)
    label.setOpenExternalLinks(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def make_plot(title: str, xlabel: str = "x", ylabel: str = "", cls=pg.PlotWidget) -> pg.PlotWidget:
    p = cls()
    p.setTitle(title, size="10pt")
    p.setLabel("bottom", xlabel)
    if ylabel:
        p.setLabel("left", ylabel)
    p.showGrid(x=True, y=True, alpha=0.25)
    p.setMenuEnabled(False)
    p.getPlotItem().hideButtons()
    p.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
    for axis in ("left", "bottom"):
        p.getAxis(axis).enableAutoSIPrefix(False)
    return p


def add_legend(p):
    """A one-row legend at the top left (the plots leave headroom for it)."""
    return p.addLegend(offset=(10, 2), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 210),
                       colCount=3, verSpacing=-6)


def num(value: float, spec: str = ".4g") -> str:
    """``format(value, spec)`` that never shows "−0": a value that rounds to zero reads "0"."""
    text = format(float(value), spec)
    return format(0.0, spec) if float(text) == 0 else text


def spin_box(lo: float, hi: float, value: float, decimals: int = 3, step: float = 0.1, tip: str = "") -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setValue(value)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s


def side_panel(layout, width: int = 360) -> QWidget:
    """The controls column on the left of every view, at one fixed width."""
    panel = QWidget()
    panel.setLayout(layout)
    panel.setFixedWidth(width)
    return panel
