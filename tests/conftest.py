"""Shared test set-up: Qt offscreen, settings and caches kept away from the user's, no leaked threads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NNDL_NO_DIALOGS"] = "1"  # errors go to the status bar instead of modal boxes

REPO = Path(__file__).resolve().parents[1]

try:  # Fuzz tests draw the same cases on every run, so CI is repeatable; HYPOTHESIS_PROFILE=explore draws new ones.
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("repeatable", derandomize=True)
    _hypothesis_settings.register_profile("explore", derandomize=False)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
except ImportError:  # hypothesis is in the test extra; tests that use it skip without it
    pass


def full_mnist_dir() -> Path | None:
    """The full MNIST folder (NNDL_DATA_DIR, else ../shared/mnist), or None."""
    for candidate in (os.environ.get("NNDL_DATA_DIR"), REPO.parent / "shared" / "mnist"):
        if candidate and (Path(candidate) / "train-images-idx3-ubyte.gz").exists():
            return Path(candidate)
    return None


@pytest.fixture
def mnist_dir() -> Path:
    path = full_mnist_dir()
    if path is None:
        pytest.skip("full MNIST not available (set NNDL_DATA_DIR)")
    return path


@pytest.fixture(autouse=True)
def _isolated_user_state(tmp_path_factory, monkeypatch):
    """Never read or write the user's settings or cache."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("NNDL_SETTINGS_FILE", str(home / "settings.ini"))
    monkeypatch.setenv("NNDL_CACHE_DIR", str(home / "cache"))
    yield


@pytest.fixture(autouse=True)
def _no_leaked_engine_threads(request):
    """Fail any test that leaves an engine worker thread running."""
    yield
    client_module = __import__("sys").modules.get("nndl_gui.client")
    if client_module is None:
        return
    running = [c for c in list(client_module.live_clients) if c.thread.isRunning()]
    for client in running:
        client.shutdown()
    assert not running, f"{len(running)} engine thread(s) left running by {request.node.name}"
