"""A pyqtgraph plot the learner can draw on: drag across it to set bump heights or to draw a target.

The mouse position goes through the ViewBox (``mapSceneToView``) into data coordinates (x, y) and is
emitted; what a stroke means is decided by plain functions (``bump_index``, ``sweep_heights``) that the
tests call directly.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal


def bump_index(x: float, n: int) -> int:
    """Which of N evenly spaced bumps on [0, 1] contains x (clamped to 0..N−1)."""
    return int(min(max(np.floor(x * n), 0), n - 1))


def sweep_heights(h: np.ndarray, p0: tuple[float, float] | None, p1: tuple[float, float],
                  limit: float = 50.0) -> np.ndarray:
    """New heights after the mouse moved from p0 to p1 (data coordinates) during a drag.

    The bump under p1 gets height y1; when the mouse skipped over bumps since p0, each bump whose centre
    lies between x0 and x1 gets the linearly interpolated height, so a quick sweep draws the whole curve.
    Heights are clipped to ±limit.  Returns a new array.
    """
    h = np.array(h, dtype=np.float64)
    n = len(h)
    x1, y1 = p1
    if p0 is not None:
        x0, y0 = p0
        if x0 != x1:
            centres = (np.arange(n) + 0.5) / n
            lo, hi = min(x0, x1), max(x0, x1)
            between = (centres >= lo) & (centres <= hi)
            h[between] = y0 + (centres[between] - x0) * (y1 - y0) / (x1 - x0)
    h[bump_index(x1, n)] = y1  # the bump under the mouse follows it exactly
    return np.clip(h, -limit, limit)


class DrawPlot(pg.PlotWidget):
    """A PlotWidget whose left-button drags are reported in data coordinates (pan/zoom are off)."""

    stroke = Signal(float, float, bool)  # x, y, first point of a stroke?
    strokeEnded = Signal()

    def __init__(self, parent=None, **kwargs):
        super().__init__(parent, **kwargs)
        self.drawing_enabled = True
        self._down = False
        vb = self.getPlotItem().getViewBox()
        vb.setMouseEnabled(x=False, y=False)
        vb.setMenuEnabled(False)
        self.getPlotItem().hideButtons()
        self.setCursor(Qt.CursorShape.CrossCursor)

    def to_data(self, pos: QPointF) -> tuple[float, float]:
        """Widget coordinates → data coordinates, through the ViewBox."""
        p = self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(pos.toPoint()))
        return float(p.x()), float(p.y())

    def mousePressEvent(self, ev):
        if self.drawing_enabled and ev.button() == Qt.MouseButton.LeftButton:
            self._down = True
            self.stroke.emit(*self.to_data(ev.position()), True)
            ev.accept()
            return
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev):
        if self._down and self.drawing_enabled:
            self.stroke.emit(*self.to_data(ev.position()), False)
            ev.accept()
            return
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev):
        if self._down and ev.button() == Qt.MouseButton.LeftButton:
            self._down = False
            self.strokeEnded.emit()
            ev.accept()
            return
        super().mouseReleaseEvent(ev)
