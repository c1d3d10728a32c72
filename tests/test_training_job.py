"""The Training tab's job and helpers, headless: snapshots, stop, divergence, publishing, analysis."""

from __future__ import annotations

import numpy as np
import pytest

import nndl_gui.jobs.training as training_job_module
from nndl_gui.data.mnist import Dataset, Mnist
from nndl_gui.engine.analysis import confusion_matrix, misclassified, weight_tiles
from nndl_gui.engine.network import Network
from nndl_gui.engine.training import TrainingConfig
from nndl_gui.jobs.training import (
    TrainingRequest,
    TrainingSnapshot,
    check_request,
    monitor_every_for,
    training_job,
)


class FakeCtx:
    """What the worker's JobContext offers, without Qt."""

    def __init__(self, stop_after: int | None = None):
        self.network = None
        self.published = []
        self.items = 0
        self.stop_after = stop_after

    def set_network(self, net):
        self.network = net

    def publish(self, description, source="training", network=None):
        net = (network or self.network).copy()
        self.published.append((description, source, net))
        return type("Shared", (), {"network": net, "description": description})()

    def should_stop(self):
        return self.stop_after is not None and self.items >= self.stop_after


def tiny_mnist(n_train=600, n_val=200, n_test=200, seed=0) -> Mnist:
    """Separable fake digits: class k lights up pixel block k, plus noise."""
    rng = np.random.default_rng(seed)

    def make(n, name):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 784)).astype(np.uint8)
        for i, k in enumerate(labels.tolist()):
            images[i, k * 78:(k + 1) * 78] = 230
        images.flags.writeable = False
        return Dataset(images, labels, name)

    return Mnist(make(n_train, "training"), make(n_val, "validation"), make(n_test, "test"), "fake", True)


def run(ctx, req, mnist):
    snaps = []
    gen = training_job(ctx, req, mnist)
    for s in gen:
        snaps.append(s() if callable(s) else s)  # the worker builds lazily yielded snapshots too
        ctx.items += 1
    return snaps


def test_snapshots_are_immutable_cumulative_and_the_run_learns(monkeypatch):
    monkeypatch.setattr(training_job_module, "MONITOR_SECONDS", 0.0)  # live points however fast the run is
    ctx = FakeCtx()
    req = TrainingRequest(sizes=(784, 20, 10), cost="cross-entropy", init="default",
                          config=TrainingConfig(epochs=2, mini_batch_size=10, eta=0.5), seed=3)
    snaps = run(ctx, req, tiny_mnist())
    assert all(isinstance(s, TrainingSnapshot) for s in snaps)
    # one item per mini-batch (60 per epoch), plus start, epoch ends, evaluating and final
    assert sum(1 for s in snaps if s.phase == "training" and not s.urgent) == 2 * 60
    final = snaps[-1]
    assert final.phase == "finished" and final.urgent and final.end.reason == "finished"
    # curves grow within an epoch (live points), not only at epoch ends
    mid = [s for s in snaps if s.phase == "training" and s.epoch == 0 and s.batch == 59][0]
    assert len(mid.curves.cost_x) >= 4 and mid.curves.cost_x[-1] < 1.0
    assert len(mid.curves.val_x) >= 4
    # cumulative: the final curves start with the same points as an early snapshot
    n0 = len(mid.curves.cost_y)
    np.testing.assert_array_equal(final.curves.cost_y[:n0], mid.curves.cost_y)
    with pytest.raises(ValueError):
        final.curves.cost_y[0] = 1.0  # read-only
    assert list(final.curves.test_x) == [1.0, 2.0]
    assert final.curves.test_y[-1] > 0.9  # the fake digits are easy
    assert final.curves.speed_y.shape == (len(final.curves.speed_x), 1)
    # weights: 20 tiles of 28×28 in a 4×5 grid with 1-pixel gaps, scaled to [-1, 1]
    w = final.weights
    assert w.shown == 20 and w.total == 20 and w.image.shape == (4 * 29 - 1, 5 * 29 - 1)
    assert np.nanmax(np.abs(w.image)) == pytest.approx(1.0)
    # results: confusion matrix sums to the test set, its diagonal is the accuracy
    r = final.results
    assert r.confusion.sum() == 200 and np.trace(r.confusion) == r.correct
    assert r.correct == pytest.approx(final.curves.test_y[-1] * 200)
    # the network was published after each epoch and at the end, as independent copies
    assert len(ctx.published) == 3 and all(src == "training" for _, src, _ in ctx.published)
    assert ctx.published[-1][2] is not ctx.network
    np.testing.assert_array_equal(ctx.published[-1][2].params[0], ctx.network.params[0])


