"""Latency of the Draw tab: a stroke event on the canvas → updated probability bars.

Drives a real DrawTab (offscreen) with the shipped network: for each sample, one QMouseEvent extends a
stroke, the tab asks the worker for a prediction (at once, as on release) and we wait until the bars
have been redrawn with the answer.  Measured on an idle engine.  Prints one JSON object with the
median and 90th percentile in milliseconds, and the time spent on the worker alone.

    QT_QPA_PLATFORM=offscreen python benchmarks/draw_latency.py [--n 200] [--network conv.npz]

``--network`` opens that file in the tab's network selector (a chapter-6 conv net adds its feature maps
and the saliency through the conv layers to each answer); the default is the tab's default network.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--network", default=None, help="a network file to read with (default: the tab's default)")
    args = p.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    from nndl_gui.app import configure_pyqtgraph
    from nndl_gui.appcontext import AppContext, DataManager
    from nndl_gui.engine.io import load_network  # noqa: F401
    from nndl_gui.tabs.draw import DrawTab
    from nndl_gui.client import EngineClient

    configure_pyqtgraph()
    client = EngineClient()
    settings = QSettings("/tmp/nndl-draw-latency.ini", QSettings.Format.IniFormat)
    ctx = AppContext(client, DataManager(client), settings, lambda t: None, lambda a, b: None)
    tab = DrawTab(ctx)
    tab.resize(1100, 650)
    tab.show()
    deadline = time.perf_counter() + 30
    while tab.network is None and time.perf_counter() < deadline:
        app.processEvents()
    if args.network:
        first = tab.network
        tab.chooser.open_files([args.network])
        deadline = time.perf_counter() + 30
        while tab.network is first and time.perf_counter() < deadline:
            app.processEvents()
    canvas = tab.canvas
    r = canvas.target_rect()
    s = r.width() / canvas.size_px

    def send(kind, x, y):
        pos = QPointF(r.left() + x * s, r.top() + y * s)
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        QApplication.sendEvent(canvas, QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button,
                                                   Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    shown = []
    original = tab.show_result
    loop = QEventLoop()

    def show_result(result):
        original(result)
        shown.append(time.perf_counter())
        loop.quit()

    tab.show_result = show_result
    latencies, worker_ms = [], []
    send(QEvent.Type.MouseButtonPress, 140, 40)
    for i in range(args.n):
        y = 40 + 200 * (i + 1) / args.n
        x = 140 + 40 * math.sin(i / 8)
        tab._throttle.setInterval(0)  # measure the pipeline, not the 30/s throttle
        before = len(shown)
        t0 = time.perf_counter()
        send(QEvent.Type.MouseMove, x, y)
        tab._throttle.stop()
        tab._request_prediction()  # as on release: at once
        if len(shown) == before:
            # Wait as the app does (app.exec()): asleep in Qt's event loop, without the GIL.  A Python loop
            # around processEvents() would hold the GIL and slow the worker down by itself.
            QTimer.singleShot(5000, loop.quit)
            loop.exec()
        if len(shown) > before:
            latencies.append(1000 * (shown[-1] - t0))
            worker_ms.append(1000 * tab.result.seconds)
    send(QEvent.Type.MouseButtonRelease, 140, 240)
    tab.shutdown()
    client.shutdown()
    lat = np.array(latencies)
    print(json.dumps({
        "benchmark": "draw_latency",
        "what": "mouse move on the canvas -> preprocessing, prediction and saliency on the worker -> bars and 28x28 view updated (before the repaint)",
        "network": (tab.network.describe() if hasattr(tab.network, "describe") else tab.network.sizes)
        if tab.network else None,
        "samples": len(lat),
        "median_ms": round(float(np.median(lat)), 2),
        "p90_ms": round(float(np.percentile(lat, 90)), 2),
        "max_ms": round(float(lat.max()), 2),
        "worker_median_ms": round(float(np.median(worker_ms)), 2),
        "target_median_ms": 15 if hasattr(tab.network, "layers") else 10,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
