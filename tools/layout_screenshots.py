#!/usr/bin/env python3
"""Screenshots of every tab at the window's minimum size, at 1280×800 and at 1920×1080.

The Backprop inspector shows the shared (pretrained) [784, 300, 10] network, the playground its "Bumps &
the challenge" view.  PNGs are saved with a 256-colour palette (each picture's most frequent colours and
one for each common colour range, every other colour mapped to its nearest) to stay small.

    QT_QPA_PLATFORM=offscreen python tools/layout_screenshots.py docs/screenshots
writes docs/screenshots/layout-<tab>-<size>.png (tab: draw, training, inspector, playground, neurons; size: min,
1280x800, 1920x1080).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TAB_NAMES = ["draw", "training", "inspector", "playground", "neurons"]


def palette_image(image):
    """``image`` (a QImage) as an 8-bit indexed QImage of its 256 most frequent colours."""
    import numpy as np
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    raw = np.frombuffer(rgb.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    pixels = np.ascontiguousarray(raw[:, : 4 * w]).view(np.uint32).reshape(h, w) & 0xFFFFFF
    colours, inverse, counts = np.unique(pixels, return_inverse=True, return_counts=True)
    # 160 most frequent exact colours (text, frames, fills) + the commonest colour of each of the 96 most
    # frequent coarse (3 bits a channel) colour boxes not yet covered (gradients, colour bars)
    order = np.argsort(-counts, kind="stable")
    exact = list(colours[order[:160]])
    box = ((colours >> 21) & 7) << 6 | ((colours >> 13) & 7) << 3 | ((colours >> 5) & 7)
    covered = set(((np.array(exact) >> 21) & 7) << 6 | ((np.array(exact) >> 13) & 7) << 3 | ((np.array(exact) >> 5) & 7))
    box_counts = np.bincount(box, weights=counts, minlength=512)
    for b in np.argsort(-box_counts, kind="stable"):
        if len(exact) >= 256 or box_counts[b] == 0:
            break
        if b not in covered:
            members = np.flatnonzero(box == b)
            exact.append(colours[members[np.argmax(counts[members])]])
    palette = np.array(exact, dtype=np.uint32)

    def channels(c):
        return np.stack([(c >> 16) & 255, (c >> 8) & 255, c & 255], axis=-1).astype(np.int32)

    nearest = np.empty(len(colours), np.uint8)
    pal = channels(palette)
    for start in range(0, len(colours), 4096):
        chunk = channels(colours[start:start + 4096])
        nearest[start:start + 4096] = ((chunk[:, None, :] - pal[None, :, :]) ** 2).sum(-1).argmin(1)
    index = nearest[inverse.reshape(h, w)]
    out = QImage(w, h, QImage.Format.Format_Indexed8)
    out.setColorTable([int(0xFF000000 | int(c)) for c in palette])
    bits = np.frombuffer(out.bits(), np.uint8, count=out.bytesPerLine() * h).reshape(h, out.bytesPerLine())
    bits[:, :w] = index
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs")
    args = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="nndl-shot-")
    os.environ.update(NNDL_SETTINGS_FILE=f"{home}/settings.ini", NNDL_CACHE_DIR=f"{home}/cache",
                      NNDL_NO_DIALOGS="1")
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from nndl_gui.app import MainWindow, configure_pyqtgraph

    configure_pyqtgraph()
    window = MainWindow()
    window.show()

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    settle(2.0)  # the pretrained network and the MNIST sample load on the worker
    inspector = window.tab_widgets[TAB_NAMES.index("inspector")]
    inspector.chooser.network_combo.setCurrentIndex(0)
    inspector.chooser.choose_network(0)
    window.tab_widgets[TAB_NAMES.index("playground")].views.setCurrentIndex(1)
    settle(2.0)
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = {"min": window.minimumSize(), "1280x800": QSize(1280, 800), "1920x1080": QSize(1920, 1080)}
    for size_name, size in sizes.items():
        window.resize(size)
        for i, tab_name in enumerate(TAB_NAMES):
            window.tabs.setCurrentIndex(i)
            settle(1.0)
            image = palette_image(window.grab().toImage())
            path = args.out / f"layout-{tab_name}-{size_name}.png"
            image.save(str(path), "PNG", 9)
            print(path, f"{window.width()}x{window.height()}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
