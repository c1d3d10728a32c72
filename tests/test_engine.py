"""Engine: backprop against finite differences, the fast SGD step against the reference, training runs."""

import itertools
import time

import numpy as np
import pytest

from nndl_gui.engine.network import Network, evaluate, one_hot, validate_sizes
from nndl_gui.engine.trace import gradient_check, nudged_cost, numerical_derivative, relative_error, trace
from nndl_gui.engine.training import (EpochRecord, RunEnd, SGDStepper, TrainingConfig, dropout_test_weights,
                                      learning_speed, sgd)

COMBOS = list(itertools.product(["sigmoid", "tanh", "relu"], ["sigmoid", "softmax"],
                                ["quadratic", "cross-entropy", "log-likelihood"]))


def small_batch(rng, n_in=4, n_out=3, m=3):
    x = rng.random((m, n_in))
    y = one_hot(rng.integers(0, n_out, m), n_out, np.float64)
    return x, y


@pytest.mark.parametrize("activation,output,cost", COMBOS)
def test_backprop_matches_finite_differences(activation, output, cost):
    rng = np.random.default_rng(7)
    net = Network([4, 5, 3, 3], activation=activation, output=output, cost=cost, dtype=np.float64, rng=1)
    x, y = small_batch(rng)
    check = gradient_check(net, x, y)
    assert check.n_checked == check.n_parameters == net.num_parameters
    assert check.forward_passes_numerical == 2 * net.num_parameters
    assert check.relative_error < 1e-7, check


def test_gradient_check_notices_a_wrong_gradient(monkeypatch):
    """The check itself can fail: break BP2 and it must say so."""
    rng = np.random.default_rng(0)
    net = Network([3, 4, 2], dtype=np.float64, rng=2)
    x, y = small_batch(rng, 3, 2)
    from nndl_gui.engine import activations

    monkeypatch.setattr(activations.Sigmoid, "backward", classmethod(lambda cls, z, a, g: g))  # drops σ'(z)
    assert gradient_check(net, x, y).relative_error > 1e-3


def test_numerical_derivative_of_a_bias_matches_bp3():
    net = Network([2, 3, 2], dtype=np.float64, rng=3)
    x = np.array([[0.2, 0.9]])
    y = np.array([[1.0, 0.0]])
    nabla_b, nabla_w = net.backprop(x, y)
    for j in range(3):
        numeric = numerical_derivative(net, x, y, "b", 2, j)
        assert relative_error(nabla_b[0][j], numeric) < 1e-6


def test_trace_holds_bp1_to_bp4_for_one_example():
    net = Network([2, 3, 2], dtype=np.float64, cost="quadratic", rng=4)
    x, label = np.array([0.3, 0.8]), 1
    t = trace(net, x, label)
    y = np.array([0.0, 1.0])
    L = t.layer(3)
    # forward: z^l = w^l a^{l-1} + b^l, a^l = σ(z^l)
    np.testing.assert_allclose(t.layer(2).z, net.weights[0] @ x + net.biases[0])
    np.testing.assert_allclose(L.a, 1 / (1 + np.exp(-L.z)))
    np.testing.assert_allclose(L.sigma_prime, L.a * (1 - L.a))
    # BP1 (quadratic): δ^L = (a^L − y) ⊙ σ'(z^L)
    np.testing.assert_allclose(L.delta, (L.a - y) * L.sigma_prime)
    # BP2: δ^2 = (w^3)ᵀ δ^3 ⊙ σ'(z^2)
    np.testing.assert_allclose(t.layer(2).delta, (net.weights[1].T @ L.delta) * t.layer(2).sigma_prime)
    # BP3, BP4
    np.testing.assert_allclose(t.layer(2).nabla_b, t.layer(2).delta)
    np.testing.assert_allclose(t.layer(2).nabla_w, np.outer(t.layer(2).delta, x))
    assert t.cost == pytest.approx(0.5 * np.sum((L.a - y) ** 2))
    # and the trace's gradients are the finite-difference ones
    for j, k in itertools.product(range(3), range(2)):
        assert relative_error(t.layer(2).nabla_w[j, k], numerical_derivative(net, x, y, "w", 2, j, k)) < 1e-6


