"""How fast is the engine's SGD?  Prints ONE JSON object (and writes it to --out).

    python benchmarks/bench_engine.py --repeats 5 --out bench.json
    python benchmarks/bench_engine.py --quick            # smoke run: tiny data, one repeat, no torch

Cases (seconds per epoch are medians of --repeats timed epochs, after one untimed warm-up; the m=10 cases
run round-robin, repeat by repeat, so a burst of load on a shared machine hits them all alike):

* ``engine_m10``: the engine (``nndl_gui.engine.training.sgd``, yield_every=0) on chapter 1's
  [784,30,10], sigmoid, quadratic cost, η=3.0, m=10; training time only (the per-epoch evaluation is
  excluded, as in the trainer's train_seconds).
* ``per_example_reference``: the same algorithm written like the book's network.py: a Python loop over
  each example of a mini-batch with column vectors, gradients summed, then the update.  float32 (the
  book's code is float64, which would only make it slower).  Too slow for whole epochs, so a subset is
  timed and scaled to the epoch (``timed_examples`` / ``scaled_to`` say so).
* ``batched_numpy_reference``: a plain vectorized float32 NumPy loop, one mini-batch at a time with
  fresh arrays every step (x @ w.T + b, 1/(1+exp(-z)), ...), the images converted to float once; with
  BLAS's default threads, and (``batched_numpy_reference_1_thread``) capped to one thread, which is the
  faster and so the harder reference at m=10.
* ``torch_reference``: idiomatic PyTorch on the CPU (nn.Linear + nn.Sigmoid, ½‖a−y‖²/m loss, autograd,
  torch.optim.SGD), float32, m=10, torch's default thread count (and ``torch_reference_1_thread``);
  ``null`` with ``torch_reason`` when torch is not importable.
* ``large_batch``: the engine on [784,100,10] at m=1000.  FLOP are counted two ways: the usual 6·params
  per example, and the matrix products the engine really does (forward 2·params, ∂C/∂w 2·params, BP2
  2·Σ_{l≥3} n_l·n_{l-1}).  Compared with the float32 matmul rate measured in the same run, (a) on the
  training's own product shapes, timed back to back, and (b) on one big square sgemm.

Data: full MNIST when found (--data, NNDL_DATA_DIR, or ../shared/mnist beside the repo), else the
sample shipped in resources/, else synthetic random images; the JSON says which.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from nndl_gui.engine.network import Network  # noqa: E402
from nndl_gui.engine.training import TrainingConfig, blas_threads_for, sgd  # noqa: E402


# ---------------------------------------------------------------------------------------------- data
def load_data(choice: str | None, n: int | None):
    """(images uint8 (n,784), labels uint8 (n,), description dict)."""
    if choice != "synthetic":
        try:
            from nndl_gui.data.mnist import load_mnist

            candidates = [choice] if choice else [os.environ.get("NNDL_DATA_DIR"), str(REPO.parent / "shared" / "mnist")]
            for c in candidates:
                if c and Path(c).is_dir():
                    try:
                        d = load_mnist(c)
                        break
                    except (OSError, ValueError):
                        if choice:
                            raise
            else:
                d = load_mnist()  # the cache or the shipped sample
            images, labels = d.training.images, d.training.labels
            kind = "sample" if d.is_sample else "full-mnist"
            if n:
                images, labels = images[:n], labels[:n]
            return images, labels, {"kind": kind, "source": d.source, "n_train": len(labels)}
        except (OSError, ValueError) as exc:
            if choice:
                raise
            reason = str(exc)
    else:
        reason = "asked for synthetic data"
    rng = np.random.default_rng(0)
    n = n or 50_000
    images = rng.integers(0, 256, (n, 784), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    return images, labels, {"kind": "synthetic", "source": f"random uint8 images ({reason})", "n_train": n}


# ---------------------------------------------------------------------------------------------- environment
def environment() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    blas = [{k: i.get(k) for k in ("internal_api", "version", "num_threads", "architecture", "threading_layer")}
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "env": {k: v for k, v in os.environ.items()
                if k.startswith(("OPENBLAS_", "OMP_", "MKL_")) and k != "OPENBLAS_VERBOSE"},
    }


def summarize(runs: list[float], n: int, **extra) -> dict:
    med = statistics.median(runs)
    return {"seconds_per_epoch": med, "examples_per_second": n / med, "runs": runs, **extra}


# ---------------------------------------------------------------------------------------------- the engine
def time_engine(images, labels, sizes, m, repeats, eta=3.0, blas_threads="auto"):
    """Yields seconds per epoch (training time only), `repeats` times, after an untimed warm-up."""
    rng = np.random.default_rng(0)
    net = Network(sizes, init="large", cost="quadratic", rng=rng)
    warm = min(len(labels), max(m * 20, 1000))
    list(sgd(net, (images[:warm], labels[:warm]), TrainingConfig(epochs=1, mini_batch_size=m, eta=eta), rng=rng,
             yield_every=0, blas_threads=blas_threads))
    for _ in range(repeats):
        for rec in sgd(net, (images, labels), TrainingConfig(epochs=1, mini_batch_size=m, eta=eta), rng=rng,
                       yield_every=0, blas_threads=blas_threads):
            if type(rec).__name__ == "EpochRecord":
                yield rec.train_seconds


# ---------------------------------------------------------------------------------------------- references
def sigmoid(z):
    with np.errstate(over="ignore"):  # exp(-z) overflows to inf for very negative z; 1/(1+inf) = 0 is right
        return 1.0 / (1.0 + np.exp(-z))


class PerExampleNetwork:
    """network.py's algorithm: column vectors, backprop one example at a time, sum, update (float32)."""

    def __init__(self, sizes, rng):
        self.sizes = sizes
        self.biases = [rng.standard_normal((y, 1)).astype(np.float32) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)).astype(np.float32) for x, y in zip(sizes[:-1], sizes[1:])]

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape, np.float32) for b in self.biases]
        nabla_w = [np.zeros(w.shape, np.float32) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        k = np.float32(eta / len(mini_batch))
        self.weights = [w - k * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - k * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid(zs[-1]) * (1 - sigmoid(zs[-1]))
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for layer in range(2, len(self.sizes)):
            sp = sigmoid(zs[-layer]) * (1 - sigmoid(zs[-layer]))
            delta = np.dot(self.weights[-layer + 1].T, delta) * sp
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].T)
        return nabla_b, nabla_w


