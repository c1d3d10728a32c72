"""A chapter-6 network — a list of layers, as in the book's network3.py — and SGD that trains it.

``ConvNet(layers)`` chains ``ConvPoolLayer`` / ``FullyConnectedLayer`` layers and ends with a
``SoftmaxLayer`` (log-likelihood cost).  It is built from a *spec*, a list of small dicts that the CLI,
the presets and the save files share:

    {"type": "conv", "filters": 20, "size": 5, "pool": 2, "activation": "relu"}
    {"type": "fc", "n_out": 100, "activation": "relu", "dropout": 0.5}
    {"type": "softmax", "n_out": 10, "dropout": 0.0}

``sgd(net, training_data, config, rng=...)`` is the same generator as ``training.sgd`` for the fully
connected network — it yields the same ``BatchRecord`` / ``EpochRecord`` / ``RunEnd`` records and checks
a stop flag between mini-batches — with network3.py's two differences:

* L2: network3.py adds 0.5·λ·Σ‖w‖² / (n/m) to each mini-batch's cost (n/m = mini-batches per epoch), so a
  step decays weights by w → (1 − ηλm/n)·w, m times chapter 3's (1 − ηλ/n); conv filters are included,
  biases are not.
* Dropout (chapter 6): layers with p > 0 drop input units while training; masks come from ``rng``.

The training cost and accuracy in an ``EpochRecord`` are measured on the first ``train_eval_size``
(10,000) training images — an epoch over 250,000 expanded images would otherwise spend a third of its
time evaluating itself.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import numpy as np

from .activations import get_activation
from .costs import get_cost
from .layers import ACTIVATIONS, LAYER_TYPES, ConvPoolLayer, FullyConnectedLayer, Layer, SoftmaxLayer
from .network import Evaluation
from .blas import BlasThreads
from .cancel import Cancel, check
from .training import BatchRecord, EpochJudge, EpochRecord, RunEnd, TrainingConfig, _diverged_message, epoch_record

INPUT_SHAPE = (28, 28, 1)
MAX_LAYERS = 16
MAX_UNITS = 100_000
MICRO_BATCH = 32  # larger mini-batches are fed through in pieces of at most this many examples (step)


def validate_spec(spec, input_shape=INPUT_SHAPE) -> list[dict]:
    """Check a layer spec (a list of dicts, see the module docstring) and return it normalised.

    Raises ValueError with a sentence naming the first bad layer.
    """
    if not isinstance(spec, (list, tuple)) or not spec:
        raise ValueError("a network needs a list of layers")
    if len(spec) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} layers, got {len(spec)}")
    out, flat = [], False
    shape = tuple(input_shape)
    for i, layer in enumerate(spec):
        where = f"layer {i + 1}"
        if not isinstance(layer, dict) or layer.get("type") not in LAYER_TYPES:
            raise ValueError(f"{where}: needs a type, one of {', '.join(LAYER_TYPES)}; got {layer!r}")
        kind = layer["type"]
        allowed = {"conv": {"type", "filters", "size", "pool", "activation"},
                   "fc": {"type", "n_out", "activation", "dropout"},
                   "softmax": {"type", "n_out", "dropout"}}[kind]
        extra = set(layer) - allowed
        if extra:
            raise ValueError(f"{where} ({kind}): unexpected key{'s' if len(extra) > 1 else ''} {', '.join(sorted(extra))}")

        def whole(key, default=None, lo=1, hi=MAX_UNITS):
            v = layer.get(key, default)
            if type(v) is not int or not lo <= v <= hi:
                raise ValueError(f"{where} ({kind}): {key} must be a whole number from {lo} to {hi}, got {v!r}")
            return v

        def activation():
            v = layer.get("activation", "sigmoid")
            if v not in ACTIVATIONS:
                raise ValueError(f"{where} ({kind}): activation must be one of {', '.join(ACTIVATIONS)}, got {v!r}")
            return v

        def dropout():
            v = layer.get("dropout", 0.0)
            if type(v) not in (int, float) or not 0.0 <= v < 1.0:
                raise ValueError(f"{where} ({kind}): dropout must be a probability from 0 to below 1, got {v!r}")
            return float(v)

        if kind == "conv":
            if flat:
                raise ValueError(f"{where}: a conv layer cannot follow a fully connected layer")
            d = {"type": "conv", "filters": whole("filters", hi=1024), "size": whole("size", 5, hi=28),
                 "pool": whole("pool", 2, hi=28), "activation": activation()}
            h, w, _ = shape
            ch, cw = h - d["size"] + 1, w - d["size"] + 1
            if ch < d["pool"] or cw < d["pool"]:
                raise ValueError(f"{where}: a {d['size']}×{d['size']} filter with {d['pool']}×{d['pool']} pooling "
                                 f"does not fit its {h}×{w} input")
            shape = (ch // d["pool"], cw // d["pool"], d["filters"])
        else:
            d = {"type": kind, "n_out": whole("n_out")}
            if kind == "fc":
                d["activation"] = activation()
            d["dropout"] = dropout()
            flat = True
            shape = (d["n_out"],)
        out.append(d)
    if out[-1]["type"] != "softmax":
        raise ValueError("the last layer must be a softmax layer (log-likelihood cost, as network3.py)")
    if any(d["type"] == "softmax" for d in out[:-1]):
        raise ValueError("only the last layer can be a softmax layer")
    return out


class ConvNet:
    """network3.py's Network: a list of layers, input (m, 784) images, softmax output (m, n_out)."""

    cost = get_cost("log-likelihood")
    output = get_activation("softmax", output=True)

    def __init__(self, spec, *, input_shape=INPUT_SHAPE, rng=None, dtype=np.float32):
        self.spec = validate_spec(spec, input_shape)
        self.input_shape = tuple(int(v) for v in input_shape)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        rng = np.random.default_rng(rng)
        self.layers: list[Layer] = []
        shape = self.input_shape
        for d in self.spec:
            if d["type"] == "conv":
                layer = ConvPoolLayer(d["filters"], shape, size=d["size"], pool=d["pool"],
                                      activation=d["activation"], rng=rng, dtype=self.dtype)
                shape = layer.out_shape
            else:
                n_in = int(np.prod(shape))
                if d["type"] == "fc":
                    layer = FullyConnectedLayer(n_in, d["n_out"], activation=d["activation"],
                                                p_dropout=d["dropout"], rng=rng, dtype=self.dtype)
                else:
                    layer = SoftmaxLayer(n_in, d["n_out"], p_dropout=d["dropout"], rng=rng, dtype=self.dtype)
                shape = (d["n_out"],)
            self.layers.append(layer)
        self.set_mask_rng(rng)

    def set_mask_rng(self, rng: np.random.Generator) -> None:
        """The Generator dropout masks are drawn from (sgd sets its own, so a seed repeats a run)."""
        for layer in self.layers:
            if isinstance(layer, FullyConnectedLayer):
                layer.mask_rng = rng

    # ------------------------------------------------------------------ what other code asks of a network
    @property
    def sizes(self) -> list[int]:
        """Units per layer, input first: [784, 2880, 100, 10] for conv 20 + FC 100 + softmax."""
        return [int(np.prod(self.input_shape))] + [
            int(np.prod(l.out_shape)) if isinstance(l, ConvPoolLayer) else l.n_out for l in self.layers]

    @property
    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params]

    @property
    def weights(self) -> list[np.ndarray]:
        """Every layer's w (conv filters (f, c, k, k); FC and softmax (n_in, n_out))."""
        return [layer.w for layer in self.layers]

    @property
    def num_parameters(self) -> int:
        return sum(p.size for p in self.params)

    def config(self) -> dict:
        return {"layers": [dict(d) for d in self.spec], "input_shape": list(self.input_shape)}

    def describe(self) -> str:
        """One line: conv 20×5×5 pool 2 relu → fc 100 relu → softmax 10."""
        parts = []
        for d in self.spec:
            if d["type"] == "conv":
                parts.append(f"conv {d['filters']}×{d['size']}×{d['size']} pool {d['pool']} {d['activation']}")
            elif d["type"] == "fc":
                parts.append(f"fc {d['n_out']} {d['activation']}" + (f" dropout {d['dropout']:g}" if d["dropout"] else ""))
            else:
                parts.append(f"softmax {d['n_out']}" + (f" dropout {d['dropout']:g}" if d["dropout"] else ""))
        return " → ".join(parts)

    def __repr__(self) -> str:
        return f"ConvNet({self.describe()}, dtype={self.dtype.name})"

    def copy(self, dtype=None) -> "ConvNet":
        """An independent copy (optionally converted to another dtype)."""
        other = ConvNet(self.spec, input_shape=self.input_shape, rng=0, dtype=dtype or self.dtype)
        for a, b in zip(other.params, self.params):
            a[...] = b
        return other

    # ------------------------------------------------------------------ forward
    def _as_images(self, x) -> np.ndarray:
        x = np.asarray(x)
        n_in = int(np.prod(self.input_shape))
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != n_in:
            raise ValueError(f"inputs should have shape (m, {n_in}), got {x.shape}")
        x = x * np.asarray(1 / 255, self.dtype) if x.dtype == np.uint8 else np.ascontiguousarray(x, self.dtype)
        return x.reshape((len(x),) + self.input_shape)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x (m, h, w, c) floats → a^L (m, n_out), in the output layer's buffer (copy it to keep it)."""
        a = x
        for layer in self.layers:
            a = layer.forward(a, train)
        return a

    @np.errstate(all="ignore")  # a diverged network gives NaN; callers check np.isfinite
    def feedforward(self, x, chunk: int = 500) -> np.ndarray:
        """a^L for a batch (m, 784) → (m, n_out), or one example (784,) → (n_out,); test-time dropout."""
        single = np.ndim(x) == 1
        x = np.asarray(x)
        if single:
            x = x[None, :]
        out = np.concatenate([self.forward(self._as_images(x[i:i + chunk])).copy()
                              for i in range(0, len(x), chunk)]) if len(x) else np.zeros((0, self.sizes[-1]), self.dtype)
        return out[0] if single else out

    def predict(self, x) -> np.ndarray:
        """The digit (index of the most active output) for each row of x."""
        return np.argmax(self.feedforward(x), axis=1)

    # ------------------------------------------------------------------ backward
    def backprop(self, x, y) -> list[tuple[np.ndarray, np.ndarray]]:
        """Mean gradient of the log-likelihood over a batch: [(∂C/∂w, ∂C/∂b) per layer], copies.

        x (m, 784), y (m, n_out) one-hot.  Dropout layers draw a mask (or use ``layer.fixed_mask``).
        """
        xi = self._as_images(x)
        y = np.asarray(y, self.dtype)
        self.forward(xi, train=True)
        self._backward(y, 1.0 / len(xi))
        return [(layer.grad_w.copy() if not isinstance(layer, ConvPoolLayer) else layer.grad_w.reshape(
            layer.size, layer.size, layer.in_shape[2], layer.filters).transpose(3, 2, 0, 1).copy(),
            layer.grad_b.copy()) for layer in self.layers]

    def _backward(self, y: np.ndarray, scale: float) -> None:
        layers = self.layers
        g = layers[-1].backward(y, len(layers) > 1, scale)
        for i in range(len(layers) - 2, -1, -1):
            g = layers[i].backward(g, i > 0)  # the first layer never computes ∂C/∂x

    def step(self, x: np.ndarray, y: np.ndarray, eta_over_m: float, decay: float) -> None:
        """One SGD step on a mini-batch x (m, h, w, c), y (m, n_out): forward, backward, update.

        A large mini-batch is fed through in pieces of at most ``MICRO_BATCH`` examples whose gradients
        add up (the gradient is a sum over examples): the same step, with working arrays that stay in
        the CPU's caches (at m = 1000 a single piece would need about 500 MB of buffers).
        """
        m = len(x)
        layers = self.layers
        if m <= MICRO_BATCH:
            a = x
            for layer in layers:
                a = layer.forward(a, True)
            self._backward(y, eta_over_m)
        else:
            bounds = np.linspace(0, m, -(-m // MICRO_BATCH) + 1).astype(int)
            sums = self._grad_sums()
            for i, (s, e) in enumerate(zip(bounds[:-1], bounds[1:])):
                a = x[s:e]
                for layer in layers:
                    a = layer.forward(a, True)
                self._backward(y[s:e], eta_over_m)
                for layer, (gw, gb) in zip(layers, sums):
                    if i == 0:
                        np.copyto(gw, layer.grad_w)
                        np.copyto(gb, layer.grad_b)
                    else:
                        gw += layer.grad_w
                        gb += layer.grad_b
            for layer, (gw, gb) in zip(layers, sums):
                np.copyto(layer.grad_w, gw)
                np.copyto(layer.grad_b, gb)
        for layer in layers:
            layer.update(decay)

    def _grad_sums(self) -> list[tuple[np.ndarray, np.ndarray]]:
        sums = getattr(self, "_sums", None)
        if sums is None:
            sums = self._sums = [(np.empty_like(layer.grad_w), np.empty_like(layer.grad_b)) for layer in self.layers]
        return sums

    def output_gradient(self, x, j: int | None = None):
        """∂a^L_j/∂x for one input x (784,) — the Draw tab's saliency map — in float64.

        Backpropagation with the cost replaced by a^L_j: at the softmax, ∂a^L_j/∂z^L = a^L_j (e_j − a^L),
        then every layer's backward pass down to the input.  Dropout layers act as at test time: a fixed
        "mask" of (1 − p) gives exactly the test-time z = (1 − p)·x·w + b.
        """
        from .saliency import Saliency

        net = self.copy(np.float64)
        xi = net._as_images(np.asarray(x, np.float64).reshape(1, -1))
        for layer in net.layers:
            if isinstance(layer, FullyConnectedLayer) and layer.p_dropout:
                layer.fixed_mask = np.full((1, layer.n_in), 1.0 - layer.p_dropout)
        a = net.forward(xi, train=True)[0].copy()
        if j is None:
            j = int(np.argmax(a))
        if not 0 <= j < a.shape[0]:
            raise ValueError(f"output neuron j must be 0..{a.shape[0] - 1}, got {j}")
        delta = -a[j] * a[None, :]
        delta[0, j] += a[j]  # a_j (e_j − a)
        out = net.layers[-1]
        g = out._backward_delta(delta, out._bufs[1], True)
        for layer in reversed(net.layers[:-1]):
            g = layer.backward(g, True)
        return Saliency(neuron=j, activation=float(a[j]), gradient=np.asarray(g, np.float64).reshape(-1))

    # ------------------------------------------------------------------ cost
    def l2_term(self, lmbda: float, n_train: int, m: int) -> float:
        """network3.py's 0.5·λ·Σ‖w‖² / (n/m), the L2 part of the cost."""
        if not lmbda:
            return 0.0
        return 0.5 * lmbda * sum(float(np.vdot(w, w)) for w in self.weights) / (n_train / m)


# ---------------------------------------------------------------------------------------------- data
class _Source:
    """Training images as floats a chunk at a time: plain (images, labels), or an object with
    ``fill(index, out)`` and ``labels`` (data.expand.ExpandedMnist: the shifts made on the fly)."""

    def __init__(self, data, dtype):
        self.fill_fn = getattr(data, "fill", None)
        if self.fill_fn is not None:
            self.labels = np.asarray(data.labels)
            self.images = None
        else:
            if hasattr(data, "images") and hasattr(data, "labels"):
                images, labels = data.images, data.labels
            else:
                images, labels = data
            self.images, self.labels = np.asarray(images), np.asarray(labels)
            if self.images.ndim != 2 or len(self.images) != len(self.labels):
                raise ValueError(f"data should be images (n, inputs) and labels (n,), got {self.images.shape} "
                                 f"and {self.labels.shape}")
        self.scale = np.asarray(1 / 255 if self.images is not None and self.images.dtype == np.uint8 else 1.0, dtype)

    def __len__(self) -> int:
        return len(self.labels)

    def fill(self, index, out: np.ndarray) -> np.ndarray:
        """Images ``index`` (an index array or slice) as floats in [0, 1] into out (k, inputs)."""
        if self.fill_fn is not None:
            return self.fill_fn(index, out)
        return np.multiply(self.images[index], self.scale, out=out, casting="unsafe")


@np.errstate(all="ignore")
def evaluate(net: ConvNet, data, *, lmbda: float = 0.0, n_train: int | None = None, m: int = 10,
             limit: int | None = None, chunk: int = 500, cancel: Cancel = None) -> Evaluation:
    """Log-likelihood cost (plus network3.py's L2 term when λ > 0) and number correct, in chunks;
    ``cancel()`` is checked before each chunk (``engine.cancel``)."""
    src = data if isinstance(data, _Source) else _Source(data, net.dtype)
    total = min(len(src), limit) if limit else len(src)
    buf = np.empty((chunk, int(np.prod(net.input_shape))), net.dtype)
    correct, cost = 0, 0.0
    for s in range(0, total, chunk):
        check(cancel)
        e = min(total, s + chunk)
        x = src.fill(slice(s, e) if src.images is not None else np.arange(s, e), buf[:e - s])
        a = net.forward(x.reshape((e - s,) + net.input_shape))
        lb = src.labels[s:e].astype(np.intp)
        correct += int(np.count_nonzero(np.argmax(a, axis=1) == lb))
        cost -= float(np.log(np.maximum(a[np.arange(e - s), lb], 1e-30)).sum())
    cost = cost / total if total else float("nan")
    cost += net.l2_term(lmbda, n_train or total, m)
    return Evaluation(cost=cost, correct=correct, total=total)


def _finite(net: ConvNet) -> bool:
    return all(np.isfinite(p).all() for p in net.params)


def blas_threads_for(m: int) -> int | None:
    """One BLAS thread for small mini-batches (waking a second costs more than it saves), else all."""
    return 1 if m < 64 else None


def sgd(net: ConvNet, training_data, config: TrainingConfig, *, rng: np.random.Generator,
        validation_data=None, test_data=None, should_stop: Callable[[], bool] | None = None,
        yield_every: int = 1, train_eval_size: int = 10_000, chunk_size: int = 2000,
        blas_threads: int | None | str = "auto", cancel: Cancel = None,
        ) -> Iterator[BatchRecord | EpochRecord | RunEnd]:
    """Train ``net`` in place with mini-batch SGD; yields records like ``training.sgd``.

    cancel: checked during the epoch-end evaluations, which raise ``engine.cancel.Interrupted`` when it
    returns True (the app closing); ``should_stop`` is checked between mini-batches as in ``training.sgd``.
    training_data: ``(images, labels)`` (uint8 0..255 or floats, one image per row), an object with
    ``.images``/``.labels``, or one with ``fill(index, out)`` and ``.labels`` (expanded data).
    yield_every: a BatchRecord after every that many mini-batches (0: only at epoch ends).
    """
    src = _Source(training_data, net.dtype)
    n = len(src)
    config.validate(n)
    m = config.mini_batch_size
    dt = net.dtype
    n_in = int(np.prod(net.input_shape))
    n_out = net.sizes[-1]
    eye = np.eye(n_out, dtype=dt)
    chunk_size = max(m, (chunk_size // m) * m)
    x_chunk = np.empty((chunk_size, n_in), dt)
    net.set_mask_rng(rng)
    val = _Source(validation_data, dt) if validation_data is not None else None
    test = _Source(test_data, dt) if test_data is not None else None
    batches_per_epoch = -(-n // m)
    judge = EpochJudge(config)  # early stopping and the η schedule, as training.sgd
    eta = judge.eta
    examples_seen, total_seconds, since_yield = 0, 0.0, 0
    threads = BlasThreads(blas_threads_for(m) if blas_threads == "auto" else blas_threads)

    end = judge.end

    def stopped() -> bool:
        return should_stop is not None and should_stop()

    shape = net.input_shape
    try:
        for epoch in range(config.epochs):
            decay = 1.0 - eta * config.lmbda * m / n  # network3.py: λ·Σw²/2 per mini-batch over n/m of them
            perm = rng.permutation(n)
            epoch_seconds, batch = 0.0, 0
            threads.hold()
            t0 = time.perf_counter()
            for c0 in range(0, n, chunk_size):
                idx = perm[c0:c0 + chunk_size]
                k = len(idx)
                xs = src.fill(idx, x_chunk[:k]).reshape((k,) + shape)
                ys = eye[src.labels[idx]]
                for b0 in range(0, k, m):
                    b1 = min(k, b0 + m)
                    mb = b1 - b0
                    net.step(xs[b0:b1], ys[b0:b1], eta / mb, decay)
                    batch += 1
                    examples_seen += mb
                    since_yield += 1
                    if yield_every and since_yield >= yield_every:
                        since_yield = 0
                        threads.release()
                        epoch_seconds += time.perf_counter() - t0
                        yield BatchRecord(epoch, batch, batches_per_epoch, examples_seen, eta,
                                          total_seconds + epoch_seconds)
                        if stopped():
                            yield end("stopped", f"Stopped by the user during epoch {epoch}.", epoch)
                            return
                        threads.hold()
                        t0 = time.perf_counter()
                    elif should_stop is not None and should_stop():
                        threads.release()
                        yield end("stopped", f"Stopped by the user during epoch {epoch}.", epoch)
                        return
            threads.release()
            epoch_seconds += time.perf_counter() - t0
            total_seconds += epoch_seconds
            if not _finite(net):
                yield end("diverged", _diverged_message(eta), epoch)
                return
            train_eval = evaluate(net, src, lmbda=config.lmbda, n_train=n, m=m, limit=train_eval_size, cancel=cancel)
            val_eval = evaluate(net, val, lmbda=config.lmbda, n_train=n, m=m, cancel=cancel) if val else None
            test_eval = evaluate(net, test, cancel=cancel) if test else None
            record = epoch_record(epoch, eta, epoch_seconds, n, train_eval, val_eval, test_eval)
            yield record
            verdict = judge.after_record(record, stopped)  # divergence, early stopping, η schedule, a stop
            eta = judge.eta
            if verdict is not None:
                yield verdict
                return
        yield end("finished", f"Finished {config.epochs} epochs.", config.epochs)
    finally:
        threads.release()


# ---------------------------------------------------------------------------------------------- text form
LAYERS_SYNTAX = """\
Layers, comma-separated, input first:
  convFxK[-poolP]   F filters of K×K, then P×P max-pooling (no -pool: none), e.g. conv20x5-pool2
  fcN               a fully connected layer of N units
  softmaxN          the output layer (last, once), e.g. softmax10
Any conv or fc layer takes -sigmoid, -tanh or -relu (else --activation); fc and softmax layers take
-dropP, e.g. fc1000-drop0.5 (else --dropout)."""


def parse_layers(text: str, activation: str = "sigmoid", dropout: float = 0.0) -> list[dict]:
    """``conv20x5-pool2,conv40x5-pool2,fc100,softmax10`` → a layer spec (not yet checked against an
    input size: ``validate_spec`` does that).  ValueError with the syntax for anything else."""
    import re

    spec = []
    for token in [t.strip() for t in str(text).split(",") if t.strip()]:
        head, *opts = token.lower().split("-")
        if mt := re.fullmatch(r"conv(\d+)x(\d+)", head):
            d = {"type": "conv", "filters": int(mt[1]), "size": int(mt[2]), "pool": 1, "activation": activation}
        elif mt := re.fullmatch(r"(fc|softmax)(\d+)", head):
            d = {"type": mt[1], "n_out": int(mt[2])}
            if mt[1] == "fc":
                d["activation"] = activation
            d["dropout"] = dropout
        else:
            raise ValueError(f"--layers: cannot read {token!r}.\n{LAYERS_SYNTAX}")
        for opt in opts:
            if (mp := re.fullmatch(r"pool(\d+)", opt)) and d["type"] == "conv":
                d["pool"] = int(mp[1])
            elif opt in ACTIVATIONS and d["type"] != "softmax":
                d["activation"] = opt
            elif (mp := re.fullmatch(r"drop(0?\.\d+|0)", opt)) and d["type"] != "conv":
                d["dropout"] = float(mp[1])
            else:
                raise ValueError(f"--layers: cannot read {opt!r} in {token!r}.\n{LAYERS_SYNTAX}")
        spec.append(d)
    if not spec:
        raise ValueError(f"--layers: no layers given.\n{LAYERS_SYNTAX}")
    return spec


def spec_sizes(spec, input_shape=INPUT_SHAPE) -> list[int]:
    """Units per layer, input first, without building the network: [784, 2880, 100, 10]."""
    spec = validate_spec(spec, input_shape)
    sizes, shape = [int(np.prod(input_shape))], tuple(input_shape)
    for d in spec:
        if d["type"] == "conv":
            shape = ((shape[0] - d["size"] + 1) // d["pool"], (shape[1] - d["size"] + 1) // d["pool"], d["filters"])
        else:
            shape = (d["n_out"],)
        sizes.append(int(np.prod(shape)))
    return sizes
