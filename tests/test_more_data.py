"""Chapter 3's "more data" engine (nndl_gui.engine.more_data): rotations in NumPy, the book's settings per
size, the generator's points."""

import numpy as np
import pytest

from nndl_gui.engine import more_data as MD


def blob_images(n=8, seed=0):
    """Smooth random 28×28 pictures (sums of Gaussian blobs away from the border), floats in [0, 1]."""
    rng = np.random.default_rng(seed)
    rr, cc = np.mgrid[0:28, 0:28]
    out = np.zeros((n, 28, 28))
    for i in range(n):
        for _ in range(3):
            r, c = rng.uniform(9, 18, 2)
            out[i] += np.exp(-((rr - r) ** 2 + (cc - c) ** 2) / 8.0)
    return (out / out.max(axis=(1, 2), keepdims=True)).reshape(n, 784)


def test_rotations_turn_pictures_about_their_centre():
    pics = blob_images()
    np.testing.assert_allclose(MD.rotate_images(pics, 0.0), pics, atol=1e-12)
    quarter = MD.rotate_images(pics, 90.0)
    np.testing.assert_allclose(quarter.reshape(-1, 28, 28), np.rot90(pics.reshape(-1, 28, 28), axes=(1, 2)),
                               atol=1e-9)
    # a blob 6 pixels right of the centre, turned by 30°, lands at (6 cos 30°, 6 sin 30°) (y up)
    rr, cc = np.mgrid[0:28, 0:28]
    blob = np.exp(-((rr - 13.5) ** 2 + (cc - 19.5) ** 2) / 4.0).reshape(1, 784)
    turned = MD.rotate_images(blob, 30.0)[0]
    x = turned @ (cc.ravel() - 13.5) / turned.sum()
    y = turned @ (13.5 - rr.ravel()) / turned.sum()
    assert (x, y) == (pytest.approx(6 * np.cos(np.pi / 6), abs=0.05), pytest.approx(3.0, abs=0.05))
    assert turned.sum() == pytest.approx(blob.sum(), rel=0.01)
    # undoing a small rotation gives the picture back up to bilinear blurring
    small = MD.rotate_images(pics, 7.0)
    back = MD.rotate_images(small, -7.0)
    assert np.abs(back - pics).mean() < 0.5 * np.abs(small - pics).mean()
    digits = (pics * 255).astype(np.uint8)
    turned = MD.rotate_images(digits, 5.0)
    assert turned.dtype == np.uint8 and turned.shape == digits.shape
    with pytest.raises(ValueError):
        MD.rotate_images(np.zeros((2, 100)), 5.0)


def test_expansion_adds_one_rotated_copy_per_angle():
    pics = (blob_images(3) * 255).astype(np.uint8)
    x, y = MD.expand_with_rotations(pics, np.array([4, 7, 1]))
    assert x.shape == (15, 784) and y.tolist() == [4, 7, 1] * 5
    np.testing.assert_array_equal(x[:3], pics)
    np.testing.assert_array_equal(x[3:6], MD.rotate_images(pics, MD.ROTATIONS[0]))


def test_the_books_settings_per_size():
    for n in MD.BOOK_SIZES:
        c = MD.settings_for(n)
        assert c.epochs == 1_500_000 // n and c.lmbda == pytest.approx(n * 0.0001)
        assert (c.eta, c.mini_batch_size) == (0.5, 10)
        assert c.eta * c.lmbda / n == pytest.approx(0.5 * 0.0001)  # the same L2 decay for every n
    assert MD.BOOK_SIZES[0] == 100 and MD.BOOK_SIZES[-1] == 50_000


def tiny_mnist(n, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 40, (n, 784)).astype(np.uint8)
    for i, d in enumerate(labels):
        images[i, 28 * (2 * d + 4):28 * (2 * d + 6)] = 250  # digit d: a bright band at rows 2d+4, 2d+5
    return images, labels


def test_the_curve_yields_progress_then_one_point_per_size():
    train, val = tiny_mnist(400), tiny_mnist(200, seed=1)
    recs = list(MD.more_data_curve(train, val, sizes=(20, 200), examples=2000))
    points = [r for r in recs if isinstance(r, MD.MoreDataPoint)]
    assert [(p.size, p.n_train, p.epochs, p.curve) for p in points] == [(20, 20, 100, "plain"),
                                                                         (200, 200, 10, "plain")]
    assert sum(isinstance(r, MD.MoreDataProgress) for r in recs) == 110
    assert points[1].validation_accuracy > 0.9 and not points[1].stopped
    assert points[1].validation_correct == round(points[1].validation_accuracy * 200)
    rotated = [r for r in MD.more_data_curve(train, val, sizes=(20,), examples=2000, expanded=True)
               if isinstance(r, MD.MoreDataPoint)]
    assert (rotated[0].n_train, rotated[0].epochs, rotated[0].curve) == (100, 20, "rotated")
    assert rotated[0].lmbda == pytest.approx(100 * 0.0001)
    # the same seed repeats the curve; a stop request ends it with a point marked stopped
    again = [r for r in MD.more_data_curve(train, val, sizes=(20, 200), examples=2000)
             if isinstance(r, MD.MoreDataPoint)]
    assert [p.validation_correct for p in again] == [p.validation_correct for p in points]
    stopped = list(MD.more_data_curve(train, val, sizes=(20, 200), examples=2000, should_stop=lambda: True))
    assert isinstance(stopped[-1], MD.MoreDataPoint) and stopped[-1].stopped and stopped[-1].size == 20
    with pytest.raises(ValueError):
        list(MD.more_data_curve(train, val, sizes=(1000,)))
