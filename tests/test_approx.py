"""Chapter 4 engine (nndl_gui.engine.approx) and the playground's worker functions, without Qt."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from nndl_gui.jobs import playground as jobs
from nndl_gui.engine import approx as A
from nndl_gui.engine.io import load_network


def sig(z):
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def book_score_by_hand(h):
    """The book's formula written out point by point, independent of the engine."""
    n = len(h)
    total = 0.0
    for k in range(100):
        x = k / 100
        f = 0.2 + 0.4 * x * x + 0.3 * x * math.sin(15 * x) + 0.05 * math.cos(50 * x)
        g = math.log(f / (1 - f))
        z = 0.0
        for i in range(n):
            s1, s2 = i / n, (i + 1) / n
            z += h[i] * sig(1000 * x - 1000 * s1) - h[i] * sig(1000 * x - 1000 * s2)
        total += abs(g - z)
    return total / 100


@pytest.mark.parametrize("n", [1, 5, 13])
def test_score_equals_the_books_formula_computed_directly(n):
    rng = np.random.default_rng(n)
    h = rng.normal(0, 1.5, n)
    net = A.bump_network(h)
    assert A.network_score(net) == pytest.approx(book_score_by_hand(h), abs=1e-9)
    assert jobs.bumps_task(None, h, A.Target()).score == pytest.approx(book_score_by_hand(h), abs=1e-9)


def test_score_of_a_perfect_weighted_output_is_zero_and_needs_100_points():
    assert A.score(A.sigma_inv(A.book_target(A.SCORE_X))) == pytest.approx(0.0, abs=1e-12)
    assert A.score(np.zeros(100)) == pytest.approx(np.mean(np.abs(A.sigma_inv(A.book_target(A.SCORE_X)))))
    with pytest.raises(ValueError, match="100 points"):
        A.score(np.zeros(99))


def test_bump_network_is_the_books_design():
    h = np.array([0.5, -1.0, 2.0])
    net = A.bump_network(h)
    assert net.sizes == [1, 6, 1]
    np.testing.assert_array_equal(net.weights[0][:, 0], 1000.0)
    np.testing.assert_allclose(net.biases[0], -1000 * np.array([0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1]))
    np.testing.assert_array_equal(net.weights[1][0], [0.5, -0.5, -1.0, 1.0, 2.0, -2.0])
    assert net.biases[1][0] == 0.0
    np.testing.assert_array_equal(A.heights_of(net), h)
    x = np.linspace(0, 1, 57)
    z = A.weighted_output(net, x)
    np.testing.assert_allclose(z, A.bump_design_matrix(x, 3) @ h, atol=1e-12)
    np.testing.assert_allclose(A.network_output(net, x), A.sigmoid(z), atol=1e-12)
    # inside each bump (away from the steps) the weighted output is that bump's height
    np.testing.assert_allclose(A.weighted_output(net, [0.15, 0.5, 0.85]), h, atol=1e-9)


def test_one_neuron_is_a_step_at_minus_b_over_w():
    w, b = 1000.0, -400.0
    assert A.step_position(w, b) == pytest.approx(0.4)
    assert A.step_position(0.0, 1.0) is None
    a = jobs.neuron_task(None, w, b)
    assert a.s == pytest.approx(0.4)
    net = A.neuron_network(w, b)
    out = A.network_output(net, [0.35, 0.4, 0.45])
    assert out[0] < 1e-6 and out[1] == pytest.approx(0.5) and out[2] > 1 - 1e-6
    # a small weight gives a gentle slope, not a step
    soft = A.network_output(A.neuron_network(5.0, -2.0), [0.3, 0.5])
    assert 0.3 < soft[0] < 0.5 < soft[1] < 0.7


def test_least_squares_with_5_bumps_meets_the_books_challenge():
    h = A.fit_heights(5)
    s = A.network_score(A.bump_network(h))
    print(f"least-squares 5 bumps: score {s:.4f} (book: success at <= {A.SUCCESS_SCORE})")
    assert s <= A.SUCCESS_SCORE
    # and it is a minimum of the squared error: nudging any height makes the squared error larger
    x, g = A.Target().fit_points()
    a = A.bump_design_matrix(x, 5)

    def sq(hh):
        return float(np.sum((g - a @ hh) ** 2))

    for i in range(5):
        for d in (-1e-3, 1e-3):
            nudged = h.copy()
            nudged[i] += d
            assert sq(nudged) > sq(h)


def test_score_falls_as_the_number_of_bumps_grows():
    table = A.score_table()
    print("N -> least-squares score:", {n: round(s, 3) for n, s in table.items()})
    checkpoints = [table[n] for n in (1, 2, 5, 10, 20, 50)]
    assert all(a > b for a, b in zip(checkpoints, checkpoints[1:]))
    blocks = [np.mean([table[n] for n in range(lo, lo + 10)]) for lo in (1, 11, 21, 31, 41)]
    assert all(a > b for a, b in zip(blocks, blocks[1:]))
    assert table[1] > 0.7 and table[50] < 0.1


