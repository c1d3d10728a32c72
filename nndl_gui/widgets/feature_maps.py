"""Feature maps of a conv network, one mosaic image per conv-pool layer (the Draw tab's view).

Each layer's f maps σ(z + b) arrive tiled in one array (``jobs.draw.FeatureMaps``, NaN in the gaps), so
a layer is one ``ImageItem`` and an update is one ``setImage`` per layer, whatever the number of filters.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

MAX_LAYERS = 4


def _maps_lut() -> np.ndarray:
    """0 → white, 1 → black, as the ink; gaps (NaN) are drawn transparent by pyqtgraph."""
    v = np.linspace(255, 0, 256).astype(np.uint8)
    return np.stack([v, v, v], axis=1)


class FeatureMapsView(QWidget):
    """Up to MAX_LAYERS mosaics side by side with a caption each."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setMinimumHeight(100)
        self.plot.setBackground("#8c8c8c")  # grey between the maps, so each map's white paper shows
        self.views, self.images, self.titles = [], [], []
        for i in range(MAX_LAYERS):
            title = self.plot.addLabel("", row=0, col=i)
            view = self.plot.addViewBox(row=1, col=i, lockAspect=True, enableMouse=False, enableMenu=False,
                                        invertY=True)
            image = pg.ImageItem(np.zeros((1, 1), np.float32), levels=(0.0, 1.0), autoLevels=False)
            image.setLookupTable(_maps_lut())
            view.addItem(image)
            self.titles.append(title)
            self.views.append(view)
            self.images.append(image)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setOpenExternalLinks(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.caption)
        lay.addWidget(self.plot, 1)
        self.setMaximumHeight(170)  # the drawing, the input and the bars keep the room they need
        self.shown: tuple = ()
        self._ranges: list = [()] * MAX_LAYERS  # the mosaic shape each view was fitted to

    def show_maps(self, maps) -> None:
        """``maps``: a tuple of jobs.draw.FeatureMaps (empty: nothing to show).  Unused columns are left
        blank rather than hidden (hiding items of a graphics layout leaves it collapsed when shown again)."""
        self.shown = tuple(maps)[:MAX_LAYERS]
        for i in range(MAX_LAYERS):
            if i >= len(self.shown):
                if self._ranges[i] is not None:
                    self._ranges[i] = None
                    self.images[i].setImage(np.full((1, 1), np.nan, np.float32), levels=(0.0, 1.0), autoLevels=False)
                    self.titles[i].setText("", size="9pt")
                continue
            fm = self.shown[i]
            self.images[i].setImage(fm.mosaic, levels=(0.0, 1.0), autoLevels=False)
            h, w = fm.shape
            if self._ranges[i] != fm.mosaic.shape:  # a new range or title re-lays out the plot: only on change
                self._ranges[i] = fm.mosaic.shape
                self.views[i].setRange(xRange=(0, fm.mosaic.shape[1]), yRange=(0, fm.mosaic.shape[0]), padding=0.02)
                self.titles[i].setText(f"conv layer {fm.layer}: {fm.count} maps {h}×{w}", size="9pt")
