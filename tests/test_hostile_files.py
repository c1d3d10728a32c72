"""Hostile and special files (issue 15 items 5, 6, 8, 9, 12; issue 13's network2 interop).

Devices, pipes and folders are refused before any read; npz members are checked from their headers
before their data is read (zip bombs cost nothing); values that overflow float32 are refused; saves
honour the umask, write through symlinks and clean up after a killed save.
"""

import io
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest

from nndl_gui.data.idx import IdxError, read_idx, write_idx
import nndl_gui.engine.io as nio
from nndl_gui.engine.io import MAX_PARAMETERS, NetworkFileError, load_network, save_network, to_json_dict
from nndl_gui.engine.network import Network

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX devices, FIFOs and modes")


def good_arrays(net):
    arrays = dict(sizes=np.array(net.sizes), activation=np.array("sigmoid"), output=np.array("sigmoid"),
                  cost=np.array("quadratic"))
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{i}"], arrays[f"b{i}"] = w.copy(), b.copy()
    return arrays


def npy_header(shape, descr="<f8") -> bytes:
    """A version-1.0 .npy header claiming ``shape`` (the data need not follow)."""
    d = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)}).encode("latin1")
    pad = 64 - (10 + len(d) + 1) % 64
    d = d + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name + ".npy", data)
    return buf.getvalue()


def npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- item 5
@posix_only
@pytest.mark.parametrize("what,path", [("a character device", "/dev/zero"), ("a folder", ".")])
def test_devices_and_folders_are_refused_by_kind(what, path):
    with pytest.raises(NetworkFileError, match=what):
        load_network(path)
    with pytest.raises(IdxError, match=what):
        read_idx(path)


def test_standard_input_dash_is_refused_by_name():
    with pytest.raises(NetworkFileError, match="standard input"):
        load_network("-")


@posix_only
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "net.npz"
    os.mkfifo(fifo)
    result = {}

    def load():
        try:
            load_network(fifo)
        except NetworkFileError as exc:
            result["error"] = str(exc)

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(5)
    if t.is_alive():  # unblock the reader so the thread ends, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("opening a named pipe blocked")
    assert "named pipe" in result["error"]


# ---------------------------------------------------------------------------------------------- item 6
def test_npz_member_declaring_a_huge_shape_is_refused_before_its_data(tmp_path):
    """A 2**28-entry 'sizes' and a w0 claiming 4 GiB: refused from the header (no data even present)."""
    net = Network([3, 2, 2], rng=0)
    members = {k: npy(v) for k, v in good_arrays(net).items()}
    for name, header in {"sizes": npy_header((2**28,), "<i8"), "w0": npy_header((65536, 8192))}.items():
        path = tmp_path / f"bomb-{name}.npz"
        path.write_bytes(zip_bytes(dict(members, **{name: header})))
        with pytest.raises(NetworkFileError) as err:
            load_network(path)
        assert len(str(err.value)) < 400  # never a whole array in the message
        assert "shape" in str(err.value)


def test_npz_header_claiming_8_tib_is_a_clear_error(tmp_path):
    members = {k: npy(v) for k, v in good_arrays(Network([3, 2, 2], rng=0)).items()}
    path = tmp_path / "tib.npz"
    path.write_bytes(zip_bytes(dict(members, sizes=npy_header((2**40,), "<i8"))))
    with pytest.raises(NetworkFileError, match="too many values"):
        load_network(path)


def test_npz_has_the_same_parameter_limit_as_json(tmp_path):
    sizes = [100_000, 550, 10]  # 55 M parameters: JSON refuses it, so must npz
    assert sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])) > MAX_PARAMETERS
    members = {"sizes": npy(np.array(sizes)), "activation": npy(np.array("sigmoid")),
               "output": npy(np.array("sigmoid")), "cost": npy(np.array("quadratic")),
               "w0": npy_header((550, 100_000)), "b0": npy_header((550,)),
               "w1": npy_header((10, 550)), "b1": npy_header((10,))}
    path = tmp_path / "big.npz"
    path.write_bytes(zip_bytes(members))
    with pytest.raises(NetworkFileError, match="limit 50,000,000"):
        load_network(path)


def test_npz_wrong_shape_message_does_not_print_the_array(tmp_path):
    arrays = good_arrays(Network([3, 2, 2], rng=0))
    arrays["sizes"] = np.arange(5000) + 1
    path = tmp_path / "long.npz"
    np.savez(path, **arrays)
    with pytest.raises(NetworkFileError) as err:
        load_network(path)
    assert len(str(err.value)) < 400


# ---------------------------------------------------------------------------------------------- items 8, 9
@pytest.mark.parametrize("patch,fragment", [
    (lambda d: d.update(nndl_gui={"activation": ["x"]}), "unknown activation"),
    (lambda d: d.update(nndl_gui={"activation": {}}), "unknown activation"),
    (lambda d: d.update(nndl_gui={"output": ["softmax"]}), "unknown output activation"),
])
def test_json_with_odd_activation_types_is_a_clear_error(tmp_path, patch, fragment):
    data = to_json_dict(Network([3, 2, 2], rng=0))
    patch(data)
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data))
    with pytest.raises(NetworkFileError, match=fragment):
        load_network(path)


