"""How long the real app takes to end when closed while its worker is busy (issue 15, item 1).

    python benchmarks/close_busy.py              # every phase, 3 runs each
    python benchmarks/close_busy.py --repeats 5 --phases evaluation open

Each run starts the app in a subprocess through tests/qt/busy_app.py, which drives the worker into one
long phase (a [784, 12000, 10] network's epoch-end evaluation; File ▸ Open of a 100 MB JSON network; a
chapter-6 epoch's evaluation) and closes the window 0.4 s after the worker entered it.  Reported per
phase, as medians and maxima over the runs: seconds from the close to the end of the process
("close_to_exit"), and the longest stall of a 10 ms timer on the GUI thread while the worker was busy
("gui_gap", a frozen window shows as a long one).  Exit codes are listed.  Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "qt"))
from test_close_busy import big_network_json, close_while_busy  # noqa: E402

PHASES = ["evaluation", "open", "conv-epoch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=PHASES)
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    out = {"repeats": args.repeats, "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = big_network_json(tmp / "big.json", 6000) if "open" in args.phases else None
        for phase in args.phases:
            runs = []
            for i in range(args.repeats):
                folder = tmp / f"{phase}-{i}"
                folder.mkdir()
                seen = close_while_busy(folder, phase, *([str(big)] if phase == "open" else []))
                runs.append(seen)
            took = [s["ended"] - s["closing"] for s in runs if "closing" in s]
            gaps = [s["gap"] for s in runs if "gap" in s]
            out[phase] = {
                "exit_codes": [s["code"] for s in runs],
                "close_to_exit_median_s": round(statistics.median(took), 3) if took else None,
                "close_to_exit_max_s": round(max(took), 3) if took else None,
                "gui_gap_median_s": round(statistics.median(gaps), 3) if gaps else None,
                "gui_gap_max_s": round(max(gaps), 3) if gaps else None,
            }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
