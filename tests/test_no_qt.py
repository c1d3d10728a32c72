"""The engine and the data layer never import Qt (checked in a fresh interpreter)."""

import subprocess
import sys


def test_engine_and_data_import_without_qt():
    code = (
        "import sys, importlib, pkgutil\n"
        "import nndl_gui.engine as e, nndl_gui.data as d\n"
        "for pkg in (e, d):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt modules imported: {out.stdout}"
