"""``python -m nndl_gui classify [--network PATH] IMAGE...``: read digits in image files.

Each image (PNG, JPEG, … whatever Qt reads; dark ink on light or light on dark; any size) goes through
the Draw tab's preprocessing (nndl_gui.data.preprocess) and network, and one JSON line is printed:

    {"path": "seven.png", "digit": 7, "outputs": [...10 numbers...], "output_activation": "softmax"}

``outputs`` are the output layer's activations a^L and ``output_activation`` names their function: for
"softmax" they are probabilities (they sum to 1); for "sigmoid" they are ten independent numbers in (0, 1),
not probabilities.  ``digit`` is the largest.  Every line is strict JSON (never NaN or Infinity).  A file
that cannot be read gets ``{"path": ..., "error": "..."}`` and the others still run; the exit code is 1 if
any failed, 2 for a bad command line or network, 141 when stdout closes early (``classify ... | head -1``:
the rest is skipped quietly, as Unix tools do).

Only regular files are read (a folder, a device, a pipe or ``-`` is refused, saying which), at most
``MAX_IMAGE_BYTES`` bytes and ``MAX_IMAGE_PIXELS`` pixels, checked from the image's header before decoding.
Images are read with Qt's QImageReader, which needs no window (no QApplication) to read files.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from .data.preprocess import is_empty, preprocess
from .jobs.draw import network_problem, pretrained_path, read_outputs

MAX_IMAGE_BYTES = 64 * 2**20
MAX_IMAGE_PIXELS = 25_000_000  # 5000 × 5000


def read_gray(path: str) -> np.ndarray:
    """The image at ``path`` as grayscale (H, W) uint8; transparent pixels count as background.

    Raises OSError or ValueError with a sentence when it cannot be read (not a regular file, too large,
    not an image).
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QImageReader

    from .engine.files import read_bounded

    data = QByteArray(read_bounded(path, MAX_IMAGE_BYTES, "picture"))
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_IMAGE_PIXELS:
        raise ValueError(f"the image is {size.width()}×{size.height()} pixels, too large (limit "
                         f"{MAX_IMAGE_PIXELS:,} pixels, e.g. 5000×5000): scale it down first")
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
    except FileNotFoundError:
        return {"path": path, "error": "file not found"}
    except OSError as exc:
        return {"path": path, "error": f"cannot read it ({exc.strerror})" if exc.strerror else str(exc)}
    except (ValueError, MemoryError) as exc:
        return {"path": path, "error": str(exc) or "out of memory reading the image"}
    if is_empty(image):
        return {"path": path, "error": "no ink found: the picture is blank or has no contrast"}
    out = read_outputs(net, image.reshape(-1))
    if not np.all(np.isfinite(out.activations)):
        return {"path": path, "error": "the network's outputs overflow (NaN or infinite) for this image"}
    return {
        "path": path,
        "digit": out.digit,
        "outputs": [round(float(a), 6) for a in out.activations],
        "output_activation": net.output.name,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nndl-gui classify",
        description="Classify images of handwritten digits with the Draw tab's preprocessing and a network. "
                    "Prints one JSON line per image.")
    parser.add_argument("--network", help="a .npz or network2.py JSON network (default: the shipped "
                                          f"pretrained network, {pretrained_path().name})")
    parser.add_argument("--float64", action="store_true",
                        help="compute in float64 (keeps every digit of a float64 network2.py file)")
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG, … files, any size")
    args = parser.parse_args(argv)

    from .engine.io import NetworkFileError, load_network

    try:
        net = load_network(args.network or pretrained_path(), dtype=np.float64 if args.float64 else None)
    except NetworkFileError as exc:
        print(f"nndl-gui classify: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"nndl-gui classify: error: {args.network}: out of memory loading the network", file=sys.stderr)
        return 2
    problem = network_problem(net)
    if problem:
        print(f"nndl-gui classify: error: {args.network}: {problem}", file=sys.stderr)
        return 2
    failed = 0
    for path in args.images:
        result = classify_file(net, path)
        failed += "error" in result
        try:
            print(json.dumps(result, ensure_ascii=False, allow_nan=False), flush=True)
        except BrokenPipeError:  # nobody reads any more: stop quietly, as Unix tools do
            from .trainer import silence_stdout

            silence_stdout()
            return 141
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
