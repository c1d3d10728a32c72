"""Chapter 4, "a visual proof that neural nets can compute any function", as real engine networks.

Everything here builds ordinary ``Network`` objects (sigmoid neurons, the book's notation) and evaluates
them with the engine's own forward pass, so what the playground shows is what a network computes.

One input x ∈ [0, 1]:

* a hidden neuron σ(wx + b) with w large is a step at s = −b/w;
* a *bump* is two hidden neurons with steps s1 < s2 and output weights +h and −h;
* N bumps use the steps 0, 1/N, …, 1: the network has sizes [1, 2N, 1], hidden weights w = 1000,
  hidden biases b = −1000·s, output weights (+h_1, −h_1, +h_2, −h_2, …) and output bias 0.

The output neuron is a sigmoid, so the *weighted output* of the hidden layer, z^L = Σ_j w^L_j a^{L−1}_j + b^L,
must match σ⁻¹∘f for the network's output a^L = σ(z^L) to match f.

Two scores.  The book's widget scores the *ideal* steps, not the sigmoid network (``book_score``):
score = Σ_j |σ⁻¹(f(x_j)) − h[⌊j·N/100⌋]| / 100 over x_j = j/100, j = 0..99, printed with two decimals, with
"Success!" when score < 0.405 (anything shown as 0.40; ``book_verdict``).  The real w = 1000 network's own
average deviation mean_j |σ⁻¹(f(x_j)) − z^L(x_j)| (``network_score``) differs near each step, where a
sigmoid is at half height: that difference is the windows-of-failure lesson.

Two inputs (x, y): a neuron with weights (w, 0) is a step in x, (0, w) a step in y.  An x-bump plus a
y-bump of the same height h gives a weighted output of 2h on their crossing and h on the rest of the two
strips; an output bias of −3h/2 through a sigmoid leaves a tower.  Many towers (a second hidden layer, one
neuron per tower) approximate any function of two inputs.

Arrays: x grids are 1-D (n,); 2-D grids are (ny, nx) with rows along y.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from .costs import get_cost
from .network import Network

W_STEP = 1000.0  # the book's "large" weight that turns σ(wx + b) into a step
SUCCESS_SCORE = 0.40  # the book's threshold for the challenge (5 bumps), as it is shown (two decimals)
BOOK_SUCCESS_BELOW = 0.405  # the book's widget says "Success!" for a score below this (shown as ≤ 0.40)
SCORE_X = np.arange(100) / 100.0  # x = 0, 0.01, ..., 0.99: where the book measures the deviation
PLOT_X = np.linspace(0.0, 1.0, 801)  # where curves are drawn
MAX_BUMPS = 50
F_CLIP = 1e-3  # σ⁻¹ of a target is taken after clipping f to [F_CLIP, 1 − F_CLIP]


# ---------------------------------------------------------------------------------------------- basics
from .activations import sigmoid  # noqa: E402  (σ: the engine's one sigmoid)


def sigma_inv(y, clip: float = F_CLIP):
    """σ⁻¹(y) = ln(y / (1 − y)); y is clipped to [clip, 1 − clip] so the result stays finite."""
    y = np.clip(np.asarray(y, dtype=np.float64), clip, 1.0 - clip)
    return np.log(y) - np.log1p(-y)


def book_target(x):
    """The book's challenge: f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x)."""
    x = np.asarray(x, dtype=np.float64)
    return 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)


# ---------------------------------------------------------------------------------------------- targets
TARGET_KINDS = {
    "book": "Book challenge: f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x)",
    "sin": "f(x) = 0.5 + 0.35·sin(2πx)",
    "abs": "f(x) = 0.15 + 1.2·|x − ½|",
    "step": "a step: f(x) = 0.2 for x < ½, 0.8 from ½ on",
    "noisy": "noisy samples of the book's f (σ = 0.03, 60 points)",
    "drawn": "drawn with the mouse (sample points)",
}


