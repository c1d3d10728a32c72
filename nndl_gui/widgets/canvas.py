"""A square canvas to draw a digit on with the mouse or a tablet pen.

The drawing lives in a 280×280 grayscale QImage (white paper, black ink), ten times MNIST's 28×28,
shown scaled to the widget.  Stroke → image logic is in plain methods (``begin_stroke``,
``extend_stroke``, ``end_stroke``, ``undo``, ``clear``, ``set_background``) that tests call directly;
the mouse and tablet handlers only translate events into them.

Signals: ``changed`` while a stroke grows (the tab throttles it), ``finished`` when a stroke ends or the
picture changes at once (clear, undo, an example).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SIZE = 280  # canvas pixels per side
DEFAULT_PEN = 20.0  # pen width in canvas pixels (a 200-pixel digit then has MNIST-like strokes)


@dataclass
class Stroke:
    """One pen-down … pen-up: points in canvas pixels and the pen width (per point, for pressure)."""

    points: list[QPointF] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)


def qimage_to_array(image: QImage) -> np.ndarray:
    """A grayscale copy (H, W) uint8 of ``image``, read row by row honouring bytesPerLine() (rows are
    padded to 32 bits, so the buffer is not simply H×W)."""
    if image.format() != QImage.Format.Format_Grayscale8:
        image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    h, w, bpl = image.height(), image.width(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=h * bpl)
    return buf.reshape(h, bpl)[:, :w].copy()


def array_to_qimage(gray: np.ndarray) -> QImage:
    """A QImage (Grayscale8) holding a copy of (H, W) uint8 ``gray``."""
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = gray.shape
    image = QImage(gray.data, w, h, w, QImage.Format.Format_Grayscale8)
    return image.copy()  # detach from the NumPy buffer


class Canvas(QWidget):
    changed = Signal()  # the picture changed during a stroke
    finished = Signal()  # a stroke ended, or the picture changed at once (clear, undo, example)

    def __init__(self, parent: QWidget | None = None, size: int = SIZE):
        super().__init__(parent)
        self.size_px = size
        self.pen_width = DEFAULT_PEN
        self.strokes: list[Stroke] = []
        self.background: np.ndarray | None = None  # (size, size) uint8, e.g. an MNIST example
        self._current: Stroke | None = None
        self._image = QImage(size, size, QImage.Format.Format_Grayscale8)
        self._image.fill(255)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip("Draw one digit with the mouse or a pen.  Esc clears, Ctrl+Z undoes the last stroke.")

    # ------------------------------------------------------------------ plain methods (tested directly)
    def image(self) -> QImage:
        return self._image

    def to_array(self) -> np.ndarray:
        """The picture as (size, size) uint8, white paper (255) and dark ink."""
        return qimage_to_array(self._image)

    def is_blank(self) -> bool:
        return not self.strokes and self._current is None and self.background is None

    def set_pen_width(self, width: float) -> None:
        self.pen_width = float(min(max(width, 1.0), self.size_px / 4))

    def begin_stroke(self, p: QPointF, pressure: float = 1.0) -> None:
        self._current = Stroke([QPointF(p)], [self._width(pressure)])
        self.strokes.append(self._current)
        self._paint_segment(self._current, 0)
        self.update()
        self.changed.emit()

    def extend_stroke(self, p: QPointF, pressure: float = 1.0) -> None:
        s = self._current
        if s is None:
            return
        last = s.points[-1]
        if abs(p.x() - last.x()) + abs(p.y() - last.y()) < 0.5:
            return  # too small a move to matter
        s.points.append(QPointF(p))
        s.widths.append(self._width(pressure))
        self._paint_segment(s, len(s.points) - 1)
        self.update()
        self.changed.emit()

    def end_stroke(self) -> None:
        if self._current is None:
            return
        self._current = None
        self.finished.emit()

    def draw_stroke(self, points, pressure: float = 1.0) -> None:
        """A whole stroke at once (tests, scripted demos): points are (x, y) canvas pixels."""
        points = [QPointF(*p) if not isinstance(p, QPointF) else p for p in points]
        if not points:
            return
        self.begin_stroke(points[0], pressure)
        for p in points[1:]:
            self.extend_stroke(p, pressure)
        self.end_stroke()

    def undo(self) -> bool:
        """Remove the last stroke (or, with none left, the example underneath).  False if blank."""
        self._current = None
        if self.strokes:
            self.strokes.pop()
        elif self.background is not None:
            self.background = None
        else:
            return False
        self._render()
        self.finished.emit()
        return True

    def clear(self) -> None:
        self._current = None
        self.strokes.clear()
        self.background = None
        self._render()
        self.finished.emit()

    def set_background(self, gray: np.ndarray | None) -> None:
        """Start again from a picture (size, size) uint8 (dark ink on white), e.g. an MNIST digit."""
        if gray is not None:
            gray = np.asarray(gray, dtype=np.uint8)
            if gray.shape != (self.size_px, self.size_px):
                raise ValueError(f"the canvas is {self.size_px}×{self.size_px}, got a picture of {gray.shape}")
        self._current = None
        self.strokes.clear()
        self.background = None if gray is None else gray.copy()
        self._render()
        self.finished.emit()

    # ------------------------------------------------------------------ rendering into the image
    def _width(self, pressure: float) -> float:
        return self.pen_width * (0.4 + 0.6 * min(max(pressure, 0.0), 1.0)) if pressure < 1.0 else self.pen_width

    def _painter(self) -> QPainter:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        return painter

    def _paint_segment(self, s: Stroke, i: int, painter: QPainter | None = None) -> None:
        """Paint point i of stroke s: a round dot for the first point, else a smooth piece to it."""
        own = painter is None
        painter = painter or self._painter()
        pen = QPen(QColor(0, 0, 0), s.widths[i], Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if i == 0:
            painter.drawPoint(s.points[0])
        else:
            # a quadratic curve through the midpoints keeps fast strokes smooth instead of polygonal
            p0 = s.points[i - 2] if i >= 2 else s.points[i - 1]
            p1, p2 = s.points[i - 1], s.points[i]
            path = QPainterPath((p0 + p1) / 2 if i >= 2 else p1)
            path.quadTo(p1, (p1 + p2) / 2) if i >= 2 else path.lineTo((p1 + p2) / 2)
            path.lineTo(p2)
            painter.drawPath(path)
        if own:
            painter.end()

    def _render(self) -> None:
        """Redraw everything: the background picture, then every stroke."""
        if self.background is not None:
            self._image = array_to_qimage(self.background)
        else:
            self._image = QImage(self.size_px, self.size_px, QImage.Format.Format_Grayscale8)
            self._image.fill(255)
        painter = self._painter()
        for s in self.strokes:
            for i in range(len(s.points)):
                self._paint_segment(s, i, painter)
        painter.end()
        self.update()

    # ------------------------------------------------------------------ widget
    def sizeHint(self) -> QSize:
        return QSize(self.size_px + 140, self.size_px + 140)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        return w

    def target_rect(self) -> QRectF:
        """Where the image is shown: the largest centred square."""
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_canvas(self, pos: QPointF) -> QPointF:
        r = self.target_rect()
        scale = self.size_px / r.width()
        return QPointF((pos.x() - r.left()) * scale, (pos.y() - r.top()) * scale)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        r = self.target_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(r, self._image)
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.drawRect(r)
        if self.is_blank():
            painter.setPen(QColor(160, 160, 160))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.4)
            painter.setFont(font)
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, "Draw a digit here\n(0 to 9)")
        painter.end()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke(self.to_canvas(event.position()))
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._current is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.extend_stroke(self.to_canvas(event.position()))
            event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self.extend_stroke(self.to_canvas(event.position()))
            self.end_stroke()
            event.accept()

    def tabletEvent(self, event) -> None:
        """A pen: pressure sets the width (light touch: 40% of the pen width)."""
        p = self.to_canvas(event.position())
        kind = event.type()
        if kind == event.Type.TabletPress:
            self.begin_stroke(p, event.pressure())
        elif kind == event.Type.TabletMove and self._current is not None:
            self.extend_stroke(p, event.pressure())
        elif kind == event.Type.TabletRelease and self._current is not None:
            self.end_stroke()
        event.accept()
