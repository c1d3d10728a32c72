"""Peak memory (RSS) and time of loading hostile files: npz zip bombs, /dev/zero, a lying npz header.

Each case runs in a fresh Python process that loads the file the way the app does (engine.io.load_network,
data.idx.read_idx, classify.read_gray) and reports its own peak RSS (getrusage ru_maxrss), the time and
the error message.  A baseline case (loading the shipped pretrained network) gives the interpreter's own
footprint in the same run.  Target (issue 15): every hostile case under 300 MB.  Prints one JSON object.

    python benchmarks/hostile_files.py [--bomb-gib 4]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIMIT_MB = 300

CHILD = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
error = None
try:
    if kind == "network":
        from nndl_gui.engine.io import load_network
        load_network(path)
    elif kind == "idx":
        from nndl_gui.data.idx import read_idx
        read_idx(path)
    elif kind == "image":
        from nndl_gui.classify import read_gray
        read_gray(path)
except Exception as exc:
    error = f"{type(exc).__name__}: {exc}"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
print(json.dumps({"peak_rss_mb": round(peak, 1), "seconds": round(time.perf_counter() - t, 3),
                  "error": error}))
"""


def npy_header(shape, descr="<f8") -> bytes:
    d = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)}).encode("latin1")
    d += b" " * (64 - (10 + len(d) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d


def npy(arr) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, np.asarray(arr))
    return buf.getvalue()


def small_members() -> dict[str, bytes]:
    import numpy as np

    return {"sizes": npy(np.array([784, 30, 10])), "activation": npy(np.array("sigmoid")),
            "output": npy(np.array("sigmoid")), "cost": npy(np.array("quadratic")),
            "w0": npy(np.zeros((30, 784))), "b0": npy(np.zeros(30)), "w1": npy(np.zeros((10, 30))),
            "b1": npy(np.zeros(10))}


def write_bomb(path: Path, members: dict[str, bytes], big: str, header: bytes, zero_bytes: int) -> None:
    """An npz whose member ``big`` is ``header`` followed by ``zero_bytes`` zeros, deflated (a zip bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            if name != big:
                zf.writestr(name + ".npy", data)
        with zf.open(big + ".npy", "w", force_zip64=True) as f:
            f.write(header)
            chunk = bytes(1 << 24)
            left = zero_bytes
            while left:
                n = min(left, len(chunk))
                f.write(chunk[:n])
                left -= n


def run_case(kind: str, path: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", CHILD, kind, path], capture_output=True, text=True, env=env,
                          timeout=600)
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"peak_rss_mb": None, "error": f"child failed (exit {proc.returncode}): {proc.stderr[-300:]}"}
    if result.get("error") and len(result["error"]) > 200:
        result["error"] = result["error"][:197] + "..."
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bomb-gib", type=float, default=4.0, help="decompressed size of the w0 bomb (GiB)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from nndl_gui.jobs.draw import pretrained_path

    cases = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        members = small_members()
        w0_bytes = int(args.bomb_gib * 2**30)
        write_bomb(tmp / "w0-bomb.npz", members, "w0", npy_header((w0_bytes // (8 * 784), 784)), w0_bytes)
        write_bomb(tmp / "sizes-bomb.npz", members, "sizes", npy_header((2**28,), "<i8"), 2**28 * 8)
        with zipfile.ZipFile(tmp / "8tib-header.npz", "w") as zf:
            for name, data in members.items():
                zf.writestr(name + ".npy", npy_header((2**40,), "<i8") if name == "sizes" else data)
        files = {
            "baseline: shipped network": ("network", str(pretrained_path())),
            f"npz bomb: w0 deflates to {args.bomb_gib:g} GiB": ("network", str(tmp / "w0-bomb.npz")),
            "npz bomb: sizes = 2^28 zeros (2 GiB)": ("network", str(tmp / "sizes-bomb.npz")),
            "npz header claiming 8 TiB": ("network", str(tmp / "8tib-header.npz")),
            "network: /dev/zero": ("network", "/dev/zero"),
            "IDX: /dev/zero": ("idx", "/dev/zero"),
            "image (classify): /dev/zero": ("image", "/dev/zero"),
        }
        for name, (kind, path) in files.items():
            result = run_case(kind, path)
            if path.startswith(str(tmp)):
                result["file_mb"] = round(os.path.getsize(path) / 2**20, 2)
            cases[name] = result
    hostile = [c["peak_rss_mb"] for n, c in cases.items() if not n.startswith("baseline")]
    print(json.dumps({"limit_mb": LIMIT_MB, "max_hostile_peak_rss_mb": max(h or 1e9 for h in hostile),
                      "all_under_limit": all(h is not None and h < LIMIT_MB for h in hostile),
                      "cases": cases}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