@dataclass(frozen=True)
class Target:
    """A target function f on [0, 1] with values in (0, 1).

    ``kind`` is one of TARGET_KINDS.  Sample-based targets ("noisy", "drawn") carry their points
    ``xs``, ``ys`` (1-D, same length, xs sorted); f between points is linear interpolation.
    """

    kind: str = "book"
    xs: tuple = field(default=())
    ys: tuple = field(default=())

    def __post_init__(self):
        if self.kind not in TARGET_KINDS:
            raise ValueError(f"unknown target {self.kind!r}; choose one of {', '.join(TARGET_KINDS)}")
        if self.kind in ("noisy", "drawn"):
            if len(self.xs) != len(self.ys) or len(self.xs) < 2:
                raise ValueError("a sampled target needs at least two points (x, f(x)); draw a longer stroke")

    @property
    def label(self) -> str:
        return TARGET_KINDS[self.kind]

    @property
    def sampled(self) -> bool:
        return self.kind in ("noisy", "drawn")

    def f(self, x) -> np.ndarray:
        """f(x) for an array x (n,) → (n,)."""
        x = np.asarray(x, dtype=np.float64)
        if self.kind == "book":
            return book_target(x)
        if self.kind == "sin":
            return 0.5 + 0.35 * np.sin(2 * np.pi * x)
        if self.kind == "abs":
            return 0.15 + 1.2 * np.abs(x - 0.5)
        if self.kind == "step":
            return np.where(x < 0.5, 0.2, 0.8)
        return np.interp(x, np.asarray(self.xs, float), np.asarray(self.ys, float))

    def g(self, x) -> np.ndarray:
        """σ⁻¹(f(x)): what the hidden layer's weighted output has to match."""
        return sigma_inv(self.f(x))

    def fit_points(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, σ⁻¹f(x)) to fit: the noisy samples themselves; for formulas and drawn curves (linear between
        the drawn points) the score grid x = 0, 0.01, …, 0.99."""
        if self.kind == "noisy":
            xs = np.asarray(self.xs, float)
            return xs, sigma_inv(np.asarray(self.ys, float))
        return SCORE_X.copy(), self.g(SCORE_X)


def noisy_target(n: int = 60, sigma: float = 0.03, seed: int = 0) -> Target:
    """n noisy samples of the book's f at random x (sorted), N(0, sigma²) noise, clipped into (0, 1)."""
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(0, 1, n))
    ys = np.clip(book_target(xs) + rng.normal(0, sigma, n), 0.02, 0.98)
    return Target("noisy", tuple(xs.tolist()), tuple(ys.tolist()))


