"""The Neurons tab (chapters 1, 3, 5) and the Training tab's book figures, driven as a learner would, with the
real engine worker: each view's numbers against a direct computation, and the views follow their controls."""

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.app import configure_pyqtgraph  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402
from nndl_gui.engine.unstable import centering_biases, chain_network  # noqa: E402
from nndl_gui.settings import TabSettings  # noqa: E402
from nndl_gui.tabs.neurons.tab import NeuronsTab  # noqa: E402


@pytest.fixture
def env(qtbot, tmp_path):
    configure_pyqtgraph()
    client = EngineClient()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(client, DataManager(client), settings, lambda t: None, lambda t, m: None)
    tab = NeuronsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab, ctx
    tab.shutdown()
    assert client.shutdown()


def settle(qtbot, view):
    qtbot.waitUntil(lambda: view._latest.idle and view.result is not None, timeout=5000)


def test_perceptron_jumps_where_the_sigmoid_neuron_moves_a_little(qtbot, env):
    tab, _ = env
    v = tab.perceptron
    settle(qtbot, v)
    w, b = [s.value() for s in v.w_spins], v.b_spin.value()
    x = [s.value() for s in v.x_spins]
    z = float(np.dot(w, x) + b)
    assert v.result.response.z == pytest.approx(z)
    assert v.result.response.sigmoid == pytest.approx(1 / (1 + np.exp(-z)))
    # the default design sits at z = 0: nudging b by ±Δ flips the perceptron once, σ changes smoothly
    assert set(v.result.perceptron) == {0.0, 1.0} and np.all(np.diff(v.result.perceptron) >= 0)
    assert np.max(np.abs(np.diff(v.result.sigmoid))) < 0.01
    v.b_spin.setValue(3.0)  # far from the threshold: nothing to flip
    qtbot.waitUntil(lambda: v._latest.idle and v.result.b == 3.0, timeout=5000)
    assert set(v.result.perceptron) == {1.0} and "does not change" in v.out_label.text()
    v.param_box.setCurrentText("w₂")
    qtbot.waitUntil(lambda: v._latest.idle and v.result.param == "w2", timeout=5000)


def test_the_adder_adds_every_pair_of_bits(qtbot, env):
    tab, _ = env
    v = tab.adder
    for x1 in (0, 1):
        for x2 in (0, 1):
            v.x1.setChecked(bool(x1))
            v.x2.setChecked(bool(x2))
            qtbot.waitUntil(lambda: v._latest.idle and (v.result.x1, v.result.x2) == (x1, x2), timeout=5000)
            assert 2 * v.result.carry + v.result.total == x1 + x2
            nand = lambda a, b: int(-2 * a - 2 * b + 3 > 0)  # noqa: E731  the book's NAND perceptron
            g1 = nand(x1, x2)
            assert v.result.gates == {"g1": g1, "g2": nand(x1, g1), "g3": nand(x2, g1),
                                      "sum": nand(nand(x1, g1), nand(x2, g1)), "carry": x1 * x2}
            assert v.circuit.values["sum"] == v.result.total


def test_softmax_bars_sum_to_one_and_follow_the_sliders(qtbot, env):
    tab, _ = env
    v = tab.softmax
    settle(qtbot, v)
    v.sliders[1].setValue(400)
    qtbot.waitUntil(lambda: v._latest.idle and v.result.z[1] == 4.0, timeout=5000)
    z = v.z()
    direct = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(v.result.a, direct, rtol=1e-12)
    assert v.result.total == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(v.bars.opts["height"], direct, rtol=1e-12)
    assert "1.000000" in v.sum_label.text()


def product_by_hand(w, b, x=1.0, y=0.0):
    a, primes = x, []
    for wj, bj in zip(w, b):
        z = wj * a + bj
        a = 1 / (1 + np.exp(-z))
        primes.append(a * (1 - a))
    out = primes[0]
    for j in range(1, len(w)):
        out *= w[j] * primes[j]
    return out * (a - y)


def test_the_chain_product_is_the_engines_gradient_vanishing_and_exploding(qtbot, env):
    tab, _ = env
    v = tab.chain
    settle(qtbot, v)
    w, b = v.parameters()
    assert v.result.product == pytest.approx(product_by_hand(w, b), rel=1e-10)
    net = chain_network(w, b)
    nabla_b, _ = net.backprop(np.array([[1.0]]), np.array([[0.0]]))
    assert v.result.product == pytest.approx(float(nabla_b[0][0]), rel=1e-10)
    vanishing = abs(v.result.product)
    assert abs(v.result.bias_gradients[0]) < abs(v.result.bias_gradients[-1])  # smaller towards the input
    v.explode_btn.click()
    qtbot.waitUntil(lambda: v._latest.idle and v.result is not None and v.parameters()[0][0] == 100.0, timeout=5000)
    qtbot.waitUntil(lambda: v._latest.idle and list(v.result.z) == pytest.approx([0.0] * 4, abs=1e-9), timeout=5000)
    w, b = v.parameters()
    np.testing.assert_allclose(b, centering_biases(w, 1.0))
    assert all(s == pytest.approx(0.25) for name, s in v.result.factors if name.startswith("σ′"))
    assert v.result.product == pytest.approx(product_by_hand(w, b), rel=1e-10)
    assert abs(v.result.product) > 1e3 * vanishing
    assert abs(v.result.bias_gradients[0]) > abs(v.result.bias_gradients[-1])  # larger towards the input
    assert f"{v.result.product:.6g}" in v.product_label.text()


