"""Saving and loading networks: NumPy ``.npz`` and the book's network2.py JSON, both ways.

network2.py's JSON (BOOK.md "Formats"):
    {"sizes": [...], "weights": [y×x nested lists, ...], "biases": [[[b1], [b2], ...], ...],
     "cost": "CrossEntropyCost" | "QuadraticCost"}
with sigmoid activations.  We write exactly that, plus an optional "nndl_gui" object recording a
non-sigmoid activation or a softmax output (network2.py ignores keys it does not know).  Such a network,
or one with the log-likelihood cost, is one the book's ``network2.load`` would misread (as sigmoid) or fail
on: ``book_compatibility(net)`` says why, and ``save_network`` refuses to write it as JSON unless
``allow_incompatible=True`` (the app's own ``.npz`` keeps everything).

One size limit for saving and loading: at most ``MAX_PARAMETERS`` parameters and ``MAX_FILE_BYTES`` per
file; ``save_problem(sizes, path)`` says before training whether a network of those sizes can be saved
there.  Files are written with ``engine.files.atomic_write`` (a crash mid-save leaves the old file
intact) and read with ``engine.files.read_bounded`` (regular files only, reads bounded by bytes read).
In an ``.npz`` every member's shape, dtype and size are checked from its header before its data is read,
so a zip bomb costs nothing.  Loading never unpickles and never trusts a file: every problem raises
``NetworkFileError`` with a sentence naming the file and what is wrong (never a whole array).
Loading goes in bounded pieces (the read, the JSON parse, each row's check, each member's data) with
``cancel()`` checked between them (``engine.cancel``): a large file never freezes the app or holds up its
closing.
"""

from __future__ import annotations

import io as _io
import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np

from . import json_pieces
from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .cancel import Cancel, check
from .costs import COSTS, get_cost
from .files import UnsafeFileError, atomic_write, read_bounded
from .network import Network

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PARAMETERS = 50_000_000
# A float64 in our JSON takes at most 24 characters ("-1.2345678901234567e-308") plus ", ".
JSON_BYTES_PER_NUMBER = 26
MAX_JSON_PARAMETERS = MAX_FILE_BYTES // JSON_BYTES_PER_NUMBER
MAX_LAYERS = 1000
_PIECE = 8 << 20  # bytes of an .npz member read at once
FORMAT_VERSION = 1
BOOK_COSTS = ("QuadraticCost", "CrossEntropyCost")  # the cost classes network2.py defines


class NetworkFileError(ValueError):
    """A network file that cannot be read or written; the message names the file and the problem."""


def parameter_count(sizes) -> int:
    """Weights and biases of a fully connected network with these layer sizes."""
    return sum((int(a) + 1) * int(b) for a, b in zip(sizes[:-1], sizes[1:]))


def save_problem(sizes, path: str | os.PathLike) -> str | None:
    """Why a network of ``sizes`` cannot be saved to ``path`` (by its suffix) and loaded back, or None."""
    n = parameter_count(sizes)
    if n > MAX_PARAMETERS:
        return (f"a network of sizes {list(sizes)} has {n:,} parameters, over the limit of "
                f"{MAX_PARAMETERS:,} that the app saves and loads")
    if Path(path).suffix.lower() == ".json" and n > MAX_JSON_PARAMETERS:
        return (f"a network of sizes {list(sizes)} has {n:,} parameters: as JSON that is up to "
                f"{n * JSON_BYTES_PER_NUMBER / 2**20:,.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB file "
                f"limit (JSON holds at most {MAX_JSON_PARAMETERS:,} parameters); save as .npz instead")
    return None


def book_compatibility(net: Network) -> str | None:
    """None when the book's network2.py reads this network's JSON as this network; else why it does not."""
    if net.cost.book_name not in BOOK_COSTS:
        return (f"the book's network2.py cannot load it: it has no {net.cost.book_name} "
                f"(only {' and '.join(BOOK_COSTS)})")
    odd = [f"{where} layers are {name}" for where, name in (("hidden", net.activation.name),
                                                           ("output", net.output.name)) if name != "sigmoid"]
    if odd:
        return f"the book's network2.py would load it as a sigmoid network, but its {' and its '.join(odd)}"
    return None


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


