"""Chapter 5, "why are deep neural networks hard to train?": the numbers behind its figures.

* ``learning_speed``: ‖δ^l‖ = ‖∂C/∂b^l‖ of each hidden layer, the gradient averaged over the first 1,000
  training images as the book does (its figures for [784,30,30,10] and deeper networks).
* ``bias_gradients``: ∂C/∂b^l_j for the first six neurons j of each hidden layer, averaged the same way
  (the book's bars, one row per hidden layer).
* ``learning_speed_curve``: the book's curves of ‖δ^l‖ over 500 epochs of full-batch gradient descent on
  those 1,000 images (η = 0.1, λ = 5.0, its fig/generate_gradient.py), measured before each epoch: smooth,
  without the noise of mini-batches.
* ``gradient_chain``: a network with one neuron per layer, where backpropagation collapses to a product,
  ∂C/∂b^1 = σ'(z^1)·w^2·σ'(z^2)·w^3·σ'(z^3)·w^4·σ'(z^4)·∂C/∂a^4, listed factor by factor.  Weights of
  ordinary size make every w^j σ'(z^j) at most ¼ in size and the gradient vanishes towards the input;
  w = 100 with biases that keep each z^j at 0 (σ' = ¼) makes every such factor 25 and it explodes.

In the chain the book numbers the neurons 1..4 (its w^1 is the input's weight); the engine's Network holds
them as weights[0..3] and biases[0..3].  Source: http://neuralnetworksanddeeplearning.com/chap5.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .activations import Sigmoid
from .cancel import Cancel, check, rows_per_chunk
from .network import Network

BOOK_SPEED_IMAGES = 1000  # the book averages the gradient over the first 1,000 training images
BOOK_BARS = 6  # the book's bars show the first six neurons of each hidden layer


def _mean_bias_gradient(net: Network, images, labels, count: int, cancel: Cancel = None) -> list[np.ndarray]:
    """∂C/∂b^l for every layer l = 2..L, averaged over the first ``count`` images (uint8 or floats).

    A large network goes in chunks of ~0.1 s of arithmetic (``cancel()`` checked before each), each
    chunk's mean weighted by its share of the images; a small one in a single pass."""
    images = np.asarray(images)[:count]
    labels = np.asarray(labels)[:count]
    n = len(labels)
    if n == 0:
        raise ValueError("the learning speed needs at least one training image")
    eye = np.eye(net.sizes[-1], dtype=net.dtype)
    chunk = rows_per_chunk(3 * net.num_parameters, n)  # forward + two backward products per weight
    total = None
    for start in range(0, n, chunk):
        check(cancel)
        xb = images[start:start + chunk]
        x = xb * np.asarray(1 / 255, net.dtype) if xb.dtype == np.uint8 else xb
        nabla_b, _ = net.backprop(x, eye[labels[start:start + chunk]])
        if chunk >= n:
            return nabla_b
        share = len(xb) / n
        total = [nb * share for nb in nabla_b] if total is None else [t + nb * share for t, nb in zip(total, nabla_b)]
    return total


def learning_speed(net: Network, images, labels, count: int = BOOK_SPEED_IMAGES,
                   cancel: Cancel = None) -> tuple[float, ...]:
    """‖δ^l‖ = ‖∂C/∂b^l‖ for each hidden layer l = 2..L−1 (input side first), the gradient averaged over
    the first ``count`` of the given images (the book: the first 1,000 training images)."""
    return tuple(float(np.linalg.norm(nb)) for nb in _mean_bias_gradient(net, images, labels, count, cancel)[:-1])


def bias_gradients(net: Network, images, labels, first: int = BOOK_BARS,
                   count: int = BOOK_SPEED_IMAGES) -> list[np.ndarray]:
    """∂C/∂b^l_j for j < ``first`` in each hidden layer l = 2..L−1 (input side first), float64 arrays of
    shape (min(first, n_l),), averaged over the first ``count`` images: the book's bars."""
    nabla_b = _mean_bias_gradient(net, images, labels, count)[:-1]
    return [np.asarray(nb[:first], dtype=np.float64).copy() for nb in nabla_b]


