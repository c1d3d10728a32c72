"""The Draw tab's work, as plain functions the engine worker runs (no Qt here).

Every function takes the worker's ``ctx`` first (``JobContext``; unused by most) so it can be passed to
``EngineClient.run_task`` as is, and returns frozen results holding copies, never views of live arrays.

* ``analyse(ctx, gray, net, request)``    canvas → 28×28 → prediction + saliency (``DrawResult``), and
                                           whether the input looks like a digit at all (data.novelty)
* ``load_pretrained(ctx, path)``          the default shipped network: a conv net (resources/conv-drawn.npz
                                           or conv-expanded.npz) when there is one, else the fully connected one
* ``shipped_networks()``                  the shipped networks present, with their test accuracy
* ``load_networks(ctx, paths)``           several files at once (an ensemble), checked
* ``mnist_example(ctx, ...)``             an MNIST test digit drawn on the canvas (by index, random,
                                           or one the network gets wrong)
* ``network_problem(net)``                why a network cannot read digits (None when it can)
* ``read_outputs(net, x)``                a^L and the bars shown for it (shared with the classify CLI)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..data.mnist import CLASSES, PIXELS
from ..data.novelty import Novelty, novelty
from ..data.preprocess import FIELD, is_empty, preprocess, render_digit
from ..engine.ensemble import majority
from ..engine.convtrace import output_gradient as conv_output_gradient
from ..engine.saliency import output_gradient
from ..paths import resource_path

PRETRAINED = "pretrained.npz"  # the fully connected [784, 300, 10]
CONV_PRETRAINED = "conv-expanded.npz"  # the chapter-6 conv net of the book's recipe (ch6-expanded, 99.46%)
DRAWN_PRETRAINED = "conv-drawn.npz"  # a conv net also trained on digits redrawn as people draw them
# Shipped networks in the order the Draw tab prefers them: the first one present is its default.
SHIPPED = (("drawn", DRAWN_PRETRAINED), ("conv", CONV_PRETRAINED), ("fc", PRETRAINED))
MAP_GAP = 1  # pixels between feature maps in a mosaic


def pretrained_path():
    return resource_path(PRETRAINED)


@dataclass(frozen=True)
class Shipped:
    key: str  # "drawn", "conv" or "fc"
    path: object  # Path
    accuracy: float | None  # test accuracy read from resources/<name>.md, None when not stated


def shipped_accuracy(path) -> float | None:
    """The test accuracy stated in the network's resources/<stem>.md ("test accuracy ... **98.18%**")."""
    import re
    from pathlib import Path

    md = Path(path).with_suffix(".md")
    try:
        text = md.read_text(encoding="utf-8")[:20000]
    except OSError:
        return None
    for line in text.splitlines():
        if "test accuracy" in line.lower():
            hit = re.search(r"\*\*(\d{1,3}\.\d+)%\*\*", line)
            if hit:
                return float(hit.group(1)) / 100
    return None


def shipped_networks() -> list[Shipped]:
    """The networks shipped in resources/, the default (conv when present) first."""
    out = []
    for key, name in SHIPPED:
        path = resource_path(name)
        if path.is_file():
            out.append(Shipped(key, path, shipped_accuracy(path)))
    return out


def default_path():
    """The first shipped network of SHIPPED present (conv-drawn.npz, conv-expanded.npz, then pretrained.npz)."""
    shipped = shipped_networks()
    return shipped[0].path if shipped else pretrained_path()


def network_problem(net) -> str | None:
    """A sentence saying why ``net`` cannot classify 28×28 digits, or None when it can."""
    if net is None:
        return "no network"
    if net.sizes[0] != PIXELS or net.sizes[-1] != CLASSES:
        return (f"the network has sizes {net.sizes}; reading digits needs {PIXELS} inputs "
                f"and {CLASSES} outputs")
    return None


@dataclass(frozen=True)
class Outputs:
    """What the network says about one input."""

    activations: np.ndarray  # (10,) a^L
    bars: np.ndarray  # (10,) the bars: softmax probabilities, or a^L scaled to sum to 1
    softmax: bool  # True when ``bars`` are the softmax's own probabilities
    digit: int  # argmax a^L


