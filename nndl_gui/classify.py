"""``python -m nndl_gui classify [--network PATH] IMAGE...``: read digits in image files.

Each image (PNG, JPEG, … whatever Qt reads; dark ink on light or light on dark; any size) goes through
the Draw tab's preprocessing (nndl_gui.data.preprocess) and network, and one JSON line is printed:

    {"path": "seven.png", "digit": 7, "probabilities": [...10 numbers...]}

``probabilities`` are the softmax outputs for a softmax network, else the output activations a^L scaled
to sum to 1 (``"outputs"`` says which, and ``"activations"`` gives a^L itself).  A file that cannot be read
gets ``{"path": ..., "error": "..."}`` and the others still run; the exit code is 1 if any failed
(2 for a bad command line or network).

Images are read with Qt's QImage, which needs no window (no QApplication) to read files.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from .data.preprocess import is_empty, preprocess
from .jobs.draw import network_problem, pretrained_path, read_outputs


def read_gray(path: str) -> np.ndarray:
    """The image at ``path`` as grayscale (H, W) uint8; transparent pixels count as background.

    Raises OSError with a sentence when Qt cannot read it.
    """
    from PySide6.QtGui import QImage, QImageReader

    reader = QImageReader(path)
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise OSError(f"cannot read the image ({reader.errorString()})")
    if image.hasAlphaChannel():
        # flatten onto the colour the opaque pixels are not: decide after reading the opaque ones
        rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
        h, w, bpl = rgba.height(), rgba.width(), rgba.bytesPerLine()
        raw = np.frombuffer(rgba.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)[:, :4 * w]
        raw = raw.reshape(h, w, 4).astype(np.float32)
        gray = raw[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        alpha = raw[..., 3] / 255.0
        opaque = alpha > 0.5
        ink_is_dark = not opaque.any() or float(np.median(gray[opaque])) < 128
        background = 255.0 if ink_is_dark else 0.0
        return np.round(gray * alpha + background * (1 - alpha)).astype(np.uint8)
    from .widgets.canvas import qimage_to_array

    return qimage_to_array(image)


def classify_file(net, path: str) -> dict:
    """One JSON-ready result for one image file (with "error" instead when it cannot be read)."""
    try:
        gray = read_gray(path)
        image = preprocess(gray, "auto")
    except (OSError, ValueError) as exc:
        return {"path": path, "error": str(exc)}
    if is_empty(image):
        return {"path": path, "error": "no ink found: the picture is blank or has no contrast"}
    out = read_outputs(net, image.reshape(-1))
    return {
        "path": path,
        "digit": out.digit,
        "probabilities": [round(float(p), 6) for p in out.bars],
        "outputs": "softmax" if out.softmax else f"{net.output.name} activations scaled to sum to 1",
        "activations": [round(float(a), 6) for a in out.activations],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nndl-gui classify",
        description="Classify images of handwritten digits with the Draw tab's preprocessing and a network. "
                    "Prints one JSON line per image.")
    parser.add_argument("--network", help="a .npz or network2.py JSON network (default: the shipped "
                                          f"pretrained network, {pretrained_path().name})")
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG, … files, any size")
    args = parser.parse_args(argv)

    from .engine.io import NetworkFileError, load_network

    try:
        net = load_network(args.network or pretrained_path())
    except NetworkFileError as exc:
        print(f"nndl-gui classify: error: {exc}", file=sys.stderr)
        return 2
    problem = network_problem(net)
    if problem:
        print(f"nndl-gui classify: error: {args.network}: {problem}", file=sys.stderr)
        return 2
    failed = 0
    for path in args.images:
        result = classify_file(net, path)
        failed += "error" in result
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
