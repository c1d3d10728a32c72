"""A process killed in the middle of saving leaves the previous file intact (saves are atomic)."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from nndl_gui.engine.io import load_network, save_network
from nndl_gui.engine.network import Network

WRITER = """
import sys, numpy as np
from nndl_gui.engine.io import save_network
from nndl_gui.engine.network import Network
net = Network([784, 300, 100, 10], rng=int(sys.argv[2]))
print("ready", flush=True)
while True:
    net.params[0] += 1e-3
    save_network(net, sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_killed_mid_save_leaves_a_loadable_file(tmp_path, suffix):
    path = tmp_path / f"net{suffix}"
    original = Network([784, 300, 100, 10], rng=0)
    save_network(original, path)
    for delay in (0.05, 0.13, 0.31, 0.47):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "1"], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(delay)  # let it get somewhere inside a save
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
        net = load_network(path)  # never a half-written file
        assert net.sizes == [784, 300, 100, 10]
        assert all(np.isfinite(p).all() for p in net.params)
    finals = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert finals == [path.name]
