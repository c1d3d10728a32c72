"""Settings declared once (nndl_gui/settings.py): older versions are migrated, what cannot be is backed up
next to the settings file, and the window says so in a note that stays until read."""

import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402

from nndl_gui.app import MainWindow  # noqa: E402
from nndl_gui.settings import KEYS, SETTINGS_VERSION, Key, TabSettings, migrate, parse  # noqa: E402


def settings_file() -> Path:
    return Path(os.environ["NNDL_SETTINGS_FILE"])


def write(text: str) -> None:
    settings_file().write_text(text, encoding="utf-8")


def backups() -> list[Path]:
    return sorted(settings_file().parent.glob(f"{settings_file().stem}.format-*.backup*"))


def open_window(qtbot) -> MainWindow:
    w = MainWindow()
    qtbot.addWidget(w)
    return w


def test_settings_of_the_older_format_are_migrated_without_a_note(qtbot):
    write('[General]\nversion=1\n[window]\ntab=2\n[tabs]\nDraw\\pen=33\nDraw\\saliency=false\n'
          'Training\\eta=0.25\nTraining\\m=20\nApproximation%20playground\\step_mode=1\n')
    w = open_window(qtbot)
    assert w.tabs.currentIndex() == 2
    draw, training, _, playground = w.tab_widgets[:4]
    assert draw.pen.value() == 33 and not draw.show_saliency.isChecked()
    assert training.form.eta.text() == "0.25" and training.form.m.value() == 20
    assert playground.neuron.step_mode.isChecked()
    assert w.settings_note is None and w.note.isHidden() and backups() == []
    assert int(QSettings(str(settings_file()), QSettings.Format.IniFormat).value("version")) == SETTINGS_VERSION
    w.close()


def test_values_that_cannot_be_migrated_are_kept_in_a_backup_file_and_the_rest_is_used(qtbot):
    write('[General]\nversion=1\n[window]\ntab=3\n[tabs]\nDraw\\pen=999\nDraw\\index=7\nDraw\\old_key=x\n')
    w = open_window(qtbot)
    assert w.tabs.currentIndex() == 3 and w.tab_widgets[0].index_box.value() == 7  # carried over
    assert w.tab_widgets[0].pen.value() == KEYS["tabs/Draw/pen"].default  # 999 is out of range
    [backup] = backups()
    assert backup.parent == settings_file().parent
    kept = QSettings(str(backup), QSettings.Format.IniFormat)
    assert kept.value("tabs/Draw/pen") == "999" and kept.value("tabs/Draw/old_key") == "x"
    assert str(backup) in w.settings_note and "tabs/Draw/pen" in w.settings_note
    w.close()
    # the migrated file opens again without a note
    w2 = open_window(qtbot)
    assert w2.settings_note is None and w2.tab_widgets[0].index_box.value() == 7
    w2.close()


@pytest.mark.parametrize("version", ["7", "not-a-number"])
def test_settings_of_another_format_are_backed_up_whole(qtbot, version):
    write(f'[General]\nversion={version}\n[window]\ntab=2\n')
    original = settings_file().read_bytes()
    w = open_window(qtbot)
    assert w.tabs.currentIndex() == 0  # defaults
    [backup] = backups()
    assert backup.read_bytes() == original
    assert str(backup) in w.settings_note and "another version" in w.settings_note
    w.close()


def test_the_note_stays_until_it_is_read(qtbot):
    write('[General]\nversion=99\n')
    w = open_window(qtbot)
    w.show()
    qtbot.waitExposed(w)
    assert w.note.isVisible() and "kept in" in w.note.label.text()
    qtbot.wait(300)  # not a status-bar flash: still there, and the status bar may change meanwhile
    w.status("something else happened")
    assert w.note.isVisible()
    w.note.ok.click()
    assert not w.note.isVisible()
    w.close()


def test_parse_checks_type_and_range():
    key = Key(int, 5, (1, 10))
    assert parse(key, "7") == 7
    for bad in ("0", "11", "x", "1.5", ["1"]):
        with pytest.raises(ValueError):
            parse(key, bad)
    assert parse(Key(bool, False), "true") is True and parse(Key(bool, False), "0") is False
    with pytest.raises(ValueError):
        parse(Key(float, 0.0, (0.0, 1.0)), "nan")
    with pytest.raises(ValueError):
        parse(Key(str, "a", choices=("a", "b")), "c")


def test_tab_settings_refuse_values_outside_the_table(tmp_path):
    s = TabSettings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat), "Draw")
    s.set("pen", 12)
    assert s.get("pen") == 12
    with pytest.raises(ValueError):
        s.set("pen", 400)
    s.settings.setValue(s.prefix + "pen", "400")  # written by someone else
    assert s.get("pen") == KEYS["tabs/Draw/pen"].default and s.get("pen", 9) == 9


def test_a_first_start_migrates_nothing(tmp_path):
    s = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    m = migrate(s)
    assert m.note is None and m.backup is None and not list(tmp_path.iterdir())