def from_json_dict(data, *, source: str = "network", dtype=np.float32, cancel: Cancel = None) -> Network:
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
    n_params = parameter_count(sizes)
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
    if not isinstance(activation, str) or activation not in HIDDEN_ACTIVATIONS:
        fail(f"unknown activation {_short(activation)}")
    if not isinstance(output, str) or output not in OUTPUT_ACTIVATIONS:
        fail(f"unknown output activation {_short(output)}")
    weights, biases = data["weights"], data["biases"]
    layers = len(sizes) - 1
    if not isinstance(weights, list) or len(weights) != layers:
        fail(f"'weights' must be a list of {layers} matrices for sizes {sizes}")
    if not isinstance(biases, list) or len(biases) != layers:
        fail(f"'biases' must be a list of {layers} column vectors for sizes {sizes}")
    ws, bs = [], []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        ws.append(_matrix(weights[i], (n_out, n_in), f"weights[{i}] (w^{i + 2})", fail, dtype, cancel))
        bs.append(_matrix(biases[i], (n_out, 1), f"biases[{i}] (b^{i + 2})", fail, dtype, cancel)[:, 0])
    net = Network(sizes, activation=activation, output=output, cost=get_cost(cost).name, dtype=dtype, rng=0)
    net.set_parameters(ws, bs)
    return net


def _matrix(value, shape, name, fail, dtype, cancel: Cancel = None) -> np.ndarray:
    """The nested lists ``value`` as a float64 array of ``shape``, row by row (``cancel`` checked)."""
    if not isinstance(value, list) or len(value) != shape[0]:
        fail(f"{name} should be {shape[0]} rows of {shape[1]} numbers")
    arr = np.empty(shape, np.float64)
    for i, row in enumerate(value):
        if i % 64 == 0:
            check(cancel)
        if not isinstance(row, list) or len(row) != shape[1]:
            fail(f"{name} should be {shape[0]} rows of {shape[1]} numbers; a row has "
                 f"{len(row) if isinstance(row, list) else type(row).__name__}")
        if not set(map(type, row)) <= {int, float}:
            bad = next(v for v in row if type(v) not in (int, float))
            fail(f"{name} contains {_short(bad)}, not a number")
        try:
            arr[i] = row
        except OverflowError:  # a whole number beyond float64, e.g. 1 followed by 400 zeros
            fail(f"{name} contains a number too large for a float (over {np.finfo(np.float64).max:.3g})")
    _check_values(arr, name, fail, dtype)
    return arr


def _check_values(arr: np.ndarray, name: str, fail, dtype) -> None:
    """Refuse NaN, infinities and values that would overflow to infinity in ``dtype`` (e.g. 1e300 in float32)."""
    if not np.all(np.isfinite(arr)):
        fail(f"{name} contains NaN or infinity")
    if arr.size:
        biggest = float(np.max(np.abs(arr)))
        limit = float(np.finfo(dtype).max)
        if biggest > limit:
            fail(f"{name} contains {biggest:.3g}, which is infinite in {np.dtype(dtype).name} (largest "
                 f"{limit:.3g}); load it as float64")


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


