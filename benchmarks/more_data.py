"""Chapter 3's "more data" figure on MNIST: validation accuracy against training-set size.  Prints ONE JSON object.

    nice -n 10 env OPENBLAS_NUM_THREADS=1 python benchmarks/more_data.py            # the book's run, both curves
    python benchmarks/more_data.py --curves plain --sizes 100,1000 --examples 150000  # a quick look

For each size n (default the book's 100 … 50,000) a fresh [784,30,10] network (cross-entropy, N(0,1) init)
trains on the first n training images for 1,500,000 / n epochs, m = 10, η = 0.5, λ = n·0.0001, and is scored
on the 10,000 validation images (nndl_gui.engine.more_data).  The "rotated" curve adds four copies of each
image rotated by −10°, −5°, 5°, 10° (so n·5 images, with the same rules for epochs and λ).

Data: --data DIR, else NNDL_DATA_DIR, else ../shared/mnist beside the repo; the JSON says which.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from nndl_gui.data.mnist import load_mnist  # noqa: E402
from nndl_gui.engine import more_data as MD  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder with the four MNIST IDX files")
    ap.add_argument("--sizes", default=",".join(map(str, MD.BOOK_SIZES)), help="comma-separated sizes")
    ap.add_argument("--curves", default="plain,rotated", help="plain, rotated or both (comma-separated)")
    ap.add_argument("--examples", type=int, default=MD.EXAMPLES_PER_SIZE, help="training examples per size")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    data = args.data
    if data is None and not os.environ.get("NNDL_DATA_DIR") and (REPO.parent / "shared" / "mnist").is_dir():
        data = str(REPO.parent / "shared" / "mnist")
    mnist = load_mnist(data)
    sizes = [int(s) for s in args.sizes.split(",")]
    out = {"benchmark": "chapter 3 more data", "data": mnist.source, "is_sample": mnist.is_sample,
           "settings": {"sizes": [784, 30, 10], "cost": "cross-entropy", "init": "large", "eta": 0.5, "m": 10,
                        "lmbda": "n * 0.0001", "epochs": f"{args.examples} // n", "rotations": list(MD.ROTATIONS),
                        "seed": args.seed},
           "book_figure": "validation accuracy rising from about 60% (100 images) to about 95% (50,000); log axis",
           "curves": {}}
    t_all = time.perf_counter()
    for curve in args.curves.split(","):
        t0 = time.perf_counter()
        points = []
        for rec in MD.more_data_curve(mnist.training, mnist.validation, sizes=sizes, expanded=curve == "rotated",
                                      examples=args.examples, seed=args.seed):
            if isinstance(rec, MD.MoreDataPoint):
                points.append({"size": rec.size, "n_train": rec.n_train, "epochs": rec.epochs,
                               "lmbda": round(rec.lmbda, 6), "validation_accuracy": rec.validation_accuracy,
                               "train_seconds": round(rec.train_seconds, 2)})
                print(f"{curve} {rec.size}: {rec.validation_accuracy:.2%} ({rec.train_seconds:.1f} s)",
                      file=sys.stderr, flush=True)
        out["curves"][curve] = {"points": points, "wall_seconds": round(time.perf_counter() - t0, 1)}
    out["wall_seconds"] = round(time.perf_counter() - t_all, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