def test_json_with_a_weight_of_10_to_the_400_is_a_clear_error(tmp_path):
    text = json.dumps(to_json_dict(Network([3, 2, 2], rng=0)))
    path = tmp_path / "huge.json"
    for number in ("1" + "0" * 400, "1e400", "1" + "0" * 5000):
        data = json.loads(text)
        data["weights"][0][0][0] = "@"
        path.write_text(json.dumps(data).replace('"@"', number))
        with pytest.raises(NetworkFileError):
            load_network(path)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_a_weight_finite_in_float64_but_not_float32_is_refused_unless_float64(tmp_path, suffix):
    net = Network([3, 2, 2], dtype=np.float64, rng=0)
    net.params[0][0, 0] = 1e300
    path = save_network(net, tmp_path / f"big{suffix}")
    if suffix == ".json":
        with pytest.raises(NetworkFileError, match="infinite in float32"):
            load_network(path)
    else:  # an .npz of float64 loads as float64 by default; asking for float32 is refused
        with pytest.raises(NetworkFileError, match="infinite in float32"):
            load_network(path, dtype=np.float32)
    back = load_network(path, dtype=np.float64)
    assert back.params[0][0, 0] == 1e300


# ---------------------------------------------------------------------------------------------- item 7
def test_save_limit_is_said_up_front_and_enforced_on_save(tmp_path):
    assert "save as .npz" in nio.save_problem([784, 40000, 10], "x.json")
    assert nio.save_problem([784, 40000, 10], "x.npz") is None
    assert "50,000,000" in nio.save_problem([784, 100000, 1000, 10], "x.npz")
    assert nio.save_problem([784, 30, 10], "x.json") is None
    net = Network([784, 30, 10], rng=0)
    old = nio.MAX_JSON_PARAMETERS
    try:
        nio.MAX_JSON_PARAMETERS = 1000  # as if the network were over the limit
        with pytest.raises(NetworkFileError, match="save as .npz"):
            save_network(net, tmp_path / "x.json")
    finally:
        nio.MAX_JSON_PARAMETERS = old
    assert not (tmp_path / "x.json").exists()


# ---------------------------------------------------------------------------------------------- item 2
def test_a_network_with_nan_weights_never_replaces_a_good_file(tmp_path):
    path = save_network(Network([3, 2, 2], rng=0), tmp_path / "net.npz")
    before = path.read_bytes()
    bad = Network([3, 2, 2], rng=1)
    bad.params[0][0, 0] = np.nan
    with pytest.raises(NetworkFileError, match="diverged"):
        save_network(bad, path)
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------- item 12
@posix_only
def test_saved_files_follow_the_umask_and_keep_an_existing_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = save_network(Network([3, 2, 2], rng=0), tmp_path / "new.npz")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.chmod(path, 0o640)
        save_network(Network([3, 2, 2], rng=1), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        write_idx(tmp_path / "x.idx", np.zeros(3, np.uint8))
        assert stat.S_IMODE((tmp_path / "x.idx").stat().st_mode) == 0o644
    finally:
        os.umask(old)


@posix_only
def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "net.npz"
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    save_network(Network([3, 2, 2], rng=0), link)
    assert link.is_symlink() and target.is_file()
    assert load_network(link).sizes == [3, 2, 2]


@posix_only
def test_saving_over_a_device_is_refused(tmp_path):
    link = tmp_path / "null.npz"
    link.symlink_to("/dev/null")
    with pytest.raises(NetworkFileError, match="character device"):
        save_network(Network([3, 2, 2], rng=0), link)
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)


KILLED_WRITER = """
import os, sys, time
from nndl_gui.engine.io import save_network
from nndl_gui.engine.network import Network

def stuck(fd):  # the data is written; the save hangs before its rename until it is killed
    print("writing", flush=True)
    time.sleep(600)

os.fsync = stuck
save_network(Network([784, 30, 10], rng=0), sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_temp_file_left_by_a_killed_save_is_removed_by_the_next_save(tmp_path):
    path = tmp_path / "net.npz"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".net.npz.")  # kill -9 mid-save: a hidden temp file
    other = tmp_path / ".other.npz.tmp"  # not ours: left alone
    other.write_bytes(b"x")
    save_network(Network([3, 2, 2], rng=0), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.npz.tmp", "net.npz"]


# ---------------------------------------------------------------------------------------------- issue 13
@pytest.mark.parametrize("kind,fragment", [
    (dict(output="softmax", cost="log-likelihood"), "cannot load it"),
    (dict(activation="tanh"), "hidden layers are tanh"),
    (dict(activation="relu", cost="cross-entropy"), "hidden layers are relu"),
])
def test_json_the_book_would_misread_is_refused_with_the_reason(tmp_path, kind, fragment):
    net = Network([3, 2, 2], rng=0, **kind)
    assert fragment in nio.book_compatibility(net)
    with pytest.raises(NetworkFileError, match=".npz"):
        save_network(net, tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()
    save_network(net, tmp_path / "n.npz")  # the app's own format keeps everything
    path = save_network(net, tmp_path / "n.json", allow_incompatible=True)
    assert load_network(path).config() == net.config()


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_sigmoid_networks_are_book_compatible(cost):
    assert nio.book_compatibility(Network([3, 2, 2], cost=cost, rng=0)) is None


def test_a_float64_book_file_keeps_every_digit_when_asked(tmp_path):
    rng = np.random.default_rng(5)
    w = [rng.standard_normal((2, 3)), rng.standard_normal((2, 2))]
    b = [rng.standard_normal((2, 1)), rng.standard_normal((2, 1))]
    data = {"sizes": [3, 2, 2], "weights": [x.tolist() for x in w], "biases": [x.tolist() for x in b],
            "cost": "CrossEntropyCost"}
    (tmp_path / "book.json").write_text(json.dumps(data))
    net = load_network(tmp_path / "book.json", dtype=np.float64)
    assert net.dtype == np.float64
    assert all(np.array_equal(a, e) for a, e in zip(net.weights, w))
    back = json.loads(save_network(net, tmp_path / "again.json").read_text())
    assert back["weights"] == data["weights"] and back["biases"] == data["biases"]
