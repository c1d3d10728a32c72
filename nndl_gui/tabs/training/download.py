"""The Training tab's "Download full MNIST" row: a button, then a progress bar with Cancel.

The download runs on the engine worker (``jobs.download.download_job``).  The row says what happens
through ``message`` (the tab shows it as the data line) and emits ``downloaded`` once the four files are
in place and verified, ``busyChanged`` when it starts or ends.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ...jobs.download import download_job


class DownloadRow(QWidget):
    message = Signal(str)
    downloaded = Signal()
    busyChanged = Signal()

    def __init__(self, client, parent=None):
        super().__init__(parent)
        self.client = client
        self.download_id: int | None = None
        # The download's mirrors / checksums / sizes / folder (tests point them at a local server).
        self.mirrors = None
        self.sha256 = None
        self.sizes = None
        self.dest = None
        self.download_btn = QPushButton("Download full MNIST (≈ 11 MB)")
        self.download_btn.setToolTip("The shipped sample has 12,000 images; the book uses all 70,000.\n"
                                     "Downloads the four files into your cache and checks their SHA-256.")
        self.download_btn.clicked.connect(self.start_download)
        self.download_bar = QProgressBar()
        self.download_cancel = QPushButton("Cancel")
        self.download_cancel.clicked.connect(self.cancel_download)
        drow = QHBoxLayout()
        drow.addWidget(self.download_bar, 1)
        drow.addWidget(self.download_cancel)
        self.download_row = QWidget()
        self.download_row.setLayout(drow)
        drow.setContentsMargins(0, 0, 0, 0)
        self.download_btn.setVisible(False)
        self.download_row.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.download_btn)
        layout.addWidget(self.download_row)

    def offer(self, data_is_sample: bool) -> None:
        """Show the button when only the sample is loaded (and no download runs)."""
        self.download_btn.setVisible(bool(data_is_sample) and self.download_id is None)

    def set_enabled(self, enabled: bool) -> None:
        self.download_btn.setEnabled(enabled)

    def start_download(self) -> None:
        if self.download_id is not None:
            return
        self.download_bar.setRange(0, 0)
        self.download_row.setVisible(True)
        self.download_btn.setVisible(False)
        job = self.client.start_job(
            "download", download_job, self.dest, self.mirrors, self.sha256, self.sizes,
            on_snapshot=self._on_download_progress, on_finished=self._on_download_done,
            on_failed=self._on_download_failed)
        if job is not None:
            self.download_id = job
        self.busyChanged.emit()

    def cancel_download(self) -> None:
        if self.download_id is not None:
            self.client.stop()

    def _on_download_progress(self, p) -> None:
        if p.total:
            self.download_bar.setRange(0, 1000)
            self.download_bar.setValue(int(1000 * p.done / p.total))
            self.download_bar.setFormat(f"{p.done / 2**20:.1f} / {p.total / 2**20:.1f} MB")
        self.message.emit(f"Downloading full MNIST: {p.message}")

    def _on_download_done(self, final) -> None:
        self.download_id = None
        self.download_row.setVisible(False)
        if final is None or final.error:
            msg = final.error if final is not None else "Download cancelled."
            self.message.emit(f"Full MNIST not downloaded: {msg} Still using the sample.")
            self.download_btn.setVisible(True)
        else:
            self.message.emit("Full MNIST downloaded and verified; loading it…")
            self.downloaded.emit()
        self.busyChanged.emit()

    def _on_download_failed(self, message: str) -> None:
        self._on_download_done(type("Failed", (), {"error": message})())
