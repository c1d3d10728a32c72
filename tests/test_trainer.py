"""The command-line trainer (python -m nndl_gui train): flags, presets, JSON lines, errors, saving, seeds.

Runs on tiny generated MNIST-shaped IDX files (60 training, 20 test images), so every test is fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nndl_gui import trainer
from nndl_gui.data.idx import write_idx
from nndl_gui.data.mnist import FILES
from nndl_gui.engine.io import load_network
from nndl_gui.engine.network import Network, one_hot
from nndl_gui.engine.training import SGDStepper, TrainingConfig, blas_threads_for, sgd

REPO = Path(__file__).resolve().parents[1]
TINY = ["--sizes", "784,8,10", "--mini-batch", "5", "--epochs", "2"]
EPOCH_KEYS = {"epoch", "train_seconds", "examples_per_second", "training_cost", "training_accuracy",
              "validation_accuracy", "test_accuracy", "eta"}
FRACTIONS = ("training_accuracy", "validation_accuracy", "test_accuracy")


def write_tiny_mnist(directory: Path, n_train: int = 60, n_test: int = 20, seed: int = 0) -> Path:
    """Four valid IDX files: digit d is a bright horizontal band at rows 2d..2d+4 plus noise (learnable)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", n_train), ("test", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, d in enumerate(labels):
            images[i, 2 * d:2 * d + 5, :] = 250
        write_idx(directory / FILES[f"{prefix}_images"], images, compresslevel=1)
        write_idx(directory / FILES[f"{prefix}_labels"], labels, compresslevel=1)
    return directory


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    return str(write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist")))


def run_main(capsys, *argv):
    code = trainer.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


# ---------------------------------------------------------------------------------------------- settings
def settings_for(*argv):
    return trainer.resolve_settings(trainer.build_parser().parse_args(list(argv)))


def test_defaults_are_chapter_one():
    s = settings_for()
    assert (s.sizes, s.cost, s.activation, s.output, s.init) == ((784, 30, 10), "quadratic", "sigmoid", "sigmoid",
                                                                 "large")
    assert (s.eta, s.mini_batch_size, s.epochs, s.lmbda, s.limit) == (3.0, 10, 30, 0.0, None)


def test_flags_override_a_preset():
    s = settings_for("--preset", "ch3-l2-100", "--eta", "0.1", "--sizes", "784,20,20,10", "--epochs", "3",
                     "--mini-batch", "20", "--init", "default", "--limit", "500", "--early-stopping", "4",
                     "--schedule", "--cost", "log-likelihood", "--output", "softmax", "--activation", "tanh")
    assert s.name == "ch3-l2-100" and s.lmbda == 5.0  # kept from the preset
    assert (s.eta, s.sizes, s.epochs, s.mini_batch_size, s.init, s.limit) == (0.1, (784, 20, 20, 10), 3, 20,
                                                                              "default", 500)
    assert (s.early_stopping_n, s.schedule, s.cost, s.output, s.activation) == (4, True, "log-likelihood",
                                                                                "softmax", "tanh")
    assert settings_for("--preset", "ch3-l2-100", "--lmbda", "0").lmbda == 0.0
    off = settings_for("--preset", "ch3-schedule", "--early-stopping", "0")
    assert off.early_stopping_n is None and off.schedule is False
    assert settings_for("--preset", "ch3-schedule", "--no-schedule").schedule is False


# ---------------------------------------------------------------------------------------------- runs
def test_json_lines_have_the_keys_and_fractions(capsys, data_dir):
    code, out, err = run_main(capsys, "--data", data_dir, *TINY, "--json", "--lmbda", "0.1")
    assert code == 0, err
    rows = json_lines(out)  # every stdout line is JSON
    epochs = [r for r in rows if r.get("event") == "epoch"]
    assert [r["epoch"] for r in epochs] == [0, 1]
    for r in epochs:
        assert EPOCH_KEYS <= set(r)
        for key in FRACTIONS:
            assert 0.0 <= r[key] <= 1.0
        assert r["train_seconds"] > 0 and r["examples_per_second"] > 0 and r["training_cost"] > 0
        assert r["test_total"] == 20
    end = rows[-1]
    assert end["event"] == "end" and end["reason"] == "finished" and end["epochs_done"] == 2
    assert end["settings"]["sizes"] == [784, 8, 10] and end["settings"]["lmbda"] == 0.1
    assert "data:" in err and data_dir in err  # where the data came from, on stderr


def test_text_output_prints_the_books_lines(capsys, data_dir):
    code, out, err = run_main(capsys, "--preset", "ch1-30", "--data", data_dir, *TINY)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Epoch 0: ") and lines[0].endswith(" / 20")
    assert any(line.startswith("Epoch 1: ") for line in lines)
    assert "Best test accuracy" in out and "95.42% test" in out  # the preset's book figure for comparison


def test_same_seed_same_metrics(capsys, data_dir):
    def metrics(seed):
        code, out, _ = run_main(capsys, "--data", data_dir, *TINY, "--json", "--seed", str(seed))
        assert code == 0
        rows = json_lines(out)
        for r in rows:
            for key in trainer.TIMING_KEYS:
                r.pop(key, None)
        return rows

    first = metrics(7)
    assert metrics(7) == first
    assert metrics(8) != first


def test_limit_uses_the_first_images(capsys, data_dir):
    code, out, err = run_main(capsys, "--data", data_dir, *TINY, "--json", "--limit", "20")
    assert code == 0, err
    assert json_lines(out)[-1]["settings"]["limit"] == 20
    assert "20 training images" in err


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_save_writes_a_network_that_loads_back(capsys, data_dir, tmp_path, suffix):
    path = tmp_path / f"net{suffix}"
    code, _, err = run_main(capsys, "--data", data_dir, *TINY, "--cost", "cross-entropy", "--save", str(path))
    assert code == 0, err
    assert path.is_file() and str(path) in err
    net = load_network(path)
    # Train again with the same seed (deterministic) to get the same network in memory and compare outputs.
    code, _, _ = run_main(capsys, "--data", data_dir, *TINY, "--cost", "cross-entropy", "--save",
                          str(tmp_path / "again.npz"))
    again = load_network(tmp_path / "again.npz")
    x = np.random.default_rng(0).random((5, 784))
    assert net.sizes == [784, 8, 10] and net.cost.name == "cross-entropy"
    np.testing.assert_allclose(net.feedforward(x), again.feedforward(x), rtol=1e-6, atol=1e-7)


def test_list_presets(capsys):
    code, out, _ = run_main(capsys, "--list-presets")
    assert code == 0 and "ch1-30" in out and "ch3-l2-100" in out and "95.42%" in out
    code, out, _ = run_main(capsys, "--list-presets", "--json")
    assert {json.loads(line)["name"] for line in out.splitlines()} >= {"ch1-30", "ch5-4-hidden"}


def test_ctrl_c_exits_130_and_saves_nothing(capsys, data_dir, tmp_path, monkeypatch):
    import nndl_gui.engine.training as training

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.setattr(training, "sgd", interrupted)
    path = tmp_path / "net.npz"
    code, out, err = run_main(capsys, "--data", data_dir, *TINY, "--save", str(path))
    assert code == 130 and not path.exists()
    assert "interrupted" in err and "Traceback" not in err


# ---------------------------------------------------------------------------------------------- bad input
def corrupt_dir(tmp_path: Path) -> str:
    d = write_tiny_mnist(tmp_path / "corrupt")
    (d / FILES["train_images"]).write_bytes(b"\x1f\x8bthis is not gzip data at all")
    return str(d)


BAD = {
    "eta zero": ["--eta", "0"],
    "eta negative": ["--eta", "-1"],
    "eta nan": ["--eta", "nan"],
    "eta not a number": ["--eta", "fast"],
    "empty sizes": ["--sizes", ""],
    "zero layer": ["--sizes", "784,0,10"],
    "one layer": ["--sizes", "784"],
    "sizes not numbers": ["--sizes", "784,abc,10"],
    "wrong input size": ["--sizes", "100,30,10"],
    "wrong output size": ["--sizes", "784,30,9"],
    "mini-batch zero": ["--mini-batch", "0"],
    "epochs zero": ["--epochs", "0"],
    "negative lambda": ["--lmbda", "-1"],
    "limit zero": ["--limit", "0"],
    "schedule without window": ["--schedule"],
    "unknown preset": ["--preset", "ch9-nope"],
    "unknown cost": ["--cost", "hinge"],
    "unknown flag": ["--frobnicate"],
    "save suffix": ["--save", "net.txt"],
    "missing data dir": ["--data", "/nonexistent/mnist"],
}


@pytest.mark.parametrize("argv", BAD.values(), ids=BAD.keys())
def test_bad_input_exits_2_with_one_line(capsys, argv):
    code, out, err = run_main(capsys, *TINY, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("nndl-gui train: error: ") and "Traceback" not in err


def test_corrupt_data_exits_2(capsys, tmp_path):
    code, out, err = run_main(capsys, *TINY, "--data", corrupt_dir(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("nndl-gui train: error: ") and len(err.strip().splitlines()) == 1


def test_mini_batch_larger_than_the_data_exits_2(capsys, data_dir):
    code, _, err = run_main(capsys, "--data", data_dir, *TINY, "--limit", "10", "--mini-batch", "50")
    assert code == 2 and "mini-batch" in err


def python_m(*argv, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "nndl_gui", *argv], capture_output=True, text=True, env=env,
                          timeout=60, cwd=str(REPO))


@pytest.mark.parametrize("argv", [["--eta", "0"], ["--preset", "nope"], ["--sizes", "784,30,11"]])
def test_python_m_train_bad_input(argv):
    proc = python_m("train", *argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("nndl-gui train: error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_python_m_train_corrupt_data(tmp_path):
    proc = python_m("train", *TINY, "--data", corrupt_dir(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("nndl-gui train: error: ")


def test_python_m_train_runs_and_dispatch(data_dir):
    proc = python_m("train", "--data", data_dir, *TINY, "--json")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["event"] for line in proc.stdout.splitlines()] == ["epoch", "epoch", "end"]
    bogus = python_m("bogus-command")
    assert bogus.returncode == 2 and "unknown command" in bogus.stderr and "Traceback" not in bogus.stderr


def test_classify_command_is_dispatched_or_explained():
    proc = python_m("classify", "--help")
    if proc.returncode == 2:  # nndl_gui.classify is not written yet
        assert "classify" in proc.stderr and "Traceback" not in proc.stderr
    else:
        assert proc.returncode == 0


# ---------------------------------------------------------------------------------------------- engine speed-ups
@pytest.mark.parametrize("act,out,cost", [("sigmoid", "sigmoid", "quadratic"), ("sigmoid", "sigmoid", "cross-entropy"),
                                          ("sigmoid", "softmax", "log-likelihood"), ("tanh", "sigmoid", "quadratic"),
                                          ("relu", "softmax", "log-likelihood"), ("sigmoid", "softmax", "quadratic")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_stepper_matches_backprop(act, out, cost, dtype):
    """The trainer's SGDStepper (column layout, inlined sigmoid, cheap weight decay) is Network.backprop + update."""
    rng = np.random.default_rng(1)
    for sizes in ([7, 5, 3], [7, 6, 5, 4, 3], [7, 3]):
        net = Network(sizes, activation=act, output=out, cost=cost, rng=0, dtype=dtype)
        ref = net.copy()
        m, eta, decay = 4, 0.7, 0.99
        x = rng.random((m, 7)).astype(dtype)
        y = one_hot(rng.integers(0, 3, m), 3, dtype)
        nabla_b, nabla_w = ref.backprop(x, y)
        for p, nb, nw in zip(ref.params, nabla_b, nabla_w):
            p[:, :-1] = decay * p[:, :-1] - eta * nw
            p[:, -1] -= eta * nb
        x_aug = np.ones((m, 8), dtype)
        x_aug[:, :-1] = x
        SGDStepper(net, m).step(x_aug, y, eta / m, decay)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        for p, q in zip(net.params, ref.params):
            np.testing.assert_allclose(p, q, atol=tol, rtol=tol)


def test_blas_threads_are_capped_only_while_training():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    assert blas_threads_for([784, 30, 10], 10) == 1 and blas_threads_for([784, 100, 10], 1000) is None
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 784)).astype(np.uint8)
    labels = rng.integers(0, 10, 40).astype(np.uint8)
    net = Network([784, 5, 10], rng=0)
    run = sgd(net, (images, labels), TrainingConfig(epochs=2, mini_batch_size=10), rng=rng, yield_every=1)
    next(run)  # paused after one mini-batch: the cap must not leak out of the generator
    assert blas_threads() == before
    run.close()
    list(sgd(net, (images, labels), TrainingConfig(epochs=1, mini_batch_size=10), rng=rng, yield_every=0))
    assert blas_threads() == before


# ---------------------------------------------------------------------------------------------- full MNIST
@pytest.mark.mnist
def test_chapter_one_preset_one_epoch_on_full_mnist(capsys, mnist_dir):
    code, out, err = run_main(capsys, "--preset", "ch1-30", "--epochs", "1", "--data", str(mnist_dir), "--json")
    assert code == 0, err
    first = json_lines(out)[0]
    assert first["test_total"] == 10_000
    assert first["test_accuracy"] > 0.85


# ---------------------------------------------------------------------------------------------- benchmark smoke run
def test_bench_engine_quick_prints_one_json_object(tmp_path):
    """benchmarks/bench_engine.py --quick: the keys are there and every figure is positive (no timing limits)."""
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_engine.py"), "--quick", "--data",
                           "synthetic", "--n", "600", "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert json.loads(out.read_text()) == result
    assert result["data"]["kind"] == "synthetic" and result["data"]["n_train"] == 600
    assert {"numpy", "blas", "cores"} <= set(result["environment"])
    cases = result["cases"]
    for key in ("engine_m10", "per_example_reference", "batched_numpy_reference",
                "batched_numpy_reference_1_thread"):
        assert cases[key]["seconds_per_epoch"] > 0 and cases[key]["examples_per_second"] > 0
    assert cases["per_example_reference"]["timed_examples"] > 0 and cases["per_example_reference"]["scaled_to"] == 600
    assert cases["torch_reference"] is None and result["torch_reason"]
    assert result["ratios"]["engine_vs_per_example"] > 0 and result["ratios"]["engine_vs_batched_numpy"] > 0
    big = result["large_batch"]
    for key in ("seconds_per_epoch", "engine_gflops_6_params", "matmul_gflops_training_shapes",
                "matmul_gflops_square", "fraction_6_params_vs_training_shapes", "fraction_6_params_vs_square"):
        assert big[key] > 0


def test_chapter_3_flags_l1_momentum_dropout_fc_reach_the_engine(capsys, data_dir):
    s = settings_for("--l1", "0.5", "--momentum", "0.9", "--dropout-fc", "0.5")
    cfg = s.training_config()
    assert (cfg.l1, cfg.momentum, cfg.dropout) == (0.5, 0.9, 0.5)
    assert settings_for().training_config().momentum == 0.0
    code, out, err = run_main(capsys, "--data", data_dir, *TINY, "--json", "--l1", "0.1", "--momentum", "0.5",
                              "--dropout-fc", "0.2", "--eta", "0.5")
    assert code == 0, err
    rows = json_lines(out)
    epochs = [r for r in rows if r.get("event") == "epoch"]
    assert all(r["test_cost"] > 0 for r in epochs)
    settings = rows[-1]["settings"]
    assert (settings["l1"], settings["momentum"], settings["dropout"]) == (0.1, 0.5, 0.2)
    for bad in (["--momentum", "1.5"], ["--dropout-fc", "1"], ["--l1", "-1"]):
        code, out, err = run_main(capsys, *TINY, *bad)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
