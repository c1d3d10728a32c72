"""The inspector's worker tasks (nndl_gui/jobs/inspector.py) and text model (nndl_gui/tabs/inspector/equations.py), without Qt."""

import re

import numpy as np
import pytest

from nndl_gui.jobs import inspector as ij
from nndl_gui.tabs.inspector import equations as eqn
from nndl_gui.engine.network import Network
from nndl_gui.engine.trace import gradient_check, trace


def number(text: str) -> float:
    """A number as the tab writes it ('−0.053', '2.95×10⁻³') back to a float."""
    mant, _, exp = text.replace(eqn.MINUS, "-").partition("×10")
    return float(mant) * 10.0 ** int(exp.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")) or 0)


def bold_value(html: str) -> float:
    """The result of an equation (the bold number at its end)."""
    return number(re.search(r"<b>([^<]+)</b>", html).group(1))


@pytest.mark.parametrize("sizes,cost", [([2, 3, 2], "quadratic"), ([3, 4, 2], "cross-entropy"),
                                        ([2, 3, 3, 2], "quadratic"), ([4, 5, 3], "cross-entropy")])
def test_trace_equals_finite_differences_in_float64(sizes, cost):
    """Every ∂C/∂w and ∂C/∂b of the traced example agrees with central differences.

    We assert the vector-norm relative error ‖g_bp − g_fd‖/(‖g_bp‖ + ‖g_fd‖) < 1e-7 and, per entry,
    |g_bp − g_fd| < 1e-7 · max(|g_bp|, 1e-3): the relative error of a single tiny gradient is set by the
    finite difference's rounding (≈ 1e-16 / ε² ≈ 1e-6 of nothing), not by backprop.
    """
    net = ij.make_small_network(sizes, seed=3, cost=cost)
    rng = np.random.default_rng(1)
    x = rng.random(sizes[0])
    y = rng.random(sizes[-1])
    insp = ij.trace_task(None, net, x, y)
    tr = insp.trace
    check = gradient_check(insp.network, x, tr.y)
    assert check.n_checked == net.num_parameters
    assert check.relative_error < 1e-7
    for l in range(2, len(sizes) + 1):
        for j in range(sizes[l - 1]):
            pc = ij.check_parameter_task(None, net, x, y, "b", l, j)
            assert pc.backprop == tr.layer(l).nabla_b[j]
            assert abs(pc.backprop - pc.numerical) < 1e-7 * max(abs(pc.backprop), 1e-3)
            for k in range(sizes[l - 2]):
                pc = ij.check_parameter_task(None, net, x, y, "w", l, j, k)
                assert pc.backprop == tr.layer(l).nabla_w[j, k]
                assert abs(pc.backprop - pc.numerical) < 1e-7 * max(abs(pc.backprop), 1e-3)
                assert pc.forward_passes_numerical == 2


def test_trace_task_copies_and_never_mutates():
    net = Network([3, 4, 2], rng=0)  # float32, like a shared network
    before = [p.copy() for p in net.params]
    insp = ij.trace_task(None, net, [0.1, 0.5, 0.9], 1)
    assert insp.network is not net and insp.network.dtype == np.float64
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params))
    np.testing.assert_array_equal(insp.trace.y, [0.0, 1.0])
    with pytest.raises(ValueError, match="takes 3 inputs"):
        ij.trace_task(None, net, [0.1, 0.5], 1)


def test_edit_task_changes_one_parameter_and_every_delta_follows():
    net = ij.make_small_network([2, 3, 2], seed=0)
    x, y = [0.3, 0.8], [1.0, 0.0]
    old = ij.trace_task(None, net, x, y)
    new = ij.edit_task(None, net, x, y, "w", 2, 1, 0, 5.0)
    assert new.network.weights[0][1, 0] == 5.0 and net.weights[0][1, 0] != 5.0
    ref = trace(new.network, x, y)  # the engine's trace on the edited network
    assert new.trace.cost == ref.cost != old.trace.cost
    for l in (2, 3):
        np.testing.assert_array_equal(new.trace.layer(l).delta, ref.layer(l).delta)
    new_b = ij.edit_task(None, net, x, y, "b", 3, 0, None, -2.0)
    assert new_b.network.biases[1][0] == -2.0
    with pytest.raises(ValueError, match="input k"):
        ij.edit_task(None, net, x, y, "w", 2, 0, 7, 1.0)
    with pytest.raises(ValueError, match="finite"):
        ij.edit_task(None, net, x, y, "b", 2, 0, None, float("nan"))


