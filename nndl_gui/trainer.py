"""Train a network on MNIST from the command line, the way the book's network.py / network2.py do.

    python -m nndl_gui train --preset ch1-30            # chapter 1: [784,30,10], quadratic, η=3.0
    nndl-gui-train --sizes 784,100,10 --cost cross-entropy --eta 0.5 --lmbda 5 --save net.npz
    nndl-gui-train --preset ch3-l2-100 --epochs 5 --json > run.jsonl

It prints the book's line for each epoch ("Epoch 0: 9129 / 10000", correct test images) and a short line
with costs and validation accuracy, then the best accuracy next to the figure the book reports for the
preset.  ``--json`` prints one JSON object per epoch on stdout instead (messages go to stderr) and a last
``{"event": "end", ...}`` object.  Explicit flags override a preset's values.

Exit codes: 0 done (also when training diverged without ``--save``: that is a result, e.g. the η=100
preset), 1 training diverged with ``--save`` (nothing is saved: the file already there is left as it was)
or the memory ran out, 2 bad input (one line "nndl-gui train: error: ..." on stderr), 130 interrupted with
Ctrl+C (nothing is saved).  Everything that can be checked is checked before the data loads: the flags,
the network's size (the same parameter limit as for saving and loading) and the ``--save`` destination
(a test file is created and removed there).  Output on stdout never decides the run: when stdout closes
(``train ... | head -1``) the run goes on silently, saves, and exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .presets import ALL_PRESETS, MNIST_INPUTS, MNIST_OUTPUTS, Preset, get_preset

PROG = "nndl-gui train"

# Without --preset the trainer starts from chapter 1's network.py run.
DEFAULTS = Preset(
    name="",
    title="custom",
    chapter=1,
    sizes=(784, 30, 10),
    activation="sigmoid",
    output="sigmoid",
    cost="quadratic",
    init="large",
    eta=3.0,
    mini_batch_size=10,
    epochs=30,
)

TIMING_KEYS = ("train_seconds", "examples_per_second", "total_train_seconds", "wall_seconds")
MAX_LMBDA = 1e6  # the book uses λ from 0.1 to 5 (with n = 50,000); far beyond that is a typo


class UsageError(Exception):
    """A bad command line; main() prints it as one line and returns 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print the usage and exit; we want one line and code 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Train a fully connected network on MNIST with mini-batch SGD, as in the book "
                    "(http://neuralnetworksanddeeplearning.com/). Explicit flags override --preset.",
    )
    p.add_argument("--preset", metavar="NAME", help="start from one of the book's experiments (see --list-presets)")
    p.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    p.add_argument("--sizes", metavar="784,30,10", help="layer sizes, input first (784) and output last (10)")
    p.add_argument("--cost", choices=["quadratic", "cross-entropy", "log-likelihood"])
    p.add_argument("--activation", choices=["sigmoid", "tanh", "relu"], help="hidden-layer activation")
    p.add_argument("--output", choices=["sigmoid", "softmax"], help="output-layer activation")
    p.add_argument("--eta", type=float, metavar="η", help="learning rate η")
    p.add_argument("--mini-batch", type=int, metavar="m", dest="mini_batch_size", help="mini-batch size m")
    p.add_argument("--epochs", type=int)
    p.add_argument("--lmbda", type=float, metavar="λ", help="L2 regularization parameter λ")
    p.add_argument("--l1", type=float, metavar="λ₁", help="L1 regularization parameter λ₁ (chapter 3)")
    p.add_argument("--momentum", type=float, metavar="μ", help="momentum-based gradient descent with μ (chapter 3)")
    p.add_argument("--dropout", "--dropout-fc", type=float, metavar="p", dest="dropout",
                   help="dropout p while training: each hidden unit (chapter 3, fully connected), or the inputs "
                        "of the fc and softmax layers (chapter 6, --layers); default 0")
    p.add_argument("--init", choices=["large", "default"],
                   help="large: N(0,1) weights (chapter 1); default: N(0,1/n_in) weights (chapter 3)")
    p.add_argument("--seed", type=int, default=0, help="seed for the initial weights and the shuffling (default 0)")
    p.add_argument("--limit", type=int, metavar="N", help="train on the first N training images only")
    p.add_argument("--early-stopping", type=int, metavar="N", dest="early_stopping_n",
                   help="stop after N epochs without a better validation accuracy (0: off)")
    p.add_argument("--schedule", action=argparse.BooleanOptionalAction, default=None,
                   help="halve η after each N epochs without improvement, stop at η₀/128 (needs --early-stopping)")
    p.add_argument("--data", metavar="DIR", help="folder with the four MNIST IDX files (default: NNDL_DATA_DIR, "
                                                  "the download cache, else the shipped sample)")
    p.add_argument("--save", metavar="PATH", help="save the trained network (.npz, or .json as network2.py)")
    p.add_argument("--json", action="store_true", help="one JSON object per epoch on stdout")
    p.add_argument("--float64", action="store_true", help="compute in float64 (default float32)")
    # Chapter 6 (conv_train.py): networks of layers, as network3.py.
    p.add_argument("--layers", metavar="SPEC", help="a chapter-6 network of layers, e.g. "
                   "conv20x5-pool2,conv40x5-pool2,fc100,softmax10 (convFxK[-poolP], fcN, softmaxN; suffixes "
                   "-relu/-tanh/-sigmoid and -dropP per layer; without --preset the rest defaults to ch6-conv's)")
    p.add_argument("--expanded", action=argparse.BooleanOptionalAction, default=None,
                   help="chapter 6: train on the 250,000 1-pixel-shift expanded images")
    p.add_argument("--ensemble", type=int, metavar="N", help="chapter 6: train N networks (seeds seed, seed+1, "
                   "...) and report their majority vote")
    return p