def test_same_seed_same_run():
    req = TrainingRequest(sizes=(784, 8, 10), config=TrainingConfig(epochs=1, mini_batch_size=20, eta=3.0))
    a = run(FakeCtx(), req, tiny_mnist())[-1]
    b = run(FakeCtx(), req, tiny_mnist())[-1]
    np.testing.assert_array_equal(a.curves.cost_y, b.curves.cost_y)


def test_stop_between_mini_batches_still_reports_and_publishes():
    ctx = FakeCtx(stop_after=25)
    req = TrainingRequest(sizes=(784, 10, 10), config=TrainingConfig(epochs=5, mini_batch_size=10, eta=3.0))
    snaps = run(ctx, req, tiny_mnist())
    final = snaps[-1]
    assert final.phase == "stopped" and final.end.reason == "stopped"
    assert final.epoch == 0 and final.examples_seen < 600
    assert final.results is not None  # the confusion matrix is computed for a stopped run too
    assert ctx.published


def test_divergence_ends_with_a_plain_message_and_keeps_a_usable_network():
    ctx = FakeCtx()
    before = Network([784, 30, 10], rng=1)
    ctx.network = before
    req = TrainingRequest(sizes=(784, 30, 10), output="softmax", cost="cross-entropy", config=TrainingConfig(epochs=3, mini_batch_size=10, eta=1000.0))
    final = run(ctx, req, tiny_mnist())[-1]
    assert final.phase == "diverged" and final.end.reason == "diverged"
    assert "diverged" in final.message and "η" in final.message
    assert ctx.network is before  # nothing good was published: the previous network is live again
    assert not ctx.published


def test_continue_training_reuses_a_matching_network_only():
    ctx = FakeCtx()
    req = TrainingRequest(sizes=(784, 8, 10), config=TrainingConfig(epochs=1, mini_batch_size=20, eta=3.0))
    run(ctx, req, tiny_mnist())
    first = ctx.network
    run(ctx, TrainingRequest(**{**req.__dict__, "continue_training": True}), tiny_mnist())
    assert ctx.network is first
    run(ctx, TrainingRequest(**{**req.__dict__, "continue_training": True, "sizes": (784, 9, 10)}), tiny_mnist())
    assert ctx.network is not first and ctx.network.sizes == [784, 9, 10]


def test_training_set_size_limits_the_run():
    req = TrainingRequest(sizes=(784, 8, 10), limit=100, config=TrainingConfig(epochs=1, mini_batch_size=10))
    final = run(FakeCtx(), req, tiny_mnist())[-1]
    assert final.n_train == 100 and final.examples_seen == 100 and final.batches_per_epoch == 10


@pytest.mark.parametrize("change, words", [
    ({"sizes": (784, 0, 10)}, "at least one neuron"),
    ({"sizes": (700, 30, 10)}, "784"),
    ({"sizes": (784, 30, 9)}, "10 neurons"),
    ({"config": TrainingConfig(eta=-1.0)}, "η"),
    ({"config": TrainingConfig(lmbda=-0.5)}, "λ"),
    ({"config": TrainingConfig(mini_batch_size=5000)}, "larger than"),
    ({"config": TrainingConfig(schedule=True)}, "schedule"),
    ({"limit": 0}, "at least 1"),
    ({"cost": "log-likelihood"}, "softmax"),
    ({"activation": "swish"}, "activation"),
    ({"cost": "cross-entropy", "output": "relu"}, "between 0 and 1"),
])
def test_check_request_explains_bad_values(change, words):
    req = TrainingRequest(**{**TrainingRequest().__dict__, **change, **({"limit": change["limit"]} if "limit" in change else {"limit": 1000})})
    msg = check_request(req, 50_000)
    assert msg is not None and words in msg
    assert msg[0].isupper()


def test_check_request_accepts_the_book_set_up():
    assert check_request(TrainingRequest(), 50_000) is None


def test_monitor_points_per_epoch():
    assert monitor_every_for(5000, 10) == 500  # 10 live points per epoch on 50,000 images
    assert monitor_every_for(100, 10) == 25  # at least 4 per epoch on small sets
    assert monitor_every_for(2, 10) == 1