def read_outputs(net, x) -> Outputs:
    """Feed one (784,) input forward; turn a^L into bars that sum to 1.

    A softmax output layer gives probabilities directly.  Sigmoid (and other) outputs are independent
    numbers, so they are shifted to be ≥ 0 and divided by their sum: "normalised activations", not
    probabilities (the tab says so).
    """
    a = np.asarray(net.feedforward(np.asarray(x, dtype=net.dtype).reshape(-1)), dtype=np.float64)
    softmax = net.output.name == "softmax"
    if softmax:
        bars = a.copy()
    else:
        shifted = a - min(0.0, float(a.min()))
        total = float(shifted.sum())
        bars = shifted / total if total > 0 else np.full_like(a, 1.0 / a.size)
    return Outputs(activations=a, bars=bars, softmax=softmax, digit=int(np.argmax(a)))


@dataclass(frozen=True)
class Member:
    """One ensemble member's answer."""

    name: str
    digit: int
    confidence: float  # its top bar


@dataclass(frozen=True)
class FeatureMaps:
    """One conv-pool layer's feature maps σ(z + b) for the drawn digit, tiled for display."""

    layer: int  # 1-based conv layer number
    mosaic: np.ndarray  # (rows·(h+gap)−gap, cols·(w+gap)−gap) float32 in [0, 1], NaN in the gaps
    count: int  # f maps
    shape: tuple[int, int]  # (h, w) of one map
    grid: tuple[int, int]  # (rows, cols)
    peak: float  # the largest activation, the black end of the scale


