"""What a tab is: a QWidget given the AppContext, with settings and shutdown hooks."""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .. import chapter_url


def int_setting(settings: QSettings, key: str, default: int) -> int:
    """The integer saved under ``key``; ``default`` when missing, not an integer or beyond what a Qt
    widget holds (a settings file is user data: anything may be in it)."""
    try:
        value = int(settings.value(key, default))
    except (TypeError, ValueError, OverflowError):
        return default
    return value if -2**31 <= value < 2**31 else default


def float_setting(settings: QSettings, key: str, default: float) -> float:
    """The finite number saved under ``key``, else ``default``."""
    try:
        value = float(settings.value(key, default))
    except (TypeError, ValueError, OverflowError):
        return default
    return value if math.isfinite(value) else default


class Tab(QWidget):
    """Base class of the four tabs.  Subclasses set ``title`` and build their widgets in __init__."""

    title = ""
    chapter: int | None = None  # the book chapter this tab illustrates

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def save_settings(self, settings: QSettings) -> None:
        """Store this tab's choices; ``settings`` is already inside the tab's own group."""

    def restore_settings(self, settings: QSettings) -> None:
        """Restore choices saved by save_settings (values may be missing or of a wrong type)."""

    def shutdown(self) -> None:
        """The window is closing: stop timers, forget pending work."""


class PlaceholderTab(Tab):
    """Shown for a tab whose module is not there yet: says what is coming, never crashes."""

    def __init__(self, ctx, title: str, text: str, chapter: int | None, parent=None):
        super().__init__(ctx, parent)
        self.title = title
        label = QLabel(
            f"<h2>{title}</h2><p>{text}</p>"
            + (f'<p>Read <a href="{chapter_url(chapter)}">chapter {chapter} of the book</a> meanwhile.</p>'
               if chapter else "")
        )
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
