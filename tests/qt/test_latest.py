"""The "newest request wins" channel (nndl_gui/latest.py) shared by the Draw, Inspector and Playground
tabs, on the real engine worker."""

import threading

import pytest

pytest.importorskip("PySide6")

from nndl_gui.client import EngineClient  # noqa: E402
from nndl_gui.latest import LatestTask  # noqa: E402


@pytest.fixture
def client():
    c = EngineClient()
    yield c
    assert c.shutdown()


def gated(gate: threading.Event):
    """A task that waits for ``gate`` (so a request stays in flight while the test makes more)."""
    def task(ctx, value):
        gate.wait(5.0)
        return value
    return task


def test_latest_task_drops_stale_results(qtbot, client):
    got = []
    latest = LatestTask(client, got.append)
    for i in range(50):
        latest.request(lambda ctx, i: i, i)
    qtbot.waitUntil(lambda: latest.idle, timeout=5000)
    assert got == [49]  # only the newest request is drawn
    assert latest.sent == 2 and latest.dropped == 1
    latest.request(lambda ctx: 1 / 0)
    latest.close()
    assert latest.idle


def test_superseded_results_can_still_be_shown_then_the_newest_is_sent(qtbot, client):
    gate = threading.Event()
    got = []
    latest = LatestTask(client, got.append, show_superseded=True)
    latest.request(gated(gate), "first")
    for i in range(10):
        latest.request(gated(gate), i)
    assert latest.sent == 1  # one in flight, the rest coalesced into one waiting request
    gate.set()
    qtbot.waitUntil(lambda: latest.idle, timeout=5000)
    assert got == ["first", 9] and latest.sent == 2 and latest.dropped == 0


def test_discard_drops_the_answer_on_its_way_and_the_waiting_request(qtbot, client):
    gate = threading.Event()
    got = []
    latest = LatestTask(client, got.append, show_superseded=True)
    latest.request(gated(gate), "stale")
    latest.request(gated(gate), "also stale")
    latest.discard()
    gate.set()
    qtbot.waitUntil(lambda: latest.idle, timeout=5000)
    assert got == [] and latest.sent == 1 and latest.dropped == 1
    latest.request(lambda ctx: "fresh")  # the channel stays open
    qtbot.waitUntil(lambda: got == ["fresh"], timeout=5000)


def test_errors_reach_on_error_unless_a_newer_request_waits(qtbot, client):
    gate = threading.Event()
    got, errors = [], []

    def failing(ctx):
        gate.wait(5.0)
        raise ValueError("bad input")

    latest = LatestTask(client, got.append, errors.append)
    latest.request(failing)
    latest.request(lambda ctx: "newer")
    gate.set()
    qtbot.waitUntil(lambda: latest.idle, timeout=5000)
    assert got == ["newer"] and errors == []
    latest.request(lambda ctx: (_ for _ in ()).throw(ValueError("bad input")))
    qtbot.waitUntil(lambda: latest.idle, timeout=5000)
    assert errors == ["bad input"]


def test_close_ignores_later_requests_and_results(qtbot, client):
    gate = threading.Event()
    got = []
    latest = LatestTask(client, got.append)
    latest.request(gated(gate), 1)
    latest.close()
    latest.request(gated(gate), 2)
    gate.set()
    qtbot.wait(100)
    assert got == [] and latest.idle and latest.sent == 1
