"""Every package of nndl_gui is declared in pyproject.toml, so an installed copy has all of its rooms."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_directory_is_declared():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nndl_gui").rglob("__init__.py")}
    assert found, "no packages found"
    assert found <= declared, f"missing from pyproject.toml: {sorted(found - declared)}"
