"""The Training tab: train a network on MNIST and watch it learn (chapters 1, 3 and 5).

A form holds every hyper-parameter of the engine and is checked as you type; the book's presets fill
it and draw the book's figure as a reference line.  Training runs on the one engine worker
(``nndl_gui.jobs.training.training_job``); this tab only draws the snapshots it sends: live cost and
accuracy curves (runs overlaid), chapter 5's learning speed, first-layer weights, and after a run
the test set's confusion matrix and misclassified digits.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import chapter_url
from ...jobs.training import (
    WATCH_SPEEDS,
    Pace,
    TrainingRequest,
    check_request,
    data_plan,
    sample_words,
    training_job,
    watch_rate,
)
from ...jobs.estimate import duration, time_left
from ...widgets.images import ConfusionView, MisclassifiedGallery, WeightsView
from ...widgets.plots import CurvePlots, SpeedPlot
from ...widgets.wheel_guard import guard_wheel
from ...settings import TabSettings
from ..base import Tab
from .conv_view import ConvFiltersView, ConvPanel
from .download import DownloadRow
from .estimate import EstimateLabel
from .figures import BookFigureQueue
from .files import RunFiles
from .form import TrainingForm

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
        self._preset = None  # the book's preset last applied (its figure is the reference line)
        self.pace = Pace()  # the watch speed, read by the running job between mini-batches
        self._build()
        self.client.jobStateChanged.connect(self._on_job_state)
        ctx.data.loaded.connect(self._on_data_loaded)
        if getattr(ctx.data, "mnist", None) is not None:
            self._set_mnist(ctx.data.mnist)
        else:
            self._show_data_plan(ctx.data.path)
        self.form.validate_form()
        self._update_buttons()

    # ================================================================== layout
    def _build(self) -> None:
        self.plots = CurvePlots()
        self.form = TrainingForm()
        # Save / Open below the scrolling column: in view however long the progress text grows
        self.files = RunFiles(self.ctx, self.plots, self.form, self.clear_runs)
        self.clear_btn, self.export_btn = self.files.clear_btn, self.files.export_btn
        self.save_btn, self.open_btn = self.files.save_btn, self.files.open_btn
        self.form.validated.connect(self._on_form_validated)
        self.form.presetApplied.connect(self._on_preset_applied)

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
        self.watch = QComboBox()
        for key, _rate, text in WATCH_SPEEDS:
            self.watch.addItem(text, key)
        self.watch.setToolTip("Full speed, or slowed to a rate you can follow: the curves then grow within each "
                              "epoch and there is time to Pause and Step.  Can be changed during a run.")
        self.watch.currentIndexChanged.connect(self._on_watch)
        buttons.addWidget(QLabel("Watch speed"), 1, 0)
        buttons.addWidget(self.watch, 1, 1, 1, 3)

        self.epoch_bar = QProgressBar()
        self.epoch_bar.setToolTip("Progress through the current epoch")
        self.run_bar = QProgressBar()
        self.run_bar.setToolTip("Progress through all epochs of the run")
        for bar, what in ((self.epoch_bar, "epoch"), (self.run_bar, "run")):
            bar.setValue(0)  # a bar with no value shows no text at all
            bar.setFormat(f"{what}: not started")
        self.progress_text = QLabel("Not started.")
        self.progress_text.setWordWrap(True)
        self.step_text = QLabel("")  # what the last mini-batch trained by Step did
        self.step_text.setWordWrap(True)
        self.step_text.setVisible(False)
        self.estimate = EstimateLabel(self.client)  # layer stacks: how long a run takes, before Start

        # ---------------------------------------------------------------- data and files
        self.data_label = QLabel("Data: MNIST is loaded on first use.")
        self.data_label.setWordWrap(True)
        self.download = DownloadRow(self.client)
        self.download.message.connect(self.data_label.setText)
        self.download.message.connect(self._on_download_message)
        self.download.downloaded.connect(self._on_downloaded)
        self.download.busyChanged.connect(self._update_buttons)
        # At the top of the panel, seen at the window's minimum size: the sample is not the book's data
        # (with the download button), or why no data can be found (e.g. --data names an empty folder).
        self.data_banner = QFrame()
        self.data_banner.setObjectName("dataBanner")
        self.data_banner.setStyleSheet("QFrame#dataBanner { background: #fff4ce; border: 1px solid #e0c060; }")
        self.banner_text = QLabel("")
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bl = QVBoxLayout(self.data_banner)
        bl.setContentsMargins(6, 4, 6, 4)
        bl.addWidget(self.banner_text)
        bl.addWidget(self.download)
        self.data_banner.setVisible(False)

        link = QLabel(f'Chapters: <a href="{chapter_url(1)}">1</a> (SGD on MNIST) · '
                      f'<a href="{chapter_url(3)}">3</a> (cost, λ, init, η) · '
                      f'<a href="{chapter_url(5)}">5</a> (learning speed)')
        link.setOpenExternalLinks(True)
        link.setWordWrap(True)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(4, 4, 4, 4)
        ll.addWidget(self.data_banner)
        ll.addWidget(self.form)
        self.form.add_below_preset(self.estimate)
        ll.addLayout(buttons)
        ll.addWidget(self.epoch_bar)
        ll.addWidget(self.run_bar)
        ll.addWidget(self.progress_text)
        ll.addWidget(self.step_text)
        ll.addWidget(self.files.curves_row)
        ll.addWidget(self.data_label)
        ll.addWidget(link)
        ll.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.setMaximumWidth(380)
        scroll.setMinimumWidth(330)
        scroll.setMaximumWidth(396)
        guard_wheel(scroll)  # scrolling down to Start never turns η, m or the epochs on the way
        column = QVBoxLayout()
        column.setSpacing(0)
        column.addWidget(scroll, 1)
        column.addWidget(self.files)

        # ---------------------------------------------------------------- views
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
        self.figures = BookFigureQueue(self)  # chapter 3's comparison figures, one click each
        toggles.addWidget(self.figures.button)
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
        self.conv_view = ConvFiltersView()  # chapter 6: filters and feature maps (index 3)
        self.conv = ConvPanel(self.client, self.conv_view)
        self.bottom.addTab(self.conv_view, "Conv filters, feature maps (ch. 6)")
        self.bottom.currentChanged.connect(self._bottom_changed)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(column)
        layout.addWidget(split, 1)

    def _on_preset_applied(self, p) -> None:
        """Draw the book's reported figure of the preset as a reference line."""
        self._preset = p
        self._show_reference()

    def _show_reference(self) -> None:
        """The book's figure as a reference line; with the sample, its words say it is not the book's data."""
        p = self._preset
        if p is None or p.book_accuracy is None:
            self.plots.set_reference(None)
            return
        text = f"book: {p.book_accuracy:.2%} {p.book_metric}"
        # Before MNIST is loaded, the files it would load say whether it is the sample (--data, NNDL_DATA_DIR)
        if self.mnist.is_sample if self.mnist is not None else data_plan(self.ctx.data.path)[0]:
            text += f" on full MNIST — you are training on {sample_words(self.mnist)}"
        self.plots.set_reference(p.book_accuracy * 100, text)
        self.plots.acc.getPlotItem().getAxis("right").setToolTip(text)  # hovering the line's "book" label

    def _on_form_validated(self, problem) -> None:
        self._update_buttons()
        self.plots.plan(self.form.epochs.value())  # the empty plots' epoch axis, before any run
        stack = problem is None and self.form.is_stack and not self.running
        if stack and self.mnist is None:
            self.ctx.data.get(lambda mnist: None, lambda msg: None)  # the estimate's image counts (see Start)
        self.estimate.refresh(self.form.request() if stack else None, self.mnist, self.form.n_available)

    def _on_watch(self, index: int) -> None:
        self.pace.rate = watch_rate(self.watch.itemData(index))

    # ================================================================== running
    @property
    def running(self) -> bool:
        return self.job_id is not None

    def start(self) -> None:
        if self.running:
            return
        if self.form.validate_form():
            return
        req = self.form.request(self.run_count + 1)
        self.progress_text.setText("Loading MNIST…" if self.mnist is None else "Starting…")
        self.start_btn.setEnabled(False)
        self.ctx.data.get(lambda mnist: self._start_with(req, mnist), self._data_failed)

    def _start_with(self, req: TrainingRequest, mnist) -> None:
        self._set_mnist(mnist)
        problem = check_request(req, len(mnist.training))
        if problem:
            self.form.message.setText(problem)
            self._update_buttons()
            return
        if req.layers:
            req = replace(req, probe=self.conv.probe)  # the feature maps' digit, changeable while it trains
        job = self.client.start_job(
            "training", training_job, req, mnist, self.pace,
            on_snapshot=self._on_snapshot, on_finished=self._on_finished, on_failed=self._on_failed,
            throttle_hz=self.SNAPSHOT_HZ)
        if job is None:
            return  # on_failed already explained (another tab's job is running); no empty run is drawn
        if req.layers:  # a layer stack's first layer is conv filters, not 28×28 weight images
            self.weights.image.clear()
            self.weights.caption.setText("A layer stack begins with conv filters: see “Conv filters, feature maps”.")
            if self.bottom.currentIndex() in (0, 2):
                self.bottom.setCurrentIndex(3)
        # Snapshots arrive through the event loop, so the run's curves exist before the first one is drawn.
        self.job_id = job
        self.run_count += 1
        self.epoch_bar.setFormat("epoch: %p%")
        self.run_bar.setFormat("run: %p%")
        dropped = self.plots.add_run(self.run_count, req.label, req.config.epochs, (req.cost, req.config.lmbda))
        self._current_run = self.run_count
        self.form.message.setText("")
        self.last_message = ""
        if dropped:
            self.ctx.status(f"The plots show the last {self.plots.MAX_RUNS} runs: “{dropped}” was taken off them "
                            "(Export curves… still writes it; Clear runs forgets all).")
        self.snapshot = None
        if self.bottom.currentIndex() == 2:  # old results would be stale: show the live weights instead
            self.bottom.setCurrentIndex(0)
        self._on_job_state("running")

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
        paused = self.running and self.client.state == "paused"
        eps = (f" · {snap.examples_per_second:,.0f} examples/s"
               if snap.examples_per_second and snap.phase == "training" and not paused else "")
        left = time_left(snap.epoch, snap.batch, snap.epochs, snap.batches_per_epoch, snap.n_train,
                         snap.examples_per_second) if eps else None
        eps += f" · ≈ {duration(left)} left" if left is not None else ""
        # Epochs counted from 0, as the book prints "Epoch 0: 9129 / 10000" and the engine's messages do.
        text = (f"Epoch {snap.epoch} (of 0–{snap.epochs - 1}) · mini-batch {snap.batch:,} / "
                f"{snap.batches_per_epoch:,} · η = {snap.eta:g}{eps}")
        rec = snap.epoch_record
        if rec is not None:
            parts = []
            if rec.test_accuracy is not None:
                parts.append(f"test {rec.test_correct:,} / {rec.test_total:,} = {rec.test_accuracy:.2%}")
            if rec.validation_accuracy is not None:
                parts.append(f"validation {rec.validation_accuracy:.2%}")
            parts.append(f"training {rec.training_accuracy:.2%}")
            text += f"\nEpoch {rec.epoch} done: " + ", ".join(parts)
        if snap.best is not None and snap.phase == "training":
            text += f"\n{snap.best.text()}."
        if snap.message and snap.phase not in ("training",):
            text += f"\n{snap.message}"
        self.progress_text.setText(text)
        self._show_step(snap.step)
        if snap.results is not None and (prev is None or prev.results is not snap.results):
            self._show_results(snap)
        if snap.phase == "diverged":
            self.form.message.setText(snap.message)

    def _show_step(self, step) -> None:
        """What the mini-batch trained by Step did: its cost, its accuracy, how far w and b moved."""
        if step is None:
            self.step_text.setVisible(False)
            return
        self.step_text.setText(
            f"<b>Step</b>: mini-batch {step.batch:,} of epoch {step.epoch} ({step.size} images). "
            f"On these images: cost C {step.cost_before:.4g} → {step.cost_after:.4g}, "
            f"right {step.correct_before} → {step.correct_after} of {step.size}. "
            f"The weights moved ‖Δw‖ = {step.delta_w:.3g}, the biases ‖Δb‖ = {step.delta_b:.3g}.")
        self.step_text.setVisible(True)

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
        elif self.bottom.currentWidget() is self.conv_view:
            self.conv_view.set_view(snap.conv)

    def _bottom_changed(self, index: int) -> None:
        if self.snapshot is not None:
            self.speed.update_curves(self.snapshot.curves)
            self.weights.set_weights(self.snapshot.weights)
            self.conv_view.set_view(self.snapshot.conv)

    def _show_results(self, snap) -> None:
        r = snap.results
        self.confusion.set_counts(r.confusion)
        self.gallery.set_results(r)
        shown = len(r.miss_index)
        self.results_caption.setText(
            f"Test set: {r.correct:,} / {r.total:,} correct ({r.accuracy:.2%}). Confusion matrix: row = true digit, "
            f"column = the network's answer. Right: {shown} of the {r.n_misclassified:,} misclassified digits "
            "(true → answer); click one to see it large with its outputs a<sup>L</sup>."
            + (f" {snap.best.text()} (as network3.py reports)." if snap.best is not None else ""))
        self.bottom.setCurrentIndex(2)

    def _on_finished(self, final) -> None:
        self._draw_pending()
        if final is not None and final is not self.snapshot:
            self.draw(final)
        self.job_id = None
        if final is not None:
            self.last_message = final.message
            if final.phase == "diverged":
                self.form.message.setText(final.message)
            sample = (f" (trained on {sample_words(self.mnist)}, not the book's full MNIST)"
                      if self.mnist is not None and self.mnist.is_sample else "")
            self.ctx.status(final.message + sample)
        self._on_job_state("idle")

    def _on_failed(self, message: str) -> None:
        self.job_id = None
        self.last_message = message
        self.form.message.setText(message)
        self.ctx.status(f"Training: {message}")
        self._on_job_state("idle")

    def _on_job_state(self, state: str) -> None:
        self._on_form_validated(self.form.form_problem)  # the buttons, and the estimate only when idle

    def _update_buttons(self) -> None:
        mine = self.running
        busy = self.client.busy
        paused = mine and self.client.state == "paused"
        self.start_btn.setEnabled(not busy and not self.form.form_problem)
        self.pause_btn.setEnabled(mine)
        self.pause_btn.setText("Resume" if paused else "Pause")
        self.step_btn.setEnabled(paused)
        self.stop_btn.setEnabled(mine)
        self.download.set_enabled(not busy)

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
        self.form.message.setText(f"Could not load MNIST: {message}")
        self._show_banner(f"<b>Could not load MNIST</b>: {message}", offer_download=False)
        self._update_buttons()

    def _show_data_plan(self, path) -> None:
        """Before MNIST is loaded: say at once which data a run would use, or why there is none."""
        is_sample, problem = data_plan(path)
        if problem:
            self.data_label.setText(problem)
            self._show_banner(f"<b>{problem}</b> Runs cannot start until the folder has the four MNIST files "
                              "(or start without --data to use the bundled sample).", offer_download=False)
        elif is_sample:
            self._show_sample_banner()

    def _show_sample_banner(self) -> None:
        self._show_banner(f"You are training on {sample_words(self.mnist)}, not the book's 70,000 MNIST "
                          "images: accuracies stay below the book's.", offer_download=True)

    def _show_banner(self, text: str, offer_download: bool) -> None:
        self.banner_text.setText(text)
        self.download.offer(offer_download)
        self.data_banner.setVisible(True)

    def _on_download_message(self, text: str) -> None:
        if self.data_banner.isVisible():
            self.banner_text.setText(text)

    def _on_data_loaded(self, mnist) -> None:
        self._set_mnist(mnist)

    def _set_mnist(self, mnist) -> None:
        self.mnist = mnist
        n = len(mnist.training)
        self.data_label.setText(
            f"Data: {mnist.source} — {n:,} training, {len(mnist.validation):,} validation, "
            f"{len(mnist.test):,} test images. MNIST: LeCun, Cortes, Burges (CC BY-SA 3.0).")
        if mnist.is_sample:
            self._show_sample_banner()
        else:
            self.download.offer(False)
            self.data_banner.setVisible(self.download.download_id is not None)
        self._show_reference()
        self.form.set_available(n)
        self.conv.set_validation(mnist.validation)

    def _on_downloaded(self) -> None:
        self.ctx.data.set_path(None)
        self.ctx.data.get(self._set_mnist, self._data_failed)

    # ================================================================== files
    def export(self, path=None) -> list[str]:
        return self.files.export(path)

    # ================================================================== settings
    def save_settings(self, settings: TabSettings) -> None:
        self.form.save_settings(settings)
        settings.set("bottom_tab", self.bottom.currentIndex())
        settings.set("probe", self.conv.probe.index)
        for key, cb in self.series_boxes.items():
            settings.set(f"show_{key}", cb.isChecked())
        settings.set("watch", self.watch.currentData())

    def restore_settings(self, settings: TabSettings) -> None:
        self.form.restore_settings(settings)
        self.bottom.setCurrentIndex(settings.get("bottom_tab"))
        self.conv_view.digit.setValue(settings.get("probe"))
        for key, cb in self.series_boxes.items():
            cb.setChecked(settings.get(f"show_{key}"))
        self.watch.setCurrentIndex(max(0, self.watch.findData(settings.get("watch"))))

    def shutdown(self) -> None:
        self._pending = None  # the client's shutdown stops and joins the running job
        self._plot_timer.stop()
        self.job_id = None
