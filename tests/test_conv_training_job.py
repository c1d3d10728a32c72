"""The Training tab's chapter-6 job, headless: snapshots, live views from copies, network3.py's report, stop."""

from __future__ import annotations

import numpy as np
import pytest

from nndl_gui.engine.convnet import ConvNet, parse_layers
from nndl_gui.engine.training import TrainingConfig
from nndl_gui.jobs.conv_training import ProbeChoice, conv_view, feature_maps
from nndl_gui.jobs.training import TrainingRequest, check_request, training_job
from test_training_job import FakeCtx, run, tiny_mnist

STACK = "conv4x5-pool2,fc12,softmax10"


def request(layers=STACK, **kw) -> TrainingRequest:
    config = kw.pop("config", TrainingConfig(epochs=2, mini_batch_size=10, eta=0.5))
    return TrainingRequest(layers=tuple(parse_layers(layers, kw.pop("activation", "sigmoid"))), config=config,
                           label="conv", **kw)


def test_a_conv_run_reports_like_network3_and_its_views_are_copies():
    mnist = tiny_mnist(n_train=300, n_val=100, n_test=100)
    ctx = FakeCtx()
    snaps = run(ctx, request(config=TrainingConfig(epochs=3, mini_batch_size=10, eta=0.5)), mnist)
    final = snaps[-1]
    assert final.phase == "finished" and final.end.epochs_done == 3
    epochs = [s.epoch_record for s in snaps if s.urgent and s.phase == "training" and s.epoch_record is not None]
    assert [r.epoch for r in epochs] == [0, 1, 2]
    # network3.py's report: the test accuracy at the epoch of the best validation accuracy
    best_i = int(np.argmax([r.validation_accuracy for r in epochs]))
    assert final.best.epoch == best_i and final.best.test_accuracy == epochs[best_i].test_accuracy
    assert final.end.best_validation_accuracy == epochs[best_i].validation_accuracy
    assert final.results.correct == epochs[-1].test_correct and final.results.total == 100
    assert final.epoch_record.test_correct == round(final.epoch_record.test_accuracy * 100)
    # curves: cumulative, read-only, with the epoch-end points at x = 1, 2, 3
    assert not final.curves.test_y.flags.writeable and list(final.curves.test_x) == [1.0, 2.0, 3.0]
    # views: read-only copies, never the worker's arrays; they change as the filters learn
    net = ctx.network
    view = final.conv
    assert not view.filters.image.flags.writeable
    assert not any(np.shares_memory(view.filters.image, p) for p in net.params)
    np.testing.assert_allclose(view.filters.image[:5, :5], net.layers[0].w[0, 0], rtol=1e-6)
    assert not np.allclose(snaps[0].conv.filters.image, view.filters.image, equal_nan=True)
    assert snaps[0].conv.filters.levels == view.filters.levels  # one colour scale for the whole run
    assert ctx.published and isinstance(ctx.published[-1][2], ConvNet)


def test_feature_maps_match_a_direct_convolution_and_pooling():
    net = ConvNet(parse_layers("conv3x5-pool2,conv2x3-pool2,softmax10", "tanh"), rng=1, dtype=np.float64)
    x = np.random.default_rng(2).random(784)
    maps = feature_maps(net, x)
    assert [m.shape for m in maps] == [(12, 12, 3), (5, 5, 2)]
    # layer 1 by the definition: a_j = σ(max over the 2×2 window of Σ_uv w_j,uv x_(y+u, x+v) + b_j)
    img = x.reshape(28, 28)
    w, b = net.layers[0].w[:, 0], net.layers[0].b
    z = np.array([[[np.sum(w[j] * img[r:r + 5, c:c + 5]) for j in range(3)] for c in range(24)] for r in range(24)])
    pooled = z.reshape(12, 2, 12, 2, 3).max(axis=(1, 3))
    np.testing.assert_allclose(maps[0], np.tanh(pooled + b), atol=1e-12)
    # the maps are copies: a second call does not change the first's arrays
    before = maps[0].copy()
    feature_maps(net, np.zeros(784))
    np.testing.assert_array_equal(maps[0], before)


def test_the_probe_digit_can_change_while_the_run_goes_on():
    mnist = tiny_mnist(n_train=200, n_val=50, n_test=50)
    probe = ProbeChoice(3)
    ctx = FakeCtx()
    gen = training_job(
        ctx, request(probe=probe, config=TrainingConfig(epochs=1, mini_batch_size=10, eta=0.5)), mnist)
    first = next(gen)
    assert first.conv.digit_index == 3 and first.conv.digit_label == mnist.validation.labels[3]
    probe.index = 7
    item = next(gen)
    snap = item() if callable(item) else item
    assert snap.conv.digit_index == 7
    np.testing.assert_allclose(snap.conv.digit.ravel(), mnist.validation.images[7] / 255.0, atol=1e-6)
    gen.close()
    view = conv_view(ctx.network, mnist.validation.images, mnist.validation.labels, 10_000, 1.0)
    assert view.digit_index == 49  # clamped to the set


