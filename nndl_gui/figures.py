"""The book's comparison figures as data: which presets to overlay and which curve to draw, one row each.

A ``BookFigure`` names the presets (``nndl_gui.presets``) whose runs the book draws together, the curve it
draws (``series``: an ``EpochRecord`` field such as "training_cost" or "validation_accuracy"), and the preset
settings that differ between its runs (``varies``: everything else is the same, so the figure compares just
that).  A view offers one action per figure: run its presets (or reuse finished runs) and overlay ``series``.

Source: Michael Nielsen, *Neural Networks and Deep Learning*, chapter 3
(http://neuralnetworksanddeeplearning.com/).
"""

from __future__ import annotations

from dataclasses import dataclass

from .presets import BOOK_URL

__all__ = ["BookFigure", "BOOK_FIGURES", "get_figure"]

SERIES = ("training_cost", "training_accuracy", "validation_cost", "validation_accuracy", "test_cost",
          "test_accuracy", "learning_speed")


@dataclass(frozen=True)
class BookFigure:
    name: str
    title: str
    chapter: int
    presets: tuple[str, ...]  # overlaid, in the legend's order
    series: tuple[str, ...]  # the curves the book draws, one panel each
    varies: tuple[str, ...]  # the Preset fields that differ between the runs
    what_to_see: str  # the book's lesson, in a line

    @property
    def url(self) -> str:
        return BOOK_URL.format(self.chapter)


_FIGURES = [
    BookFigure("ch3-cost-functions", "Chapter 3: quadratic cost (η=3.0) against cross-entropy (η=0.5)", 3,
               ("ch1-30", "ch3-ce-30"), ("test_accuracy",), ("cost", "eta"),
               "cross-entropy learns a little better (95.49% against 95.42%) and does not slow down when saturated"),
    BookFigure("ch3-overfitting", "Chapter 3: overfitting on 1,000 training images, 400 epochs", 3,
               ("ch3-overfit",), ("training_cost", "test_accuracy", "test_cost", "training_accuracy"), (),
               "the training cost keeps falling while test accuracy stops improving near epoch 280 and the test "
               "cost rises from about epoch 15: training accuracy reaches 100%"),
    BookFigure("ch3-l2-1000", "Chapter 3: L2 regularisation (λ=0.1) on the 1,000 images", 3,
               ("ch3-overfit", "ch3-l2-1000"), ("test_accuracy", "training_accuracy"), ("lmbda",),
               "with λ = 0.1 test accuracy keeps rising, to 87.1% (82.27% without)"),
    BookFigure("ch3-l2-50000", "Chapter 3: L2 regularisation (λ=5.0) on all 50,000 images", 3,
               ("ch3-ce-30", "ch3-l2-30"), ("test_accuracy",), ("lmbda",),
               "regularisation helps on the full set too: 96.49% against 95.49%"),
    BookFigure("ch3-initialisation", "Chapter 3: weights N(0, 1/n_in) against N(0, 1)", 3,
               ("ch3-init-large", "ch3-init-default"), ("validation_accuracy",), ("init",),
               "the new initialisation learns much faster at first (about 93% against 87% after epoch 1)"),
    BookFigure("ch3-learning-rates", "Chapter 3: η = 0.025, 0.25 and 2.5 (training cost)", 3,
               ("ch3-eta-0.025", "ch3-eta-0.25", "ch3-eta-2.5"), ("training_cost",), ("eta",),
               "η = 0.025 falls smoothly, 0.25 falls then levels off, 2.5 oscillates from the start"),
]

BOOK_FIGURES: dict[str, BookFigure] = {f.name: f for f in _FIGURES}


def get_figure(name: str) -> BookFigure:
    """The figure called ``name``; ValueError listing the names if there is none."""
    try:
        return BOOK_FIGURES[name]
    except KeyError:
        raise ValueError(f"unknown figure {name!r}; choose one of {', '.join(BOOK_FIGURES)}") from None
