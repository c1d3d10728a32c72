"""The engine, the data layer and the jobs never import Qt (checked in a fresh interpreter per package)."""

import subprocess
import sys

import pytest

QT_ROOTS = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")


def qt_modules_after_importing(package: str) -> list[str]:
    """Import every module of ``package`` in a fresh interpreter; the Qt modules that got loaded."""
    code = (
        "import sys, importlib, pkgutil\n"
        f"pkg = importlib.import_module({package!r})\n"
        "names = [m.name for m in pkgutil.iter_modules(pkg.__path__)]\n"
        "assert names, 'no modules found'\n"
        "for name in names:\n"
        "    importlib.import_module(pkg.__name__ + '.' + name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT_ROOTS!r}]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


@pytest.mark.parametrize("package", ["nndl_gui.engine", "nndl_gui.data", "nndl_gui.jobs"])
def test_package_imports_without_qt(package):
    assert qt_modules_after_importing(package) == [], f"{package} imports Qt"


def test_the_check_sees_qt_when_it_is_imported():
    """The check itself can fail: the tabs import Qt, and it says so."""
    assert "PySide6" in qt_modules_after_importing("nndl_gui.tabs")