def test_stop_during_the_epoch_end_measurement_ends_promptly():
    mnist = tiny_mnist(n_train=100, n_val=600, n_test=600)
    ctx = FakeCtx()
    gen = training_job(
        ctx, request(config=TrainingConfig(epochs=5, mini_batch_size=10, eta=0.5)), mnist)
    snaps = []
    for item in gen:
        snap = item() if callable(item) else item
        snaps.append(snap)
        if snap.phase == "evaluating" and ctx.stop_after is None:
            ctx.stop_after = 0  # Stop pressed while the validation set is measured
    final = snaps[-1]
    assert final.phase == "stopped" and "while measuring epoch 0" in final.message  # epochs from 0
    assert final.end.epochs_done == 1 and final.results is None  # a Stop does not wait for the test set
    assert sum(s.phase == "evaluating" for s in snaps) <= 2


def test_expanded_data_trains_on_five_times_the_images():
    mnist = tiny_mnist(n_train=100, n_val=20, n_test=20)
    snaps = run(FakeCtx(), request(expanded=True, limit=40,
                                   config=TrainingConfig(epochs=1, mini_batch_size=10, eta=0.5)), mnist)
    assert snaps[-1].n_train == 200 and snaps[-1].batches_per_epoch == 20 and snaps[-1].examples_seen == 200


def test_same_seed_same_conv_run():
    mnist = tiny_mnist(n_train=100, n_val=20, n_test=20)
    cfg = TrainingConfig(epochs=2, mini_batch_size=10, eta=0.5)
    a = run(FakeCtx(), request(layers="conv2x5-pool2,fc8-drop0.5,softmax10", config=cfg), mnist)[-1]
    b = run(FakeCtx(), request(layers="conv2x5-pool2,fc8-drop0.5,softmax10", config=cfg), mnist)[-1]
    np.testing.assert_array_equal(a.curves.cost_y, b.curves.cost_y)
    np.testing.assert_array_equal(a.conv.filters.image, b.conv.filters.image)


@pytest.mark.parametrize("layers, words", [
    ("fc12,conv4x5-pool2,softmax10", "cannot follow a fully connected layer"),
    ("conv4x5-pool2,fc12", "last layer must be a softmax layer"),
    ("conv4x5-pool2,softmax5", "10 neurons"),
    ("conv4x29,softmax10", "whole number from 1 to 28"),
])
def test_check_request_explains_bad_stacks(layers, words):
    problem = check_request(request(layers), 300)
    assert problem is not None and words in problem


def test_expanded_data_counts_for_the_mini_batch_check():
    cfg = TrainingConfig(epochs=1, mini_batch_size=400, eta=0.1)
    assert check_request(request(limit=100, config=cfg), 300) is not None
    assert check_request(request(limit=100, expanded=True, config=cfg), 300) is None



def test_continue_training_reuses_a_matching_stack_only():
    mnist = tiny_mnist(n_train=100, n_val=20, n_test=20)
    cfg = TrainingConfig(epochs=1, mini_batch_size=10, eta=0.5)
    ctx = FakeCtx()
    run(ctx, request(config=cfg), mnist)
    first = ctx.network
    snaps = run(ctx, request(config=cfg, continue_training=True), mnist)
    assert ctx.network is first and snaps[0].message.startswith("Continuing")
    run(ctx, request(layers="conv2x5-pool2,fc12,softmax10", config=cfg, continue_training=True), mnist)
    assert ctx.network is not first  # another stack: a fresh network


@pytest.mark.parametrize("stop_after, epoch", [(20, 0), (75, 1)])
def test_a_conv_run_stopped_within_an_epoch_ends_where_it_was_as_the_running_line_counted(stop_after, epoch):
    """Epochs counted from 0 as the running line counts them; the final line keeps the mini-batch reached,
    and the network kept says how far it was trained (not "0 epochs" after 19 mini-batches)."""
    ctx = FakeCtx(stop_after=stop_after)  # 60 mini-batches per epoch
    final = run(ctx, request(config=TrainingConfig(epochs=5, mini_batch_size=10, eta=0.5)), tiny_mnist())[-1]
    assert final.phase == "stopped" and f"during epoch {epoch}." in final.message
    assert final.epoch == epoch and 0 < final.batch < 60
    words = ctx.published[-1][0]
    assert f"{epoch} epoch{'s' if epoch != 1 else ''} and {final.batch:,} mini-batches" in words
