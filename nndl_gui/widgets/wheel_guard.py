"""Scrolling a panel of fields with the mouse wheel scrolls the panel: it never changes a value by passing.

Qt's spin boxes, combo boxes and sliders take wheel events whenever the pointer is over them, so a learner
scrolling the Training tab's form down to Start turns η, m or the epochs on the way, unseen.  With
``guard_wheel(scroll_area)`` such a field takes the wheel only once it has been clicked (has the focus);
otherwise the wheel scrolls the area, as over any label.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QScrollArea, QSlider

GUARDED = (QAbstractSpinBox, QComboBox, QSlider)  # not scroll bars: they scroll lists


class _WheelGuard(QObject):
    def __init__(self, area: QScrollArea):
        super().__init__(area)
        self.area = area

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(obj, GUARDED) and not obj.hasFocus():
            QCoreApplication.sendEvent(self.area.verticalScrollBar(), event)  # the panel scrolls instead
            return True
        return False


def guard_wheel(area: QScrollArea) -> None:
    """Guard every spin box, combo box and slider in ``area`` now (call again after adding fields)."""
    guard = area.findChild(_WheelGuard) or _WheelGuard(area)
    for widget in area.widget().findChildren(QObject):
        if isinstance(widget, GUARDED):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel alone never gives them the focus
            widget.removeEventFilter(guard)
            widget.installEventFilter(guard)
