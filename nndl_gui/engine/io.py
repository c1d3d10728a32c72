"""Saving and loading networks: NumPy ``.npz`` and the book's network2.py JSON, both ways.

network2.py's JSON (BOOK.md "Formats"):
    {"sizes": [...], "weights": [y×x nested lists, ...], "biases": [[[b1], [b2], ...], ...],
     "cost": "CrossEntropyCost" | "QuadraticCost"}
with sigmoid activations.  We write exactly that, plus an optional "nndl_gui" object recording a
non-sigmoid activation or a softmax output (network2.py ignores keys it does not know).

Files are written atomically (a temporary file in the same folder, then rename), so a crash mid-save
leaves the old file intact.  Loading never unpickles and never trusts a file: every problem raises
``NetworkFileError`` with a sentence naming the file and what is wrong.
"""

from __future__ import annotations

import io as _io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .costs import COSTS, get_cost
from .network import Network

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PARAMETERS = 50_000_000
FORMAT_VERSION = 1


class NetworkFileError(ValueError):
    """A network file that cannot be read or written; the message names the file and the problem."""


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file + fsync + rename: never a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# ---------------------------------------------------------------------------------------------- JSON
def to_json_dict(net: Network) -> dict:
    """The network as network2.py's JSON structure (plain lists of floats)."""
    d = {
        "sizes": list(net.sizes),
        "weights": [w.astype(np.float64).tolist() for w in net.weights],
        "biases": [b.astype(np.float64).reshape(-1, 1).tolist() for b in net.biases],
        "cost": net.cost.book_name,
    }
    if net.activation.name != "sigmoid" or net.output.name != "sigmoid":
        d["nndl_gui"] = {"activation": net.activation.name, "output": net.output.name, "version": FORMAT_VERSION}
    return d


def from_json_dict(data, *, source: str = "network", dtype=np.float32) -> Network:
    """Build a Network from network2.py's JSON structure, checking every key, type and shape."""

    def fail(msg):
        raise NetworkFileError(f"{source}: {msg}")

    if not isinstance(data, dict):
        fail(f"expected a JSON object with sizes, weights, biases and cost, got {type(data).__name__}")
    missing = [k for k in ("sizes", "weights", "biases", "cost") if k not in data]
    if missing:
        fail(f"missing key{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)}")
    extra = sorted(set(data) - {"sizes", "weights", "biases", "cost", "nndl_gui"})
    if extra:
        fail(f"unexpected key{'s' if len(extra) > 1 else ''} {', '.join(repr(k) for k in extra)}")
    sizes = data["sizes"]
    if not (isinstance(sizes, list) and len(sizes) >= 2 and all(type(s) is int and 1 <= s <= 100_000 for s in sizes)):
        fail(f"'sizes' must be a list of at least two positive whole numbers, got {_short(sizes)}")
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMETERS:
        fail(f"sizes {sizes} would need {n_params:,} parameters (limit {MAX_PARAMETERS:,})")
    cost = data["cost"]
    if not isinstance(cost, str) or cost not in [c.book_name for c in COSTS.values()]:
        fail(f"'cost' must be one of {', '.join(repr(c.book_name) for c in COSTS.values())}, got {_short(cost)}")
    extra_info = data.get("nndl_gui", {})
    if not isinstance(extra_info, dict):
        fail("'nndl_gui' must be an object")
    activation = extra_info.get("activation", "sigmoid")
    output = extra_info.get("output", "sigmoid")
    if activation not in HIDDEN_ACTIVATIONS:
        fail(f"unknown activation {_short(activation)}")
    if output not in OUTPUT_ACTIVATIONS:
        fail(f"unknown output activation {_short(output)}")
    weights, biases = data["weights"], data["biases"]
    layers = len(sizes) - 1
    if not isinstance(weights, list) or len(weights) != layers:
        fail(f"'weights' must be a list of {layers} matrices for sizes {sizes}")
    if not isinstance(biases, list) or len(biases) != layers:
        fail(f"'biases' must be a list of {layers} column vectors for sizes {sizes}")
    ws, bs = [], []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        ws.append(_matrix(weights[i], (n_out, n_in), f"weights[{i}] (w^{i + 2})", fail))
        bs.append(_matrix(biases[i], (n_out, 1), f"biases[{i}] (b^{i + 2})", fail)[:, 0])
    net = Network(sizes, activation=activation, output=output, cost=get_cost(cost).name, dtype=dtype, rng=0)
    net.set_parameters(ws, bs)
    return net


