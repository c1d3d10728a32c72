"""Chapter 3's saturation demo (engine/saturation.py): gradients, the book's set-up, the lesson."""

import math

import pytest

from nndl_gui.engine.saturation import (ETAS, STARTS, neuron_cost, neuron_gradient, saturation_run,
                                        sigmoid)


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
@pytest.mark.parametrize("wb", [(0.6, 0.9), (2.0, 2.0), (-1.3, 0.4), (5.0, 3.0)])
def test_gradient_matches_finite_differences(cost, wb):
    w, b = wb
    eps = 1e-6
    gw, gb = neuron_gradient(w, b, cost)
    fw = (neuron_cost(w + eps, b, cost) - neuron_cost(w - eps, b, cost)) / (2 * eps)
    fb = (neuron_cost(w, b + eps, cost) - neuron_cost(w, b - eps, cost)) / (2 * eps)
    assert gw == pytest.approx(fw, rel=1e-7, abs=1e-12)
    assert gb == pytest.approx(fb, rel=1e-7, abs=1e-12)


def test_book_setup():
    assert STARTS == {"unsaturated": (0.6, 0.9), "saturated": (2.0, 2.0)}
    assert ETAS == {"quadratic": 0.15, "cross-entropy": 0.005}
    recs = list(saturation_run("saturated", "quadratic"))
    assert len(recs) == 301 and recs[0].epoch == 0 and recs[-1].epoch == 300
    assert (recs[0].w, recs[0].b) == (2.0, 2.0)
    assert recs[0].a == pytest.approx(sigmoid(4.0)) == pytest.approx(0.98201, abs=1e-5)
    # one explicit step: w1 = w0 − η ∂C/∂w
    gw, gb = neuron_gradient(2.0, 2.0, "quadratic")
    assert recs[1].w == pytest.approx(2.0 - 0.15 * gw) and recs[1].b == pytest.approx(2.0 - 0.15 * gb)


def test_cost_decreases_every_epoch():
    for start in STARTS:
        for cost in ETAS:
            costs = [r.cost for r in saturation_run(start, cost)]
            assert all(c1 < c0 for c0, c1 in zip(costs, costs[1:])), (start, cost)


def test_saturated_quadratic_neuron_starts_slowly():
    """The book's lesson: from (2, 2) the quadratic cost barely moves at first; from (0.6, 0.9) it drops."""
    sat = [r.cost for r in saturation_run("saturated", "quadratic")]
    ok = [r.cost for r in saturation_run("unsaturated", "quadratic")]
    drop_sat = (sat[0] - sat[30]) / sat[0]
    drop_ok = (ok[0] - ok[30]) / ok[0]
    assert drop_sat < 0.1 < drop_ok
    # cross-entropy's first step is proportional to (a − y), the larger the error the faster:
    ce = list(saturation_run("saturated", "cross-entropy"))
    assert ce[0].w - ce[1].w == pytest.approx(0.005 * ce[0].a)


def test_cross_entropy_is_stable_for_large_z():
    assert math.isfinite(neuron_cost(40.0, 40.0, "cross-entropy"))
    assert neuron_cost(40.0, 40.0, "cross-entropy") == pytest.approx(80.0)


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="unknown cost"):
        list(saturation_run("saturated", "hinge"))
    with pytest.raises(ValueError, match="starting point"):
        list(saturation_run("hot", "quadratic"))
    with pytest.raises(ValueError, match="learning rate"):
        list(saturation_run("saturated", "quadratic", eta=-1))
