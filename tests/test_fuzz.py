"""Property-based fuzzing of every file parser: whatever the bytes, a clear error or a good result.

Each parser may only ever raise its own error type (IdxError, NetworkFileError), whose message names
the file; any other exception, a hang or a huge allocation is a bug.
"""

import gzip
import io
import json
import struct

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nndl_gui.data.idx import IdxError, read_idx  # noqa: E402
from nndl_gui.engine.io import NetworkFileError, from_npz, load_network, to_json_dict  # noqa: E402
from nndl_gui.engine.network import Network  # noqa: E402

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def idx_header(ndim, dims, code=0x08):
    return bytes([0, 0, code, ndim]) + struct.pack(f">{len(dims)}I", *dims)


idx_like = st.one_of(
    st.binary(max_size=200),  # anything at all
    st.builds(  # a plausible header with arbitrary dims and a short or long body
        lambda ndim, dims, code, body: idx_header(ndim, dims[:ndim], code) + body,
        st.integers(1, 4), st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=4),
        st.sampled_from([0x08, 0x08, 0x09, 0x0D]), st.binary(max_size=300),
    ),
)


@FUZZ
@given(data=idx_like, gz=st.booleans(), cut=st.integers(0, 40))
def test_idx_reader_never_fails_unexpectedly(tmp_path, data, gz, cut):
    payload = gzip.compress(data) if gz else data
    if gz and cut:
        payload = payload[:-cut]  # truncated gzip stream
    path = tmp_path / "fuzz.idx.gz"
    path.write_bytes(payload)
    try:
        arr = read_idx(path)
    except IdxError as exc:
        assert "fuzz.idx.gz" in str(exc)
        return
    assert arr.dtype == np.uint8 and arr.size <= len(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@FUZZ
@given(value=json_values)
def test_network_json_reader_on_arbitrary_json(tmp_path, value):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(value))
    with pytest.raises(NetworkFileError, match="fuzz.json"):
        load_network(path)


def _mutations():
    """Paths into a valid network2 JSON and replacement values."""
    return st.tuples(
        st.sampled_from(["sizes", "weights", "biases", "cost", "nndl_gui"]),
        st.lists(st.integers(0, 3), max_size=3),
        json_values,
    )


@FUZZ
@given(mutation=_mutations())
def test_network_json_reader_on_mutated_valid_files(tmp_path, mutation):
    key, where, value = mutation
    d = to_json_dict(Network([3, 2, 2], rng=0))
    target = d
    path_keys = [key] + where
    try:
        for k in path_keys[:-1]:
            target = target[k]
        target[path_keys[-1]] = value
    except (IndexError, KeyError, TypeError):
        d[key] = value
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(d))
    try:
        net = load_network(path)
    except NetworkFileError as exc:
        assert "fuzz.json" in str(exc)
        return
    assert all(np.isfinite(p).all() for p in net.params)  # accepted only if it really is a network


arrays = st.one_of(
    st.builds(np.array, st.lists(st.integers(-3, 10), max_size=4)),
    st.builds(lambda s: np.array(s), st.text(max_size=10)),
    st.builds(lambda r, c, v: np.full((r, c), v), st.integers(0, 4), st.integers(0, 4),
              st.floats(allow_nan=True, allow_infinity=True)),
)


@FUZZ
@given(contents=st.dictionaries(
    st.sampled_from(["sizes", "activation", "output", "cost", "w0", "b0", "w1", "b1", "x"]), arrays, max_size=9))
def test_npz_reader_on_arbitrary_archives(contents):
    buf = io.BytesIO()
    np.savez(buf, **contents)
    try:
        net = from_npz(io.BytesIO(buf.getvalue()), source="fuzz.npz")
    except NetworkFileError as exc:
        assert "fuzz.npz" in str(exc)
        return
    assert all(np.isfinite(p).all() for p in net.params)


@FUZZ
@given(data=st.binary(max_size=400))
def test_npz_reader_on_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "fuzz.npz"
    path.write_bytes(b"PK\x03\x04" + data)
    with pytest.raises(NetworkFileError, match="fuzz.npz"):
        load_network(path)
