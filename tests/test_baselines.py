"""Chapter 1 engine: perceptrons, NAND and the NAND adder (nndl_gui.engine.perceptrons); the baselines
random guess, average darkness and (when scikit-learn is installed) the SVM (nndl_gui.engine.baselines)."""

import itertools

import numpy as np
import pytest

from nndl_gui.engine import baselines as B
from nndl_gui.engine import perceptrons as P


def test_the_books_nand_perceptron_is_nand():
    for x1, x2 in itertools.product((0, 1), repeat=2):
        assert P.nand(x1, x2) == int(not (x1 and x2))
    assert P.perceptron((1, 1), P.NAND_WEIGHTS, P.NAND_BIAS) == 0  # −2 − 2 + 3 = −1


def test_the_nand_half_adder_adds_two_bits():
    for x1, x2 in itertools.product((0, 1), repeat=2):
        total, carry, gates = P.half_adder(x1, x2)
        assert 2 * carry + total == x1 + x2
        assert gates["g1"] == P.nand(x1, x2) and set(gates) == {"g1", "g2", "g3", "sum", "carry"}
    with pytest.raises(ValueError):
        P.half_adder(2, 0)


@pytest.mark.parametrize("bits", [1, 2, 3])
def test_the_nand_adder_adds_every_pair_of_numbers(bits):
    for a, b in itertools.product(range(2**bits), repeat=2):
        assert P.add_numbers(a, b, bits) == a + b
    for x1, x2, c in itertools.product((0, 1), repeat=3):
        s, carry = P.full_adder(x1, x2, c)
        assert 2 * carry + s == x1 + x2 + c


def test_a_small_change_flips_a_perceptron_but_nudges_a_sigmoid_neuron():
    x, w = (1.0, 0.5), (0.6, -0.4)
    before, after = P.neuron_response(x, w, -0.401), P.neuron_response(x, w, -0.399)
    assert (before.perceptron, after.perceptron) == (0, 1)  # z crosses 0
    assert after.sigmoid - before.sigmoid == pytest.approx(0.002 * 0.25, rel=1e-3)  # σ'(0) Δb
    assert before.z == pytest.approx(0.6 - 0.2 - 0.401)
    # scaling w and b by a large c leaves the perceptron alone and turns the sigmoid neuron into it
    big = P.neuron_response(x, np.multiply(w, 1e4), -0.399e4)
    assert big.perceptron == 1 and big.sigmoid > 1 - 1e-4
    with pytest.raises(ValueError):
        P.perceptron((1, 0, 1), (1, 1), 0)


def test_random_guess_and_average_darkness_on_a_made_up_set():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 5000)
    guess = B.random_guess(labels, rng=1)
    assert abs(guess.accuracy - 0.10) < 0.015 and guess.book_accuracy == 0.10
    # digit d has darkness about 10·(d + 1): darkness alone tells them apart
    images = np.zeros((5000, 784), np.uint8)
    for i, d in enumerate(labels):
        images[i, : 10 * (d + 1)] = 255
    np.testing.assert_allclose(B.darkness_by_digit(images, labels), 10.0 * np.arange(1, 11))
    assert B.average_darkness(images, labels, images, labels).accuracy == 1.0
    with pytest.raises(ValueError, match="missing"):
        B.darkness_by_digit(images[labels < 9], labels[labels < 9])


def test_average_darkness_on_full_mnist_is_the_books_22_25_percent(mnist_dir):
    from nndl_gui.data.mnist import load_mnist

    mnist = load_mnist(mnist_dir)
    result = B.average_darkness(mnist.training.images, mnist.training.labels, mnist.test.images, mnist.test.labels)
    print(f"average darkness: {result.correct} / {result.total} (book 2,225)")
    assert result.accuracy == pytest.approx(0.2225, abs=0.005)
    assert B.random_guess(mnist.test.labels).accuracy == pytest.approx(0.10, abs=0.01)


def test_svm_baseline_when_scikit_learn_is_installed():
    if not B.svm_available():
        with pytest.raises(RuntimeError, match="scikit-learn"):
            B.svm(np.zeros((2, 4)), [0, 1], np.zeros((1, 4)), [0])
        pytest.skip("scikit-learn is not installed (it is optional)")
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 400)
    images = (rng.random((400, 20)) * 60).astype(np.uint8)
    images[np.arange(400), labels] = 255  # the digit is written in one pixel
    result = B.svm(images[:300], labels[:300], images[300:], labels[300:])
    assert result.accuracy > 0.9 and result.book_accuracy == 0.9435
