"""The Training tab's work, run on the engine worker (no Qt here: tested headless in tests/).

``training_job(ctx, request, mnist)`` is a job generator for ``EngineClient.start_job``: it builds (or
continues) the live network, runs the engine's ``sgd`` one mini-batch per item — so the worker's
pause / step / stop act between mini-batches — and yields ``TrainingSnapshot``s: small frozen records
whose curve arrays are read-only and *cumulative*, so a snapshot the worker throttles away loses
nothing.  Epoch ends and the end of the run are ``urgent`` (never throttled).  The trained network is
published (``ctx.publish``) after every epoch and at the end, for the Draw tab and the inspector.

Watching (chapter 1 trains in 13 s, too fast to see): a ``Pace`` caps the examples per second; the job
then waits between mini-batches in short slices (each wait is its own yield, so the worker's pause and stop
act within ~15 ms) and measures live points twice a second of watching, so the curves grow within the
epoch.  The tab may change ``Pace.rate`` while the run goes on.  After **Step** (a mini-batch trained
while paused) the snapshot carries a ``StepReport``: the mini-batch's cost and accuracy before and after
its gradient step, and how far the weights and biases moved.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from ..engine.analysis import ClassificationResults, misclassified, weight_tiles
from ..engine.network import Network, evaluate, validate_sizes
from ..data.mnist import CLASSES as MNIST_OUTPUTS, PIXELS as MNIST_INPUTS
from ..engine.training import BatchRecord, EpochRecord, RunEnd, TrainingConfig, learning_speed, sgd
from .conv_training import best_after

MONITOR_SIZE = 500  # images of the training / validation sets measured live within an epoch
MONITOR_EXAMPLES = 5000  # a live point every this many training examples (10 per epoch on 50,000)
MONITOR_MIN_PER_EPOCH = 4
# ... but at most one every this many seconds of training: a point costs three passes over MONITOR_SIZE
# images, as much as training ~2,000 examples, so a fast run (an epoch of [784,100,10] takes 0.3 s) would
# otherwise spend a fifth of its time measuring itself; slow runs still get their 10 points per epoch.
MONITOR_SECONDS = 0.3


# Watch speeds offered by the tab: (key, examples per second or None for full speed, text).
WATCH_SPEEDS = (
    ("full", None, "full speed"),
    ("watch", 2000.0, "2,000 images/s"),
    ("slow", 200.0, "slow: 200 images/s"),
)
PACE_SLICE = 0.01  # seconds slept per wait item: pause / stop act between them
WATCH_POINTS_PER_SECOND = 2.0  # live curve points per second of watching


class Pace:
    """How fast a run may go: ``rate`` examples per second, or None for full speed.

    A plain object shared by the tab (which sets ``rate``) and the job on the worker (which reads it
    between mini-batches); assigning a float is atomic, so no lock is needed."""

    def __init__(self, rate: float | None = None):
        self.rate = rate


def watch_rate(key: str) -> float | None:
    """The examples per second of a WATCH_SPEEDS key (None: full speed)."""
    for k, rate, _text in WATCH_SPEEDS:
        if k == key:
            return rate
    raise ValueError(f"unknown watch speed {key!r}")


@dataclass(frozen=True)
class StepReport:
    """What one mini-batch trained by Step did (chapter 1's update rule, made visible).

    cost_* and correct_* are measured on the mini-batch's own m examples, before and after its step;
    delta_w = ‖Δw‖ and delta_b = ‖Δb‖ over all layers (Euclidean norms of the change)."""

    epoch: int  # 0-based, as the book prints "Epoch 0"
    batch: int  # 1-based mini-batch within the epoch
    size: int  # m (the last mini-batch of an epoch may be shorter)
    cost_before: float
    cost_after: float
    correct_before: int
    correct_after: int
    delta_w: float
    delta_b: float


# ---------------------------------------------------------------------------------------------- request
@dataclass(frozen=True)
class TrainingRequest:
    """Everything the form says about one run."""

    sizes: tuple[int, ...] = (784, 30, 10)
    activation: str = "sigmoid"
    output: str = "sigmoid"
    cost: str = "quadratic"
    init: str = "large"
    seed: int = 0
    config: TrainingConfig = field(default_factory=TrainingConfig)
    limit: int | None = None  # train on the first `limit` training images (None: all)
    continue_training: bool = False  # keep training the live network when its architecture matches
    label: str = "run"
    weights_cap: int = 100  # at most this many first-layer neurons drawn
    weights_every: float = 0.5  # seconds between weight images (always at epoch ends)
    gallery_cap: int = 100
    # Chapter 6 (jobs.conv_training): a layer spec (engine.convnet) instead of ``sizes``; the expanded
    # training data (data.expand); which validation digit the feature maps show (a ProbeChoice).
    layers: tuple = ()
    expanded: bool = False
    probe: object = None


def data_plan(path=None) -> tuple[bool | None, str | None]:
    """Which MNIST a run would load, found without reading it (file names only, so it is instant):
    (True when that is the shipped sample, None) or (None, a sentence saying why no data can be found),
    e.g. for ``--data`` pointing at an empty folder."""
    from ..data.mnist import SAMPLE_DIR, locate_data

    try:
        directory, _source = locate_data(path)
    except (FileNotFoundError, OSError) as exc:
        return None, f"No MNIST data: {exc}."
    return directory.resolve() == SAMPLE_DIR.resolve(), None


def sample_words(mnist=None) -> str:
    """How the tab says the data is the sample, not the book's: "the 12,000-image sample" when known."""
    if mnist is None:
        return "the bundled sample"
    return f"the {len(mnist.training) + len(mnist.validation):,}-image sample"


def check_request(req: TrainingRequest, n_available: int | None = None) -> str | None:
    """A sentence explaining the first bad value, or None when the run can start."""
    if req.layers:
        from .conv_training import check_layers_request

        return check_layers_request(req, n_available)
    try:
        sizes = validate_sizes(req.sizes)
    except ValueError as exc:
        return f"Layer sizes: {exc}."
    if sizes[0] != MNIST_INPUTS:
        return f"The first layer must have {MNIST_INPUTS} neurons, one per pixel of a 28×28 MNIST image (got {sizes[0]})."
    if sizes[-1] != MNIST_OUTPUTS:
        return f"The last layer must have {MNIST_OUTPUTS} neurons, one per digit 0–9 (got {sizes[-1]})."
    try:
        Network([1, 1], activation=req.activation, output=req.output, cost=req.cost, init=req.init, rng=0)
    except ValueError as exc:
        return str(exc)[:1].upper() + str(exc)[1:] + "."
    if req.cost == "log-likelihood" and req.output != "softmax":
        return "The log-likelihood cost needs a softmax output layer (chapter 3)."
    if req.cost == "cross-entropy" and req.output not in ("sigmoid", "softmax"):
        return ("The cross-entropy cost needs outputs between 0 and 1: choose a sigmoid (or softmax) "
                "output layer (chapter 3).")
    return check_run(req, n_available)


def check_run(req: TrainingRequest, n_available: int | None, copies: int = 1) -> str | None:
    """The checks every run shares, whatever its network: training-set size (``copies`` images per
    training image, 5 for expanded data), the hyper-parameters against it, and the seed."""
    if req.limit is not None and req.limit < 1:
        return f"The training-set size must be at least 1 image (got {req.limit})."
    n = n_available
    if n is not None and req.limit is not None:
        n = min(n, req.limit)
    elif n is None:
        n = req.limit
    try:
        req.config.validate(None if n is None else n * copies)
    except ValueError as exc:
        msg = str(exc)
        return msg[:1].upper() + msg[1:] + "."
    if not (isinstance(req.seed, int) and 0 <= req.seed < 2**32):
        return f"The seed must be a whole number from 0 to {2**32 - 1}."
    return None


# ---------------------------------------------------------------------------------------------- snapshots
def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Curves:
    """Cumulative curve data of one run; x is in epochs (1.5 = half-way through the second epoch).

    cost: training cost C on the first MONITOR_SIZE training images (+ the L2 term) live, and on the
    whole training set at epoch ends.  *_acc: accuracies as fractions; training and validation get live
    points from MONITOR_SIZE-image subsets, every set is measured in full at epoch ends.
    speed_y: (k, number of hidden layers) ‖∂C/∂b^l‖ = ‖δ^l‖ (chapter 5's learning speed).
    """

    cost_x: np.ndarray
    cost_y: np.ndarray
    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    val_cost_x: np.ndarray
    val_cost_y: np.ndarray
    speed_x: np.ndarray
    speed_y: np.ndarray
    # cost on the test data at epoch ends (chapter 3's overfitting figure), beside the training cost
    test_cost_x: np.ndarray = field(default_factory=lambda: _frozen([]))
    test_cost_y: np.ndarray = field(default_factory=lambda: _frozen([]))


@dataclass(frozen=True)
class WeightImage:
    """First-layer weights as a grid of 28×28 tiles, each scaled to [-1, 1] (draw with levels (-1, 1))."""

    image: np.ndarray  # (H, W) float32, NaN between tiles
    shown: int
    total: int
    cols: int


@dataclass(frozen=True)
class TrainingSnapshot:
    """What the Training tab draws.  Immutable; arrays are read-only."""

    label: str
    phase: str  # "starting" | "training" | "evaluating" | "finished" | "stopped" | "diverged" | ...
    epoch: int  # 0-based epoch in progress (or last finished)
    epochs: int
    batch: int
    batches_per_epoch: int
    examples_seen: int
    n_train: int
    eta: float
    examples_per_second: float | None  # wall clock while training, this epoch so far
    curves: Curves
    weights: WeightImage | None
    epoch_record: EpochRecord | None = None
    end: RunEnd | None = None
    results: ClassificationResults | None = None
    sizes: tuple[int, ...] = ()
    message: str = ""
    urgent: bool = False
    step: StepReport | None = None  # set on the snapshot of a mini-batch trained by Step
    conv: object = None  # jobs.conv_training.ConvView: filters and feature maps (layer networks)
    best: object = None  # jobs.conv_training.BestValidation: network3.py's best-validation report

    @property
    def run_fraction(self) -> float:
        if self.epochs <= 0 or self.batches_per_epoch <= 0:
            return 0.0
        return min(1.0, (self.epoch + self.batch / self.batches_per_epoch) / self.epochs)

    @property
    def epoch_fraction(self) -> float:
        return self.batch / self.batches_per_epoch if self.batches_per_epoch else 0.0


class _CurveBuilder:
    """Collects curve points in lists and freezes them into a new Curves only when a point arrives."""

    names = ("cost", "train", "val", "test", "val_cost", "test_cost")

    def __init__(self, n_hidden: int):
        self.points = {name: ([], []) for name in self.names}
        self.speed_x: list[float] = []
        self.speed_y: list[tuple[float, ...]] = []
        self.n_hidden = n_hidden
        self.curves = self._freeze()

    def add(self, name: str, x: float, y: float | None) -> None:
        if y is None:
            return
        xs, ys = self.points[name]
        xs.append(x)
        ys.append(y)

    def add_speed(self, x: float, speed) -> None:
        if speed is not None:
            self.speed_x.append(x)
            self.speed_y.append(tuple(speed))

    def _freeze(self) -> Curves:
        kw = {}
        for name, (xs, ys) in self.points.items():
            kw[f"{name}_x"] = _frozen(xs)
            kw[f"{name}_y"] = _frozen(ys)
        kw["speed_x"] = _frozen(self.speed_x)
        kw["speed_y"] = _frozen(np.reshape(self.speed_y, (len(self.speed_y), self.n_hidden)))
        return Curves(**kw)

    def freeze(self) -> Curves:
        self.curves = self._freeze()
        return self.curves


def monitor_every_for(batches_per_epoch: int, m: int) -> int:
    """Mini-batches between live points: about every MONITOR_EXAMPLES examples, ≥ 4 points per epoch."""
    every = max(1, MONITOR_EXAMPLES // max(1, m))
    return max(1, min(every, batches_per_epoch // MONITOR_MIN_PER_EPOCH))


def _build_network(ctx, req: TrainingRequest) -> tuple[Network, bool]:
    """The live network to train: the current one if asked and compatible, else a fresh one."""
    live = ctx.network
    if req.continue_training and live is not None:
        same = (list(live.sizes) == list(req.sizes) and live.activation.name == req.activation
                and live.output.name == req.output and live.cost.name == req.cost)
        if same and all(np.isfinite(p).all() for p in live.params):
            return live, True
    net = Network(list(req.sizes), activation=req.activation, output=req.output, cost=req.cost,
                  init=req.init, rng=np.random.default_rng(req.seed))
    return net, False


def _weights(net: Network, cap: int) -> WeightImage:
    w = net.weights[0]
    image, shown = weight_tiles(w, cap=cap)
    image.flags.writeable = False
    cols = int(np.ceil(np.sqrt(shown))) if shown else 1
    return WeightImage(image, shown, w.shape[0], cols)


def _l2_term(net: Network, lmbda: float, n: int) -> float:
    if not lmbda:
        return 0.0
    return 0.5 * (lmbda / n) * sum(float(np.vdot(w, w)) for w in net.weights)


class _RecordingRng:
    """The run's random generator, remembering the last permutation drawn (the epoch's mini-batch order),
    so a Step can name the m examples of its mini-batch.  Everything else goes to the generator."""

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self.last_permutation: np.ndarray | None = None

    def permutation(self, n):
        self.last_permutation = self._rng.permutation(n)
        return self.last_permutation

    def __getattr__(self, name):
        return getattr(self._rng, name)


def _pace_wait(ctx, pace: Pace | None, due: float, item):
    """Yield ``item`` (the newest snapshot again) until ``due`` (perf_counter), each time after at most
    PACE_SLICE s of sleep; nothing when paused (a Step trains at once), stopping, or at full speed."""
    paused = getattr(ctx, "paused", None)
    while pace is not None and pace.rate:
        left = due - time.perf_counter()
        if left <= 0 or ctx.should_stop() or (paused is not None and paused()):
            return
        time.sleep(min(PACE_SLICE, left))
        yield item


def _step_report(before: Network, net: Network, train, perm, rec: BatchRecord, m: int) -> StepReport:
    """Compare the network before and after the mini-batch ``rec`` (examples ``perm[(batch-1)m : batch·m]``)."""
    idx = perm[(rec.batch - 1) * m: rec.batch * m]
    x, y = train.images[idx], train.labels[idx]
    b, a = evaluate(before, x, y), evaluate(net, x, y)
    dw = math.sqrt(sum(float(np.sum((p1[:, :-1].astype(np.float64) - p0[:, :-1]) ** 2))
                       for p0, p1 in zip(before.params, net.params)))
    db = math.sqrt(sum(float(np.sum((p1[:, -1].astype(np.float64) - p0[:, -1]) ** 2))
                       for p0, p1 in zip(before.params, net.params)))
    return StepReport(rec.epoch, rec.batch, len(idx), float(b.cost), float(a.cost), int(b.correct),
                      int(a.correct), dw, db)


def training_job(ctx, req: TrainingRequest, mnist, pace: Pace | None = None):
    """Job generator: train on ``mnist`` (an ``nndl_gui.data.Mnist``) as ``req`` says; yield snapshots.

    ``pace`` (optional, read between mini-batches) slows the run to a rate a person can follow.
    Returns the final TrainingSnapshot (also yielded, urgent).
    """
    if req.layers:  # chapter 6: a layer network
        from .conv_training import conv_training_job

        return (yield from conv_training_job(ctx, req, mnist))
    problem = check_request(req, len(mnist.training))
    if problem:
        raise ValueError(problem)
    train = mnist.training if req.limit is None else mnist.training.subset(req.limit)
    validation, test = mnist.validation, mnist.test
    n = len(train)
    config = req.config
    if len(req.sizes) > 2 and not config.learning_speed:
        config = replace(config, learning_speed=True)
    previous = ctx.network
    net, continued = _build_network(ctx, req)
    ctx.set_network(net)
    m = config.mini_batch_size
    bpe = -(-n // m)
    monitor_every = monitor_every_for(bpe, m)
    n_hidden = len(net.sizes) - 2
    builder = _CurveBuilder(n_hidden)
    sizes = tuple(net.sizes)
    weights = _weights(net, req.weights_cap)
    last_weights = time.perf_counter()
    mon_train = (train.images[:MONITOR_SIZE], train.labels[:MONITOR_SIZE])
    mon_val = (validation.images[:MONITOR_SIZE], validation.labels[:MONITOR_SIZE]) if len(validation) else None
    base = dict(label=req.label, epochs=config.epochs, batches_per_epoch=bpe, n_train=n, sizes=sizes)
    published = None
    best = None  # network3.py's report: best validation accuracy and the test accuracy at that epoch

    def snap(phase, epoch, batch, seen, eta, eps, **kw) -> TrainingSnapshot:
        return TrainingSnapshot(phase=phase, epoch=epoch, batch=batch, examples_seen=seen, eta=eta,
                                examples_per_second=eps, curves=builder.curves, weights=weights, best=best,
                                **base, **kw)

    cancel = getattr(ctx, "cancelled", None)  # true once the app is closing: long passes raise Interrupted
    # Initial point: the untrained network (so curves start at epoch 0 and learning speed at init shows).
    c0 = evaluate(net, *mon_train, cancel=cancel)
    builder.add("cost", 0.0, c0.cost + _l2_term(net, config.lmbda, n))
    builder.add("train", 0.0, c0.accuracy)
    if mon_val:
        builder.add("val", 0.0, evaluate(net, *mon_val, with_cost=False, cancel=cancel).accuracy)
    if n_hidden:
        builder.add_speed(0.0, learning_speed(net, train.images, train.labels, cancel=cancel))
    builder.freeze()
    start_msg = ("Continuing to train the current network." if continued
                 else f"New network {list(sizes)} ({req.init} init, seed {req.seed}).")
    yield snap("starting", 0, 0, 0, config.eta, None, message=start_msg, urgent=True)

    rng = _RecordingRng(np.random.default_rng(req.seed + 1))
    rate_t0, rate_seen0, eps = time.perf_counter(), 0, None
    current_epoch = 0
    current_batch = 0
    end: RunEnd | None = None
    last_epoch_record = None
    seen = 0
    paused = getattr(ctx, "paused", None)
    before = None  # a copy of the network before a mini-batch trained by Step
    due = None  # when the next mini-batch may start, when paced
    last_batch_time = time.perf_counter()
    if pace is not None and pace.rate:
        # Watching: live points twice a second of watching, however little training time that is.
        watch_every = max(1, int(pace.rate / WATCH_POINTS_PER_SECOND) // m)
        monitor_every = max(1, min(monitor_every, watch_every))
    # blas_threads=None: the worker caps BLAS for the whole process.
    for rec in sgd(net, train, config, rng=rng, validation_data=validation if len(validation) else None,
                   test_data=test, should_stop=ctx.should_stop, yield_every=1, monitor_every=monitor_every,
                   monitor_size=MONITOR_SIZE,
                   monitor_seconds=0.0 if pace is not None and pace.rate else MONITOR_SECONDS,
                   blas_threads=None, cancel=cancel):
        if isinstance(rec, BatchRecord):
            if rec.epoch != current_epoch:
                current_epoch = rec.epoch
            current_batch = rec.batch
            seen = rec.examples_seen
            step = None
            if before is not None and rng.last_permutation is not None:
                step = _step_report(before, net, train, rng.last_permutation, rec, m)
            before = None
            x = rec.epoch + rec.batch / rec.batches_per_epoch
            changed = False
            if rec.training_cost is not None:
                builder.add("cost", x, rec.training_cost + _l2_term(net, config.lmbda, n))
                if math.isfinite(rec.training_cost):
                    builder.add("train", x, rec.training_accuracy)
                    if mon_val:
                        builder.add("val", x, evaluate(net, *mon_val, with_cost=False, cancel=cancel).accuracy)
                builder.add_speed(x, rec.learning_speed)
                changed = True
            now = time.perf_counter()
            if now - last_weights >= req.weights_every:
                weights = _weights(net, req.weights_cap)
                last_weights = now
            if changed:
                builder.freeze()
            if step is not None or now - last_batch_time > 0.5:
                # after a pause or a Step the wall clock says nothing about speed: start measuring afresh
                rate_t0, rate_seen0, eps = now, seen, None
            elif now - rate_t0 >= 0.1:  # examples per second of wall clock, this epoch so far
                eps = (seen - rate_seen0) / (now - rate_t0)
            # Building a snapshot per mini-batch would cost more than the arithmetic of small mini-batches:
            # yield its recipe; the worker builds the ones it shows (each yield is one step for pause / step).
            if step is not None:
                item = snap("training", rec.epoch, rec.batch, seen, rec.eta, None, step=step, urgent=True)
            else:
                item = partial(snap, "training", rec.epoch, rec.batch, seen, rec.eta, eps)
            yield item
            if pace is not None and pace.rate:
                t = time.perf_counter()
                if due is None or t - due > 0.25:  # late (paused, evaluating): no catching up
                    due = t
                due += m / pace.rate
                yield from _pace_wait(ctx, pace, due, replace(item, urgent=False) if step else item)
            # Resumed by Step (the worker is paused): keep the network as it was, to show what the step did.
            if paused is not None and paused() and isinstance(net, Network):
                before = net.copy()
            last_batch_time = time.perf_counter()
        elif isinstance(rec, EpochRecord):
            x = rec.epoch + 1.0
            builder.add("cost", x, rec.training_cost)
            builder.add("train", x, rec.training_accuracy)
            builder.add("val", x, rec.validation_accuracy)
            builder.add("val_cost", x, rec.validation_cost)
            builder.add("test", x, rec.test_accuracy)
            builder.add("test_cost", x, rec.test_cost)
            builder.add_speed(x, rec.learning_speed)
            builder.freeze()
            weights = _weights(net, req.weights_cap)
            last_weights = time.perf_counter()
            last_epoch_record = rec
            best = best_after(best, rec)
            if all(np.isfinite(p).all() for p in net.params):
                published = ctx.publish(_describe(net, rec.epoch + 1, rec), "training", network=net)
            yield snap("training", rec.epoch, bpe, seen, rec.eta, rec.examples_per_second,
                       epoch_record=rec, urgent=True)
            rate_t0, rate_seen0 = time.perf_counter(), seen  # evaluation time is not training time
            last_batch_time = rate_t0
            if paused is not None and paused() and isinstance(net, Network):
                before = net.copy()  # Step at an epoch end: the next item is the next epoch's first batch
        elif isinstance(rec, RunEnd):
            end = rec
    if end is None:  # closed early by the worker
        end = RunEnd("stopped", "Stopped.", current_epoch)
    epochs_done = end.epochs_done
    if end.reason == "diverged":
        # Keep a usable live network: the last good one published, else the one before this run.
        good = published.network.copy() if published is not None else previous
        ctx.set_network(good)
        final = snap("diverged", current_epoch, 0, seen, config.eta, None, end=end,
                     epoch_record=last_epoch_record, message=end.message, urgent=True)
        yield final
        return final
    # The epoch the run ended in, 0-based as the engine's messages ("Stopped by the user during epoch 4"
    # / "after epoch 3"): a run stopped within an epoch ends in that epoch, at the mini-batch it reached.
    part_way = epochs_done <= current_epoch and current_batch
    if part_way:
        last_epoch, last_batch = current_epoch, current_batch
    else:
        last_epoch, last_batch = max(0, epochs_done - 1), bpe if epochs_done else 0
    yield snap("evaluating", last_epoch, last_batch, seen, config.eta, None,
               epoch_record=last_epoch_record, message="Measuring the test set…", urgent=True)
    results = (misclassified(net, test.images, test.labels, cap=req.gallery_cap, cancel=cancel)
               if len(test) else None)
    ctx.publish(_describe(net, epochs_done, last_epoch_record, last_batch if part_way else 0), "training",
                network=net)
    weights = _weights(net, req.weights_cap)
    final = snap(end.reason, last_epoch, last_batch, seen, config.eta, None,
                 end=end, results=results, epoch_record=last_epoch_record, message=end.message, urgent=True)
    yield final
    return final


def _describe(net: Network, epochs: int, rec: EpochRecord | None, batches: int = 0) -> str:
    """The published network's words; ``batches``: mini-batches of an epoch stopped part-way."""
    acc = f", {rec.test_accuracy:.2%} test" if rec is not None and rec.test_accuracy is not None else ""
    part = f" and {batches:,} mini-batch{'es' if batches != 1 else ''}" if batches else ""
    return f"trained in the Training tab: {net.sizes}, {epochs} epoch{'s' if epochs != 1 else ''}{part}{acc}"