# ---------------------------------------------------------------------------------------------- settings
def parse_sizes(text: str) -> tuple[int, ...]:
    parts = [s.strip() for s in text.replace(" ", ",").split(",") if s.strip()]
    if not parts:
        raise ValueError(f"--sizes needs layer sizes such as 784,30,10, got {text!r}")
    try:
        return tuple(int(s) for s in parts)
    except ValueError:
        raise ValueError(f"--sizes must be whole numbers separated by commas, got {text!r}") from None


def resolve_settings(args: argparse.Namespace) -> Preset:
    """The preset (or the chapter-1 defaults) with every explicitly given flag applied, validated."""
    base = get_preset(args.preset) if args.preset else get_preset("ch6-conv") if args.layers else DEFAULTS
    early = args.early_stopping_n
    changes = {
        "sizes": parse_sizes(args.sizes) if args.sizes is not None else None,
        "cost": args.cost,
        "activation": args.activation,
        "output": args.output,
        "eta": args.eta,
        "mini_batch_size": args.mini_batch_size,
        "epochs": args.epochs,
        "lmbda": args.lmbda,
        "init": args.init,
        "limit": args.limit,
        "schedule": args.schedule,
        "l1": args.l1,
        "momentum": args.momentum,
        "dropout": args.dropout,
        "layers": args.layers, "expanded": args.expanded, "ensemble": args.ensemble,
    }
    if not (base.layers or args.layers) and any(v is not None for v in (args.expanded, args.ensemble)):
        raise ValueError("--expanded and --ensemble need a chapter-6 network (--layers or a ch6 preset)")
    settings = base.with_overrides(**changes)
    if settings.layers:  # chapter 6: the layer engine (conv_train.py)
        from .conv_train import resolve_layers

        settings = resolve_layers(settings, args)
    if early is not None:
        if early < 0:
            raise ValueError(f"--early-stopping must be 0 (off) or a number of epochs, got {early}")
        settings = replace(settings, early_stopping_n=early or None)
        if early == 0 and args.schedule is None:
            settings = replace(settings, schedule=False)
    if args.eta is not None and not (math.isfinite(args.eta) and args.eta > 0):
        raise ValueError(f"learning rate η must be a positive number, got --eta {args.eta:g}")
    if args.mini_batch_size is not None and args.mini_batch_size < 1:
        raise ValueError(f"mini-batch size m must be at least 1, got --mini-batch {args.mini_batch_size}")
    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be at least 1 training image, got {args.limit}")
    if args.seed < 0:
        raise ValueError(f"--seed must be a whole number 0 or more, got --seed {args.seed}")
    if args.lmbda is not None and math.isfinite(args.lmbda) and args.lmbda > MAX_LMBDA:
        raise ValueError(f"regularization λ={args.lmbda:g} is absurdly large (the book uses 0.1 to 5; "
                         f"limit {MAX_LMBDA:g}), got --lmbda {args.lmbda:g}")
    sizes = settings.sizes
    from .engine.network import validate_sizes

    validate_sizes(sizes)
    check_network_size(sizes, np.float64 if getattr(args, "float64", False) else np.float32)
    if sizes[0] != MNIST_INPUTS or sizes[-1] != MNIST_OUTPUTS:
        raise ValueError(f"MNIST networks need {MNIST_INPUTS} inputs and {MNIST_OUTPUTS} outputs: sizes must look "
                         f"like 784,30,10, got {','.join(map(str, sizes))}")
    # Checks the remaining values (η, m, λ, epochs, early stopping) and the activation/cost names.
    settings.training_config().validate()
    from .engine.activations import get_activation
    from .engine.costs import get_cost

    get_activation(settings.activation)
    get_activation(settings.output, output=True)
    get_cost(settings.cost)
    return settings


