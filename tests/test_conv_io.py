"""Chapter-6 networks on disk (npz and JSON, validated), expanded data, ensembles, presets and the CLI."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from nndl_gui import trainer
from nndl_gui.data.expand import SHIFTS, ExpandedMnist
from nndl_gui.engine import convnet_io
from nndl_gui.engine.convnet import ConvNet, parse_layers
from nndl_gui.engine.ensemble import majority, vote
from nndl_gui.engine.io import NetworkFileError, load_network, save_network
from nndl_gui.engine.network import Network
from nndl_gui.presets import CH6_PRESETS, PRESETS, get_preset

SPEC = parse_layers("conv3x5-pool2-relu,conv4x5-pool2,fc7-drop0.5-tanh,softmax10-drop0.2")


def trained_like(seed=0):
    net = ConvNet(SPEC, rng=seed)
    rng = np.random.default_rng(seed)
    for p in net.params:
        p[...] = rng.normal(0, 0.3, p.shape)
    return net


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_round_trip_through_load_network(tmp_path, suffix):
    net = trained_like()
    path = save_network(net, tmp_path / f"net{suffix}")
    back = load_network(path)
    assert isinstance(back, ConvNet) and back.spec == net.spec
    for a, b in zip(net.params, back.params):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(1).random((3, 784)).astype(np.float32)
    np.testing.assert_array_equal(net.feedforward(x), back.feedforward(x))


def test_fully_connected_networks_still_load_as_before(tmp_path):
    net = Network([784, 5, 10], rng=0)
    assert isinstance(load_network(save_network(net, tmp_path / "fc.npz")), Network)


def test_float16_file_is_small_and_close(tmp_path):
    net = trained_like()
    path = tmp_path / "half.npz"
    convnet_io.save_convnet(net, path, dtype=np.float16)
    back = load_network(path)
    assert back.dtype == np.float32
    for a, b in zip(net.params, back.params):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)


def _npz(arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _good_arrays():
    net = trained_like()
    arrays = {"format": np.array(convnet_io.FORMAT), "format_version": np.array(1),
              "spec": np.array(json.dumps(net.spec)), "input_shape": np.array([28, 28, 1])}
    for i, layer in enumerate(net.layers):
        arrays[f"w{i}"], arrays[f"b{i}"] = layer.w.copy(), layer.b.copy()
    return arrays


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(w1=a["w1"][:, :2]), "w1 should have shape"),
    (lambda a: a.update(b0=np.full(3, np.nan, np.float32)), "NaN"),
    (lambda a: a.update(spec=np.array("[{")), "not valid JSON"),
    (lambda a: a.update(spec=np.array(json.dumps([{"type": "conv", "filters": 3}]))), "last layer must be a softmax"),
    (lambda a: a.update(w0=a["w0"].astype(np.int32)), "floating-point"),
    (lambda a: a.pop("b2"), "missing arrays b2"),
    (lambda a: a.update(extra=np.zeros(2)), "unexpected arrays extra"),
    (lambda a: a.update(spec=np.array(json.dumps(SPEC[:-1] + [{"type": "softmax", "n_out": 10 ** 9}]))),
     "whole number"),
])
def test_bad_npz_files_are_refused_with_a_sentence(tmp_path, change, message):
    arrays = _good_arrays()
    change(arrays)
    path = tmp_path / "bad.npz"
    path.write_bytes(_npz(arrays))
    with pytest.raises(NetworkFileError, match=message) as info:
        load_network(path)
    assert str(path) in str(info.value)


def test_pickled_object_arrays_are_never_loaded(tmp_path):
    arrays = _good_arrays()
    arrays["spec"] = np.array([{"type": "softmax"}], dtype=object)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path = tmp_path / "pickle.npz"
    path.write_bytes(buf.getvalue())
    with pytest.raises(NetworkFileError, match="not a readable|must be a JSON string|must hold a string"):
        load_network(path)


def test_bad_json_is_refused(tmp_path):
    data = convnet_io.to_json_dict(trained_like())
    data["weights"][0] = "oops"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match="w0 should have shape|not arrays of numbers"):
        load_network(path)


# ---------------------------------------------------------------------------------------------- expanded data
def test_expanded_data_matches_the_books_rolls_without_float_copies():
    rng = np.random.default_rng(0)
    images = rng.integers(1, 256, (7, 784), dtype=np.uint8)  # no zeros: a zeroed row shows
    labels = rng.integers(0, 10, 7).astype(np.uint8)
    data = ExpandedMnist(images, labels)
    assert len(data) == 35 and data.labels.nbytes == 35 and data.base is images
    everything = data.fill(np.arange(35)).reshape(5, 7, 28, 28)
    originals = images.reshape(7, 28, 28) / np.float32(255)
    # expand_mnist.py: np.roll by ±1 along rows / columns, the rolled-in row or column set to zero
    book = {"down": (1, 0, (slice(None), 0)), "up": (-1, 0, (slice(None), 27)),
            "right": (1, 1, (slice(None), slice(None), 0)), "left": (-1, 1, (slice(None), slice(None), 27))}
    for s, (name, _, _) in enumerate(SHIFTS):
        if name == "original":
            np.testing.assert_allclose(everything[s], originals, rtol=1e-6)
            continue
        d, axis, zero = book[name]
        rolled = np.roll(originals, d, axis=axis + 1)
        rolled[zero] = 0
        np.testing.assert_allclose(everything[s], rolled, rtol=1e-6, err_msg=name)
    np.testing.assert_array_equal(data.labels[[3, 10, 31]], labels[[3, 3, 3]])
    # any order of indices gives the same images
    idx = np.array([34, 0, 12, 12, 8])
    np.testing.assert_array_equal(data.fill(idx), everything.reshape(35, 784)[idx])


# ---------------------------------------------------------------------------------------------- ensembles
def test_majority_vote_and_its_tie_break():
    # three members, four images, three classes
    out = np.zeros((3, 4, 3))
    out[:, 0, 1] = 0.9  # all say 1
    out[0, 1, 2], out[1, 1, 2], out[2, 1, 0] = 0.6, 0.6, 0.99  # 2 beats a confident 0
    out[0, 2, 0], out[1, 2, 1], out[2, 2, 2] = 0.5, 0.9, 0.6  # three-way tie: the most confident, 1
    out[:2, 3, 0], out[2, 3, 2] = 0.4, 0.95
    digits, winner, agreement = majority(out)
    assert winner.tolist() == [1, 2, 1, 0] and agreement.tolist() == [3, 2, 1, 2]
    assert digits[:, 2].tolist() == [0, 1, 2]


def test_vote_of_networks_reports_disagreements():
    nets = [trained_like(s) for s in range(3)]
    x = np.random.default_rng(0).random((20, 784)).astype(np.float32)
    result = vote(nets, x, labels=np.zeros(20, int))
    assert result.member_predictions.shape == (3, 20)
    expected = [set(np.flatnonzero(p != result.member_predictions[0])) for p in result.member_predictions[1:]]
    assert set(result.disagreements.tolist()) == set().union(*expected)
    assert result.summary()["correct"] == int(np.sum(result.predictions == 0))


# ---------------------------------------------------------------------------------------------- presets
BOOK_CH6 = {  # BOOK.md's chapter-6 table: layers, activation, η, λ, epochs, expanded, dropout, ensemble, test
    "ch6-fc-100": ("fc100,softmax10", "sigmoid", 0.1, 0.0, 60, False, 0.0, 0, 0.9780),
    "ch6-conv": ("conv20x5-pool2,fc100,softmax10", "sigmoid", 0.1, 0.0, 60, False, 0.0, 0, 0.9878),
    "ch6-conv-only": ("conv20x5-pool2,softmax10", "sigmoid", 0.1, 0.0, 60, False, 0.0, 0, None),
    "ch6-dbl-conv": ("conv20x5-pool2,conv40x5-pool2,fc100,softmax10", "sigmoid", 0.1, 0.0, 60, False, 0.0, 0, 0.9906),
    "ch6-dbl-conv-relu": ("conv20x5-pool2,conv40x5-pool2,fc100,softmax10", "relu", 0.03, 0.1, 60, False, 0.0, 0, 0.9923),
    "ch6-expanded": ("conv20x5-pool2,conv40x5-pool2,fc100,softmax10", "relu", 0.03, 0.1, 60, True, 0.0, 0, 0.9937),
    "ch6-extra-fc": ("conv20x5-pool2,conv40x5-pool2,fc100,fc100,softmax10", "relu", 0.03, 0.1, 60, True, 0.0, 0, 0.9943),
    "ch6-dropout": ("conv20x5-pool2,conv40x5-pool2,fc1000,fc1000,softmax10", "relu", 0.03, 0.0, 40, True, 0.5, 0, 0.9960),
    "ch6-ensemble": ("conv20x5-pool2,conv40x5-pool2,fc1000,fc1000,softmax10", "relu", 0.03, 0.0, 40, True, 0.5, 5, 0.9967),
}


@pytest.mark.parametrize("name", sorted(BOOK_CH6))
def test_chapter6_presets_are_the_books(name):
    layers, act, eta, lmbda, epochs, expanded, dropout, ensemble, acc = BOOK_CH6[name]
    p = get_preset(name).validate()
    assert (p.layers, p.activation, p.eta, p.lmbda, p.epochs, p.expanded, p.dropout, p.ensemble, p.book_accuracy) == \
        (layers, act, eta, lmbda, epochs, expanded, dropout, ensemble, acc)
    assert p.mini_batch_size == 10 and p.cost == "log-likelihood" and p.output == "softmax"
    spec = p.layer_spec()
    net = ConvNet(spec, rng=0)
    assert net.sizes == list(p.sizes)
    fcs = [d for d in spec if d["type"] != "conv"]
    assert all(d["dropout"] == dropout for d in fcs)  # dropout on every fc and the softmax layer
    assert all(d.get("activation", act) == act for d in spec)


def test_every_chapter6_preset_is_checked_and_listed(capsys):
    assert set(CH6_PRESETS) | {"ch6-fc-100"} == set(BOOK_CH6)
    assert not set(CH6_PRESETS) & set(PRESETS)  # the GUI's fully connected Training tab lists PRESETS
    assert trainer.main(["--list-presets"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in BOOK_CH6)


def test_layers_syntax_errors_show_the_syntax():
    with pytest.raises(ValueError, match="convFxK"):
        parse_layers("conv20,softmax10")
    with pytest.raises(ValueError, match="cannot read 'pool2'"):
        parse_layers("fc10-pool2,softmax10")


# ---------------------------------------------------------------------------------------------- CLI
def test_trainer_runs_a_layer_network_on_the_sample(tmp_path, capsys):
    path = tmp_path / "net.npz"
    code = trainer.main(["--layers", "conv4x5-pool2-relu,fc10,softmax10", "--limit", "300", "--epochs", "2",
                         "--eta", "0.1", "--json", "--save", str(path)])
    assert code == 0
    lines = [json.loads(s) for s in capsys.readouterr().out.splitlines()]
    assert [r["event"] for r in lines] == ["epoch", "epoch", "end"]
    end = lines[-1]
    best = max(lines[:2], key=lambda r: r["validation_accuracy"])
    assert end["test_accuracy_at_best_validation"] == best["test_accuracy"]
    assert end["settings"]["layers"][0]["activation"] == "relu"
    assert isinstance(load_network(path), ConvNet)


@pytest.mark.parametrize("argv, message", [
    (["--sizes", "784,30,10", "--expanded"], "need a chapter-6 network"),
    (["--preset", "ch6-conv", "--sizes", "784,30,10"], "takes --layers"),
    (["--layers", "conv20x5-pool2,fc100"], "softmax"),
    (["--layers", "conv20x5-pool2,softmax10", "--cost", "quadratic"], "log-likelihood"),
])
def test_trainer_bad_layer_options_are_one_line(argv, message, capsys):
    assert trainer.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_classify_accepts_a_saved_conv_network(tmp_path, capsys):
    pytest.importorskip("PySide6")
    from nndl_gui.classify import main
    from nndl_gui.widgets.canvas import array_to_qimage

    gray = np.full((28, 28), 255, np.uint8)
    gray[4:24, 12:16] = 0  # a dark "1" on white
    image = tmp_path / "one.png"
    assert array_to_qimage(gray).save(str(image))
    net = trained_like()
    path = save_network(net, tmp_path / "conv.npz")
    assert main(["--network", str(path), str(image)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["output_activation"] == "softmax" and abs(sum(out["outputs"]) - 1) < 1e-4
    assert out["digit"] == int(np.argmax(out["outputs"]))


def test_shipped_conv_network_is_the_presets_and_reads_the_sample_digits():
    from nndl_gui.data.mnist import SAMPLE_DIR, load_mnist
    from nndl_gui.paths import resource_path

    net = load_network(resource_path("conv-expanded.npz"))
    assert isinstance(net, ConvNet) and net.spec == get_preset("ch6-expanded").layer_spec()
    test = load_mnist(SAMPLE_DIR).test
    accuracy = np.mean(net.predict(test.images[:500]) == test.labels[:500])
    assert accuracy >= 0.98  # 99.46% on all 10,000 test images; a broken loader or layer gives ~10%
