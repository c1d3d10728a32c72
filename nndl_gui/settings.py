"""The app's settings, declared once: every key with its type, default and range, read and written here only.

``KEYS`` is the table.  The main window opens the settings with ``open_settings()`` and calls
``migrate(qsettings)`` before anything reads them: settings written by an older version are carried over
key by key; whatever cannot be (a newer or unreadable format, a value of the wrong type or out of range)
is kept in a backup file next to the settings file (``backup_path``) and the returned ``Migration`` says
so in a sentence the window shows until the learner dismisses it.  Tabs read and write only through
``TabSettings`` (``get`` / ``set``), which checks every value against the table — a settings file is
user data, anything may be in it.

Format history: 1 — keys as in ``KEYS``, values unchecked; 2 — the same keys, every value checked
against ``KEYS`` when the file is opened (values that fail are backed up, not silently ignored).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from .engine.approx import TWO_D_MODES
from .presets import ALL_PRESETS

SETTINGS_VERSION = 2
INT32 = (-2**31, 2**31 - 1)


@dataclass(frozen=True)
class Key:
    """One setting: its Python type (bool, int, float, str or bytes), default and allowed values."""

    type: type
    default: Any
    range: tuple | None = None  # (lo, hi) inclusive for int / float
    choices: tuple | None = None  # allowed str values


_DRAW = {
    "pen": Key(int, 20, (4, 40)),
    "saliency": Key(bool, True),
    "index": Key(int, 0, (0, 9999)),
}
_TRAINING = {
    "preset": Key(str, "", choices=("", *ALL_PRESETS)),
    "sizes": Key(str, "784, 30, 10"),
    "eta": Key(str, "3.0"),
    "lmbda": Key(str, "0.0"),
    "m": Key(int, 10, (1, 60_000)),
    "epochs": Key(int, 30, (1, 100_000)),
    "seed": Key(int, 0, (0, 2**31 - 1)),
    "limit": Key(int, 0, (0, 60_000)),
    "early": Key(int, 0, (0, 1000)),
    "activation": Key(str, "sigmoid", choices=("sigmoid", "tanh", "relu")),
    "output": Key(str, "sigmoid", choices=("sigmoid", "softmax", "tanh", "relu")),
    "cost": Key(str, "quadratic", choices=("quadratic", "cross-entropy", "log-likelihood")),
    "init": Key(str, "large", choices=("large", "default")),
    "schedule": Key(bool, False),
    "continue": Key(bool, False),
    "bottom_tab": Key(int, 0, (0, 3)),
    "show_test": Key(bool, True),
    "show_val": Key(bool, True),
    "show_train": Key(bool, True),
    "watch": Key(str, "full", choices=("full", "watch", "slow")),
    # chapter 6: a layer stack (the trainer's --layers text), expanded data, the feature maps' digit
    "network": Key(str, "sizes", choices=("sizes", "layers")),
    "layers": Key(str, "conv20x5-pool2-sigmoid,fc100-sigmoid,softmax10"),
    "expanded": Key(bool, False),
    "probe": Key(int, 0, (0, 59_999)),
}
_INSPECTOR = {
    "network": Key(int, -1, INT32),  # index in the network chooser (checked against its length by the tab)
    "seed": Key(int, 0, (0, 9999)),
    "cost": Key(int, 0, (0, 1)),
    "index": Key(int, 0, (0, 9999)),
    "x": Key(str, "0.5, 0.9"),
}
_PLAYGROUND = {
    "view": Key(int, 0, (0, 3)),
    "w": Key(float, 8.0, (-1000.0, 1000.0)),
    "b": Key(float, -3.0, (-1000.0, 1000.0)),
    "step_mode": Key(bool, False),
    "target": Key(str, "book", choices=("book", "sin", "abs", "step", "noisy")),
    "h": Key(str, "0,0,0,0,0"),
    "eta": Key(float, 0.3, (0.001, 100.0)),
    "two_mode": Key(str, TWO_D_MODES[0], choices=tuple(TWO_D_MODES)),
}
_NEURONS = {
    "view": Key(int, 0, (0, 6)),
}
KEYS: dict[str, Key] = {
    "window/geometry": Key(bytes, b""),
    "window/tab": Key(int, 0, (0, 4)),
    "files/network_folder": Key(str, ""),  # where the open-network dialog starts ("": resources/)
    **{f"tabs/Draw/{k}": v for k, v in _DRAW.items()},
    **{f"tabs/Training/{k}": v for k, v in _TRAINING.items()},
    **{f"tabs/Backprop inspector/{k}": v for k, v in _INSPECTOR.items()},
    **{f"tabs/Approximation playground/{k}": v for k, v in _PLAYGROUND.items()},
    **{f"tabs/Neurons/{k}": v for k, v in _NEURONS.items()},
}


class Invalid(ValueError):
    """A stored value that does not fit its key."""


def parse(key: Key, raw) -> Any:
    """``raw`` as read from QSettings (an INI file gives strings) as the key's type; Invalid if it is not."""
    if key.type is bytes:
        if isinstance(raw, QByteArray):
            return bytes(raw.data())
        if isinstance(raw, (bytes, bytearray)):
            return bytes(raw)
        raise Invalid("not bytes")
    if isinstance(raw, (list, tuple, dict, QByteArray, bytes)):
        raise Invalid("not a single value")
    if key.type is bool:
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise Invalid("not true or false")
    if key.type is int:
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError, OverflowError):
            raise Invalid("not a whole number") from None
    elif key.type is float:
        try:
            value = float(str(raw).strip())
        except (TypeError, ValueError, OverflowError):
            raise Invalid("not a number") from None
        if not math.isfinite(value):
            raise Invalid("not a finite number")
    else:
        value = str(raw)
        if key.choices is not None and value not in key.choices:
            raise Invalid("not one of the choices")
        return value
    if key.range is not None and not key.range[0] <= value <= key.range[1]:
        raise Invalid("out of range")
    return value


