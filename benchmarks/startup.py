"""How long from launching nndl-gui until its window is on screen?  Prints ONE JSON object.

    python benchmarks/startup.py [--runs 5] [--out startup.json]

Each run starts a fresh Python process (offscreen Qt, a throw-away settings file) that imports the app,
builds the MainWindow with its four tabs, shows it, and reports once the window has been exposed and
painted.  The time is measured by this script from just before the process starts (interpreter start-up,
imports and the first paint included) to the child's "shown" line.  Target from issue #3: < 2 s.
MNIST is not loaded at start-up (tabs load it on first use, with progress), so it is not in the figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from nndl_gui.app import MainWindow, configure_pyqtgraph
configure_pyqtgraph()
w = MainWindow()
w.resize(1280, 820)
w.show()
for _ in range(3):
    app.processEvents()
w.grab()  # forces a full paint of the window and its current tab
print("shown", flush=True)
w.close()
"""


def one_run() -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), NNDL_NO_DIALOGS="1",
               NNDL_SETTINGS_FILE=str(Path(tempfile.mkdtemp()) / "settings.ini"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if line.startswith("shown"):
            elapsed = time.perf_counter() - t0
            break
    else:
        proc.wait()
        raise SystemExit(f"the app did not start (exit code {proc.returncode})")
    proc.wait(timeout=30)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out")
    args = ap.parse_args()
    one_run()  # warm the OS file cache once, as a user's second launch would be
    times = [one_run() for _ in range(args.runs)]
    result = {"benchmark": "startup", "runs": args.runs, "seconds": [round(t, 3) for t in times],
              "median_seconds": round(statistics.median(times), 3), "max_seconds": round(max(times), 3),
              "target_seconds": 2.0, "pass": max(times) < 2.0, "python": sys.version.split()[0],
              "cpus": os.cpu_count()}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
