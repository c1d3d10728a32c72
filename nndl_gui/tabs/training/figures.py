"""The Training tab's "Book figure…" menu: chapter 3's comparison figures, one click each.

Choosing a figure (``nndl_gui.figures.BOOK_FIGURES``) clears the plots, shows the accuracy curves the book
draws for it (the learner's checkboxes; every cost curve stays drawn), and queues its presets: each is
applied to the form and started in turn when the run before it finishes, so their runs end up overlaid,
each in its own colour.  Stop (or a run that fails or diverges)
ends the queue; the runs already drawn stay.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMenu, QToolButton

from ...figures import BOOK_FIGURES, get_figure

# a BookFigure series → the Training tab's curve
SERIES_KEYS = {"training_cost": "cost", "validation_cost": "val_cost", "test_cost": "test_cost",
               "training_accuracy": "train", "validation_accuracy": "val", "test_accuracy": "test"}


class BookFigureQueue(QObject):
    """The menu button and the queue of presets still to run for the chosen figure."""

    def __init__(self, tab):
        super().__init__(tab)
        self.tab = tab
        self.figure = None
        self.queue: list[str] = []
        self.button = QToolButton()
        self.button.setText("Book figure…")
        self.button.setToolTip("Run the presets of one of chapter 3's comparison figures, one after the other, and "
                               "overlay their curves as the book draws them")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        for fig in BOOK_FIGURES.values():
            action = menu.addAction(fig.title)
            action.setToolTip(fig.what_to_see)
            action.triggered.connect(lambda checked=False, name=fig.name: self.run_figure(name))
        self.button.setMenu(menu)
        tab.client.jobStateChanged.connect(self._on_state)

    @property
    def active(self) -> bool:
        return self.figure is not None

    def run_figure(self, name: str) -> None:
        """Clear the plots, show the figure's curves and start its first preset."""
        fig = get_figure(name)
        if self.tab.client.busy:
            self.tab.ctx.status("The engine is busy: stop the current run before drawing a book figure.")
            return
        self.figure, self.queue = fig, list(fig.presets)
        self.tab.clear_runs()
        shown = {SERIES_KEYS[s] for s in fig.series if s in SERIES_KEYS}
        for key in ("test", "val", "train"):
            box = self.tab.series_boxes.get(key)
            if box is not None:
                box.setChecked(key in shown)
        self.tab.ctx.status(f"{fig.title}: {len(fig.presets)} run{'s' if len(fig.presets) > 1 else ''} — "
                            f"{fig.what_to_see}")
        self._next()

    def cancel(self) -> None:
        self.figure, self.queue = None, []

    def _next(self) -> None:
        if not self.queue:
            if self.figure is not None:
                self.tab.ctx.status(f"{self.figure.title}: done ({self.figure.url}).")
            self.cancel()
            return
        name = self.queue.pop(0)
        self.tab.form.apply_preset(name)
        self.tab.start()

    def _on_state(self, state: str) -> None:
        if state == "idle" and self.active:
            QTimer.singleShot(0, self._after_run)  # after the tab has taken the run's final snapshot

    def _after_run(self) -> None:
        if not self.active or self.tab.running or self.tab.client.busy:
            return
        snap = self.tab.snapshot
        if snap is None or snap.phase not in ("finished", "early-stopping", "schedule"):
            self.tab.ctx.status(f"{self.figure.title}: stopped; the runs so far stay on the plots.")
            self.cancel()
            return
        self._next()
