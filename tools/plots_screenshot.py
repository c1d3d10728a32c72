#!/usr/bin/env python3
"""Screenshot of the Training tab's plots after two short runs on the shipped MNIST sample.

Run 1 is chapter 1's [784,30,10] with the quadratic cost, run 2 chapter 3's [784,100,10] with cross-entropy
and L2 (λ = 5), whose book figure ("book: 98.04% validation") is the reference line: two cost functions on
one plot, the reference label, and the learning-speed panel's log axis, as a learner sees them.

    QT_QPA_PLATFORM=offscreen python tools/plots_screenshot.py docs/screenshots/plots-after.png --epochs 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PNG to write")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    args = parser.parse_args(argv)

    home = tempfile.mkdtemp(prefix="nndl-shot-")
    os.environ.update(NNDL_SETTINGS_FILE=f"{home}/settings.ini", NNDL_CACHE_DIR=f"{home}/cache",
                      NNDL_NO_DIALOGS="1")
    os.environ.pop("NNDL_DATA_DIR", None)  # the shipped sample, as a first start has it
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nndl_gui.app import MainWindow, configure_pyqtgraph

    app = QApplication.instance() or QApplication([])
    configure_pyqtgraph()
    window = MainWindow()
    window.resize(*map(int, args.size.split("x")))
    window.show()
    window.tabs.setCurrentIndex(1)
    tab = window.tab_widgets[1]
    runs = [("ch1-30", None), ("ch3-l2-100-60", None)]

    def start_next():
        if tab.running:
            QTimer.singleShot(200, start_next)
            return
        if not runs:
            QTimer.singleShot(500, finish)
            return
        name, _ = runs.pop(0)
        tab.apply_preset(name)
        tab.epochs.setValue(args.epochs)
        tab.start()
        QTimer.singleShot(1000, start_next)

    def finish():
        tab.bottom.setCurrentIndex(1)  # the learning speed panel (a finished run shows its test results)
        app.processEvents()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        ok = tab.grab().save(str(args.out))
        print(f"{'wrote' if ok else 'could not write'} {args.out}")
        window.close()
        app.quit()

    QTimer.singleShot(0, start_next)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