def test_the_demon_changes_the_cost_by_about_delta_dz():
    net = Network([3, 4, 2], dtype=np.float64, cost="cross-entropy", rng=5)
    x = np.array([0.1, 0.5, 0.9])
    t = trace(net, x, 0)
    for l, j in [(2, 1), (3, 0)]:
        dz = 1e-4
        dc = nudged_cost(net, x, 0, l, j, dz) - t.cost
        assert dc == pytest.approx(t.layer(l).delta[j] * dz, rel=1e-3)


@pytest.mark.parametrize("activation,output,cost", COMBOS)
@pytest.mark.parametrize("lmbda", [0.0, 5.0])
def test_fast_sgd_step_equals_reference_backprop(activation, output, cost, lmbda):
    """SGDStepper (in place, buffers, η/m folded into δ) does the same arithmetic as backprop + update."""
    rng = np.random.default_rng(11)
    net = Network([5, 4, 3, 3], activation=activation, output=output, cost=cost, dtype=np.float64, rng=2)
    ref = net.copy()
    m, eta, n = 4, 0.7, 100
    x, y = small_batch(rng, 5, 3, m)
    nabla_b, nabla_w = ref.backprop(x, y)
    decay = 1 - eta * lmbda / n
    for w, b, nw, nb in zip(ref.weights, ref.biases, nabla_w, nabla_b):
        w *= decay
        w -= eta * nw
        b -= eta * nb
    stepper = SGDStepper(net, m)
    stepper.step(np.hstack([x, np.ones((m, 1))]), y, eta / m, decay)
    for p, q in zip(net.params, ref.params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)


def book_step(net, x, y, eta, n, lmbda, l1, mu, velocity, p, rng):
    """The book's chapter-3 update written plainly, one mini-batch in rows, on the training weights W.

    L2 and L1: ∇C = (1/m) Σ ∇C_x + (λ/n) w + (λ₁/n) sgn(w); momentum: v → μv − η∇C, w → w + v (μ = 0: w → w − η∇C);
    dropout: each hidden unit kept with probability 1 − p, drawn as SGDStepper draws them (layer by layer,
    (n_l, m) arrays of rng.random, kept where ≥ p).
    """
    m = len(x)
    keeps = [(rng.random((k, m)) >= p).T.astype(float) if p else np.ones((m, k)) for k in net.sizes[1:-1]]
    zs, acts, inputs = [], [], [x]  # inputs[l] = what layer l+1 sees (dropped hidden activations)
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = inputs[-1] @ w.T + b
        last = i == len(net.weights) - 1
        a = (net.output if last else net.activation).fn(z.copy())
        zs.append(z)
        acts.append(a)
        if not last:
            inputs.append(a * keeps[i])
    delta = net.cost.delta(zs[-1], acts[-1], y, net.output)
    grads = [None] * len(net.weights)
    for i in range(len(net.weights) - 1, -1, -1):
        grads[i] = (delta.T @ inputs[i] / m, delta.sum(axis=0) / m)
        if i:
            delta = net.activation.backward(zs[i - 1], acts[i - 1], (delta @ net.weights[i]) * keeps[i - 1])
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        gw = grads[i][0] + (lmbda / n) * w + (l1 / n) * np.sign(w)
        gb = grads[i][1]
        if mu:
            vw, vb = velocity[i][:, :-1], velocity[i][:, -1]
            vw *= mu
            vw -= eta * gw
            vb *= mu
            vb -= eta * gb
            w += vw
            b += vb
        else:
            w -= eta * gw
            b -= eta * gb


EXTRAS = {"l1": dict(l1=3.0), "momentum": dict(mu=0.9), "dropout": dict(p=0.5),
          "all": dict(lmbda=5.0, l1=2.0, mu=0.6, p=0.3)}


