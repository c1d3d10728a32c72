"""Speed of the chapter-6 engine (engine.convnet) against the same networks in PyTorch on the CPU.

    python benchmarks/bench_conv.py                  # m = 10 and 100, 1 BLAS thread, median of 3
    python benchmarks/bench_conv.py --threads 2 --batches 500

For each network (presets ch6-conv and ch6-dbl-conv-relu) and mini-batch size m it times ``--batches``
SGD steps (forward, backward, update) of our engine and of a PyTorch model with the same layers, the same
initial weights and the same m, alternating them ``--repeats`` times in one process, and reports the
medians scaled to one epoch of 50,000 images (so "epoch_seconds" is batches·m images scaled, not a timed
full epoch).  Both get the same thread count (threadpoolctl for OpenBLAS, torch.set_num_threads).
PyTorch is a benchmark dependency only: without it the script reports our figures alone.

``--large-m`` (default 1000) gives the fraction of the FLOP limit: our training FLOPs per second (the
matrix products' 2·rows·cols·inner, counted from the layer shapes) divided by a float32 sgemm
(1024×1024×1024, same threads) measured in the same run.  Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nndl_gui.engine.convnet import ConvNet  # noqa: E402
from nndl_gui.engine.layers import ConvPoolLayer  # noqa: E402
from nndl_gui.presets import get_preset  # noqa: E402

NETWORKS = ("ch6-conv", "ch6-dbl-conv-relu")
EPOCH = 50_000


def load_images(n: int, seed: int = 0):
    """n MNIST training images (float32 (n, 784)) and labels; random pixels when MNIST is absent."""
    try:
        from nndl_gui.data.mnist import load_mnist

        mnist = load_mnist()
        x, y = mnist.training.images[:n], mnist.training.labels[:n]
        reps = -(-n // len(x))
        return np.tile(x, (reps, 1))[:n] / np.float32(255), np.tile(y, reps)[:n].astype(np.int64), mnist.source
    except Exception:  # pragma: no cover - no data: speed does not depend on the pixels much
        rng = np.random.default_rng(seed)
        return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n), "random"


def training_flops(net: ConvNet) -> float:
    """Multiply-add FLOPs of one training example's matrix products: forward, ∂w, and ∂x (not layer 1)."""
    total = 0.0
    for i, layer in enumerate(net.layers):
        if isinstance(layer, ConvPoolLayer):
            H, W, f = layer.out_shape
            rows = H * W * layer.pool ** 2
            one = 2.0 * rows * layer.wmat.shape[0] * f
        else:
            one = 2.0 * layer.n_in * layer.n_out
        total += one * (3 if i > 0 else 2)
    return total


def time_ours(net: ConvNet, x: np.ndarray, y: np.ndarray, m: int, batches: int, eta: float) -> float:
    xs = x[:m * batches].reshape((batches, m) + net.input_shape)
    ys = np.eye(10, dtype=np.float32)[y[:m * batches]].reshape(batches, m, 10)
    t0 = time.perf_counter()
    for i in range(batches):
        net.step(xs[i], ys[i], eta / m, 1.0)
    return time.perf_counter() - t0


def torch_model(net: ConvNet):
    """The same layers in PyTorch (NCHW), starting from ``net``'s weights."""
    import torch
    from torch import nn

    acts = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    mods, flat_from = [], None
    for layer in net.layers:
        if isinstance(layer, ConvPoolLayer):
            conv = nn.Conv2d(layer.in_shape[2], layer.filters, layer.size, bias=False)
            conv.weight.data = torch.from_numpy(np.ascontiguousarray(layer.w))
            mods += [conv, nn.MaxPool2d(layer.pool), _Bias(layer.b), acts[layer.activation]()]
            flat_from = layer.out_shape
            continue
        w = layer.w
        if flat_from is not None:  # our flattening is (h, w, f), PyTorch's (f, h, w): permute the rows
            H, W, f = flat_from
            w = w.reshape(H, W, f, -1).transpose(2, 0, 1, 3).reshape(H * W * f, -1)
            mods.append(nn.Flatten())
            flat_from = None
        elif not mods:
            mods.append(nn.Flatten())
        lin = nn.Linear(layer.n_in, layer.n_out)
        lin.weight.data = torch.from_numpy(np.ascontiguousarray(w.T))
        lin.bias.data = torch.from_numpy(layer.b.copy())
        mods += [lin, acts[layer.activation]() if layer.kind == "fc" else nn.LogSoftmax(dim=1)]
    return nn.Sequential(*mods)


def _bias_module():
    import torch
    from torch import nn

    class Bias(nn.Module):
        """One bias per map, added after pooling (network3.py's ConvPoolLayer)."""

        def __init__(self, b):
            super().__init__()
            self.b = nn.Parameter(torch.from_numpy(b.copy()))

        def forward(self, x):
            return x + self.b[None, :, None, None]

    return Bias


_Bias = None


