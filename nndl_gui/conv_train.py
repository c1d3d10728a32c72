"""The trainer's chapter-6 path: networks made of layers (``--layers`` or a ch6 preset), as network3.py.

``python -m nndl_gui train --preset ch6-dbl-conv-relu --epochs 1`` comes here from ``trainer.run``.  It
prints what the chapter 1-5 trainer prints (the book's "Epoch 0: 9890 / 10000" line, or one ``--json``
object per epoch and a last ``{"event": "end"}``), and like network3.py it reports the **test accuracy at
the epoch of best validation accuracy**.  Within an epoch (seconds, not milliseconds, here) it shows
progress on stderr when stderr is a terminal; stdout stays clean for ``--json``.

``--save`` writes the network of the best validation epoch so far, after every improvement: a run cut
short still leaves its best network.  ``--ensemble N`` (preset ch6-ensemble) trains N networks with seeds
seed, seed+1, ... (saved as NAME-0.npz, NAME-1.npz, ...) and reports their majority vote.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .presets import Preset


def resolve_layers(settings: Preset, args) -> Preset:
    """The layer spec checked against 28×28 MNIST images; sizes, cost and output follow from it."""
    from .engine.convnet import spec_sizes

    if getattr(args, "sizes", None) is not None:
        raise ValueError("--sizes describes a fully connected network; a chapter-6 network takes --layers")
    if getattr(args, "cost", None) not in (None, "log-likelihood") or getattr(args, "output", None) not in (None, "softmax"):
        raise ValueError("chapter-6 networks end in a softmax layer with the log-likelihood cost (network3.py)")
    if settings.ensemble < 0 or settings.ensemble > 20:
        raise ValueError(f"--ensemble must be from 1 to 20 networks, got {settings.ensemble}")
    spec = settings.layer_spec()
    return replace(settings, sizes=tuple(spec_sizes(spec)), output="softmax", cost="log-likelihood")


_last_progress = [0.0]


def _progress(epoch: int, rec) -> None:
    """One overwritten stderr line, at most four times a second."""
    now = time.monotonic()
    if now - _last_progress[0] < 0.25 and rec.batch < rec.batches_per_epoch:
        return
    _last_progress[0] = now
    sys.stderr.write(f"\r  epoch {epoch}: {rec.batch / rec.batches_per_epoch:4.0%} "
                     f"({rec.batch:,} / {rec.batches_per_epoch:,} mini-batches, {rec.train_seconds:,.0f} s)")
    sys.stderr.flush()


def _member_path(save_path: Path | None, i: int, members: int) -> Path | None:
    if save_path is None or members == 1:
        return save_path
    return save_path.with_name(f"{save_path.stem}-{i}{save_path.suffix}")


def run_layers(args, settings: Preset, save_path: Path | None) -> int:
    from .data.expand import ExpandedMnist
    from .data.mnist import load_mnist
    from .engine.convnet import ConvNet
    from .engine.convnet_io import save_convnet
    from .engine.ensemble import vote
    from .engine.training import BatchRecord, EpochRecord, RunEnd
    from .engine.convnet import sgd
    from .trainer import _err, _num, _pct, epoch_json

    mnist = load_mnist(args.data)
    training = mnist.training
    _err(f"data: {mnist.source}")
    if mnist.is_sample:
        _err("note: this is the small offline sample, not full MNIST; accuracies will be lower than the book's "
             "(set NNDL_DATA_DIR or use --data)")
    if settings.limit is not None:
        training = training.subset(settings.limit)
    train_data = ExpandedMnist(training.images, training.labels) if settings.expanded else training
    config = settings.training_config().validate(len(train_data))
    spec = settings.layer_spec()
    dtype = np.float64 if args.float64 else np.float32
    members = max(1, settings.ensemble)
    label = settings.name or "custom"
    tty = sys.stderr.isatty()
    nets, results = [], []
    t_start = time.perf_counter()
    for i in range(members):
        seed = args.seed + i
        rng = np.random.default_rng(seed)
        net = ConvNet(spec, rng=rng, dtype=dtype)
        _err(f"training {label}{f' (network {i + 1} of {members})' if members > 1 else ''}: {net.describe()}; "
             f"η={settings.eta:g}, m={config.mini_batch_size}, λ={settings.lmbda:g}, {config.epochs} epochs, "
             f"{len(train_data):,} training images{' (expanded)' if settings.expanded else ''}, seed {seed}, "
             f"{np.dtype(dtype).name}")
        path = _member_path(save_path, i, members)
        best = None  # (validation accuracy, epoch, test accuracy, test correct)
        best_test = None
        total_train, end, saved = 0.0, None, None
        batches = -(-len(train_data) // config.mini_batch_size)
        for rec in sgd(net, train_data, config, rng=rng, validation_data=mnist.validation, test_data=mnist.test,
                       yield_every=max(1, batches // 200) if tty else 0):
            if isinstance(rec, BatchRecord):
                _progress(rec.epoch, rec)
                continue
            if tty:
                sys.stderr.write("\r\033[K")
            if isinstance(rec, EpochRecord):
                total_train += rec.train_seconds
                if rec.test_accuracy is not None and (best_test is None or rec.test_accuracy > best_test[0]):
                    best_test = (rec.test_accuracy, rec.epoch)
                if rec.validation_accuracy is not None and (best is None or rec.validation_accuracy > best[0]):
                    best = (rec.validation_accuracy, rec.epoch, rec.test_accuracy, rec.test_correct)
                    if path is not None:
                        saved = str(save_convnet(net, path))
                if args.json:
                    row = epoch_json(rec)
                    if members > 1:
                        row["member"] = i
                    print(json.dumps(row), flush=True)
                else:
                    print(f"Epoch {rec.epoch}: {rec.test_correct} / {rec.test_total}", flush=True)
                    print(f"  training cost {rec.training_cost:.4f} (first 10,000 images), validation "
                          f"{_pct(rec.validation_accuracy)} (cost {rec.validation_cost:.4f}), η={rec.eta:g}, "
                          f"{rec.train_seconds:.1f} s ({rec.examples_per_second:,.0f} images/s)", flush=True)
            elif isinstance(rec, RunEnd):
                end = rec
        if saved:
            _err(f"saved the network of the best validation epoch ({best[1]}) to {saved}")
        nets.append(net if path is None else _reload(path, net))
        results.append({"seed": seed, "reason": end.reason if end else None, "epochs_done": end.epochs_done if end else None,
                        "best_validation_accuracy": _num(best[0]) if best else None,
                        "best_validation_epoch": best[1] if best else None,
                        "test_accuracy_at_best_validation": _num(best[2]) if best else None,
                        "test_correct_at_best_validation": best[3] if best else None,
                        "best_test_accuracy": _num(best_test[0]) if best_test else None,
                        "best_test_epoch": best_test[1] if best_test else None,
                        "total_train_seconds": _num(total_train), "saved": saved,
                        "message": end.message if end else None})
    ensemble = vote(nets, mnist.test.images, mnist.test.labels).summary() if members > 1 else None
    book = None
    if settings.name:
        book = {"preset": settings.name, "book_result": settings.book_result,
                "book_accuracy": settings.book_accuracy, "book_metric": settings.book_metric, "url": settings.url}
    first = results[0]
    if args.json:
        summary = {"event": "end", "reason": first["reason"], "message": first["message"],
                   "epochs_done": first["epochs_done"],
                   **{k: first[k] for k in ("best_test_accuracy", "best_test_epoch", "best_validation_accuracy",
                                            "best_validation_epoch", "test_accuracy_at_best_validation",
                                            "test_correct_at_best_validation", "total_train_seconds")},
                   "wall_seconds": _num(time.perf_counter() - t_start), "seed": args.seed,
                   "settings": {"layers": spec, "eta": settings.eta, "mini_batch_size": config.mini_batch_size,
                                "epochs": config.epochs, "lmbda": settings.lmbda, "limit": settings.limit,
                                "expanded": settings.expanded, "ensemble": members,
                                "early_stopping_n": config.early_stopping_n, "schedule": config.schedule,
                                "dtype": np.dtype(dtype).name},
                   "members": results if members > 1 else None, "ensemble": ensemble,
                   "data_source": mnist.source, "is_sample": mnist.is_sample, "book": book,
                   "saved": [r["saved"] for r in results] if members > 1 else first["saved"]}
        print(json.dumps(summary), flush=True)
    else:
        for r in results:
            if r["message"]:
                print(r["message"])
            if r["best_validation_accuracy"] is not None:
                print(f"Best validation accuracy {_pct(r['best_validation_accuracy'])} at epoch "
                      f"{r['best_validation_epoch']}; test accuracy there: {_pct(r['test_accuracy_at_best_validation'])}"
                      f" (as network3.py reports)")
            print(f"Training time: {r['total_train_seconds']:.1f} s "
                  f"({r['total_train_seconds'] / max(1, r['epochs_done'] or 1):.1f} s/epoch)")
        if ensemble:
            print(f"Ensemble of {members}: majority vote {ensemble['correct']:,} / {ensemble['total']:,} test images "
                  f"({_pct(ensemble['accuracy'])}); members "
                  + ", ".join(_pct(a) for a in ensemble["member_accuracies"])
                  + f"; they disagree on {ensemble['disagreements']} images")
        if book:
            print(f"The book ({settings.name}, {settings.url}): {settings.book_result}")
    return 0


def _reload(path: Path, net):
    """The saved best-validation network (what the vote should use), or ``net`` if nothing was saved."""
    from .engine.io import load_network

    return load_network(path) if path.exists() else net
