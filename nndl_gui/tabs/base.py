"""What a tab is: a QWidget given the AppContext, with settings and shutdown hooks."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..settings import TabSettings


class Tab(QWidget):
    """Base class of the four tabs.  Subclasses set ``title`` and build their widgets in __init__."""

    title = ""
    chapter: int | None = None  # the book chapter this tab illustrates

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def save_settings(self, settings: TabSettings) -> None:
        """Store this tab's choices with ``settings.set`` (its keys are declared in ``nndl_gui.settings``)."""

    def restore_settings(self, settings: TabSettings) -> None:
        """Restore choices saved by save_settings (``settings.get`` gives checked values or defaults)."""

    def shutdown(self) -> None:
        """The window is closing: stop timers, forget pending work."""
