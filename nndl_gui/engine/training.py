"""Mini-batch stochastic gradient descent as a generator of small immutable progress records.

``sgd(net, training_data, config, rng=...)`` trains ``net`` in place.  It yields a ``BatchRecord`` after
mini-batches (every ``yield_every`` of them), an ``EpochRecord`` after each epoch, and a final ``RunEnd``
saying why it stopped.  Between mini-batches it checks ``should_stop()``, so a GUI can stop, pause
(simply by not asking for the next record) or step one mini-batch at a time.  The same seed gives the
same run, record for record.

The update is the book's, with L2 regularization (chapter 3):
    w → (1 − ηλ/n) w − (η/m) Σ_x ∂C_x/∂w,     b → b − (η/m) Σ_x ∂C_x/∂b.
Chapter 3's other techniques are options of ``TrainingConfig``, all off by default:
* L1 regularization (``l1`` = λ₁): w → w − (ηλ₁/n) sgn(w) − (η/m) Σ_x ∂C_x/∂w (sgn 0 = 0), with L2 if both;
* momentum-based gradient descent (``momentum`` = μ): v → μv − η∇C, w → w + v (∇C with its L2 / L1 terms;
  the biases have velocities too, unregularized);
* dropout in fully connected networks (``dropout`` = p): each hidden unit is dropped with probability p,
  afresh for each example of each mini-batch, while training; at test time the weights out of hidden units
  are scaled by 1 − p (the book halves them for p = ½).  The network always holds those test-time weights
  T = (1 − p)·W, so it can be evaluated, saved and drawn as it is, and each step does the book's arithmetic
  on W = T/(1 − p) exactly.  A new network meant to start from the book's initial W is scaled first with
  ``dropout_test_weights``.
The cost on the test data is recorded each epoch (``EpochRecord.test_cost``) when test data is given.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .blas import BlasThreads, blas_threads_for
from .cancel import Cancel
from .network import Network, evaluate
from .stepper import SGDStepper  # noqa: F401  (the fast step, re-exported: sgd's one mini-batch update)
from .unstable import BOOK_SPEED_IMAGES, learning_speed  # noqa: F401  (learning_speed: re-exported)


# ---------------------------------------------------------------------------------------------- config
@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters of one run, in the book's symbols: η (eta), m (mini_batch_size), λ (lmbda)."""

    epochs: int = 30
    mini_batch_size: int = 10
    eta: float = 3.0
    lmbda: float = 0.0
    early_stopping_n: int | None = None  # stop after this many epochs without a better validation accuracy
    schedule: bool = False  # halve η after each early_stopping_n epochs without improvement; stop at η₀/128
    learning_speed: bool = False  # ‖∂C/∂b^l‖ of each hidden layer on monitoring steps (chapter 5), over the
    # first 1,000 training images as the book
    l1: float = 0.0  # λ₁ of L1 regularization: w → w − (ηλ₁/n) sgn(w) − ...
    momentum: float = 0.0  # μ of momentum-based gradient descent (0: plain SGD)
    dropout: float = 0.0  # p, the chance of dropping each hidden unit while training (0: no dropout)

    def validate(self, n_train: int | None = None) -> "TrainingConfig":
        """Raise ValueError with a plain explanation of the first bad value."""
        problems = []
        if not (isinstance(self.epochs, int) and 1 <= self.epochs <= 100_000):
            problems.append(f"epochs must be a whole number from 1 to 100000, got {self.epochs!r}")
        if not (isinstance(self.mini_batch_size, int) and self.mini_batch_size >= 1):
            problems.append(f"mini-batch size m must be at least 1, got {self.mini_batch_size!r}")
        elif n_train is not None and self.mini_batch_size > n_train:
            problems.append(f"mini-batch size m={self.mini_batch_size} is larger than the {n_train} training images")
        if not (isinstance(self.eta, (int, float)) and math.isfinite(self.eta) and self.eta > 0):
            problems.append(f"learning rate η must be a positive number, got {self.eta!r}")
        elif self.eta > 1e4:
            problems.append(f"learning rate η={self.eta:g} is absurdly large (the book uses 0.001 to 100)")
        if not (isinstance(self.lmbda, (int, float)) and math.isfinite(self.lmbda) and self.lmbda >= 0):
            problems.append(f"regularization λ must be zero or positive, got {self.lmbda!r}")
        if not (isinstance(self.l1, (int, float)) and math.isfinite(self.l1) and self.l1 >= 0):
            problems.append(f"L1 regularization λ₁ must be zero or positive, got {self.l1!r}")
        if not (isinstance(self.momentum, (int, float)) and 0 <= self.momentum < 1):
            problems.append(f"momentum μ must be at least 0 and below 1, got {self.momentum!r}")
        if not (isinstance(self.dropout, (int, float)) and 0 <= self.dropout < 1):
            problems.append(f"dropout p must be at least 0 and below 1, got {self.dropout!r}")
        if self.early_stopping_n is not None and not (
            isinstance(self.early_stopping_n, int) and self.early_stopping_n >= 1
        ):
            problems.append(f"the no-improvement window must be at least 1 epoch, got {self.early_stopping_n!r}")
        if self.schedule and self.early_stopping_n is None:
            problems.append("the η schedule needs a no-improvement window (early_stopping_n)")
        if n_train is not None and n_train < 1:
            problems.append("there are no training images")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class BatchRecord:
    """After a mini-batch.  ``training_cost`` and ``training_accuracy`` (on a fixed monitoring subset of
    the training data) and ``learning_speed`` are filled on monitoring steps only, else None."""

    epoch: int  # 0-based, as the book prints "Epoch 0"
    batch: int  # mini-batches done in this epoch, 1..batches_per_epoch
    batches_per_epoch: int
    examples_seen: int  # in the whole run
    eta: float
    train_seconds: float  # training time so far in this run (evaluation excluded)
    training_cost: float | None = None
    learning_speed: tuple[float, ...] | None = None
    training_accuracy: float | None = None  # on the same monitoring subset, with training_cost


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """After an epoch: costs and accuracies (fractions 0–1; None when not measured)."""

    epoch: int
    eta: float
    train_seconds: float  # this epoch's training time, evaluation excluded
    examples_per_second: float
    training_cost: float
    training_accuracy: float
    validation_cost: float | None
    validation_accuracy: float | None
    validation_correct: int | None
    test_accuracy: float | None
    test_correct: int | None
    test_total: int | None
    learning_speed: tuple[float, ...] | None = None
    test_cost: float | None = None  # on the test data (chapter 3's overfitting figure), with the L2 term


