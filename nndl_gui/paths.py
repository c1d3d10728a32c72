"""Where the files shipped with nndl-gui live (resources/: sample MNIST, pretrained network, icons)."""

from __future__ import annotations

from pathlib import Path


def resource_dir() -> Path:
    """The resources/ folder: beside the package in a source checkout, else inside the installed wheel."""
    source = Path(__file__).resolve().parents[1] / "resources"
    if source.is_dir():
        return source
    from importlib.resources import files

    return Path(str(files("nndl_gui.resources")))


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
