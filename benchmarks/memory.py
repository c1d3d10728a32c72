"""Peak memory of a full-MNIST training run.  Prints ONE JSON object (and writes it to --out).

    python benchmarks/memory.py                      # [784,30,10], 2 epochs, full MNIST
    python benchmarks/memory.py --sizes 784,100,10 --epochs 1

The training runs in a fresh subprocess (``python -m nndl_gui train ... --json``), exactly as a user
would run it, so the figure includes the interpreter, NumPy, OpenBLAS and the data set.  The child
reports its own peak resident set size (VmHWM from /proc/self/status, else ru_maxrss) after training;
the parent also reads the child's ru_maxrss from resource.getrusage(RUSAGE_CHILDREN).  Target: < 300 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_MIB = 300

CHILD = r"""
import json, resource, sys
from nndl_gui import trainer

def peak_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024, "VmHWM"
    except OSError:
        pass
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (kb / 1024 if sys.platform != "darwin" else kb / 2**20), "ru_maxrss"

code = trainer.main(sys.argv[1:])
mib, how = peak_mib()
print(json.dumps({"event": "memory", "exit_code": code, "peak_rss_mib": mib, "measured_with": how}), flush=True)
sys.exit(code)
"""


def find_mnist(explicit: str | None) -> str | None:
    for c in (explicit, os.environ.get("NNDL_DATA_DIR"), str(REPO.parent / "shared" / "mnist")):
        if c and (Path(c) / "train-images-idx3-ubyte.gz").exists():
            return c
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="784,30,10")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--mini-batch", type=int, default=10)
    ap.add_argument("--data", help="MNIST folder (default: NNDL_DATA_DIR or ../shared/mnist; else the sample)")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    data = find_mnist(args.data)
    cmd = ["--sizes", args.sizes, "--epochs", str(args.epochs), "--mini-batch", str(args.mini_batch), "--json"]
    if data:
        cmd += ["--data", data]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    memory = next((r for r in lines if r.get("event") == "memory"), {})
    end = next((r for r in lines if r.get("event") == "end"), {})
    peak = memory.get("peak_rss_mib")
    result = {
        "benchmark": "nndl-gui peak memory of a training run",
        "command": "python -m nndl_gui train " + " ".join(cmd),
        "exit_code": proc.returncode,
        "data_source": end.get("data_source"),
        "is_sample": end.get("is_sample"),
        "epochs_done": end.get("epochs_done"),
        "best_test_accuracy": end.get("best_test_accuracy"),
        "peak_rss_mib": peak,
        "measured_with": memory.get("measured_with"),
        "children_ru_maxrss_mib": children_kb / 1024 if sys.platform != "darwin" else children_kb / 2**20,
        "target_mib": TARGET_MIB,
        "within_target": peak is not None and peak < TARGET_MIB,
        "wall_seconds": wall,
    }
    if proc.returncode != 0:
        result["stderr"] = proc.stderr.strip().splitlines()[-3:]
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
