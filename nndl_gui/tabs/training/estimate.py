"""The Training tab's line that says, before Start, how long a chapter-6 run takes on this machine.

A layer stack's epoch takes seconds to minutes and a preset runs 40–60 of them, so a learner should know
before starting that ch6-dropout is an evening, not a coffee.  When the form describes a layer stack,
this label times a few mini-batches on the worker (``jobs.estimate.time_steps``, once per stack and m)
and shows "≈ 2 min per epoch on 250,000 images · 40 epochs ≈ 1 h 26 min"; changing epochs, images n or
Expanded data only redoes the arithmetic.  While a run trains the tab's progress line says what is left.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from ...jobs.conv_training import TRAIN_EVAL_SIZE
from ...jobs.estimate import RunEstimate, time_steps

BOOK_EVAL_IMAGES = 20_000  # full MNIST's validation + test sets, measured at each epoch's end
LONG_RUN_SECONDS = 600  # above this the label suggests a shorter look first


class EstimateLabel(QLabel):
    """Shown for layer stacks only; ``refresh(req, mnist, n_available)`` on every change of the form."""

    DELAY_MS = 400  # typing in the form: time the stack once the learner pauses

    def __init__(self, client, parent=None):
        super().__init__(parent)
        self.client = client
        self.setWordWrap(True)
        self.setVisible(False)
        self.estimate: RunEstimate | None = None  # the one shown
        self._timings: dict = {}  # (stack, m) → StepTiming
        self._want = None  # (key, layers, n_train, n_eval, epochs) of the form as it is now
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DELAY_MS)
        self._timer.timeout.connect(self._measure)

    def refresh(self, req, mnist, n_available: int) -> None:
        """The form changed: ``req`` is its request (None when it has a problem or a run is going on)."""
        if req is None or not req.layers:
            self._want = self.estimate = None
            self._timer.stop()
            self.setVisible(False)
            return
        n = (req.limit or n_available) * (5 if req.expanded else 1)
        n_eval = (len(mnist.validation) + len(mnist.test) if mnist is not None else BOOK_EVAL_IMAGES)
        n_eval += min(TRAIN_EVAL_SIZE, n)
        key = (json.dumps(req.layers, sort_keys=True), req.config.mini_batch_size)
        self._want = (key, req.layers, n, n_eval, req.config.epochs)
        self.setVisible(True)
        if key in self._timings:
            self._show()
        else:
            self.estimate = None
            self.setText("How long a run takes: timing a few mini-batches on this machine…")
            self._timer.start()

    def _measure(self) -> None:
        if self._want is None:
            return
        key, layers, *_ = self._want
        if key in self._timings:
            self._show()
        elif self.client.busy:  # another job would slow the timing down: say when it can be done
            self.setText("How long a run takes is timed when the engine is free (stop the running job first).")
        else:
            self.client.run_task(time_steps, layers, key[1], on_result=lambda t, key=key: self._timed(key, t),
                                 on_error=lambda msg: self.setText(f"Could not time this network: {msg}"))

    def _timed(self, key, timing) -> None:
        self._timings[key] = timing
        if self._want is not None and self._want[0] == key:
            self._show()

    def _show(self) -> None:
        key, _layers, n, n_eval, epochs = self._want
        t = self._timings[key]
        self.estimate = est = RunEstimate(t, n, n_eval, epochs)
        hint = (" Try a few epochs or fewer images n first." if est.run_seconds > LONG_RUN_SECONDS else "")
        self.setText(f"<b>On this machine</b> {est.text()} (timed on {t.batches_timed} mini-batches).{hint} "
                     "Stop keeps the network trained so far.")
