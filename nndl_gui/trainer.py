"""Train a network on MNIST from the command line, the way the book's network.py / network2.py do.

    python -m nndl_gui train --preset ch1-30            # chapter 1: [784,30,10], quadratic, η=3.0
    nndl-gui-train --sizes 784,100,10 --cost cross-entropy --eta 0.5 --lmbda 5 --save net.npz
    nndl-gui-train --preset ch3-l2-100 --epochs 5 --json > run.jsonl

It prints the book's line for each epoch ("Epoch 0: 9129 / 10000", correct test images) and a short line
with costs and validation accuracy, then the best accuracy next to the figure the book reports for the
preset.  ``--json`` prints one JSON object per epoch on stdout instead (messages go to stderr) and a last
``{"event": "end", ...}`` object.  Explicit flags override a preset's values.

Exit codes: 0 done (also when training diverged: that is a result, e.g. the η=100 preset), 2 bad input
(one line "nndl-gui train: error: ..." on stderr), 130 interrupted with Ctrl+C (nothing is saved).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .presets import ALL_PRESETS, MNIST_INPUTS, MNIST_OUTPUTS, PRESETS, Preset, get_preset

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
    p.add_argument("--dropout", type=float, metavar="p", help="chapter 6: dropout probability of the fc and "
                   "softmax layers' inputs while training (default 0)")
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
        "layers": args.layers, "dropout": args.dropout, "expanded": args.expanded, "ensemble": args.ensemble,
    }
    if not (base.layers or args.layers) and any(v is not None for v in (args.dropout, args.expanded, args.ensemble)):
        raise ValueError("--dropout, --expanded and --ensemble need a chapter-6 network (--layers or a ch6 preset)")
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
    sizes = settings.sizes
    from .engine.network import validate_sizes

    validate_sizes(sizes)
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


def check_save_path(path: str) -> Path:
    """Refuse a bad --save before training rather than after."""
    p = Path(path).expanduser()
    if p.suffix.lower() not in (".npz", ".json"):
        raise ValueError(f"--save needs a .npz or .json file name, got {path!r}")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"--save: the folder {parent} does not exist")
    if p.is_dir():
        raise ValueError(f"--save: {p} is a folder")
    return p


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
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    if args.list_presets:
        list_presets(sys.stdout, args.json)
        return 0
    settings = resolve_settings(args)
    save_path = check_save_path(args.save) if args.save else None
    if settings.layers:
        from .conv_train import run_layers

        return run_layers(args, settings, save_path)

    from .data.mnist import load_mnist
    from .engine.network import Network
    from .engine.training import EpochRecord, RunEnd, sgd

    mnist = load_mnist(args.data)
    training = mnist.training
    _err(f"data: {mnist.source}")
    if mnist.is_sample:
        _err("note: this is the small offline sample, not full MNIST; accuracies will be lower than the book's "
             "(set NNDL_DATA_DIR or use --data)")
    if settings.limit is not None:
        if settings.limit > len(training):
            _err(f"note: --limit {settings.limit} is more than the {len(training)} training images; using all")
        training = training.subset(settings.limit)
    config = settings.training_config().validate(len(training))
    if mnist.training.images.shape[1] != settings.sizes[0]:
        raise ValueError(f"the images have {mnist.training.images.shape[1]} pixels but sizes start with {settings.sizes[0]}")

    rng = np.random.default_rng(args.seed)
    dtype = np.float64 if args.float64 else np.float32
    net = Network(settings.sizes, activation=settings.activation, output=settings.output, cost=settings.cost,
                  init=settings.init, rng=rng, dtype=dtype)
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
                print(json.dumps(epoch_json(rec)), flush=True)
            else:
                print(f"Epoch {rec.epoch}: {rec.test_correct} / {rec.test_total}", flush=True)
                val = "" if rec.validation_accuracy is None else (
                    f", validation {_pct(rec.validation_accuracy)} (cost {rec.validation_cost:.4f})")
                print(f"  training cost {rec.training_cost:.4f}, training {_pct(rec.training_accuracy)}{val}, "
                      f"η={rec.eta:g}, {rec.train_seconds:.2f} s ({rec.examples_per_second:,.0f} images/s)",
                      flush=True)
        elif isinstance(rec, RunEnd):
            end = rec

    saved = None
    if save_path is not None:
        from .engine.io import save_network

        saved = str(save_network(net, save_path))
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
                         "dtype": np.dtype(dtype).name},
            "data_source": mnist.source,
            "is_sample": mnist.is_sample,
            "book": book,
            "saved": saved,
        }
        print(json.dumps(summary), flush=True)
    else:
        if end is not None:
            print(end.message)
        if best_test:
            print(f"Best test accuracy: {best_test[0]:.2%} (epoch {best_test[1]})"
                  + (f"; best validation accuracy: {best_val[0]:.2%} (epoch {best_val[1]})" if best_val else ""))
        print(f"Training time: {total_train:.1f} s ({total_train / max(1, end.epochs_done if end else 1):.2f} s/epoch)")
        if book:
            print(f"The book ({settings.name}, {settings.url}): {settings.book_result}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``nndl-gui-train`` and ``python -m nndl_gui train``; returns the exit code."""
    from .data.idx import IdxError

    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        return run(args)
    except KeyboardInterrupt:
        _err(f"{PROG}: interrupted; nothing was saved")
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except (UsageError, ValueError, IdxError, FileNotFoundError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        _err(f"{PROG}: error: {message}")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
