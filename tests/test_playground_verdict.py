"""The playground's verdict is the book's: ideal steps scored, "Success!" below 0.405 (issue 13)."""

import numpy as np
import pytest

from nndl_gui.engine import approx as A
from nndl_gui.jobs import playground as jobs


def test_bumps_task_scores_the_ideal_steps_and_keeps_the_network_deviation_apart():
    h = np.array([-1.2, -1.6, -0.5, -1.3, 0.8])  # passes on the real network, fails in the book
    r = jobs.bumps_task(None, h, A.Target())
    g = A.sigma_inv(A.book_target(np.arange(100) / 100))
    by_hand = np.mean([abs(g[j] - h[j * 5 // 100]) for j in range(100)])
    assert r.book_score == pytest.approx(by_hand, abs=1e-12)
    assert r.score == pytest.approx(A.network_score(A.bump_network(h)), abs=1e-12)
    assert r.score != pytest.approx(r.book_score, abs=1e-3)
    assert A.book_verdict(r.book_score)[1] is False


def test_the_verdict_rounds_as_the_book_prints():
    assert A.book_verdict(0.4049) == ("0.40", True) and A.book_verdict(0.4051) == ("0.41", False)
    fit = A.fit_heights(5)
    assert A.book_verdict(A.book_score(fit))[1]
