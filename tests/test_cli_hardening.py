"""The command lines under stress (issue 15 items 2, 3, 4, 7, 8, 10; issue 14's classify key).

`train` never overwrites a good file with a diverged network, never depends on anyone reading stdout,
checks --save and the network's size before loading data; `classify` refuses special files and huge
images by name, prints strict JSON, and ends quietly when its reader goes away.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from test_trainer import TINY, write_tiny_mnist  # noqa: E402  (tests/ is on sys.path under pytest)

from nndl_gui.engine.io import load_network, save_network
from nndl_gui.engine.network import Network

REPO = Path(__file__).resolve().parents[1]
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX devices and rlimits")
DIVERGES = ["--sizes", "784,100,100,10", "--activation", "relu", "--output", "softmax", "--cost",
            "log-likelihood", "--eta", "10000", "--mini-batch", "5", "--epochs", "2"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    return str(write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist")))


def cli(*argv, stdout=subprocess.PIPE, limit_mb=None, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1")

    def limit():
        if limit_mb:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))

    return subprocess.Popen([sys.executable, "-m", "nndl_gui", *argv], stdout=stdout, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=str(REPO), preexec_fn=limit if limit_mb else None)


def run(*argv, **kw):
    proc = cli(*argv, **kw)
    out, err = proc.communicate(timeout=kw.get("timeout", 120))
    return proc.returncode, out or "", err


def one_error_line(err: str, prog="train") -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err, err
    assert lines[-1].startswith(f"nndl-gui {prog}: error: "), err
    return lines[-1]


# ---------------------------------------------------------------------------------------------- item 2
def test_a_diverged_run_saves_nothing_and_exits_non_zero(data_dir, tmp_path):
    path = tmp_path / "net.npz"
    save_network(Network([784, 100, 100, 10], rng=3), path)
    before = path.read_bytes()
    code, out, err = run("train", "--data", data_dir, *DIVERGES, "--save", str(path))
    assert "diverged" in out + err
    assert code == 1, err
    assert "nothing saved" in err and "Traceback" not in err and "RuntimeWarning" not in err
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------- item 3
def test_a_closed_stdout_does_not_stop_training_or_saving(data_dir, tmp_path):
    """As `train --epochs 3 --save x.npz | head -0`: the reader is gone before the first line."""
    args = ["train", "--data", data_dir, *TINY, "--epochs", "3", "--seed", "4"]
    proc = cli(*args, "--save", str(tmp_path / "piped.npz"))
    proc.stdout.close()  # nobody reads stdout
    err = proc.stderr.read()
    proc.wait(timeout=120)
    proc.stderr.close()
    assert proc.returncode == 0 and "Traceback" not in err and "Broken pipe" not in err, err
    code, out, _ = run(*args, "--json", "--save", str(tmp_path / "read.npz"))
    assert code == 0 and json.loads(out.splitlines()[-1])["epochs_done"] == 3
    piped, read = load_network(tmp_path / "piped.npz"), load_network(tmp_path / "read.npz")
    assert all(np.array_equal(a, b) for a, b in zip(piped.params, read.params))  # all three epochs ran


# ---------------------------------------------------------------------------------------------- items 4, 7, 8, 10
@posix_only
@pytest.mark.parametrize("name,argv,fragment", [
    ("unwritable --save", ["--save", "/proc/net.npz"], "--save"),
    ("--save a folder", ["--save", "/tmp"], "--save"),
    ("--save over a device", ["--save", "{null}"], "character device"),
    ("JSON over the file limit", ["--sizes", "784,40000,10", "--save", "{tmp}/x.json"], "512 MiB"),
    ("over the parameter limit", ["--sizes", "784,100000,100000,10"], "GiB"),
    ("negative seed", ["--seed", "-1"], "--seed"),
    ("absurd lambda", ["--lmbda", "1e300"], "--lmbda"),
])
def test_refused_before_the_data_loads_with_the_flag_named(data_dir, tmp_path, tmp_path_factory, name, argv,
                                                          fragment):
    null = tmp_path_factory.mktemp("links") / "null.npz"
    null.symlink_to(os.devnull)
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{null}", str(null)) for a in argv]
    code, out, err = run("train", "--data", data_dir, *TINY, *argv, limit_mb=3000, timeout=60)
    line = one_error_line(err)
    assert code == 2 and out == ""
    assert fragment in line
    assert "data:" not in err  # said before loading (or training on) anything
    assert "η" not in line or "λ" in line  # λ's problems are not blamed on η
    assert not list(tmp_path.iterdir())


def test_lambda_too_large_for_eta_and_n_is_blamed_on_lambda(data_dir):
    code, _, err = run("train", "--data", data_dir, *TINY, "--lmbda", "1000")
    line = one_error_line(err)
    assert code == 2 and "λ=1000" in line and "weight decay" in line


@posix_only
def test_out_of_memory_is_one_line_and_non_zero(data_dir):
    code, _, err = run("train", "--data", data_dir, "--sizes", "784,20000,1000,10", "--epochs", "1",
                       limit_mb=300, timeout=120)
    assert code != 0
    assert "out of memory" in one_error_line(err)


def test_a_one_image_training_file_is_explained(tmp_path, data_dir):
    one = write_tiny_mnist(tmp_path / "one", n_train=1)
    code, _, err = run("train", "--data", str(one), "--sizes", "784,8,10", "--mini-batch", "1")
    assert code == 2 and "validation" in one_error_line(err)
    _, _, err = run("train", "--data", data_dir, *TINY)  # the split is said for small data too
    assert "50 training, 10 validation" in err


def test_book_incompatible_json_is_noted_at_save_time(data_dir, tmp_path):
    path = tmp_path / "soft.json"
    code, _, err = run("train", "--data", data_dir, *TINY, "--output", "softmax", "--cost", "log-likelihood",
                       "--save", str(path))
    assert code == 0 and "network2.py" in err and ".npz" in err
    assert load_network(path).output.name == "softmax"
    _, _, err = run("train", "--data", data_dir, *TINY, "--save", str(tmp_path / "sig.json"))
    assert "network2.py" not in err


# ---------------------------------------------------------------------------------------------- classify


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header says width×height (grayscale) followed by a tiny, incomplete image stream."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def digit_png(tmp_path_factory):
    from nndl_gui.widgets.canvas import array_to_qimage

    d = np.full((56, 56), 255, np.uint8)
    d[8:48, 26:31] = 0
    path = tmp_path_factory.mktemp("img") / "one.png"
    assert array_to_qimage(d).save(str(path))
    return str(path)


def test_classify_names_special_files_and_huge_images(tmp_path, digit_png, capsys):
    from nndl_gui.classify import main

    huge = tmp_path / "huge.png"
    huge.write_bytes(png_header_only(10000, 10000))
    cases = {str(tmp_path): "folder", "-": "standard input", str(huge): "10000×10000",
             str(tmp_path / "missing.png"): "not found"}
    if os.name == "posix":
        cases["/dev/zero"] = "character device"
    assert main([*cases, digit_png]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for r, (path, fragment) in zip(lines, cases.items()):
        assert fragment in r["error"], (path, r)
    assert "25,000,000" in lines[2]["error"]
    assert lines[-1]["digit"] == 1


def test_classify_network_that_is_a_device_or_folder(tmp_path, digit_png, capsys):
    from nndl_gui.classify import main

    for network, fragment in (([str(tmp_path)], "folder"), (["-"], "standard input")) + (
            ((["/dev/zero"], "character device"),) if os.name == "posix" else ()):
        assert main(["--network", *network, digit_png]) == 2
        assert fragment in capsys.readouterr().err


def test_classify_json_is_strict_and_says_what_the_outputs_are(tmp_path, digit_png, capsys):
    from nndl_gui.classify import main

    net = Network([784, 10], output="softmax", cost="log-likelihood", rng=0)
    net.params[0][:, :-1] = 3e38  # finite in float32, but z^L overflows: softmax gives NaN
    save_network(net, tmp_path / "overflow.npz")
    sig = Network([784, 10], cost="cross-entropy", rng=0)
    save_network(sig, tmp_path / "sig.npz")
    main(["--network", str(tmp_path / "overflow.npz"), digit_png])
    main(["--network", str(tmp_path / "sig.npz"), digit_png])

    def strict(token):
        raise ValueError(f"not strict JSON: {token}")

    lines = [json.loads(line, parse_constant=strict) for line in capsys.readouterr().out.splitlines()]
    assert "error" in lines[0]
    assert lines[1]["output_activation"] == "sigmoid" and "probabilities" not in lines[1]
    assert lines[1]["digit"] == int(np.argmax(lines[1]["outputs"]))


def test_classify_into_a_closed_pipe_ends_quietly(digit_png):
    proc = cli("classify", *[digit_png] * 50)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=120)
    proc.stderr.close()
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert err == ""
    assert proc.returncode == 141


def test_classify_float64_keeps_a_float64_book_file(tmp_path, digit_png, capsys):
    from nndl_gui.classify import main

    net = Network([784, 10], cost="cross-entropy", dtype=np.float64, rng=0)
    net.params[0][0, 0] = 1e300  # fine in float64; refused in float32
    save_network(net, tmp_path / "book.json")
    assert main(["--network", str(tmp_path / "book.json"), digit_png]) == 2
    assert "float64" in capsys.readouterr().err
    main(["--float64", "--network", str(tmp_path / "book.json"), digit_png])
    assert "outputs" in json.loads(capsys.readouterr().out)
