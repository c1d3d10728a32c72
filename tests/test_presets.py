"""The book's experiments as presets: every one is a valid, runnable configuration with its book figure."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nndl_gui.engine.network import Network
from nndl_gui.engine.training import TrainingConfig
from nndl_gui.presets import PRESETS, Preset, get_preset, preset_names


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_validates(name):
    p = PRESETS[name]
    assert p.name == name
    assert re.fullmatch(r"ch\d-[a-z0-9.]+(-[a-z0-9.]+)*", name)
    assert p.validate() is p
    assert p.sizes[0] == 784 and p.sizes[-1] == 10 and all(s >= 1 for s in p.sizes)
    assert p.eta > 0 and p.mini_batch_size >= 1 and p.epochs >= 1 and p.lmbda >= 0
    cfg = p.training_config()
    assert isinstance(cfg, TrainingConfig)
    cfg.validate(p.limit or 50_000)
    assert p.url == f"http://neuralnetworksanddeeplearning.com/chap{p.chapter}.html"
    assert p.book_metric in ("test", "validation")
    assert p.book_result
    if p.book_accuracy is not None:
        assert 0.0 < p.book_accuracy < 1.0
    net = Network(**p.network_kwargs(), rng=0)
    assert net.sizes == list(p.sizes)


def test_headline_presets_match_the_book():
    ch1 = get_preset("ch1-30")
    assert (ch1.sizes, ch1.cost, ch1.init, ch1.eta, ch1.mini_batch_size, ch1.epochs) == (
        (784, 30, 10), "quadratic", "large", 3.0, 10, 30)
    assert ch1.book_accuracy == pytest.approx(0.9542) and ch1.book_metric == "test"
    l2 = get_preset("ch3-l2-100")
    assert (l2.sizes, l2.cost, l2.eta, l2.lmbda) == ((784, 100, 10), "cross-entropy", 0.5, 5.0)
    assert l2.book_accuracy == pytest.approx(0.9792) and l2.book_metric == "validation"
    over = get_preset("ch3-overfit")
    assert over.limit == 1000 and over.epochs == 400
    assert get_preset("ch3-l2-1000").lmbda == pytest.approx(0.1)
    assert get_preset("ch1-eta-100").eta == 100.0 and get_preset("ch1-eta-0.001").eta == 0.001
    deep = [get_preset(f"ch5-{k}-hidden").sizes for k in (1, 2, 3, 4)]
    assert [len(s) - 2 for s in deep] == [1, 2, 3, 4]
    assert get_preset("ch3-schedule").schedule and get_preset("ch3-schedule").early_stopping_n == 10
    assert get_preset("ch3-init-default").init == "default" and get_preset("ch3-init-large").init == "large"


def test_unknown_preset_lists_the_names():
    with pytest.raises(ValueError) as info:
        get_preset("ch9-nope")
    assert "ch9-nope" in str(info.value) and "ch1-30" in str(info.value) and "ch3-l2-100" in str(info.value)
    assert preset_names() == list(PRESETS)


def test_presets_are_frozen_and_overridable():
    p = get_preset("ch1-30")
    with pytest.raises(Exception):
        p.eta = 1.0  # type: ignore[misc]
    q = p.with_overrides(eta=0.5, sizes=(784, 20, 10), lmbda=None)
    assert q.eta == 0.5 and q.sizes == (784, 20, 10) and q.lmbda == p.lmbda and p.eta == 3.0
    assert isinstance(q, Preset)


def test_validate_rejects_bad_presets():
    p = get_preset("ch1-30")
    for bad in (dict(sizes=(100, 30, 10)), dict(sizes=(784, 30, 9)), dict(eta=-1.0), dict(book_accuracy=95.4),
                dict(init="huge"), dict(book_metric="train"), dict(limit=0), dict(mini_batch_size=0)):
        with pytest.raises(ValueError):
            p.with_overrides(**bad).validate()


def test_network_kwargs_build_the_same_network_for_the_same_seed():
    p = get_preset("ch5-2-hidden")
    a = Network(**p.network_kwargs(), rng=np.random.default_rng(3))
    b = Network(**p.network_kwargs(), rng=np.random.default_rng(3))
    assert all(np.array_equal(x, y) for x, y in zip(a.params, b.params))


# Every preset pinned to the book (BOOK.md's headline table and the book's fig/ scripts):
# name: (sizes, output, cost, init, η, m, epochs, λ, limit, book_accuracy, book_metric)
BOOK_SETTINGS = {
    "ch1-30": ((784, 30, 10), "sigmoid", "quadratic", "large", 3.0, 10, 30, 0.0, None, 0.9542, "test"),
    "ch1-100": ((784, 100, 10), "sigmoid", "quadratic", "large", 3.0, 10, 30, 0.0, None, 0.9659, "test"),
    "ch1-eta-0.001": ((784, 100, 10), "sigmoid", "quadratic", "large", 0.001, 10, 30, 0.0, None, 0.2142, "test"),
    "ch1-eta-100": ((784, 30, 10), "sigmoid", "quadratic", "large", 100.0, 10, 30, 0.0, None, 0.0982, "test"),
    "ch3-ce-30": ((784, 30, 10), "sigmoid", "cross-entropy", "large", 0.5, 10, 30, 0.0, None, 0.9549, "test"),
    "ch3-ce-100": ((784, 100, 10), "sigmoid", "cross-entropy", "large", 0.5, 10, 30, 0.0, None, 0.9682, "test"),
    "ch3-overfit": ((784, 30, 10), "sigmoid", "cross-entropy", "large", 0.5, 10, 400, 0.0, 1000, 0.8227, "test"),
    "ch3-l2-1000": ((784, 30, 10), "sigmoid", "cross-entropy", "large", 0.5, 10, 400, 0.1, 1000, 0.871, "test"),
    "ch3-l2-30": ((784, 30, 10), "sigmoid", "cross-entropy", "large", 0.5, 10, 30, 5.0, None, 0.9649, "test"),
    "ch3-l2-100": ((784, 100, 10), "sigmoid", "cross-entropy", "large", 0.5, 10, 30, 5.0, None, 0.9792,
                   "validation"),
    "ch3-l2-100-60": ((784, 100, 10), "sigmoid", "cross-entropy", "large", 0.1, 10, 60, 5.0, None, 0.9804,
                      "validation"),
    "ch3-init-default": ((784, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 10, 30, 5.0, None, 0.96,
                         "validation"),
    "ch3-init-large": ((784, 30, 10), "sigmoid", "cross-entropy", "large", 0.1, 10, 30, 5.0, None, 0.96,
                       "validation"),
    "ch3-eta-0.025": ((784, 30, 10), "sigmoid", "cross-entropy", "default", 0.025, 10, 30, 5.0, None, None, "test"),
    "ch3-eta-0.25": ((784, 30, 10), "sigmoid", "cross-entropy", "default", 0.25, 10, 30, 5.0, None, None, "test"),
    "ch3-eta-2.5": ((784, 30, 10), "sigmoid", "cross-entropy", "default", 2.5, 10, 30, 5.0, None, None, "test"),
    "ch5-1-hidden": ((784, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 10, 30, 5.0, None, 0.9648,
                     "validation"),
    "ch5-2-hidden": ((784, 30, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 10, 30, 5.0, None, 0.9690,
                     "validation"),
    "ch5-3-hidden": ((784, 30, 30, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 10, 30, 5.0, None, 0.9657,
                     "validation"),
    "ch5-4-hidden": ((784, 30, 30, 30, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 10, 30, 5.0, None,
                     0.9653, "validation"),
    "ch5-speed-2-hidden": ((784, 30, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 1000, 500, 5.0, 1000,
                           None, "test"),
    "ch5-speed-3-hidden": ((784, 30, 30, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 1000, 500, 5.0, 1000,
                           None, "test"),
    "ch5-speed-4-hidden": ((784, 30, 30, 30, 30, 10), "sigmoid", "cross-entropy", "default", 0.1, 1000, 500, 5.0,
                           1000, None, "test"),
    "ch6-fc-100": ((784, 100, 10), "softmax", "log-likelihood", "default", 0.1, 10, 60, 0.0, None, 0.9780, "test"),
}


@pytest.mark.parametrize("name", list(BOOK_SETTINGS))
def test_every_book_preset_is_pinned_to_the_books_settings(name):
    p = get_preset(name)
    got = (p.sizes, p.output, p.cost, p.init, p.eta, p.mini_batch_size, p.epochs, p.lmbda, p.limit,
           p.book_accuracy, p.book_metric)
    assert got == BOOK_SETTINGS[name]
    assert p.activation == "sigmoid"


def test_the_two_chapter_1_learning_rate_runs_use_the_books_networks():
    # η = 100 was the 30-hidden network (982 / 10000); η = 0.001 the 100-hidden one (2142 / 10000)
    assert get_preset("ch1-eta-100").sizes == (784, 30, 10)
    assert get_preset("ch1-eta-0.001").sizes == (784, 100, 10)


def test_no_chapter_1_to_5_preset_escapes_the_pin():
    # the early-stopping and schedule rows show a rule, not a book figure
    unpinned = {n for n, p in PRESETS.items() if p.chapter <= 5} - set(BOOK_SETTINGS)
    assert unpinned <= {"ch3-early-stopping", "ch3-schedule"}