def to_stored(key: Key, value) -> Any:
    """A value of the key's type as QSettings stores it."""
    if key.type is bytes:
        return QByteArray(bytes(value))
    if key.type is bool:
        return bool(value)
    return key.type(value)


# ------------------------------------------------------------------------------------------- opening
def open_settings() -> QSettings:
    """The app's settings: the user's, or the INI file named by NNDL_SETTINGS_FILE (tests use that)."""
    path = os.environ.get("NNDL_SETTINGS_FILE")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("nndl-gui", "nndl-gui")


def backup_path(settings: QSettings, version) -> Path:
    """Where settings that cannot be carried over are kept: next to the settings file."""
    path = Path(settings.fileName())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.format-{version}.{stamp}.backup{path.suffix or '.ini'}")


@dataclass(frozen=True)
class Migration:
    """What ``migrate`` did: ``note`` is the sentence for the learner (None when there is nothing to say)."""

    from_version: Any
    kept: int = 0
    dropped: tuple[str, ...] = ()
    backup: Path | None = None
    note: str | None = None


def _version(settings: QSettings):
    raw = settings.value("version")
    if raw is None:
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return str(raw)


def _backup(settings: QSettings, version) -> Path | None:
    settings.sync()
    source = Path(settings.fileName())
    if not source.is_file():
        return None
    target = backup_path(settings, version)
    n = 1
    while target.exists():
        target = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    shutil.copyfile(source, target)
    return target


def migrate(settings: QSettings) -> Migration:
    """Bring ``settings`` to SETTINGS_VERSION in place, keeping a backup of whatever cannot be carried over."""
    if settings.status() != QSettings.Status.NoError:
        backup = _backup(settings, "unreadable")
        settings.clear()
        settings.setValue("version", SETTINGS_VERSION)
        where = f" A copy is kept in {backup}." if backup else ""
        return Migration("unreadable", backup=backup,
                         note=f"The settings file could not be read; using defaults.{where}")
    version = _version(settings)
    stored = [k for k in settings.allKeys() if k != "version"]
    if version is None and not stored:
        return Migration(None)  # first start
    if version == SETTINGS_VERSION:
        return Migration(version, kept=len(stored))
    if version not in (None, 1):  # a newer format, or one we cannot read: set it aside whole
        backup = _backup(settings, version)
        settings.clear()
        settings.setValue("version", SETTINGS_VERSION)
        where = f"kept in {backup}" if backup else "not kept (no settings file)"
        return Migration(version, dropped=tuple(stored), backup=backup, note=(
            f"Settings from another version of nndl-gui (format {version}) could not be used here; "
            f"they are {where}. Using defaults."))
    # format 1 (or unversioned, which was format 1): same keys, values not yet checked
    kept, dropped = {}, []
    for name in stored:
        key = KEYS.get(name)
        try:
            if key is None:
                raise Invalid("unknown key")
            kept[name] = parse(key, settings.value(name))
        except Invalid:
            dropped.append(name)
    backup = _backup(settings, version if version is not None else 0) if dropped else None
    settings.clear()
    settings.setValue("version", SETTINGS_VERSION)
    for name, value in kept.items():
        settings.setValue(name, to_stored(KEYS[name], value))
    settings.sync()
    note = None
    if dropped:
        where = f"kept in {backup}" if backup else "not kept (no settings file)"
        shown = ", ".join(dropped[:5]) + (f" and {len(dropped) - 5} more" if len(dropped) > 5 else "")
        note = (f"Settings from an older version of nndl-gui were carried over, except {len(dropped)} that "
                f"do not fit this version ({shown}): those are {where}.")
    return Migration(version, kept=len(kept), dropped=tuple(dropped), backup=backup, note=note)


# ------------------------------------------------------------------------------------------- tabs
class TabSettings:
    """One tab's view of the settings: ``get(name)`` and ``set(name, value)``, checked against ``KEYS``."""

    def __init__(self, settings: QSettings, tab_title: str):
        self.settings = settings
        self.prefix = f"tabs/{tab_title}/"

    def key(self, name: str) -> Key:
        return KEYS[self.prefix + name]

    def get(self, name: str, fallback=None):
        """The stored value of ``name`` if there is one and it fits the table; else ``fallback`` when given,
        else the table's default."""
        key = self.key(name)
        raw = self.settings.value(self.prefix + name)
        if raw is not None:
            try:
                return parse(key, raw)
            except Invalid:
                pass
        return key.default if fallback is None else fallback

    def set(self, name: str, value) -> None:
        key = self.key(name)
        value = to_stored(key, value)
        parse(key, value if key.type is bytes else str(value).lower() if key.type is bool else value)  # fits?
        self.settings.setValue(self.prefix + name, value)


def window_value(settings: QSettings, name: str):
    """A window-level setting ("window/tab", "window/geometry"), checked; the default if it does not fit."""
    key = KEYS[name]
    raw = settings.value(name)
    if raw is not None:
        try:
            return parse(key, raw)
        except Invalid:
            pass
    return key.default


def set_window_value(settings: QSettings, name: str, value) -> None:
    settings.setValue(name, to_stored(KEYS[name], value))


def save_version(settings: QSettings) -> None:
    settings.setValue("version", SETTINGS_VERSION)
