"""Chapter 1's first neurons: the perceptron, the sigmoid neuron, NAND, and an adder built from NANDs.

* A perceptron outputs 1 when w·x + b > 0 and 0 otherwise; a sigmoid neuron outputs σ(w·x + b).  A small
  change Δw in a weight can flip a perceptron's output from 0 to 1, while the sigmoid neuron's output moves
  by about (∂σ/∂w) Δw: the book's reason for sigmoid neurons (``neuron_response`` gives both).
* The book's NAND perceptron has weights (−2, −2) and bias 3.  NAND is universal, so NAND perceptrons compute
  anything: ``half_adder`` is the book's five-gate circuit adding two bits x1 + x2 (sum bit x1 ⊕ x2, carry bit
  x1·x2), and ``add_numbers`` chains full adders of nine NAND perceptrons each to add whole binary numbers.

Source: http://neuralnetworksanddeeplearning.com/chap1.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

NAND_WEIGHTS = (-2.0, -2.0)  # the book's NAND perceptron
NAND_BIAS = 3.0


def _z(x, w, b) -> float:
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    if x.shape != w.shape:
        raise ValueError(f"a neuron needs one weight per input, got {w.size} weights for {x.size} inputs")
    return float(w @ x + float(b))


def perceptron(x, w, b) -> int:
    """1 if w·x + b > 0, else 0."""
    return int(_z(x, w, b) > 0)


def sigmoid_neuron(x, w, b) -> float:
    """σ(w·x + b) = 1/(1 + e^−(w·x + b))."""
    return float(0.5 * (1.0 + np.tanh(0.5 * _z(x, w, b))))


@dataclass(frozen=True)
class NeuronResponse:
    """One neuron with inputs x, weights w and bias b: z = w·x + b and what each kind of neuron outputs."""

    z: float
    perceptron: int
    sigmoid: float


def neuron_response(x, w, b) -> NeuronResponse:
    """Both neurons on the same inputs, so a view can nudge w or b and show the jump against the small change."""
    return NeuronResponse(_z(x, w, b), perceptron(x, w, b), sigmoid_neuron(x, w, b))


def nand(x1: int, x2: int) -> int:
    """The book's NAND perceptron: weights (−2, −2), bias 3."""
    return perceptron((x1, x2), NAND_WEIGHTS, NAND_BIAS)


def half_adder(x1: int, x2: int) -> tuple[int, int, dict[str, int]]:
    """The book's circuit of NAND perceptrons adding two bits: (sum bit, carry bit, every gate's output).

    g1 = NAND(x1, x2); g2 = NAND(x1, g1); g3 = NAND(x2, g1); sum = NAND(g2, g3) = x1 ⊕ x2;
    carry = NAND(g1, g1) = x1·x2 (the book draws it as one perceptron with weight −4 from g1).
    """
    _check_bits((x1, x2))
    g1 = nand(x1, x2)
    g2 = nand(x1, g1)
    g3 = nand(x2, g1)
    total = nand(g2, g3)
    carry = perceptron((g1,), (2 * NAND_WEIGHTS[0],), NAND_BIAS)  # the merged −4 weight
    return total, carry, {"g1": g1, "g2": g2, "g3": g3, "sum": total, "carry": carry}


def full_adder(x1: int, x2: int, carry_in: int) -> tuple[int, int]:
    """(sum bit, carry out) of three bits, from nine NAND perceptrons."""
    _check_bits((x1, x2, carry_in))
    g1 = nand(x1, x2)
    g2 = nand(x1, g1)
    g3 = nand(x2, g1)
    s1 = nand(g2, g3)  # x1 ⊕ x2
    g5 = nand(s1, carry_in)
    g6 = nand(s1, g5)
    g7 = nand(carry_in, g5)
    total = nand(g6, g7)  # x1 ⊕ x2 ⊕ carry_in
    carry = nand(g1, g5)  # x1·x2 + (x1 ⊕ x2)·carry_in
    return total, carry


def add_numbers(a: int, b: int, bits: int = 2) -> int:
    """a + b for 0 ≤ a, b < 2^bits, bit by bit through a chain of NAND full adders (bits + 1 result bits)."""
    if not (0 <= a < 2**bits and 0 <= b < 2**bits):
        raise ValueError(f"with {bits} bits the numbers must be 0 to {2**bits - 1}, got {a} and {b}")
    carry, result = 0, 0
    for k in range(bits):
        s, carry = full_adder((a >> k) & 1, (b >> k) & 1, carry)
        result |= s << k
    return result | carry << bits


def _check_bits(bits: Sequence[int]) -> None:
    if any(v not in (0, 1) for v in bits):
        raise ValueError(f"perceptron circuits take bits 0 or 1, got {tuple(bits)}")
