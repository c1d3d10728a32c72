"""The book's training experiments as named presets, each with the figure the book reports.

Every row of the headline-results table in chapters 1, 3 and 5 that this app's fully connected engine can
run is a ``Preset``: the architecture, the hyper-parameters (η, m, λ, epochs, ...), and the book's result
as text (``book_result``) and, where the book gives one number, as a fraction (``book_accuracy``) measured
on ``book_metric`` ("test" or "validation").  The trainer (``python -m nndl_gui train --preset ch1-30``)
and the GUI's Training tab fill their settings from a preset and draw ``book_accuracy`` as a reference line.

Source: Michael Nielsen, *Neural Networks and Deep Learning*, chapters 1, 3 and 5
(http://neuralnetworksanddeeplearning.com/).  Chapter 6's presets (``layers`` set) run on the layer
engine of network3.py (engine.convnet): conv-pool, fully connected and softmax layers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .engine.network import INITS, validate_sizes
from .engine.training import TrainingConfig

__all__ = ["Preset", "PRESETS", "CH6_PRESETS", "ALL_PRESETS", "get_preset", "preset_names"]

BOOK_URL = "http://neuralnetworksanddeeplearning.com/chap{}.html"
from .data.mnist import CLASSES as MNIST_OUTPUTS, PIXELS as MNIST_INPUTS  # noqa: E402
METRICS = ("test", "validation")


@dataclass(frozen=True)
class Preset:
    """One experiment from the book: what to train and what the book got."""

    name: str  # short kebab-case key, e.g. "ch1-30"
    title: str  # one line for menus
    chapter: int
    sizes: tuple[int, ...]
    activation: str = "sigmoid"  # hidden layers
    output: str = "sigmoid"
    cost: str = "quadratic"
    init: str = "large"  # "large" N(0,1) (chapter 1) or "default" N(0,1/n_in) weights (chapter 3)
    eta: float = 3.0
    mini_batch_size: int = 10
    epochs: int = 30
    lmbda: float = 0.0
    limit: int | None = None  # use only the first `limit` training images (None: all 50,000)
    early_stopping_n: int | None = None
    schedule: bool = False
    l1: float = 0.0  # λ₁ of L1 regularization
    momentum: float = 0.0  # μ of momentum-based gradient descent
    # p: dropout of the hidden units (chapter 3, fully connected) or of the fc / softmax layers' inputs
    # (chapter 6, a layer stack: its default for every such layer).
    dropout: float = 0.0
    book_result: str = ""  # the book's figure as text, e.g. "95.42% test (peak, epoch 28)"
    book_accuracy: float | None = None  # the same as a fraction 0-1, None when the book gives no single number
    book_metric: str = "test"  # which set book_accuracy is measured on: "test" or "validation"
    url: str = ""
    # Chapter 6 (engine.convnet): a layer stack in the trainer's --layers syntax, e.g.
    # "conv20x5-pool2,fc100,softmax10"; ``activation`` is its default activation and ``dropout`` the
    # default dropout of its fc/softmax layers.  Empty for the fully connected engine of chapters 1-5.
    layers: str = ""
    expanded: bool = False  # train on the 250,000 1-pixel-shift expanded images (data.expand)
    ensemble: int = 0  # train this many networks (seeds seed, seed+1, ...) and take their majority vote

    def layer_spec(self) -> list[dict] | None:
        """The chapter-6 layer spec (engine.convnet), or None for a fully connected preset."""
        if not self.layers:
            return None
        from .engine.convnet import parse_layers

        return parse_layers(self.layers, self.activation, self.dropout)

    def training_config(self) -> TrainingConfig:
        """The engine's hyper-parameters for this preset (not yet validated against a data set)."""
        return TrainingConfig(
            epochs=self.epochs,
            mini_batch_size=self.mini_batch_size,
            eta=self.eta,
            lmbda=self.lmbda,
            early_stopping_n=self.early_stopping_n,
            schedule=self.schedule,
            l1=self.l1,
            momentum=self.momentum,
            dropout=self.dropout,
        )

    def network_kwargs(self) -> dict:
        """Keyword arguments for ``Network(**preset.network_kwargs(), rng=...)``."""
        return {
            "sizes": list(self.sizes),
            "activation": self.activation,
            "output": self.output,
            "cost": self.cost,
            "init": self.init,
        }

    def validate(self) -> "Preset":
        """Raise ValueError if the preset could not run on MNIST; return it otherwise."""
        sizes = validate_sizes(self.sizes)
        if self.layers:
            from .engine.convnet import spec_sizes

            if spec_sizes(self.layer_spec()) != sizes:
                raise ValueError(f"preset {self.name}: sizes {sizes} do not match layers {self.layers}")
        if sizes[0] != MNIST_INPUTS or sizes[-1] != MNIST_OUTPUTS:
            raise ValueError(f"preset {self.name}: MNIST needs sizes [784, ..., 10], got {sizes}")
        if self.init not in INITS:
            raise ValueError(f"preset {self.name}: unknown init {self.init!r}")
        if self.book_metric not in METRICS:
            raise ValueError(f"preset {self.name}: book_metric must be one of {METRICS}")
        if self.book_accuracy is not None and not 0.0 <= self.book_accuracy <= 1.0:
            raise ValueError(f"preset {self.name}: book_accuracy is a fraction 0-1, got {self.book_accuracy}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"preset {self.name}: limit must be at least 1, got {self.limit}")
        self.training_config().validate(self.limit or 50_000)
        return self

    def with_overrides(self, **changes) -> "Preset":
        """A copy with some fields changed (the trainer's explicit flags); None values are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _p(name: str, title: str, chapter: int, sizes, **kw) -> Preset:
    return Preset(name=name, title=title, chapter=chapter, sizes=tuple(sizes), url=BOOK_URL.format(chapter), **kw)


_CH3_CE = {"cost": "cross-entropy"}

# ---------------------------------------------------------------- chapter 6: network3.py (engine.convnet)
# The book's table (BOOK.md): all m = 10, log-likelihood cost, softmax output; test accuracy at the
# epoch of best validation accuracy.
_CONV1 = "conv20x5-pool2"
_CONV2 = "conv20x5-pool2,conv40x5-pool2"
_CH6_NET = {"output": "softmax", "cost": "log-likelihood", "init": "default"}


def _ch6(name: str, title: str, sizes, layers: str, **kw) -> Preset:
    return _p(name, title, 6, sizes, layers=layers, **_CH6_NET, **kw)


_CH6 = [
    _ch6("ch6-conv", "Chapter 6: conv 20×5×5 + max-pool 2×2, FC 100, softmax; sigmoid, η=0.1", (784, 2880, 100, 10),
         f"{_CONV1},fc100,softmax10", eta=0.1, epochs=60, book_result="98.78% test", book_accuracy=0.9878),
    _ch6("ch6-conv-only", "Chapter 6: conv 20×5×5 + max-pool, straight to softmax (no FC layer)", (784, 2880, 10),
         f"{_CONV1},softmax10", eta=0.1, epochs=60,
         book_result="worse than with the fully connected layer (no figure given)", book_accuracy=None),
    _ch6("ch6-dbl-conv", "Chapter 6: two conv-pool layers (20, 40 filters), FC 100, softmax; sigmoid",
         (784, 2880, 640, 100, 10), f"{_CONV2},fc100,softmax10", eta=0.1, epochs=60,
         book_result="99.06% test", book_accuracy=0.9906),
    _ch6("ch6-dbl-conv-relu", "Chapter 6: two conv-pool layers, ReLU, η=0.03, λ=0.1", (784, 2880, 640, 100, 10),
         f"{_CONV2},fc100,softmax10", activation="relu", eta=0.03, lmbda=0.1, epochs=60,
         book_result="99.23% test", book_accuracy=0.9923),
    _ch6("ch6-expanded", "Chapter 6: ReLU double conv on 250,000 1-pixel-shift expanded images",
         (784, 2880, 640, 100, 10), f"{_CONV2},fc100,softmax10", activation="relu", eta=0.03, lmbda=0.1,
         epochs=60, expanded=True,
         book_result="99.37% test (the book's conv.py runs 20 epochs)", book_accuracy=0.9937),
    _ch6("ch6-extra-fc", "Chapter 6: expanded data, an extra FC 100 ReLU layer", (784, 2880, 640, 100, 100, 10),
         f"{_CONV2},fc100,fc100,softmax10", activation="relu", eta=0.03, lmbda=0.1, epochs=60, expanded=True,
         book_result="99.43% test (300 / 1000 units: 99.46% / 99.43%)", book_accuracy=0.9943),
    _ch6("ch6-dropout", "Chapter 6: expanded data, FC 1000 ×2 ReLU with dropout 0.5, 40 epochs",
         (784, 2880, 640, 1000, 1000, 10), f"{_CONV2},fc1000,fc1000,softmax10", activation="relu",
         dropout=0.5, eta=0.03, lmbda=0.0, epochs=40, expanded=True,
         book_result="99.60% test", book_accuracy=0.9960),
    _ch6("ch6-ensemble", "Chapter 6: majority vote of 5 dropout networks", (784, 2880, 640, 1000, 1000, 10),
         f"{_CONV2},fc1000,fc1000,softmax10", activation="relu", dropout=0.5, eta=0.03, lmbda=0.0, epochs=40,
         expanded=True, ensemble=5, book_result="99.67% test (9,967 / 10,000)", book_accuracy=0.9967),
]

_ALL = [
    # ---------------------------------------------------------------- chapter 1: network.py
    _p("ch1-30", "Chapter 1: [784,30,10], quadratic cost, η=3.0", 1, (784, 30, 10),
       book_result="95.42% test (peak, epoch 28); epoch 0 prints 9129 / 10000", book_accuracy=0.9542),
    _p("ch1-100", "Chapter 1: [784,100,10], quadratic cost, η=3.0", 1, (784, 100, 10),
       book_result="96.59% test (runs vary)", book_accuracy=0.9659),
    _p("ch1-eta-0.001", "Chapter 1: learning rate too small, η=0.001", 1, (784, 100, 10), eta=0.001,
       book_result="2142 / 10000 test after 30 epochs", book_accuracy=0.2142),
    _p("ch1-eta-100", "Chapter 1: learning rate too large, η=100", 1, (784, 30, 10), eta=100.0,
       book_result="982 / 10000 test after 30 epochs", book_accuracy=0.0982),
    # ---------------------------------------------------------------- chapter 3: network2.py
    _p("ch3-ce-30", "Chapter 3: cross-entropy cost, 30 hidden, η=0.5", 3, (784, 30, 10), **_CH3_CE, eta=0.5,
       book_result="95.49% test", book_accuracy=0.9549),
    _p("ch3-ce-100", "Chapter 3: cross-entropy cost, 100 hidden, η=0.5", 3, (784, 100, 10), **_CH3_CE, eta=0.5,
       book_result="96.82% test", book_accuracy=0.9682),
    _p("ch3-overfit", "Chapter 3: overfitting on 1,000 images, 400 epochs", 3, (784, 30, 10), **_CH3_CE,
       eta=0.5, epochs=400, limit=1000,
       book_result="test peaks at 82.27%; training accuracy reaches 100%", book_accuracy=0.8227),
    _p("ch3-l2-1000", "Chapter 3: L2 regularization λ=0.1 on 1,000 images", 3, (784, 30, 10), **_CH3_CE,
       eta=0.5, epochs=400, limit=1000, lmbda=0.1,
       book_result="87.1% test", book_accuracy=0.871),
    _p("ch3-l2-30", "Chapter 3: L2 λ=5.0, 30 hidden, all 50,000 images", 3, (784, 30, 10), **_CH3_CE,
       eta=0.5, lmbda=5.0,
       book_result="96.49% test", book_accuracy=0.9649),
    _p("ch3-l2-100", "Chapter 3: L2 λ=5.0, 100 hidden", 3, (784, 100, 10), **_CH3_CE, eta=0.5, lmbda=5.0,
       book_result="97.92% validation", book_accuracy=0.9792, book_metric="validation"),
    _p("ch3-l2-100-60", "Chapter 3: L2 λ=5.0, 100 hidden, η=0.1, 60 epochs", 3, (784, 100, 10), **_CH3_CE,
       eta=0.1, lmbda=5.0, epochs=60,
       book_result="98.04% validation", book_accuracy=0.9804, book_metric="validation"),
    _p("ch3-init-default", "Chapter 3: weights N(0, 1/n_in), η=0.1, λ=5", 3, (784, 30, 10), **_CH3_CE,
       init="default", eta=0.1, lmbda=5.0,
       book_result="about 93% validation after epoch 1; a little over 96% after 30 epochs",
       book_accuracy=0.96, book_metric="validation"),
    _p("ch3-init-large", "Chapter 3: weights N(0, 1), η=0.1, λ=5", 3, (784, 30, 10), **_CH3_CE,
       init="large", eta=0.1, lmbda=5.0,
       book_result="under 87% validation after epoch 1; a little over 96% after 30 epochs",
       book_accuracy=0.96, book_metric="validation"),
    _p("ch3-eta-0.025", "Chapter 3: η=0.025, λ=5 (watch the training cost)", 3, (784, 30, 10), **_CH3_CE,
       init="default", eta=0.025, lmbda=5.0,
       book_result="training cost falls smoothly", book_accuracy=None),
    _p("ch3-eta-0.25", "Chapter 3: η=0.25, λ=5 (watch the training cost)", 3, (784, 30, 10), **_CH3_CE,
       init="default", eta=0.25, lmbda=5.0,
       book_result="training cost falls, then levels off with small oscillations", book_accuracy=None),
    _p("ch3-eta-2.5", "Chapter 3: η=2.5, λ=5 (watch the training cost)", 3, (784, 30, 10), **_CH3_CE,
       init="default", eta=2.5, lmbda=5.0,
       book_result="training cost oscillates from the start", book_accuracy=None),
    _p("ch3-early-stopping", "Chapter 3: early stopping, no improvement in 10 epochs", 3, (784, 30, 10),
       **_CH3_CE, init="default", eta=0.5, lmbda=5.0, epochs=200, early_stopping_n=10,
       book_result="stops after 10 epochs without a better validation accuracy", book_accuracy=None,
       book_metric="validation"),
    _p("ch3-schedule", "Chapter 3: η schedule, halve η after 10 epochs without improvement", 3, (784, 30, 10),
       **_CH3_CE, init="default", eta=0.5, lmbda=5.0, epochs=500, early_stopping_n=10, schedule=True,
       book_result="halves η on each stall; stops when η falls below η₀/128", book_accuracy=None,
       book_metric="validation"),
    # ---------------------------------------------------------------- chapter 5: deeper networks
    _p("ch5-1-hidden", "Chapter 5: [784,30,10], η=0.1, λ=5", 5, (784, 30, 10), **_CH3_CE,
       init="default", eta=0.1, lmbda=5.0,
       book_result="96.48% validation", book_accuracy=0.9648, book_metric="validation"),
    _p("ch5-2-hidden", "Chapter 5: [784,30,30,10], η=0.1, λ=5", 5, (784, 30, 30, 10), **_CH3_CE,
       init="default", eta=0.1, lmbda=5.0,
       book_result="96.90% validation", book_accuracy=0.9690, book_metric="validation"),
    _p("ch5-3-hidden", "Chapter 5: [784,30,30,30,10], η=0.1, λ=5", 5, (784, 30, 30, 30, 10), **_CH3_CE,
       init="default", eta=0.1, lmbda=5.0,
       book_result="96.57% validation", book_accuracy=0.9657, book_metric="validation"),
    _p("ch5-4-hidden", "Chapter 5: [784,30,30,30,30,10], η=0.1, λ=5", 5, (784, 30, 30, 30, 30, 10), **_CH3_CE,
       init="default", eta=0.1, lmbda=5.0,
       book_result="96.53% validation", book_accuracy=0.9653, book_metric="validation"),
    # the book's learning-speed curves (its fig/generate_gradient.py): full-batch steps on the first 1,000 images
    _p("ch5-speed-2-hidden", "Chapter 5: learning speed, [784,30,30,10], 1,000 images, 500 full-batch epochs", 5,
       (784, 30, 30, 10), **_CH3_CE, init="default", eta=0.1, lmbda=5.0, mini_batch_size=1000, epochs=500,
       limit=1000, book_result="‖δ²‖ ≈ 0.07, ‖δ³‖ ≈ 0.31 at the start; the first hidden layer stays the slower",
       book_accuracy=None),
    _p("ch5-speed-3-hidden", "Chapter 5: learning speed, 3 hidden layers, 1,000 images, 500 full-batch epochs", 5,
       (784, 30, 30, 30, 10), **_CH3_CE, init="default", eta=0.1, lmbda=5.0, mini_batch_size=1000, epochs=500,
       limit=1000, book_result="‖δ‖ ≈ 0.012, 0.060, 0.283 at the start: each layer slower than the next",
       book_accuracy=None),
    _p("ch5-speed-4-hidden", "Chapter 5: learning speed, 4 hidden layers, 1,000 images, 500 full-batch epochs", 5,
       (784, 30, 30, 30, 30, 10), **_CH3_CE, init="default", eta=0.1, lmbda=5.0, mini_batch_size=1000,
       epochs=500, limit=1000,
       book_result="‖δ‖ ≈ 0.003, 0.017, 0.070, 0.285 at the start: the first layer about 100 times slower than the last",
       book_accuracy=None),
    # ---------------------------------------------------------------- chapter 6: the fully connected baseline
    _p("ch6-fc-100", "Chapter 6: 100 sigmoid hidden + softmax, log-likelihood, η=0.1, 60 epochs", 6,
       (784, 100, 10), output="softmax", cost="log-likelihood", init="default", eta=0.1, epochs=60,
       layers="fc100,softmax10",  # network3.py's initialisation: N(0, 1/n_out), softmax layer zero
       book_result="97.80% test", book_accuracy=0.9780),
]

PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}
# Chapter 6's layer networks: the trainer runs them (get_preset finds them); the GUI's Training tab, which
# trains fully connected networks, lists PRESETS only until it learns to draw layer networks.
CH6_PRESETS: dict[str, Preset] = {p.name: p for p in _CH6}
ALL_PRESETS: dict[str, Preset] = {**PRESETS, **CH6_PRESETS}


def preset_names() -> list[str]:
    return list(PRESETS)


def get_preset(name: str) -> Preset:
    """The preset called ``name``; ValueError listing the names if there is none."""
    try:
        return ALL_PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(ALL_PRESETS)}") from None
