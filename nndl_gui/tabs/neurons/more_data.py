"""Chapter 3: "more data" — validation accuracy against the size of the training set (log axis), plain
and with rotated copies of each image added, as the book's figure.  Each size trains a fresh
[784, 30, 10] network (cross-entropy, η = 0.5, λ = n·0.0001, 1,500,000 / n epochs) on the worker
(jobs.neurons.more_data_job from engine.more_data), with a progress bar and Stop.  The book's full run
takes minutes; the quick look uses fewer sizes and a tenth of the training examples per size.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QWidget

from ...engine import more_data as MD
from ...jobs import neurons as jobs
from .common import BLUE, ORANGE, JobView, beside, chapter_label, left_column, make_plot, rich_label

RUNS = {  # name → (sizes, training examples per size)
    f"Quick look ({len(jobs.QUICK_SIZES)} sizes to {jobs.QUICK_SIZES[-1]:,})":
        (jobs.QUICK_SIZES, jobs.QUICK_EXAMPLES),
    f"The book's run ({len(MD.BOOK_SIZES)} sizes to {MD.BOOK_SIZES[-1]:,}; minutes)":
        (MD.BOOK_SIZES, MD.EXAMPLES_PER_SIZE),
}
CURVE_COLOURS = {"plain": BLUE, "rotated": ORANGE}


class MoreDataView(JobView):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.run_box = QComboBox()
        self.run_box.addItems(list(RUNS))
        for i, (sizes, examples) in enumerate(RUNS.values()):
            self.run_box.setItemData(i, f"{len(sizes)} training-set sizes, {examples:,} examples each",
                                     Qt.ItemDataRole.ToolTipRole)
        self.rotated_check = QCheckBox(f"also with rotated copies ({', '.join(f'{a:+g}°' for a in MD.ROTATIONS)})")
        self.rotated_check.setChecked(True)
        form = QFormLayout()
        form.addRow("Run:", self.run_box)
        form.addRow(self.rotated_check)
        self.info = rich_label()
        left = left_column(chapter_label(
            "More training data is one of the best ways to reduce overfitting: accuracy keeps rising with the "
            "size of the training set. Adding slightly rotated copies of each image (expanding the data) "
            "helps almost as much as new images.", 3, "#other_techniques_for_regularization"),
            form, self.controls, self.info, self.controls.message, width=400)
        self.plot = make_plot("validation accuracy against training set size", "training images n (MNIST)",
                              "validation accuracy (%)")
        self.plot.setLogMode(x=True)
        self.plot.addLegend(offset=(10, 2), labelTextSize="9pt")
        self.curves = {name: self.plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=7,
                                            symbolBrush=colour, name=name if name == "plain" else
                                            "with rotated copies")
                       for name, colour in CURVE_COLOURS.items()}
        beside(self, left, self.plot)

    def start(self, mnist) -> None:
        sizes, examples = RUNS[self.run_box.currentText()]
        sizes = tuple(n for n in sizes if n <= len(mnist.training.labels))
        self.plot.getAxis("bottom").setTicks([[(float(np.log10(n)), f"{n:,}") for n in sizes]])
        self.plot.setXRange(np.log10(sizes[0]), np.log10(sizes[-1]), padding=0.05)
        self.start_job("more data", jobs.more_data_job, mnist, sizes, self.rotated_check.isChecked(), examples,
                       message=f"Training on {mnist.source}, validating on its {len(mnist.validation.labels):,} "
                               "validation images…", throttle_hz=10.0)

    def show_snapshot(self, snap: jobs.MoreDataSnapshot) -> None:
        for name, curve in self.curves.items():
            pts = snap.points.get(name, ())
            curve.setData(np.array([p.size for p in pts], float), np.array([100 * p.validation_accuracy for p in pts]))
        self.controls.set_fraction(snap.done / snap.total if snap.total else 0)
        rows = "".join(f"<tr><td>{p.curve}</td><td align=right>{p.size:,}</td><td align=right>{p.n_train:,}</td>"
                       f"<td align=right>{p.epochs}</td><td align=right><b>{100 * p.validation_accuracy:.2f}%</b></td>"
                       f"<td align=right>{p.train_seconds:.1f} s</td></tr>"
                       for pts in snap.points.values() for p in pts)
        self.info.setText(f"now: {snap.curve}, n = {snap.size:,}, epoch {snap.epoch} of {snap.epochs} · "
                          f"{snap.seconds:.0f} s<br><table cellspacing=4><tr><th>curve</th><th>n</th>"
                          f"<th>images</th><th>epochs</th><th>validation</th><th>time</th></tr>{rows}</table>")

    def done_text(self) -> str:
        s = self.snapshot
        return "Done." if s is not None and s.done >= s.total else "Stopped."