def test_neurons_tab_remembers_its_view(qtbot, env, tmp_path):
    tab, ctx = env
    tab.views.setCurrentWidget(tab.chain)
    s = TabSettings(ctx.settings, "Neurons")
    tab.save_settings(s)
    tab.views.setCurrentIndex(0)
    tab.restore_settings(s)
    assert tab.views.currentWidget() is tab.chain


def _small_mnist():
    from nndl_gui.data.mnist import Dataset, Mnist

    rng = np.random.default_rng(0)

    def make(count, name):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = (rng.random((count, 784)) < (0.05 + 0.02 * labels[:, None])).astype(np.uint8) * 255
        return Dataset(images, labels, name)

    return Mnist(make(300, "training"), make(100, "validation"), make(100, "test"), "fake digits", True)


def test_job_views_run_on_the_worker_and_draw_what_it_sends(qtbot, env, monkeypatch):
    from nndl_gui.engine import baselines as B
    from nndl_gui.tabs.neurons import more_data as more_data_view

    tab, ctx = env
    ctx.data.mnist = _small_mnist()
    v = tab.baselines
    v.controls.run_btn.click()
    qtbot.waitUntil(lambda: v.controls.run_btn.isEnabled() and v.snapshot is not None, timeout=10000)
    darkness = B.average_darkness(ctx.data.mnist.training.images, ctx.data.mnist.training.labels,
                                  ctx.data.mnist.test.images, ctx.data.mnist.test.labels)
    assert v.bars.opts["height"][1] == pytest.approx(100 * darkness.accuracy)
    assert f"{100 * darkness.accuracy:.2f}%" in v.table.text() and "300 training images" in v.table.text()

    g = tab.gradients
    g.epochs_spin.setValue(3)
    g.hidden_box.setCurrentIndex(1)  # [784, 30, 30, 30, 10]
    g.controls.run_btn.click()
    qtbot.waitUntil(lambda: g.controls.run_btn.isEnabled() and g.snapshot is not None, timeout=20000)
    assert g.snapshot.epoch == 2 and len(g.snapshot.bars) == 3
    np.testing.assert_array_equal(g.bar_items[2].opts["height"], g.snapshot.bars[2])
    assert not g.bar_items[3].isVisible() and g.controls.progress.value() == 1000
    assert len(g.speed_curves[0].getData()[0]) == 3
    g.epoch_slider.setValue(0)  # look back: the filled bars are the ones at initialisation again
    np.testing.assert_array_equal(g.bar_items[1].opts["height"], g.snapshot.bars0[1])

    monkeypatch.setitem(more_data_view.RUNS, "tiny", ((50, 100), 500))
    m = tab.more_data
    m.run_box.addItem("tiny")
    m.run_box.setCurrentText("tiny")
    m.controls.run_btn.click()
    qtbot.waitUntil(lambda: m.controls.run_btn.isEnabled() and m.snapshot is not None, timeout=20000)
    assert m.snapshot.done == m.snapshot.total and m.controls.message.text() == "Done."
    xs, ys = m.curves["rotated"].getData()
    assert len(xs) == 2 and ys[-1] == pytest.approx(100 * m.snapshot.points["rotated"][-1].validation_accuracy)


def test_indices_sit_below_the_line_as_in_the_book(qtbot, env):
    """x₁, w₁ (not x1, w1) on every label, button and list of the Neurons and Playground tabs."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel

    from nndl_gui.tabs.playground.tab import PlaygroundTab

    tab, ctx = env
    playground = PlaygroundTab(ctx)
    qtbot.addWidget(playground)
    texts = []
    for root in (tab, playground):
        texts += [w.text() for w in root.findChildren(QLabel) + root.findChildren(QAbstractButton)]
        texts += [c.itemText(i) for c in root.findChildren(QComboBox) for i in range(c.count())]
    flat = [t for t in texts if re.search(r"\b[xwbz][0-9]\b", re.sub(r"<[^>]+>", " ", t))]
    assert not flat and any("x₁" in t for t in texts), flat
    playground.shutdown()
