"""Saving and loading chapter-6 networks (``ConvNet``): ``.npz`` and JSON, both validated.

``.npz`` (``allow_pickle=False``): ``format`` = "nndl-gui-convnet", ``format_version``, ``spec`` (the layer
spec as a JSON string, see engine.convnet), ``input_shape`` (h, w, c), and ``w0, b0, w1, b1, ...`` — conv
filters (f, c, k, k) as network3.py's filter_shape, FC and softmax weights (n_in, n_out), biases (n_out,).
Weights may be stored as float16, float32 or float64 (``save_convnet(..., dtype=np.float16)`` halves a
shipped file); they load as float32 unless asked otherwise.

JSON: ``{"format": "nndl-gui-convnet", "format_version": 1, "input_shape": [...], "layers": [...spec...],
"weights": [nested lists], "biases": [lists]}``.

``engine.io.load_network`` / ``save_network`` hand these files here, so every place that opens a network
(``classify --network``, File ▸ Open) accepts both kinds.  Every problem raises ``NetworkFileError``
naming the file.
"""

from __future__ import annotations

import io as _io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .convnet import ConvNet, validate_spec
from .io import MAX_PARAMETERS, NetworkFileError, _check_values, _NpyReader, _short, write_network_file

FORMAT = "nndl-gui-convnet"
FORMAT_VERSION = 1
MAX_LAYERS = 100
MAX_SPEC_CHARS = 100_000


def is_convnet_bytes(raw: bytes) -> bool:
    """True when a file's bytes look like a saved ConvNet (npz with a layer spec, or our JSON)."""
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(_io.BytesIO(raw)) as z:
                return "spec.npy" in z.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
    return f'"format": "{FORMAT}"'.encode() in raw[:200]


def _expected_shapes(net: ConvNet) -> list[tuple[tuple, tuple]]:
    return [(layer.w.shape, layer.b.shape) for layer in net.layers]


def _build(spec, input_shape, arrays, source, dtype) -> ConvNet:
    def fail(msg):
        raise NetworkFileError(f"{source}: {msg}")

    if not (isinstance(input_shape, (list, tuple)) and len(input_shape) == 3
            and all(type(v) is int and 1 <= v <= 4096 for v in input_shape)):
        fail(f"input_shape must be three whole numbers (height, width, maps), got {input_shape!r}")
    try:
        spec = validate_spec(spec, tuple(input_shape))
    except ValueError as exc:
        fail(f"bad layer spec: {exc}")
    try:
        net = ConvNet(spec, input_shape=tuple(input_shape), rng=0, dtype=dtype)
    except (ValueError, MemoryError) as exc:
        fail(f"cannot build the network: {exc}")
    if net.num_parameters > MAX_PARAMETERS:
        fail(f"{net.num_parameters:,} parameters (limit {MAX_PARAMETERS:,})")
    if len(arrays) != len(net.layers):
        fail(f"{len(net.layers)} layers need {len(net.layers)} weight/bias pairs, got {len(arrays)}")
    for i, (layer, (w, b)) in enumerate(zip(net.layers, arrays)):
        for name, arr, target in ((f"w{i}", w, layer.w), (f"b{i}", b, layer.b)):
            if arr.dtype.kind != "f":
                fail(f"{name} must hold floating-point numbers, got {arr.dtype}")
            if arr.shape != target.shape:
                fail(f"{name} should have shape {target.shape} for layer {i + 1} ({spec[i]['type']}), "
                     f"got {_short(arr.shape)}")
            _check_values(arr, name, fail, dtype)  # NaN, infinity, or too large for dtype (1e300 in float32)
            target[...] = arr
    return net


# ---------------------------------------------------------------------------------------------- npz
def to_npz_bytes(net: ConvNet, dtype=None) -> bytes:
    arrays = {"format": np.array(FORMAT), "format_version": np.array(FORMAT_VERSION),
              "spec": np.array(json.dumps(net.spec)), "input_shape": np.array(net.input_shape, np.int64)}
    for i, layer in enumerate(net.layers):
        arrays[f"w{i}"] = np.ascontiguousarray(layer.w, dtype=dtype or layer.w.dtype)
        arrays[f"b{i}"] = np.ascontiguousarray(layer.b, dtype=dtype or layer.b.dtype)
    buf = _io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _names(keys) -> str:
    text = ", ".join(sorted(keys))
    return text if len(text) <= 80 else text[:77] + "..."


