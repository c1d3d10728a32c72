"""The Training tab's chapter-6 work: a layer network (``engine.convnet``) trained on the one worker.

``training_job`` hands a request with ``layers`` (a layer spec, as network3.py's list of layers) to
``conv_training_job`` here.  It yields the same ``TrainingSnapshot``s as the fully connected path —
cumulative read-only curves, one item per mini-batch so pause / step / stop act between mini-batches, the
snapshot built only when the worker shows it — plus what chapter 6 adds:

* ``ConvView``: the first conv layer's filters as small images (fixed symmetric colour levels for the
  run) and the feature maps of one validation digit at every conv-pool layer.  The digit is the one the
  tab's ``ProbeChoice`` names *now* (the learner may change it while the network trains).  Built from
  copies, at most every ``VIEW_SECONDS``, only for snapshots that are shown.
* ``BestValidation``: the best validation accuracy so far and the test accuracy at that epoch — the
  figure network3.py prints and the book's chapter-6 table quotes.

Chapter-6 epochs take seconds to minutes, so the live points within an epoch (cost and accuracy on
``MONITOR_SIZE`` training / validation images) are spaced to cost at most ``MONITOR_SHARE`` of the
training time, and the epoch-end measurement of the validation and test sets runs ``EVAL_CHUNK`` images
per item: the tab shows its progress and Stop acts within a fraction of a second.  The engine's ``sgd``
runs one epoch per call (its random stream continues across calls, so a seed repeats a run exactly);
early stopping and the η schedule are chapter 3's rules, applied here between epochs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from ..data.expand import ExpandedMnist
from ..data.mnist import CLASSES as MNIST_OUTPUTS
from ..engine.analysis import ClassificationResults, confusion_matrix
from ..engine.convnet import ConvNet, sgd as conv_sgd, validate_spec
from ..engine.layers import ConvPoolLayer
from ..engine.training import BatchRecord, EpochRecord, RunEnd, _diverged_message

MONITOR_SIZE = 200  # training / validation images measured for a live point within an epoch
MONITOR_SHARE = 0.05  # live points take at most this share of the training time ...
MONITOR_MIN_SECONDS = 0.5  # ... and come at most this often
TRAIN_EVAL_SIZE = 1000  # the epoch-end training cost and accuracy: on the first this many training images
EVAL_CHUNK = 250  # images measured per item at an epoch's end (Stop and progress act between chunks)
VIEW_SECONDS = 0.5  # filters and feature maps are rebuilt at most this often
FILTER_CAP = 64  # first-layer filters drawn at most


# ---------------------------------------------------------------------------------------------- records
def _frozen(a, dtype=np.float32) -> np.ndarray:
    a = np.array(a, dtype=dtype)  # a copy: the worker keeps training the arrays it came from
    a.flags.writeable = False
    return a


class ProbeChoice:
    """Which validation digit the feature maps show; the tab sets ``index``, the job reads it.

    One int attribute, written on the GUI thread and read on the worker's: an atomic assignment.
    """

    def __init__(self, index: int = 0):
        self.index = int(index)


@dataclass(frozen=True)
class TileGrid:
    """Small images in a grid, separated by NaN (drawn clear); draw with ``levels``."""

    image: np.ndarray  # (rows·(h+1)−1, cols·(w+1)−1) float32, read-only
    count: int
    cols: int
    tile_shape: tuple[int, int]
    levels: tuple[float, float]


@dataclass(frozen=True)
class ConvView:
    """What the conv view draws: the first layer's filters and one digit's feature maps."""

    filters: TileGrid | None  # w of the first conv layer, (f, 1, k, k) → f tiles k×k
    filter_total: int
    digit_index: int  # in the validation set
    digit_label: int
    digit: np.ndarray  # (28, 28) float32 in [0, 1]
    predicted: int
    maps: tuple[TileGrid, ...]  # per conv-pool layer: its f maps a (H×W each)
    titles: tuple[str, ...]


@dataclass(frozen=True)
class BestValidation:
    """network3.py's report: the best validation accuracy and the test accuracy at that epoch."""

    validation_accuracy: float
    epoch: int  # 0-based, as "Epoch 0" is printed
    test_accuracy: float | None
    test_correct: int | None
    test_total: int | None

    def text(self) -> str:
        test = ("" if self.test_accuracy is None else
                f"; test accuracy at that epoch {self.test_accuracy:.2%}"
                + (f" ({self.test_correct:,} / {self.test_total:,})" if self.test_correct is not None else ""))
        return f"Best validation accuracy {self.validation_accuracy:.2%} at epoch {self.epoch}{test}"


