"""Activation functions σ, each with its derivative beside it.

Every activation works on arrays of weighted inputs ``z`` of shape (m, n): m examples (one per row),
n neurons.  ``fn(z, out)`` computes the activation, ``prime(z, a)`` its derivative σ'(z) given both
the weighted input z and the activation a = σ(z) (sigmoid and tanh are cheapest from a, ReLU from z),
and ``backward(z, a, grad_a)`` turns ∂C/∂a into ∂C/∂z.  Elementwise activations multiply by σ'(z);
softmax, whose outputs depend on every z of its layer, applies its Jacobian.
"""

from __future__ import annotations

import numpy as np


class Activation:
    """Base class: an elementwise activation function."""

    name: str = ""
    elementwise: bool = True

    @staticmethod
    def fn(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def prime_inplace(cls, z: np.ndarray, a: np.ndarray, delta: np.ndarray, tmp: np.ndarray) -> None:
        """``delta *= σ'(z)`` in place, using ``tmp`` (same shape) as scratch space."""
        delta *= cls.prime(z, a)

    @classmethod
    def backward(cls, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """∂C/∂z from ∂C/∂a: ``grad_a ⊙ σ'(z)`` for an elementwise activation."""
        return grad_a * cls.prime(z, a)


class Sigmoid(Activation):
    """σ(z) = 1/(1+e^-z), computed as (1 + tanh(z/2))/2, which never overflows; σ'(z) = σ(z)(1-σ(z))."""

    name = "sigmoid"

    @staticmethod
    def fn(z, out=None):
        out = np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
        return out

    @staticmethod
    def prime(z, a):
        return a * (1.0 - a)

    @classmethod
    def prime_inplace(cls, z, a, delta, tmp):
        np.subtract(1.0, a, out=tmp)
        tmp *= a
        delta *= tmp


def sigmoid(z):
    """σ(z) = 1/(1 + e^−z) in float64 for a number or an array: the one sigmoid (``Sigmoid.fn``) for code
    outside the training loop (the playground's networks, the saturation demo)."""
    z = np.asarray(z, dtype=np.float64)
    out = Sigmoid.fn(z, out=np.empty_like(z))
    return out[()] if out.ndim == 0 else out


class Tanh(Activation):
    """tanh(z); its derivative is 1 - tanh²(z)."""

    name = "tanh"

    @staticmethod
    def fn(z, out=None):
        return np.tanh(z, out=out)

    @staticmethod
    def prime(z, a):
        return 1.0 - a * a

    @classmethod
    def prime_inplace(cls, z, a, delta, tmp):
        np.multiply(a, a, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        delta *= tmp


class ReLU(Activation):
    """max(0, z); its derivative is 1 where z > 0, else 0."""

    name = "relu"

    @staticmethod
    def fn(z, out=None):
        return np.maximum(z, 0.0, out=out)

    @staticmethod
    def prime(z, a):
        return (z > 0).astype(z.dtype)

    @classmethod
    def prime_inplace(cls, z, a, delta, tmp):
        np.greater(z, 0.0, out=tmp, casting="unsafe")
        delta *= tmp


class Softmax(Activation):
    """a_j = e^{z_j} / Σ_k e^{z_k} over the neurons of the output layer (chapter 3).

    Not elementwise: ∂a_j/∂z_k = a_j(δ_jk − a_k), so ``backward`` applies that Jacobian.
    """

    name = "softmax"
    elementwise = False

    @staticmethod
    def fn(z, out=None):
        shifted = z - z.max(axis=-1, keepdims=True)  # e^z of a large z would overflow
        out = np.exp(shifted, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    @staticmethod
    def prime(z, a):
        raise TypeError("softmax has a Jacobian, not an elementwise derivative; use backward()")

    @classmethod
    def prime_inplace(cls, z, a, delta, tmp):
        raise TypeError("softmax can only be an output layer")

    @classmethod
    def backward(cls, z, a, grad_a):
        return a * (grad_a - np.sum(a * grad_a, axis=-1, keepdims=True))


HIDDEN_ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU)}
OUTPUT_ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, Softmax, Tanh, ReLU)}


def get_activation(name: str, *, output: bool = False) -> type[Activation]:
    table = OUTPUT_ACTIVATIONS if output else HIDDEN_ACTIVATIONS
    try:
        return table[name]
    except KeyError:
        kind = "output" if output else "hidden"
        raise ValueError(f"unknown {kind} activation {name!r}; choose one of {', '.join(table)}") from None


def softmax(z) -> np.ndarray:
    """a_j = e^{z_j} / Σ_k e^{z_k} for a vector (or rows) of weighted inputs z, in float64: chapter 3's
    softmax, whose activations are positive and sum to 1 (a probability distribution over the outputs)."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError("softmax needs at least one weighted input z")
    return Softmax.fn(z)