def time_per_example(images, labels, sizes, m, repeats, subset, eta=3.0):
    """Yields seconds per epoch of len(labels) examples, each run timing `subset` examples and scaling."""
    rng = np.random.default_rng(0)
    net = PerExampleNetwork(sizes, rng)
    eye = np.eye(10, dtype=np.float32)
    n = len(labels)
    for r in range(repeats + 1):
        idx = rng.permutation(n)[:subset]
        data = [(images[i].reshape(-1, 1).astype(np.float32) / np.float32(255), eye[labels[i]].reshape(-1, 1))
                for i in idx]  # network.py's input format, prepared outside the timing
        t0 = time.perf_counter()
        for k in range(0, subset, m):
            net.update_mini_batch(data[k:k + m], eta)
        dt = time.perf_counter() - t0
        if r:  # the first run is a warm-up
            yield dt * n / subset


def time_batched_numpy(images, labels, sizes, m, repeats, eta=3.0, threads=None):
    """A straightforward vectorized float32 NumPy loop with fresh arrays each step ([784,h,10] only).

    Yields seconds per epoch; ``threads`` caps BLAS threads during each timed epoch only."""
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((sizes[1], sizes[0])).astype(np.float32)
    b1 = rng.standard_normal(sizes[1]).astype(np.float32)
    w2 = rng.standard_normal((sizes[2], sizes[1])).astype(np.float32)
    b2 = rng.standard_normal(sizes[2]).astype(np.float32)
    X = images.astype(np.float32) / np.float32(255)
    Y = np.eye(10, dtype=np.float32)[labels]
    n = len(labels)
    k = np.float32(eta / m)
    for r in range(repeats + 1):
        cap = threadpool_limits(threads) if threads else _null()
        t0 = time.perf_counter()
        perm = rng.permutation(n)
        Xs, Ys = X[perm], Y[perm]
        for s in range(0, n, m):
            x, y = Xs[s:s + m], Ys[s:s + m]
            a1 = sigmoid(x @ w1.T + b1)
            a2 = sigmoid(a1 @ w2.T + b2)
            d2 = (a2 - y) * a2 * (1 - a2)
            d1 = (d2 @ w2) * a1 * (1 - a1)
            w2 -= k * (d2.T @ a1)
            b2 -= k * d2.sum(axis=0)
            w1 -= k * (d1.T @ x)
            b1 -= k * d1.sum(axis=0)
        dt = time.perf_counter() - t0
        cap.__exit__(None, None, None)
        if r:
            yield dt


