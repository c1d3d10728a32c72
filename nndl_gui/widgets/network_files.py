"""The one "open network files" dialog (File ▸ Open and the Draw tab's "Open files…" both use it).

The first time it starts in resources/, where the shipped networks are; after that in the folder the
learner last opened from (the setting ``files/network_folder``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from ..paths import resource_dir
from ..settings import set_window_value, window_value

NETWORK_FILTER = "Networks (*.npz *.json);;NumPy archive (*.npz);;network2.py JSON (*.json)"
FOLDER_KEY = "files/network_folder"


def start_folder(settings: QSettings) -> str:
    """The folder last opened from, if it still exists; else resources/."""
    last = window_value(settings, FOLDER_KEY)
    return last if last and Path(last).is_dir() else str(resource_dir())


def ask_network_files(parent: QWidget, settings: QSettings, title: str) -> list[str]:
    """Ask for one or more network files; remember their folder for next time. [] when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start_folder(settings), NETWORK_FILTER)
    if paths:
        set_window_value(settings, FOLDER_KEY, str(Path(paths[0]).resolve().parent))
    return list(paths)
