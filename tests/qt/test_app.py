"""The main window: tabs, menus, settings that persist (and survive corruption), file errors."""

import json
import os

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.app import TABS, MainWindow  # noqa: E402
from nndl_gui.settings import SETTINGS_VERSION  # noqa: E402
from nndl_gui.engine.io import save_network  # noqa: E402
from nndl_gui.engine.network import Network  # noqa: E402


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_the_tabs_in_the_books_order(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Draw", "Training", "Backprop inspector", "Approximation playground", "Neurons"]
    assert [t[0] for t in TABS] == titles


def test_last_tab_and_geometry_persist(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentIndex(3)
    w.resize(1000, 700)
    w.close()
    s = QSettings(os.environ["NNDL_SETTINGS_FILE"], QSettings.Format.IniFormat)
    assert int(s.value("version")) == SETTINGS_VERSION
    w2 = MainWindow()
    qtbot.addWidget(w2)
    assert w2.tabs.currentIndex() == 3
    w2.close()


def test_settings_from_a_newer_version_fall_back_to_defaults(qtbot):
    s = QSettings(os.environ["NNDL_SETTINGS_FILE"], QSettings.Format.IniFormat)
    s.setValue("version", SETTINGS_VERSION + 7)
    s.setValue("window/tab", 2)
    s.sync()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.tabs.currentIndex() == 0
    assert "another version" in w.note.label.text() and not w.note.isHidden()
    w.close()


@pytest.mark.parametrize("content", [b"\x00\xff\xfe garbage \x00" * 50, b"[window]\ntab=not-a-number\nversion=1\n",
                                     b"[window]\ngeometry=@ByteArray(\\x1\\x2)\nversion=1\n"])
def test_corrupt_settings_never_crash(qtbot, content):
    with open(os.environ["NNDL_SETTINGS_FILE"], "wb") as f:
        f.write(content)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.tabs.count() == 5
    w.close()


def test_opening_a_bad_network_file_says_why_and_keeps_going(qtbot, window, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps({"sizes": [784, 30]}))
    window.open_network(str(bad))
    qtbot.waitUntil(lambda: "broken.json" in window.statusBar().currentMessage(), timeout=5000)
    assert "missing key" in window.statusBar().currentMessage()
    good = tmp_path / "good.npz"
    save_network(Network([784, 12, 10], rng=0), good)
    with qtbot.waitSignal(window.client.networkChanged, timeout=5000) as blocker:
        window.open_network(str(good))
    assert blocker.args[0].network.sizes == [784, 12, 10]
    saved = tmp_path / "again.json"
    window.save_network(str(saved))
    qtbot.waitUntil(saved.exists, timeout=5000)


def test_saving_where_it_cannot_explains(qtbot, window):
    if window.client.shared_network is None:  # the Draw tab publishes the pretrained network at start
        window.save_network("/nonexistent/x.npz")
        assert "Nothing to save" in window.statusBar().currentMessage()
        qtbot.waitUntil(lambda: window.client.shared_network is not None, timeout=5000)
    window.save_network("/nonexistent/dir/x.npz")
    qtbot.waitUntil(lambda: "Could not save" in window.statusBar().currentMessage(), timeout=5000)
    assert "x.npz" in window.statusBar().currentMessage()


def test_file_open_with_several_files_makes_an_ensemble_in_the_draw_tab(qtbot, window, tmp_path, monkeypatch):
    """File ▸ Open takes several files as the Draw selector's "Open files…" does: an ensemble that votes."""
    from PySide6.QtWidgets import QFileDialog

    paths = [str(save_network(Network([784, n, 10], rng=n), tmp_path / f"net{n}.npz")) for n in (12, 13)]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (paths, "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (paths[0], "")))  # one only
    window.tabs.setCurrentIndex(1)
    draw = window.tab_widgets[0]
    window.open_network()  # as the menu calls it: the dialog answers with two files
    assert window.tabs.currentWidget() is draw
    assert draw.chooser.current_key() == ("ensemble", tuple(paths))
    qtbot.waitUntil(lambda: "ensemble of 2" in draw.network_label.text(), timeout=10000)
    assert [m.sizes for m in draw.network.members] == [[784, 12, 10], [784, 13, 10]]


def test_the_open_dialog_starts_in_resources_then_where_the_learner_last_opened(qtbot, window, tmp_path,
                                                                                monkeypatch):
    """First time: resources/ (the shipped networks); after that, the folder last opened from — in both
    File ▸ Open and the Draw tab's "Open files…" (one setting), and across a restart."""
    from PySide6.QtWidgets import QFileDialog

    from nndl_gui.paths import resource_dir
    from nndl_gui.tabs.draw_networks import OPEN

    folder = tmp_path / "mine"
    folder.mkdir()
    path = str(save_network(Network([784, 12, 10], rng=1), folder / "net.npz"))
    asked = []

    def dialog(parent, title, start, filt):
        asked.append(start)
        return [path], filt

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(dialog))
    window.open_network()
    assert asked == [str(resource_dir())]
    draw = window.tab_widgets[0].chooser
    draw.select(draw.combo.findData(OPEN))  # the Draw tab's "Open files…"
    assert asked[1] == str(folder)
    window.close()
    again = MainWindow()  # the same settings file
    qtbot.addWidget(again)
    again.open_network()
    assert asked[2] == str(folder)
    again.close()
