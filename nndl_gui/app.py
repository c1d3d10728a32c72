"""The nndl-gui main window: five tabs on one engine worker, menus, and persistent settings."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from . import BOOK_URL, __version__, chapter_url
from .appcontext import AppContext, DataManager
from .client import EngineClient, engine_threads_ended
from .settings import TabSettings, migrate, open_settings, save_version, set_window_value, window_value
from .tabs.draw import DrawTab
from .tabs.draw_networks import describe
from .tabs.inspector.tab import InspectorTab
from .tabs.neurons.tab import NeuronsTab
from .tabs.playground.tab import PlaygroundTab
from .tabs.training.tab import TrainingTab
from .widgets.network_files import NETWORK_FILTER, ask_network_files
from .widgets.note import Note

# How long closing waits for the engine thread: its long passes notice a close within ~0.1 s (engine.cancel).
CLOSE_WAIT_MS = 1000

# The window's own minimum size: every tab fits it without clipping (tests/qt/test_layout.py), and it
# fits a 1366×768 laptop screen with a panel and a title bar.
MIN_SIZE = (1024, 700)

# the tabs in the book's order: (title, class)
TABS = [
    ("Draw", DrawTab),
    ("Training", TrainingTab),
    ("Backprop inspector", InspectorTab),
    ("Approximation playground", PlaygroundTab),
    ("Neurons", NeuronsTab),  # chapters 1, 3 and 5's small experiments
]


class MainWindow(QMainWindow):
    def __init__(self, data_path: str | None = None, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("nndl-gui — Neural Networks and Deep Learning, interactively")
        self.settings = settings or open_settings()
        self.migration = migrate(self.settings)
        self.settings_note = self.migration.note
        self.setMinimumSize(*MIN_SIZE)
        self.client = EngineClient(self)
        self.data = DataManager(self.client, data_path, self)
        self.ctx = AppContext(self.client, self.data, self.settings, self.status, self.error)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.note = Note()  # what the learner must read (settings set aside): stays until dismissed
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.tab_widgets: list[QWidget] = []
        for title, cls in TABS:
            widget = cls(self.ctx)
            self.tab_widgets.append(widget)
            self.tabs.addTab(widget, title)
        self.training_tab = self.tab_widgets[1]
        self.ctx.signals.showTab.connect(self.show_tab)
        self.ctx.signals.saveNetwork.connect(self.save_network)
        self.ctx.signals.openNetwork.connect(self.open_network)

        self._busy = QProgressBar()
        self._busy.setRange(0, 0)
        self._busy.setMaximumWidth(120)
        self._busy.setVisible(False)
        self.statusBar().addPermanentWidget(self._busy)
        self.data.loadingChanged.connect(self._on_data_loading)
        self.client.networkChanged.connect(
            lambda shared: self.status(f"Network: {shared.description}"))
        self._build_menus()
        self._restore()
        if self.settings_note:
            self.note.show_note(self.settings_note)
            self.status(self.settings_note)
        self._note_data_problem(data_path)

    def _note_data_problem(self, data_path: str | None) -> None:
        """--data (or NNDL_DATA_DIR) naming a folder without MNIST: say so at start, not at the first Start."""
        from .jobs.training import data_plan

        _is_sample, problem = data_plan(data_path)
        if problem:
            text = " ".join(t for t in (self.settings_note, problem) if t)
            self.note.show_note(text)
            self.status(problem)

    # ------------------------------------------------------------------ construction

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open network…", QKeySequence.StandardKey.Open, self.open_network)
        self._action(file_menu, "&Save network…", QKeySequence.StandardKey.Save, self.save_network)
        file_menu.addSeparator()
        self._action(file_menu, "&Export curves…", "Ctrl+E", self.training_tab.export)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        view = self.menuBar().addMenu("&View")
        for i, (title, *_rest) in enumerate(TABS):
            self._action(view, title, f"Ctrl+{i + 1}", lambda checked=False, i=i: self.tabs.setCurrentIndex(i))

        help_menu = self.menuBar().addMenu("&Help")
        chapters = ["Using neural nets to recognize handwritten digits", "How the backpropagation algorithm works",
                    "Improving the way neural networks learn", "A visual proof that neural nets can compute any function",
                    "Why are deep neural networks hard to train?", "Deep learning"]
        for n, name in enumerate(chapters, start=1):
            self._action(help_menu, f"Chapter {n}: {name}", None,
                         lambda checked=False, n=n: QDesktopServices.openUrl(QUrl(chapter_url(n))))
        help_menu.addSeparator()
        self._action(help_menu, "&About nndl-gui", QKeySequence.StandardKey.HelpContents, self.about)

    def _action(self, menu, text, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ------------------------------------------------------------------ status and errors
    def status(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def error(self, title: str, text: str) -> None:
        self.status(f"{title}: {text}")
        if os.environ.get("NNDL_NO_DIALOGS"):
            return
        QMessageBox.warning(self, title, text)

    def _on_data_loading(self, loading: bool) -> None:
        self._busy.setVisible(loading)
        if loading:
            self.status("Loading MNIST…")
        elif self.data.mnist is not None:
            self.status(f"MNIST: {self.data.mnist.source}")
        else:
            self.statusBar().clearMessage()

    def show_tab(self, title: str) -> None:
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                self.tabs.setCurrentIndex(i)

    # ------------------------------------------------------------------ files
    def open_network(self, path: str | list[str] | None = None) -> None:
        """Open one network file (it becomes the app's shared network), or several: an ensemble that votes,
        made and read by the Draw tab as its selector's "Open files…" makes it."""
        paths = [path] if isinstance(path, (str, os.PathLike)) and str(path) else list(path or [])
        if not paths:
            paths = ask_network_files(self, self.settings, "Open network (several: an ensemble in the Draw tab)")
            if not paths:
                return
        if len(paths) > 1:
            draw = self.tab_widgets[0]
            draw.chooser.open_files(paths)
            self.tabs.setCurrentWidget(draw)
            return
        path = str(paths[0])

        def load(ctx, path):
            from .engine.io import load_network

            return load_network(path, cancel=ctx.cancelled)  # in pieces: closing never waits for it

        def loaded(net):
            self.client.set_network(net, f"{os.path.basename(path)}: {describe(net)}", "file",
                                    on_error=lambda msg: self.error("Could not open the network", msg))

        self.client.run_task(load, path, on_result=loaded,
                             on_error=lambda msg: self.error("Could not open the network", msg))

    def save_network(self, path: str | None = None) -> None:
        shared = self.client.shared_network
        if shared is None:
            self.error("Nothing to save", "Train a network (Training tab) or open one first.")
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save network", "network.npz", NETWORK_FILTER)
            if not path:
                return

        def save(ctx, net, path):
            from .engine.io import save_network

            return str(save_network(net, path))

        self.client.run_task(save, shared.network, path, on_result=lambda p: self.status(f"Saved {p}"),
                             on_error=lambda msg: self.error("Could not save the network", msg))

    def about(self) -> None:
        QMessageBox.about(
            self, "About nndl-gui",
            f"<h3>nndl-gui {__version__}</h3>"
            "<p>A desktop companion to Michael Nielsen's book "
            f'<a href="{BOOK_URL}"><i>Neural Networks and Deep Learning</i></a> (Determination Press, 2015). '
            "The widgets here are our own; the book's text and widgets are CC BY-NC 3.0 and its code MIT.</p>"
            + "".join(f'<a href="{chapter_url(n)}">Chapter {n}</a> · ' for n in range(1, 7))
            + "<p>MNIST by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0).</p>",
        )

    # ------------------------------------------------------------------ settings
    def _restore(self) -> None:
        s = self.settings
        if not self.restoreGeometry(window_value(s, "window/geometry")):
            self.resize(1200, 800)
        self.tabs.setCurrentIndex(window_value(s, "window/tab"))
        for (title, _cls), widget in zip(TABS, self.tab_widgets):
            try:
                widget.restore_settings(TabSettings(s, title))
            except Exception as exc:  # noqa: BLE001  (a settings file is user data: never fail to open)
                self.settings_note = (f"Some saved settings of the {title} tab could not be used and were "
                                      f"left at their defaults ({type(exc).__name__}: {exc}).")

    def save_settings(self) -> None:
        s = self.settings
        save_version(s)
        set_window_value(s, "window/geometry", bytes(self.saveGeometry().data()))
        set_window_value(s, "window/tab", self.tabs.currentIndex())
        for (title, _cls), widget in zip(TABS, self.tab_widgets):
            widget.save_settings(TabSettings(s, title))
        s.sync()

    def closeEvent(self, event) -> None:
        """Save the settings first (written and synced), then end the worker whatever it is doing.

        The window hides at once; ``client.shutdown`` makes the engine abandon its work and waits for
        its thread at most CLOSE_WAIT_MS.  A thread still running after that is never destroyed (that
        aborts the process): ``main`` ends the process itself (see there).
        """
        self.save_settings()
        self.hide()
        for widget in self.tab_widgets:
            widget.shutdown()
        self.client.shutdown(CLOSE_WAIT_MS)
        super().closeEvent(event)


def configure_pyqtgraph() -> None:
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background="w", foreground="k")