def drawn_target(points) -> Target:
    """A target from mouse points [(x, y), ...]: sorted by x, x clipped to [0, 1], y to [0.02, 0.98],
    repeated x merged (the later point wins, as when the stroke is redrawn)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    xs = np.clip(pts[:, 0], 0.0, 1.0)
    ys = np.clip(pts[:, 1], 0.02, 0.98)
    merged: dict[float, float] = {}
    for x, y in zip(np.round(xs, 4), ys):
        merged[float(x)] = float(y)
    keys = sorted(merged)
    return Target("drawn", tuple(keys), tuple(merged[k] for k in keys))


# ---------------------------------------------------------------------------------------------- one neuron
def neuron_network(w: float, b: float) -> Network:
    """One sigmoid neuron σ(wx + b) as a Network([1, 1]) in float64."""
    net = Network([1, 1], dtype=np.float64, rng=0)
    net.set_parameters([np.array([[w]])], [np.array([b])])
    return net


def step_position(w: float, b: float) -> float | None:
    """s = −b/w, where σ(wx + b) crosses ½ (None when w = 0: no step)."""
    return None if w == 0 else -b / w


# ---------------------------------------------------------------------------------------------- bumps
def bump_steps(n: int) -> np.ndarray:
    """The N + 1 evenly spaced step positions 0, 1/N, …, 1 of N bumps: bump i spans [i/N, (i+1)/N]."""
    n = check_bumps(n)
    return np.arange(n + 1) / n


def check_bumps(n) -> int:
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise ValueError(f"the number of bumps must be a whole number, got {n!r}") from None
    if not 1 <= n <= MAX_BUMPS:
        raise ValueError(f"the number of bumps must be between 1 and {MAX_BUMPS}, got {n}")
    return n


def bump_network(h, steps=None, w: float = W_STEP) -> Network:
    """The book's design as a real network, sizes [1, 2N, 1] (float64).

    h: (N,) bump heights.  steps: (N + 1,) step positions, default 0, 1/N, …, 1.  Hidden neuron 2i has its
    step at steps[i], neuron 2i + 1 at steps[i + 1]; both have weight w and bias −w·s.  Output weights are
    (+h_i, −h_i) for each pair, output bias 0.
    """
    h = np.asarray(h, dtype=np.float64).reshape(-1)
    n = check_bumps(len(h))
    steps = bump_steps(n) if steps is None else np.asarray(steps, dtype=np.float64).reshape(-1)
    if steps.shape != (n + 1,):
        raise ValueError(f"{n} bumps need {n + 1} step positions, got {steps.shape[0]}")
    if not np.all(np.isfinite(h)):
        raise ValueError("every bump height h must be a finite number")
    s = np.empty(2 * n)
    s[0::2], s[1::2] = steps[:-1], steps[1:]
    v = np.empty(2 * n)
    v[0::2], v[1::2] = h, -h
    net = Network([1, 2 * n, 1], dtype=np.float64, rng=0)
    net.set_parameters([np.full((2 * n, 1), float(w)), v[None, :]], [-float(w) * s, np.zeros(1)])
    return net


def heights_of(net: Network) -> np.ndarray:
    """Read the bump heights h (N,) back from a bump network's output weights (+h, −h pairs)."""
    v = net.weights[-1][0]
    return np.asarray(v[0::2], dtype=np.float64).copy()


def weighted_output(net: Network, x) -> np.ndarray:
    """z^L(x), the output neuron's weighted input, for x (n,) → (n,), by the engine's forward pass."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, net.sizes[0] if net.sizes[0] > 1 else 1)
    zs, _ = net.forward(x)
    return zs[-1][:, 0].astype(np.float64)


def network_output(net: Network, x) -> np.ndarray:
    """a^L(x) = σ(z^L(x)) by the engine's feedforward, (n,) → (n,)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, net.sizes[0] if net.sizes[0] > 1 else 1)
    return net.feedforward(x)[:, 0].astype(np.float64)


def score(weighted_at_score_x, target: Target | None = None) -> float:
    """The book's average deviation: mean over x = 0, 0.01, …, 0.99 of |σ⁻¹(f(x)) − z^L(x)|.

    ``weighted_at_score_x`` holds z^L at the 100 points SCORE_X.
    """
    z = np.asarray(weighted_at_score_x, dtype=np.float64).reshape(-1)
    if z.shape != SCORE_X.shape:
        raise ValueError(f"the score needs the weighted output at the {SCORE_X.size} points x = 0, 0.01, …, 0.99")
    target = target or Target()
    return float(np.mean(np.abs(target.g(SCORE_X) - z)))


def network_score(net: Network, target: Target | None = None) -> float:
    """The real network's deviation: score() of its weighted output (second figure, not the book's score)."""
    return score(weighted_output(net, SCORE_X), target)