def test_whole_network_check_samples_big_networks_and_says_how_many():
    net = Network([784, 30, 10], rng=0)
    x = np.random.default_rng(0).random(784)
    res = ij.check_network_task(None, net, x, 3, max_params=50)
    assert res.n_checked == 50 and res.n_parameters == net.num_parameters == 23860
    assert res.forward_passes_numerical == 100 and res.passes_backprop == 2
    assert res.relative_error < 1e-7
    small = ij.check_network_task(None, ij.make_small_network([2, 3, 2]), [0.2, 0.4], 0)
    assert small.n_checked == small.n_parameters == 17


def test_demon_change_is_delta_times_dz_to_first_order():
    net = ij.make_small_network([2, 3, 3, 2], seed=2)
    x, y = [0.9, 0.1], [0.0, 1.0]
    for l, j in ((2, 0), (3, 2), (4, 1)):
        small = ij.demon_task(None, net, x, y, l, j, 1e-4)
        assert small.actual_change == pytest.approx(small.predicted_change, rel=1e-3, abs=1e-12)
        big = ij.demon_task(None, net, x, y, l, j, 1.0)
        assert big.delta == trace(net, x, y).layer(l).delta[j]
    with pytest.raises(ValueError, match="layers 2"):
        ij.demon_task(None, net, x, y, 1, 0, 0.1)


def test_saturation_job_yields_every_epoch_and_stops_on_request():
    snaps = [s for (s,) in ij.saturation_job(None, "saturated", "quadratic")]
    assert len(snaps) == 301 and snaps[0].records[0].w == 2.0
    assert [r.epoch for r in snaps[-1].records] == list(range(301))  # every snapshot carries the whole run
    assert snaps[-1].last.epoch == 300 and snaps[-1].cost == "quadratic"

    class Ctx:
        n = 0

        def should_stop(self):
            self.n += 1
            return self.n > 5

    assert len(list(ij.saturation_job(Ctx(), "unsaturated", "cross-entropy"))) == 5


def test_saturation_runs_side_by_side_and_one_joins_mid_way():
    """Two costs in one job (the worker runs one job at a time); the first continues from epoch 120."""
    alone = {c: list(ij.saturation_run("saturated", c)) for c in ("quadratic", "cross-entropy")}
    snaps = list(ij.saturation_job(None, "saturated", ("quadratic", "cross-entropy"), 0.0, {"quadratic": 120}))
    first = snaps[0]
    assert [p.cost for p in first] == ["quadratic", "cross-entropy"]
    assert first[0].last.epoch == 121 and first[1].last.epoch == 0  # the joining run starts at its epoch 0
    assert len(snaps) == 301  # until the later one reaches epoch 300
    for p in snaps[-1]:
        assert p.records == tuple(alone[p.cost])  # the same numbers as each run alone


def test_steps_follow_the_book_order():
    kinds = [(s.kind, s.l) for s in eqn.steps(4)]
    assert kinds == [("input", 1), ("z", 2), ("a", 2), ("z", 3), ("a", 3), ("z", 4), ("a", 4),
                     ("BP1", 4), ("BP2", 3), ("BP2", 2), ("BP3", 0), ("BP4", 0)]
    st = eqn.steps(3)
    bp1 = [i for i, s in enumerate(st) if s.kind == "BP1"][0]
    assert eqn.known(st, bp1, "delta", 3) and not eqn.known(st, bp1, "delta", 2)
    assert eqn.known(st, bp1, "a", 3) and not eqn.known(st, 2, "z", 3)
    assert not eqn.known(st, bp1, "nabla_w", 2) and eqn.known(st, len(st) - 1, "nabla_w", 2)


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_equations_substitute_the_trace_numbers(cost):
    net = ij.make_small_network([2, 3, 2], seed=5, cost=cost)
    insp = ij.trace_task(None, net, [0.4, 0.7], 0)
    tr, n = insp.trace, insp.network
    by_kind = {s.kind: s for s in eqn.steps(3)}
    z = eqn.equation(n, tr, eqn.Step("z", 2, ""), 2, 1)
    assert bold_value(z) == pytest.approx(tr.layer(2).z[1], abs=5e-4)
    # the substituted terms are w^2_1k and a^1_k
    assert eqn.fmtp(n.weights[0][1, 0]) in z and eqn.fmtp(tr.layer(1).a[1]) in z
    a = eqn.equation(n, tr, eqn.Step("a", 3, ""), 3, 0)
    assert bold_value(a) == pytest.approx(tr.layer(3).a[0], abs=5e-4)
    bp1 = eqn.equation(n, tr, by_kind["BP1"], 3, 0)
    assert bold_value(bp1) == pytest.approx(tr.layer(3).delta[0], abs=5e-4)
    assert eqn.fmt(tr.layer(3).a[0]) in bp1
    if cost == "quadratic":
        assert eqn.fmtp(tr.layer(3).sigma_prime[0]) in bp1
    else:
        assert "σ′ cancels" in bp1
    bp2 = eqn.equation(n, tr, by_kind["BP2"], 2, 2)
    assert bold_value(bp2) == pytest.approx(tr.layer(2).delta[2], abs=5e-4)
    assert eqn.fmtp(tr.layer(3).delta[1]) in bp2
    bp4 = eqn.equation(n, tr, by_kind["BP4"], 3, 1, 2)
    assert bold_value(bp4) == pytest.approx(tr.layer(3).nabla_w[1, 2], abs=5e-4)
    bp3 = eqn.equation(n, tr, by_kind["BP3"], 2, 0)
    assert bold_value(bp3) == pytest.approx(tr.layer(2).nabla_b[0], abs=5e-4)