def tile_maps(maps: np.ndarray, layer: int = 1, cols: int | None = None) -> FeatureMaps:
    """(f, h, w) maps → one mosaic image (NaN gaps), scaled by the largest activation."""
    f, h, w = maps.shape
    cols = cols or int(np.ceil(np.sqrt(f * 1.5)))
    rows = -(-f // cols)
    g = MAP_GAP
    mosaic = np.full((rows * (h + g) - g, cols * (w + g) - g), np.nan, np.float32)
    peak = float(np.max(maps)) if maps.size else 0.0
    scaled = maps / peak if peak > 0 else maps
    for j in range(f):
        r, c = divmod(j, cols)
        mosaic[r * (h + g):r * (h + g) + h, c * (w + g):c * (w + g) + w] = scaled[j]
    return FeatureMaps(layer, mosaic, f, (h, w), (rows, cols), peak)


def conv_feature_maps(net, x) -> tuple[FeatureMaps, ...]:
    """Every conv-pool layer's maps for input x (784,); () for a fully connected network."""
    if not hasattr(net, "layers"):
        return ()
    from ..engine.convtrace import feature_maps

    return tuple(tile_maps(m, i + 1) for i, m in enumerate(feature_maps(net, x)))


@dataclass(frozen=True)
class DrawResult:
    """The answer to one canvas: what the network sees, what it thinks, and why."""

    request: int  # the tab's request number (newer requests supersede older ones)
    image: np.ndarray  # (28, 28) float32 in [0, 1]: the network's input
    empty: bool  # no ink: no guess
    outputs: Outputs | None  # None when empty
    saliency: np.ndarray | None  # (28, 28) float32 ∂a^L_j/∂x for the top class j, or None
    seconds: float  # time spent on the worker
    maps: tuple = ()  # FeatureMaps per conv-pool layer (conv networks)
    members: tuple = ()  # Member per network of an ensemble; the outputs are then the vote's
    novelty: Novelty | None = None  # how far the input is from MNIST's digits (None when empty)

    @property
    def digit(self) -> int | None:
        return None if self.outputs is None else self.outputs.digit


def analyse(ctx, gray: np.ndarray, net, request: int = 0, polarity: str = "dark-on-light",
            with_saliency: bool = True) -> DrawResult:
    """Canvas pixels (H, W) uint8 → the 28×28 input, the network's outputs, saliency and feature maps.

    ``net`` is one network or an ``Ensemble`` (then the outputs are the vote, the bars the members' mean,
    and the saliency and feature maps those of the first member).
    """
    t0 = time.perf_counter()
    image = preprocess(gray, polarity)
    if is_empty(image):
        return DrawResult(request, image, True, None, None, time.perf_counter() - t0)
    members = tuple(net.members) if isinstance(net, Ensemble) else ()
    for one in (net.members if members else (net,)):
        problem = network_problem(one)
        if problem:
            raise ValueError(f"Cannot read the digit: {problem}.")
    x = image.reshape(-1)
    answers = ()
    if members:
        outs = [read_outputs(m, x) for m in members]
        answers = tuple(Member(name, o.digit, float(o.bars[o.digit])) for name, o in zip(net.names, outs))
        _, winner, _ = majority(np.stack([o.bars for o in outs])[:, None, :])
        bars = np.mean([o.bars for o in outs], axis=0)
        outputs = Outputs(bars, bars, True, int(winner[0]))
        first = members[0]
    else:
        outputs = read_outputs(net, x)
        first = net
    saliency, conv = None, hasattr(first, "layers")
    if conv and with_saliency:  # one forward pass gives the feature maps and the saliency
        arrays = []
        s = conv_output_gradient(first, x, outputs.digit, arrays)
        maps = tuple(tile_maps(m, i + 1) for i, m in enumerate(arrays))
    else:
        s = output_gradient(first, x, outputs.digit) if with_saliency else None
        maps = conv_feature_maps(first, x)
    if s is not None:
        saliency = s.gradient.reshape(FIELD, FIELD).astype(np.float32)
    # Whether it looks like a digit is judged on the drawing as drawn (the pen's width not normalised):
    # a dot or a filled blob would otherwise be thinned into something stroke-like.
    as_drawn = preprocess(gray, polarity, stroke=False)
    return DrawResult(request, image, False, outputs, saliency, time.perf_counter() - t0, maps, answers,
                      novelty(as_drawn))


@dataclass(frozen=True)
class Ensemble:
    """Several networks that read the same digit and vote (chapter 6's ensembles)."""

    members: tuple
    names: tuple

    @property
    def sizes(self) -> list[int]:
        return self.members[0].sizes


def load_networks(ctx, paths) -> list:
    """Several network files → their networks (any error names the file)."""
    from ..engine.io import load_network

    nets = []
    for path in paths:
        try:
            nets.append(load_network(path))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from None
        problem = network_problem(nets[-1])
        if problem:
            raise ValueError(f"{path}: cannot read digits: {problem}")
    return nets


def load_pretrained(ctx=None, path=None):
    """The Draw tab's default network: the first of SHIPPED present in resources/."""
    from ..engine.io import load_network

    return load_network(path or default_path())


@dataclass(frozen=True)
class Example:
    """An MNIST test digit ready to put on the canvas."""

    index: int  # in the test set
    label: int
    canvas: np.ndarray  # (size, size) uint8, dark ink on white
    note: str  # for people: "MNIST test digit #12 (a 9)"


def mnist_example(ctx, images: np.ndarray, labels: np.ndarray, mode: str, index: int = 0, net=None,
                  seed: int | None = None, size: int = 280) -> Example:
    """An MNIST test digit drawn on a ``size``² canvas.

    mode "index": digit number ``index``; "random": any digit (``seed`` for a repeatable pick);
    "wrong": a random digit that ``net`` misreads, both as the raw MNIST image and after being drawn on
    the canvas and preprocessed back (so the tab shows the mistake too).
    """
    n = len(labels)
    if n == 0:
        raise ValueError("The test set is empty.")
    rng = np.random.default_rng(seed)
    if mode == "index":
        if not 0 <= index < n:
            raise ValueError(f"Choose an index from 0 to {n - 1}; {index} is outside the test set.")
        i = int(index)
    elif mode == "random":
        i = int(rng.integers(n))
    elif mode == "wrong":
        problem = network_problem(net)
        if problem:
            raise ValueError(f"Cannot look for mistakes: {problem}.")
        predicted = np.concatenate([net.predict(images[s:s + 5000] * np.float32(1 / 255))
                                    for s in range(0, n, 5000)])
        wrong = np.flatnonzero(predicted != labels)
        if wrong.size == 0:
            raise ValueError("The network reads every test digit correctly: there is no mistake to show.")
        rng.shuffle(wrong)
        i = int(wrong[0])
        for k in wrong[:50]:  # prefer one that is still wrong once drawn and preprocessed
            x = preprocess(render_digit(images[k], size), "dark-on-light").reshape(-1)
            if read_outputs(net, x).digit != labels[k]:
                i = int(k)
                break
        note = f"MNIST test digit #{i}, a {int(labels[i])} the network misreads ({wrong.size} of {n} are misread)"
        return Example(i, int(labels[i]), render_digit(images[i], size), note)
    else:
        raise ValueError(f"unknown example mode {mode!r}")
    return Example(i, int(labels[i]), render_digit(images[i], size), f"MNIST test digit #{i} (a {int(labels[i])})")
