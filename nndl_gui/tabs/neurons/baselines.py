"""Chapter 1: the baselines a network has to beat — random guessing (the book: 10%), average darkness
(22.25%) and, only when scikit-learn happens to be installed, an SVM (94.35%).  Run on the worker
(jobs.neurons.baselines_job from engine.baselines); the view lists each result with the data it used."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QFormLayout, QSpinBox, QWidget

from ...engine.baselines import BOOK
from ...jobs import neurons as jobs
from .common import BLUE, GREY, JobView, beside, chapter_label, left_column, make_plot, rich_label

NAMES = ("random", "average darkness", "svm")


class BaselinesView(JobView):
    run_text = "Run the baselines"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.controls.progress.setVisible(False)
        self.svm_spin = QSpinBox()
        self.svm_spin.setRange(100, 50_000)
        self.svm_spin.setSingleStep(1000)
        self.svm_spin.setValue(10_000)
        self.svm_spin.setToolTip("training images for the SVM (all 50,000 take many minutes)")
        form = QFormLayout()
        form.addRow("SVM training images", self.svm_spin)
        self.table = rich_label("Press Run to measure the baselines on the test set.")
        left = left_column(chapter_label(
            "Before any network: how well do simple ideas do? Guessing at random is right 10% of the time; "
            "calling each image the digit whose average darkness is closest, 22.25%; a support vector machine "
            "94.35% (run only if scikit-learn is installed).", 1, "#toward_deep_learning"),
            form, self.controls, self.table, self.controls.message, width=400)
        self.plot = make_plot("test accuracy: measured (blue) and the book's (grey)", "baseline", "accuracy (%)")
        self.plot.setYRange(0, 100, padding=0)
        self.plot.getAxis("bottom").setTicks([[(j, n) for j, n in enumerate(NAMES)]])
        self.book_bars = pg.BarGraphItem(x=np.arange(3) + 0.18, height=[100 * BOOK[n] for n in NAMES], width=0.32,
                                         brush=GREY)
        self.bars = pg.BarGraphItem(x=np.arange(3) - 0.18, height=np.zeros(3), width=0.32, brush=BLUE)
        self.plot.addItem(self.book_bars)
        self.plot.addItem(self.bars)
        beside(self, left, self.plot)

    def start(self, mnist) -> None:
        self.start_job("baselines", jobs.baselines_job, mnist, self.svm_spin.value(),
                       message=f"Running on {mnist.source}…")

    def show_snapshot(self, snap: jobs.BaselineSnapshot) -> None:
        heights = np.zeros(3)
        rows = []
        for r in snap.results:
            heights[NAMES.index(r.name)] = 100 * r.accuracy
            rows.append(f"<tr><td>{r.name}</td><td align=right><b>{100 * r.accuracy:.2f}%</b></td>"
                        f"<td align=right>{r.correct:,} / {r.total:,}</td>"
                        f"<td align=right>book {100 * r.book_accuracy:.2f}%</td></tr>")
        self.bars.setOpts(height=heights)
        self.table.setText("<table cellspacing=6>" + "".join(rows) + "</table><small>"
                           + "<br>".join(snap.notes) + "</small>")
