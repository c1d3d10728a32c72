"""What the Backprop inspector's panels share: the rich-text label, the bare column, the scrolled panel, the side
pages' base class."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget


def rich_label(text: str = "", wrap: bool = True) -> QLabel:
    """A QLabel for the inspector's HTML: word-wrapped, links open in the browser, text selectable."""
    lab = QLabel(text)
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setOpenExternalLinks(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    return lab


def column(widget: QWidget) -> QVBoxLayout:
    """``widget``'s vertical layout, with no margins of its own (it sits inside a layout that has them)."""
    lay = QVBoxLayout(widget)
    lay.setContentsMargins(0, 0, 0, 0)
    return lay


def scrolled(panel: QWidget) -> QScrollArea:
    """A panel in a vertical scroll area: on a short window it scrolls instead of being cut, and it is
    never narrower than its buttons need.  The scroll bar is always there: one that came and went as a
    step's text grew would shift every button in the panel sideways under the learner's pointer."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    area.setWidget(panel)
    area.setMinimumWidth(panel.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width() + 4)
    return area


def error_html(message: str) -> str:
    return f"<span style='color:#b00020'>{message}</span>"


class SidePage(QWidget):
    """A page of the inspector's tool box.  The tab tells it what is shown (``show_target``) whenever the
    inspection or the selection changes; the page keeps those two and works on them."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.inspection = None  # jobs.inspector.Inspection shown by the tab, or None
        self.selection: tuple | None = None  # ("neuron", l, j) or ("weight", l, j, k)

    def show_target(self, inspection, selection: tuple | None) -> None:
        self.inspection, self.selection = inspection, selection

    def shutdown(self) -> None:
        """The window is closing: forget pending work."""