def time_torch(model, x, y, m: int, batches: int, eta: float) -> float:
    import torch

    xs = torch.from_numpy(x[:m * batches].reshape(batches, m, 1, 28, 28).copy())
    ys = torch.from_numpy(y[:m * batches].reshape(batches, m).copy())
    opt = torch.optim.SGD(model.parameters(), lr=eta)
    loss_fn = torch.nn.NLLLoss()
    t0 = time.perf_counter()
    for i in range(batches):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


def agreement(spec, x, y, steps: int = 10, eta: float = 0.03) -> dict:
    """Same network in both engines: max |a^L| difference at the start and after ``steps`` identical
    SGD steps (m = 10), and the largest first-layer weight difference then."""
    import torch

    net = ConvNet(spec, rng=1)
    model = torch_model(net)
    xt = torch.from_numpy(x[:100].reshape(-1, 1, 28, 28).copy())
    start = float(np.abs(net.feedforward(x[:100]) - model(xt).exp().detach().numpy()).max())
    ys = np.eye(10, dtype=np.float32)[y]
    opt = torch.optim.SGD(model.parameters(), lr=eta)
    for i in range(steps):
        s = slice(10 * i, 10 * i + 10)
        net.step(x[s].reshape((10,) + net.input_shape), ys[s], eta / 10, 1.0)
        opt.zero_grad()
        torch.nn.NLLLoss()(model(torch.from_numpy(x[s].reshape(10, 1, 28, 28).copy())),
                           torch.from_numpy(y[s])).backward()
        opt.step()
    after = float(np.abs(net.feedforward(x[:100]) - model(xt).exp().detach().numpy()).max())
    w = float(np.abs(net.layers[0].w - model[0].weight.detach().numpy()).max())
    return {"outputs_start": start, f"outputs_after_{steps}_steps": after, f"conv1_w_after_{steps}_steps": w}


def sgemm_gflops(n: int = 1024, reps: int = 5) -> float:
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    c = np.empty((n, n), np.float32)
    np.matmul(a, b, out=c)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batches", type=int, default=1000, help="mini-batches timed at m = 10 (fewer at larger m)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sizes", default="10,100", help="mini-batch sizes m to compare with PyTorch")
    ap.add_argument("--large-m", type=int, default=1000)
    ap.add_argument("--networks", default=",".join(NETWORKS))
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args(argv)

    global _Bias
    from threadpoolctl import threadpool_limits

    try:
        if args.no_torch:
            raise ImportError
        import torch

        torch.set_num_threads(args.threads)
        _Bias = _bias_module()
        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = None
    sizes = [int(s) for s in args.sizes.split(",")]
    need = max(max(sizes) * max(1, args.batches * 10 // max(sizes)), args.large_m * 3)
    x, y, source = load_images(min(need, 60_000))
    out = {"benchmark": "bench_conv", "threads": args.threads, "repeats": args.repeats, "data": source,
           "torch": torch_version, "numpy": np.__version__, "cpu_count": os.cpu_count(),
           "env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
           "note": "epoch_seconds = median time of the timed mini-batches scaled to 50,000 images", "results": []}
    with threadpool_limits(limits=args.threads, user_api="blas"):
        gf = sgemm_gflops()
        out["sgemm_gflops"] = round(gf, 1)
        for name in args.networks.split(","):
            preset = get_preset(name)
            spec = preset.layer_spec()
            for m in sizes:
                batches = max(20, args.batches * 10 // m)
                batches = min(batches, len(x) // m)
                ours, theirs = [], []
                net = ConvNet(spec, rng=0)
                model = torch_model(net) if torch else None
                if torch and m == sizes[0]:
                    out["results"].append({"network": name, "agreement_with_torch": agreement(spec, x, y)})
                time_ours(net, x, y, m, min(20, batches), preset.eta)  # warm up: buffers, caches
                if model is not None:
                    time_torch(model, x, y, m, min(20, batches), preset.eta)
                for _ in range(args.repeats):
                    ours.append(time_ours(net, x, y, m, batches, preset.eta))
                    if model is not None:
                        theirs.append(time_torch(model, x, y, m, batches, preset.eta))
                scale = EPOCH / (batches * m)
                row = {"network": name, "m": m, "timed_batches": batches,
                       "ours_epoch_seconds": round(statistics.median(ours) * scale, 2),
                       "ours_runs": [round(t * scale, 2) for t in ours]}
                if theirs:
                    row["torch_epoch_seconds"] = round(statistics.median(theirs) * scale, 2)
                    row["torch_runs"] = [round(t * scale, 2) for t in theirs]
                    row["speedup_vs_torch"] = round(statistics.median(theirs) / statistics.median(ours), 2)
                out["results"].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
            # the FLOP limit at large m
            m = args.large_m
            net = ConvNet(spec, rng=0)
            batches = max(2, min(len(x) // m, 3))
            time_ours(net, x, y, m, 1, preset.eta)
            t = statistics.median(time_ours(net, x, y, m, batches, preset.eta) for _ in range(args.repeats))
            flops = training_flops(net) * m * batches / t / 1e9
            out["results"].append({"network": name, "m": m, "ours_epoch_seconds": round(t * EPOCH / (m * batches), 2),
                                   "gflops": round(flops, 1), "fraction_of_sgemm": round(flops / gf, 2)})
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
