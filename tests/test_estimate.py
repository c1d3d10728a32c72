"""The Training tab's run-length estimate (jobs.estimate): timing a layer stack, and the arithmetic of a run."""

import math

import pytest

from nndl_gui.engine.convnet import parse_layers
from nndl_gui.jobs.estimate import RunEstimate, StepTiming, duration, time_left, time_steps

STACK = parse_layers("conv4x5-pool2,fc20-drop0.5,softmax10", activation="relu")


@pytest.mark.parametrize("seconds, said", [(0.42, "0.4 s"), (12.2, "12 s"), (135, "2 min 15 s"), (120, "2 min"),
                                           (45 * 60 + 10, "45 min"), (5400, "1 h 30 min"), (7200, "2 h")])
def test_durations_read_as_people_say_them(seconds, said):
    assert duration(seconds) == said


def test_an_epoch_is_its_mini_batches_plus_the_epoch_end_measurements():
    t = StepTiming(m=10, seconds_per_batch=0.005, seconds_per_eval_image=0.0002, batches_timed=20)
    plain = RunEstimate(t, n_train=50_000, n_eval=21_000, epochs=60)
    assert plain.epoch_seconds == pytest.approx(5000 * 0.005 + 21_000 * 0.0002)
    assert plain.run_seconds == pytest.approx(60 * plain.epoch_seconds)
    expanded = RunEstimate(t, n_train=250_000, n_eval=21_000, epochs=40)  # five times the images
    assert expanded.epoch_seconds - 21_000 * 0.0002 == pytest.approx(5 * 5000 * 0.005)
    assert expanded.text() == "≈ 2 min 9 s per epoch on 250,000 images · 40 epochs ≈ 1 h 26 min"


def test_timing_a_stack_runs_real_steps_and_scales_large_mini_batches():
    small = time_steps(None, STACK, 10)
    assert small.m == 10 and small.batches_timed >= 1
    assert small.seconds_per_batch > 0 and small.seconds_per_eval_image > 0
    big = time_steps(None, STACK, 5000)  # timed at a smaller size, scaled up: it never runs 5000 images a step
    assert big.m == 5000 and math.isfinite(big.seconds_per_batch)


def test_a_bad_stack_is_refused_with_the_engines_sentence():
    with pytest.raises(ValueError):
        time_steps(None, [{"type": "conv", "filters": 2, "size": 40, "pool": 2, "activation": "relu"}], 10)


def test_time_left_counts_the_mini_batches_still_to_train():
    # epoch 1 of 0–3, mini-batch 100 of 500, 10 images each, at 1,000 images/s: (3·500 − 100)·10 / 1000
    assert time_left(1, 100, 4, 500, 5000, 1000.0) == pytest.approx(14.0)
    assert time_left(3, 500, 4, 500, 5000, 1000.0) == 0
    assert time_left(0, 0, 4, 500, 5000, None) is None
