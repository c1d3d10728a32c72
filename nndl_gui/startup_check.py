"""Before Qt opens a window on Linux: are the system libraries of its X11 (xcb) platform plugin there?

When one is missing, Qt aborts the whole process with a message that often names the wrong library
(``libxcb-cursor0`` while ``libxcb-icccm4`` is what is missing).  ``missing_libraries`` asks ``ldd`` which
libraries PySide6's ``libqxcb.so`` cannot resolve (where ``ldd`` cannot run, it tries to load each library
the plugin is known to need with ``ctypes``), and ``advice`` turns them into the Debian / Ubuntu packages to
install.  With the libraries there but no X display set, it says that instead.  This module imports no
Qt, so it can run before Qt loads anything.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

# soname → Debian / Ubuntu package.  Everything Qt's xcb plugin (libqxcb.so → libQt6XcbQpa) links against
# beyond what any desktop has (libc, libstdc++, zlib, ...).
PACKAGES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin, found without importing PySide6 (None when it is not there)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        plugin = Path(root) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def _ldd(path: Path) -> list[str] | None:
    """The libraries ``ldd`` reports as "not found" for ``path``, or None when ``ldd`` cannot tell."""
    try:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or "=>" not in out.stdout:
        return None
    return list(dict.fromkeys(_NOT_FOUND.findall(out.stdout)))


def _dlopen(names) -> list[str]:
    """The libraries among ``names`` that the dynamic loader cannot load."""
    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def missing_libraries(plugin: Path | None = None, *, ldd=_ldd, dlopen=_dlopen) -> list[str]:
    """The shared libraries the xcb plugin needs that this system lacks (sonames, in ``ldd``'s order)."""
    plugin = plugin or xcb_plugin()
    found = ldd(plugin) if plugin is not None else None
    if found is None:  # no ldd (or no plugin file to ask about): try loading what the plugin is known to need
        found = dlopen(PACKAGES)
    return found


def packages_for(libraries) -> list[str]:
    """Debian / Ubuntu packages providing ``libraries`` (unknown ones are named as they are)."""
    return list(dict.fromkeys(PACKAGES.get(lib, lib) for lib in libraries))


def advice(libraries) -> str:
    """What to tell the learner when ``libraries`` are missing."""
    packages = packages_for(libraries)
    unknown = [lib for lib in libraries if lib not in PACKAGES]
    lines = [
        "nndl-gui cannot open a window: Qt's X11 platform plugin (xcb) needs system libraries that are missing:",
        "  " + ", ".join(libraries),
        "On Debian or Ubuntu, install them with:",
        "  sudo apt-get install " + " ".join(packages),
    ]
    if unknown:
        lines.append("(" + ", ".join(unknown) + ": install the package that provides it, e.g. "
                     "`apt-file search " + unknown[0] + "`.)")
    lines.append("See README.md, \"System packages\".  To skip this check: NNDL_SKIP_STARTUP_CHECK=1.")
    return "\n".join(lines)


def wants_xcb(environ=os.environ, platform: str = sys.platform) -> bool:
    """Will Qt try the xcb plugin?  On Linux, unless another platform is asked for or Wayland is running."""
    if not platform.startswith("linux") or environ.get("NNDL_SKIP_STARTUP_CHECK"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(";")[0].split(":")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


NO_DISPLAY = ("nndl-gui cannot open a window: no X display is set (DISPLAY is empty).  Start it from a desktop "
              "session, or over SSH with `ssh -X`; QT_QPA_PLATFORM=offscreen runs it without a screen.")


def check(stream=None, environ=os.environ, **kwargs) -> bool:
    """True when Qt can be started; otherwise say why on ``stream`` (stderr) and return False.

    Qt itself would abort the process with "Reinstalling the application may fix this problem"."""
    if not wants_xcb(environ):
        return True
    missing = missing_libraries(**kwargs)
    if missing:
        print(advice(missing), file=stream or sys.stderr)
        return False
    if not environ.get("DISPLAY"):
        print(NO_DISPLAY, file=stream or sys.stderr)
        return False
    return True