def torch_problem() -> str | None:
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        return f"torch is not importable ({exc})"
    return None


def time_torch(images, labels, sizes, m, repeats, threads=None, eta=3.0, info=None):
    """Idiomatic PyTorch CPU training; yields seconds per epoch (``threads`` set during each epoch only)."""
    import torch

    default_threads = torch.get_num_threads()
    if info is not None:
        info.update(torch=torch.__version__, threads=threads or default_threads, default_threads=default_threads)
    torch.manual_seed(0)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=eta)
    X = torch.from_numpy(images.astype(np.float32) / np.float32(255))
    Y = torch.nn.functional.one_hot(torch.from_numpy(labels.astype(np.int64)), 10).float()
    n = len(labels)
    for r in range(repeats + 1):
        if threads:
            torch.set_num_threads(threads)
        try:
            t0 = time.perf_counter()
            perm = torch.randperm(n)
            Xs, Ys = X[perm], Y[perm]
            for s in range(0, n, m):
                x, y = Xs[s:s + m], Ys[s:s + m]
                opt.zero_grad()
                loss = 0.5 * ((model(x) - y) ** 2).sum() / len(x)  # quadratic cost, mean over the batch
                loss.backward()
                opt.step()
            dt = time.perf_counter() - t0
        finally:
            torch.set_num_threads(default_threads)
        if r:
            yield dt


# ---------------------------------------------------------------------------------------------- FLOP rates
def engine_matmul_flops(sizes, m) -> int:
    """FLOP of the matrix products one SGDStepper step really does (forward, BP2, ∂C/∂w with biases)."""
    total = 0
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        total += 2 * m * (n_in + 1) * n_out * 2  # forward z = [w,b][a;1] and grad δ[a,1]
        if i > 0:
            total += 2 * m * n_in * n_out  # BP2: wᵀ δ
    return total


