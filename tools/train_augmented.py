"""Train a chapter-6 network on digits redrawn as people draw them (data.augment.AugmentedMnist).

Each epoch every training image is redrawn with a fresh random rotation (±25°), shear (±0.3), pen width
(×0.5–×2) and size, and read back through the Draw tab's preprocessing; a quarter stay plain MNIST.
``--start`` continues from a trained network (fine-tuning), else a new one from ``--layers``.  After
every epoch the network is saved (atomically; also as NAME-epN.npz) and a JSON line is printed: validation and test accuracy
on plain MNIST, as network3.py reports them.  Seeded.

    OPENBLAS_NUM_THREADS=1 nice -n 10 python tools/train_augmented.py --data MNIST_DIR \\
        --start trained.npz --epochs 6 --eta 0.03 --lmbda 0.1 --seed 0 --save conv-augmented.npz
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nndl_gui.data import load_mnist  # noqa: E402
from nndl_gui.data.augment import AugmentedMnist  # noqa: E402
from nndl_gui.engine.convnet import ConvNet, parse_layers, sgd  # noqa: E402
from nndl_gui.engine.convnet_io import save_convnet  # noqa: E402
from nndl_gui.engine.io import load_network  # noqa: E402
from nndl_gui.engine.training import EpochRecord, RunEnd, TrainingConfig  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=None)
    p.add_argument("--start", default=None, help="a trained ConvNet .npz to continue from")
    p.add_argument("--layers", default="conv20x5-pool2,conv40x5-pool2,fc100,softmax10")
    p.add_argument("--activation", default="relu")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--eta", type=float, default=0.03)
    p.add_argument("--lmbda", type=float, default=0.1)
    p.add_argument("--mini-batch", type=int, default=10)
    p.add_argument("--plain", type=float, default=0.25, help="fraction of examples left as plain MNIST")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", required=True)
    args = p.parse_args(argv)

    mnist = load_mnist(args.data)
    if args.start:
        net = load_network(args.start)
        if not isinstance(net, ConvNet):
            raise SystemExit(f"{args.start} is not a chapter-6 network")
    else:
        net = ConvNet(parse_layers(args.layers, args.activation), rng=args.seed)
    train = AugmentedMnist(mnist.training.images, mnist.training.labels, seed=args.seed, plain=args.plain)
    config = TrainingConfig(epochs=args.epochs, mini_batch_size=args.mini_batch, eta=args.eta, lmbda=args.lmbda)
    print(json.dumps({"event": "start", "network": net.describe(), "data": train.name, "start": args.start,
                      "settings": vars(args)}), flush=True)
    for record in sgd(net, train, config, rng=np.random.default_rng(args.seed),
                      validation_data=mnist.validation, test_data=mnist.test, yield_every=0):
        if isinstance(record, EpochRecord):
            save_convnet(net, args.save)
            save_convnet(net, Path(args.save).with_name(f"{Path(args.save).stem}-ep{record.epoch}.npz"))
            print(json.dumps({"event": "epoch", **{k: v for k, v in asdict(record).items()
                                                   if isinstance(v, (int, float, str, type(None)))}}), flush=True)
        elif isinstance(record, RunEnd):
            print(json.dumps({"event": "end", "reason": record.reason, "message": record.message}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
