"""Cost functions C, each pairing its value ``fn`` with the output error δᴸ it implies (BP1).

As in the book's network2.py, a cost is a tiny class.  Arrays hold one example per row: ``a`` is the
output activation a^L and ``y`` the desired output, both (m, n_L).  ``fn`` returns the cost summed over
the rows (divide by m for the mean); ``delta`` returns δᴸ = ∂C_x/∂z^L for each row.

BP1 in general is δᴸ = ∇_a C ⊙ σ'(z^L).  Two pairings make σ' cancel, which is why chapter 3 introduces
them: cross-entropy with a sigmoid output and log-likelihood with a softmax output both give δᴸ = a^L − y.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation

# Keeps log() finite when an output saturates at exactly 0 or 1 (float32 rounds σ(17) to 1).
# Costs are summed in float64 for the same reason.
_TINY = 1e-12


class Cost:
    name: str = ""
    book_name: str = ""  # the class name network2.py writes into its JSON files

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def grad_a(a: np.ndarray, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """∇_a C for each row."""
        raise NotImplementedError

    @classmethod
    @np.errstate(all="ignore")  # a saturated or diverged output may divide by 0; callers check isfinite
    def delta(cls, z: np.ndarray, a: np.ndarray, y: np.ndarray, output: type[Activation]) -> np.ndarray:
        """BP1: δᴸ = ∇_a C ⊙ σ'(z^L) (for softmax, the Jacobian takes the place of σ')."""
        return output.backward(z, a, cls.grad_a(a, y))


class QuadraticCost(Cost):
    """C = ½‖a − y‖² per example (chapter 1); ∇_a C = a − y."""

    name = "quadratic"
    book_name = "QuadraticCost"

    @staticmethod
    def fn(a, y):
        d = a - y
        return 0.5 * float(np.vdot(d, d))

    @staticmethod
    def grad_a(a, y):
        return a - y


class CrossEntropyCost(Cost):
    """C = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)] (chapter 3)."""

    name = "cross-entropy"
    book_name = "CrossEntropyCost"

    @staticmethod
    def fn(a, y):
        # In float64: float32 rounds 1 − 1e-12 to 1, and ln(1 − a) of a saturated output would be −∞.
        a = np.clip(np.asarray(a, dtype=np.float64), _TINY, 1.0 - _TINY)
        return float(-np.sum(y * np.log(a) + (1.0 - y) * np.log1p(-a)))

    @staticmethod
    def grad_a(a, y):
        return (a - y) / (a * (1.0 - a))

    @classmethod
    def delta(cls, z, a, y, output):
        if output.name == "sigmoid":
            return a - y  # σ'(z) cancels: the reason to use cross-entropy
        return super().delta(z, a, y, output)


class LogLikelihoodCost(Cost):
    """C = −ln a_y, the log-probability of the right answer (chapter 3, with a softmax output)."""

    name = "log-likelihood"
    book_name = "LogLikelihoodCost"

    @staticmethod
    def fn(a, y):
        return float(-np.sum(y * np.log(np.maximum(np.asarray(a, dtype=np.float64), _TINY))))

    @staticmethod
    def grad_a(a, y):
        return -y / a

    @classmethod
    def delta(cls, z, a, y, output):
        if output.name == "softmax":
            return a - y  # the softmax Jacobian cancels ∇_a C
        return super().delta(z, a, y, output)


COSTS = {cls.name: cls for cls in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}


def get_cost(name: str) -> type[Cost]:
    for cls in COSTS.values():
        if name in (cls.name, cls.book_name):
            return cls
    raise ValueError(f"unknown cost {name!r}; choose one of {', '.join(COSTS)}")
