"""The playground's "Show as network" dialog: a bump design as real weights and biases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .common import num

if TYPE_CHECKING:  # the bumps view opens this dialog; imported only for the annotation
    from .bumps import BumpsView


class NetworkDialog(QDialog):
    """"Show as network": the bump design as real weights and biases, evaluated by the engine."""

    def __init__(self, view: "BumpsView", net, parent=None):
        super().__init__(parent)
        self.setWindowTitle("The bump design as a network")
        self.resize(620, 560)
        n = net.sizes[1]
        w2, b2 = net.weights[0][:, 0], net.biases[0]
        w3, b3 = net.weights[1][0], net.biases[1][0]
        info = QLabel(
            f"<b>A network with sizes {net.sizes}</b>: input x, {n} sigmoid hidden neurons, a sigmoid output. "
            "Hidden neuron j has weight w<sup>2</sup><sub>j1</sub> = 1000 and bias b<sup>2</sup><sub>j</sub> = "
            "−1000·s<sub>j</sub> (a step at s<sub>j</sub>); pairs of output weights w<sup>3</sup><sub>1j</sub> "
            f"= +h, −h make the bumps; output bias b<sup>3</sup><sub>1</sub> = {num(b3, 'g')}. "
            f"Score of this network, computed by the engine: <b>{view.score_text()}</b>.")
        info.setWordWrap(True)
        table = QTableWidget(n, 4)
        table.setHorizontalHeaderLabels(["w²ⱼ₁ (hidden weight)", "b²ⱼ (hidden bias)", "s = −b/w", "w³₁ⱼ (output weight)"])
        table.setVerticalHeaderLabels([f"j = {j + 1}" for j in range(n)])
        for j in range(n):
            for c, v in enumerate((w2[j], b2[j], -b2[j] / w2[j], w3[j])):
                item = QTableWidgetItem(num(v))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(j, c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        npz = QPushButton("Export as .npz…")
        npz.setToolTip("Save these weights and biases as a NumPy archive (File ▸ Open network reads it).")
        js = QPushButton("Export as network2 JSON…")
        js.setToolTip("Save in the format of the book's network2.py (sizes, weights, biases, cost).")
        npz.clicked.connect(lambda: view.export_dialog(".npz"))
        js.clicked.connect(lambda: view.export_dialog(".json"))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(npz)
        buttons.addWidget(js)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(table, 1)
        lay.addLayout(buttons)
        self.table = table
