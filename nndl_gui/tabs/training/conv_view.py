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
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from ... import chapter_url
from ...jobs.conv_training import ProbeChoice, conv_view_task
from ...widgets.images import _diverging_cmap


def _activity_cmap() -> pg.ColorMap:
    """White (a = 0, silent) to dark blue (the unit fires): the maps read like ink on paper."""
    return pg.ColorMap([0.0, 1.0], [(255, 255, 255), (8, 48, 107)])


class _Images:
    """One titled, aspect-locked image in a GraphicsLayout; autoranges only when its shape changes."""

    def __init__(self, layout: pg.GraphicsLayout, row: int, col: int, lut: np.ndarray):
        self.title = layout.addLabel("", row=row, col=col)
        self.box = layout.addViewBox(row=row + 1, col=col, lockAspect=True, invertY=True, enableMouse=False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.item.setLookupTable(lut)
        self.box.addItem(self.item)
        self.shape = None

    def show(self, image: np.ndarray, levels, title: str) -> None:
        self.item.setImage(image, autoLevels=False, levels=levels)
        if image.shape != self.shape:
            self.shape = image.shape
            self.box.autoRange(padding=0.02)
        self.title.setText(title, size="9pt")

    def data(self) -> np.ndarray | None:
        return self.item.image


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
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.layout_ = self.glw.ci
        diverging = _diverging_cmap().getLookupTable(nPts=256)
        self.filters = _Images(self.layout_, 0, 0, diverging)
        self.input = _Images(self.layout_, 2, 0, pg.ColorMap([0, 1], [(255, 255, 255), (0, 0, 0)]).getLookupTable(nPts=256))
        self.maps: list[_Images] = []
        self._lut_active = _activity_cmap().getLookupTable(nPts=256)
        self._lut_diverging = diverging
        self.glw.setToolTip(
            "Left: each filter w of the first conv layer (its shared k×k weights); red: a bright pixel there raises "
            "z (excites the map), blue: lowers it. Colours keep one scale ±L for the whole run, so you see the "
            "filters grow.\nRight: the activations a of every feature map for the digit below the filters, after "
            "max-pooling; dark = active.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        layout.addWidget(self.glw, 1)

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
            self.filters.show(f.image, f.levels, f"First conv layer: {view.filter_total} filters "
                                                 f"{f.tile_shape[0]}×{f.tile_shape[1]}{shown}, colours ±{f.levels[1]:g}")
        self.input.show(view.digit, (0.0, 1.0), f"validation #{view.digit_index}: a {view.digit_label}")
        while len(self.maps) < len(view.maps):
            self.maps.append(_Images(self.layout_, 2 * len(self.maps), 1, self._lut_active))
        for images, grid, title in zip(self.maps, view.maps, view.titles):
            images.item.setLookupTable(self._lut_diverging if grid.levels[0] < 0 else self._lut_active)
            images.show(grid.image, grid.levels, title)
        for images in self.maps[len(view.maps):]:
            images.item.clear()
            images.title.setText("")
        said = "?" if view.predicted < 0 else str(view.predicted)
        mark = "✓" if view.predicted == view.digit_label else "✗"
        self.answer.setText(f"true digit {view.digit_label}; the network says {said} {mark}")
        self.caption.setText(
            "Live, as the network learns: the first layer's filters (left, above the digit) and the feature maps "
            "of the chosen digit at every conv-pool layer (right). "
            f'<a href="{chapter_url(6)}">Chapter 6</a>: each map is one filter slid over the image, then max-pooled.')
        if self.digit.value() != view.digit_index and not self.digit.hasFocus():
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
