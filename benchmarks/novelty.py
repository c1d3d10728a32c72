"""How well does the Draw tab tell a drawing that is no digit from a digit?  (data/novelty.py)

Fits the thresholds of ink and solidity on full MNIST training digits — half as MNIST stores them, half
redrawn on a canvas (random size, place and pen) and preprocessed as the Draw tab does — and measures:

* false alarms: the share of MNIST test digits flagged, as stored and as the Draw tab sees them when
  drawn on the canvas (random size, position and pen width, as benchmarks/draw_robustness.py);
* detections: the share of generated dots and scribbles (data.novelty.dot / scribble) flagged.

It measures the thresholds the app ships (data.novelty.THRESHOLDS) and the ones it fits.  Seeded; prints
one JSON object.  Needs full MNIST (NNDL_DATA_DIR or --data).

    python benchmarks/novelty.py [--data DIR] [--n-fit 20000] [--quantile 0.995]

Measured with the defaults (seed 0): thresholds ink 210.6, solidity 0.553 (the shipped ones); false alarms
0.55% of the 10,000 MNIST test digits as stored and 0.73% of 3,000 redrawn on the canvas; flagged 100% of
1,000 dots and 80.9% of 1,000 scribbles.
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
from nndl_gui.data import novelty as nov  # noqa: E402
from nndl_gui.data.preprocess import preprocess, render_digit  # noqa: E402


def drawn(images, rng, size=280):
    """MNIST digits as the Draw tab sees them: redrawn at a random height, place and pen, preprocessed."""
    out = np.empty((len(images), 784), np.float32)
    for i, img in enumerate(images):
        canvas = render_digit(img, size, height=rng.uniform(0.3, 0.95),
                              centre=(rng.uniform(0, size), rng.uniform(0, size)), stroke=rng.uniform(-1.5, 1.5))
        out[i] = preprocess(canvas, "dark-on-light", stroke=False).reshape(-1)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data")
    p.add_argument("--n-fit", type=int, default=20000)
    p.add_argument("--n-test", type=int, default=10000)
    p.add_argument("--n-drawn", type=int, default=3000)
    p.add_argument("--n-shapes", type=int, default=1000)
    p.add_argument("--quantile", type=float, default=0.995)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    mnist = load_mnist(a.data)
    if mnist.is_sample:
        print(json.dumps({"error": "needs full MNIST (NNDL_DATA_DIR or --data)"}))
        return 1
    rng = np.random.default_rng(a.seed)
    train = mnist.training.images[:a.n_fit]
    half = len(train) // 2
    fit_set = np.vstack([train[:half] / 255.0, drawn(train[half:], rng)])
    fitted = nov.fit(fit_set, quantile=a.quantile)
    test = mnist.test.images[:a.n_test]
    test_drawn = drawn(test[:a.n_drawn], rng)
    shapes = [nov.dot(rng) for _ in range(a.n_shapes)], [nov.scribble(rng) for _ in range(a.n_shapes)]
    dots, scribbles = (np.stack([preprocess(g, "dark-on-light", stroke=False).reshape(-1) for g in gs])
                       for gs in shapes)

    def measure(t):
        return {"thresholds": vars(t),
                "false_alarms_mnist_test": float(nov.flags(test, t).mean()),
                "false_alarms_mnist_test_drawn_on_canvas": float(nov.flags(test_drawn, t).mean()),
                "flagged_dots": float(nov.flags(dots, t).mean()),
                "flagged_scribbles": float(nov.flags(scribbles, t).mean())}

    result = {"quantile": a.quantile, "fitted_on": len(fit_set), "fitted": measure(fitted),
              "shipped": measure(nov.THRESHOLDS),
              "n_test": len(test), "n_drawn": len(test_drawn), "n_shapes": a.n_shapes,
              "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
