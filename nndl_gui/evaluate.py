"""``python -m nndl_gui evaluate NETWORK [NETWORK ...]``: score saved networks on MNIST, and let several vote.

One network: its accuracy on the test set (or ``--set validation``).  Several: each one's accuracy, then
chapter 6's ensemble — the majority vote (``engine.ensemble``), its accuracy, on how many images the
members disagree and on how many they all give the same wrong digit.  Networks may be fully connected or
convolutional, ``.npz`` or network2.py JSON: anything the Draw tab opens.  This is how to re-run the
book's "ensemble of five" from networks trained separately, e.g. by several ``train --preset ch6-dropout
--seed S --save S.npz`` runs.

Prints a few lines for people, or with ``--json`` one JSON line (``members``, each with ``path`` and
``accuracy``, and ``ensemble``, the vote's summary, null for a single network).  Exit code 2 for a bad
command line, a network that cannot be read or cannot read digits, or data that cannot be found.
"""

from __future__ import annotations

import argparse
import json
import sys

MAX_NETWORKS = 20


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nndl-gui evaluate",
        description="Score saved networks on MNIST; several networks also vote as an ensemble (chapter 6).")
    parser.add_argument("networks", nargs="+", metavar="NETWORK", help=".npz or network2.py JSON network files")
    parser.add_argument("--set", choices=("test", "validation"), default="test",
                        help="which 10,000 images to score on (default: test)")
    parser.add_argument("--data", metavar="DIR", help="folder with the four MNIST IDX files (default: "
                                                      "NNDL_DATA_DIR, the user cache, then the shipped sample)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    args = parser.parse_args(argv)
    if len(args.networks) > MAX_NETWORKS:
        parser.error(f"at most {MAX_NETWORKS} networks, got {len(args.networks)}")

    import numpy as np

    from .data.mnist import load_mnist
    from .engine.ensemble import vote
    from .jobs.draw import load_networks

    try:
        nets = load_networks(None, args.networks)
    except (ValueError, MemoryError) as exc:
        _err(f"nndl-gui evaluate: error: {exc or 'out of memory loading a network'}")
        return 2
    try:
        mnist = load_mnist(args.data)
    except (OSError, ValueError) as exc:
        _err(f"nndl-gui evaluate: error: {exc}")
        return 2
    data = mnist.test if args.set == "test" else mnist.validation
    _err(f"data: {mnist.source} ({len(data):,} {args.set} images)")
    if mnist.is_sample:
        _err("note: this is the small offline sample, not full MNIST (set NNDL_DATA_DIR or use --data)")
    result = vote(nets, data.images, data.labels)
    members = [{"path": path, "accuracy": acc, "correct": int(round(acc * result.total))}
               for path, acc in zip(args.networks, result.member_accuracies)]
    ensemble = result.summary() if len(nets) > 1 else None
    if args.json:
        print(json.dumps({"set": args.set, "total": result.total, "members": members, "ensemble": ensemble},
                         ensure_ascii=False, allow_nan=False), flush=True)
        return 0
    width = max(len(p) for p in args.networks)
    for m in members:
        print(f"{m['path']:<{width}}  {m['correct']:>6,} / {result.total:,}  {m['accuracy']:.2%}")
    if ensemble:
        print(f"majority vote of {len(nets)}: {ensemble['correct']:,} / {result.total:,} ({ensemble['accuracy']:.2%}); "
              f"best single network {max(result.member_accuracies):.2%}; the members disagree on "
              f"{ensemble['disagreements']:,} images and all give the same wrong digit on "
              f"{ensemble['wrong_where_all_agree']:,}")
        if np.all(result.member_predictions == result.member_predictions[0]):
            print("(the networks give the same answer on every image: a vote adds nothing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