def matmul_rate_training_shapes(sizes, m, seconds=1.0) -> float:
    """GFLOP/s of exactly the products of one step (same layouts as the engine), timed back to back."""
    rng = np.random.default_rng(0)
    ps = [rng.standard_normal((b, a + 1)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    acts = [np.ones((a + 1, m), np.float32) for a in sizes[:-1]]
    acts[0] = rng.random((m, sizes[0] + 1), dtype=np.float32).T  # inputs: one example per row, used transposed
    zs = [np.empty((b, m), np.float32) for b in sizes[1:]]
    ds = [rng.random((b, m), dtype=np.float32) for b in sizes[1:]]
    gs = [np.empty_like(p) for p in ps]
    bp = [np.empty((a, m), np.float32) for a in sizes[1:-1]]

    def step():
        for i, p in enumerate(ps):
            np.matmul(p, acts[i], zs[i])
        for i in range(len(ps) - 1, -1, -1):
            if i > 0:
                np.matmul(ps[i][:, :-1].T, ds[i], bp[i - 1])
            np.matmul(ds[i], acts[i].T, gs[i])

    step()
    flop = engine_matmul_flops(sizes, m)
    best = 0.0
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        for _ in range(5):
            step()
        best = max(best, 5 * flop / (time.perf_counter() - t0))
    return best / 1e9


def matmul_rate_square(n=2000, seconds=1.0) -> float:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    c = np.empty((n, n), np.float32)
    np.matmul(a, b, c)
    best = 0.0
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        np.matmul(a, b, c)
        best = max(best, 2 * n ** 3 / (time.perf_counter() - t0))
    return best / 1e9


def threads_sweep(images, labels, repeats) -> list[dict]:
    """Seconds/epoch with one BLAS thread and with all, for the crossover behind engine.blas.BLAS_SINGLE_THREAD_BELOW."""
    rows = []
    for hidden in (30, 100):
        for m in (10, 50, 100, 200, 1000):
            runs = interleave({"one": time_engine(images, labels, [784, hidden, 10], m, repeats, blas_threads=1),
                               "all": time_engine(images, labels, [784, hidden, 10], m, repeats, blas_threads=None)},
                              repeats)
            one, every = statistics.median(runs["one"]), statistics.median(runs["all"])
            rows.append({"sizes": [784, hidden, 10], "m": m, "m_times_max_size": m * 784,
                         "one_thread_s": one, "all_threads_s": every, "all_over_one": every / one,
                         "auto_choice": blas_threads_for([784, hidden, 10], m) or "all"})
    return rows


def interleave(generators: dict, repeats: int) -> dict[str, list[float]]:
    """Round-robin: repeat r of every case runs before repeat r+1 of any, so all see the same machine load."""
    runs = {name: [] for name in generators}
    for _ in range(repeats):
        for name, gen in generators.items():
            runs[name].append(next(gen))
    return runs


# ---------------------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs per case (median reported)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2,000 images, 1 repeat, no torch")
    ap.add_argument("--data", help="MNIST folder, or 'synthetic'")
    ap.add_argument("--n", type=int, help="use only the first N training images")
    ap.add_argument("--per-example-subset", type=int, default=5000, help="examples timed for the per-example loop")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--threads-sweep", action="store_true", help="also time 1 vs all BLAS threads at several m")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else max(1, args.repeats)
    n = args.n or (2000 if args.quick else None)
    subset = 200 if args.quick else args.per_example_subset
    matmul_seconds = 0.2 if args.quick else 1.5

    t_start = time.perf_counter()
    images, labels, data = load_data(args.data, n)
    n = len(labels)
    subset = min(subset, n)
    result: dict = {
        "benchmark": "nndl-gui engine SGD speed",
        "command": " ".join([Path(sys.argv[0]).name, *(sys.argv[1:] if argv is None else argv)]),
        "environment": environment(),
        "data": data,
        "repeats": repeats,
        "quick": args.quick,
        "statistic": "median over repeats of seconds per epoch (training only); examples/s = n / median",
    }
    sizes, m = [784, 30, 10], 10
    gens = {
        "engine_m10": time_engine(images, labels, sizes, m, repeats),
        "per_example_reference": time_per_example(images, labels, sizes, m, repeats, subset),
        "batched_numpy_reference": time_batched_numpy(images, labels, sizes, m, repeats),
        "batched_numpy_reference_1_thread": time_batched_numpy(images, labels, sizes, m, repeats, threads=1),
    }
    torch_reason = "skipped (--quick or --no-torch)" if args.quick or args.no_torch else torch_problem()
    torch_info: dict = {}
    torch_info_1: dict = {}
    if torch_reason is None:
        gens["torch_reference"] = time_torch(images, labels, sizes, m, repeats, info=torch_info)
        gens["torch_reference_1_thread"] = time_torch(images, labels, sizes, m, repeats, threads=1, info=torch_info_1)
    runs = interleave(gens, repeats)
    common = {"sizes": sizes, "m": m, "cost": "quadratic", "dtype": "float32"}
    cases: dict = {
        "engine_m10": summarize(runs["engine_m10"], n, **common, blas_threads=blas_threads_for(sizes, m) or "all"),
        "per_example_reference": summarize(
            runs["per_example_reference"], n, **common, timed_examples=subset, scaled_to=n,
            note=f"network.py-style per-example loop; each run times {subset} examples and scales to {n}"),
        "batched_numpy_reference": summarize(runs["batched_numpy_reference"], n, **common, blas_threads="default"),
        "batched_numpy_reference_1_thread": summarize(runs["batched_numpy_reference_1_thread"], n, **common,
                                                      blas_threads=1),
        "torch_reference": None,
    }
    if torch_reason is None:
        cases["torch_reference"] = summarize(runs["torch_reference"], n, **common, **torch_info)
        cases["torch_reference_1_thread"] = summarize(runs["torch_reference_1_thread"], n, **common, **torch_info_1)
    result["cases"] = cases
    result["torch_reason"] = torch_reason
    eng = cases["engine_m10"]["seconds_per_epoch"]
    ratios = {
        "engine_vs_per_example": cases["per_example_reference"]["seconds_per_epoch"] / eng,
        "engine_vs_batched_numpy": cases["batched_numpy_reference"]["seconds_per_epoch"] / eng,
        "engine_vs_batched_numpy_1_thread": cases["batched_numpy_reference_1_thread"]["seconds_per_epoch"] / eng,
        "engine_vs_torch": cases["torch_reference"]["seconds_per_epoch"] / eng if cases["torch_reference"] else None,
    }
    if cases.get("torch_reference_1_thread"):
        ratios["engine_vs_torch_1_thread"] = cases["torch_reference_1_thread"]["seconds_per_epoch"] / eng
    result["ratios"] = ratios
    result["ratios_meaning"] = "reference seconds per epoch / engine seconds per epoch (higher: engine faster)"

    # ---- large mini-batches: how close to the machine's matmul rate
    big_sizes, big_m = [784, 100, 10], 1000
    big_m = min(big_m, n)
    runs = list(time_engine(images, labels, big_sizes, big_m, repeats))
    sec = statistics.median(runs)
    params = sum((a + 1) * b for a, b in zip(big_sizes[:-1], big_sizes[1:]))
    steps = -(-n // big_m)
    flop_6p = 6 * params * n
    flop_actual = engine_matmul_flops(big_sizes, big_m) * steps
    threads = blas_threads_for(big_sizes, big_m)
    with threadpool_limits(threads) if threads else _null():
        rate_shapes = matmul_rate_training_shapes(big_sizes, big_m, matmul_seconds)
    rate_square = matmul_rate_square(500 if args.quick else 2000, matmul_seconds)
    e6, ea = flop_6p / sec / 1e9, flop_actual / sec / 1e9
    result["large_batch"] = {
        "sizes": big_sizes, "m": big_m, "parameters": params,
        "blas_threads": threads or "all",
        **summarize(runs, n),
        "engine_gflops_6_params": e6,
        "engine_gflops_actual_matmuls": ea,
        "matmul_gflops_training_shapes": rate_shapes,
        "matmul_gflops_square": rate_square,
        "square_n": 500 if args.quick else 2000,
        "fraction_6_params_vs_training_shapes": e6 / rate_shapes,
        "fraction_6_params_vs_square": e6 / rate_square,
        "fraction_actual_vs_training_shapes": ea / rate_shapes,
        "fraction_actual_vs_square": ea / rate_square,
        "note": ("6·params FLOP/example is the usual convention; the engine's products are really "
                 f"{engine_matmul_flops(big_sizes, big_m) / big_m:.0f} FLOP/example (no BP2 into the input "
                 f"layer) against 6·params = {6 * params}. Matmul rates: best of repeated timings; training "
                 "shapes = the step's five products back to back with the engine's layouts and BLAS threads; "
                 "square = one n×n float32 sgemm, all threads."),
    }
    if args.threads_sweep:
        result["threads_sweep"] = threads_sweep(images, labels, repeats)
    result["total_seconds"] = time.perf_counter() - t_start
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    sys.exit(main())
