"""The Draw tab with chapter-6 networks: the shipped conv net is the default, the selector switches to the
fully connected one, to opened files and to an ensemble; each reads a drawn digit (real mouse events);
the conv net's feature maps are shown; the ensemble shows each member's answer and the vote."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.app import configure_pyqtgraph  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402
from nndl_gui.engine.convnet import ConvNet  # noqa: E402
from nndl_gui.engine.convnet_io import save_convnet  # noqa: E402
from nndl_gui.engine.network import Network  # noqa: E402
from nndl_gui.engine.io import save_network  # noqa: E402
from nndl_gui.jobs import draw as draw_jobs  # noqa: E402
from nndl_gui.tabs.draw import DrawTab  # noqa: E402

from test_draw_tab import draw_with_mouse, settled  # noqa: E402

SPEC = [{"type": "conv", "filters": 6, "size": 5, "pool": 2, "activation": "relu"},
        {"type": "conv", "filters": 4, "size": 5, "pool": 2, "activation": "relu"},
        {"type": "softmax", "n_out": 10}]


def conv_net(seed):
    net = ConvNet(SPEC, rng=seed)
    rng = np.random.default_rng(seed)
    net.layers[-1].w[...] = rng.normal(0, 0.3, net.layers[-1].w.shape)  # not all zero: varied answers
    return net


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """resources/ as the app will have it: a conv-expanded.npz (with its .md) beside the fully connected net."""
    save_convnet(conv_net(1), tmp_path / "conv-expanded.npz")
    (tmp_path / "conv-expanded.md").write_text("| test accuracy (after epoch 20) | **99.31%** (9,931 / 10,000) |\n")
    real = draw_jobs.resource_path
    monkeypatch.setattr(draw_jobs, "resource_path",
                        lambda name: tmp_path / name if name.startswith("conv") else real(name))
    return tmp_path


@pytest.fixture
def tab(qtbot, tmp_path, shipped):
    configure_pyqtgraph()
    client = EngineClient()
    errors = []
    ctx = AppContext(client, DataManager(client), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                     lambda t: None, lambda title, text: errors.append((title, text)))
    t = DrawTab(ctx)
    t.errors = errors
    qtbot.addWidget(t)
    t.resize(1200, 800)
    t.show()
    qtbot.waitUntil(lambda: t.network is not None, timeout=10000)
    yield t
    t.shutdown()
    assert client.shutdown()


def read_a_seven(qtbot, tab):
    tab.canvas.clear()
    draw_with_mouse(qtbot, tab.canvas, [(70, 50), (210, 50), (180, 120), (140, 240)])
    qtbot.waitUntil(lambda: tab.result is not None and settled(tab), timeout=10000)
    return tab.result


def test_the_shipped_conv_net_reads_by_default_and_shows_its_feature_maps(qtbot, tab):
    assert isinstance(tab.network, ConvNet)
    assert "conv" in tab.network_label.text() and "99.31%" in tab.network_label.text()
    r = read_a_seven(qtbot, tab)
    # the answer is the conv net's own reading of the 28×28 input the tab shows
    assert r.digit == int(tab.network.predict(r.image.reshape(1, -1))[0])
    assert tab.digit_label.text() == str(r.digit)
    assert tab.maps_view.isVisible() and [m.count for m in tab.maps_view.shown] == [6, 4]
    first = tab.maps_view.images[0].image
    assert first.shape == (2 * 25 - 1, 3 * 25 - 1)  # 6 maps of 24×24 in 2 rows of 3, 1-pixel gaps
    assert np.nanmax(first) == pytest.approx(1.0) and np.isnan(first).any()
    # the saliency map through the conv layers: ∂a^L_j/∂x from the engine
    expected = tab.network.output_gradient(r.image.reshape(-1), r.digit).gradient.reshape(28, 28)
    np.testing.assert_allclose(r.saliency, expected, rtol=1e-4, atol=1e-7)


def test_nothing_moves_under_the_pen_when_the_conv_nets_first_answer_arrives(qtbot, tab):
    """The feature maps' place is laid out as soon as a conv net reads, before anything is drawn: the first
    answer (and its maps) must not shrink the canvas mid-stroke."""
    tab.resize(1200, 760)
    qtbot.wait(50)
    assert tab.maps_view.isVisible()
    before = tab.canvas.geometry(), tab.maps_view.geometry()
    read_a_seven(qtbot, tab)
    qtbot.wait(50)
    assert (tab.canvas.geometry(), tab.maps_view.geometry()) == before


def test_the_selector_switches_to_the_fully_connected_net_and_back(qtbot, tab):
    texts = [tab.chooser.combo.itemText(i) for i in range(tab.chooser.combo.count())]
    assert texts[0].startswith("Shipped conv net") and texts[1].startswith("Shipped fully connected net")
    conv_digit = read_a_seven(qtbot, tab).digit
    tab.chooser.select(1)
    qtbot.waitUntil(lambda: isinstance(tab.network, Network) and settled(tab) and tab.result is not None
                    and tab.result.maps == (), timeout=10000)
    assert "fully connected" in tab.network_label.text() and "98.18%" in tab.network_label.text()
    assert tab.maps_view.isVisible() and "fully connected network has none" in tab.maps_view.caption.text()
    r = read_a_seven(qtbot, tab)
    assert r.digit == int(tab.network.predict(r.image.reshape(1, -1))[0])
    tab.chooser.select(0)
    qtbot.waitUntil(lambda: isinstance(tab.network, ConvNet) and settled(tab), timeout=10000)
    assert read_a_seven(qtbot, tab).digit == conv_digit


def test_opened_files_and_an_ensemble_each_member_answers_and_the_vote(qtbot, tab, tmp_path):
    paths = [save_convnet(conv_net(s), tmp_path / f"member{s}.npz") for s in (2, 3)]
    paths.append(save_network(Network([784, 30, 10], rng=4), tmp_path / "fc.npz"))
    tab.chooser.open_files(paths[:1])
    qtbot.waitUntil(lambda: "member2" in tab.network_label.text() and settled(tab), timeout=10000)
    tab.chooser.open_files(paths)
    qtbot.waitUntil(lambda: hasattr(tab.network, "members") and settled(tab), timeout=10000)
    r = read_a_seven(qtbot, tab)
    nets = tab.network.members
    own = [int(n.predict(r.image.reshape(1, -1))[0]) for n in nets]
    assert [m.digit for m in r.members] == own
    assert [m.name for m in r.members] == ["member2", "member3", "fc"]
    counts = np.bincount(own, minlength=10)
    assert counts[r.digit] == counts.max()  # the vote is a majority (ties: the most confident)
    assert tab.members_label.isVisible() and f"Ensemble vote: {r.digit}" in tab.members_label.text()
    assert "ensemble of 3" in tab.network_label.text()
    # the bars are the members' mean and the big digit their vote: not "the softmax outputs a^L_j"
    assert "mean of the 3 members" in tab.bars_caption.text() and "softmax outputs" not in tab.bars_caption.text()
    assert "members' mean" in tab.digit_caption.text() and "a<sup>L</sup>" not in tab.digit_caption.text()
    assert "first member, member2" in tab.maps_view.caption.text()  # whose feature maps these are


def test_a_bad_file_says_why_and_keeps_the_network(qtbot, tab, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a network")
    before = tab.network
    tab.chooser.open_files([bad])
    qtbot.waitUntil(lambda: bool(tab.errors), timeout=10000)
    assert "bad.npz" in tab.errors[-1][1] and tab.network is before


def test_the_shipped_conv_net_is_published_for_the_rest_of_the_app(qtbot, tab):
    qtbot.waitUntil(lambda: tab.ctx.client.shared_network is not None, timeout=5000)
    shared = tab.ctx.client.shared_network
    assert isinstance(shared.network, ConvNet) and shared.source == "pretrained"


def test_shipped_networks_come_in_order_of_preference_with_their_stated_accuracy():
    from nndl_gui.engine.io import load_network

    shipped = draw_jobs.shipped_networks()
    keys = [s.key for s in shipped]
    assert keys == sorted(keys, key=["drawn", "conv", "fc"].index) and "fc" in keys
    for s in shipped:
        assert s.path.is_file() and 0.98 < s.accuracy < 1.0  # read from resources/<name>.md
        net = load_network(s.path)
        assert draw_jobs.network_problem(net) is None
    assert draw_jobs.default_path() == shipped[0].path


def test_the_canvas_keeps_its_size_when_the_network_changes(qtbot, tab):
    """Conv net, fully connected net, conv net again: the canvas (and the maps' place) never move or resize."""
    tab.resize(1200, 760)
    qtbot.wait(50)
    before = tab.canvas.geometry(), tab.maps_view.geometry()
    for index, kind in ((1, Network), (0, ConvNet)):
        tab.chooser.select(index)
        qtbot.waitUntil(lambda: isinstance(tab.network, kind) and settled(tab), timeout=10000)
        qtbot.wait(50)
        assert (tab.canvas.geometry(), tab.maps_view.geometry()) == before, kind


def test_the_shared_conv_net_is_described_by_its_layers(qtbot, tab):
    """The status bar's words for the shipped conv net: its layers as the Training tab's stack says them,
    not the unit counts [784, 864, 64, 10]; the header puts a colon before the file it names."""
    client = tab.ctx.client
    qtbot.waitUntil(lambda: client.shared_network is not None, timeout=10000)
    said = client.shared_network.description
    assert said.startswith("conv 6×5×5 pool 2 relu → conv 4×5×5 pool 2 relu → softmax 10 (shipped conv net: ")
    assert "[784" not in said and "shipped conv net: resources/conv-expanded.npz" in tab.network_label.text()