@pytest.mark.parametrize("activation,output,cost", COMBOS)
@pytest.mark.parametrize("extra", list(EXTRAS))
def test_fast_sgd_step_with_l1_momentum_dropout_equals_the_books_update(activation, output, cost, extra):
    """SGDStepper's L1 / momentum / dropout steps against book_step, over three mini-batches (velocities carry)."""
    o = dict(lmbda=0.0, l1=0.0, mu=0.0, p=0.0) | EXTRAS[extra]
    rng = np.random.default_rng(5)
    net = Network([5, 4, 3, 3], activation=activation, output=output, cost=cost, dtype=np.float64, rng=2)
    book = net.copy()  # holds W; the stepper's network holds T = (1 − p) W for the weights out of hidden units
    dropout_test_weights(net, o["p"])
    m, eta, n = 4, 0.7, 100
    velocity = [np.zeros_like(q) for q in net.params]
    book_velocity = [np.zeros_like(q) for q in net.params]
    stepper = SGDStepper(net, m, momentum=o["mu"], velocity=velocity if o["mu"] else None, dropout=o["p"],
                         rng=np.random.default_rng(9))
    book_rng = np.random.default_rng(9)
    for _ in range(3):
        x, y = small_batch(rng, 5, 3, m)
        stepper.step(np.hstack([x, np.ones((m, 1))]), y, eta / m, 1 - eta * o["lmbda"] / n, eta * o["l1"] / n)
        book_step(book, x, y, eta, n, o["lmbda"], o["l1"], o["mu"], book_velocity, o["p"], book_rng)
    expected = dropout_test_weights(book.copy(), o["p"])
    for got, want in zip(net.params, expected.params):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)
    assert not np.allclose(net.params[0], Network([5, 4, 3, 3], dtype=np.float64, rng=2).params[0])


def test_sgd_with_the_extras_off_takes_the_fast_path(monkeypatch):
    images, labels = tiny_data(60)
    calls = []
    monkeypatch.setattr(SGDStepper, "_step_extras", lambda *a: calls.append(a))
    run(Network([20, 5, 3], rng=0), (images, labels), TrainingConfig(epochs=1, eta=0.5, lmbda=1.0))
    assert calls == []
    run(Network([20, 5, 3], rng=0), (images, labels), TrainingConfig(epochs=1, eta=0.5, l1=1.0))
    assert len(calls) == 6


def test_l1_momentum_and_dropout_train_and_repeat_exactly():
    images, labels = tiny_data(300)
    test = tiny_data(100, seed=1)
    for extra in (dict(l1=0.5), dict(momentum=0.5, eta=0.2), dict(dropout=0.3)):
        config = TrainingConfig(epochs=5, mini_batch_size=10, **({"eta": 0.5} | extra))
        a, b = Network([20, 8, 3], cost="cross-entropy", rng=1), Network([20, 8, 3], cost="cross-entropy", rng=1)
        ra = run(a, (images, labels), config, test_data=test, yield_every=0)
        rb = run(b, (images, labels), config, test_data=test, yield_every=0)
        assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
        epochs = [r for r in ra if isinstance(r, EpochRecord)]
        assert [r.test_cost for r in epochs] == [r.test_cost for r in rb if isinstance(r, EpochRecord)]
        assert epochs[-1].test_accuracy > 0.9, extra
        assert epochs[-1].test_cost < epochs[0].test_cost
        assert epochs[-1].test_cost == pytest.approx(evaluate(a, *test).cost)


def test_l1_pushes_small_weights_to_zero_faster_than_l2():
    images, labels = tiny_data(300)
    plain, l1 = Network([20, 8, 3], rng=1), Network([20, 8, 3], rng=1)
    run(plain, (images, labels), TrainingConfig(epochs=5, eta=0.5))
    run(l1, (images, labels), TrainingConfig(epochs=5, eta=0.5, l1=20.0))
    assert np.sum(np.abs(l1.weights[0])) < 0.7 * np.sum(np.abs(plain.weights[0]))


