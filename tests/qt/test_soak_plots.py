"""Soak: thousands of live plot updates in one process, without a crash or leaked plot items.

Guards against Qt-binding regressions such as PySide6-Essentials 6.12.0's "none_dealloc" abort,
which killed live plots within seconds (STYLE.md, "Known traps").
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nndl_gui.app import configure_pyqtgraph  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.tabs.training.tab import TrainingTab  # noqa: E402
from nndl_gui.jobs.training import TrainingRequest  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_training_job import FakeCtx, run, tiny_mnist  # noqa: E402

UPDATES = 5000


def test_5000_live_plot_updates(qtbot, tmp_path):
    configure_pyqtgraph()
    client = EngineClient()
    ctx = AppContext(client, DataManager(client), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                     lambda text: None, lambda title, text: None)
    tab = TrainingTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    # Real snapshots from a real (headless) run: two hidden layers so every view has data.
    req = TrainingRequest(sizes=(784, 12, 12, 10), seed=1)
    snaps = run(FakeCtx(), replace(req, config=replace(req.config, epochs=2, mini_batch_size=10, eta=1.0)),
                tiny_mnist())
    tab.plots.add_run(1, "soak")
    tab._current_run = 1
    rng = np.random.default_rng(0)
    items_before = None
    for i in range(UPDATES):
        s = snaps[i % len(snaps)]
        # Fresh curve data every time, so every update really calls setData.
        c = s.curves
        grow = {f: np.append(getattr(c, f), getattr(c, f)[-1:] + rng.random() * 1e-3)
                for f in ("cost_x", "cost_y", "test_x", "test_y", "val_x", "val_y", "train_x", "train_y")}
        sp = np.vstack([c.speed_y, c.speed_y[-1:]]) if len(c.speed_y) else c.speed_y
        curves = replace(c, **grow, speed_x=np.append(c.speed_x, c.speed_x[-1:] + 1e-3), speed_y=sp)
        weights = replace(s.weights, image=s.weights.image * (1 - 1e-4 * (i % 7)))
        tab.draw(replace(s, curves=curves, weights=weights))
        if i % 25 == 0:
            QApplication.processEvents()
            if items_before is None and i >= 500:
                items_before = (len(tab.plots.cost.getPlotItem().items), len(tab.plots.acc.getPlotItem().items),
                                len(tab.speed.getPlotItem().items))
    QApplication.processEvents()
    assert tab.draws == UPDATES
    # create-once, setData-after: the number of plot items did not grow
    assert (len(tab.plots.cost.getPlotItem().items), len(tab.plots.acc.getPlotItem().items),
            len(tab.speed.getPlotItem().items)) == items_before
    tab.shutdown()
    assert client.shutdown()