def best_after(best: BestValidation | None, rec: EpochRecord) -> BestValidation | None:
    """``best`` updated with one more epoch (a strictly better validation accuracy wins, as network3.py)."""
    if rec.validation_accuracy is None or (best is not None and rec.validation_accuracy <= best.validation_accuracy):
        return best
    return BestValidation(rec.validation_accuracy, rec.epoch, rec.test_accuracy, rec.test_correct, rec.test_total)


def tiles(images: np.ndarray, cols: int | None = None, gap: int = 1) -> tuple[np.ndarray, int]:
    """Images (n, h, w) as one grid image with ``gap`` NaN pixels between tiles; returns (grid, cols)."""
    n, h, w = images.shape
    if cols is None:
        cols = max(1, int(math.ceil(math.sqrt(n * h / max(1, w)))))
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[i]
    return out, cols


def filter_level(net: ConvNet) -> float:
    """A symmetric colour level ±L for the first layer's filters, fixed for a run: the largest |w| at its
    start, rounded up to 2 significant digits (filters that grow beyond it saturate)."""
    w = _first_conv(net).w
    top = float(np.max(np.abs(w))) if w.size else 1.0
    if not math.isfinite(top) or top <= 0:
        return 1.0
    digits = 1 - int(math.floor(math.log10(top)))
    return math.ceil(top * 10**digits) / 10**digits


def _first_conv(net: ConvNet) -> ConvPoolLayer | None:
    return next((layer for layer in net.layers if isinstance(layer, ConvPoolLayer)), None)


def feature_maps(net: ConvNet, x: np.ndarray) -> list[np.ndarray]:
    """The activations a of every conv-pool layer for one image x (784,): a list of (H, W, f) copies.

    Test-time forward pass through the layers up to the last conv-pool layer (they come first).
    """
    x = np.asarray(x)
    a = (x * np.float32(1 / 255) if x.dtype == np.uint8 else x).astype(net.dtype, copy=False)
    a = a.reshape((1,) + net.input_shape)
    out = []
    with np.errstate(all="ignore"):
        for layer in net.layers:
            if not isinstance(layer, ConvPoolLayer):
                break
            a = layer.forward(a, False)
            out.append(a[0].copy())
    return out


def conv_view(net: ConvNet, images: np.ndarray, labels: np.ndarray, index: int, level: float) -> ConvView | None:
    """Filters and the feature maps of validation image ``index`` (clamped to the set), from copies."""
    conv = _first_conv(net)
    if conv is None or not len(images):
        return None
    index = min(max(0, int(index)), len(images) - 1)
    filters = None
    if conv.in_shape[2] == 1:
        w = conv.w[:FILTER_CAP, 0]  # (f, k, k)
        grid, cols = tiles(np.asarray(w, np.float32))
        filters = TileGrid(_frozen(grid), len(w), cols, w.shape[1:], (-level, level))
    x = images[index]
    maps, titles = [], []
    for i, (a, layer) in enumerate(zip(feature_maps(net, x), [l for l in net.layers if isinstance(l, ConvPoolLayer)])):
        stack = np.moveaxis(a, -1, 0)  # (f, H, W)
        grid, cols = tiles(stack)
        top = float(np.nanmax(stack)) if stack.size else 1.0
        levels = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(
            layer.activation, (0.0, top if math.isfinite(top) and top > 0 else 1.0))
        maps.append(TileGrid(_frozen(grid), stack.shape[0], cols, stack.shape[1:], levels))
        titles.append(f"conv-pool layer {i + 1}: {stack.shape[0]} maps of {stack.shape[1]}×{stack.shape[2]} "
                      f"({layer.size}×{layer.size} filters, {layer.pool}×{layer.pool} max-pooling, {layer.activation})")
    with np.errstate(all="ignore"):
        out = net.feedforward(x)
    predicted = int(np.argmax(out)) if np.all(np.isfinite(out)) else -1
    digit = _frozen(np.asarray(x, np.float32).reshape(28, 28) / (255.0 if np.asarray(x).dtype == np.uint8 else 1.0))
    return ConvView(filters, int(conv.filters), index, int(labels[index]), digit, predicted, tuple(maps), tuple(titles))


def conv_view_task(ctx, images, labels, index: int, level: float | None = None) -> ConvView | None:
    """Worker task: the conv view of the live network (None when it is not a layer network)."""
    net = ctx.network
    if not isinstance(net, ConvNet):
        return None
    return conv_view(net, images, labels, index, level if level else filter_level(net))


