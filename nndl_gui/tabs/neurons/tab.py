"""The Neurons tab: the book's small experiments with single neurons and what they teach (chapters 1, 3, 5).

Seven views, one module each: Perceptron vs sigmoid, NAND adder, Baselines (chapter 1); Softmax and More
data (chapter 3); Gradient chain and Unstable gradients (chapter 5).  Each links to its chapter.  Every
number is computed on the engine worker (nndl_gui.jobs.neurons); the views only draw the snapshots.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout

from ...settings import TabSettings
from ..base import Tab
from .baselines import BaselinesView
from .chain import ChainView
from .gradients import GradientsView
from .more_data import MoreDataView
from .nand import AdderView
from .perceptron import PerceptronView
from .softmax import SoftmaxView


class NeuronsTab(Tab):
    title = "Neurons"
    chapter = 1

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        header = QLabel("<b>Neurons, one at a time</b> — perceptrons and sigmoid neurons, NAND circuits and the "
                        "baselines (chapter 1), softmax and more data (chapter 3), and why deep networks are hard "
                        "to train (chapter 5). Every number is computed by the engine.")
        header.setWordWrap(True)
        self.views = QTabWidget()
        self.perceptron = PerceptronView(ctx.client)
        self.adder = AdderView(ctx.client)
        self.baselines = BaselinesView(ctx)
        self.softmax = SoftmaxView(ctx.client)
        self.more_data = MoreDataView(ctx)
        self.chain = ChainView(ctx.client)
        self.gradients = GradientsView(ctx)
        for view, title in ((self.perceptron, "1 · Perceptron vs sigmoid"), (self.adder, "1 · NAND adder"),
                            (self.baselines, "1 · Baselines"), (self.softmax, "3 · Softmax"),
                            (self.more_data, "3 · More data"), (self.chain, "5 · Gradient chain"),
                            (self.gradients, "5 · Unstable gradients")):
            self.views.addTab(view, title)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.views, 1)

    @property
    def all_views(self):
        return [self.views.widget(i) for i in range(self.views.count())]

    def save_settings(self, s: TabSettings) -> None:
        s.set("view", self.views.currentIndex())

    def restore_settings(self, s: TabSettings) -> None:
        self.views.setCurrentIndex(s.get("view"))

    def shutdown(self) -> None:
        for view in self.all_views:
            view.close_requests()