def from_npz_bytes(raw: bytes, *, source: str = "network", dtype=None) -> ConvNet:
    """A ConvNet from ``.npz`` bytes: every member's header (dtype, shape, size) is checked before its data
    is read (engine.io's reader), so a zip bomb or a lying header costs nothing."""
    def fail(msg):
        raise NetworkFileError(f"{source}: {msg}")

    try:
        with zipfile.ZipFile(_io.BytesIO(raw)) as zf:
            reader = _NpyReader(zf, fail, max_members=2 * MAX_LAYERS + 4)
            keys = set(reader.members)
            for key in ("format", "spec", "input_shape"):
                if key not in keys:
                    fail(f"missing array {key!r}: not a saved chapter-6 network")
            fmt = reader.read("format", kinds="U", max_items=1, max_itemsize=4 * 64)
            if fmt.ndim != 0 or str(fmt) != FORMAT:
                fail(f"'format' must be {FORMAT!r}")
            spec_text = reader.read("spec", kinds="U", max_items=1, max_itemsize=4 * MAX_SPEC_CHARS)
            if spec_text.ndim != 0:
                fail("'spec' must be a JSON string")
            try:
                spec = json.loads(str(spec_text))
            except (json.JSONDecodeError, RecursionError) as exc:
                fail(f"'spec' is not valid JSON ({_short(str(exc))})")
            shape = reader.read("input_shape", kinds="iu", max_items=3)
            if shape.shape != (3,):
                fail("'input_shape' must be three whole numbers")
            if "format_version" in keys:
                reader.read("format_version", kinds="iu", max_items=1)
            try:
                spec = validate_spec(spec, tuple(int(v) for v in shape))
            except ValueError as exc:
                fail(f"bad layer spec: {_short(str(exc))}")
            n = len(spec)
            expected = {f"w{i}" for i in range(n)} | {f"b{i}" for i in range(n)}
            if expected - keys:
                fail(f"missing arrays {_names(expected - keys)}")
            extra = keys - expected - {"format", "format_version", "spec", "input_shape"}
            if extra:
                fail(f"unexpected arrays {_names(extra)}")
            arrays, total = [], 0
            for i in range(n):
                pair = []
                for name in (f"w{i}", f"b{i}"):
                    arr = reader.read(name, kinds="f", max_items=MAX_PARAMETERS - total)
                    total += arr.size
                    pair.append(arr)
                arrays.append(tuple(pair))
            dtype = dtype or (np.float64 if n and arrays[0][0].dtype == np.float64 else np.float32)
            return _build(spec, [int(v) for v in shape], arrays, source, dtype)
    except NetworkFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        fail(f"not a readable .npz network file ({_short(str(exc))})")


# ---------------------------------------------------------------------------------------------- JSON
def to_json_dict(net: ConvNet) -> dict:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "input_shape": list(net.input_shape),
            "layers": net.spec,
            "weights": [layer.w.astype(np.float64).tolist() for layer in net.layers],
            "biases": [layer.b.astype(np.float64).tolist() for layer in net.layers]}


def from_json_dict(data, *, source: str = "network", dtype=np.float32) -> ConvNet:
    def fail(msg):
        raise NetworkFileError(f"{source}: {msg}")

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        fail(f"expected a JSON object with \"format\": {FORMAT!r}")
    known = {"format", "format_version", "input_shape", "layers", "weights", "biases"}
    if set(data) != known:
        missing, extra = known - set(data), set(data) - known
        fail(("missing " + ", ".join(sorted(missing)) if missing else "unexpected " + ", ".join(sorted(extra))))
    ws, bs = data["weights"], data["biases"]
    if not (isinstance(ws, list) and isinstance(bs, list) and len(ws) == len(bs)):
        fail("'weights' and 'biases' must be lists of the same length")
    arrays = []
    for i, (w, b) in enumerate(zip(ws, bs)):
        try:
            arrays.append((np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)))
        except (ValueError, TypeError) as exc:
            fail(f"weights/biases of layer {i + 1} are not arrays of numbers ({exc})")
    return _build(data["layers"], data["input_shape"], arrays, source, dtype)


# ---------------------------------------------------------------------------------------------- files
def from_bytes(raw: bytes, *, source: str = "network", dtype=None) -> ConvNet:
    """A ConvNet from a file's bytes (npz or JSON, told apart by content)."""
    if raw[:2] == b"PK":
        return from_npz_bytes(raw, source=source, dtype=dtype)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NetworkFileError(f"{source}: neither a .npz archive nor valid JSON ({exc})") from None
    except RecursionError:
        raise NetworkFileError(f"{source}: JSON is nested too deeply") from None
    return from_json_dict(data, source=source, dtype=dtype or np.float32)


def save_convnet(net: ConvNet, path: str | os.PathLike, *, dtype=None) -> Path:
    """Save to ``.npz`` (weights in ``dtype``, default the network's) or ``.json``.  Atomic."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".npz"):
        raise NetworkFileError(f"{path.name}: choose a .npz or .json file name to save a network")
    if not all(np.all(np.isfinite(layer.w)) and np.all(np.isfinite(layer.b)) for layer in net.layers):
        raise NetworkFileError(f"{path}: not saved: the network's weights or biases are NaN or infinite "
                               "(training diverged); the file was left as it was")
    if suffix == ".json":
        data = json.dumps(to_json_dict(net), allow_nan=False).encode("utf-8")
    else:
        data = to_npz_bytes(net, dtype)
    return write_network_file(path, data)
