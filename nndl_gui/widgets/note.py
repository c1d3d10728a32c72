"""A note across the top of the window that stays until the learner dismisses it (never a modal box,
never a status-bar flash): for what must be read, e.g. settings that were set aside and where."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


class Note(QFrame):
    dismissed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("note")
        self.setStyleSheet("QFrame#note { background: #fff4ce; border-bottom: 1px solid #e0c060; }")
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # paths can be copied
        self.ok = QPushButton("OK, read")
        self.ok.setToolTip("Hide this note")
        self.ok.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def show_note(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(True)

    def dismiss(self) -> None:
        self.setVisible(False)
        self.dismissed.emit()
