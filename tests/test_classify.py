"""`python -m nndl_gui classify`: image files → one JSON line each, errors per file, exit code."""

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("PySide6")

from nndl_gui.classify import main, read_gray  # noqa: E402
from nndl_gui.data.preprocess import preprocess, render_digit  # noqa: E402
from nndl_gui.engine.io import save_network  # noqa: E402
from nndl_gui.engine.network import Network  # noqa: E402
from nndl_gui.widgets.canvas import array_to_qimage  # noqa: E402


def bar_digit():
    """A "1": a vertical bar, as a 28×28 light-on-dark digit."""
    d = np.zeros((28, 28), np.float32)
    d[4:24, 13:16] = 1.0
    return d


def save(gray, path):
    assert array_to_qimage(gray).save(str(path)), path
    return str(path)


@pytest.fixture
def images(tmp_path):
    dark_on_light = save(render_digit(bar_digit(), 280, height=0.6, centre=(100, 90)), tmp_path / "one.png")
    light_on_dark = save(255 - render_digit(bar_digit(), 123, height=0.8), tmp_path / "one-inverted.jpg")
    return dark_on_light, light_on_dark


def outputs(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_same_preprocessing_both_polarities_and_the_shipped_network(images, capsys):
    assert main(list(images)) == 0
    lines = outputs(capsys)
    assert [r["path"] for r in lines] == list(images)
    for r in lines:
        assert r["digit"] == 1  # the shipped network reads a bar as a 1
        assert len(r["outputs"]) == 10 and "probabilities" not in r
        assert int(np.argmax(r["outputs"])) == r["digit"]
    # both polarities give the same 28×28 input
    a, b = (preprocess(read_gray(p)) for p in images)
    assert np.abs(a - b).max() < 0.2 and (a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()) > 0.97


def test_unreadable_files_get_an_error_line_and_the_others_still_run(images, tmp_path, capsys):
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    blank = save(np.full((50, 50), 255, np.uint8), tmp_path / "blank.png")
    code = main([str(junk), images[0], str(tmp_path / "missing.png"), blank])
    lines = outputs(capsys)
    assert code == 1
    assert [("error" in r) for r in lines] == [True, False, True, True]
    assert lines[1]["digit"] == 1
    assert "no ink" in lines[3]["error"]


def test_network_option_takes_npz_and_network2_json(images, tmp_path, capsys):
    net = Network([784, 10, 10], output="softmax", cost="log-likelihood", rng=0)
    net.params[-1][:, :] = 0
    net.params[-1][4, -1] = 5.0  # always says 4
    save_network(net, tmp_path / "four.npz")
    sig = Network([784, 10], cost="cross-entropy", rng=0)
    sig.params[0][:, :] = 0
    sig.params[0][6, -1] = 3.0  # always says 6
    save_network(sig, tmp_path / "six.json")
    assert main(["--network", str(tmp_path / "four.npz"), images[0]]) == 0
    r = outputs(capsys)[0]
    assert r["digit"] == 4 and r["output_activation"] == "softmax"
    assert sum(r["outputs"]) == pytest.approx(1, abs=1e-4)  # softmax outputs are probabilities
    assert main(["--network", str(tmp_path / "six.json"), images[0]]) == 0
    r = outputs(capsys)[0]
    assert r["digit"] == 6 and r["output_activation"] == "sigmoid"
    assert all(0 < a < 1 for a in r["outputs"])


def test_bad_network_is_a_clear_error(images, tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{}")
    assert main(["--network", str(tmp_path / "bad.json"), images[0]]) == 2
    assert "missing key" in capsys.readouterr().err
    save_network(Network([2, 3, 1], rng=0), tmp_path / "small.npz")
    assert main(["--network", str(tmp_path / "small.npz"), images[0]]) == 2
    assert "784 inputs" in capsys.readouterr().err


def test_command_line_runs_without_a_qt_application(images):
    """Through `python -m nndl_gui classify`, in a fresh process with no display and no QApplication."""
    proc = subprocess.run([sys.executable, "-m", "nndl_gui", "classify", images[1]],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["digit"] == 1
