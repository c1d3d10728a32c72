"""The Training tab's "Book figure…" menu: a figure's presets run one after the other and their runs overlay."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from nndl_gui.figures import BOOK_FIGURES  # noqa: E402
from nndl_gui.presets import PRESETS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_training_tab import tab  # noqa: E402,F401  (the Training tab on tiny data, with the real worker)


def test_a_book_figure_runs_its_presets_in_turn_and_overlays_them(qtbot, tab, monkeypatch):
    applied = []
    real_apply = tab.form.apply_preset

    def apply_small(name):  # the book's preset, shortened to one epoch on the tiny data
        real_apply(name)
        applied.append(name)
        tab.form.epochs.setValue(1)
        tab.form.limit.setValue(0)

    monkeypatch.setattr(tab.form, "apply_preset", apply_small)
    fig = BOOK_FIGURES["ch3-l2-1000"]
    titles = [a.text() for a in tab.figures.button.menu().actions()]
    assert titles == [f.title for f in BOOK_FIGURES.values()]
    tab.figures.button.menu().actions()[titles.index(fig.title)].trigger()
    qtbot.waitUntil(lambda: not tab.figures.active and not tab.running, timeout=30000)
    assert applied == list(fig.presets)
    labels = [run.label for run in tab.plots.runs.values()]
    assert len(labels) == 2 and all(len(run.curves.test_x) == 1 for run in tab.plots.runs.values())
    assert tab.series_boxes["test"].isChecked() and tab.series_boxes["train"].isChecked()
    assert not tab.series_boxes["val"].isChecked()  # the book draws test and training accuracy here
    assert PRESETS[fig.presets[1]].lmbda == float(tab.form.lmbda.text())
    assert any("done" in s for s in tab.statuses)


def test_stop_ends_the_queue_and_keeps_the_runs(qtbot, tab, monkeypatch):
    real_apply = tab.form.apply_preset

    def apply_long(name):
        real_apply(name)
        tab.form.epochs.setValue(50)
        tab.form.limit.setValue(0)

    monkeypatch.setattr(tab.form, "apply_preset", apply_long)
    tab.figures.run_figure("ch3-learning-rates")
    qtbot.waitUntil(lambda: tab.running, timeout=10000)
    tab.stop()
    qtbot.waitUntil(lambda: not tab.figures.active and not tab.running, timeout=10000)
    assert len(tab.plots.runs) == 1 and tab.figures.queue == []
