"""Chapter 3's softmax widget numbers: nndl_gui.engine.activations.softmax against a direct computation."""

import math

import numpy as np
import pytest

from nndl_gui.engine.activations import softmax


def test_softmax_is_exp_over_the_sum_and_sums_to_one():
    z = [2.5, -1.0, 3.2, 0.5]
    direct = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
    a = softmax(z)
    np.testing.assert_allclose(a, direct, rtol=1e-14)
    assert a.sum() == pytest.approx(1.0, abs=1e-15)
    # raising one z raises its a and lowers every other
    b = softmax([2.5, -1.0, 4.0, 0.5])
    assert b[2] > a[2] and np.all(b[[0, 1, 3]] < a[[0, 1, 3]])
    # adding a constant to every z changes nothing; huge z do not overflow
    np.testing.assert_allclose(softmax(np.add(z, 1000.0)), a, rtol=1e-12)
    rows = softmax(np.array([z, [0.0, 0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(rows[1], 0.25)
    with pytest.raises(ValueError):
        softmax([])