def close_on_sigterm(window: QMainWindow) -> None:
    """SIGTERM (a logout, ``kill``) closes the window as its close button does: settings saved, exit 0.

    Python runs a signal handler only when the main thread runs Python, and the GUI thread may sit in
    Qt's event loop for a long time; the signal's wake-up byte on a socket pair makes Qt call into Python.
    """
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier, QTimer

    if not hasattr(signal, "SIGTERM"):
        return
    receive, send = socket.socketpair()
    receive.setblocking(False)
    send.setblocking(False)
    signal.set_wakeup_fd(send.fileno())
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, window.close))
    notifier = QSocketNotifier(receive.fileno(), QSocketNotifier.Type.Read, window)
    notifier.activated.connect(lambda *_: receive.recv(512))  # Python runs: the pending handler with it
    window._sigterm = (receive, send, notifier)  # kept as long as the window


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nndl-gui", description="Neural Networks and Deep Learning, interactively.")
    parser.add_argument("--data", help="folder with the four MNIST IDX files (default: see README)")
    parser.add_argument("--network", help="open this network (.npz or network2.py JSON) at start")
    args, qt_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    from .startup_check import check  # before Qt loads its platform plugin: name missing system packages
    if QApplication.instance() is None and not check():
        return 1
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("nndl-gui")
    app.setOrganizationName("nndl-gui")
    configure_pyqtgraph()
    window = MainWindow(args.data)
    if args.network:
        window.open_network(args.network)
    window.show()
    close_on_sigterm(window)
    code = app.exec()
    if not engine_threads_ended(0.2):
        # The window is closed and the settings are saved and synced (closeEvent), but the engine thread
        # is still inside one call that checks nothing (say, one huge matrix product).  Python's normal
        # exit would destroy its QThread while it runs, which Qt answers with abort() (exit 134); waiting
        # for it could take minutes.  Nothing is left to save or clean up: leave at once, with our code.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    # Python's exit would now spend ~0.5 s collecting the cycles of thousands of widget wrappers, only
    # for the operating system to take the memory back anyway: closing the window should end the process.
    gc.freeze()
    return code
