"""Image views for the Training tab: first-layer weights, confusion matrix, misclassified digits.

They only draw what a snapshot carries (``WeightImage``, ``ClassificationResults``): no computation here.
Images use fixed levels (``autoLevels=False``) and the app's row-major image axis order.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _diverging_cmap() -> pg.ColorMap:
    """Blue (negative weight: the pixel inhibits the neuron) – white – red (positive: excites)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (178, 24, 43)])


class WeightsView(QWidget):
    """Each hidden neuron's 784 weights w²_jk drawn as a 28×28 image (a capped grid for wide layers)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QLabel("First-layer weights appear here when a run starts.")
        self.caption.setWordWrap(True)
        self.glw = pg.GraphicsLayoutWidget()
        self.view = self.glw.addViewBox(lockAspect=True, invertY=True, enableMouse=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_diverging_cmap().getLookupTable(nPts=256))
        self.image.setLevels((-1.0, 1.0))
        self.view.addItem(self.image)
        self.glw.setToolTip(
            "Tile j shows w²_jk for the 784 input pixels k of hidden neuron j, scaled by its largest |w|.\n"
            "Red: a dark→bright pixel there raises z²_j (excites the neuron); blue: lowers it (inhibits).")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.glw, 1)
        self._shown = None
        self.current = None

    def set_weights(self, weights) -> None:
        if weights is None or weights is self.current:
            return
        self.current = weights
        self.image.setImage(weights.image, autoLevels=False, levels=(-1.0, 1.0))
        if self._shown != weights.image.shape:
            self._shown = weights.image.shape
            self.view.autoRange(padding=0.01)
        more = (f" (the first {weights.shown} of {weights.total})" if weights.shown < weights.total else "")
        self.caption.setText(
            f"Weights w²ⱼₖ into each of {weights.total} hidden neurons{more}, as 28×28 images. "
            "Red: the pixel excites the neuron; blue: it inhibits it. Each tile is scaled by its largest |w|.")


class ConfusionView(QTableWidget):
    """Rows: the true digit; columns: the network's answer.  The diagonal counts correct answers."""

    def __init__(self, parent=None):
        super().__init__(10, 10, parent)
        self.setHorizontalHeaderLabels([str(d) for d in range(10)])
        self.setVerticalHeaderLabels([str(d) for d in range(10)])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setToolTip("Confusion matrix on the test set: row = true digit, column = the network's answer.\n"
                        "Off-diagonal cells are mistakes, e.g. row 4, column 9: a 4 read as a 9.")
        font = self.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() - 1.5))
        self.setFont(font)
        # wide enough for a four-digit count in every column ("1135", never "11…"): no column narrower
        self.cell_width = self.fontMetrics().horizontalAdvance("8888") + 10
        self.horizontalHeader().setMinimumSectionSize(self.cell_width)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(10 * self.cell_width + self.verticalHeader().sizeHint().width() + 2 * self.frameWidth() + 2)
        self.cells = [[QTableWidgetItem("") for _ in range(10)] for _ in range(10)]
        for i in range(10):
            for j in range(10):
                self.cells[i][j].setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(i, j, self.cells[i][j])
        self.counts = None

    def set_counts(self, counts: np.ndarray) -> None:
        self.counts = counts
        row_totals = counts.sum(axis=1, keepdims=True).clip(min=1)
        frac = counts / row_totals
        off = frac.copy()
        np.fill_diagonal(off, 0)
        worst = max(off.max(), 1e-9)
        for i in range(10):
            for j in range(10):
                cell = self.cells[i][j]
                cell.setText(str(int(counts[i, j])))
                if i == j:
                    g = int(255 - 120 * frac[i, j])
                    cell.setBackground(QBrush(QColor(g, 255, g)))
                else:
                    r = int(255 - 200 * off[i, j] / worst) if counts[i, j] else 255
                    cell.setBackground(QBrush(QColor(255, r, r)))
                cell.setToolTip(f"true {i}, answered {j}: {int(counts[i, j])} images ({frac[i, j]:.1%} of the {i}s)")


def digit_pixmap(pixels: np.ndarray, scale: int = 2) -> QPixmap:
    """A 28×28 uint8 digit (ink = 255) as a pixmap: dark ink on white, like the Draw tab."""
    img = np.ascontiguousarray(255 - np.asarray(pixels, np.uint8).reshape(28, 28))
    q = QImage(img.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(q).scaled(28 * scale, 28 * scale)


class MisclassifiedGallery(QWidget):
    """Thumbnails of misclassified test digits; click one to see it large with the network's scores a^L."""

    digitChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(56, 56))
        self.list.setGridSize(QSize(70, 84))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setToolTip("Test digits the network got wrong: 'true → answer'. Click one to see it large.")
        self.list.currentRowChanged.connect(self._chosen)
        self.big = pg.GraphicsLayoutWidget()
        self.big_view = self.big.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.big_image = pg.ImageItem(axisOrder="row-major")
        self.big_image.setLevels((0, 255))
        self.big_image.setLookupTable(np.array([[255 - v] * 3 for v in range(256)], np.uint8))
        self.big_view.addItem(self.big_image)
        self.big.setMinimumWidth(150)
        self.scores = pg.PlotWidget()
        sp = self.scores.getPlotItem()
        sp.setTitle("the network's output a<sup>L</sup><sub>j</sub>", size="9pt")
        sp.setLabel("bottom", "digit j")
        sp.setYRange(0, 1.0, padding=0.02)
        sp.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)]])
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7, brush="#999999")
        sp.addItem(self.bars)
        self.scores.setMinimumWidth(180)
        self.scores.setToolTip("The network's output activations a^L_j for this image: its answer is the largest.")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.big, 3)
        rl.addWidget(self.detail)
        rl.addWidget(self.scores, 3)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.results = None

    def set_results(self, results) -> None:
        self.results = results
        self.list.clear()
        for k in range(len(results.miss_index)):
            item = QListWidgetItem(QIcon(digit_pixmap(results.miss_images[k])),
                                   f"{results.miss_label[k]} → {results.miss_predicted[k]}")
            item.setToolTip(f"test image #{results.miss_index[k]}: a {results.miss_label[k]} read as "
                            f"{results.miss_predicted[k]}")
            self.list.addItem(item)
        if len(results.miss_index):
            self.list.setCurrentRow(0)
        else:
            self.detail.setText("No misclassified test digits.")

    def show_digit(self, k: int) -> None:
        r = self.results
        if r is None or not 0 <= k < len(r.miss_index):
            return
        self.big_image.setImage(r.miss_images[k].reshape(28, 28), autoLevels=False, levels=(0, 255))
        self.big_view.autoRange(padding=0.02)
        scores = r.miss_scores[k]
        brushes = ["#999999"] * 10
        brushes[int(r.miss_label[k])] = "#2ca02c"
        brushes[int(r.miss_predicted[k])] = "#d62728"
        self.bars.setOpts(height=np.clip(scores, 0, None), brushes=brushes)
        self.scores.getPlotItem().setYRange(0, max(1.0, float(np.max(scores))), padding=0.02)
        self.detail.setText(
            f"Test image #{r.miss_index[k]}: a <b>{r.miss_label[k]}</b> (green) that the network read as "
            f"<b>{r.miss_predicted[k]}</b> (red), a<sup>L</sup> = {scores[int(r.miss_predicted[k])]:.2f} "
            f"vs {scores[int(r.miss_label[k])]:.2f}.")
        self.digitChosen.emit(k)

    def _chosen(self, row: int) -> None:
        self.show_digit(row)
