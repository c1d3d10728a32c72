"""The Training tab's work, run on the engine worker (no Qt here: tested headless in tests/).

``training_job(ctx, request, mnist)`` is a job generator for ``EngineClient.start_job``: it builds (or
continues) the live network, runs the engine's ``sgd`` one mini-batch per item — so the worker's
pause / step / stop act between mini-batches — and yields ``TrainingSnapshot``s: small frozen records
whose curve arrays are read-only and *cumulative*, so a snapshot the worker throttles away loses
nothing.  Epoch ends and the end of the run are ``urgent`` (never throttled).  The trained network is
published (``ctx.publish``) after every epoch and at the end, for the Draw tab and the inspector.
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

MONITOR_SIZE = 500  # images of the training / validation sets measured live within an epoch
MONITOR_EXAMPLES = 5000  # a live point every this many training examples (10 per epoch on 50,000)
MONITOR_MIN_PER_EPOCH = 4
# ... but at most one every this many seconds of training: a point costs three passes over MONITOR_SIZE
# images, as much as training ~2,000 examples, so a fast run (an epoch of [784,100,10] takes 0.3 s) would
# otherwise spend a fifth of its time measuring itself; slow runs still get their 10 points per epoch.
MONITOR_SECONDS = 0.3


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


def check_request(req: TrainingRequest, n_available: int | None = None) -> str | None:
    """A sentence explaining the first bad value, or None when the run can start."""
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
    if req.limit is not None and req.limit < 1:
        return f"The training-set size must be at least 1 image (got {req.limit})."
    n = n_available
    if n is not None and req.limit is not None:
        n = min(n, req.limit)
    elif n is None:
        n = req.limit
    try:
        req.config.validate(n)
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


def training_job(ctx, req: TrainingRequest, mnist):
    """Job generator: train on ``mnist`` (an ``nndl_gui.data.Mnist``) as ``req`` says; yield snapshots.

    Returns the final TrainingSnapshot (also yielded, urgent).
    """
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

    def snap(phase, epoch, batch, seen, eta, eps, **kw) -> TrainingSnapshot:
        return TrainingSnapshot(phase=phase, epoch=epoch, batch=batch, examples_seen=seen, eta=eta,
                                examples_per_second=eps, curves=builder.curves, weights=weights, **base, **kw)

    # Initial point: the untrained network (so curves start at epoch 0 and learning speed at init shows).
    c0 = evaluate(net, *mon_train)
    builder.add("cost", 0.0, c0.cost + _l2_term(net, config.lmbda, n))
    builder.add("train", 0.0, c0.accuracy)
    if mon_val:
        builder.add("val", 0.0, evaluate(net, *mon_val, with_cost=False).accuracy)
    if n_hidden:
        builder.add_speed(0.0, learning_speed(net, train.images, train.labels))
    builder.freeze()
    start_msg = ("Continuing to train the current network." if continued
                 else f"New network {list(sizes)} ({req.init} init, seed {req.seed}).")
    yield snap("starting", 0, 0, 0, config.eta, None, message=start_msg, urgent=True)

    rng = np.random.default_rng(req.seed + 1)
    rate_t0, rate_seen0, eps = time.perf_counter(), 0, None
    current_epoch = 0
    end: RunEnd | None = None
    last_epoch_record = None
    seen = 0
    # blas_threads=None: the worker caps BLAS for the whole process.
    for rec in sgd(net, train, config, rng=rng, validation_data=validation if len(validation) else None,
                   test_data=test, should_stop=ctx.should_stop, yield_every=1, monitor_every=monitor_every,
                   monitor_size=MONITOR_SIZE, monitor_seconds=MONITOR_SECONDS, blas_threads=None):
        if isinstance(rec, BatchRecord):
            if rec.epoch != current_epoch:
                current_epoch = rec.epoch
            seen = rec.examples_seen
            x = rec.epoch + rec.batch / rec.batches_per_epoch
            changed = False
            if rec.training_cost is not None:
                builder.add("cost", x, rec.training_cost + _l2_term(net, config.lmbda, n))
                if math.isfinite(rec.training_cost):
                    builder.add("train", x, rec.training_accuracy)
                    if mon_val:
                        builder.add("val", x, evaluate(net, *mon_val, with_cost=False).accuracy)
                builder.add_speed(x, rec.learning_speed)
                changed = True
            now = time.perf_counter()
            if now - last_weights >= req.weights_every:
                weights = _weights(net, req.weights_cap)
                last_weights = now
            if changed:
                builder.freeze()
            if now - rate_t0 >= 0.1:  # examples per second of wall clock, this epoch so far
                eps = (seen - rate_seen0) / (now - rate_t0)
            # Building a snapshot per mini-batch would cost more than the arithmetic of small mini-batches:
            # yield its recipe; the worker builds the ones it shows (each yield is one step for pause / step).
            yield partial(snap, "training", rec.epoch, rec.batch, seen, rec.eta, eps)
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
            if all(np.isfinite(p).all() for p in net.params):
                published = ctx.publish(_describe(net, rec.epoch + 1, rec), "training", network=net)
            yield snap("training", rec.epoch, bpe, seen, rec.eta, rec.examples_per_second,
                       epoch_record=rec, urgent=True)
            rate_t0, rate_seen0 = time.perf_counter(), seen  # evaluation time is not training time
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
    yield snap("evaluating", max(0, epochs_done - 1), bpe, seen, config.eta, None,
               epoch_record=last_epoch_record, message="Measuring the test set…", urgent=True)
    results = misclassified(net, test.images, test.labels, cap=req.gallery_cap) if len(test) else None
    ctx.publish(_describe(net, epochs_done, last_epoch_record), "training", network=net)
    weights = _weights(net, req.weights_cap)
    final = snap(end.reason, max(0, epochs_done - 1), bpe if epochs_done else 0, seen, config.eta, None,
                 end=end, results=results, epoch_record=last_epoch_record, message=end.message, urgent=True)
    yield final
    return final


def _describe(net: Network, epochs: int, rec: EpochRecord | None) -> str:
    acc = f", {rec.test_accuracy:.2%} test" if rec is not None and rec.test_accuracy is not None else ""
    return f"trained in the Training tab: {net.sizes}, {epochs} epoch{'s' if epochs != 1 else ''}{acc}"
