"""Chapter 1: the NAND perceptron (weights −2, −2, bias 3) and the book's adder of two bits built from NANDs.

Two toggles set the bits x₁ and x₂; a drawing of the circuit shows every gate's output (1 lit, 0 dim) and
the sum bit x₁ ⊕ x₂ and carry bit x₁·x₂.  Computed on the worker from engine.perceptrons.half_adder.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QWidget

from ...engine.perceptrons import NAND_BIAS, NAND_WEIGHTS
from ...jobs import neurons as jobs
from .common import LiveView, beside, chapter_label, left_column, rich_label

# the circuit: node → (x, y) in a 0..1 box, and the wires between nodes
NODES = {"x1": (0.06, 0.25), "x2": (0.06, 0.75), "g1": (0.32, 0.5), "g2": (0.55, 0.22), "g3": (0.55, 0.78),
         "sum": (0.86, 0.35), "carry": (0.86, 0.85)}
WIRES = [("x1", "g1"), ("x2", "g1"), ("x1", "g2"), ("g1", "g2"), ("x2", "g3"), ("g1", "g3"), ("g2", "sum"),
         ("g3", "sum"), ("g1", "carry")]
LIT, DIM = QColor("#2ca02c"), QColor("#d0d0d0")


def _num(v: float) -> str:
    return f"{v:g}".replace("-", "−")  # a real minus sign, as the book prints −2


class CircuitWidget(QWidget):
    """Draws the adder with each node's value: a filled circle for 1, an empty one for 0."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.values: dict[str, int] = {}
        self.setMinimumSize(420, 300)

    def set_values(self, values: dict[str, int]) -> None:
        self.values = dict(values)
        self.update()

    def _pos(self, name: str) -> QPointF:
        x, y = NODES[name]
        return QPointF(30 + x * (self.width() - 60), 30 + y * (self.height() - 60))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        for a, b in WIRES:
            on = self.values.get(a, 0) == 1
            p.setPen(QPen(LIT if on else DIM, 3 if on else 2))
            p.drawLine(self._pos(a), self._pos(b))
        font = QFont(self.font())
        font.setPointSize(10)
        p.setFont(font)
        r = 22
        for name in NODES:
            c = self._pos(name)
            v = self.values.get(name, 0)
            p.setPen(QPen(QColor("#333333"), 2))
            p.setBrush(LIT if v else QColor("white"))
            p.drawEllipse(c, r, r)
            p.setPen(QColor("black"))
            p.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, str(v))
            p.drawText(QRectF(c.x() - 50, c.y() + r, 100, 18), Qt.AlignmentFlag.AlignCenter,
                       {"g1": "NAND g1", "g2": "NAND g2", "g3": "NAND g3", "sum": "sum x₁⊕x₂",
                        "carry": "carry x₁·x₂", "x1": "x₁", "x2": "x₂"}.get(name, name))
        p.end()


class AdderView(LiveView):
    def __init__(self, client, parent: QWidget | None = None):
        super().__init__(client, parent)
        self.x1 = QCheckBox("x₁ = 1")
        self.x2 = QCheckBox("x₂ = 1")
        self.out_label = rich_label()
        left = left_column(chapter_label(
            f"The NAND perceptron has weights {_num(NAND_WEIGHTS[0])}, {_num(NAND_WEIGHTS[1])} and bias "
            f"{_num(NAND_BIAS)}: it "
            "outputs 0 only when both inputs are 1. NAND is universal, so perceptrons can compute anything; "
            "here four NANDs add two bits (the carry is one perceptron with weight −4 from g1).", 1,
            "#perceptrons"), self.x1, self.x2, self.out_label, self.msg)
        self.circuit = CircuitWidget()
        beside(self, left, self.circuit)
        self.x1.toggled.connect(self.request)
        self.x2.toggled.connect(self.request)
        self.request()

    def request(self, *_args) -> None:
        self._latest.request(jobs.adder_task, int(self.x1.isChecked()), int(self.x2.isChecked()))

    def show_result(self, r: jobs.AdderResult) -> None:
        self.circuit.set_values({"x1": r.x1, "x2": r.x2, **r.gates})
        self.out_label.setText(
            f"{r.x1} + {r.x2} = <b>{r.carry}{r.total}</b> in binary (= {r.x1 + r.x2})<br>"
            f"sum bit <b>{r.total}</b>, carry bit <b>{r.carry}</b><br>"
            + " · ".join(f"{k} = {v}" for k, v in r.gates.items() if k.startswith("g")))