@dataclass(frozen=True, slots=True)
class RunEnd:
    """The last record: why the run ended (``reason`` is one of REASONS) and a sentence for people."""

    reason: str
    message: str
    epochs_done: int
    best_validation_accuracy: float | None = None
    best_epoch: int | None = None


REASONS = ("finished", "early-stopping", "schedule", "stopped", "diverged")


def _unpack(data):
    if data is None:
        return None
    if hasattr(data, "images") and hasattr(data, "labels"):
        images, labels = data.images, data.labels
    else:
        images, labels = data
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 2 or len(images) != len(labels):
        raise ValueError(f"data should be images (n, inputs) and labels (n,), got {images.shape} and {labels.shape}")
    return images, labels


def dropout_test_weights(net: Network, p: float) -> Network:
    """Scale the weights out of hidden units (w^3 ... w^L) by 1 − p in place, turning the book's training
    weights W into the test-time weights T that ``sgd`` with dropout p works on; returns ``net``."""
    for w in net.weights[1:]:
        w *= 1.0 - float(p)
    return net


def _finite(net: Network) -> bool:
    return all(np.isfinite(p).all() for p in net.params)


def sgd(
    net: Network,
    training_data,
    config: TrainingConfig,
    *,
    rng: np.random.Generator,
    validation_data=None,
    test_data=None,
    should_stop: Callable[[], bool] | None = None,
    yield_every: int = 1,
    monitor_every: int = 0,
    monitor_size: int = 1000,
    monitor_seconds: float = 0.0,
    chunk_size: int = 2000,
    blas_threads: int | None | str = "auto",
    cancel: Cancel = None,
) -> Iterator[BatchRecord | EpochRecord | RunEnd]:
    """Train ``net`` in place; see the module docstring.

    training_data / validation_data / test_data: ``(images, labels)`` or objects with ``.images`` and
    ``.labels``; images uint8 0..255 (converted a chunk at a time) or floats in [0, 1], one per row.
    yield_every: yield a BatchRecord after every that many mini-batches (0: only at epoch ends).
    monitor_every: measure the cost on the first ``monitor_size`` training images every that many
    mini-batches (0: never), for live curves within an epoch.
    monitor_seconds: and only once at least this many seconds of training have passed since the last
    measurement or epoch end (0: no minimum), so a fast run does not spend its time measuring itself.
    blas_threads: cap on BLAS threads while training ("auto": ``blas_threads_for(net.sizes, m)``, one
    thread for small mini-batches; None: leave BLAS alone; or a number).  Evaluation is never capped.
    cancel: checked within the passes over data sets (evaluations, learning speed), which raise
    ``engine.cancel.Interrupted`` when it returns True (the app closing; see ``engine.cancel``).
    """
    images, labels = _unpack(training_data)
    n = len(labels)
    config.validate(n)
    validation = _unpack(validation_data)
    test = _unpack(test_data)
    if images.shape[1] != net.sizes[0]:
        raise ValueError(f"the network has {net.sizes[0]} inputs but the images have {images.shape[1]} values")
    if config.dropout and len(net.sizes) < 3:
        raise ValueError("dropout drops hidden units: the network needs at least one hidden layer")
    m = config.mini_batch_size
    dt = net.dtype
    extras = {}
    if config.momentum:
        extras.update(momentum=config.momentum, velocity=[np.zeros_like(p) for p in net.params])
    if config.dropout:
        extras.update(dropout=config.dropout, rng=rng)
    scale = np.asarray(1 / 255 if images.dtype == np.uint8 else 1.0, dt)
    eye = np.eye(net.sizes[-1], dtype=dt)
    chunk_size = max(m, (chunk_size // m) * m)
    x_chunk = np.ones((chunk_size, images.shape[1] + 1), dt)  # trailing ones column for the biases
    steppers: dict[int, SGDStepper] = {}
    monitor_x = images[:monitor_size]
    monitor_y = labels[:monitor_size]
    speed_x, speed_y = images[:BOOK_SPEED_IMAGES], labels[:BOOK_SPEED_IMAGES]  # the book's first 1,000
    batches_per_epoch = -(-n // m)
    judge = EpochJudge(config)
    eta = judge.eta
    examples_seen = 0
    total_seconds = 0.0
    since_yield = 0
    last_point = 0.0  # training seconds at the last measurement (live point or epoch end)

    def stop_requested() -> bool:
        return should_stop is not None and should_stop()

    end = judge.end

    if blas_threads == "auto":
        blas_threads = blas_threads_for(net.sizes, m)
    threads = BlasThreads(blas_threads)
    # Without yields, monitoring or a stop flag the inner loop does nothing but step.
    watching = bool(yield_every or monitor_every or should_stop is not None)
    try:
        for epoch in range(config.epochs):
            decay = 1.0 - eta * config.lmbda / n
            l1_step = eta * config.l1 / n
            eta_over_m = eta / m
            perm = rng.permutation(n)
            epoch_seconds = 0.0
            batch = 0
            threads.hold()
            t0 = time.perf_counter()
            for c0 in range(0, n, chunk_size):
                idx = perm[c0:c0 + chunk_size]
                k = len(idx)
                np.multiply(images[idx], scale, out=x_chunk[:k, :-1], casting="unsafe")
                y_chunk = eye[labels[idx]]
                for b0 in range(0, k, m):
                    b1 = b0 + m
                    if b1 <= k:
                        mb = m
                        stepper = steppers.get(m)
                        if stepper is None:
                            stepper = steppers[m] = SGDStepper(net, m, **extras)
                        stepper.step(x_chunk[b0:b1], y_chunk[b0:b1], eta_over_m, decay, l1_step)
                    else:
                        mb = k - b0
                        stepper = steppers.get(mb)
                        if stepper is None:
                            stepper = steppers[mb] = SGDStepper(net, mb, **extras)
                        # η/m and the decay use the mini-batch's own size, so a short last batch is not
                        # overweighted.
                        stepper.step(x_chunk[b0:k], y_chunk[b0:k], eta / mb, decay, l1_step)
                    if not watching:
                        continue
                    batch += 1
                    examples_seen += mb
                    since_yield += 1
                    monitoring = monitor_every and batch % monitor_every == 0
                    if monitoring and monitor_seconds:
                        trained = total_seconds + epoch_seconds + time.perf_counter() - t0
                        monitoring = trained - last_point >= monitor_seconds
                        if monitoring:
                            last_point = trained
                    if (yield_every and since_yield >= yield_every) or monitoring:
                        since_yield = 0
                        threads.release()
                        now = time.perf_counter()
                        epoch_seconds += now - t0
                        cost = speed = accuracy = None
                        if monitoring:
                            monitored = evaluate(net, monitor_x, monitor_y, with_cost=True, cancel=cancel)
                            cost, accuracy = monitored.cost, monitored.accuracy
                            if config.learning_speed and len(net.sizes) > 2:
                                speed = learning_speed(net, speed_x, speed_y, cancel=cancel)
                        yield BatchRecord(epoch, batch, batches_per_epoch, examples_seen, eta,
                                          total_seconds + epoch_seconds, cost, speed, accuracy)
                        if cost is not None and not math.isfinite(cost):
                            yield end("diverged", _diverged_message(eta), epoch)
                            return
                        if stop_requested():
                            yield end("stopped", f"Stopped by the user during epoch {epoch}.", epoch)
                            return
                        threads.hold()
                        t0 = time.perf_counter()
                    elif should_stop is not None and should_stop():
                        threads.release()
                        epoch_seconds += time.perf_counter() - t0
                        yield end("stopped", f"Stopped by the user during epoch {epoch}.", epoch)
                        return
                if not watching:
                    batch += -(-k // m)
                    examples_seen += k
            threads.release()
            epoch_seconds += time.perf_counter() - t0
            total_seconds += epoch_seconds
            last_point = total_seconds
            if not _finite(net):
                yield end("diverged", _diverged_message(eta), epoch)
                return
            # ---- evaluation (not counted in train_seconds)
            train_eval = evaluate(net, images, labels, lmbda=config.lmbda, n_train=n, cancel=cancel)
            val_eval = evaluate(net, *validation, lmbda=config.lmbda, n_train=n, cancel=cancel) if validation else None
            test_eval = evaluate(net, *test, lmbda=config.lmbda, n_train=n, cancel=cancel) if test else None
            speed = (learning_speed(net, speed_x, speed_y, cancel=cancel)
                     if config.learning_speed and len(net.sizes) > 2 else None)
            record = epoch_record(epoch, eta, epoch_seconds, n, train_eval, val_eval, test_eval,
                                  learning_speed=speed)
            yield record
            # ---- a diverged cost, early stopping and the η schedule (chapter 3), or a stop
            verdict = judge.after_record(record, stop_requested)
            eta = judge.eta
            if verdict is not None:
                yield verdict
                return
        yield end("finished", f"Finished {config.epochs} epochs.", config.epochs)
    finally:
        threads.release()


def epoch_record(epoch: int, eta: float, seconds: float, n: int, train_eval, val_eval, test_eval,
                 **extra) -> EpochRecord:
    """An epoch's record from its evaluations (``network.Evaluation``; None for a set not given), shared by
    ``sgd`` and the chapter-6 ``convnet.sgd``."""
    return EpochRecord(
        epoch=epoch, eta=eta, train_seconds=seconds,
        examples_per_second=n / seconds if seconds > 0 else float("inf"),
        training_cost=train_eval.cost, training_accuracy=train_eval.accuracy,
        validation_cost=val_eval.cost if val_eval else None,
        validation_accuracy=val_eval.accuracy if val_eval else None,
        validation_correct=val_eval.correct if val_eval else None,
        test_accuracy=test_eval.accuracy if test_eval else None,
        test_correct=test_eval.correct if test_eval else None,
        test_total=test_eval.total if test_eval else None,
        test_cost=test_eval.cost if test_eval else None,
        **extra)


class EpochJudge:
    """Chapter 3's rules after each epoch, judged on validation accuracy (shared by ``sgd`` and the chapter-6
    ``convnet.sgd``): remember the best epoch; with early stopping, end the run after ``early_stopping_n``
    epochs without a better one — or, with the η schedule, halve η instead and end once η < η₀/128."""

    def __init__(self, config: TrainingConfig):
        self.config = config
        self.eta = self.eta0 = float(config.eta)
        self.best_acc, self.best_epoch, self.since_best = -1.0, None, 0

    def end(self, reason: str, message: str, epochs_done: int) -> RunEnd:
        """The run's last record, carrying the best validation accuracy and its epoch."""
        return RunEnd(reason, message, epochs_done, self.best_acc if self.best_acc >= 0 else None,
                      self.best_epoch)

    def after_record(self, record: EpochRecord, stop_requested: Callable[[], bool]) -> RunEnd | None:
        """What both loops do once an epoch's record is out: end the run if its training cost is not finite
        (η diverged), by early stopping or the η schedule (``after_epoch``), or at the user's request
        between epochs; None to go on, with ``eta`` perhaps halved."""
        epoch = record.epoch
        if not math.isfinite(record.training_cost):
            return self.end("diverged", _diverged_message(record.eta), epoch + 1)
        verdict = self.after_epoch(epoch, record.validation_accuracy)
        if verdict is None and stop_requested():
            verdict = self.end("stopped", f"Stopped by the user after epoch {epoch}.", epoch + 1)
        return verdict

    def after_epoch(self, epoch: int, val_accuracy: float | None) -> RunEnd | None:
        """None to go on (``eta`` may have been halved), else the run's end."""
        if val_accuracy is None:
            return None
        if val_accuracy > self.best_acc:
            self.best_acc, self.best_epoch, self.since_best = val_accuracy, epoch, 0
        else:
            self.since_best += 1
        n = self.config.early_stopping_n
        if not (n and self.since_best >= n):
            return None
        if not self.config.schedule:
            return self.end("early-stopping", f"Early stopping: no better validation accuracy in {n} epochs "
                            f"(best {self.best_acc:.2%} at epoch {self.best_epoch}).", epoch + 1)
        self.eta /= 2
        self.since_best = 0
        if self.eta < self.eta0 / 128:
            return self.end("schedule", f"η schedule finished: η fell below η₀/128 = {self.eta0 / 128:g}.",
                            epoch + 1)
        return None


def _diverged_message(eta: float) -> str:
    return (f"Training diverged: the cost became NaN or infinite with η = {eta:g}. "
            "Try a smaller learning rate η.")