def test_weight_tiles_layout_and_cap():
    w = np.arange(30 * 784, dtype=np.float32).reshape(30, 784) - 100
    image, shown = weight_tiles(w, cap=9)
    assert shown == 9 and image.shape == (3 * 29 - 1, 3 * 29 - 1)
    assert np.isnan(image[28, 0]) and np.isnan(image[0, 28])  # gaps
    np.testing.assert_allclose(image[:28, :28].ravel(), w[0] / np.abs(w[0]).max(), rtol=1e-6)
    np.testing.assert_allclose(image[29:57, :28].ravel(), w[3] / np.abs(w[3]).max(), rtol=1e-6)  # row-major grid
    with pytest.raises(ValueError):
        weight_tiles(np.zeros((3, 10)))


def test_confusion_matrix_and_misclassified_agree_with_a_loop():
    rng = np.random.default_rng(0)
    pred = rng.integers(0, 10, 500)
    labels = rng.integers(0, 10, 500)
    cm = confusion_matrix(pred, labels)
    ref = np.zeros((10, 10), int)
    for p, t in zip(pred, labels):
        ref[t, p] += 1
    np.testing.assert_array_equal(cm, ref)
    net = Network([784, 5, 10], rng=0)
    images = rng.integers(0, 256, (50, 784)).astype(np.uint8)
    labels = rng.integers(0, 10, 50)
    r = misclassified(net, images, labels, cap=7)
    predicted = net.predict(images / 255.0)
    wrong = np.flatnonzero(predicted != labels)
    assert r.n_misclassified == len(wrong) and r.correct == 50 - len(wrong)
    np.testing.assert_array_equal(r.miss_index, wrong[:7])
    np.testing.assert_array_equal(r.miss_images, images[wrong[:7]])
    np.testing.assert_array_equal(np.argmax(r.miss_scores, axis=1), r.miss_predicted)


