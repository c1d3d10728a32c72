"""The book's comparison figures (nndl_gui.figures): each overlays existing presets that differ only in
the setting the figure compares, and draws curves the training loop records."""

import dataclasses

import pytest

from nndl_gui.engine.training import EpochRecord
from nndl_gui.figures import BOOK_FIGURES, SERIES, get_figure
from nndl_gui.presets import PRESETS

# what a preset is, apart from its name and the book's words about it
RUN_FIELDS = [f.name for f in dataclasses.fields(next(iter(PRESETS.values())))
              if f.name not in ("name", "title", "book_result", "book_accuracy", "book_metric", "url", "chapter")]


@pytest.mark.parametrize("name", list(BOOK_FIGURES))
def test_each_figure_overlays_presets_that_differ_only_in_what_it_compares(name):
    fig = BOOK_FIGURES[name]
    assert fig.name == name and get_figure(name) is fig
    assert all(p in PRESETS for p in fig.presets), fig.presets
    runs = [PRESETS[p] for p in fig.presets]
    differing = {f for f in RUN_FIELDS if len({getattr(r, f) for r in runs}) > 1}
    assert differing == set(fig.varies)
    record_fields = {f.name for f in dataclasses.fields(EpochRecord)}
    assert fig.series and set(fig.series) <= set(SERIES) and set(fig.series) <= record_fields
    assert fig.url == "http://neuralnetworksanddeeplearning.com/chap3.html" and fig.what_to_see


def test_the_issues_four_comparisons_are_there():
    varied = {f.varies for f in BOOK_FIGURES.values()}
    assert {("cost", "eta"), ("eta",), ("init",), ("lmbda",)} <= varied
    assert get_figure("ch3-learning-rates").presets == ("ch3-eta-0.025", "ch3-eta-0.25", "ch3-eta-2.5")
    assert "test_cost" in get_figure("ch3-overfitting").series
    with pytest.raises(ValueError, match="ch3-overfitting"):
        get_figure("nope")
