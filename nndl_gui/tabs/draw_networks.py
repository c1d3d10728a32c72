"""The Draw tab's network selector: which network reads the drawing.

Choices: the shipped conv networks (the default when resources/conv-drawn.npz or conv-expanded.npz is there), the shipped fully
connected one, the last network trained in the Training tab, any network opened (File ▸ Open or "Open
files…" here) and an ensemble when several files are opened at once (each member answers, the majority
decides, chapter 6).  Files are read on the engine worker (``jobs.draw.load_networks``); the chooser
keeps the networks it has loaded and says which one reads, with its test accuracy when known.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox

from ..jobs.draw import Ensemble, load_networks, network_problem, shipped_networks
from ..widgets.network_files import ask_network_files

OPEN = ("open",)
KIND_NAMES = {"drawn": "shipped conv net trained on drawn-like digits", "conv": "shipped conv net",
              "fc": "shipped fully connected net"}
# the selector's own words: short enough to be read whole in it (the sentence beside it says the rest)
ITEM_NAMES = {"drawn": "Shipped conv net, drawn digits", "conv": "Shipped conv net, the book's",
              "fc": "Shipped fully connected net"}


def describe(net) -> str:
    """A network in a few words: a conv net by its layers (conv 20×5×5 pool 2 relu → … → softmax 10), as the
    Training tab's layer stack says it; a fully connected one by its sizes."""
    if hasattr(net, "describe") and hasattr(net, "layers"):
        return net.describe()
    return f"{net.sizes} {getattr(getattr(net, 'activation', None), 'name', '')}".strip()


class NetworkChooser(QObject):
    """A QComboBox of networks; emits ``chosen(net, text)`` when the reading network changes."""

    chosen = Signal(object, str)
    failed = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.combo = QComboBox()
        self.combo.setToolTip("Which network reads the drawing: a shipped one, the last one trained, a file "
                              "you opened, or several files at once (an ensemble that votes).")
        self.combo.setMinimumContentsLength(28)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.nets: dict = {}  # choice key → network (or Ensemble), once loaded
        self.texts: dict = {}  # choice key → "which network is reading" sentence
        self._pending: dict = {}  # task id → key
        for s in shipped_networks():
            acc = f"{s.accuracy:.2%} on the MNIST test set" if s.accuracy is not None else "test accuracy not stated"
            key = ("shipped", s.key)
            self.texts[key] = f"{KIND_NAMES[s.key]}: resources/{Path(s.path).name}, {acc}"
            short = f" · {s.accuracy:.2%}" if s.accuracy is not None else ""
            self.combo.addItem(f"{ITEM_NAMES[s.key]}{short}", key)
            self.combo.setItemData(self.combo.count() - 1, self.texts[key].capitalize(), Qt.ItemDataRole.ToolTipRole)
        self.combo.addItem("Open files… (several: an ensemble)", OPEN)
        self._last = 0
        self.combo.activated.connect(self._on_activated)

    # ------------------------------------------------------------------ choosing
    def current_key(self):
        return self.combo.currentData()

    def start(self) -> None:
        """Load the default (first) choice."""
        if self.combo.count() > 1:
            self.select(0)
        else:
            self.failed.emit("no network is shipped in resources/")

    def select(self, index: int) -> None:
        self.combo.setCurrentIndex(index)
        self._on_activated(index)

    def _on_activated(self, index: int) -> None:
        key = self.combo.itemData(index)
        if key == OPEN:
            self.combo.setCurrentIndex(self._last)
            paths = ask_network_files(self.combo, self.ctx.settings, "Open networks (several: an ensemble)")
            if paths:
                self.open_files(paths)
            return
        self._last = index
        if key in self.nets:
            self.chosen.emit(self.nets[key], self.texts[key])
            return
        if key[0] == "shipped":
            path = next(s.path for s in shipped_networks() if s.key == key[1])
            self._load(key, [str(path)])
        elif key[0] in ("file", "ensemble"):
            self._load(key, list(key[1]))

    def _load(self, key, paths) -> None:
        task = self.ctx.client.run_task(load_networks, paths, on_result=lambda nets: self._loaded(key, nets),
                                        on_error=self.failed.emit)
        self._pending[task] = key

    def _loaded(self, key, nets) -> None:
        if key[0] == "ensemble":
            names = tuple(Path(p).stem for p in key[1])
            net = Ensemble(tuple(nets), names)
            self.texts[key] = f"an ensemble of {len(nets)} networks that vote: " + ", ".join(names)
            self.combo.setItemData(self.combo.findData(key), "\n".join(
                f"{n}: {describe(m)}" for n, m in zip(names, nets)), Qt.ItemDataRole.ToolTipRole)
        else:
            net = nets[0]
            self.texts.setdefault(key, f"{Path(key[1][0]).name}: {describe(net)}")
        self.nets[key] = net
        if self.current_key() == key:
            self.chosen.emit(net, self.texts[key])

    # ------------------------------------------------------------------ adding choices
    def open_files(self, paths) -> None:
        """One file: a network; several: an ensemble of them."""
        paths = tuple(str(p) for p in paths)
        if len(paths) == 1:
            key = ("file", paths)
            text = f"Opened: {Path(paths[0]).name}"
        else:
            key = ("ensemble", paths)
            text = f"Ensemble of {len(paths)}: " + ", ".join(Path(p).stem for p in paths)
        self._add(key, text)

    def _add(self, key, text, net=None, sentence: str | None = None) -> None:
        index = self.combo.findData(key)
        if index < 0:
            index = self.combo.count() - 1  # before "Open files…"
            self.combo.insertItem(index, text, key)
        else:
            self.combo.setItemText(index, text)
        if net is not None:
            self.nets[key] = net
            self.texts[key] = sentence or text
        self.select(index)

    def adopt_shared(self, shared) -> bool:
        """A network trained or opened elsewhere in the app becomes a choice (and is chosen)."""
        problem = network_problem(shared.network)
        if problem:
            return False
        if shared.source == "training":
            said = "Training tab" in shared.description  # the training job's description may say it already
            self._add(("trained",), "Last trained network", shared.network,
                      shared.description if said else f"{shared.description} (the last network trained in the "
                                                      "Training tab)")
        elif shared.source == "file":
            self._add(("shared-file", shared.version), f"Opened: {shared.description}"[:70], shared.network,
                      f"{shared.description} (opened from a file)")
        else:
            return False
        return True