def _matrix(value, shape, name, fail) -> np.ndarray:
    if not isinstance(value, list) or len(value) != shape[0]:
        fail(f"{name} should be {shape[0]} rows of {shape[1]} numbers")
    for row in value:
        if not isinstance(row, list) or len(row) != shape[1]:
            fail(f"{name} should be {shape[0]} rows of {shape[1]} numbers; a row has "
                 f"{len(row) if isinstance(row, list) else type(row).__name__}")
        for v in row:
            if type(v) not in (int, float):
                fail(f"{name} contains {_short(v)}, not a number")
    arr = np.array(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        fail(f"{name} contains NaN or infinity")
    return arr


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------------------- npz
def to_npz_bytes(net: Network) -> bytes:
    arrays = {"format_version": np.array(FORMAT_VERSION), "sizes": np.array(net.sizes, dtype=np.int64),
              "activation": np.array(net.activation.name), "output": np.array(net.output.name),
              "cost": np.array(net.cost.name)}
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{i}"] = np.ascontiguousarray(w)
        arrays[f"b{i}"] = np.ascontiguousarray(b)
    buf = _io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def from_npz(file, *, source: str = "network", dtype=None) -> Network:
    def fail(msg):
        raise NetworkFileError(f"{source}: {msg}")

    try:
        with np.load(file, allow_pickle=False) as z:
            keys = set(z.files)
            missing = [k for k in ("sizes", "activation", "output", "cost") if k not in keys]
            if missing:
                fail(f"missing array{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            sizes_arr = z["sizes"]
            if sizes_arr.ndim != 1 or sizes_arr.dtype.kind not in "iu" or len(sizes_arr) < 2:
                fail(f"'sizes' must be a list of at least two whole numbers, got {_short(sizes_arr.tolist())}")
            sizes = [int(s) for s in sizes_arr]
            if any(s < 1 or s > 100_000 for s in sizes):
                fail(f"'sizes' must be positive (and at most 100000), got {sizes}")
            names = {}
            for key in ("activation", "output", "cost"):
                arr = z[key]
                if arr.ndim != 0 or arr.dtype.kind != "U":
                    fail(f"'{key}' must be a string")
                names[key] = str(arr)
            if names["activation"] not in HIDDEN_ACTIVATIONS:
                fail(f"unknown activation {names['activation']!r}")
            if names["output"] not in OUTPUT_ACTIVATIONS:
                fail(f"unknown output activation {names['output']!r}")
            if names["cost"] not in COSTS:
                fail(f"unknown cost {names['cost']!r}")
            layers = len(sizes) - 1
            expected = {f"w{i}" for i in range(layers)} | {f"b{i}" for i in range(layers)}
            if expected - keys:
                fail(f"missing arrays {', '.join(sorted(expected - keys))} for sizes {sizes}")
            extra = keys - expected - {"sizes", "activation", "output", "cost", "format_version"}
            if extra:
                fail(f"unexpected arrays {', '.join(sorted(extra))}")
            ws, bs = [], []
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                w, b = z[f"w{i}"], z[f"b{i}"]
                for name, arr, shape in ((f"w{i} (w^{i + 2})", w, (n_out, n_in)), (f"b{i} (b^{i + 2})", b, (n_out,))):
                    if arr.dtype.kind != "f":
                        fail(f"{name} must hold floating-point numbers, got {arr.dtype}")
                    if arr.shape != shape:
                        fail(f"{name} should have shape {shape} for sizes {sizes}, got {arr.shape}")
                    if not np.all(np.isfinite(arr)):
                        fail(f"{name} contains NaN or infinity")
                ws.append(w)
                bs.append(b)
            dtype = dtype or (np.float64 if ws[0].dtype == np.float64 else np.float32)
    except NetworkFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        fail(f"not a readable .npz network file ({exc})")
    net = Network(sizes, activation=names["activation"], output=names["output"], cost=names["cost"], dtype=dtype, rng=0)
    net.set_parameters(ws, bs)
    return net


# ---------------------------------------------------------------------------------------------- files
def save_network(net: Network, path: str | os.PathLike) -> Path:
    """Save to ``.npz`` or, for a ``.json`` name, network2.py's JSON.  Atomic."""
    path = Path(path)
    if not isinstance(net, Network):  # a chapter-6 ConvNet (a list of layers) has its own format
        from .convnet_io import save_convnet
        return save_convnet(net, path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = json.dumps(to_json_dict(net)).encode("utf-8")
    elif suffix == ".npz":
        data = to_npz_bytes(net)
    else:
        raise NetworkFileError(f"{path.name}: choose a .npz or .json file name to save a network")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise NetworkFileError(f"{path}: could not save ({exc.strerror or exc})") from exc
    return path


def load_network(path: str | os.PathLike, *, dtype=None) -> Network:
    """Load a ``.npz`` or network2.py JSON file (recognised by content, not only by name)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise NetworkFileError(f"{path}: file is {size / 2**20:.0f} MiB, too large for a network")
        raw = path.read_bytes()
    except NetworkFileError:
        raise
    except OSError as exc:
        raise NetworkFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    from . import convnet_io  # chapter 6: a ConvNet file (npz with a layer spec, or its JSON)
    if convnet_io.is_convnet_bytes(raw):
        return convnet_io.from_bytes(raw, source=str(path), dtype=dtype)
    if raw[:2] == b"PK":
        return from_npz(_io.BytesIO(raw), source=str(path), dtype=dtype)
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NetworkFileError(f"{path}: neither a .npz archive nor valid JSON ({exc})") from None
    except RecursionError:
        raise NetworkFileError(f"{path}: JSON is nested too deeply") from None
    return from_json_dict(data, source=str(path), dtype=dtype or np.float32)
