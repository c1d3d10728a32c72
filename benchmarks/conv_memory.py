"""Peak memory (RSS) of a chapter-6 run on the 250,000 expanded images (preset ch6-expanded).

    NNDL_DATA_DIR=... python benchmarks/conv_memory.py              # 2,000 mini-batches and an evaluation
    NNDL_DATA_DIR=... python benchmarks/conv_memory.py --batches 0  # a whole epoch

Loads MNIST, wraps the training images in ``ExpandedMnist`` (the shifts are made per chunk, never stored),
trains the preset's network with ``engine.convnet.sgd`` for ``--batches`` mini-batches (then asks it to
stop) or a whole epoch, evaluates validation and test sets, and prints the peak resident set size from
``resource.getrusage`` as JSON.  Target (issue 11): < 600 MiB.  A full run measured with
``/usr/bin/time -v python -m nndl_gui train --preset ch6-expanded ...`` is in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nndl_gui.data.expand import ExpandedMnist  # noqa: E402
from nndl_gui.data.mnist import load_mnist  # noqa: E402
from nndl_gui.engine.convnet import ConvNet, evaluate, sgd  # noqa: E402
from nndl_gui.presets import get_preset  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="ch6-expanded")
    ap.add_argument("--batches", type=int, default=2000, help="mini-batches to train (0: one whole epoch)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    before = peak_mib()
    mnist = load_mnist()
    preset = get_preset(args.preset)
    data = ExpandedMnist(mnist.training.images, mnist.training.labels) if preset.expanded else mnist.training
    after_data = peak_mib()
    net = ConvNet(preset.layer_spec(), rng=0)
    config = preset.training_config()
    config = type(config)(**{**config.__dict__, "epochs": 1})
    done = [0]

    def stop() -> bool:
        done[0] += 1
        return bool(args.batches) and done[0] >= args.batches

    records = list(sgd(net, data, config, rng=np.random.default_rng(0), should_stop=stop, yield_every=0))
    evaluate(net, mnist.validation)
    evaluate(net, mnist.test)
    print(json.dumps({"benchmark": "conv_memory", "preset": args.preset, "training_examples": len(data),
                      "batches": args.batches or "epoch", "end": records[-1].reason,
                      "peak_rss_mib_at_start": round(before, 1), "peak_rss_mib_after_loading_data": round(after_data, 1),
                      "peak_rss_mib": round(peak_mib(), 1), "target_mib": 600,
                      "seconds": round(time.perf_counter() - t0, 1), "data": mnist.source}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
