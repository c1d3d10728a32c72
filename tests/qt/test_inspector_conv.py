"""The Backprop inspector's conv view: every number it shows is the engine's own conv trace, clicking a
feature map selects a unit, the steps walk through pooling and the shared weights, and the gradient check
works for conv networks."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402
from nndl_gui.engine.convnet import ConvNet  # noqa: E402
from nndl_gui.engine.convtrace import trace  # noqa: E402
from nndl_gui.tabs.inspector.conv import STEPS  # noqa: E402
from nndl_gui.tabs.inspector.equations import MINUS  # noqa: E402

SPEC = [{"type": "conv", "filters": 4, "size": 5, "pool": 2, "activation": "sigmoid"},
        {"type": "conv", "filters": 3, "size": 5, "pool": 2, "activation": "relu"},
        {"type": "fc", "n_out": 12, "activation": "sigmoid"}, {"type": "softmax", "n_out": 10}]


@pytest.fixture
def setup(qtbot, tmp_path):
    from nndl_gui.tabs.inspector.tab import InspectorTab

    client = EngineClient()
    ctx = AppContext(client, DataManager(client), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                     lambda text: None, lambda title, text: None)
    tab = InspectorTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 820)
    tab.show()
    net = ConvNet(SPEC, rng=3)
    rng = np.random.default_rng(3)
    net.layers[-1].w[...] = rng.normal(0, 0.5, net.layers[-1].w.shape)
    with qtbot.waitSignal(client.networkChanged, timeout=5000):
        client.set_network(net, "a small conv net", "file")
    x = rng.random(784).astype(np.float32)
    ctx.signals.sendToInspector.emit(x, 7, "drawn digit")
    qtbot.waitUntil(lambda: tab.conv_view.inspection is not None and tab._latest.idle, timeout=10000)
    yield tab, net, x
    tab.shutdown()
    assert client.shutdown()


def test_conv_view_numbers_equal_the_engines_trace(qtbot, setup):
    tab, net, x = setup
    view = tab.conv_view
    assert tab.view_stack.currentWidget() is view and view.isVisible()
    ref = trace(net, x.astype(np.float64), 7)
    assert view.inspection.trace.cost == pytest.approx(ref.cost, rel=1e-12)
    # click unit (9, 14) of map 2 in the first conv layer's 24×24 map (image coordinates: row, column)
    view.map_spin.setValue(2)
    view.images[1].clicked.emit(9, 14)
    assert view.unit == (9, 14)
    lt = ref.layers[0]
    for step in range(len(STEPS)):
        view.go(step)
        v = view.values
        assert v["z"] == pytest.approx(lt.z[2, 9, 14]) and v["b"] == pytest.approx(lt.b[2])
        assert v["pooled"] == pytest.approx(lt.pooled[2, 4, 7]) and v["a"] == pytest.approx(lt.a[2, 4, 7])
        assert v["delta"] == pytest.approx(lt.delta[2, 4, 7]) and v["delta_z"] == pytest.approx(lt.delta_z[2, 9, 14])
        assert v["grad_b"] == pytest.approx(lt.grad_b[2]) and v["grad_w"] == pytest.approx(lt.grad_w[2, 0, 2, 2])
        assert v["grad_x"] == pytest.approx(lt.grad_x[0, 11, 16])
    # the z step's text substitutes the numbers, the routing step names the winner
    view.go(0)
    assert f"{lt.z[2, 9, 14]:.3f}".replace("-", MINUS) in view.text.text()
    view.go(4)
    wy, wx = lt.winner_position(2, 4, 7)
    assert f"({wy}, {wx})" in view.text.text()
    # δ reaches the selected unit only if it won its window
    assert (view.values["delta_z"] != 0) == ((wy, wx) == (9, 14) and lt.delta[2, 4, 7] != 0)


def test_clicking_a_pooled_unit_selects_its_winner_and_the_second_layer_works(qtbot, setup):
    tab, net, x = setup
    view = tab.conv_view
    ref = trace(net, x.astype(np.float64), 7)
    view.layer_combo.setCurrentIndex(1)
    view._on_layer(1)
    lt = ref.layers[1]
    assert view.channel_spin.isVisible() and view.channel_spin.maximum() == 3
    view.map_spin.setValue(1)
    view.images[2].clicked.emit(2, 1)
    assert view.unit == lt.winner_position(1, 2, 1)
    view.channel_spin.setValue(3)
    view.images[0].clicked.emit(view.unit[0] + 1, view.unit[1] + 4)  # a pixel of the receptive field
    assert view.uv == (1, 4)
    view.go(5)
    y, xx = view.unit
    assert view.values["grad_w"] == pytest.approx(lt.grad_w[1, 3, 1, 4])
    assert view.values["share_w"] == pytest.approx(lt.delta_z[1, y, xx] * lt.x[3, y + 1, xx + 4])
    assert view.values["z"] == pytest.approx(float(np.sum(lt.w[1] * lt.patch(1, y, xx))))


def test_gradient_check_for_conv_networks_in_the_view(qtbot, setup):
    tab, net, x = setup
    view = tab.conv_view
    view.check_one_button.click()
    qtbot.waitUntil(lambda: "relative error" in view.check_label.text(), timeout=10000)
    assert view.values["check_backprop"] == pytest.approx(view.values["check_numerical"], rel=1e-5, abs=1e-10)
    view.check_all_button.click()
    qtbot.waitUntil(lambda: "parameters" in view.check_label.text(), timeout=30000)
    assert view.values["check_network"] < 1e-6


def test_the_network_box_calls_a_shared_conv_net_a_conv_net_not_a_list_of_sizes(qtbot, setup):
    tab, net, _ = setup
    text = tab.chooser.network_combo.itemText(0)
    assert text == "Shared network: conv net" and str(net.sizes) not in text
