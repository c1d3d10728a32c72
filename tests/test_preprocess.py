"""Canvas → 28×28 as MNIST's digits were made: bounding box → 20×20 → centre of mass in 28×28."""

import numpy as np
import pytest

from nndl_gui.data.preprocess import (
    area_resample, bounding_box, is_empty, naive_resize, preprocess, render_digit, to_ink,
)


def canvas_with_bar(top, bottom, left, right, size=280, dark_on_light=True):
    ink = np.zeros((size, size), np.float32)
    ink[top:bottom, left:right] = 1.0
    return np.round(255 * (1 - ink if dark_on_light else ink)).astype(np.uint8)


def com(img):
    ys = np.arange(img.shape[0]) + 0.5
    return float(img.sum(1) @ ys / img.sum()), float(img.sum(0) @ ys / img.sum())


def test_empty_canvas_gives_zeros():
    for blank in (np.full((280, 280), 255, np.uint8), np.zeros((50, 30), np.uint8), np.full((5, 5), 0.5)):
        out = preprocess(blank)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert is_empty(out)


def test_box_fits_20_keeping_aspect_ratio_and_centre_of_mass_at_centre():
    # a tall bar 200 high, 50 wide, in a corner of the canvas
    out = preprocess(canvas_with_bar(10, 210, 5, 55), stroke=False)  # a solid block, not a pen stroke
    # centred on 14.5, a 20-pixel side straddles 21 pixels with half-covered ends
    assert out.max(1).sum() == pytest.approx(20, abs=0.01)  # longer side fits 20
    assert out.max(0).sum() == pytest.approx(5, abs=0.01)  # 50/200 of 20: aspect ratio kept
    assert out.sum() == pytest.approx(20 * 5, rel=0.02)  # area averaging preserves ink
    cy, cx = com(out)
    assert cy == pytest.approx(14.5, abs=1e-3) and cx == pytest.approx(14.5, abs=1e-3)
    assert out.min() >= 0 and out.max() == pytest.approx(1.0)


def test_wide_shape_fits_20_across():
    out = preprocess(canvas_with_bar(100, 140, 20, 260), stroke=False)
    assert out.max(0).sum() == pytest.approx(20, abs=0.01)
    assert out.max(1).sum() == pytest.approx(20 * 40 / 240, abs=0.01)


def test_same_digit_anywhere_any_size_gives_nearly_the_same_input():
    a = preprocess(canvas_with_bar(10, 110, 10, 60), stroke=False)  # small, top-left
    b = preprocess(canvas_with_bar(40, 240, 150, 250), stroke=False)  # twice as large, right
    np.testing.assert_allclose(a, b, atol=1e-5)
    # the naive resize keeps the size and position differences
    assert np.abs(naive_resize(canvas_with_bar(10, 110, 10, 60)) - naive_resize(canvas_with_bar(40, 240, 150, 250))).max() > 0.5


def test_polarity_auto_detects_light_on_dark_and_dark_on_light():
    dark = canvas_with_bar(30, 200, 100, 150, dark_on_light=True)
    light = canvas_with_bar(30, 200, 100, 150, dark_on_light=False)
    np.testing.assert_allclose(preprocess(dark), preprocess(light), atol=1e-6)
    np.testing.assert_allclose(preprocess(dark, "dark-on-light"), preprocess(light, "light-on-dark"), atol=1e-6)
    assert is_empty(preprocess(dark, "light-on-dark")) or preprocess(dark, "light-on-dark").sum() > 0
    with pytest.raises(ValueError, match="polarity"):
        preprocess(dark, "sideways")


def test_grey_paper_and_pencil_are_stretched_to_full_ink():
    g = np.full((100, 100), 0.8, np.float32)  # grey paper
    g[20:80, 45:55] = 0.5  # grey pencil
    ink = to_ink(g)
    assert ink[0, 0] == 0.0 and ink[50, 50] == pytest.approx(1.0)
    assert preprocess(g).max() == pytest.approx(1.0)


def test_noise_does_not_stretch_the_bounding_box():
    c = canvas_with_bar(100, 200, 120, 160).astype(np.float32) / 255
    c[5, 5] = 0.95  # a faint speck far away (5% ink)
    assert bounding_box(to_ink(c)) == (100, 200, 120, 160)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="2-D"):
        preprocess(np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match="NaN"):
        preprocess(np.full((4, 4), np.nan))


def test_area_resample_averages_exactly():
    ink = np.arange(16, dtype=np.float32).reshape(4, 4) / 16
    out = area_resample(ink, (2, 2), 0.5, (0.0, 0.0))
    np.testing.assert_allclose(out, ink.reshape(2, 2, 2, 2).mean(axis=(1, 3)), atol=1e-6)


def test_mnist_digit_round_trips_through_the_canvas():
    """A digit drawn large anywhere, thicker or thinner, and preprocessed back looks like itself."""
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 12:15] = 1.0  # a "1" with a flag, 20 high
    digit[4:7, 8:12] = 1.0
    digit = preprocess(digit, "light-on-dark")  # centred by its centre of mass, as in MNIST
    for height, stroke in ((0.3, 0.0), (0.9, 0.0), (0.6, 1.0), (0.6, -1.0)):
        canvas = render_digit(digit, 280, height=height, centre=(80, 200), stroke=stroke)
        assert canvas.dtype == np.uint8 and canvas.shape == (280, 280) and canvas[0, 0] == 255
        back = preprocess(canvas)
        overlap = (back * digit).sum() / np.sqrt((back ** 2).sum() * (digit ** 2).sum())
        assert overlap > 0.9, (height, stroke, overlap)
