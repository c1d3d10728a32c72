"""The Training tab's chapter-6 view: the first conv layer's filters and one digit's feature maps, live.

It draws a ``jobs.conv_training.ConvView`` (copies made on the worker): the filters w of the first
conv-pool layer as k×k tiles with fixed symmetric colour levels ±L for the whole run (red excites, blue
inhibits), the chosen validation digit as the network sees it, and the activations a of every conv-pool
layer for that digit, one small image per feature map.  The learner picks the digit with a spin box or
"Next digit"; ``ConvPanel.choose`` tells the running job (``ProbeChoice``) and, when no snapshot is
coming, asks the worker for the view of the live network once.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from ... import chapter_url
from ...jobs.conv_training import ProbeChoice, conv_view_task
from ...widgets.images import _diverging_cmap


def _activity_cmap() -> pg.ColorMap:
    """White (a = 0, silent) to dark blue (the unit fires): the maps read like ink on paper."""
    return pg.ColorMap([0.0, 1.0], [(255, 255, 255), (8, 48, 107)])


def _lut(cmap: pg.ColorMap) -> np.ndarray:
    """256 ARGB32 colours (uint32) of a colour map, for QImage.Format_ARGB32."""
    rgb = cmap.getLookupTable(nPts=256, alpha=False).astype(np.uint32)
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


class TileImage(QWidget):
    """A small image drawn pixel-sharp, scaled to fit with its aspect kept, under a one-line title.

    Cheaper than a pyqtgraph view for images redrawn while the worker trains: the array goes through a
    colour table into a QImage once per update; painting is one scaled drawImage.  NaN is drawn clear.
    """

    def __init__(self, lut: np.ndarray, parent=None):
        super().__init__(parent)
        self.lut = lut
        self.title = ""
        self.array: np.ndarray | None = None  # the last array shown (read-only copy from the snapshot)
        self._image: QImage | None = None
        self.setMinimumSize(120, 90)

    def show_array(self, array: np.ndarray, levels, title: str, lut: np.ndarray | None = None) -> None:
        if lut is not None:
            self.lut = lut
        lo, hi = levels
        scaled = (np.asarray(array, np.float32) - lo) * (255.0 / (hi - lo if hi > lo else 1.0))
        index = np.clip(np.nan_to_num(scaled, nan=0.0), 0, 255).astype(np.uint8)
        argb = self.lut[index]
        argb[np.isnan(array)] = 0x00FFFFFF  # clear between tiles
        argb = np.ascontiguousarray(argb)
        h, w = argb.shape
        self._image = QImage(argb.data, w, h, 4 * w, QImage.Format.Format_ARGB32).copy()
        self.array = array
        self.title = title
        self.update()

    def clear(self) -> None:
        self.array, self._image, self.title = None, None, ""
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(QColor(30, 30, 30))
        fm = painter.fontMetrics()
        painter.drawText(0, fm.ascent() + 1, fm.elidedText(self.title, Qt.TextElideMode.ElideRight, self.width()))
        if self._image is not None:
            top = fm.height() + 4
            avail_w, avail_h = self.width(), self.height() - top
            iw, ih = self._image.width(), self._image.height()
            scale = min(avail_w / iw, avail_h / ih) if iw and ih else 0
            if scale > 0:
                w, h = int(iw * scale), int(ih * scale)
                painter.drawImage(QRect((avail_w - w) // 2, top, w, h), self._image)
        painter.end()


class ConvFiltersView(QWidget):
    """Filters, the chosen digit and its feature maps at every conv-pool layer."""

    digitChosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.current = None
        self.caption = QLabel("Train a layer stack (Network: layer stack) to see its filters and feature maps "
                              f'here (<a href="{chapter_url(6)}">chapter 6</a>).')
        self.caption.setWordWrap(True)
        self.caption.setOpenExternalLinks(True)
        self.digit = QSpinBox()
        self.digit.setRange(0, 9999)
        self.digit.setPrefix("validation image #")
        self.digit.setToolTip("Which validation digit's feature maps are shown (they update as the filters learn)")
        self.next_btn = QPushButton("Next digit")
        self.next_btn.setToolTip("Show the next validation image")
        self.answer = QLabel("")
        self.digit.valueChanged.connect(self.digitChosen)
        self.next_btn.clicked.connect(lambda: self.digit.setValue((self.digit.value() + 1) % (self.digit.maximum() + 1)))
        row = QHBoxLayout()
        row.addWidget(self.digit)
        row.addWidget(self.next_btn)
        row.addWidget(self.answer, 1)
        self._lut_diverging = _lut(_diverging_cmap())
        self._lut_active = _lut(_activity_cmap())
        self.filters = TileImage(self._lut_diverging)
        self.input = TileImage(_lut(pg.ColorMap([0, 1], [(255, 255, 255), (0, 0, 0)])))
        self.maps: list[TileImage] = []
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.addWidget(self.filters, 0, 0)
        self.grid.addWidget(self.input, 1, 0)
        self.grid.setColumnStretch(0, 2)
        self.grid.setColumnStretch(1, 3)
        self.filters.setToolTip(
            "Each filter w of the first conv layer (its shared k×k weights): red, a bright pixel there raises z "
            "(excites the map); blue, lowers it. One colour scale ±L for the whole run, so you see the filters grow.")
        self.input.setToolTip("The chosen validation digit, as the network sees it (28×28)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        layout.addLayout(self.grid, 1)

    def set_count(self, n: int) -> None:
        """The validation set has ``n`` images."""
        self.digit.setMaximum(max(0, n - 1))

    def set_view(self, view) -> None:
        """Draw a ConvView (nothing when it is None or already shown)."""
        if view is None or view is self.current:
            return
        self.current = view
        if view.filters is not None:
            f = view.filters
            shown = f" (the first {f.count})" if f.count < view.filter_total else ""
            self.filters.show_array(f.image, f.levels, f"First conv layer: {view.filter_total} filters "
                                                 f"{f.tile_shape[0]}×{f.tile_shape[1]}{shown}, colours ±{f.levels[1]:g}")
        self.input.show_array(view.digit, (0.0, 1.0), f"validation #{view.digit_index}: a {view.digit_label}")
        while len(self.maps) < len(view.maps):
            tile = TileImage(self._lut_active)
            tile.setToolTip("The activations a of this layer's feature maps for the digit on the left, after "
                            "max-pooling: dark = active. Each map is one filter slid over its input.")
            self.grid.addWidget(tile, len(self.maps), 1, 1 if len(self.maps) else 1, 1)
            self.maps.append(tile)
        for tile, grid, title in zip(self.maps, view.maps, view.titles):
            tile.show_array(grid.image, grid.levels, title,
                            self._lut_diverging if grid.levels[0] < 0 else self._lut_active)
        for tile in self.maps[len(view.maps):]:
            tile.clear()
        said = "?" if view.predicted < 0 else str(view.predicted)
        mark = "✓" if view.predicted == view.digit_label else "✗"
        self.answer.setText(f"true digit {view.digit_label}; the network says {said} {mark}")
        self.caption.setText(
            "Live, as the network learns: the first layer's filters (left, above the digit) and the feature maps "
            "of the chosen digit at every conv-pool layer (right). "
            f'<a href="{chapter_url(6)}">Chapter 6</a>: each map is one filter slid over the image, then max-pooled.')
        if self.digit.value() != view.digit_index:
            self.digit.blockSignals(True)
            self.digit.setValue(view.digit_index)
            self.digit.blockSignals(False)


class ConvPanel:
    """The tab's glue for the conv view: the digit the running job shows, and a one-off view when idle."""

    def __init__(self, client, view: ConvFiltersView, index: int = 0):
        self.client = client
        self.view = view
        self.probe = ProbeChoice(index)
        self.validation = None
        self._task = None
        view.digit.setValue(index)
        view.digitChosen.connect(self.choose)

    def set_validation(self, dataset) -> None:
        self.validation = dataset
        self.view.set_count(len(dataset))
        self.probe.index = min(self.probe.index, max(0, len(dataset) - 1))

    def choose(self, index: int) -> None:
        """Show validation digit ``index`` now (a task between the job's chunks); a running job keeps it."""
        self.probe.index = int(index)
        if self.validation is None or self.view.current is None:
            return
        if self._task is not None:
            self.client.cancel_task(self._task)
        level = self.view.current.filters.levels[1] if self.view.current.filters is not None else None
        self._task = self.client.run_task(conv_view_task, self.validation.images, self.validation.labels,
                                          int(index), level, on_result=self._shown)

    def _shown(self, view) -> None:
        self._task = None
        if view is not None and view.digit_index == self.probe.index:
            self.view.set_view(view)
