"""The Training tab's file buttons: Clear runs, Export curves… (``curves_row``), Save network…, Open network….

Save and Open (the widget itself) sit below the tab's scrolling column, in view whatever the progress text
above them says; Clear and Export stay in the column under the progress bars.  Saving and opening go
through the main window (File ▸ Save / Open); exporting writes every run's curves as CSV and each plot as
PNG and SVG."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget


class RunFiles(QWidget):
    def __init__(self, ctx, plots, form, clear_runs, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.plots, self.form = ctx, plots, form
        self.clear_btn = QPushButton("Clear runs")
        self.clear_btn.setToolTip("Remove all curves from the plots")
        self.clear_btn.clicked.connect(clear_runs)
        self.export_btn = QPushButton("Export curves…")
        self.export_btn.setToolTip("Save every run's curves as CSV and the plots as PNG and SVG (Ctrl+E)")
        self.export_btn.clicked.connect(lambda: self.export())
        self.save_btn = QPushButton("Save network…")
        self.save_btn.setToolTip("Save the trained network as .npz or the book's network2.py JSON (Ctrl+S)")
        self.save_btn.clicked.connect(self.ctx.signals.saveNetwork.emit)
        self.open_btn = QPushButton("Open network…")
        self.open_btn.setToolTip("Open a .npz or network2.py JSON network; tick 'Continue training' to train it")
        self.open_btn.clicked.connect(self._open_network)
        self.curves_row = QWidget()
        for row, buttons, margin in ((self.curves_row, (self.clear_btn, self.export_btn), 0),
                                     (self, (self.save_btn, self.open_btn), 4)):
            lay = QHBoxLayout(row)
            lay.setContentsMargins(margin, 2, margin, 2)
            for button in buttons:
                lay.addWidget(button)

    def export(self, path=None) -> list[str]:
        """Save the curves of every run as CSV and each plot as PNG and SVG next to it (for slides):
        STEM.csv, STEM-cost.png/.svg, STEM-accuracy.png/.svg; returns the paths written."""
        if not isinstance(path, (str, os.PathLike)) or not str(path):
            if os.environ.get("NNDL_NO_DIALOGS"):
                self.ctx.status("Export: no file chosen.")
                return []
            path, _ = QFileDialog.getSaveFileName(self, "Export curves", "training-curves.csv", "CSV (*.csv)")
            if not path:
                return []
        if not self.plots.runs:
            self.ctx.error("Nothing to export", "Train a network first: there are no curves yet.")
            return []
        csv_path = Path(path).with_suffix(".csv")
        try:
            n = self.plots.export_csv(str(csv_path))
            images = self.plots.export_images(csv_path.with_suffix(""))
        except OSError as exc:
            self.ctx.error("Could not export the curves", str(exc))
            return []
        self.ctx.status(f"Exported {n:,} points to {csv_path} and the plots as PNG and SVG "
                        f"({', '.join(Path(p).name for p in images)})")
        return [str(csv_path), *images]

    def _open_network(self) -> None:
        self.ctx.signals.openNetwork.emit()
        self.form.continue_box.setChecked(True)
