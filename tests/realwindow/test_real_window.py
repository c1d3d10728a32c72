"""The installed ``nndl-gui`` in a real X server, driven from outside with real pointer events.

The test starts Xvfb on a free display (``-displayfd``), starts the ``nndl-gui`` script that ``pip install``
made, as a learner does, finds the window with ``xdotool search``, finds the Draw tab's canvas in a
screenshot (the white square in the window's left half), draws a "1" and then a "7" with ``xdotool``
mousedown / mousemove / mouseup, and reads the app's answers from ``NNDL_REPORT_FILE`` (nndl_gui/report.py).
It closes the app with Ctrl+Q and checks the exit code.  Screenshots are left in the test's tmp folder.
It takes about 7 s (a real app start, two digits, a clean exit): the one test that shows a learner's
first minute works end to end.  It skips, saying why, without Xvfb, xdotool or ImageMagick's ``import``; ``.ci/run`` installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

TITLE = "Neural Networks and Deep Learning"  # part of the main window's title
TOOLS = ("Xvfb", "xdotool", "import")


def entry_point() -> str | None:
    """The ``nndl-gui`` script installed beside this Python (as ``pip install`` makes it), else on PATH."""
    beside = Path(sys.executable).parent / "nndl-gui"
    return str(beside) if beside.exists() else shutil.which("nndl-gui")


def wait_for(what: str, probe, timeout: float, interval: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def xserver(tmp_path):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"real-window test needs {', '.join(missing)} (apt-get install xvfb xdotool imagemagick; "
                    ".ci/run installs them)")
    read, write = os.pipe()
    log = tmp_path / "xvfb.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten",
                                   "tcp"], pass_fds=(write,), stdout=out, stderr=subprocess.STDOUT)
    os.close(write)
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()  # Xvfb writes the display number it chose once it accepts clients
        assert number.isdigit(), f"Xvfb did not start: {log.read_text(errors='replace')[-500:]}"
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


class Screen:
    def __init__(self, display: str, folder: Path):
        self.env = {**os.environ, "DISPLAY": display}
        self.folder = folder

    def run(self, *args: str) -> str:
        return subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=30, check=True).stdout

    def xdotool(self, *args) -> str:
        return self.run("xdotool", *map(str, args))

    def screenshot(self, name: str) -> np.ndarray:
        """Save ``name``.png for people and return the screen as an (H, W, 3) uint8 array."""
        self.run("import", "-window", "root", str(self.folder / f"{name}.png"))
        ppm = subprocess.run(["import", "-window", "root", "-depth", "8", "ppm:-"], env=self.env,
                             capture_output=True, timeout=30, check=True).stdout
        header = ppm.split(maxsplit=4)  # P6 width height maxval pixels
        assert header[0] == b"P6" and header[3] == b"255", header[:4]
        w, h = int(header[1]), int(header[2])
        return np.frombuffer(header[4][-w * h * 3:], np.uint8).reshape(h, w, 3)

    def stroke(self, points) -> None:
        (x, y), *rest = points
        self.xdotool("mousemove", "--sync", x, y, "mousedown", 1)
        for x, y in rest:
            self.xdotool("mousemove", "--sync", x, y)
        self.xdotool("mouseup", 1)


def longest_white_run(line: np.ndarray) -> tuple[int, int]:
    """(start, stop) of the longest run of white pixels in an (N, 3) line."""
    white = np.concatenate([[False], (line >= 250).all(axis=1), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(white))
    starts, stops = edges[0::2], edges[1::2]
    if len(starts) == 0:
        return 0, 0
    k = int(np.argmax(stops - starts))
    return int(starts[k]), int(stops[k])


def find_canvas(shot: np.ndarray, geometry: dict) -> tuple[int, int, int, int]:
    """The Draw canvas (x0, y0, x1, y1) in screen pixels: the white square in the window's left half."""
    x, y, w, h = (geometry[k] for k in ("X", "Y", "WIDTH", "HEIGHT"))
    row = y + int(0.3 * h)
    a, b = longest_white_run(shot[row, x:x + w // 2])
    col = x + a + (b - a) // 10  # away from the centred "Draw a digit here" hint
    c, d = longest_white_run(shot[y:y + h, col])
    canvas = (x + a, y + c, x + b, y + d)
    assert b - a >= 150 and d - c >= 150, f"no canvas found in the window's left half: {canvas}"
    return canvas


def reported(report: Path) -> list[str]:
    return report.read_text().splitlines() if report.exists() else []


def last_answer(report: Path, before: int, settle: float = 1.0, timeout: float = 20.0) -> dict:
    """The last prediction reported, once there are more than ``before`` and none came for ``settle`` s."""
    def lines():
        return reported(report)

    wait_for("a prediction in NNDL_REPORT_FILE", lambda: len(lines()) > before, timeout)
    seen, since = len(lines()), time.monotonic()
    while time.monotonic() - since < settle:
        time.sleep(0.1)
        if len(lines()) != seen:
            seen, since = len(lines()), time.monotonic()
    return json.loads(lines()[-1])


def test_a_learner_draws_digits_in_the_installed_app(xserver, tmp_path):
    script = entry_point()
    assert script, "the nndl-gui script is not installed: pip install -e . (as .ci/run does)"
    screen = Screen(xserver, tmp_path)
    report = tmp_path / "report.jsonl"
    env = {k: v for k, v in screen.env.items() if k not in ("WAYLAND_DISPLAY", "NNDL_SKIP_STARTUP_CHECK")}
    env.update(QT_QPA_PLATFORM="xcb", NNDL_REPORT_FILE=str(report))
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        app = subprocess.Popen([script], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        def window():
            assert app.poll() is None, f"nndl-gui exited with {app.returncode}:\n{log.read_text()}"
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", TITLE], env=screen.env,
                                   capture_output=True, text=True).stdout.split()
            return found[0] if found else None

        wid = wait_for("the nndl-gui window", window, timeout=60)
        geometry = dict(line.split("=") for line in screen.xdotool("getwindowgeometry", "--shell", wid).split())
        geometry = {k: int(v) for k, v in geometry.items()}
        assert geometry["WIDTH"] >= 600 and geometry["HEIGHT"] >= 400, geometry
        x0, y0, x1, y1 = find_canvas(screen.screenshot("1-started"), geometry)
        w, h = x1 - x0, y1 - y0

        # A "1": one vertical stroke down the middle of the canvas.
        before = len(reported(report))
        screen.stroke([(x0 + w // 2, y0 + int(h * t)) for t in np.linspace(0.2, 0.8, 25)])
        answer = last_answer(report, before)
        screen.screenshot("2-drew-1")
        assert answer["event"] == "prediction" and answer["digit"] == 1, answer
        assert np.argmax(answer["outputs"]) == 1 and len(answer["outputs"]) == 10

        # Clear (Esc), then a "7": a bar across the top and a long diagonal down to the left.
        screen.xdotool("windowfocus", "--sync", wid)
        screen.xdotool("key", "Escape")
        stroke_pixel = (y0 + int(0.25 * h), x0 + w // 2)  # was ink; the "Draw a digit here" hint is lower
        wait_for("the canvas to clear", lambda: bool((screen.screenshot("3-cleared")[stroke_pixel] >= 250).all()),
                 timeout=10, interval=0.3)
        before = len(reported(report))
        top = [(x0 + int(w * t), y0 + int(h * 0.2)) for t in np.linspace(0.25, 0.75, 12)]
        down = [(x0 + int(w * (0.75 - 0.35 * t)), y0 + int(h * (0.2 + 0.65 * t))) for t in np.linspace(0, 1, 20)]
        screen.stroke(top + down[1:])
        answer = last_answer(report, before)
        screen.screenshot("4-drew-7")
        assert answer["digit"] == 7, answer

        screen.xdotool("windowfocus", "--sync", wid)
        screen.xdotool("key", "ctrl+q")
        assert app.wait(30) == 0, log.read_text()
        assert "Traceback" not in log.read_text(), log.read_text()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