def book_score(heights, target: Target | None = None) -> float:
    """The book's score of a design with N = len(heights) bumps of ideal steps, for any N ≥ 1:

    Σ_j |σ⁻¹(f(x_j)) − h[⌊j·N/100⌋]| / 100 over x_j = j/100, j = 0..99.
    """
    h = np.asarray(heights, dtype=np.float64).reshape(-1)
    if h.size < 1:
        raise ValueError("the score needs at least one bump height")
    if not np.all(np.isfinite(h)):
        raise ValueError("every bump height h must be a finite number")
    target = target or Target()
    j = np.arange(SCORE_X.size)
    return float(np.sum(np.abs(target.g(SCORE_X) - h[(j * h.size) // SCORE_X.size])) / SCORE_X.size)


def book_verdict(book_score_value: float) -> tuple[str, bool]:
    """(the score as the book prints it, two decimals; True when the book says "Success!": score < 0.405)."""
    value = float(book_score_value)
    return f"{value:.2f}", bool(value < BOOK_SUCCESS_BELOW)


def bump_design_matrix(x, n: int, w: float = W_STEP) -> np.ndarray:
    """A (len(x), N): column i is the weighted output of bump i with h_i = 1, σ(w(x−s_i)) − σ(w(x−s_{i+1}))."""
    steps = bump_steps(n)
    x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    a = sigmoid(w * (x - steps[None, :]))
    return a[:, :-1] - a[:, 1:]


def fit_heights(n: int, target: Target | None = None, w: float = W_STEP, ridge: float = 1e-6) -> np.ndarray:
    """Least-squares h (N,): minimise Σ (σ⁻¹f(x) − z^L(x))² over the fit points (instant, closed form).

    A tiny ridge term keeps bumps without any sample point (sparse drawn targets) at a small height
    instead of an arbitrary one.
    """
    target = target or Target()
    xs, gs = target.fit_points()
    a = bump_design_matrix(xs, n, w)
    lhs = a.T @ a + ridge * np.eye(a.shape[1])
    return np.linalg.solve(lhs, a.T @ gs)


def score_table(ns=range(1, MAX_BUMPS + 1), target: Target | None = None) -> dict[int, float]:
    """{N: the real network's deviation (network_score) of the least-squares design with N bumps}."""
    return {int(n): network_score(bump_network(fit_heights(n, target)), target) for n in ns}


def book_score_table(ns=range(1, MAX_BUMPS + 1), target: Target | None = None) -> dict[int, float]:
    """{N: book_score of the least-squares design with N bumps}."""
    return {int(n): book_score(fit_heights(n, target), target) for n in ns}


# ---------------------------------------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainRecord:
    """One gradient-descent step on the bump heights.  Arrays are copies (safe to hand to the GUI)."""

    step: int
    cost: float  # mean cross-entropy cost C over the fit points
    score: float  # the book's average deviation
    h: np.ndarray  # (N,)
    urgent: bool = False


def train_heights(h0, target: Target | None = None, *, eta: float = 2.0, steps: int = 2000,
                  should_stop: Callable[[], bool] = lambda: False) -> Iterator[TrainRecord]:
    """Gradient descent on the bump heights of the network [1, 2N, 1], one full-batch step per record.

    The network is trained like any in the book: cross-entropy cost C = −(1/n) Σ [y ln a + (1−y) ln(1−a)]
    with desired outputs y = f(x) at the fit points, gradients by backpropagation (BP1–BP4 via
    ``Network.backprop``).  The steps stay fixed (w = 1000, b = −1000·s); the output weights are tied in
    pairs (+h_i, −h_i), so by the chain rule ∂C/∂h_i = ∂C/∂w^L_{2i} − ∂C/∂w^L_{2i+1}; then h → h − η ∂C/∂h.
    Yields a record after every step; the last one is ``urgent``.  Returns the final h.
    """
    target = target or Target()
    h = np.array(h0, dtype=np.float64).reshape(-1)
    net = bump_network(h)
    net.cost = get_cost("cross-entropy")
    xs, _ = target.fit_points()
    x = xs.reshape(-1, 1)
    y = np.clip(target.f(xs), F_CLIP, 1 - F_CLIP).reshape(-1, 1)
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"the learning rate η must be a positive number, got {eta}")
    steps = int(steps)
    if steps < 1:
        raise ValueError("train for at least one step")
    out_w = net.params[-1]  # (1, 2N + 1): output weights then the output bias
    for step in range(1, steps + 1):
        _, nabla_w = net.backprop(x, y)
        gw = nabla_w[-1][0]
        grad_h = gw[0::2] - gw[1::2]
        h -= eta * grad_h
        out_w[0, 0:-1:2] = h
        out_w[0, 1:-1:2] = -h
        last = step == steps or should_stop()
        a = net.feedforward(x)
        cost = net.cost.fn(a, y) / len(xs)
        yield TrainRecord(step, float(cost), network_score(net, target), h.copy(), urgent=last)
        if last:
            break
    return h.copy()


# ---------------------------------------------------------------------------------------------- windows of failure
def shifted_copies_network(target: Target, n: int, copies: int = 1, w: float = W_STEP) -> Network:
    """The book's fix for windows of failure, as one network [1, 2·N'·M, 1].

    Copy j (j = 0..M−1) has its steps at (i + j/M)/N for i = −1, 0, …, N (so its bumps cover [0, 1],
    shifted by j/(MN)); its bump heights are σ⁻¹f(bump centre)/M (the centre clipped to [0, 1]).  Summing the
    M copies gives σ⁻¹∘f everywhere except near steps, where only one copy at a time is in its window of
    failure and contributes only 1/M of the error.
    """
    n = check_bumps(n)
    copies = int(copies)
    if not 1 <= copies <= 16:
        raise ValueError(f"use between 1 and 16 shifted copies, got {copies}")
    all_steps, all_h = [], []
    for j in range(copies):
        off = j / (copies * n)
        lo = np.arange(-1, n + 1) / n + off  # left edges
        keep = (lo < 1.0) & (lo + 1.0 / n > 0.0)
        lo = lo[keep]
        centres = np.clip(lo + 0.5 / n, 0.0, 1.0)
        all_steps.append(np.stack([lo, lo + 1.0 / n], axis=1))
        all_h.append(target.g(centres) / copies)
    pairs = np.concatenate(all_steps)
    h = np.concatenate(all_h)
    m = len(h)
    s = pairs.reshape(-1)
    v = np.empty(2 * m)
    v[0::2], v[1::2] = h, -h
    net = Network([1, 2 * m, 1], dtype=np.float64, rng=0)
    net.set_parameters([np.full((2 * m, 1), float(w)), v[None, :]], [-float(w) * s, np.zeros(1)])
    return net


def window_errors(target: Target, n: int, copies: int, w: float, x=PLOT_X) -> dict:
    """Weighted outputs and errors for 1 copy and for M copies on the grid x.

    Returns {"x", "g" (σ⁻¹f), "z1", "zM" (weighted outputs), "z1_ideal" (1 copy with true steps, w = 10⁶),
    "err1", "errM" (|g − z|), "max1", "maxM", "mean1", "meanM", "window1" (max |z1 − z1_ideal|: how far
    the sigmoid steps stray from true steps)} — maxima and means are over x in [0.02, 0.98].
    """
    x = np.asarray(x, dtype=np.float64)
    g = target.g(x)
    z1 = weighted_output(shifted_copies_network(target, n, 1, w), x)
    zm = weighted_output(shifted_copies_network(target, n, copies, w), x)
    z_ideal = weighted_output(shifted_copies_network(target, n, 1, 1e6), x)
    e1, em = np.abs(g - z1), np.abs(g - zm)
    inner = (x >= 0.02) & (x <= 0.98)
    return {"x": x, "g": g, "z1": z1, "zM": zm, "z1_ideal": z_ideal, "err1": e1, "errM": em,
            "window1": float(np.abs(z1 - z_ideal)[inner].max()),
            "max1": float(e1[inner].max()), "maxM": float(em[inner].max()),
            "mean1": float(e1[inner].mean()), "meanM": float(em[inner].mean())}


# ---------------------------------------------------------------------------------------------- two inputs
TWO_D_MODES = ("x-step", "y-step", "x-bump", "y-bump", "x+y bumps", "tower", "many towers")


def grid2d(n: int = 81) -> tuple[np.ndarray, np.ndarray]:
    """Points of an n×n grid on [0, 1]²: returns (xy (n², 2) rows (x, y) with y varying slowest, axis (n,))."""
    axis = np.linspace(0.0, 1.0, n)
    yy, xx = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1), axis


def target2d(x, y):
    """A 2-D target with values in (0, 1): f(x, y) = 0.5 + 0.3·sin(2πx)·cos(1.5πy) + 0.1·(x − y)."""
    return 0.5 + 0.3 * np.sin(2 * np.pi * x) * np.cos(1.5 * np.pi * y) + 0.1 * (x - y)


def two_input_network(mode: str, sx=(0.3, 0.7), sy=(0.3, 0.7), h: float = 5.0, bias: float | None = None,
                      w: float = W_STEP) -> Network:
    """A [2, k, 1] network for one of TWO_D_MODES except "many towers".

    Steps in x have weights (w, 0) and bias −w·s; steps in y (0, w) and −w·s.  Bumps pair steps s1 < s2 with
    output weights +h, −h.  "x+y bumps" and "tower" have both bumps; "tower" adds the output bias
    (default −3h/2), the others have output bias ``bias`` or 0.
    """
    if mode not in TWO_D_MODES or mode == "many towers":
        raise ValueError(f"unknown two-input design {mode!r}")
    rows, biases, out = [], [], []

    def step(axis, s, v):
        rows.append([w, 0.0] if axis == "x" else [0.0, w])
        biases.append(-w * s)
        out.append(v)

    for axis, (s1, s2) in (("x", sx), ("y", sy)):
        if mode.startswith(axis) or mode in ("x+y bumps", "tower"):
            if mode.endswith("step"):
                step(axis, s1, h)
            else:
                if not s1 < s2:
                    raise ValueError(f"a {axis}-bump needs s1 < s2, got s1 = {s1:g}, s2 = {s2:g}")
                step(axis, s1, h)
                step(axis, s2, -h)
    if bias is None:
        bias = -1.5 * h if mode == "tower" else 0.0
    net = Network([2, len(rows), 1], dtype=np.float64, rng=0)
    net.set_parameters([np.array(rows), np.array([out])], [np.array(biases), np.array([float(bias)])])
    return net


def towers_network(k: int, f2=target2d, h: float = 30.0, w: float = W_STEP) -> Network:
    """Many towers approximating f2(x, y) with a k×k grid, sizes [2, 2(k+1), k², 1].

    Hidden layer 2: k+1 steps in x then k+1 steps in y at 0, 1/k, …, 1.  Hidden layer 3: tower (i, j)
    (row-major, j along y) takes +h from x-step i, −h from x-step i+1, +h from y-step j, −h from y-step j+1
    and has bias −3h/2, so it is ≈ 1 on its cell and ≈ 0 elsewhere.  The output weights are σ⁻¹f2 at the cell
    centres, output bias 0, so the output σ(Σ ...) ≈ f2.
    """
    k = int(k)
    if not 1 <= k <= 40:
        raise ValueError(f"use between 1 and 40 towers per side, got {k}")
    s = np.arange(k + 1) / k
    w1 = np.zeros((2 * (k + 1), 2))
    w1[: k + 1, 0] = w
    w1[k + 1:, 1] = w
    b1 = -w * np.concatenate([s, s])
    w2 = np.zeros((k * k, 2 * (k + 1)))
    centres = (np.arange(k) + 0.5) / k
    heights = np.zeros(k * k)
    for j in range(k):  # y
        for i in range(k):  # x
            t = j * k + i
            w2[t, i], w2[t, i + 1] = h, -h
            w2[t, k + 1 + j], w2[t, k + 2 + j] = h, -h
            heights[t] = sigma_inv(f2(centres[i], centres[j]))
    b2 = np.full(k * k, -1.5 * h)
    net = Network([2, 2 * (k + 1), k * k, 1], dtype=np.float64, rng=0)
    net.set_parameters([w1, w2, heights[None, :]], [b1, b2, np.zeros(1)])
    return net
