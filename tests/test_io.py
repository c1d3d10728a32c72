"""Saving and loading networks: .npz and network2.py JSON, atomic writes, clear errors."""

import json

import numpy as np
import pytest

from nndl_gui.engine.io import NetworkFileError, load_network, save_network, to_json_dict
from nndl_gui.engine.network import Network


def same_outputs(a, b):
    x = np.random.default_rng(0).random((5, a.sizes[0]))
    np.testing.assert_allclose(a.feedforward(x), b.feedforward(x), rtol=1e-6)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("kind", [dict(), dict(activation="relu", output="softmax", cost="log-likelihood"),
                                  dict(cost="cross-entropy")])
def test_round_trip(tmp_path, suffix, kind):
    net = Network([6, 5, 4, 3], rng=1, **kind)
    path = save_network(net, tmp_path / f"net{suffix}", allow_incompatible=True)
    back = load_network(path)
    assert back.config() == net.config()
    same_outputs(net, back)


def test_json_is_the_books_network2_format(tmp_path):
    net = Network([3, 2, 2], cost="cross-entropy", rng=0)
    data = json.loads(save_network(net, tmp_path / "n.json").read_text())
    assert set(data) == {"sizes", "weights", "biases", "cost"}
    assert data["cost"] == "CrossEntropyCost"
    assert np.array(data["weights"][0]).shape == (2, 3)
    assert np.array(data["biases"][0]).shape == (2, 1)  # column vectors, as network2.py keeps them


def test_a_file_written_by_network2_loads(tmp_path):
    """What the book's network2.save() writes: biases as columns, weights as y×x lists."""
    rng = np.random.default_rng(3)
    sizes = [4, 3, 2]
    weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
    data = {"sizes": sizes, "weights": [w.tolist() for w in weights],
            "biases": [b.tolist() for b in biases], "cost": "QuadraticCost"}
    (tmp_path / "book.json").write_text(json.dumps(data))
    net = load_network(tmp_path / "book.json", dtype=np.float64)
    x = rng.random(4)
    a = x.reshape(-1, 1)
    for w, b in zip(weights, biases):  # network2.py's feedforward
        a = 1 / (1 + np.exp(-(w @ a + b)))
    np.testing.assert_allclose(net.feedforward(x), a[:, 0])


def good_json():
    return to_json_dict(Network([3, 2, 2], rng=0))


@pytest.mark.parametrize("mutate,fragment", [
    (lambda d: d.pop("weights"), "missing key 'weights'"),
    (lambda d: d.update(extra=1), "unexpected key 'extra'"),
    (lambda d: d.update(sizes=[3, 0, 2]), "'sizes'"),
    (lambda d: d.update(cost="HingeCost"), "'cost'"),
    (lambda d: d["weights"].pop(), "'weights' must be a list of 2"),
    (lambda d: d["weights"][0].pop(), "weights[0]"),
    (lambda d: d["weights"][0][0].__setitem__(0, "x"), "not a number"),
    (lambda d: d["biases"][1][0].__setitem__(0, None), "not a number"),
    (lambda d: d.update(sizes=[100000, 100000, 100000]), "parameters"),
])
def test_malformed_json_says_what_is_wrong(tmp_path, mutate, fragment):
    d = good_json()
    mutate(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(NetworkFileError) as err:
        load_network(path)
    assert fragment in str(err.value) and "bad.json" in str(err.value)


def test_nan_in_json_is_refused(tmp_path):
    d = good_json()
    d["weights"][0][0][0] = float("nan")
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(d))  # Python writes NaN, which json.loads accepts
    with pytest.raises(NetworkFileError, match="NaN"):
        load_network(path)


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(NetworkFileError, match="nested|object"):
        load_network(path)


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage", b"PK\x03\x04broken zip", b"{not json"])
def test_garbage_is_refused(tmp_path, content):
    path = tmp_path / "g.npz"
    path.write_bytes(content)
    with pytest.raises(NetworkFileError, match="g.npz"):
        load_network(path)


def test_npz_with_wrong_shapes_nan_or_pickles(tmp_path):
    net = Network([3, 2, 2], rng=0)
    base = dict(sizes=np.array(net.sizes), activation=np.array("sigmoid"), output=np.array("sigmoid"),
                cost=np.array("quadratic"), w0=net.weights[0].copy(), b0=net.biases[0].copy(),
                w1=net.weights[1].copy(), b1=net.biases[1].copy())
    cases = {
        "shape": dict(base, w0=np.zeros((3, 3))),
        "nan": dict(base, b1=np.array([np.nan, 0.0])),
        "missing": {k: v for k, v in base.items() if k != "b1"},
        "objects": dict(base, w1=np.array([[object(), 1]], dtype=object)),
        "type": dict(base, w0=np.array([["a", "b", "c"]] * 2)),
    }
    for name, arrays in cases.items():
        path = tmp_path / f"{name}.npz"
        np.savez(path, **arrays)
        with pytest.raises(NetworkFileError):
            load_network(path)


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    save_network(Network([3, 2, 2], rng=0), path)
    before = path.read_bytes()
    import nndl_gui.engine.io as io

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io.os, "fsync", boom)
    with pytest.raises(NetworkFileError, match="No space"):
        save_network(Network([3, 2, 2], rng=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]  # no temporary file left behind


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(NetworkFileError, match=".npz or .json"):
        save_network(Network([2, 2], rng=0), tmp_path / "net.pkl")