def check_network_size(sizes, dtype) -> None:
    """Refuse, before anything is allocated, a network over the parameter limit; the message gives memory."""
    from .engine.io import MAX_PARAMETERS, parameter_count

    n = parameter_count(sizes)
    if n > MAX_PARAMETERS:
        # weights, their gradient and a copy for the best epoch, at least
        need = 3 * n * np.dtype(dtype).itemsize
        raise ValueError(f"sizes {','.join(map(str, sizes))} give {n:,} weights and biases, about "
                         f"{need / 2**30:,.1f} GiB of memory to train; the limit is {MAX_PARAMETERS:,} "
                         "parameters (the most the app saves and loads)")


def check_save_path(path: str, settings: Preset | None = None) -> Path:
    """Refuse a bad --save before training rather than after: suffix, size limit, a writable destination."""
    from .engine.files import UnsafeFileError, check_writable
    from .engine.io import save_problem

    p = Path(path).expanduser()
    if p.suffix.lower() not in (".npz", ".json"):
        raise ValueError(f"--save needs a .npz or .json file name, got {path!r}")
    if settings is not None:
        problem = save_problem(settings.sizes, p)
        if problem:
            raise ValueError(f"--save {path}: {problem}")
    try:
        check_writable(p)
    except UnsafeFileError as exc:
        raise ValueError(f"--save: {exc}") from None
    except OSError as exc:
        raise ValueError(f"--save {path}: {exc.strerror or exc}") from None
    return p


def book_json_note(settings: Preset, path: Path) -> str | None:
    """A note when ``path`` is JSON the book's network2.py would misread or fail on, else None."""
    if path.suffix.lower() != ".json":
        return None
    from .engine.io import book_compatibility
    from .engine.network import Network

    probe = Network([1] * len(settings.sizes), activation=settings.activation, output=settings.output,
                    cost=settings.cost, rng=0)
    why = book_compatibility(probe)
    if why is None:
        return None
    return (f"note: --save {path}: {why}; this app reads it back, but use .npz (the app's own format) "
            "to share it without that surprise")