def test_bumps_are_checked():
    with pytest.raises(ValueError, match="between 1 and 50"):
        A.bump_network(np.zeros(51))
    with pytest.raises(ValueError, match="between 1 and 50"):
        A.fit_heights(0)
    with pytest.raises(ValueError, match="finite"):
        A.bump_network([1.0, float("nan")])


def test_gradient_descent_step_is_the_backprop_gradient_of_the_cost():
    """One step of train_heights moves h by −η ∂C/∂h, ∂C/∂h checked against finite differences."""
    target = A.Target("sin")
    h0 = np.array([0.3, -0.2, 0.8, 0.1])
    eta = 0.5
    rec = next(A.train_heights(h0, target, eta=eta, steps=5))
    grad = (h0 - rec.h) / eta
    xs, _ = target.fit_points()
    y = np.clip(target.f(xs), A.F_CLIP, 1 - A.F_CLIP)

    def cost(h):
        a = A.sigmoid(A.bump_design_matrix(xs, len(h)) @ h)
        return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))

    eps = 1e-6
    numeric = np.array([(cost(h0 + eps * e) - cost(h0 - eps * e)) / (2 * eps) for e in np.eye(4)])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)
    assert rec.cost == pytest.approx(cost(rec.h), rel=1e-9)


def test_gradient_descent_reaches_the_challenge_and_stops_when_asked():
    records = list(A.train_heights(np.zeros(5), A.Target(), eta=2.0, steps=2000))
    assert len(records) == 2000 and records[-1].urgent and not records[0].urgent
    assert records[0].score > 0.9
    assert records[-1].score <= A.SUCCESS_SCORE
    assert records[-1].cost < records[0].cost
    snaps = list(jobs.train_job(None, np.zeros(5), A.Target(), 2.0, 2000))
    assert 300 <= len(snaps) <= 400 and snaps[-1].urgent and snaps[-1].step == 2000
    assert len(snaps[-1].curve_scores) == 2000 and snaps[-1].curve_scores[-1] == records[-1].score
    np.testing.assert_array_equal(snaps[-1].h, records[-1].h)
    calls = []
    stopped = list(A.train_heights(np.zeros(3), steps=10_000, should_stop=lambda: len(calls.append(1) or calls) >= 7))
    assert len(stopped) == 7 and stopped[-1].urgent
    with pytest.raises(ValueError, match="η"):
        next(A.train_heights(np.zeros(3), eta=-1.0))


def test_targets():
    for kind in ("book", "sin", "abs", "step"):
        f = A.Target(kind).f(A.PLOT_X)
        assert np.all((f > 0) & (f < 1)), kind
    assert A.Target("step").f([0.2, 0.7]).tolist() == [0.2, 0.8]
    noisy = A.noisy_target()
    assert noisy == A.noisy_target()  # reproducible
    assert len(noisy.xs) == 60 and np.all(np.diff(noisy.xs) >= 0)
    drawn = A.drawn_target([(0.9, 0.5), (0.1, 1.5), (0.5, -3.0), (0.5, 0.3), (float("nan"), 0.5)])
    assert drawn.xs == (0.1, 0.5, 0.9)
    assert drawn.ys == (0.98, 0.3, 0.5)  # clipped into (0, 1); the later point at x = 0.5 wins
    assert A.network_score(A.bump_network(A.fit_heights(20, drawn)), drawn) < 0.2
    with pytest.raises(ValueError, match="at least two points"):
        A.drawn_target([(0.5, 0.5)])
    with pytest.raises(ValueError, match="unknown target"):
        A.Target("cubic")
    # sparse samples: bumps without any point stay bounded
    sparse = A.Target("noisy", (0.1, 0.2), (0.3, 0.4))
    assert np.all(np.abs(A.fit_heights(30, sparse)) < 5)


def test_windows_of_failure_shrink_with_shifted_copies_and_with_larger_w():
    t = A.Target()
    one = A.window_errors(t, 10, 1, 150.0)
    three = A.window_errors(t, 10, 3, 150.0)
    assert three["maxM"] < one["maxM"] and three["meanM"] < one["meanM"]
    assert three["max1"] == pytest.approx(one["maxM"])
    # the window of failure (distance to true steps) narrows as w grows
    soft, sharp = A.window_errors(t, 10, 1, 50.0), A.window_errors(t, 10, 1, 1000.0)
    assert sharp["window1"] < soft["window1"]
    # M copies of height g/M: away from every step, the sum equals σ⁻¹f at bump centres
    net = A.shifted_copies_network(t, 4, 2, 1e6)
    assert net.sizes[1] % 2 == 0
    with pytest.raises(ValueError, match="copies"):
        A.shifted_copies_network(t, 4, 0)


