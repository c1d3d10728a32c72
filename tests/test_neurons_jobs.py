"""The Neurons tab's worker jobs (jobs/neurons.py), checked against direct computations (no Qt)."""

import numpy as np
import pytest

from nndl_gui.data.mnist import Dataset, Mnist, load_mnist
from nndl_gui.engine import baselines as B
from nndl_gui.engine.network import Network
from nndl_gui.jobs import neurons as jobs


def small_mnist(seed=0, n=300) -> Mnist:
    """Random 'digits' whose darkness depends on the label (so every baseline has something to find)."""
    rng = np.random.default_rng(seed)

    def make(count, name):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = (rng.random((count, 784)) < (0.05 + 0.02 * labels[:, None])).astype(np.uint8) * 255
        return Dataset(images, labels, name)

    return Mnist(make(n, "training"), make(100, "validation"), make(100, "test"), "fake", True)


class Ctx:
    def __init__(self, stop_after=None):
        self.calls, self.stop_after = 0, stop_after

    def should_stop(self):
        self.calls += 1
        return self.stop_after is not None and self.calls > self.stop_after


def test_neuron_sweep_nudges_one_parameter_and_rejects_unknown_ones():
    s = jobs.neuron_task(None, (1.0, 1.0), (0.5, -0.25), 0.0, "w2", span=1.0, points=5)
    np.testing.assert_allclose(s.deltas, [-1, -0.5, 0, 0.5, 1])
    z = 0.5 + (-0.25 + s.deltas)
    np.testing.assert_array_equal(s.perceptron, (z > 0).astype(float))
    np.testing.assert_allclose(s.sigmoid, 1 / (1 + np.exp(-z)), rtol=1e-12)
    with pytest.raises(ValueError, match="w1, w2, b"):
        jobs.neuron_task(None, (1.0, 1.0), (0.5, -0.25), 0.0, "w3")


def test_the_bars_are_backprop_averaged_over_the_images_one_by_one():
    m = small_mnist()
    snap = next(iter(jobs.gradients_job(None, m.training, hidden=2, epochs=1, seed=4, count=50)))
    net = Network([784, 30, 30, 10], cost="cross-entropy", rng=np.random.default_rng(4))  # the job's network
    total = [np.zeros(30), np.zeros(30)]
    for img, label in zip(m.training.images[:50], m.training.labels[:50]):
        nabla_b, _ = net.backprop(img[None, :] / 255.0, np.eye(10)[[label]])
        total = [t + nb for t, nb in zip(total, nabla_b[:2])]
    for bars, t in zip(snap.bars, total):
        np.testing.assert_allclose(bars, t[:6] / 50, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(snap.speeds[0], [np.linalg.norm(t / 50) for t in total], rtol=1e-6)
    assert snap.images == 50 and snap.sizes == (784, 30, 30, 10)


def test_gradients_job_trains_keeps_the_initial_bars_and_stops_when_asked():
    m = small_mnist()
    snaps = list(jobs.gradients_job(None, m.training, hidden=3, epochs=4, count=100))
    assert [s.epoch for s in snaps] == [0, 1, 2, 3] and snaps[-1].urgent
    assert snaps[-1].speeds.shape == (4, 3)
    for a, b in zip(snaps[0].bars, snaps[-1].bars0):
        np.testing.assert_array_equal(a, b)
    assert any(not np.allclose(a, b) for a, b in zip(snaps[-1].bars, snaps[-1].bars0))
    assert snaps[-1].history.shape == (4, 3, 6)
    np.testing.assert_array_equal(snaps[-1].history[0], np.stack(snaps[0].bars))
    np.testing.assert_array_equal(snaps[-1].history[-1], np.stack(snaps[-1].bars))
    stopped = list(jobs.gradients_job(Ctx(stop_after=1), m.training, epochs=50, count=100))
    assert len(stopped) < 50 and stopped[-1].urgent


def test_baselines_job_measures_random_and_darkness_and_says_what_data():
    m = small_mnist()
    snaps = list(jobs.baselines_job(None, m))
    final = snaps[-1]
    darkness = next(r for r in final.results if r.name == "average darkness")
    dark_train = m.training.images.astype(float).sum(1) / 255
    means = np.array([dark_train[m.training.labels == k].mean() for k in range(10)])
    guess = np.argmin(np.abs(m.test.images.astype(float).sum(1)[:, None] / 255 - means), axis=1)
    assert darkness.correct == int((guess == m.test.labels).sum())
    assert "300 training images" in final.notes[1]
    if not B.svm_available():
        assert "scikit-learn is not installed" in final.notes[-1] and len(final.results) == 2


def test_baselines_on_full_mnist_match_the_book(mnist_dir):
    final = list(jobs.baselines_job(None, load_mnist(mnist_dir)))[-1]
    acc = {r.name: r.accuracy for r in final.results}
    assert acc["average darkness"] == pytest.approx(0.2225, abs=0.005)
    assert acc["random"] == pytest.approx(0.10, abs=0.01)


def test_more_data_job_reports_progress_and_both_curves():
    m = small_mnist(n=200)
    snaps = list(jobs.more_data_job(None, m, sizes=(50, 100), rotated=True, examples=1000))
    final = snaps[-1]
    assert [p.size for p in final.points["plain"]] == [50, 100]
    assert [p.n_train for p in final.points["rotated"]] == [250, 500]
    assert final.done == final.total == 4 * 1000
    dones = [s.done for s in snaps]
    assert dones == sorted(dones)
    stopped = list(jobs.more_data_job(Ctx(stop_after=3), m, sizes=(50, 100), rotated=True, examples=1000))
    assert stopped[-1].done < stopped[-1].total
