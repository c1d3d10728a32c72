"""How well does the Draw tab read digits drawn at any size, anywhere, with any pen?

MNIST test digits are redrawn on a 280×280 canvas like the Draw tab's (dark ink on white): random
height (30–95% of the canvas), random position, strokes made thicker or thinner (grey dilation or
erosion by up to ±1.5 MNIST pixels of width).  Each canvas is classified twice by the same network:

* ``preprocessed``: through nndl_gui.data.preprocess (bounding box → 20×20 → centre of mass in 28×28),
* ``naive``: the whole canvas shrunk to 28×28, the reference to beat.

Then digits as people really draw them (``nndl_gui.data.augment``): rotated ±25°, sheared ±0.3, pen
width ×0.5–×2, digit height 30–95% of the canvas anywhere on it — each alone, and all together.  Each
perturbed canvas goes through the Draw tab's preprocessing; ``--deskew`` adds deskewing by image moments
(``data.preprocess.deskew``) after it, for networks trained on deskewed images.

Every network given is measured on the same canvases (default: the shipped fully connected net, and the
shipped conv net when resources/conv-expanded.npz exists).  Seeded: the same command prints the same figures.
Prints one JSON object.

    python benchmarks/draw_robustness.py [--network A.npz --network B.npz] [--n 10000] [--seed 0] [--deskew]
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
from nndl_gui.data.augment import KINDS, draw, random_perturbation  # noqa: E402
from nndl_gui.data.preprocess import deskew, naive_resize, preprocess, render_digit  # noqa: E402
from nndl_gui.jobs.draw import shipped_networks  # noqa: E402
from nndl_gui.engine.io import load_network  # noqa: E402


def distorted_canvases(images, rng, size=280, min_height=0.30, max_height=0.95, max_stroke=1.5):
    """Yield (canvas uint8 (size, size), params) for each 28×28 image."""
    for img in images:
        height = rng.uniform(min_height, max_height)
        stroke = rng.uniform(-max_stroke, max_stroke)
        # the centre anywhere the digit still fits (render_digit clamps it inside the canvas)
        centre = (rng.uniform(0, size), rng.uniform(0, size))
        yield render_digit(img, size, height=height, centre=centre, stroke=stroke), (height, stroke)


def new_perturbations(images, seed, size=280, transform=None, stroke=True):
    """{condition: (n, 784) inputs}: each of KINDS alone, then all together, the same digits each time."""
    out = {}
    for c, kinds in enumerate([(k,) for k in KINDS] + [KINDS]):
        rng = np.random.default_rng([seed, c])
        x = np.empty((len(images), 784), np.float32)
        for k, img in enumerate(images):
            image = preprocess(draw(img, random_perturbation(rng, kinds), size), "dark-on-light", stroke)
            x[k] = (transform(image) if transform else image).reshape(-1)
        out["all together" if len(kinds) > 1 else kinds[0]] = x
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--network", action="append", default=None,
                   help="a network file (repeat for several; default: the shipped ones)")
    p.add_argument("--data", default=None, help="MNIST folder (default: $NNDL_DATA_DIR, cache, or sample)")
    p.add_argument("--n", type=int, default=10000, help="how many test digits (the first n)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--deskew", action="store_true", help="deskew every input by its moments (data.preprocess.deskew)")
    p.add_argument("--no-stroke", action="store_true", help="skip the stroke-width normalisation (to measure it)")
    args = p.parse_args(argv)

    mnist = load_mnist(args.data)
    paths = args.network or [str(s.path) for s in reversed(shipped_networks())]
    nets = [load_network(path) for path in paths]
    images = mnist.test.images[:args.n]
    labels = mnist.test.labels[:args.n].astype(int)
    transform = deskew if args.deskew else None
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    pre = np.empty((len(labels), 784), np.float32)
    naive = np.empty_like(pre)
    heights, strokes = [], []
    for k, (canvas, (h, s)) in enumerate(distorted_canvases(images, rng)):
        image = preprocess(canvas, "dark-on-light", not args.no_stroke)
        pre[k] = (transform(image) if transform else image).reshape(-1)
        naive[k] = naive_resize(canvas, "dark-on-light").reshape(-1)
        heights.append(h)
        strokes.append(s)
    seconds = time.perf_counter() - t0
    new = new_perturbations(images, args.seed, transform=transform, stroke=not args.no_stroke)
    heights, strokes = np.array(heights), np.array(strokes)
    clean_x = images.astype(np.float32) / 255
    if transform:
        clean_x = np.stack([transform(im.reshape(28, 28)).reshape(-1) for im in clean_x])
    results = []
    for path, net in zip(paths, nets):
        ok_pre = net.predict(pre) == labels
        ok_naive = net.predict(naive) == labels

        def by(mask):
            return {"n": int(mask.sum()), "preprocessed": round(float(ok_pre[mask].mean()), 4),
                    "naive": round(float(ok_naive[mask].mean()), 4)}

        perturbed = {name: round(float(np.mean(net.predict(x) == labels)), 4) for name, x in new.items()}
        ok_all = net.predict(new["all together"]) == labels
        per_digit = {str(d): round(float(ok_all[labels == d].mean()), 3) for d in range(10) if np.any(labels == d)}
        results.append({
            "network": path,
            "kind": net.describe() if hasattr(net, "describe") else str(net.sizes),
            "accuracy_clean_mnist": round(float(np.mean(net.predict(clean_x) == labels)), 4),
            "accuracy_preprocessed": round(float(ok_pre.mean()), 4),
            "accuracy_naive_resize": round(float(ok_naive.mean()), 4),
            "by_height": {"30-50%": by(heights < 0.5), "50-75%": by((heights >= 0.5) & (heights < 0.75)),
                          "75-95%": by(heights >= 0.75)},
            "by_stroke": {"thinner": by(strokes < -0.5), "about the same": by(np.abs(strokes) <= 0.5),
                          "thicker": by(strokes > 0.5)},
            "people_draw": perturbed,
            "all_together_by_digit": per_digit,
        })
    print(json.dumps({
        "benchmark": "draw_robustness",
        "data": mnist.source,
        "digits": len(labels),
        "seed": args.seed,
        "canvas": 280,
        "deskew": bool(args.deskew),
        "stroke_normalisation": not args.no_stroke,
        "today": {"height_range": [0.30, 0.95], "stroke_change_mnist_pixels": [-1.5, 1.5]},
        "people_draw_ranges": {"rotation_degrees": [-25, 25], "shear": [-0.3, 0.3], "pen_width_factor": [0.5, 2.0],
                               "height": [0.30, 0.95]},
        "targets": {"accuracy_preprocessed": 0.988, "all together": 0.97},
        "networks": results,
        "preprocess_ms_per_digit": round(1000 * seconds / len(labels) / 2, 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
