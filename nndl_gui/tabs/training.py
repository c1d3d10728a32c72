"""The Training tab: train a network on MNIST and watch it learn (chapters 1, 3 and 5).

A form holds every hyper-parameter of the engine and is checked as you type; the book's presets fill
it and draw the book's figure as a reference line.  Training runs on the one engine worker
(``nndl_gui.training_job.training_job``); this tab only draws the snapshots it sends: live cost and
accuracy curves (runs overlaid), chapter 5's learning speed, first-layer weights, and after a run
the test set's confusion matrix and misclassified digits.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import chapter_url
from ..engine.training import TrainingConfig
from ..training_job import TrainingRequest, check_request, download_job, training_job
from ..widgets.images import ConfusionView, MisclassifiedGallery, WeightsView
from ..widgets.plots import CurvePlots, SpeedPlot
from .base import Tab, int_setting

try:  # written by another engineer alongside this tab
    from ..presets import PRESETS
except ImportError:  # pragma: no cover
    PRESETS = {}

ACTIVATIONS = [("sigmoid", "sigmoid σ"), ("tanh", "tanh"), ("relu", "ReLU")]
OUTPUTS = [("sigmoid", "sigmoid σ"), ("softmax", "softmax"), ("tanh", "tanh"), ("relu", "ReLU")]
COSTS = [("quadratic", "quadratic ½‖y − a‖²"), ("cross-entropy", "cross-entropy"),
         ("log-likelihood", "log-likelihood −ln a_y")]
INITS = [("large", "large: w, b ~ N(0, 1) (ch. 1)"), ("default", "default: w ~ N(0, 1/n_in) (ch. 3)")]
CUSTOM = "(your own settings)"
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _combo(choices, tooltip: str) -> QComboBox:
    c = QComboBox()
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(12)
    for key, text in choices:
        c.addItem(text, key)
    c.setToolTip(tooltip)
    return c


def _select(combo: QComboBox, key) -> None:
    i = combo.findData(key)
    if i >= 0:
        combo.setCurrentIndex(i)


class TrainingTab(Tab):
    title = "Training"
    chapter = 1
    PLOT_HZ = 2.0
    URGENT_PLOT_HZ = 8.0  # epoch ends are drawn at once, unless epochs end faster than this
    SNAPSHOT_HZ = 15.0  # progress bars and text: smooth to the eye, cheap for the GIL

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.client = ctx.client
        self.job_id: int | None = None
        self.download_id: int | None = None
        self.run_count = 0
        self.snapshot = None  # newest snapshot drawn
        self._pending = None  # newest snapshot not yet drawn
        self._draw_scheduled = False
        self._last_plot = 0.0
        self._plot_timer = QTimer(self)
        self._plot_timer.setSingleShot(True)
        self._plot_timer.timeout.connect(self._draw_plots)
        self.draws = 0
        self.mnist = None
        self.last_message = ""
        # The download's mirrors / checksums (tests point them at a local server).
        self.download_mirrors = None
        self.download_sha256 = None
        self.download_sizes = None
        self.download_dest = None
        self._applying_preset = False
        self._edited = False
        self._build()
        self.client.jobStateChanged.connect(self._on_job_state)
        ctx.data.loaded.connect(self._on_data_loaded)
        if getattr(ctx.data, "mnist", None) is not None:
            self._set_mnist(ctx.data.mnist)
        self.validate_form()
        self._update_buttons()

    # ================================================================== layout
    def _build(self) -> None:
        # ---------------------------------------------------------------- form
        self.preset = QComboBox()
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(20)
        self.preset.addItem(CUSTOM, "")
        for name, p in PRESETS.items():
            self.preset.addItem(p.title, name)
        self.preset.setToolTip("The book's experiments: choosing one fills the form and draws the book's "
                               "reported result as a dashed line on the accuracy plot.")
        self.preset_info = QLabel("")
        self.preset_info.setWordWrap(True)
        self.preset_info.setOpenExternalLinks(True)
        self.preset_info.setTextFormat(Qt.TextFormat.RichText)

        self.sizes = QLineEdit("784, 30, 10")
        self.sizes.setToolTip("Neurons in each layer, input first: 784 pixels in, hidden layers, 10 digits out.\n"
                              "[784, 30, 10] is chapter 1's network; [784, 30, 30, 10] has two hidden layers.")
        self.activation = _combo(ACTIVATIONS, "Activation of the hidden neurons: a = σ(z) in the book.")
        self.output = _combo(OUTPUTS, "Activation of the output layer a^L (softmax pairs with log-likelihood, ch. 3).")
        self.cost = _combo(COSTS, "Cost function C (chapter 1: quadratic; chapter 3: cross-entropy, log-likelihood).")
        self.init = _combo(INITS, "How weights and biases start (chapter 3, 'Weight initialization').")
        self.eta = QLineEdit("3.0")
        self.eta.setToolTip("Learning rate η: each step moves w by −(η/m) Σ ∂C_x/∂w.")
        self.m = QSpinBox()
        self.m.setRange(1, 60_000)
        self.m.setValue(10)
        self.m.setToolTip("Mini-batch size m: examples per gradient step.")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(30)
        self.epochs.setToolTip("Epochs: passes through the training data.")
        self.lmbda = QLineEdit("0.0")
        self.lmbda.setToolTip("L2 regularization λ: w → (1 − ηλ/n) w − (η/m) Σ ∂C_x/∂w (chapter 3). 0 = off.")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Random seed: the same seed repeats a run exactly (initial weights and shuffling).")
        self.limit = QSpinBox()
        self.limit.setRange(0, 60_000)
        self.limit.setSpecialValueText("all")
        self.limit.setSingleStep(1000)
        self.limit.setToolTip("Train on the first n training images only (chapter 3 overfits with 1,000). "
                              "'all' = 50,000 with full MNIST.")
        self.early = QSpinBox()
        self.early.setRange(0, 1000)
        self.early.setSpecialValueText("off")
        self.early.setToolTip("Early stopping: stop after this many epochs without a better validation accuracy "
                              "(chapter 3's 'no-improvement-in-n' rule).")
        self.schedule = QCheckBox("η schedule: halve η at each stall, stop at η₀/128")
        self.schedule.setToolTip("Needs the early-stopping window: instead of stopping, halve η (chapter 3).")
        self.continue_box = QCheckBox("Continue training the current network")
        self.continue_box.setToolTip("Keep the weights of the network trained last (or opened from a file) when "
                                     "its layers, activations and cost match this form; otherwise start afresh.")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Layer sizes", self.sizes)
        form.addRow("Hidden σ", self.activation)
        form.addRow("Output", self.output)
        form.addRow("Cost C", self.cost)
        form.addRow("Init", self.init)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for r, (label, widget, label2, widget2) in enumerate((
                ("η", self.eta, "m", self.m), ("λ", self.lmbda, "epochs", self.epochs),
                ("images n", self.limit, "seed", self.seed))):
            grid.addWidget(QLabel(label), r, 0)
            grid.addWidget(widget, r, 1)
            grid.addWidget(QLabel(label2), r, 2, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(widget2, r, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        form.addRow(grid)
        form.addRow("Early stop", self.early)
        form.addRow(self.schedule)
        form.addRow(self.continue_box)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        # ---------------------------------------------------------------- controls
        self.start_btn = QPushButton("Start")
        self.start_btn.setShortcut(QKeySequence("Ctrl+R"))
        self.start_btn.setToolTip("Train a network with these settings (Ctrl+R)")
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_btn.setToolTip("Pause / resume between mini-batches (Ctrl+P)")
        self.step_btn = QPushButton("Step")
        self.step_btn.setShortcut(QKeySequence("Ctrl+T"))
        self.step_btn.setToolTip("While paused: train exactly one more mini-batch (Ctrl+T)")
        self.stop_btn = QPushButton("Stop")
        self.stop_btn.setShortcut(QKeySequence("Ctrl+."))
        self.stop_btn.setToolTip("End the run now; the network trained so far is kept (Ctrl+.)")
        self.start_btn.clicked.connect(self.start)
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.step_btn.clicked.connect(self.step)
        self.stop_btn.clicked.connect(self.stop)
        buttons = QGridLayout()
        for i, b in enumerate((self.start_btn, self.pause_btn, self.step_btn, self.stop_btn)):
            buttons.addWidget(b, 0, i)

        self.epoch_bar = QProgressBar()
        self.epoch_bar.setFormat("epoch: %p%")
        self.epoch_bar.setToolTip("Progress through the current epoch")
        self.run_bar = QProgressBar()
        self.run_bar.setFormat("run: %p%")
        self.run_bar.setToolTip("Progress through all epochs of the run")
        self.progress_text = QLabel("Not started.")
        self.progress_text.setWordWrap(True)

        # ---------------------------------------------------------------- data and files
        self.data_label = QLabel("Data: MNIST is loaded on first use.")
        self.data_label.setWordWrap(True)
        self.download_btn = QPushButton("Download full MNIST (≈ 11 MB)")
        self.download_btn.setToolTip("The shipped sample has 12,000 images; the book uses all 70,000.\n"
                                     "Downloads the four files into your cache and checks their SHA-256.")
        self.download_btn.clicked.connect(self.start_download)
        self.download_bar = QProgressBar()
        self.download_cancel = QPushButton("Cancel")
        self.download_cancel.clicked.connect(self.cancel_download)
        drow = QHBoxLayout()
        drow.addWidget(self.download_bar, 1)
        drow.addWidget(self.download_cancel)
        self.download_row = QWidget()
        self.download_row.setLayout(drow)
        drow.setContentsMargins(0, 0, 0, 0)
        self.download_btn.setVisible(False)
        self.download_row.setVisible(False)

        self.clear_btn = QPushButton("Clear runs")
        self.clear_btn.setToolTip("Remove all curves from the plots")
        self.clear_btn.clicked.connect(self.clear_runs)
        self.export_btn = QPushButton("Export curves…")
        self.export_btn.setToolTip("Save every run's curves as CSV and the plots as PNG (Ctrl+E)")
        self.export_btn.clicked.connect(lambda: self.export())
        self.save_btn = QPushButton("Save network…")
        self.save_btn.setToolTip("Save the trained network as .npz or the book's network2.py JSON (Ctrl+S)")
        self.save_btn.clicked.connect(self._save_network)
        self.open_btn = QPushButton("Open network…")
        self.open_btn.setToolTip("Open a .npz or network2.py JSON network; tick 'Continue training' to train it")
        self.open_btn.clicked.connect(self._open_network)
        files = QGridLayout()
        files.addWidget(self.clear_btn, 0, 0)
        files.addWidget(self.export_btn, 0, 1)
        files.addWidget(self.save_btn, 1, 0)
        files.addWidget(self.open_btn, 1, 1)

        link = QLabel(f'Chapters: <a href="{chapter_url(1)}">1</a> (SGD on MNIST) · '
                      f'<a href="{chapter_url(3)}">3</a> (cost, λ, init, η) · '
                      f'<a href="{chapter_url(5)}">5</a> (learning speed)')
        link.setOpenExternalLinks(True)
        link.setWordWrap(True)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(4, 4, 4, 4)
        ll.addWidget(QLabel("<b>Preset from the book</b>"))
        ll.addWidget(self.preset)
        ll.addWidget(self.preset_info)
        box = QGroupBox("Network and hyper-parameters")
        box.setLayout(form)
        ll.addWidget(box)
        ll.addWidget(self.message)
        ll.addLayout(buttons)
        ll.addWidget(self.epoch_bar)
        ll.addWidget(self.run_bar)
        ll.addWidget(self.progress_text)
        ll.addLayout(files)
        ll.addWidget(self.data_label)
        ll.addWidget(self.download_btn)
        ll.addWidget(self.download_row)
        ll.addWidget(link)
        ll.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.setMaximumWidth(380)
        scroll.setMinimumWidth(330)
        scroll.setMaximumWidth(396)

        # ---------------------------------------------------------------- views
        self.plots = CurvePlots()
        toggles = QHBoxLayout()
        toggles.addWidget(QLabel("Show accuracy on:"))
        self.series_boxes = {}
        for key, text in (("test", "test (solid)"), ("val", "validation (dashed)"), ("train", "training (dotted)")):
            cb = QCheckBox(text)
            cb.setChecked(True)
            cb.toggled.connect(lambda on, key=key: self.plots.set_series_visible(key, on))
            self.series_boxes[key] = cb
            toggles.addWidget(cb)
        toggles.addStretch(1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.plots, 1)
        tl.addLayout(toggles)

        self.weights = WeightsView()
        self.speed = SpeedPlot()
        self.confusion = ConfusionView()
        self.gallery = MisclassifiedGallery()
        self.results_caption = QLabel("After a run: how the network does on the 10,000 test images.")
        self.results_caption.setWordWrap(True)
        results = QWidget()
        rl = QGridLayout(results)
        rl.setContentsMargins(2, 2, 2, 2)
        rl.addWidget(self.results_caption, 0, 0, 1, 2)
        rl.addWidget(self.confusion, 1, 0)
        rl.addWidget(self.gallery, 1, 1)
        rl.setColumnStretch(0, 2)
        rl.setColumnStretch(1, 3)
        self.bottom = QTabWidget()
        self.bottom.addTab(self.weights, "First-layer weights")
        self.bottom.addTab(self.speed, "Learning speed ‖δˡ‖ (ch. 5)")
        self.bottom.addTab(results, "Test results: confusion matrix, mistakes")
        self.bottom.currentChanged.connect(self._bottom_changed)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(scroll)
        layout.addWidget(split, 1)

        # ---------------------------------------------------------------- signals
        self.preset.currentIndexChanged.connect(self._on_preset)
        for w in (self.sizes, self.eta, self.lmbda):
            w.textChanged.connect(self._form_edited)
        for w in (self.m, self.epochs, self.seed, self.limit, self.early):
            w.valueChanged.connect(self._form_edited)
        for w in (self.activation, self.output, self.cost, self.init):
            w.currentIndexChanged.connect(self._form_edited)
        self.schedule.toggled.connect(self._form_edited)

    # ================================================================== form
    def _form_edited(self, *args) -> None:
        if not self._applying_preset and self.preset.currentIndex() != 0 and not self._edited:
            self._edited = True
            self.preset_info.setText(self.preset_info.text() + " <i>You changed some settings.</i>")
        self.validate_form()

    def _on_preset(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name:
            self.apply_preset(name)

    def apply_preset(self, name: str) -> None:
        """Fill the form from the book's preset ``name`` and draw its reported figure."""
        p = PRESETS[name]
        self._applying_preset = True
        try:
            i = self.preset.findData(name)
            if i != self.preset.currentIndex():
                self.preset.blockSignals(True)
                self.preset.setCurrentIndex(i)
                self.preset.blockSignals(False)
            self.sizes.setText(", ".join(str(s) for s in p.sizes))
            _select(self.activation, p.activation)
            _select(self.output, p.output)
            _select(self.cost, p.cost)
            _select(self.init, p.init)
            self.eta.setText(f"{p.eta:g}")
            self.m.setValue(p.mini_batch_size)
            self.epochs.setValue(p.epochs)
            self.lmbda.setText(f"{p.lmbda:g}")
            self.limit.setValue(p.limit or 0)
            self.early.setValue(p.early_stopping_n or 0)
            self.schedule.setChecked(bool(p.schedule))
        finally:
            self._applying_preset = False
        self._edited = False
        url = p.url or chapter_url(p.chapter)
        self.preset_info.setText(f'Book (<a href="{url}">chapter {p.chapter}</a>): {p.book_result}')
        if p.book_accuracy is not None:
            self.plots.set_reference(p.book_accuracy * 100, f"book: {p.book_accuracy:.2%} {p.book_metric}")
        else:
            self.plots.set_reference(None)
        self.validate_form()

    def request(self) -> TrainingRequest:
        """The form as a TrainingRequest; ValueError with a sentence for people on a malformed entry."""
        text = self.sizes.text().replace("[", " ").replace("]", " ").replace(",", " ").split()
        try:
            sizes = tuple(int(s) for s in text)
        except ValueError:
            raise ValueError(f"Layer sizes must be whole numbers separated by commas, e.g. 784, 30, 10 "
                             f"(got “{self.sizes.text()}”).") from None
        eta = _number(self.eta.text(), "The learning rate η")
        lmbda = _number(self.lmbda.text(), "The regularization parameter λ")
        config = TrainingConfig(
            epochs=self.epochs.value(), mini_batch_size=self.m.value(), eta=eta, lmbda=lmbda,
            early_stopping_n=self.early.value() or None, schedule=self.schedule.isChecked())
        return TrainingRequest(
            sizes=sizes, activation=self.activation.currentData(), output=self.output.currentData(),
            cost=self.cost.currentData(), init=self.init.currentData(), seed=self.seed.value(), config=config,
            limit=self.limit.value() or None, continue_training=self.continue_box.isChecked(),
            label=self._label(sizes, eta, lmbda))

    def _label(self, sizes, eta, lmbda) -> str:
        bits = [f"[{','.join(map(str, sizes))}]", f"η={eta:g}"]
        if lmbda:
            bits.append(f"λ={lmbda:g}")
        bits.append({"quadratic": "quad.", "cross-entropy": "CE", "log-likelihood": "LL"}.get(
            self.cost.currentData(), self.cost.currentData()))
        if self.init.currentData() == "large":
            bits.append("N(0,1)")
        return f"run {self.run_count + 1}: " + " ".join(bits)

    def validate_form(self) -> str | None:
        """Check the form; show the first problem next to Start and return it (None when all is well)."""
        try:
            req = self.request()
            n = len(self.mnist.training) if self.mnist is not None else 50_000
            problem = check_request(req, n)
        except ValueError as exc:
            problem = str(exc)
        self.form_problem = problem
        self.message.setText(problem or "")
        self._update_buttons()
        return problem

    # ================================================================== running
    @property
    def running(self) -> bool:
        return self.job_id is not None

    def start(self) -> None:
        if self.running:
            return
        if self.validate_form():
            return
        req = self.request()
        self.progress_text.setText("Loading MNIST…" if self.mnist is None else "Starting…")
        self.start_btn.setEnabled(False)
        self.ctx.data.get(lambda mnist: self._start_with(req, mnist), self._data_failed)

    def _start_with(self, req: TrainingRequest, mnist) -> None:
        self._set_mnist(mnist)
        problem = check_request(req, len(mnist.training))
        if problem:
            self.message.setText(problem)
            self._update_buttons()
            return
        job = self.client.start_job(
            "training", training_job, req, mnist,
            on_snapshot=self._on_snapshot, on_finished=self._on_finished, on_failed=self._on_failed,
            throttle_hz=self.SNAPSHOT_HZ)
        if job is None:
            return  # on_failed already explained (another tab's job is running); no empty run is drawn
        # Snapshots arrive through the event loop, so the run's curves exist before the first one is drawn.
        self.job_id = job
        self.run_count += 1
        dropped = self.plots.add_run(self.run_count, req.label, req.config.epochs, (req.cost, req.config.lmbda))
        self._current_run = self.run_count
        self.message.setText("")
        self.last_message = ""
        if dropped:
            self.ctx.status(f"The plots show the last {self.plots.MAX_RUNS} runs: “{dropped}” was taken off them "
                            "(Export curves… still writes it; Clear runs forgets all).")
        self.snapshot = None
        if self.bottom.currentIndex() == 2:  # old results would be stale: show the live weights instead
            self.bottom.setCurrentIndex(0)
        self._update_buttons()

    def toggle_pause(self) -> None:
        if not self.running:
            return
        if self.client.state == "paused":
            self.client.resume()
        else:
            self.client.pause()

    def step(self) -> None:
        if self.running and self.client.state == "paused":
            self.client.step()

    def stop(self) -> None:
        if self.running:
            self.client.stop()

    def _on_snapshot(self, snap) -> None:
        self._pending = snap
        if not self._draw_scheduled:
            self._draw_scheduled = True
            QTimer.singleShot(0, self._draw_pending)

    def _draw_pending(self) -> None:
        self._draw_scheduled = False
        snap, self._pending = self._pending, None
        if snap is not None:
            self.draw(snap)

    def draw(self, snap) -> None:
        """Draw one TrainingSnapshot (only the parts that changed since the last one).

        Progress is drawn for every snapshot (≤ SNAPSHOT_HZ per second); the plots and weight images at
        most PLOT_HZ times per second, the newest always drawn (a timer catches the trailing edge), and at
        once at epoch ends (at most URGENT_PLOT_HZ a second) and when the run ends: painting pyqtgraph
        items runs Python on the GUI thread, which holds the GIL, so every millisecond of it is taken from
        training.
        """
        prev = self.snapshot
        self.snapshot = snap
        self.draws += 1
        now = time.perf_counter()
        wait = self._last_plot + 1.0 / self.PLOT_HZ - now
        epoch_end = snap.urgent and now - self._last_plot >= 1.0 / self.URGENT_PLOT_HZ
        if wait <= 0 or epoch_end or snap.phase != "training":
            self._draw_plots()
        elif not self._plot_timer.isActive():  # trailing edge: the newest curves are drawn soon anyway
            self._plot_timer.start(max(1, int(wait * 1000)))
        self.epoch_bar.setValue(int(round(100 * snap.epoch_fraction)))
        self.run_bar.setValue(int(round(100 * snap.run_fraction)))
        eps = f" · {snap.examples_per_second:,.0f} examples/s" if snap.examples_per_second else ""
        text = (f"Epoch {snap.epoch + 1} / {snap.epochs} · mini-batch {snap.batch:,} / {snap.batches_per_epoch:,}"
                f" · η = {snap.eta:g}{eps}")
        rec = snap.epoch_record
        if rec is not None:
            parts = []
            if rec.test_accuracy is not None:
                parts.append(f"test {rec.test_correct:,} / {rec.test_total:,} = {rec.test_accuracy:.2%}")
            if rec.validation_accuracy is not None:
                parts.append(f"validation {rec.validation_accuracy:.2%}")
            parts.append(f"training {rec.training_accuracy:.2%}")
            text += f"\nAfter epoch {rec.epoch + 1}: " + ", ".join(parts)
        if snap.message and snap.phase not in ("training",):
            text += f"\n{snap.message}"
        self.progress_text.setText(text)
        if snap.results is not None and (prev is None or prev.results is not snap.results):
            self._show_results(snap)
        if snap.phase == "diverged":
            self.message.setText(snap.message)

    def _draw_plots(self) -> None:
        """Curves, learning speed and weight images of the newest snapshot (at most PLOT_HZ a second)."""
        self._plot_timer.stop()
        snap = self.snapshot
        if snap is None:
            return
        self._last_plot = time.perf_counter()
        self.plots.update_run(getattr(self, "_current_run", 0), snap.curves)
        if self.bottom.currentWidget() is self.speed:
            self.speed.update_curves(snap.curves)
        elif self.bottom.currentWidget() is self.weights:
            self.weights.set_weights(snap.weights)

    def _bottom_changed(self, index: int) -> None:
        if self.snapshot is not None:
            self.speed.update_curves(self.snapshot.curves)
            self.weights.set_weights(self.snapshot.weights)

    def _show_results(self, snap) -> None:
        r = snap.results
        self.confusion.set_counts(r.confusion)
        self.gallery.set_results(r)
        shown = len(r.miss_index)
        self.results_caption.setText(
            f"Test set: {r.correct:,} / {r.total:,} correct ({r.accuracy:.2%}). Confusion matrix: row = true digit, "
            f"column = the network's answer. Right: {shown} of the {r.n_misclassified:,} misclassified digits "
            "(true → answer); click one to see it large with its outputs a<sup>L</sup>.")
        self.bottom.setCurrentIndex(2)

    def _on_finished(self, final) -> None:
        self._draw_pending()
        if final is not None and final is not self.snapshot:
            self.draw(final)
        self.job_id = None
        if final is not None:
            self.last_message = final.message
            if final.phase == "diverged":
                self.message.setText(final.message)
                self.ctx.status(final.message)
            else:
                self.ctx.status(final.message)
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.job_id = None
        self.last_message = message
        self.message.setText(message)
        self.ctx.status(f"Training: {message}")
        self._update_buttons()

    def _on_job_state(self, state: str) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        mine = self.running
        busy = self.client.busy
        paused = mine and self.client.state == "paused"
        self.start_btn.setEnabled(not busy and not getattr(self, "form_problem", None))
        self.pause_btn.setEnabled(mine)
        self.pause_btn.setText("Resume" if paused else "Pause")
        self.step_btn.setEnabled(paused)
        self.stop_btn.setEnabled(mine)
        self.download_btn.setEnabled(not busy)

    def clear_runs(self) -> None:
        """Remove every run's curves (the current run keeps drawing into a fresh curve)."""
        current = getattr(self, "_current_run", None)
        self.plots.clear_runs()
        if self.running and current is not None and self.snapshot is not None:
            self.plots.add_run(current, self.snapshot.label, self.snapshot.epochs)
            self.plots.update_run(current, self.snapshot.curves)

    # ================================================================== data
    def _data_failed(self, message: str) -> None:
        self.progress_text.setText("")
        self.message.setText(f"Could not load MNIST: {message}")
        self._update_buttons()

    def _on_data_loaded(self, mnist) -> None:
        self._set_mnist(mnist)

    def _set_mnist(self, mnist) -> None:
        self.mnist = mnist
        n = len(mnist.training)
        self.data_label.setText(
            f"Data: {mnist.source} — {n:,} training, {len(mnist.validation):,} validation, "
            f"{len(mnist.test):,} test images. MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0).")
        self.download_btn.setVisible(bool(mnist.is_sample) and self.download_id is None)
        self.validate_form()

    def start_download(self) -> None:
        if self.download_id is not None:
            return
        self.download_bar.setRange(0, 0)
        self.download_row.setVisible(True)
        self.download_btn.setVisible(False)
        job = self.client.start_job(
            "download", download_job, self.download_dest, self.download_mirrors, self.download_sha256,
            self.download_sizes, on_snapshot=self._on_download_progress, on_finished=self._on_download_done,
            on_failed=self._on_download_failed)
        if job is not None:
            self.download_id = job
        self._update_buttons()

    def cancel_download(self) -> None:
        if self.download_id is not None:
            self.client.stop()

    def _on_download_progress(self, p) -> None:
        if p.total:
            self.download_bar.setRange(0, 1000)
            self.download_bar.setValue(int(1000 * p.done / p.total))
            self.download_bar.setFormat(f"{p.done / 2**20:.1f} / {p.total / 2**20:.1f} MB")
        self.data_label.setText(f"Downloading full MNIST: {p.message}")

    def _on_download_done(self, final) -> None:
        self.download_id = None
        self.download_row.setVisible(False)
        if final is None or final.error:
            msg = final.error if final is not None else "Download cancelled."
            self.data_label.setText(f"Full MNIST not downloaded: {msg} Still using the sample.")
            self.download_btn.setVisible(True)
        else:
            self.data_label.setText("Full MNIST downloaded and verified; loading it…")
            self.ctx.data.set_path(None)
            self.ctx.data.get(self._set_mnist, self._data_failed)
        self._update_buttons()

    def _on_download_failed(self, message: str) -> None:
        self._on_download_done(type("Failed", (), {"error": message})())

    # ================================================================== files
    def export(self, path=None) -> list[str]:
        """Save the curves of every run as CSV and the plots as PNG next to it; returns the paths written."""
        if not isinstance(path, (str, os.PathLike)) or not str(path):
            if os.environ.get("NNDL_NO_DIALOGS"):
                self.ctx.status("Export: no file chosen.")
                return []
            path, _ = QFileDialog.getSaveFileName(self, "Export curves", "training-curves.csv", "CSV (*.csv)")
            if not path:
                return []
        if not self.plots.runs:
            self.ctx.error("Nothing to export", "Train a network first: there are no curves yet.")
            return []
        csv_path = Path(path).with_suffix(".csv")
        png_path = Path(path).with_suffix(".png")
        try:
            n = self.plots.export_csv(str(csv_path))
            if not self.plots.grab().save(str(png_path)):
                raise OSError(f"could not write {png_path}")
        except OSError as exc:
            self.ctx.error("Could not export the curves", str(exc))
            return []
        self.ctx.status(f"Exported {n:,} points to {csv_path} and the plots to {png_path.name}")
        return [str(csv_path), str(png_path)]

    def _save_network(self) -> None:
        window = getattr(self.ctx, "main_window", None)
        if window is not None:
            window.save_network()

    def _open_network(self) -> None:
        window = getattr(self.ctx, "main_window", None)
        if window is not None:
            window.open_network()
            self.continue_box.setChecked(True)

    # ================================================================== settings
    FIELDS = ("sizes", "eta", "lmbda")
    SPINS = ("m", "epochs", "seed", "limit", "early")
    COMBOS = ("activation", "output", "cost", "init")

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("preset", self.preset.currentData() or "")
        for name in self.FIELDS:
            settings.setValue(name, getattr(self, name).text())
        for name in self.SPINS:
            settings.setValue(name, getattr(self, name).value())
        for name in self.COMBOS:
            settings.setValue(name, getattr(self, name).currentData())
        settings.setValue("schedule", self.schedule.isChecked())
        settings.setValue("continue", self.continue_box.isChecked())
        settings.setValue("bottom_tab", self.bottom.currentIndex())
        for key, cb in self.series_boxes.items():
            settings.setValue(f"show_{key}", cb.isChecked())

    def restore_settings(self, settings: QSettings) -> None:
        preset = settings.value("preset", "")
        if preset and preset in PRESETS:
            self.apply_preset(str(preset))
        self._applying_preset = True
        try:
            for name in self.FIELDS:
                v = settings.value(name)
                if isinstance(v, str):
                    getattr(self, name).setText(v)
            for name in self.SPINS:
                spin = getattr(self, name)
                spin.setValue(int_setting(settings, name, spin.value()))
            for name in self.COMBOS:
                v = settings.value(name)
                if v is not None:
                    _select(getattr(self, name), str(v))
            self.schedule.setChecked(_bool(settings.value("schedule", False)))
            self.continue_box.setChecked(_bool(settings.value("continue", False)))
            self.bottom.setCurrentIndex(int_setting(settings, "bottom_tab", 0))
            for key, cb in self.series_boxes.items():
                cb.setChecked(_bool(settings.value(f"show_{key}", True)))
        finally:
            self._applying_preset = False
        self.validate_form()

    def shutdown(self) -> None:
        self._pending = None  # the client's shutdown stops and joins the running job
        self._plot_timer.stop()
        self.job_id = None


def _number(text: str, what: str) -> float:
    t = text.strip().replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        raise ValueError(f"{what} must be a number such as 0.5 (got “{text}”).") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number (got “{text}”).")
    return value


def _bool(v) -> bool:
    if isinstance(v, str):
        return v.lower() in ("1", "true", "yes")
    return bool(v)