def test_dropout_needs_a_hidden_layer():
    with pytest.raises(ValueError, match="hidden"):
        run(Network([20, 3], rng=0), tiny_data(30), TrainingConfig(epochs=1, dropout=0.5))


CENTRES = np.random.default_rng(42).random((3, 20))


def tiny_data(n=300, seed=0):
    """A learnable 3-class problem with 20 inputs, as uint8 images like MNIST's."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n).astype(np.uint8)
    centres = CENTRES
    images = np.clip((centres[labels] + 0.15 * rng.standard_normal((n, 20))) * 255, 0, 255).astype(np.uint8)
    return images, labels


def run(net, data, config, seed=0, **kw):
    return list(sgd(net, data, config, rng=np.random.default_rng(seed), **kw))


def test_training_learns_and_same_seed_repeats_exactly():
    data = tiny_data()
    cfg = TrainingConfig(epochs=5, mini_batch_size=10, eta=3.0)
    net1 = Network([20, 8, 3], rng=1)
    net2 = Network([20, 8, 3], rng=1)
    recs1 = run(net1, data, cfg, validation_data=tiny_data(100, 1))
    recs2 = run(net2, data, cfg, validation_data=tiny_data(100, 1))
    epochs1 = [r for r in recs1 if isinstance(r, EpochRecord)]
    epochs2 = [r for r in recs2 if isinstance(r, EpochRecord)]
    assert len(epochs1) == 5
    assert epochs1[-1].validation_accuracy > 0.9
    assert epochs1[-1].training_cost < epochs1[0].training_cost
    assert [e.validation_correct for e in epochs1] == [e.validation_correct for e in epochs2]
    for p, q in zip(net1.params, net2.params):
        np.testing.assert_array_equal(p, q)
    assert isinstance(recs1[-1], RunEnd) and recs1[-1].reason == "finished"
    assert net1.params[0].dtype == np.float32  # float32 by default


def test_uint8_and_float_inputs_train_identically():
    images, labels = tiny_data()
    cfg = TrainingConfig(epochs=2, mini_batch_size=7, eta=1.0)
    a, b = Network([20, 6, 3], rng=3, dtype=np.float64), Network([20, 6, 3], rng=3, dtype=np.float64)
    run(a, (images, labels), cfg)
    run(b, (images / 255.0, labels), cfg)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-10)


def test_batch_records_and_monitoring():
    data = tiny_data(200)
    recs = run(Network([20, 5, 4, 3], rng=0), data, TrainingConfig(epochs=1, mini_batch_size=10, eta=1.0,
                                                                   learning_speed=True),
               yield_every=1, monitor_every=5)
    batches = [r for r in recs if type(r).__name__ == "BatchRecord"]
    assert len(batches) == 20 and batches[-1].batch == 20 and batches[-1].examples_seen == 200
    monitored = [r for r in batches if r.training_cost is not None]
    assert len(monitored) == 4
    assert all(len(r.learning_speed) == 2 for r in monitored)


def test_monitor_seconds_counts_training_time_only():
    """Live points wait for monitor_seconds of *training*; time the consumer spends is not training."""
    data = tiny_data(200)
    cfg = TrainingConfig(epochs=1, mini_batch_size=10, eta=1.0)

    def monitored(seconds, pause=0.0):
        n = 0
        for r in sgd(Network([20, 5, 3], rng=0), data, cfg, rng=np.random.default_rng(0), yield_every=1,
                     monitor_every=5, monitor_seconds=seconds):
            n += getattr(r, "training_cost", None) is not None and type(r).__name__ == "BatchRecord"
            time.sleep(pause)
        return n

    assert monitored(0.0) == 4
    assert monitored(1e-12) == 4  # five tiny mini-batches take longer than that
    # 20 batches of a [20,5,3] net train in well under 0.03 s, however long the consumer sleeps
    assert monitored(0.03, pause=0.005) == 0


def test_stop_flag_is_checked_between_mini_batches():
    seen = []
    recs = sgd(Network([20, 5, 3], rng=0), tiny_data(), TrainingConfig(epochs=3, mini_batch_size=10, eta=1.0),
               rng=np.random.default_rng(0), should_stop=lambda: len(seen) >= 7, yield_every=1)
    for r in recs:
        seen.append(r)
    assert isinstance(seen[-1], RunEnd) and seen[-1].reason == "stopped"
    assert len(seen) == 8


def test_a_diverging_eta_ends_the_run_with_a_message():
    images, labels = tiny_data()
    net = Network([20, 30, 3], activation="relu", output="relu", cost="log-likelihood", rng=0)
    recs = run(net, (images, labels), TrainingConfig(epochs=5, mini_batch_size=10, eta=5000.0))
    end = recs[-1]
    assert isinstance(end, RunEnd) and end.reason == "diverged"
    assert "smaller learning rate" in end.message


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_a_saturated_sigmoid_net_is_not_called_diverged(cost):
    """A huge η saturates sigmoid outputs at exactly 0 or 1 in float32; the cost stays finite."""
    images, labels = tiny_data()
    recs = run(Network([20, 30, 3], cost=cost, rng=0), (images, labels),
               TrainingConfig(epochs=3, mini_batch_size=10, eta=100.0))
    assert recs[-1].reason == "finished"
    assert all(np.isfinite(r.training_cost) for r in recs if isinstance(r, EpochRecord))


def test_early_stopping_and_schedule():
    data = tiny_data(300)
    val = tiny_data(60, 5)
    recs = run(Network([20, 8, 3], rng=0), data,
               TrainingConfig(epochs=200, mini_batch_size=10, eta=0.5, early_stopping_n=3), validation_data=val)
    end = recs[-1]
    assert end.reason == "early-stopping" and end.epochs_done < 200
    recs = run(Network([20, 8, 3], rng=0), data,
               TrainingConfig(epochs=500, mini_batch_size=10, eta=0.5, early_stopping_n=2, schedule=True),
               validation_data=val)
    etas = sorted({r.eta for r in recs if isinstance(r, EpochRecord)}, reverse=True)
    assert recs[-1].reason == "schedule"
    assert etas[0] == 0.5 and all(a / b == 2 for a, b in zip(etas, etas[1:]))
    assert etas[-1] >= 0.5 / 128


def test_l2_shrinks_weights_but_not_biases():
    images, labels = tiny_data()
    net = Network([20, 5, 3], rng=0, dtype=np.float64)
    # with η tiny the gradient is negligible, so only the decay (1 − ηλ/n) acts
    before_w = [w.copy() for w in net.weights]
    before_b = [b.copy() for b in net.biases]
    run(net, (images, labels), TrainingConfig(epochs=1, mini_batch_size=300, eta=1e-9, lmbda=3e8))
    decay = 1 - 1e-9 * 3e8 / 300
    for w, w0 in zip(net.weights, before_w):
        np.testing.assert_allclose(w, decay * w0, rtol=1e-6)
    for b, b0 in zip(net.biases, before_b):
        np.testing.assert_allclose(b, b0, atol=1e-6)


@pytest.mark.parametrize("bad,fragment", [
    (dict(eta=0), "η"), (dict(eta=-1.0), "η"), (dict(eta=float("nan")), "η"),
    (dict(mini_batch_size=0), "mini-batch"), (dict(epochs=0), "epochs"), (dict(lmbda=-1.0), "λ"),
    (dict(schedule=True), "window"),
])
def test_bad_hyper_parameters_are_explained(bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        TrainingConfig(**bad).validate(100)


@pytest.mark.parametrize("sizes", [[], [784], [784, 0, 10], ["a", 3], [3, -1]])
def test_bad_sizes_are_explained(sizes):
    with pytest.raises(ValueError):
        validate_sizes(sizes)


def test_inits():
    rng = np.random.default_rng(0)
    large = Network([400, 300, 10], init="large", rng=rng)
    default = Network([400, 300, 10], init="default", rng=rng)
    assert np.std(large.weights[0]) == pytest.approx(1.0, rel=0.02)
    assert np.std(default.weights[0]) == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert np.std(default.biases[0]) == pytest.approx(1.0, rel=0.2)


def test_learning_speed_is_the_norm_of_the_bias_gradient():
    images, labels = tiny_data(50)
    net = Network([20, 6, 5, 3], rng=0, dtype=np.float64)
    speeds = learning_speed(net, images, labels)
    nabla_b, _ = net.backprop(images / 255.0, one_hot(labels, 3, np.float64))
    assert speeds == pytest.approx([np.linalg.norm(nabla_b[0]), np.linalg.norm(nabla_b[1])])


def test_evaluate_counts_correct_answers_in_chunks():
    images, labels = tiny_data(103)
    net = Network([20, 5, 3], rng=0)
    whole = evaluate(net, images, labels, chunk=1000)
    chunked = evaluate(net, images, labels, chunk=10)
    assert whole.correct == chunked.correct == int(np.sum(net.predict(images / 255.0) == labels))
    assert whole.cost == pytest.approx(chunked.cost, rel=1e-5)


def test_epoch_judge_early_stopping_and_the_eta_schedule():
    """Chapter 3's rules, shared by the fully connected and the chapter-6 sgd: best epoch, early stopping
    after n epochs without a better validation accuracy, or with the schedule η halved and the run ended
    once η < η₀/128."""
    from nndl_gui.engine.training import EpochJudge

    judge = EpochJudge(TrainingConfig(eta=1.0, early_stopping_n=2))
    assert [judge.after_epoch(e, a) for e, a in enumerate([0.5, 0.7, 0.6])] == [None, None, None]
    end = judge.after_epoch(3, 0.65)  # two epochs without beating epoch 1's 0.7
    assert end.reason == "early-stopping" and end.epochs_done == 4
    assert end.best_validation_accuracy == 0.7 and end.best_epoch == 1 and judge.eta == 1.0

    judge = EpochJudge(TrainingConfig(eta=1.0, early_stopping_n=1, schedule=True))
    assert judge.after_epoch(0, 0.9) is None
    etas = []
    for epoch in range(1, 20):
        end = judge.after_epoch(epoch, 0.8)
        etas.append(judge.eta)
        if end is not None:
            break
    assert etas == [1 / 2 ** k for k in range(1, 9)]  # halved each time until below 1/128
    assert end.reason == "schedule" and end.best_epoch == 0
    assert EpochJudge(TrainingConfig(eta=1.0, early_stopping_n=1)).after_epoch(0, None) is None


def test_after_an_epochs_record_both_loops_end_on_a_nan_cost_a_verdict_or_a_stop_in_that_order():
    from nndl_gui.engine.training import EpochJudge, EpochRecord

    def record(epoch, cost, val):
        return EpochRecord(epoch=epoch, eta=0.5, train_seconds=1.0, examples_per_second=1.0, training_cost=cost,
                           training_accuracy=0.5, validation_cost=None, validation_accuracy=val,
                           validation_correct=None, test_accuracy=None, test_correct=None, test_total=None)

    never, always = (lambda: False), (lambda: True)
    judge = EpochJudge(TrainingConfig(eta=0.5, early_stopping_n=1))
    assert judge.after_record(record(0, 0.3, 0.9), never) is None
    end = judge.after_record(record(1, float("nan"), 0.95), always)
    assert end.reason == "diverged" and end.epochs_done == 2 and "η = 0.5" in end.message
    end = judge.after_record(record(1, 0.2, 0.8), always)  # early stopping is said even if a stop was asked
    assert end.reason == "early-stopping" and end.best_epoch == 0
    end = EpochJudge(TrainingConfig(eta=0.5)).after_record(record(3, 0.2, None), always)
    assert end.reason == "stopped" and end.epochs_done == 4 and "after epoch 3" in end.message
