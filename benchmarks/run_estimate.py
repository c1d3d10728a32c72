"""How close the Training tab's "≈ … per epoch" estimate is to real training on this machine.

For each chapter-6 preset named, ``jobs.estimate.time_steps`` (what the tab runs before Start: a few
mini-batches on random images, ~0.3 s) is set against the engine's own ``sgd`` on real MNIST images
(``--batches`` mini-batches after 20 untimed ones) and against a real forward pass for the epoch-end
measurements.  Repeated ``--repeats`` times, interleaved; prints JSON with the medians and their ratios.

    OPENBLAS_NUM_THREADS=1 python benchmarks/run_estimate.py --data DIR [--presets ch6-conv,ch6-dropout]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from nndl_gui.data.mnist import load_mnist  # noqa: E402
from nndl_gui.engine.convnet import ConvNet, sgd  # noqa: E402
from nndl_gui.engine.training import BatchRecord, TrainingConfig  # noqa: E402
from nndl_gui.jobs.estimate import time_steps  # noqa: E402
from nndl_gui.presets import CH6_PRESETS  # noqa: E402


def real_seconds_per_batch(spec, m: int, data, batches: int) -> float:
    net = ConvNet(spec, rng=np.random.default_rng(0))
    cfg = TrainingConfig(epochs=1, mini_batch_size=m, eta=0.01)
    k, t1 = 0, 0.0
    for rec in sgd(net, data, cfg, rng=np.random.default_rng(1), yield_every=1, train_eval_size=0, blas_threads=None):
        if isinstance(rec, BatchRecord):
            k += 1
            if k == 20:
                t1 = time.perf_counter()
            if k == 20 + batches:
                break
    return (time.perf_counter() - t1) / batches


def real_seconds_per_eval_image(spec, images) -> float:
    net = ConvNet(spec, rng=np.random.default_rng(0))
    net.feedforward(images[:10])
    t0 = time.perf_counter()
    net.feedforward(images)
    return (time.perf_counter() - t0) / len(images)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--presets", default="ch6-conv,ch6-dropout")
    ap.add_argument("--batches", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    mnist = load_mnist(args.data)
    out = {"data": "sample" if mnist.is_sample else "full MNIST", "presets": {}}
    for name in args.presets.split(","):
        p = CH6_PRESETS[name]
        spec, m = p.layer_spec(), p.mini_batch_size
        data = mnist.training.subset(m * (args.batches + 40))
        est_b, real_b, est_e, real_e = [], [], [], []
        for _ in range(args.repeats):
            t = time_steps(None, spec, m)
            est_b.append(t.seconds_per_batch)
            est_e.append(t.seconds_per_eval_image)
            real_b.append(real_seconds_per_batch(spec, m, data, args.batches))
            real_e.append(real_seconds_per_eval_image(spec, mnist.validation.images[:1000]))
        med = {k: statistics.median(v) for k, v in
               (("estimate_s_per_batch", est_b), ("real_s_per_batch", real_b),
                ("estimate_s_per_eval_image", est_e), ("real_s_per_eval_image", real_e))}
        med["batch_ratio_estimate_over_real"] = med["estimate_s_per_batch"] / med["real_s_per_batch"]
        med["eval_ratio_estimate_over_real"] = med["estimate_s_per_eval_image"] / med["real_s_per_eval_image"]
        out["presets"][name] = {k: round(v, 6) for k, v in med.items()}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
