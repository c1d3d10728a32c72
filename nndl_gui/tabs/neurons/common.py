"""What the Neurons tab's views share: the chapter link, plots, spin boxes, and Run/Stop controls for jobs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ... import chapter_url
from ..playground.common import BLUE, GREEN, GREY, ORANGE, RED, make_plot, side_panel, spin_box  # noqa: F401


def chapter_label(text: str, chapter: int, anchor: str = "") -> QLabel:
    """A wrapped line of explanation ending in a link to the chapter of the book it comes from."""
    label = QLabel(f'{text} <a href="{chapter_url(chapter)}{anchor}">Chapter {chapter} of the book</a>.')
    label.setWordWrap(True)
    label.setOpenExternalLinks(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class JobControls(QWidget):
    """Run and Stop buttons, a progress bar and a one-line message, for a view that runs a worker job."""

    def __init__(self, run_text: str = "Run", parent: QWidget | None = None):
        super().__init__(parent)
        self.run_btn = QPushButton(run_text)
        self.stop_btn = QPushButton("Stop")
        self.stop_btn.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.run_btn)
        row.addWidget(self.stop_btn)
        row.addWidget(self.progress, 1)

    def set_running(self, running: bool) -> None:
        self.run_btn.setEnabled(not running)
        self.stop_btn.setEnabled(running)

    def set_fraction(self, fraction: float) -> None:
        self.progress.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))