# ---------------------------------------------------------------------------------------------- output
def _num(x):
    """A JSON-safe number: NaN and infinities become null."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def epoch_json(rec) -> dict:
    return {
        "event": "epoch",
        "epoch": rec.epoch,
        "eta": _num(rec.eta),
        "train_seconds": _num(rec.train_seconds),
        "examples_per_second": _num(rec.examples_per_second),
        "training_cost": _num(rec.training_cost),
        "training_accuracy": _num(rec.training_accuracy),
        "validation_cost": _num(rec.validation_cost),
        "validation_accuracy": _num(rec.validation_accuracy),
        "validation_correct": rec.validation_correct,
        "test_accuracy": _num(rec.test_accuracy),
        "test_correct": rec.test_correct,
        "test_total": rec.test_total,
        "test_cost": _num(rec.test_cost),
    }


def list_presets(out, as_json: bool) -> None:
    for p in ALL_PRESETS.values():
        if as_json:
            row = {k: getattr(p, k) for k in p.__dataclass_fields__}
            row["sizes"] = list(p.sizes)
            print(json.dumps(row), file=out)
        else:
            print(f"{p.name:20s} {p.title}\n{'':20s} book: {p.book_result}", file=out)


def _err(msg: str) -> None:
    try:
        print(msg, file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):  # nobody reads stderr either: the run goes on
        pass


class _Stdout:
    """Prints lines on stdout until nobody reads them; then stays silent and lets the run go on."""

    def __init__(self):
        self.closed = False

    def __call__(self, text: str = "") -> None:
        if self.closed:
            return
        try:
            print(text, flush=True)
        except BrokenPipeError:
            self.closed = True
            silence_stdout()


def silence_stdout() -> None:
    """Point stdout at the null device, so that neither later prints nor exit's flush raise BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        sys.stdout = open(os.devnull, "w")


