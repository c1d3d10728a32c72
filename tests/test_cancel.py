"""Long engine passes can be abandoned (engine.cancel): chunked by arithmetic, cancel checked, same results.

The app's worker passes ``cancel=ctx.cancelled`` so that closing the window never waits for a pass over a
data set or for loading a file (issue 15, item 1; the end-to-end tests are in tests/qt/test_close_busy.py).
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import nndl_gui.engine.unstable as unstable
from nndl_gui.engine import convnet, json_pieces
from nndl_gui.engine.analysis import misclassified, output_scores
from nndl_gui.engine.cancel import Interrupted, rows_per_chunk
from nndl_gui.engine.io import NetworkFileError, load_network, save_network
from nndl_gui.engine.network import Network, evaluate


class CancelAfter:
    """A cancel hook that turns true on its ``n``-th call; counts its calls."""

    def __init__(self, n: int | None):
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.n is not None and self.calls >= self.n


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 784), dtype=np.uint8), rng.integers(0, 10, n)


def test_rows_per_chunk_bounds_the_arithmetic_not_small_networks():
    assert rows_per_chunk(23_860, 5000) == 5000  # [784, 30, 10]: the whole default chunk
    assert 10 <= rows_per_chunk(23_820_010, 5000) <= 40  # [784, 30000, 10]: ~0.1 s per chunk
    assert rows_per_chunk(10**12, 5000) == 1


def test_evaluate_of_a_large_network_checks_cancel_every_chunk_and_gives_the_same_answer():
    net = Network([784, 3000, 10], rng=0)
    images, labels = data(600)
    hook = CancelAfter(None)
    got = evaluate(net, images, labels, cancel=hook)
    assert hook.calls == -(-600 // rows_per_chunk(net.num_parameters, 5000)) >= 3
    a = net.feedforward(images / 255.0)
    assert got.correct == int(np.count_nonzero(np.argmax(a, axis=1) == labels))
    assert got.cost == pytest.approx(net.cost.fn(a, np.eye(10)[labels]) / 600, rel=1e-5)
    with pytest.raises(Interrupted):
        evaluate(net, images, labels, cancel=CancelAfter(2))


def test_output_scores_and_misclassified_stop_when_cancelled():
    net = Network([784, 3000, 10], rng=0)
    images, labels = data(600)
    hook = CancelAfter(None)
    scores = output_scores(net, images, cancel=hook)
    assert hook.calls >= 3
    np.testing.assert_allclose(scores, net.feedforward(images / 255.0), rtol=1e-5, atol=1e-6)
    with pytest.raises(Interrupted):
        misclassified(net, images, labels, cancel=CancelAfter(2))


def test_learning_speed_in_chunks_equals_one_pass(monkeypatch):
    net = Network([784, 20, 15, 10], rng=1)
    images, labels = data(1000)
    whole = unstable.learning_speed(net, images, labels)
    monkeypatch.setattr(unstable, "rows_per_chunk", lambda macs, default: 77)  # 13 uneven chunks
    hook = CancelAfter(None)
    chunked = unstable.learning_speed(net, images, labels, cancel=hook)
    assert hook.calls == 13
    np.testing.assert_allclose(chunked, whole, rtol=1e-5)
    with pytest.raises(Interrupted):
        unstable.learning_speed(net, images, labels, cancel=CancelAfter(5))


def test_convnet_evaluation_stops_when_cancelled():
    net = convnet.ConvNet(convnet.parse_layers("conv4x5-pool2,fc10,softmax10"), rng=np.random.default_rng(0))
    images, labels = data(1200)
    with pytest.raises(Interrupted):
        convnet.evaluate(net, (images, labels), cancel=CancelAfter(2))
    assert convnet.evaluate(net, (images, labels), cancel=CancelAfter(None)).total == 1200


# ------------------------------------------------------------------------------------ JSON in pieces
def same(text: str):
    try:
        want = ("ok", json.loads(text))
    except ValueError:
        want = ("error",)
    try:
        got = ("ok", json_pieces.loads(text))
    except ValueError:
        got = ("error",)
    assert repr(got) == repr(want), text[:200]


@pytest.mark.parametrize("text", [
    '{"a": [1, 2, 3], "b": {"c": [[1.5, -2e3], []], "d": "x\\"y"}, "e": null, "f": true}', "[]", "{}", " [ 1 , 2 ,3 ] ",
    "[[[[1]]]]", '"s"', "3", "[1,]", "[1 2]", '{"a" 1}', '{"a":1,}', "[01]", "[-]", "[1.]", "[.5]", "", "  ",
    "[1] x", '{"a": 1, "a": 2}', "[1,\n 2\t,\r3]", '[NaN, Infinity, -Infinity]', "[1e400]", "[" + "1" * 5000 + "]",
    "[" + ",".join(["0.25"] * 10_000) + "]", "[" + ", ".join(["-1e-3"] * 9000) + ", 7]", '["\\u00e9", 1]',
    "[1" + " " * 3_000_000 + "]",
])
def test_json_in_pieces_reads_what_json_reads(text):
    same(text)


def test_json_in_pieces_on_random_and_corrupted_documents():
    rng = random.Random(0)

    def value(depth=0):
        r = rng.random()
        if depth > 4 or r < 0.3:
            return rng.choice([1, -2.5, 1e-7, "k", None, True, 0, 12345678901234567890])
        if r < 0.65:
            return [value(depth + 1) for _ in range(rng.randint(0, 6))]
        return {str(rng.randint(0, 9)): value(depth + 1) for _ in range(rng.randint(0, 4))}

    for _ in range(1500):
        text = json.dumps(value(), indent=rng.choice([None, 1]))
        same(text)
        k = rng.randrange(len(text))
        same(text[:k] + rng.choice(["", ",", "]", "}", '"', " ", "x", "[", "{", "1"]) + text[k + 1:])


def test_json_in_pieces_limits_nesting_and_stops_when_cancelled():
    with pytest.raises(json_pieces.JSONDepthError):
        json_pieces.loads("[" * 100_000 + "]" * 100_000)
    hook = CancelAfter(3)
    with pytest.raises(Interrupted):
        json_pieces.loads(json.dumps([[0.5] * 100] * 1000), cancel=hook)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_loading_a_network_stops_when_cancelled(tmp_path, suffix):
    path = tmp_path / f"net{suffix}"
    net = Network([784, 300, 10], rng=0)
    save_network(net, path)
    hook = CancelAfter(None)
    loaded = load_network(path, cancel=hook)
    assert hook.calls >= 2 and loaded.sizes == net.sizes
    np.testing.assert_allclose(loaded.params[0], net.params[0], rtol=1e-6)
    with pytest.raises(Interrupted):
        load_network(path, cancel=CancelAfter(hook.calls))  # the last check of a full load
    with pytest.raises(NetworkFileError, match="nested too deeply"):
        (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
        load_network(tmp_path / "deep.json")