def learning_speed_curve(net: Network, images, labels, *, epochs: int = 500, eta: float = 0.1, lmbda: float = 5.0,
                         count: int = BOOK_SPEED_IMAGES, should_stop: Callable[[], bool] | None = None,
                         ) -> Iterator[tuple[int, tuple[float, ...]]]:
    """Yield (epoch, learning_speed) for epoch = 0 .. epochs−1, each measured before that epoch's step; each
    epoch is one step of gradient descent on all of the first ``count`` images (m = count, the book's
    ``net.SGD(td, 1, 1000, 0.1, lmbda=5.0)``).  Trains ``net`` in place; stops early when should_stop()."""
    from .training import SGDStepper  # training imports this module

    images = np.asarray(images)[:count]
    labels = np.asarray(labels)[:count]
    n = len(labels)
    if n == 0:
        raise ValueError("the learning speed needs at least one training image")
    x = images * np.asarray(1 / 255, net.dtype) if images.dtype == np.uint8 else np.asarray(images, net.dtype)
    x_aug = np.hstack([x, np.ones((n, 1), net.dtype)])
    y = np.eye(net.sizes[-1], dtype=net.dtype)[labels]
    stepper = SGDStepper(net, n)
    for epoch in range(int(epochs)):
        yield epoch, learning_speed(net, images, labels, count)
        if should_stop is not None and should_stop():
            return
        stepper.step(x_aug, y, eta / n, 1.0 - eta * lmbda / n)


# ---------------------------------------------------------------------------------------------- the chain
@dataclass(frozen=True)
class GradientChain:
    """∂C/∂b^1 of a one-neuron-per-layer network as the book writes it.

    factors: ((label, value), ...) in the book's order: σ'(z¹), w², σ'(z²), ..., σ'(zᴸ), ∂C/∂aᴸ.
    product: the product of the factors.  backprop: ∂C/∂b^1 from the engine's backpropagation.
    z, a: (k,) weighted inputs and activations of neurons 1..k.  bias_gradients: (k,) ∂C/∂b^j from
    backprop, so the learner sees the gradient shrink (or grow) neuron by neuron.
    """

    factors: tuple[tuple[str, float], ...]
    product: float
    backprop: float
    z: np.ndarray
    a: np.ndarray
    bias_gradients: np.ndarray
    cost: float


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def chain_network(weights, biases) -> Network:
    """The network [1, 1, ..., 1] with k = len(weights) neurons after the input, sigmoid, quadratic cost,
    float64; weights[j] and biases[j] are the book's w^{j+1} and b^{j+1}."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    b = np.asarray(biases, dtype=np.float64).reshape(-1)
    if w.size < 1 or w.shape != b.shape:
        raise ValueError(f"give one weight and one bias per neuron, got {w.size} weights and {b.size} biases")
    net = Network([1] * (w.size + 1), cost="quadratic", dtype=np.float64, rng=0)
    net.set_parameters([np.array([[v]]) for v in w], [np.array([v]) for v in b])
    return net


def centering_biases(weights, x: float = 1.0) -> np.ndarray:
    """Biases that put every weighted input z^j at 0, so σ'(z^j) = ¼ exactly: b^1 = −w^1 x and
    b^j = −w^j a^{j−1} = −w^j / 2 after it (the book's recipe for the exploding gradient)."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    b = -0.5 * w
    b[0] = -w[0] * float(x)
    return b


def gradient_chain(weights, biases, x: float = 1.0, y: float = 0.0) -> GradientChain:
    """The chain for input x and desired output y under the quadratic cost C = ½(aᴸ − y)²."""
    net = chain_network(weights, biases)
    xb, yb = np.array([[float(x)]]), np.array([[float(y)]])
    zs, acts = net.forward(xb)
    z = np.array([v[0, 0] for v in zs])
    a = np.array([v[0, 0] for v in acts[1:]])
    prime = Sigmoid.prime(z, a)  # σ'(z) = σ(z)(1 − σ(z))
    w = np.array([wl[0, 0] for wl in net.weights])
    k = len(z)
    factors: list[tuple[str, float]] = []
    for j in range(k):
        if j:
            factors.append((f"w{str(j + 1).translate(_SUP)}", float(w[j])))
        factors.append((f"σ′(z{str(j + 1).translate(_SUP)})", float(prime[j])))
    factors.append((f"∂C/∂a{str(k).translate(_SUP)}", float(a[-1] - y)))  # quadratic cost: ∂C/∂a = a − y
    product = float(np.prod([v for _, v in factors]))
    nabla_b, _ = net.backprop(xb, yb)
    grads = np.array([nb[0] for nb in nabla_b])
    return GradientChain(tuple(factors), product, float(grads[0]), z, a, grads,
                         float(net.total_cost(xb, yb)))
