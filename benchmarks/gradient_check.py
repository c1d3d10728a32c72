"""Backprop (BP1–BP4) against finite differences, as the Backprop inspector shows it.  Prints ONE JSON object.

    python benchmarks/gradient_check.py [--data DIR] [--max-params 300] [--out gradcheck.json]

For small networks of every activation / output / cost the inspector offers, every weight and bias is
checked; for the shipped MNIST network ([784,300,10]) a seeded random sample of ``--max-params``
parameters on the first test image.  Everything in float64 with central differences (ε = 1e-5), exactly
the engine's ``trace.gradient_check`` that the tab calls.  Reported per network: the vector relative error
‖g_bp − g_fd‖ / (‖g_bp‖ + ‖g_fd‖), the worst single-entry relative error, and the passes each method needs
(backprop: one forward + one backward for all of them; finite differences: two forwards per parameter).
Target from issue #5: vector relative error < 1e-7.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nndl_gui.data.mnist import load_mnist  # noqa: E402
from nndl_gui.jobs.draw import pretrained_path  # noqa: E402
from nndl_gui.engine.io import load_network  # noqa: E402
from nndl_gui.engine.network import Network, one_hot  # noqa: E402
from nndl_gui.engine.trace import gradient_check  # noqa: E402

SMALL = [  # (sizes, activation, output, cost)
    ([2, 3, 2], "sigmoid", "sigmoid", "quadratic"),
    ([2, 3, 2], "sigmoid", "sigmoid", "cross-entropy"),
    ([4, 5, 3], "tanh", "sigmoid", "quadratic"),
    ([4, 5, 3], "relu", "softmax", "log-likelihood"),
    ([5, 4, 4, 4, 3], "sigmoid", "softmax", "log-likelihood"),
    ([6, 8, 3], "sigmoid", "sigmoid", "cross-entropy"),
]


def check(name, net, x, y, max_params=None):
    t0 = time.perf_counter()
    g = gradient_check(net, x, y, max_params=max_params, rng=0)
    return {
        "network": name,
        "parameters": g.n_parameters,
        "checked": g.n_checked,
        "vector_relative_error": g.relative_error,
        "max_entry_relative_error": g.max_relative_error,
        "passes_backprop": g.passes_backprop,
        "forward_passes_finite_differences": g.forward_passes_numerical,
        "seconds": round(time.perf_counter() - t0, 3),
        "pass": g.relative_error < 1e-7,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="MNIST folder (default: the app's search order)")
    ap.add_argument("--max-params", type=int, default=300)
    ap.add_argument("--out")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    results = []
    for sizes, act, out, cost in SMALL:
        net = Network(sizes, activation=act, output=out, cost=cost, rng=1)
        x = rng.random(sizes[0])
        y = one_hot(int(rng.integers(sizes[-1])), sizes[-1])
        results.append(check(f"{sizes} {act}/{out} {cost}", net, x, y))
    mnist = load_mnist(args.data)
    net = load_network(pretrained_path())
    x = mnist.test.images[0].astype(np.float64) / 255.0
    y = one_hot(int(mnist.test.labels[0]), 10)
    results.append(check(f"pretrained {net.sizes} {net.activation.name}/{net.output.name} {net.cost.name}, "
                         f"test image 0 ({mnist.source})", net, x, y, max_params=args.max_params))
    report = {
        "benchmark": "gradient_check",
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform()},
        "epsilon": 1e-5,
        "results": results,
        "worst_vector_relative_error": max(r["vector_relative_error"] for r in results),
        "target": "vector relative error < 1e-7 in float64",
        "pass": all(r["pass"] for r in results),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
