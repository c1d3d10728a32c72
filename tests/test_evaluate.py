"""``python -m nndl_gui evaluate``: saved networks scored on MNIST, and several voting (chapter 6's ensemble).

The figures printed are checked against a direct count: each network's answers on the test images, and
the majority digit of three networks counted by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from test_trainer import write_tiny_mnist  # noqa: E402  (tests/ is on sys.path under pytest)

from nndl_gui import evaluate
from nndl_gui.data.mnist import load_mnist
from nndl_gui.engine.convnet import ConvNet, parse_layers
from nndl_gui.engine.io import save_network
from nndl_gui.engine.network import Network


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    return str(write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"), n_test=60))


def three_networks(tmp_path):
    """Two fully connected networks and a conv net, different enough to disagree on some images."""
    nets = [Network([784, 12, 10], rng=np.random.default_rng(1)), Network([784, 10], rng=np.random.default_rng(2)),
            ConvNet(parse_layers("conv2x5-pool2-relu,fc8-relu,softmax10"), rng=3)]
    rng = np.random.default_rng(4)
    for p in nets[2].params:
        p[...] = rng.normal(0, 0.5, p.shape)
    paths = [tmp_path / "a.npz", tmp_path / "b.npz", tmp_path / "c.npz"]
    for net, path in zip(nets, paths):
        save_network(net, path)
    return nets, [str(p) for p in paths]


def test_each_networks_accuracy_and_the_majority_vote_match_a_direct_count(data_dir, tmp_path, capsys):
    nets, paths = three_networks(tmp_path)
    assert evaluate.main([*paths, "--data", data_dir, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)

    test = load_mnist(data_dir).test
    outputs = np.stack([net.feedforward(test.images / 255.0) for net in nets])  # (3, n, 10) a^L, pixels in [0, 1]
    answers = outputs.argmax(axis=2)  # (3, n)
    assert [m["correct"] for m in out["members"]] == [int(np.sum(a == test.labels)) for a in answers]
    assert [m["path"] for m in out["members"]] == paths and out["total"] == len(test.labels) == 60

    # the vote by hand: a digit two of the three give wins; a 1–1–1 tie goes to the most confident member
    two_agree = (answers[0] == answers[1]) | (answers[0] == answers[2]) | (answers[1] == answers[2])
    assert two_agree.any() and not two_agree.all(), "the three networks should agree on some images, not all"
    most_confident = answers[outputs.max(axis=2).argmax(axis=0), np.arange(answers.shape[1])]
    by_hand = np.where(answers[1] == answers[2], answers[1], np.where(two_agree, answers[0], most_confident))
    all_agree = (answers[0] == answers[1]) & (answers[1] == answers[2])
    ens = out["ensemble"]
    assert ens["members"] == 3 and ens["correct"] == int(np.sum(by_hand == test.labels))
    assert ens["disagreements"] == int(np.sum(~all_agree))
    assert ens["wrong_where_all_agree"] == int(np.sum(all_agree & (answers[0] != test.labels)))


def test_one_network_has_no_vote_and_the_text_form_names_it(data_dir, tmp_path, capsys):
    _, paths = three_networks(tmp_path)
    assert evaluate.main([paths[0], "--data", data_dir, "--set", "validation"]) == 0
    out, err = capsys.readouterr()
    assert paths[0] in out and "majority" not in out and "validation images" in err


@pytest.mark.parametrize("make, says", [
    (lambda p: p.write_text("not a network"), "neither a .npz archive nor valid JSON"),
    (lambda p: save_network(Network([100, 10]), p), "cannot read digits"),
])
def test_a_file_that_cannot_vote_is_named_and_nothing_is_scored(data_dir, tmp_path, capsys, make, says):
    _, paths = three_networks(tmp_path)
    bad = tmp_path / "bad.npz"
    make(bad)
    assert evaluate.main([paths[0], str(bad), "--data", data_dir]) == 2
    out, err = capsys.readouterr()
    assert out == "" and str(bad) in err and says in err and "Traceback" not in err


def band_reader() -> Network:
    """A fully connected network that reads the tiny data's digits exactly: output d weighs the band of rows
    2d..2d+4 where digit d is drawn (pixels read as a^1 in [0, 1]; read as 0..255 every output saturates)."""
    net = Network([784, 10])
    net.weights[0][...] = 0.0
    for d in range(10):
        net.weights[0][d].reshape(28, 28)[2 * d:2 * d + 5, :] = 0.05
    net.biases[0][...] = -5.0
    return net


def test_a_fully_connected_network_reads_pixels_as_the_book_does_in_0_to_1(data_dir, tmp_path, capsys):
    save_network(band_reader(), tmp_path / "bands.npz")
    assert evaluate.main([str(tmp_path / "bands.npz"), "--data", data_dir, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["members"][0]["accuracy"] == 1.0
