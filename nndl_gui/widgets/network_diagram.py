"""A network drawn neuron by neuron: circles coloured by a chosen quantity, weights as lines.

``NetworkDiagram`` paints one ``engine.trace.Trace`` (with the float64 network it came from) using
QPainter.  It computes nothing: every number comes from the trace it was given.

* Neurons are circles coloured by z, a, σ'(z) or δ (``set_quantity``) with a colour bar; small networks
  also print the value inside each circle.  A value that the step-by-step walk has not computed yet is
  drawn as a grey "?" (``set_known``).
* Weights are lines coloured by sign (red +, blue −) with width by |w| (or by ∂C/∂w, ``set_weight_mode``).
  Between wide layers (more than ``DENSE_PAIRS`` pairs) only each neuron's ``STRONGEST`` largest incoming
  lines are drawn, plus every line of the selected neuron: the rest would be a tangle (``drawn_pairs``).
* A 784-input layer is drawn as the 28×28 image it is, joined to layer 2 by one arrow (784 × n weights
  are no lines anyone can read); when a neuron of layer 2 is selected its 784 incoming weights are shown
  as a second 28×28 image beneath.  Layers wider than ``MAX_SHOWN`` are capped with a
  note; the widget asks for the height it needs so a QScrollArea can scroll it.
* Clicking a neuron emits ``neuronClicked(l, j)``; clicking a weight ``weightClicked(l, j, k)`` (w^l_jk).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from .numbers import MINUS, times_ten

MAX_SHOWN = 40  # neurons drawn per layer; wider layers show the first MAX_SHOWN with a note
MIN_SPACING = 18.0  # pixels between neuron centres at the least
MAX_LINES = 2500  # draw weight lines only between layers with at most this many shown pairs
DENSE_PAIRS = 120  # above this many shown pairs, draw only the strongest lines into each neuron
STRONGEST = 3  # lines drawn into each neuron between dense layers
QUANTITIES = {  # key: (trace attribute, label in the book's notation, diverging colours?)
    "z": ("z", "z<sup>l</sup><sub>j</sub>", True),
    "a": ("a", "a<sup>l</sup><sub>j</sub>", False),
    "sp": ("sigma_prime", "σ′(z<sup>l</sup><sub>j</sub>)", False),
    "delta": ("delta", "δ<sup>l</sup><sub>j</sub>", True),
}
PLAIN = {"z": "z", "a": "a", "sp": "σ′(z)", "delta": "δ"}
NEG = QColor(33, 102, 172)
POS = QColor(178, 24, 43)
SEQ = QColor(45, 35, 120)
SELECT = QColor(255, 140, 0)
HIGHLIGHT = QColor(255, 236, 150)


def _mix(c: QColor, t: float) -> QColor:
    """White blended towards c by t in [0, 1]."""
    t = min(max(t, 0.0), 1.0)
    return QColor(round(255 + (c.red() - 255) * t), round(255 + (c.green() - 255) * t),
                  round(255 + (c.blue() - 255) * t))


def diverging(v: float, scale: float) -> QColor:
    if scale <= 0 or not math.isfinite(v):
        return QColor(255, 255, 255)
    return _mix(POS if v > 0 else NEG, abs(v) / scale)


def sequential(v: float, scale: float) -> QColor:
    if scale <= 0 or not math.isfinite(v):
        return QColor(255, 255, 255)
    return _mix(SEQ, v / scale)


def short(v: float) -> str:
    """Numbers inside circles: 2 decimals, or one significant digit × 10ⁿ; a real minus sign."""
    if v == 0:
        s = "0.00"
    elif 0.01 <= abs(v) < 100:
        s = f"{v:.2f}"
    else:  # 0.0003 → 3×10⁻⁴: fits in a circle
        return times_ten(v, 0)
    return s.replace("-", MINUS)


def _smaller(font: QFont) -> QFont:
    f = QFont(font)
    f.setPointSizeF(font.pointSizeF() - 1.0)
    return f


class NetworkDiagram(QWidget):
    neuronClicked = Signal(int, int)  # l (1..L), j
    weightClicked = Signal(int, int, int)  # l (2..L), j, k  → w^l_jk

    def __init__(self, parent=None):
        super().__init__(parent)
        self.net = None
        self.trace = None
        self.quantity = "a"
        self.weight_mode = "w"  # "w" or "nabla_w"
        self._known = lambda quantity, l: True
        self.highlight_layers: tuple[int, ...] = ()
        self.selection: tuple | None = None  # ("neuron", l, j) or ("weight", l, j, k)
        self.setMouseTracking(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 260)
        self.setToolTip("Click a neuron for z, a, σ′(z), δ and ∂C/∂b; click a weight line for ∂C/∂w.")

    # ------------------------------------------------------------------ state
    def set_data(self, net, trace) -> None:
        self.net, self.trace = net, trace
        self.updateGeometry()
        self.setMinimumHeight(self._needed_height())
        self.update()

    def set_quantity(self, quantity: str) -> None:
        if quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}")
        self.quantity = quantity
        self.update()

    def set_weight_mode(self, mode: str) -> None:
        self.weight_mode = mode
        self.update()

    def set_known(self, fn) -> None:
        """fn(quantity, l) → bool: has the walk computed that quantity of layer l yet?"""
        self._known = fn
        self.update()

    def set_highlight(self, layers) -> None:
        self.highlight_layers = tuple(layers)
        self.update()

    def set_selection(self, selection) -> None:
        self.selection = selection
        self.update()

    # ------------------------------------------------------------------ what is drawn (testable)
    def shown(self, l: int) -> int:
        """How many neurons of layer l are drawn as circles (0 for a 784-pixel image layer)."""
        n = self.net.sizes[l - 1]
        if l == 1 and n == 784:
            return 0
        return min(n, MAX_SHOWN)

    def layer_values(self, l: int) -> np.ndarray | None:
        """The current quantity for layer l, straight from the trace (None if it has none or it is
        not computed yet in the walk)."""
        attr = QUANTITIES[self.quantity][0]
        lay = self.trace.layer(l)
        values = getattr(lay, attr)
        if values is None or not self._known(self.quantity, l):
            return None
        return values

    def circle_values(self, l: int):
        """(values, coloured) drawn in layer l's circles: the quantity (coloured), the input x in neutral
        circles for the input layer when the quantity has no value there, or (None, False) for "?"."""
        vals = self.layer_values(l)
        if vals is None and l == 1:
            return self.trace.layer(1).a, False
        return vals, vals is not None

    def displayed_values(self) -> dict[tuple[int, int], float | None]:
        """{(l, j): value} for every circle drawn; None where a grey "?" is drawn."""
        out = {}
        for l in range(1, self.net.num_layers + 1):
            vals, _ = self.circle_values(l)
            for j in range(self.shown(l)):
                out[(l, j)] = None if vals is None else float(vals[j])
        return out

    def scale(self) -> float:
        """Colour scale: 1 for a, 0.25 for σ′, else the largest |value| drawn."""
        if self.quantity == "a":
            return 1.0
        if self.quantity == "sp":
            return 0.25
        vals = [float(np.abs(v[: self.shown(l)]).max()) for l in range(1, self.net.num_layers + 1)
                if self.shown(l) and (v := self.layer_values(l)) is not None]
        return max(vals) if vals else 0.0

    def capped_note(self, l: int) -> str:
        n = self.net.sizes[l - 1]
        if self.shown(l) == 0:
            return "28×28 image"
        return f"showing {self.shown(l)} of {n}" if self.shown(l) < n else ""

    # ------------------------------------------------------------------ geometry
    def sizeHint(self) -> QSize:
        return QSize(640, 420)

    def _needed_height(self) -> int:
        if self.net is None:
            return 260
        n = max([self.shown(l) for l in range(1, self.net.num_layers + 1)] + [1])
        return int(max(260, n * MIN_SPACING + 110))

    def _layout(self):
        """Positions: {(l, j): centre}, radius, {l: x}, input image rect or None, weight image rect."""
        w, h = self.width() - 120, self.height()  # room on the right for output labels and the colour bar
        top, bottom = 66, 40
        L = self.net.num_layers
        xs = {l: 60 + (w - 120) * (l - 1) / max(L - 1, 1) for l in range(1, L + 1)}
        image_rect = weights_rect = None
        if self.shown(1) == 0:
            side = min(200.0, (h - top - bottom - 20) / 2, (w - 120) / max(L - 1, 1) * 0.7)
            side = max(side, 84.0)
            xs[1] = 20 + side / 2
            for l in range(2, L + 1):
                xs[l] = xs[1] + side / 2 + 90 + (w - xs[1] - side / 2 - 150) * (l - 2) / max(L - 2, 1)
            image_rect = QRectF(xs[1] - side / 2, top + 10, side, side)
            weights_rect = QRectF(xs[1] - side / 2, top + side + 40, side, side)
        n_max = max(self.shown(l) for l in range(1, L + 1))
        radius = min(26.0, 0.4 * min(100.0, max(MIN_SPACING, (h - top - bottom) / max(n_max, 1))))
        pos = {}
        for l in range(1, L + 1):
            n = self.shown(l)
            spacing = min(100.0, max(MIN_SPACING, (h - top - bottom) / max(n, 1)), 5 * radius)
            y0 = top + (h - top - bottom - spacing * (n - 1)) / 2
            for j in range(n):
                pos[(l, j)] = QPointF(xs[l], y0 + spacing * j)
        return pos, radius, xs, image_rect, weights_rect

    def _weight_pairs(self, l: int) -> bool:
        return self.shown(l - 1) > 0 and self.shown(l - 1) * self.shown(l) <= MAX_LINES

    def _line_matrix(self, l: int) -> np.ndarray:
        """What the lines into layer l show: w^l, or ∂C/∂w^l in gradient mode."""
        return self.trace.layer(l).nabla_w if self.weight_mode == "nabla_w" else self.net.weights[l - 2]

    def drawn_pairs(self, l: int) -> list[tuple[int, int]]:
        """The (j, k) lines drawn into layer l: all of them between small layers; between dense ones
        each neuron's STRONGEST largest |value| and every line of the selected neuron."""
        nj, nk = self.shown(l), self.shown(l - 1)
        if not self._weight_pairs(l):
            return []
        if nj * nk <= DENSE_PAIRS:
            return [(j, k) for j in range(nj) for k in range(nk)]
        sub = np.abs(self._line_matrix(l)[:nj, :nk])
        top = np.argsort(-sub, axis=1, kind="stable")[:, :STRONGEST]
        pairs = {(j, int(k)) for j in range(nj) for k in top[j]}
        s = self.selection
        if s is not None and s[0] == "neuron" and s[1] == l and s[2] < nj:
            pairs.update((s[2], k) for k in range(nk))
        elif s is not None and s[0] == "neuron" and s[1] == l - 1 and s[2] < nk:
            pairs.update((j, s[2]) for j in range(nj))
        elif s is not None and s[0] == "weight" and s[1] == l and s[2] < nj and s[3] < nk:
            pairs.add((s[2], s[3]))
        return sorted(pairs)

    def dense(self, l: int) -> bool:
        return self._weight_pairs(l) and self.shown(l) * self.shown(l - 1) > DENSE_PAIRS

    # ------------------------------------------------------------------ input
    def mousePressEvent(self, event) -> None:
        if self.net is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        hit = self.hit(event.position())
        if hit is None:
            return
        if hit[0] == "neuron":
            self.neuronClicked.emit(hit[1], hit[2])
        else:
            self.weightClicked.emit(hit[1], hit[2], hit[3])

    def hit(self, p: QPointF):
        """What is under point p: ("neuron", l, j), ("weight", l, j, k) or None."""
        pos, r, xs, image_rect, weights_rect = self._layout()
        for (l, j), c in pos.items():
            if (p.x() - c.x()) ** 2 + (p.y() - c.y()) ** 2 <= (r + 2) ** 2:
                return ("neuron", l, j)
        if image_rect is not None and image_rect.contains(p):
            col = int((p.x() - image_rect.left()) / image_rect.width() * 28)
            row = int((p.y() - image_rect.top()) / image_rect.height() * 28)
            return ("neuron", 1, min(row, 27) * 28 + min(col, 27))
        if weights_rect is not None and weights_rect.contains(p) and self._selected_l2_neuron() is not None:
            col = int((p.x() - weights_rect.left()) / weights_rect.width() * 28)
            row = int((p.y() - weights_rect.top()) / weights_rect.height() * 28)
            return ("weight", 2, self._selected_l2_neuron(), min(row, 27) * 28 + min(col, 27))
        best, best_d = None, 5.0
        for l in range(2, self.net.num_layers + 1):
            for j, k in self.drawn_pairs(l):  # only lines one can see can be clicked
                d = _segment_distance(p, pos[(l - 1, k)], pos[(l, j)])
                if d < best_d:
                    best, best_d = ("weight", l, j, k), d
        return best

    def _selected_l2_neuron(self):
        s = self.selection
        if s is None:
            return None
        if s[0] == "neuron" and s[1] == 2:
            return s[2]
        if s[0] == "weight" and s[1] == 2:
            return s[2]
        return None

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        if self.net is None or self.trace is None:
            p.setPen(QColor(90, 90, 90))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Choose a network and an example.")
            return
        pos, r, xs, image_rect, weights_rect = self._layout()
        L = self.net.num_layers
        scale = self.scale()
        diverge = QUANTITIES[self.quantity][2]
        # highlighted columns (what the current step computes)
        for l in self.highlight_layers:
            if self.shown(l):
                ys = [pos[(l, j)].y() for j in range(self.shown(l))]
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(HIGHLIGHT)
                p.drawRoundedRect(QRectF(xs[l] - r - 10, min(ys) - r - 10, 2 * r + 20, max(ys) - min(ys) + 2 * r + 20), 10, 10)
        # weights
        for l in range(2, L + 1):
            if self._weight_pairs(l):
                self._draw_weights(p, l, pos)
            elif self.shown(l - 1) == 0:  # from the image: one arrow stands for the 784 × n weights
                self._draw_image_arrow(p, image_rect, pos, r, l)
        # input image and the selected neuron's incoming weights
        if image_rect is not None:
            self._draw_image(p, image_rect, self.trace.layer(1).a, None)
            p.setPen(QColor(40, 40, 40))
            p.drawText(QRectF(image_rect.left() - 20, image_rect.top() - 22, image_rect.width() + 40, 18),
                       Qt.AlignmentFlag.AlignCenter, "a¹ = x (784 pixels)")
            j2 = self._selected_l2_neuron()
            if j2 is not None:
                wrow = self.net.weights[0][j2]
                self._draw_image(p, weights_rect, wrow, float(np.abs(wrow).max()) or 1.0)
                p.drawText(QRectF(weights_rect.left() - 30, weights_rect.top() - 20, weights_rect.width() + 60, 18),
                           Qt.AlignmentFlag.AlignCenter, f"incoming weights w²{_subscript(j2)}ₖ")
                if self.selection[0] == "weight":
                    k = self.selection[3]
                    cell = weights_rect.width() / 28
                    p.setPen(QPen(SELECT, 2))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(QRectF(weights_rect.left() + (k % 28) * cell, weights_rect.top() + (k // 28) * cell, cell, cell))
            else:
                p.setPen(QColor(110, 110, 110))
                p.drawText(QRectF(4, weights_rect.top(), weights_rect.right() + 26, weights_rect.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                           "Select a neuron of layer 2 to see its 784 incoming weights here.")
            if self.selection and self.selection[0] == "neuron" and self.selection[1] == 1:
                k = self.selection[2]
                cell = image_rect.width() / 28
                p.setPen(QPen(SELECT, 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(image_rect.left() + (k % 28) * cell, image_rect.top() + (k // 28) * cell, cell, cell))
        # neurons
        font = QFont(self.font())
        font.setPointSizeF(7.5 if r < 22 else 8.0)
        p.setFont(font)
        for l in range(1, L + 1):
            vals, coloured = self.circle_values(l)
            for j in range(self.shown(l)):
                c = pos[(l, j)]
                sel = self.selection is not None and self.selection[0] == "neuron" and self.selection[1:] == (l, j)
                if vals is None:
                    p.setBrush(QColor(232, 232, 232))
                    p.setPen(QPen(QColor(150, 150, 150), 1, Qt.PenStyle.DashLine))
                elif not coloured:
                    p.setBrush(QColor(245, 245, 240))
                    p.setPen(QPen(QColor(120, 120, 120), 1))
                else:
                    v = float(vals[j])
                    p.setBrush(diverging(v, scale) if diverge else sequential(v, scale))
                    p.setPen(QPen(QColor(60, 60, 60), 1))
                if sel:
                    p.setPen(QPen(SELECT, 4))
                p.drawEllipse(c, r, r)
                if r >= 14:
                    if vals is None:
                        text, dark = "?", False
                    else:
                        v = float(vals[j])
                        t = abs(v) / scale if scale > 0 and coloured else 0
                        text, dark = short(v), t > 0.55
                    p.setPen(QColor("white") if dark else QColor(20, 20, 20))
                    wide = p.fontMetrics().horizontalAdvance(text) > 1.7 * r  # −1×10⁻³: a size smaller
                    if wide:
                        p.setFont(_smaller(font))
                    p.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, text)
                    if wide:
                        p.setFont(font)
        # output neuron numbers j (for MNIST: the digit)
        p.setFont(self.font())
        p.setPen(QColor(60, 60, 60))
        for j in range(self.shown(L)):
            c = pos[(L, j)]
            p.drawText(QRectF(c.x() + r + 4, c.y() - 9, 40, 18), Qt.AlignmentFlag.AlignVCenter, f"j = {j}")
        # layer titles and notes
        bold = QFont(self.font())
        bold.setBold(True)
        for l in range(1, L + 1):
            name = "input" if l == 1 else ("output" if l == L else "hidden")
            if l == 1 and image_rect is not None:
                continue
            p.setFont(bold)
            p.setPen(QColor(30, 30, 30))
            p.drawText(QRectF(xs[l] - 70, 8, 140, 18), Qt.AlignmentFlag.AlignCenter,
                       f"{'L' if l == L else 'l'} = {l} ({name})")
            p.setFont(self.font())
            note = self.capped_note(l)
            p.setPen(QColor(100, 100, 100))
            p.drawText(QRectF(xs[l] - 70, 26, 140, 16), Qt.AlignmentFlag.AlignCenter, f"{self.net.sizes[l - 1]} neurons")
            if note:
                p.setPen(QColor(150, 60, 0))
                p.drawText(QRectF(xs[l] - 70, 42, 140, 16), Qt.AlignmentFlag.AlignCenter, f"(first {self.shown(l)} shown)")
            if l >= 2 and self.dense(l):
                p.setPen(QColor(100, 100, 100))
                p.drawText(QRectF((xs[l - 1] + xs[l]) / 2 - 140, self.height() - 22, 280, 16), Qt.AlignmentFlag.AlignCenter,
                           f"{STRONGEST} strongest lines per neuron")
        self._draw_colour_bar(p, scale, diverge)
        p.end()

    def _draw_image_arrow(self, p: QPainter, image_rect: QRectF, pos, r: float, l: int) -> None:
        ys = [pos[(l, j)].y() for j in range(self.shown(l))]
        x0, x1 = image_rect.right() + 6, pos[(l, 0)].x() - r - 14
        y = image_rect.center().y()
        p.setPen(QPen(QColor(150, 150, 150), 1))
        p.drawLine(QPointF(x1 + 6, min(ys)), QPointF(x1 + 6, max(ys)))  # a bracket: into every neuron
        p.setPen(QPen(QColor(120, 120, 120), 2))
        p.drawLine(QPointF(x0, y), QPointF(x1, y))
        p.setBrush(QColor(120, 120, 120))
        p.drawPolygon([QPointF(x1 + 4, y), QPointF(x1 - 4, y - 5), QPointF(x1 - 4, y + 5)])
        p.setPen(QColor(90, 90, 90))
        mid = (x0 + x1) / 2
        p.drawText(QRectF(mid - 45, y - 24, 90, 18), Qt.AlignmentFlag.AlignCenter, "w²")
        p.drawText(QRectF(mid - 45, y + 6, 90, 18), Qt.AlignmentFlag.AlignCenter, f"{self.net.sizes[1]}×784")

    def _draw_weights(self, p: QPainter, l: int, pos) -> None:
        if self.weight_mode == "nabla_w" and not self._known("nabla_w", l):
            p.setPen(QPen(QColor(215, 215, 215), 1))
            for j, k in self.drawn_pairs(l):
                p.drawLine(pos[(l - 1, k)], pos[(l, j)])
            return
        mat = self._line_matrix(l)
        sub = mat[: self.shown(l), : self.shown(l - 1)]
        big = float(np.abs(sub).max()) if sub.size else 0.0
        for j, k in self.drawn_pairs(l):
            v = float(mat[j, k])
            t = abs(v) / big if big > 0 else 0.0
            colour = QColor(POS if v > 0 else NEG)
            colour.setAlpha(int(60 + 170 * t))
            p.setPen(QPen(colour, 0.6 + 5.0 * t))
            p.drawLine(pos[(l - 1, k)], pos[(l, j)])
        s = self.selection
        if s is not None and s[0] == "weight" and s[1] == l and s[2] < self.shown(l) and s[3] < self.shown(l - 1):
            p.setPen(QPen(SELECT, 4))
            p.drawLine(pos[(l - 1, s[3])], pos[(l, s[2])])

    def _draw_image(self, p: QPainter, rect: QRectF, values, signed_scale: float | None) -> None:
        img = QImage(28, 28, QImage.Format.Format_RGB32)
        vals = np.asarray(values, dtype=np.float64).reshape(28, 28)
        for row in range(28):
            for col in range(28):
                v = vals[row, col]
                if signed_scale is None:  # ink: 0 white, 1 black
                    g = int(round(255 * (1 - min(max(v, 0.0), 1.0))))
                    img.setPixelColor(col, row, QColor(g, g, g))
                else:
                    img.setPixelColor(col, row, diverging(v, signed_scale))
        p.drawImage(rect, img)
        p.setPen(QPen(QColor(120, 120, 120), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)

    def _draw_colour_bar(self, p: QPainter, scale: float, diverge: bool) -> None:
        x = self.width() - 70
        top, h = 60.0, max(120.0, min(260.0, self.height() - 140))
        rect = QRectF(x, top, 18, h)
        grad = QLinearGradient(rect.topLeft(), rect.bottomLeft())
        if diverge:
            grad.setColorAt(0.0, POS)
            grad.setColorAt(0.5, QColor("white"))
            grad.setColorAt(1.0, NEG)
        else:
            grad.setColorAt(0.0, SEQ)
            grad.setColorAt(1.0, QColor("white"))
        p.setPen(QPen(QColor(90, 90, 90), 1))
        p.setBrush(QBrush(grad))
        p.drawRect(rect)
        p.setPen(QColor(30, 30, 30))
        p.drawText(QRectF(x - 20, 30, 70, 20), Qt.AlignmentFlag.AlignCenter, PLAIN[self.quantity])
        hi = short(scale)
        lo = short(-scale) if diverge else "0.00"
        p.drawText(QRectF(x + 20, top - 8, 60, 16), Qt.AlignmentFlag.AlignLeft, hi)
        if diverge:
            p.drawText(QRectF(x + 20, top + h / 2 - 8, 60, 16), Qt.AlignmentFlag.AlignLeft, "0")
        p.drawText(QRectF(x + 20, top + h - 8, 60, 16), Qt.AlignmentFlag.AlignLeft, lo)
        p.setPen(QColor(100, 100, 100))
        p.drawText(QRectF(x - 20, top + h + 8, 86, 60), Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                   "lines: w\nred +, blue −" if self.weight_mode == "w" else "lines: ∂C/∂w\nred +, blue −")


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _segment_distance(p: QPointF, a: QPointF, b: QPointF) -> float:
    ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
    dx, dy = bx - ax, by - ay
    den = dx * dx + dy * dy
    t = 0.0 if den == 0 else max(0.0, min(1.0, ((p.x() - ax) * dx + (p.y() - ay) * dy) / den))
    return math.hypot(p.x() - (ax + t * dx), p.y() - (ay + t * dy))
