"""The start-up check names the Debian packages of the X11 libraries Qt's xcb plugin cannot find."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nndl_gui import startup_check as sc

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibnndl-unheard-of.so.7 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def fake_ldd(tmp_path: Path, output: str = LDD_OUTPUT, code: int = 0) -> Path:
    """A folder with an ``ldd`` that prints ``output`` (a plugin on a system missing some libraries)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "ldd"
    (tmp_path / "ldd.txt").write_text(output)
    script.write_text(f"#!/bin/sh\ncat '{tmp_path / 'ldd.txt'}'\nexit {code}\n")
    script.chmod(0o755)
    return bin_dir


def test_missing_libraries_come_from_ldd_and_name_their_packages(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(fake_ldd(tmp_path)) + os.pathsep + os.environ["PATH"])
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"\x7fELF")
    missing = sc.missing_libraries(plugin, dlopen=lambda names: ["never asked"])
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libnndl-unheard-of.so.7"]
    text = sc.advice(missing)
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libnndl-unheard-of.so.7" in text
    assert "apt-file search libnndl-unheard-of.so.7" in text
    assert "libxcb-cursor0" not in text  # present: not blamed (Qt's own message names it)


def test_without_ldd_each_known_library_is_loaded_instead(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ldd on PATH
    assert sc._ldd(tmp_path / "libqxcb.so") is None
    asked = []

    def dlopen(names):
        asked.extend(names)
        return ["libxcb-keysyms.so.1"]

    assert sc.missing_libraries(tmp_path / "libqxcb.so", dlopen=dlopen) == ["libxcb-keysyms.so.1"]
    assert "libxcb-icccm.so.4" in asked and "libxkbcommon-x11.so.0" in asked
    # An ldd that fails (e.g. not a dynamic executable) counts as "cannot tell" too.
    monkeypatch.setenv("PATH", str(fake_ldd(tmp_path, "\tnot a dynamic executable\n", code=1)))
    assert sc.missing_libraries(tmp_path / "x.so", dlopen=lambda names: ["libEGL.so.1"]) == ["libEGL.so.1"]
    assert sc.packages_for(["libEGL.so.1", "libglib-2.0.so.0", "libgthread-2.0.so.0"]) == ["libegl1", "libglib2.0-0"]


def test_dlopen_tells_a_present_library_from_a_missing_one():
    assert sc._dlopen(["libc.so.6", "libnndl-unheard-of.so.7"]) == ["libnndl-unheard-of.so.7"]


def test_the_check_runs_only_where_qt_would_use_xcb():
    assert sc.wants_xcb({}, "linux")
    assert sc.wants_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert sc.wants_xcb({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not sc.wants_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not sc.wants_xcb({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert not sc.wants_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not sc.wants_xcb({}, "darwin") and not sc.wants_xcb({}, "win32")
    assert not sc.wants_xcb({"NNDL_SKIP_STARTUP_CHECK": "1"}, "linux")


def test_the_app_says_which_packages_to_install_instead_of_aborting(tmp_path):
    """``python -m nndl_gui`` on a system whose ldd reports missing libraries: the advice, exit code 1."""
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "NNDL_SKIP_STARTUP_CHECK")}
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=":1234",
               PATH=str(fake_ldd(tmp_path)) + os.pathsep + os.environ["PATH"])
    out = subprocess.run([sys.executable, "-m", "nndl_gui"], env=env, capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in out.stderr
    assert "could not load the Qt platform plugin" not in out.stderr.lower()  # Qt never got to abort


def test_without_a_display_the_app_says_so_instead_of_aborting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "NNDL_SKIP_STARTUP_CHECK")}
    env.update(QT_QPA_PLATFORM="xcb", PATH=str(fake_ldd(tmp_path, "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n"))
               + os.pathsep + os.environ["PATH"])
    out = subprocess.run([sys.executable, "-m", "nndl_gui"], env=env, capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 1 and "no X display is set" in out.stderr, out.stderr
    assert "reinstalling" not in out.stderr.lower()
    # With a display and nothing missing, the check lets Qt start.
    assert sc.check(environ={"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, ldd=lambda plugin: [])