# ---------------------------------------------------------------------------------------------- request
def check_layers_request(req, n_available: int | None = None) -> str | None:
    """``check_request`` for a layer network: a sentence for the first bad value, or None."""
    try:
        spec = validate_spec([dict(d) for d in req.layers])
    except ValueError as exc:
        return f"Layers: {exc}."
    if spec[-1]["n_out"] != MNIST_OUTPUTS:
        return f"The softmax layer must have {MNIST_OUTPUTS} neurons, one per digit 0–9 (got {spec[-1]['n_out']})."
    from .training import check_run  # training imports this module

    return check_run(req, n_available, copies=5 if req.expanded else 1)


def describe(net: ConvNet, epochs: int, rec: EpochRecord | None, batches: int = 0) -> str:
    """The published network's words; ``batches``: mini-batches of an epoch stopped part-way."""
    acc = f", {rec.test_accuracy:.2%} test" if rec is not None and rec.test_accuracy is not None else ""
    part = f" and {batches:,} mini-batch{'es' if batches != 1 else ''}" if batches else ""
    return f"trained in the Training tab: {net.describe()}, {epochs} epoch{'s' if epochs != 1 else ''}{part}{acc}"


def _build_network(ctx, req) -> tuple[ConvNet, bool]:
    spec = validate_spec([dict(d) for d in req.layers])
    live = ctx.network
    if (req.continue_training and isinstance(live, ConvNet) and live.spec == spec
            and all(np.isfinite(p).all() for p in live.params)):
        return live, True
    return ConvNet(spec, rng=np.random.default_rng(req.seed)), False


def _results(scores: np.ndarray, images: np.ndarray, labels: np.ndarray, cap: int) -> ClassificationResults:
    """The test set's confusion matrix and first ``cap`` mistakes from the outputs ``scores`` (n, 10)."""
    labels = np.asarray(labels)
    predicted = np.argmax(scores, axis=1)
    wrong = np.flatnonzero(predicted != labels)
    shown = wrong[:cap]
    return ClassificationResults(
        confusion=_frozen(confusion_matrix(predicted, labels, scores.shape[1]), np.int64),
        correct=int(len(labels) - len(wrong)), total=int(len(labels)), n_misclassified=int(len(wrong)),
        miss_index=_frozen(shown, np.int64), miss_label=_frozen(labels[shown], np.int64),
        miss_predicted=_frozen(predicted[shown], np.int64), miss_scores=_frozen(scores[shown]),
        miss_images=_frozen(np.asarray(images)[shown], np.uint8 if np.asarray(images).dtype == np.uint8 else np.float32))


def _measure(net: ConvNet, images, labels, scores: np.ndarray):
    """Generator: the outputs for ``images`` into ``scores``, EVAL_CHUNK at a time (yields images done);
    returns (mean log-likelihood cost, number correct)."""
    cost, correct = 0.0, 0
    for s in range(0, len(images), EVAL_CHUNK):
        e = min(len(images), s + EVAL_CHUNK)
        a = net.feedforward(images[s:e])
        scores[s:e] = a
        lb = np.asarray(labels[s:e], np.intp)
        correct += int(np.count_nonzero(np.argmax(a, axis=1) == lb))
        with np.errstate(all="ignore"):
            cost -= float(np.log(np.maximum(a[np.arange(e - s), lb], 1e-30)).sum())
        yield e
    return (cost / len(images) if len(images) else float("nan")), correct