# ---------------------------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    if args.list_presets:
        list_presets(sys.stdout, args.json)
        return 0
    settings = resolve_settings(args)
    if settings.layers:  # chapter 6: the layer engine
        from .conv_train import run_layers

        return run_layers(args, settings, check_save_path(args.save) if args.save else None)
    save_path = check_save_path(args.save, settings) if args.save else None
    note = book_json_note(settings, save_path) if save_path else None
    if note:
        _err(note)
    out = _Stdout()

    from .data.mnist import load_mnist
    from .engine.network import Network
    from .engine.training import EpochRecord, RunEnd, sgd

    mnist = load_mnist(args.data)
    training = mnist.training
    _err(f"data: {mnist.source} ({len(mnist.training):,} training, {len(mnist.validation):,} validation, "
         f"{len(mnist.test):,} test images)")
    if mnist.is_sample:
        _err("note: this is the small offline sample, not full MNIST; accuracies will be lower than the book's "
             "(set NNDL_DATA_DIR or use --data)")
    if settings.limit is not None:
        if settings.limit > len(training):
            _err(f"note: --limit {settings.limit} is more than the {len(training)} training images; using all")
        training = training.subset(settings.limit)
    config = settings.training_config().validate(len(training))
    decay = 1 - settings.eta * settings.lmbda / len(training)
    if decay <= -1:
        raise ValueError(f"regularization λ={settings.lmbda:g} is too large for η={settings.eta:g} and "
                         f"n={len(training):,} training images: the weight decay factor 1 − ηλ/n = {decay:.3g} "
                         "makes the weights grow at every step (the book uses λ from 0.1 to 5)")
    if mnist.training.images.shape[1] != settings.sizes[0]:
        raise ValueError(f"the images have {mnist.training.images.shape[1]} pixels but sizes start with {settings.sizes[0]}")

    rng = np.random.default_rng(args.seed)
    dtype = np.float64 if args.float64 else np.float32
    net = Network(settings.sizes, activation=settings.activation, output=settings.output, cost=settings.cost,
                  init=settings.init, rng=rng, dtype=dtype)
    if settings.dropout:
        from .engine.training import dropout_test_weights

        dropout_test_weights(net, settings.dropout)  # the book's initial W, held as test-time weights
    label = settings.name or "custom"
    _err(f"training {label}: sizes {list(settings.sizes)}, {settings.activation}/{settings.output}, "
         f"{settings.cost} cost, {settings.init} init, η={settings.eta:g}, m={config.mini_batch_size}, "
         f"λ={settings.lmbda:g}, {config.epochs} epochs, {len(training):,} training images, seed {args.seed}, "
         f"{np.dtype(dtype).name}")

    best_test = best_val = None  # (accuracy, epoch)
    total_train = 0.0
    end = None
    t_start = time.perf_counter()
    for rec in sgd(net, training, config, rng=rng, validation_data=mnist.validation, test_data=mnist.test,
                   yield_every=0):
        if isinstance(rec, EpochRecord):
            total_train += rec.train_seconds
            if rec.test_accuracy is not None and (best_test is None or rec.test_accuracy > best_test[0]):
                best_test = (rec.test_accuracy, rec.epoch)
            if rec.validation_accuracy is not None and (best_val is None or rec.validation_accuracy > best_val[0]):
                best_val = (rec.validation_accuracy, rec.epoch)
            if args.json:
                out(json.dumps(epoch_json(rec)))
            else:
                out(f"Epoch {rec.epoch}: {rec.test_correct} / {rec.test_total}")
                val = "" if rec.validation_accuracy is None else (
                    f", validation {_pct(rec.validation_accuracy)} (cost {rec.validation_cost:.4f})")
                out(f"  training cost {rec.training_cost:.4f}, training {_pct(rec.training_accuracy)}{val}, "
                    f"η={rec.eta:g}, {rec.train_seconds:.2f} s ({rec.examples_per_second:,.0f} images/s)")
        elif isinstance(rec, RunEnd):
            end = rec

    saved = None
    code = 0
    if save_path is not None:
        from .engine.io import save_network

        if end is not None and end.reason == "diverged":
            _err(f"{PROG}: training diverged: nothing saved, {save_path} "
                 f"{'left as it was' if save_path.exists() else 'not written'}")
            code = 1
        else:
            saved = str(save_network(net, save_path, allow_incompatible=True))
            _err(f"saved the network to {saved}")

    book = None
    if settings.name:
        book = {"preset": settings.name, "book_result": settings.book_result,
                "book_accuracy": settings.book_accuracy, "book_metric": settings.book_metric, "url": settings.url}
    if args.json:
        summary = {
            "event": "end",
            "reason": end.reason if end else None,
            "message": end.message if end else None,
            "epochs_done": end.epochs_done if end else None,
            "best_test_accuracy": _num(best_test[0]) if best_test else None,
            "best_test_epoch": best_test[1] if best_test else None,
            "best_validation_accuracy": _num(best_val[0]) if best_val else None,
            "best_validation_epoch": best_val[1] if best_val else None,
            "total_train_seconds": _num(total_train),
            "wall_seconds": _num(time.perf_counter() - t_start),
            "seed": args.seed,
            "settings": {"sizes": list(settings.sizes), "activation": settings.activation,
                         "output": settings.output, "cost": settings.cost, "init": settings.init,
                         "eta": settings.eta, "mini_batch_size": config.mini_batch_size, "epochs": config.epochs,
                         "lmbda": settings.lmbda, "limit": settings.limit,
                         "early_stopping_n": config.early_stopping_n, "schedule": config.schedule,
                         "l1": config.l1, "momentum": config.momentum, "dropout": config.dropout,
                         "dtype": np.dtype(dtype).name},
            "data_source": mnist.source,
            "is_sample": mnist.is_sample,
            "book": book,
            "saved": saved,
        }
        out(json.dumps(summary))
    else:
        if end is not None:
            out(end.message)
        if best_test:
            out(f"Best test accuracy: {best_test[0]:.2%} (epoch {best_test[1]})"
                + (f"; best validation accuracy: {best_val[0]:.2%} (epoch {best_val[1]})" if best_val else ""))
        out(f"Training time: {total_train:.1f} s ({total_train / max(1, end.epochs_done if end else 1):.2f} s/epoch)")
        if book:
            out(f"The book ({settings.name}, {settings.url}): {settings.book_result}")
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``nndl-gui-train`` and ``python -m nndl_gui train``; returns the exit code."""
    from .data.idx import IdxError

    # Overflow on the way to a diverged run is reported once, as the run's end, not as NumPy warnings.
    old_err = np.seterr(over="ignore", invalid="ignore")
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        return run(args)
    except KeyboardInterrupt:
        _err(f"{PROG}: interrupted; nothing was saved")
        return 130
    except BrokenPipeError:  # e.g. --list-presets piped into `head`
        silence_stdout()
        return 0
    except MemoryError as exc:
        detail = f" ({' '.join(str(exc).split())})" if str(exc) else ""
        _err(f"{PROG}: error: out of memory{detail}; try a smaller network, --limit or without --float64")
        return 1
    except (UsageError, ValueError, IdxError, FileNotFoundError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        _err(f"{PROG}: error: {message}")
        return 2
    finally:
        np.seterr(**old_err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
