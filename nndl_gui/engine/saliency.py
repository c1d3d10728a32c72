"""Saliency: which input pixels the network's answer is most sensitive to.

For one input x (784 pixels) the network answers with the most active output neuron j = argmax a^L.
Its saliency map is the gradient ∂a^L_j/∂x_k for every pixel k: positive where a little more ink
would raise a^L_j, negative where more ink would lower it.

It is computed by backpropagation exactly as in chapter 2, with the cost C replaced by the output a^L_j:
at the output layer ∂a^L_j/∂z^L = σ'(z^L_j) e_j for a sigmoid output (for softmax, its Jacobian row
a^L_j (e_j − a^L)), then BP2 carries it back, δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l), and one more
step through w^2 gives the gradient with respect to the input: ∂a^L_j/∂x = (w^2)ᵀ δ^2.

One forward and one backward pass, against 784 extra forward passes for finite differences
(``numerical_saliency``, used by the tests to check it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network


@dataclass(frozen=True)
class Saliency:
    """The gradient of one output neuron's activation with respect to the input pixels."""

    neuron: int  # j, the output neuron (digit) whose activation a^L_j is differentiated
    activation: float  # a^L_j for this input
    gradient: np.ndarray  # (n_1,) float64: ∂a^L_j/∂x_k


def output_gradient(net: Network, x, j: int | None = None) -> Saliency:
    """∂a^L_j/∂x for one input ``x`` of shape (n_1,); ``j`` defaults to the top class argmax a^L.

    Computed in float64 whatever the network's dtype, so it can be checked against finite differences.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.shape[0] != net.sizes[0]:
        raise ValueError(f"the network has {net.sizes[0]} inputs, got {x.shape[0]} values")
    if not isinstance(net, Network):  # a chapter-6 ConvNet backpropagates through its own layers
        return net.output_gradient(x, j)
    params = [p.astype(np.float64) for p in net.params]
    last = len(params) - 1
    a = x[None, :]
    zs, acts = [], [a]
    for i, p in enumerate(params):
        z = a @ p[:, :-1].T + p[:, -1]  # z^l = w^l a^{l-1} + b^l, shape (1, n_l)
        a = (net.output if i == last else net.activation).fn(z)
        zs.append(z)
        acts.append(a)
    out = acts[-1][0]
    if j is None:
        j = int(np.argmax(out))
    if not 0 <= j < net.sizes[-1]:
        raise ValueError(f"output neuron j must be 0..{net.sizes[-1] - 1}, got {j}")
    e_j = np.zeros((1, net.sizes[-1]))
    e_j[0, j] = 1.0
    # At the output: δ^L = ∂a^L_j/∂z^L (the output activation's derivative applied to e_j)
    delta = net.output.backward(zs[-1], acts[-1], e_j)
    for i in range(last, 0, -1):
        # BP2: δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)
        delta = net.activation.backward(zs[i - 1], acts[i], delta @ params[i][:, :-1])
    grad = (delta @ params[0][:, :-1])[0]  # ∂a^L_j/∂x = (w^2)ᵀ δ^2
    return Saliency(neuron=j, activation=float(out[j]), gradient=grad)


def numerical_saliency(net: Network, x, j: int, eps: float = 1e-5) -> np.ndarray:
    """(a^L_j(x + ε e_k) − a^L_j(x − ε e_k)) / 2ε for every pixel k: the slow check of output_gradient."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    net64 = net.copy(np.float64)
    grad = np.empty_like(x)
    eye = np.eye(x.shape[0]) * eps
    for start in range(0, x.shape[0], 256):
        block = eye[start:start + 256]
        plus = net64.feedforward(x + block)[:, j]
        minus = net64.feedforward(x - block)[:, j]
        grad[start:start + 256] = (plus - minus) / (2 * eps)
    return grad