def from_npz(file, *, source: str = "network", dtype=None, cancel: Cancel = None) -> Network:
    """Build a Network from our ``.npz`` (a path, file object or bytes), checking every member's header first."""

    def fail(msg):
        raise NetworkFileError(f"{source}: {msg}")

    if isinstance(file, (bytes, bytearray)):
        file = _io.BytesIO(file)
    try:
        with zipfile.ZipFile(file) as zf:
            reader = _NpyReader(zf, fail, max_members=2 * MAX_LAYERS + 8, cancel=cancel)
            keys = set(reader.members)
            missing = [k for k in ("sizes", "activation", "output", "cost") if k not in keys]
            if missing:
                fail(f"missing array{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            sizes_arr = reader.read("sizes", kinds="iu", max_items=MAX_LAYERS + 1)
            if sizes_arr.ndim != 1 or len(sizes_arr) < 2:
                fail(f"'sizes' must be a list of at least two whole numbers, got {_short(sizes_arr.tolist())}")
            sizes = [int(s) for s in sizes_arr]
            if any(s < 1 or s > 100_000 for s in sizes):
                fail(f"'sizes' must be positive (and at most 100000), got {_short(sizes)}")
            n_params = parameter_count(sizes)
            if n_params > MAX_PARAMETERS:
                fail(f"sizes {_short(sizes)} would need {n_params:,} parameters (limit {MAX_PARAMETERS:,})")
            names = {}
            for key in ("activation", "output", "cost"):
                arr = reader.read(key, kinds="U", max_items=1, max_itemsize=4 * 64)
                if arr.ndim != 0:
                    fail(f"'{key}' must be a string")
                names[key] = str(arr)
            if names["activation"] not in HIDDEN_ACTIVATIONS:
                fail(f"unknown activation {_short(names['activation'])}")
            if names["output"] not in OUTPUT_ACTIVATIONS:
                fail(f"unknown output activation {_short(names['output'])}")
            if names["cost"] not in COSTS:
                fail(f"unknown cost {_short(names['cost'])}")
            layers = len(sizes) - 1
            expected = {f"w{i}" for i in range(layers)} | {f"b{i}" for i in range(layers)}
            if expected - keys:
                fail(f"missing arrays {', '.join(sorted(expected - keys))} for sizes {sizes}")
            extra = keys - expected - {"sizes", "activation", "output", "cost", "format_version"}
            if extra:
                fail(f"unexpected arrays {_short(', '.join(sorted(extra)))}")
            if "format_version" in keys:
                reader.read("format_version", kinds="iu", max_items=1)
            ws, bs = [], []
            file_dtype = None
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                w = reader.read(f"w{i}", kinds="f", shape=(n_out, n_in), label=f"w{i} (w^{i + 2})", sizes=sizes)
                b = reader.read(f"b{i}", kinds="f", shape=(n_out,), label=f"b{i} (b^{i + 2})", sizes=sizes)
                file_dtype = file_dtype or w.dtype
                ws.append(w)
                bs.append(b)
            dtype = dtype or (np.float64 if file_dtype == np.float64 else np.float32)
            for i, (w, b) in enumerate(zip(ws, bs)):
                _check_values(w, f"w{i} (w^{i + 2})", fail, dtype)
                _check_values(b, f"b{i} (b^{i + 2})", fail, dtype)
    except NetworkFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        fail(f"not a readable .npz network file ({_short(str(exc))})")
    net = Network(sizes, activation=names["activation"], output=names["output"], cost=names["cost"], dtype=dtype, rng=0)
    net.set_parameters(ws, bs)
    return net


class _NpyReader:
    """Reads members of an open .npz one at a time: header first (dtype, shape, size checked), then data.
    ``members`` maps array names to zip entries; an entry that is not an ``.npy`` array, or more than
    ``max_members`` of them, fails at once, before anything is read."""

    def __init__(self, zf: zipfile.ZipFile, fail, *, max_members: int, cancel: Cancel = None):
        self.zf, self.fail, self.cancel = zf, fail, cancel
        self.members = {}
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                fail(f"unexpected member {_short(info.filename)} (an .npz holds .npy arrays only)")
            self.members[info.filename[:-4]] = info
            if len(self.members) > max_members:
                fail("too many arrays for a network")

    def read(self, key: str, *, kinds: str, shape: tuple | None = None, max_items: int | None = None,
             max_itemsize: int = 8, label: str | None = None, sizes=None) -> np.ndarray:
        fmt = np.lib.format
        name = label or f"'{key}'"
        with self.zf.open(self.members[key]) as f:
            version = fmt.read_magic(f)
            if version == (1, 0):
                got_shape, fortran, dt = fmt.read_array_header_1_0(f)
            elif version in ((2, 0), (3, 0)):
                got_shape, fortran, dt = fmt.read_array_header_2_0(f)
            else:
                self.fail(f"{name}: unsupported .npy version {version}")
            if dt.hasobject or dt.kind not in kinds or dt.itemsize > max_itemsize or dt.fields is not None:
                wanted = {"f": "floating-point numbers", "iu": "whole numbers", "U": "a string"}[kinds]
                self.fail(f"{name} must hold {wanted}, got {dt}")
            if shape is not None and tuple(got_shape) != shape:
                self.fail(f"{name} should have shape {shape} for sizes {sizes}, got {_short(tuple(got_shape))}")
            count = math.prod(got_shape)
            if max_items is not None and count > max_items:
                self.fail(f"{name} declares shape {_short(tuple(got_shape))}, too many values "
                          f"(at most {max_items:,})")
            nbytes = count * dt.itemsize
            data = bytearray()
            while len(data) <= nbytes:  # in pieces, ``cancel`` checked between them; one byte too many = too long
                check(self.cancel)
                piece = f.read(min(_PIECE, nbytes + 1 - len(data)))
                if not piece:
                    break
                data += piece
        if len(data) != nbytes:
            self.fail(f"{name}: the data is {'longer' if len(data) > nbytes else 'shorter'} than its header's "
                      f"shape {_short(tuple(got_shape))} says")
        arr = np.frombuffer(data, dtype=dt, count=count)
        return arr.reshape(got_shape, order="F" if fortran else "C")


# ---------------------------------------------------------------------------------------------- files
def save_network(net: Network, path: str | os.PathLike, *, allow_incompatible: bool = False) -> Path:
    """Save to ``.npz`` or, for a ``.json`` name, network2.py's JSON.  Atomic; returns the path.

    Refuses (NetworkFileError) a network with NaN or infinite parameters (a diverged run never replaces a
    good file), one over the size limit (``save_problem``), and JSON the book's network2.py would misread or
    fail on (``book_compatibility``) unless ``allow_incompatible``.
    """
    path = Path(path)
    if not isinstance(net, Network):  # a chapter-6 ConvNet (a list of layers) has its own format
        from .convnet_io import save_convnet
        return save_convnet(net, path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".npz"):
        raise NetworkFileError(f"{path.name}: choose a .npz or .json file name to save a network")
    problem = save_problem(net.sizes, path)
    if problem:
        raise NetworkFileError(f"{path}: cannot save: {problem}")
    if not all(np.all(np.isfinite(p)) for p in net.params):
        raise NetworkFileError(f"{path}: not saved: the network's weights or biases are NaN or infinite "
                               "(training diverged); the file was left as it was")
    if suffix == ".json":
        book = book_compatibility(net)
        if book and not allow_incompatible:
            raise NetworkFileError(f"{path}: not saved as JSON: {book}; save as .npz (the app's own format) "
                                   "to keep everything")
        data = json.dumps(to_json_dict(net), allow_nan=False).encode("utf-8")
    else:
        data = to_npz_bytes(net)
    return write_network_file(path, data)


def write_network_file(path: Path, data: bytes) -> Path:
    """The last step of every network save: the file-size limit, then one atomic write; errors name the file."""
    if len(data) > MAX_FILE_BYTES:
        raise NetworkFileError(f"{path}: cannot save: the file would be {len(data) / 2**20:,.0f} MiB, over the "
                               f"{MAX_FILE_BYTES // 2**20} MiB limit")
    try:
        atomic_write(path, data)
    except UnsafeFileError as exc:
        raise NetworkFileError(str(exc)) from None
    except OSError as exc:
        raise NetworkFileError(f"{path}: could not save ({exc.strerror or exc})") from exc
    return path


def load_network(path: str | os.PathLike, *, dtype=None, cancel: Cancel = None) -> Network:
    """Load a ``.npz`` or network2.py JSON file (recognised by content, not only by name).

    ``dtype``: None keeps an ``.npz``'s float64 and reads JSON as float32 (the app's default); pass
    ``np.float64`` to keep every digit of a book file.  ``cancel``: see ``engine.cancel``.
    """
    try:
        raw = read_bounded(path, MAX_FILE_BYTES, "network", cancel=cancel)
    except UnsafeFileError as exc:
        raise NetworkFileError(str(exc)) from None
    except OSError as exc:
        raise NetworkFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    from . import convnet_io  # chapter 6: a ConvNet file (npz with a layer spec, or its JSON)
    if convnet_io.is_convnet_bytes(raw):
        return convnet_io.from_bytes(raw, source=str(path), dtype=dtype)
    if raw[:2] == b"PK":
        return from_npz(raw, source=str(path), dtype=dtype, cancel=cancel)
    try:
        text = raw.decode("utf-8")
        del raw
        data = json_pieces.loads(text, cancel=cancel)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NetworkFileError(f"{path}: neither a .npz archive nor valid JSON ({exc})") from None
    except (RecursionError, json_pieces.JSONDepthError):
        raise NetworkFileError(f"{path}: JSON is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise NetworkFileError(f"{path}: unreadable JSON ({_short(str(exc))})") from None
    return from_json_dict(data, source=str(path), dtype=dtype or np.float32, cancel=cancel)
