"""How well does the Draw tab read digits drawn at any size, anywhere, with any pen?

MNIST test digits are redrawn on a 280×280 canvas like the Draw tab's (dark ink on white): random
height (30–95% of the canvas), random position, strokes made thicker or thinner (grey dilation or
erosion by up to ±1.5 MNIST pixels of width).  Each canvas is classified twice by the same network:

* ``preprocessed``: through nndl_gui.data.preprocess (bounding box → 20×20 → centre of mass in 28×28),
* ``naive``: the whole canvas shrunk to 28×28, the reference to beat.

Seeded: the same command prints the same figures.  Prints one JSON object.

    python benchmarks/draw_robustness.py [--network resources/pretrained.npz] [--n 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nndl_gui.data import load_mnist  # noqa: E402
from nndl_gui.data.preprocess import naive_resize, preprocess, render_digit  # noqa: E402
from nndl_gui.jobs.draw import pretrained_path  # noqa: E402
from nndl_gui.engine.io import load_network  # noqa: E402
from nndl_gui.engine.network import evaluate  # noqa: E402


def distorted_canvases(images, rng, size=280, min_height=0.30, max_height=0.95, max_stroke=1.5):
    """Yield (canvas uint8 (size, size), params) for each 28×28 image."""
    for img in images:
        height = rng.uniform(min_height, max_height)
        stroke = rng.uniform(-max_stroke, max_stroke)
        # the centre anywhere the digit still fits (render_digit clamps it inside the canvas)
        centre = (rng.uniform(0, size), rng.uniform(0, size))
        yield render_digit(img, size, height=height, centre=centre, stroke=stroke), (height, stroke)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--network", default=str(pretrained_path()))
    p.add_argument("--data", default=None, help="MNIST folder (default: $NNDL_DATA_DIR, cache, or sample)")
    p.add_argument("--n", type=int, default=10000, help="how many test digits (the first n)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    mnist = load_mnist(args.data)
    net = load_network(args.network)
    images = mnist.test.images[:args.n]
    labels = mnist.test.labels[:args.n].astype(int)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    pre = np.empty((len(labels), 784), np.float32)
    naive = np.empty_like(pre)
    heights, strokes = [], []
    for k, (canvas, (h, s)) in enumerate(distorted_canvases(images, rng)):
        pre[k] = preprocess(canvas, "dark-on-light").reshape(-1)
        naive[k] = naive_resize(canvas, "dark-on-light").reshape(-1)
        heights.append(h)
        strokes.append(s)
    seconds = time.perf_counter() - t0
    ok_pre = net.predict(pre) == labels
    ok_naive = net.predict(naive) == labels
    clean = evaluate(net, images, labels, with_cost=False)
    heights, strokes = np.array(heights), np.array(strokes)

    def by(mask):
        return {"n": int(mask.sum()), "preprocessed": round(float(ok_pre[mask].mean()), 4),
                "naive": round(float(ok_naive[mask].mean()), 4)}

    print(json.dumps({
        "benchmark": "draw_robustness",
        "network": args.network,
        "sizes": net.sizes,
        "data": mnist.source,
        "digits": len(labels),
        "seed": args.seed,
        "canvas": 280,
        "height_range": [0.30, 0.95],
        "stroke_change_mnist_pixels": [-1.5, 1.5],
        "accuracy_clean_mnist": round(clean.accuracy, 4),
        "accuracy_preprocessed": round(float(ok_pre.mean()), 4),
        "accuracy_naive_resize": round(float(ok_naive.mean()), 4),
        "by_height": {"30-50%": by(heights < 0.5), "50-75%": by((heights >= 0.5) & (heights < 0.75)),
                      "75-95%": by(heights >= 0.75)},
        "by_stroke": {"thinner": by(strokes < -0.5), "about the same": by(np.abs(strokes) <= 0.5),
                      "thicker": by(strokes > 0.5)},
        "preprocess_ms_per_digit": round(1000 * seconds / len(labels) / 2, 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