# ---------------------------------------------------------------------------------------------- the job
def conv_training_job(ctx, req, mnist):
    """Job generator: train the layer network ``req.layers`` on ``mnist``; yield ``TrainingSnapshot``s.

    Returns the final snapshot (also yielded, urgent).
    """
    from .training import TrainingSnapshot, _CurveBuilder, check_request, monitor_every_for

    problem = check_request(req, len(mnist.training))
    if problem:
        raise ValueError(problem)
    plain = mnist.training if req.limit is None else mnist.training.subset(req.limit)
    train = ExpandedMnist(plain.images, plain.labels) if req.expanded else plain
    validation, test = mnist.validation, mnist.test
    n = len(train)
    config = req.config
    m = config.mini_batch_size
    bpe = -(-n // m)
    previous = ctx.network
    net, continued = _build_network(ctx, req)
    ctx.set_network(net)
    monitor_every = monitor_every_for(bpe, m)
    builder = _CurveBuilder(0)
    level = filter_level(net)
    probe = req.probe if req.probe is not None else ProbeChoice(0)
    mon_train = (plain.images[:MONITOR_SIZE], plain.labels[:MONITOR_SIZE])
    mon_val = (validation.images[:MONITOR_SIZE], validation.labels[:MONITOR_SIZE]) if len(validation) else None
    base = dict(label=req.label, epochs=config.epochs, batches_per_epoch=bpe, n_train=n, sizes=tuple(net.sizes))
    view = {"view": None, "t": -math.inf, "index": None}
    state = {"best": None}

    def live_view():
        """The conv view, rebuilt (from copies) at most every VIEW_SECONDS or when the digit changes."""
        now = time.perf_counter()
        if now - view["t"] >= VIEW_SECONDS or view["index"] != probe.index:
            view["view"] = conv_view(net, validation.images, validation.labels, probe.index, level)
            view["t"], view["index"] = now, probe.index
        return view["view"]

    def snap(phase, epoch, batch, seen, eta, eps, **kw) -> TrainingSnapshot:
        return TrainingSnapshot(phase=phase, epoch=epoch, batch=batch, examples_seen=seen, eta=eta,
                                examples_per_second=eps, curves=builder.curves, weights=None, conv=live_view(),
                                best=state["best"], **base, **kw)

    def monitor(x: float) -> None:
        c = net_eval(*mon_train)
        builder.add("cost", x, c[0])
        if math.isfinite(c[0]):
            builder.add("train", x, c[1])
            if mon_val:
                builder.add("val", x, net_eval(*mon_val)[1])
        builder.freeze()

    def net_eval(images, labels):
        scores = np.empty((len(images), MNIST_OUTPUTS), np.float32)
        gen = _measure(net, images, labels, scores)
        while True:
            try:
                next(gen)
            except StopIteration as done:
                cost, correct = done.value
                return cost + net.l2_term(config.lmbda, n, m), correct / max(1, len(images))

    monitor(0.0)
    start_msg = ("Continuing to train the current network." if continued
                 else f"New network: {net.describe()} (seed {req.seed}).")
    yield snap("starting", 0, 0, 0, config.eta, None, message=start_msg, urgent=True)

    rng = np.random.default_rng(req.seed + 1)
    eta = eta0 = float(config.eta)
    since_best = 0
    seen = 0
    end: RunEnd | None = None
    last_rec = None
    published = None
    test_scores = np.empty((len(test), MNIST_OUTPUTS), np.float32)
    scores_fresh = False  # test_scores hold the outputs of the network as it is now
    epoch = 0
    for epoch in range(config.epochs):
        one = replace(config, epochs=1, eta=eta, early_stopping_n=None, schedule=False)
        seen0 = seen
        rate_t0, eps = time.perf_counter(), None
        mon_batch, mon_t, mon_cost = 0, time.perf_counter(), 0.0
        rec_epoch = None
        batch = 0  # the mini-batches of this epoch trained so far
        for rec in conv_sgd(net, train, one, rng=rng, should_stop=ctx.should_stop, yield_every=1,
                            train_eval_size=TRAIN_EVAL_SIZE, blas_threads=None,
                            cancel=getattr(ctx, "cancelled", None)):
            if isinstance(rec, BatchRecord):
                scores_fresh = False
                seen, batch = seen0 + rec.examples_seen, rec.batch
                now = time.perf_counter()
                if (rec.batch - mon_batch >= monitor_every and rec.batch < bpe
                        and now - mon_t >= max(MONITOR_MIN_SECONDS, mon_cost / MONITOR_SHARE)):
                    monitor(epoch + rec.batch / bpe)
                    mon_batch, mon_t = rec.batch, time.perf_counter()
                    mon_cost = mon_t - now
                if now - rate_t0 >= 0.1:  # examples per second of wall clock, this epoch so far
                    eps = (seen - seen0) / (now - rate_t0)
                yield partial(snap, "training", epoch, rec.batch, seen, eta, eps)
            elif isinstance(rec, EpochRecord):
                rec_epoch = rec
            elif isinstance(rec, RunEnd) and rec.reason != "finished":
                end = RunEnd(rec.reason, rec.message if rec.reason != "stopped"
                             else f"Stopped by the user during epoch {epoch}.", epoch + (rec_epoch is not None))
        if end is not None or rec_epoch is None:
            break
        # The epoch's end: validation and test sets, EVAL_CHUNK images per item.
        measured = {}
        for name, data in (("validation", validation), ("test", test)):
            if not len(data):
                continue
            scores = test_scores if name == "test" else np.empty((len(data), MNIST_OUTPUTS), np.float32)
            gen = _measure(net, data.images, data.labels, scores)
            while True:
                try:
                    done = next(gen)
                except StopIteration as result:
                    measured[name] = result.value
                    break
                yield partial(snap, "evaluating", epoch, bpe, seen, eta, None,
                              message=f"After epoch {epoch}: measuring the {name} set, {done:,} / {len(data):,}")
                if ctx.should_stop():
                    end = RunEnd("stopped", f"Stopped by the user while measuring epoch {epoch}.", epoch + 1)
                    break
            if end is not None:
                break
        if end is not None:
            break
        l2 = net.l2_term(config.lmbda, n, m)
        val, tst = measured.get("validation"), measured.get("test")
        rec = replace(
            rec_epoch, epoch=epoch,
            validation_cost=val[0] + l2 if val else None,
            validation_accuracy=val[1] / len(validation) if val else None,
            validation_correct=val[1] if val else None,
            test_accuracy=tst[1] / len(test) if tst else None, test_correct=tst[1] if tst else None,
            test_total=len(test) if tst else None, test_cost=tst[0] + l2 if tst else None)
        scores_fresh = tst is not None
        last_rec = rec
        x = epoch + 1.0
        builder.add("cost", x, rec.training_cost)
        builder.add("train", x, rec.training_accuracy)
        builder.add("val", x, rec.validation_accuracy)
        builder.add("val_cost", x, rec.validation_cost)
        builder.add("test", x, rec.test_accuracy)
        builder.freeze()
        better = best_after(state["best"], rec)
        since_best = 0 if better is not state["best"] else since_best + 1
        state["best"] = better
        if all(np.isfinite(p).all() for p in net.params):
            published = ctx.publish(describe(net, epoch + 1, rec), "training", network=net)
        view["t"] = -math.inf  # the epoch's end always shows the filters as they are now
        yield snap("training", epoch, bpe, seen, eta, rec.examples_per_second, epoch_record=rec, urgent=True)
        if not math.isfinite(rec.training_cost):
            end = RunEnd("diverged", _diverged_message(eta), epoch + 1)
            break
        if config.early_stopping_n and val is not None and since_best >= config.early_stopping_n:
            if not config.schedule:
                b = state["best"]
                end = RunEnd("early-stopping", f"Early stopping: no better validation accuracy in "
                             f"{config.early_stopping_n} epochs (best {b.validation_accuracy:.2%} at epoch {b.epoch}).",
                             epoch + 1)
                break
            eta /= 2
            since_best = 0
            if eta < eta0 / 128:
                end = RunEnd("schedule", f"η schedule finished: η fell below η₀/128 = {eta0 / 128:g}.", epoch + 1)
                break
        if ctx.should_stop():
            end = RunEnd("stopped", f"Stopped by the user after epoch {epoch}.", epoch + 1)
            break
    if end is None:
        end = RunEnd("finished", f"Finished {config.epochs} epochs.", config.epochs)
    b = state["best"]
    end = replace(end, best_validation_accuracy=b.validation_accuracy if b else None, best_epoch=b.epoch if b else None)
    done = end.epochs_done
    if end.reason == "diverged":
        good = published.network.copy() if published is not None else previous
        ctx.set_network(good)
        final = snap("diverged", epoch, 0, seen, eta, None, end=end, epoch_record=last_rec,
                     message=end.message, urgent=True)
        yield final
        return final
    fresh = scores_fresh
    if len(test) and not fresh and not ctx.should_stop():  # a Stop does not wait for the test set
        for k in _measure(net, test.images, test.labels, test_scores):
            yield partial(snap, "evaluating", max(0, done - 1), bpe, seen, eta, None,
                          message=f"Measuring the test set, {k:,} / {len(test):,}")
            if ctx.should_stop():
                break
        else:
            fresh = True
    results = _results(test_scores, test.images, test.labels, req.gallery_cap) if len(test) and fresh else None
    # Where the run ended, counted as the running line counts: a Stop within an epoch ends in that epoch,
    # at the mini-batch it reached (not at its start), and the network says how far it was trained.
    part_way = done <= epoch and batch > 0
    last_epoch, last_batch = (epoch, batch) if part_way else (max(0, done - 1), bpe if done else 0)
    ctx.publish(describe(net, done, last_rec, batch if part_way else 0), "training", network=net)
    view["t"] = -math.inf
    message = end.message + (f"\n{b.text()} (as network3.py reports)." if b else "")
    final = snap(end.reason, last_epoch, last_batch, seen, eta, None, end=end, results=results,
                 epoch_record=last_rec, message=message, urgent=True)
    yield final
    return final