def test_two_inputs_steps_bumps_and_a_tower():
    xy, axis = A.grid2d(21)
    step = A.network_output(A.two_input_network("x-step", sx=(0.5, 0.7), h=10), xy).reshape(21, 21)
    np.testing.assert_allclose(step, step[0:1, :].repeat(21, axis=0))  # depends on x only
    ybump = A.weighted_output(A.two_input_network("y-bump", sy=(0.3, 0.6), h=4.0), xy).reshape(21, 21)
    assert ybump[9, 3] == pytest.approx(4.0) and ybump[2, 3] == pytest.approx(0.0, abs=1e-9)
    h = 10.0
    tower = A.two_input_network("tower", (0.3, 0.7), (0.3, 0.7), h)
    assert tower.biases[-1][0] == -1.5 * h
    z = A.weighted_output(tower, [[0.5, 0.5], [0.5, 0.1], [0.1, 0.1]])
    assert z.tolist() == pytest.approx([2 * h - 1.5 * h, h - 1.5 * h, -1.5 * h], abs=1e-6)
    a = A.sigmoid(z)
    assert a[0] > 0.99 and a[1] < 0.01 and a[2] < 1e-6
    with pytest.raises(ValueError, match="s1 < s2"):
        A.two_input_network("x-bump", sx=(0.6, 0.4))


def test_many_towers_approximate_a_function_of_two_inputs():
    results = {k: jobs.two_input_task(None, "many towers", None, None, 0, None, k, grid=41) for k in (3, 8, 16)}
    errs = [results[k].mean_error for k in (3, 8, 16)]
    assert errs[0] > errs[1] > errs[2] and errs[2] < 0.03
    assert results[8].sizes == (2, 18, 64, 1)
    r = jobs.two_input_task(None, "tower", (0.3, 0.7), (0.3, 0.7), 10.0, -15.0, 0, grid=41)
    assert r.output.shape == (41, 41) and r.output[20, 20] > 0.99 and r.output[2, 2] < 0.01


def test_export_as_npz_and_network2_json(tmp_path):
    h = A.fit_heights(5)
    for name in ("bumps.npz", "bumps.json"):
        path = jobs.export_task(None, h, str(tmp_path / name))
        net = load_network(path, dtype=np.float64)
        np.testing.assert_allclose(A.heights_of(net), h, rtol=1e-6)
        assert A.network_score(net) == pytest.approx(A.network_score(A.bump_network(h)), abs=1e-5)
    data = json.loads((tmp_path / "bumps.json").read_text())
    assert data["sizes"] == [1, 10, 1] and data["biases"][1] == [[0.0]]
    assert data["weights"][0][3] == [1000.0]


def test_engine_and_jobs_modules_do_not_import_qt():
    code = ("import sys, nndl_gui.engine.approx, nndl_gui.jobs.playground; "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def book_score_direct(h):
    """The book's widget score written out point by point: ideal steps, bump ⌊j·N/100⌋ at x_j = j/100."""
    n = len(h)
    total = 0.0
    for j in range(100):
        x = j / 100
        f = 0.2 + 0.4 * x * x + 0.3 * x * math.sin(15 * x) + 0.05 * math.cos(50 * x)
        total += abs(math.log(f / (1 - f)) - h[j * n // 100])
    return total / 100


@pytest.mark.parametrize("n", [1, 3, 5, 7, 13, 50, 100, 130])
def test_book_score_equals_the_formula_on_random_designs(n):
    rng = np.random.default_rng(100 + n)
    for _ in range(3):
        h = rng.normal(0, 1.5, n)
        assert A.book_score(h) == pytest.approx(book_score_direct(list(h)), abs=1e-12)
    # it scores the ideal steps, so the per-bin median of σ⁻¹f is a design it cannot beat
    g = A.sigma_inv(A.book_target(A.SCORE_X))
    if n <= 100:
        bins = (np.arange(100) * n) // 100
        best = np.array([np.median(g[bins == i]) for i in range(n)])
        assert A.book_score(best) <= A.book_score(best + 0.01) and A.book_score(best) <= A.book_score(h)


def test_book_verdict_follows_the_book_not_the_network():
    h = [-1.2, -1.6, -0.5, -1.3, 0.8]
    # the example: the w = 1000 network deviates by less than 0.40 ...
    assert A.network_score(A.bump_network(np.array(h))) < 0.40
    # ... but the book scores the ideal steps, 0.41: no success
    assert A.book_verdict(A.book_score(h)) == ("0.41", False)
    assert A.book_verdict(0.4006) == ("0.40", True)
    assert A.book_verdict(0.3999) == ("0.40", True)
    assert A.book_verdict(0.4051) == ("0.41", False)
    with pytest.raises(ValueError):
        A.book_score([])
    with pytest.raises(ValueError):
        A.book_score([0.1, float("nan")])


def test_book_score_table_uses_the_least_squares_design():
    table = A.book_score_table([1, 5, 50])
    assert table[5] == pytest.approx(A.book_score(A.fit_heights(5)))
    assert table[1] > table[5] > table[50]
    assert A.book_verdict(table[5])[1]
