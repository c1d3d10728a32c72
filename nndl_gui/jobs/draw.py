"""The Draw tab's work, as plain functions the engine worker runs (no Qt here).

Every function takes the worker's ``ctx`` first (``JobContext``; unused by most) so it can be passed to
``EngineClient.run_task`` as is, and returns frozen results holding copies, never views of live arrays.

* ``analyse(ctx, gray, net, request)``    canvas → 28×28 → prediction + saliency (``DrawResult``), and
                                           whether the input looks like a digit at all (data.novelty)
* ``load_pretrained(ctx, path)``          the network shipped in resources/pretrained.npz
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
from ..engine.saliency import output_gradient
from ..paths import resource_path

PRETRAINED = "pretrained.npz"


def pretrained_path():
    return resource_path(PRETRAINED)


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
class DrawResult:
    """The answer to one canvas: what the network sees, what it thinks, and why."""

    request: int  # the tab's request number (newer requests supersede older ones)
    image: np.ndarray  # (28, 28) float32 in [0, 1]: the network's input
    empty: bool  # no ink: no guess
    outputs: Outputs | None  # None when empty
    saliency: np.ndarray | None  # (28, 28) float32 ∂a^L_j/∂x for the top class j, or None
    seconds: float  # time spent on the worker
    novelty: Novelty | None = None  # how far the input is from MNIST's digits (None when empty)

    @property
    def digit(self) -> int | None:
        return None if self.outputs is None else self.outputs.digit


def analyse(ctx, gray: np.ndarray, net, request: int = 0, polarity: str = "dark-on-light",
            with_saliency: bool = True) -> DrawResult:
    """Canvas pixels (H, W) uint8 → the 28×28 input, the network's outputs and the saliency map."""
    t0 = time.perf_counter()
    image = preprocess(gray, polarity)
    if is_empty(image):
        return DrawResult(request, image, True, None, None, time.perf_counter() - t0)
    problem = network_problem(net)
    if problem:
        raise ValueError(f"Cannot read the digit: {problem}.")
    x = image.reshape(-1)
    outputs = read_outputs(net, x)
    saliency = None
    if with_saliency:
        s = output_gradient(net, x, outputs.digit)
        saliency = s.gradient.reshape(FIELD, FIELD).astype(np.float32)
    return DrawResult(request, image, False, outputs, saliency, time.perf_counter() - t0, novelty(image))


def load_pretrained(ctx=None, path=None):
    """The network shipped with the app (resources/pretrained.npz), as a Network."""
    from ..engine.io import load_network

    return load_network(path or pretrained_path())


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
