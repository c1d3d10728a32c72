"""What every tab is given: the engine client, the data, settings, and the ways tabs talk to each other.

Tabs never reach into one another.  They share:
* ``client`` — the one ``EngineClient`` (worker thread, jobs, tasks, published network snapshots);
* ``data`` — MNIST, loaded once on the worker and then shared read-only;
* ``signals`` — app-wide signals, e.g. ``sendToInspector`` from the Draw tab to the inspector, or
  ``saveNetwork`` / ``openNetwork`` from a tab to the main window (tabs never hold the window);
* ``status(text)`` / ``error(title, text)`` — the main window's status bar and message boxes.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal

from .client import EngineClient


class AppSignals(QObject):
    # (x: float32 (784,) in [0,1], label: int or -1 when unknown, description: str)
    sendToInspector = Signal(object, int, str)
    # ask the main window to show a tab by its title
    showTab = Signal(str)
    # ask the main window to save the shared network / open one (its File menu's dialogs)
    saveNetwork = Signal()
    openNetwork = Signal()


class DataManager(QObject):
    """MNIST for all tabs, loaded once on the worker thread (never freezes the window)."""

    loaded = Signal(object)  # Mnist
    failed = Signal(str)
    loadingChanged = Signal(bool)

    def __init__(self, client: EngineClient, path: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._client = client
        self.path = path
        self.mnist = None
        self._waiting: list[tuple[Callable, Callable | None]] = []
        self._loading = False

    def get(self, on_ready: Callable, on_error: Callable | None = None) -> None:
        """Call ``on_ready(mnist)`` now if loaded, else once loading (started if needed) finishes."""
        if self.mnist is not None:
            on_ready(self.mnist)
            return
        self._waiting.append((on_ready, on_error))
        if not self._loading:
            self._loading = True
            self.loadingChanged.emit(True)
            self._client.run_task(_load_mnist, self.path, on_result=self._done, on_error=self._failed)

    def set_path(self, path: str | None) -> None:
        """Use another data folder from now on (reloaded on next use)."""
        self.path = path
        self.mnist = None

    def _done(self, mnist) -> None:
        self.mnist = mnist
        self._loading = False
        self.loadingChanged.emit(False)
        waiting, self._waiting = self._waiting, []
        for on_ready, _ in waiting:
            on_ready(mnist)
        self.loaded.emit(mnist)

    def _failed(self, message: str) -> None:
        self._loading = False
        self.loadingChanged.emit(False)
        waiting, self._waiting = self._waiting, []
        for _, on_error in waiting:
            if on_error:
                on_error(message)
        self.failed.emit(message)


def _load_mnist(ctx, path):
    from .data.mnist import load_mnist

    return load_mnist(path)


class AppContext:
    def __init__(self, client: EngineClient, data: DataManager, settings, status: Callable[[str], None],
                 error: Callable[[str, str], None]):
        self.client = client
        self.data = data
        self.settings = settings  # QSettings of the app (tabs use their own group)
        self.signals = AppSignals()
        self.status = status
        self.error = error
