"""Digits redrawn as people draw them (data/augment.py) and deskewing by moments (data/preprocess.py)."""

from __future__ import annotations

import numpy as np
import pytest

from nndl_gui.data.augment import AugmentedMnist, Perturbation, draw, random_perturbation
from nndl_gui.data.preprocess import bounding_box, deskew, preprocess, render_digit, skew


def bar(slant=0.0):
    """A 28×28 synthetic stroke: a vertical bar slanted by ``slant`` columns per row."""
    img = np.zeros((28, 28), np.float32)
    for r in range(5, 23):
        c = 14 + slant * (r - 14)
        img[r, int(round(c)) - 1:int(round(c)) + 2] = 1.0
    return img


@pytest.fixture(scope="module")
def digits():
    from nndl_gui.data import load_mnist

    m = load_mnist()
    return m.test.images[:20], m.test.labels[:20]


def axis_degrees(img):
    """The ink's principal axis, in degrees from vertical."""
    ys, xs = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    m = img.sum()
    cy, cx = (ys * img).sum() / m, (xs * img).sum() / m
    vy, vx = ((ys - cy) ** 2 * img).sum() / m, ((xs - cx) ** 2 * img).sum() / m
    cov = ((ys - cy) * (xs - cx) * img).sum() / m
    return float(np.degrees(0.5 * np.arctan2(2 * cov, vy - vx)))


def ink(canvas):
    return 1.0 - canvas.astype(np.float32) / 255


def corr(a, b):
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_an_unperturbed_drawing_reads_like_the_draw_tabs_example(digits):
    for img in digits[0][:5]:
        a = preprocess(draw(img, Perturbation(), 280), "dark-on-light")
        b = preprocess(render_digit(img, 280), "dark-on-light")
        assert corr(a, b) > 0.97


def test_rotation_shear_pen_and_size_do_what_they_say():
    img = (bar() * 255).astype(np.uint8)
    upright = ink(draw(img, Perturbation(), 200))
    for angle in (25.0, -25.0):
        assert abs(axis_degrees(ink(draw(img, Perturbation(angle=angle), 200)))) == pytest.approx(25, abs=2)
    assert abs(axis_degrees(upright)) < 1
    slanted = ink(draw(img, Perturbation(shear=0.3), 200))
    assert abs(skew(slanted)) == pytest.approx(0.3, abs=0.05)
    thin, fat = (ink(draw(img, Perturbation(pen=p), 200)).sum() for p in (0.5, 2.0))
    assert thin < 0.75 * upright.sum() and fat > 1.5 * upright.sum()
    small = draw(img, Perturbation(height=0.3, centre=(0.0, 1.0)), 200)
    top, bottom, left, right = bounding_box(ink(small))
    assert bottom - top == pytest.approx(60, abs=4) and top < 3 and right > 196  # 30% tall, in the corner


def test_random_perturbations_stay_in_their_ranges_and_vary_only_what_is_asked():
    rng = np.random.default_rng(0)
    ps = [random_perturbation(rng) for _ in range(500)]
    assert max(abs(p.angle) for p in ps) <= 25 and max(abs(p.shear) for p in ps) <= 0.3
    assert min(p.pen for p in ps) >= 0.5 and max(p.pen for p in ps) <= 2.0
    assert min(p.height for p in ps) >= 0.3 and max(abs(p.angle) for p in ps) > 20
    only = random_perturbation(rng, ("shear",))
    assert only.angle == 0 and only.pen == 1 and only.height == 0.7 and only.shear != 0


def test_deskew_makes_a_slanted_stroke_upright_and_keeps_its_centre():
    slanted = bar(0.4)
    assert skew(slanted) == pytest.approx(0.4, abs=0.05)
    straight = deskew(slanted)
    assert abs(skew(straight)) < 0.03
    ys, xs = np.mgrid[0:28, 0:28]
    for img in (slanted, straight):
        assert (xs * img).sum() / img.sum() == pytest.approx((xs * slanted).sum() / slanted.sum(), abs=0.3)
    assert corr(deskew(bar(0.0)), bar(0.0)) > 0.999  # an upright stroke is left as it is
    assert not np.any(deskew(np.zeros((28, 28))))


def test_augmented_source_fills_fresh_drawings_reproducibly(digits):
    images, labels = digits
    a = AugmentedMnist(images, labels, seed=1, plain=0.0)
    b = AugmentedMnist(images, labels, seed=1, plain=0.0)
    x1, x2 = a.fill(np.arange(8)), b.fill(np.arange(8))
    np.testing.assert_array_equal(x1, x2)
    assert x1.shape == (8, 784) and x1.min() >= 0 and x1.max() <= 1
    again = a.fill(np.arange(8))  # the next epoch draws them differently
    assert not np.allclose(again, x1)
    plain = AugmentedMnist(images, labels, seed=1, plain=1.0).fill(slice(0, 4))
    np.testing.assert_allclose(plain, images[:4] / 255, atol=1e-6)
    with pytest.raises(ValueError, match="784"):
        AugmentedMnist(images[:, :10], labels)


def test_stroke_normalisation_makes_thin_and_fat_pens_alike(digits):
    from nndl_gui.data.preprocess import STROKE_RATIO, normalise_stroke, stroke_ratio, to_ink

    for img in digits[0][:6]:
        thin, fat = (draw(img, Perturbation(pen=p), 280) for p in (0.5, 2.0))
        for canvas in (thin, fat):
            ink = normalise_stroke(to_ink(canvas, "dark-on-light"))
            assert stroke_ratio(ink)[0] == pytest.approx(STROKE_RATIO, rel=0.35)
        with_norm = corr(preprocess(thin, "dark-on-light"), preprocess(fat, "dark-on-light"))
        without = corr(preprocess(thin, "dark-on-light", stroke=False), preprocess(fat, "dark-on-light", stroke=False))
        assert with_norm > without
    small = to_ink(np.asarray(255 - digits[0][0].reshape(28, 28), np.uint8), "dark-on-light")
    np.testing.assert_array_equal(normalise_stroke(small), small)  # 28×28: too coarse, left alone