# ---------------------------------------------------------------------------------------------- issue 14
class FakeClock:
    """perf_counter / sleep for the job module: sleeping advances the clock, nothing waits for real."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def perf_counter(self):
        self.now += 1e-6  # a little time passes on each reading, as it does
        return self.now

    def sleep(self, s):
        self.slept.append(s)
        self.now += s


def test_a_paced_run_waits_between_mini_batches_in_short_slices_and_can_speed_up(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(training_job_module, "time", clock)
    pace = training_job_module.Pace(rate=100.0)  # 100 examples a second
    req = TrainingRequest(sizes=(784, 8, 10), config=TrainingConfig(epochs=1, mini_batch_size=10, eta=3.0))
    ctx = FakeCtx()
    snaps, paced_batches = [], 0
    for item in training_job(ctx, req, tiny_mnist(), pace):
        s = item() if callable(item) else item
        snaps.append(s)
        ctx.items += 1
        if s.phase == "training" and s.batch == 30 and pace.rate:
            paced_batches = 30
            pace.rate = None  # the learner picks "full speed" half-way through the epoch
    # between the first 30 mini-batches of 10: 29 waits of 10 / 100 = 0.1 s, no more than 10 ms of sleep at
    # a time; after the 30th none (full speed)
    assert paced_batches == 30
    assert sum(clock.slept) == pytest.approx(2.9, abs=0.011)
    assert max(clock.slept) <= training_job_module.PACE_SLICE + 1e-12
    # each slice is a yield of the newest snapshot (so the worker can pause or stop within ~10 ms)
    assert len(snaps) > 60 + len(clock.slept) - 1
    assert snaps[-1].phase == "finished"
    # watching: live curve points twice a second of watching (every 50 examples here), not once every
    # quarter epoch (150 examples) as at full speed
    mid = [s for s in snaps if s.phase == "training" and s.batch == 30][-1]
    assert list(mid.curves.cost_x[:7]) == pytest.approx([k * 5 / 60 for k in range(7)])


def test_a_paced_run_stops_while_waiting():
    pace = training_job_module.Pace(rate=1.0)  # one example a second: 10 s per mini-batch
    ctx = FakeCtx(stop_after=5)
    req = TrainingRequest(sizes=(784, 8, 10), config=TrainingConfig(epochs=3, mini_batch_size=10, eta=3.0))
    snaps = []
    for item in training_job(ctx, req, tiny_mnist(), pace):
        snaps.append(item() if callable(item) else item)
        ctx.items += 1
        assert ctx.items < 100  # waits end as soon as stop is asked for
    assert snaps[-1].phase == "stopped" and snaps[-1].examples_seen <= 20


def test_step_reports_the_mini_batch_cost_accuracy_and_how_far_the_weights_moved():
    ctx = FakeCtx()
    ctx.paused = lambda: True  # every item is asked for by Step
    n, m, seed = 600, 10, 5
    req = TrainingRequest(sizes=(784, 12, 10), cost="cross-entropy", init="default", seed=seed,
                          config=TrainingConfig(epochs=1, mini_batch_size=m, eta=0.1))
    mnist = tiny_mnist(n_train=n)
    perm = np.random.default_rng(seed + 1).permutation(n)  # the epoch's mini-batch order (no dropout)
    nets, reports = [], []
    for item in training_job(ctx, req, mnist):
        s = item() if callable(item) else item
        ctx.items += 1
        if s.phase == "training" and s.epoch_record is None:
            nets.append(ctx.network.copy())
            reports.append(s.step)
    assert len(reports) == n // m and reports[0] is None  # the first item comes before any Step
    from nndl_gui.engine.network import evaluate
    for k in range(1, len(reports)):
        r = reports[k]
        assert (r.epoch, r.batch, r.size) == (0, k + 1, m)
        idx = perm[k * m:(k + 1) * m]
        x, y = mnist.training.images[idx], mnist.training.labels[idx]
        before, after = evaluate(nets[k - 1], x, y), evaluate(nets[k], x, y)
        assert r.cost_before == pytest.approx(before.cost) and r.cost_after == pytest.approx(after.cost)
        assert (r.correct_before, r.correct_after) == (before.correct, after.correct)
        dw = np.sqrt(sum(np.sum((a[:, :-1].astype(float) - b[:, :-1]) ** 2)
                         for a, b in zip(nets[k].params, nets[k - 1].params)))
        db = np.sqrt(sum(np.sum((a[:, -1].astype(float) - b[:, -1]) ** 2)
                         for a, b in zip(nets[k].params, nets[k - 1].params)))
        assert r.delta_w == pytest.approx(dw, rel=1e-6) and r.delta_b == pytest.approx(db, rel=1e-6) and dw > 0
    # a small gradient step lowers the cost of its own mini-batch
    lower = sum(r.cost_after < r.cost_before for r in reports[1:])
    assert lower >= 0.9 * (len(reports) - 1)


def test_a_run_stopped_within_an_epoch_ends_in_that_epoch_as_its_message_says():
    ctx = FakeCtx(stop_after=75)  # 60 mini-batches per epoch: stop during epoch 1 (0-based)
    req = TrainingRequest(sizes=(784, 10, 10), config=TrainingConfig(epochs=5, mini_batch_size=10, eta=3.0))
    final = run(ctx, req, tiny_mnist())[-1]
    assert final.phase == "stopped" and "during epoch 1" in final.message
    assert final.epoch == 1 and 0 < final.batch < 60
    assert f"1 epoch and {final.batch:,} mini-batches" in ctx.published[-1][0]  # how far the kept network got


def test_data_plan_names_the_sample_and_explains_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NNDL_DATA_DIR", raising=False)
    is_sample, problem = training_job_module.data_plan(None)
    assert problem is None and is_sample is True  # a fresh user cache: the shipped sample
    is_sample, problem = training_job_module.data_plan(str(tmp_path))
    assert is_sample is None and "missing 4 of 4 files" in problem
    _, problem = training_job_module.data_plan(str(tmp_path / "nowhere"))
    assert "does not exist" in problem


def test_test_cost_is_recorded_at_each_epoch_end_as_the_cost_on_the_test_data():
    from nndl_gui.engine.network import evaluate

    ctx = FakeCtx()
    req = TrainingRequest(sizes=(784, 20, 10), cost="cross-entropy", init="default",
                          config=TrainingConfig(epochs=2, mini_batch_size=10, eta=0.5), seed=3)
    mnist = tiny_mnist()
    final = run(ctx, req, mnist)[-1]
    assert list(final.curves.test_cost_x) == [1.0, 2.0]
    assert final.curves.test_cost_y[-1] == pytest.approx(evaluate(ctx.network, *(mnist.test.images,
                                                                                  mnist.test.labels)).cost)
