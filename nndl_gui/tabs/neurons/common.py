"""What the Neurons tab's views share: the chapter link, labels, plots, spin boxes, the views' shape (a column
of controls beside a plot), and the two kinds of view: ``LiveView`` (one small worker task per change of its
controls) and ``JobView`` (a Run/Stop job on MNIST)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ... import chapter_url
from ...latest import LatestTask
from ..playground.common import BLUE, GREEN, GREY, ORANGE, RED, make_plot, side_panel, spin_box  # noqa: F401


def rich_label(text: str = "") -> QLabel:
    """A word-wrapped rich-text label: the numbers a view shows, or its explanation."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


def chapter_label(text: str, chapter: int, anchor: str = "") -> QLabel:
    """A wrapped line of explanation ending in a link to the chapter of the book it comes from."""
    label = rich_label(f'{text} <a href="{chapter_url(chapter)}{anchor}">Chapter {chapter} of the book</a>.')
    label.setOpenExternalLinks(True)
    return label


def _add(layout, item, stretch: int = 0) -> None:
    if isinstance(item, QLayout):
        layout.addLayout(item, stretch)
    else:
        layout.addWidget(item, stretch)


def left_column(intro: QLabel, *items, width: int = 380) -> QWidget:
    """A view's controls column, at a fixed width: the chapter's explanation (``chapter_label``), then
    ``items`` (widgets or layouts) top to bottom, then the free space."""
    column = QVBoxLayout()
    for item in (intro, *items):
        _add(column, item)
    column.addStretch(1)
    return side_panel(column, width)


def beside(view: QWidget, column: QWidget, right) -> None:
    """Lay out ``view``: its ``left_column`` on the left, ``right`` (a plot, or a layout of them) filling the rest."""
    layout = QHBoxLayout(view)
    layout.addWidget(column)
    _add(layout, right, 1)


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


class LiveView(QWidget):
    """A view whose controls ask the worker for one small task at each change (``request``); only the newest
    request is computed and drawn (``LatestTask``).  Subclasses draw the result in ``show_result``."""

    def __init__(self, client, parent: QWidget | None = None):
        super().__init__(parent)
        self.result = None
        self._latest = LatestTask(client, self._on_result, self._failed)
        self.msg = QLabel()
        self.msg.setWordWrap(True)

    def request(self, *_args) -> None:
        raise NotImplementedError

    def show_result(self, result) -> None:
        raise NotImplementedError

    def _on_result(self, result) -> None:
        self.result = result
        self.msg.setText("")
        self.show_result(result)

    def _failed(self, message: str) -> None:
        self.msg.setText(message)

    def close_requests(self) -> None:
        self._latest.close()


class JobView(QWidget):
    """A view that runs one worker job on MNIST: Run loads MNIST (once, shared by all tabs) and calls
    ``start(mnist)``, which calls ``start_job``; snapshots go to ``show_snapshot``; Stop stops the job."""

    run_text = "Run"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.snapshot = None
        self.controls = JobControls(self.run_text)
        self.controls.run_btn.clicked.connect(self.run)
        self.controls.stop_btn.clicked.connect(ctx.client.stop)

    def run(self) -> None:
        self.controls.set_running(True)
        self.controls.set_fraction(0)
        self.controls.message.setText("Loading MNIST…")
        self.ctx.data.get(self.start, self._failed)

    def start(self, mnist) -> None:
        raise NotImplementedError

    def show_snapshot(self, snap) -> None:
        raise NotImplementedError

    def done_text(self) -> str:
        return "Done."

    def start_job(self, kind: str, fn, *args, message: str, throttle_hz: float = 30.0) -> None:
        self.controls.message.setText(message)
        self.ctx.client.start_job(kind, fn, *args, on_snapshot=self._on_snapshot, on_finished=self._finished,
                                  on_failed=self._failed, throttle_hz=throttle_hz)

    def _on_snapshot(self, snap) -> None:
        self.snapshot = snap
        self.show_snapshot(snap)

    def _finished(self, _result) -> None:
        self.controls.set_running(False)
        self.controls.message.setText(self.done_text())

    def _failed(self, message: str) -> None:
        self.controls.set_running(False)
        self.controls.message.setText(message)

    def close_requests(self) -> None:
        """Nothing to forget: a running job is stopped with the worker when the window closes."""