def test_fmt_and_parse_numbers():
    assert eqn.fmt(-0.0531) == "−0.053" and eqn.fmt(0) == "0.000" and eqn.fmt(2.5e-6) == "2.50×10⁻⁶"
    assert eqn.fmtp(-1.0) == "(−1.000)" and eqn.fmt(0.00131) == "1.31×10⁻³"
    assert number(eqn.fmt(-0.00131)) == pytest.approx(-0.00131) and number(eqn.fmt(2.5e-6)) == pytest.approx(2.5e-6)
    np.testing.assert_array_equal(ij.parse_numbers("0.5, 1", 2, "x"), [0.5, 1.0])
    with pytest.raises(ValueError, match="needs 2 numbers"):
        ij.parse_numbers("1 2 3", 2, "x")
    with pytest.raises(ValueError, match="separated by commas"):
        ij.parse_numbers("a, b", 2, "x")


# ---------------------------------------------------------------------------------------------- conv nets
def _small_conv(seed=0):
    from nndl_gui.engine.convnet import ConvNet

    spec = [{"type": "conv", "filters": 3, "size": 5, "pool": 2, "activation": "sigmoid"},
            {"type": "fc", "n_out": 8, "activation": "tanh"}, {"type": "softmax", "n_out": 10}]
    net = ConvNet(spec, rng=seed, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for p in net.params:
        p[...] = rng.normal(0, 0.3, p.shape)
    return net, rng.random(784)


def test_conv_gradient_check_of_one_parameter_and_of_the_network():
    net, x = _small_conv()
    for layer, kind, index in ((0, "w", (1, 0, 2, 3)), (0, "b", (2,)), (1, "w", (100, 4)), (2, "b", (7,))):
        pc = ij.check_conv_parameter_task(None, net, x, 7, layer, kind, index)
        assert pc.relative_error < 1e-6 and abs(pc.backprop) > 0
    res = ij.check_conv_network_task(None, net, x, 7, max_params=60)
    assert res.n_checked == 60 and res.n_parameters == net.num_parameters
    assert res.relative_error < 1e-7


def test_conv_gradient_check_of_a_confident_network():
    """a^L_label within 1e-12 of 1: the check still agrees (the cost is computed from z^L, not ln a^L)."""
    net, x = _small_conv(2)
    label = int(np.argmax(net.feedforward(x)))
    net.layers[-1].b[label] += 40.0
    assert 1.0 - net.feedforward(x)[label] < 1e-12
    res = ij.check_conv_network_task(None, net, x, label, max_params=40)
    assert res.relative_error < 1e-5


def test_conv_gradient_check_can_fail():
    """A parameter whose backprop number is wrong is caught (the check is not a tautology)."""
    from nndl_gui.engine import convtrace

    net, x = _small_conv(1)
    real = convtrace._conv_backward

    def wrong(*args):
        delta, delta_z, gw, gb, gx = real(*args)
        return delta, delta_z, gw * 1.01, gb, gx

    convtrace._conv_backward = wrong
    try:
        pc = ij.check_conv_parameter_task(None, net, x, 3, 0, "w", (0, 0, 1, 1))
    finally:
        convtrace._conv_backward = real
    assert pc.relative_error > 1e-3


def test_conv_trace_task_checks_its_input():
    net, x = _small_conv()
    insp = ij.conv_trace_task(None, net, x, 4, "typed")
    assert insp.trace.label == 4 and insp.description == "typed"
    with pytest.raises(ValueError, match="784 inputs"):
        ij.conv_trace_task(None, net, x[:10], 4)
    with pytest.raises(ValueError, match="outside"):
        ij.conv_trace_task(None, net, x, 12)
