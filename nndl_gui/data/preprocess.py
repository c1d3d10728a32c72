"""A drawn or photographed digit → the 28×28 input the network expects, made the way MNIST's were.

MNIST's digits (LeCun, Cortes and Burges) were made from black-and-white scans like this:

1. the ink's bounding box was scaled to fit a 20×20 box, keeping its aspect ratio, with anti-aliasing
   (so edge pixels become grey);
2. the result was placed in a 28×28 field so that its centre of mass sits at the centre of the field.

``preprocess`` does the same to any grayscale picture (a canvas, a scan, a photo) in one exact
area-averaging resample: every output pixel is the mean of the input over the square it covers.
Nothing here imports Qt.  Arrays are row-major: index [row, column] = [y, x].

Public API
----------
``to_ink(gray, polarity)``      (H, W) grayscale → (H, W) float32 ink in [0, 1] (1 = full ink)
``preprocess(gray, polarity)``  (H, W) grayscale → (28, 28) float32 in [0, 1]; all zeros when empty
``normalise_stroke(ink)``       thin or fat pen strokes made as wide, relative to the digit, as MNIST's
``naive_resize(gray, polarity)`` (H, W) → (28, 28): the whole picture shrunk, no cropping or centring
``area_resample(ink, ...)``     the exact area-averaging resample both use
``render_digit(img28, ...)``    a 28×28 digit drawn large on a canvas (the Draw tab's examples,
                                 the robustness benchmark)
``deskew(img28)``               slant removed by image moments (for networks trained on deskewed
                                 images: applied identically to training images and drawn input)
"""

from __future__ import annotations

import numpy as np

FIELD = 28  # MNIST's field: 28×28 pixels
BOX = 20  # the ink's bounding box is scaled to fit BOX×BOX
# MNIST puts the centre of mass at pixel (14, 14), i.e. 14.5 in edge coordinates, where pixel i covers
# [i, i + 1).  (Measured: the mean over the test set is 14.49 down and 14.51 across.)
CENTRE = 14.5
# Ink below this (as a fraction of the darkest ink) does not count for the bounding box: it keeps
# JPEG noise and the faint fringe of anti-aliasing from stretching the box.
BOX_THRESHOLD = 0.1
# The level of ink that counts as "full ink" after resampling (see _normalise_ink).
INK_PERCENTILE = 70

POLARITIES = ("auto", "dark-on-light", "light-on-dark")


def to_ink(gray, polarity: str = "auto") -> np.ndarray:
    """Grayscale (H, W) → ink (H, W) float32 in [0, 1], 1 where the pen went.

    ``gray`` is uint8 (0..255) or floats in [0, 1].  ``polarity`` says how ink looks:
    "dark-on-light" (pen on paper), "light-on-dark" (MNIST's own look), or "auto": the border of the
    picture is taken to be background, so a light border means dark ink.  The background level
    (median of the border) is subtracted and the darkest ink stretched to 1, so a grey pencil on
    off-white paper reads like MNIST's black-and-white scans.
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}")
    g = np.asarray(gray)
    if g.ndim != 2 or g.shape[0] < 1 or g.shape[1] < 1:
        raise ValueError(f"expected a 2-D grayscale picture, got shape {g.shape}")
    if g.dtype == np.uint8:
        g = g.astype(np.float32) * np.float32(1 / 255)
    else:
        g = np.asarray(g, dtype=np.float32)
        if not np.all(np.isfinite(g)):
            raise ValueError("the picture contains NaN or infinity")
        g = np.clip(g, 0.0, 1.0)
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    background = float(np.median(border))
    if polarity == "auto":
        polarity = "dark-on-light" if background > 0.5 else "light-on-dark"
    ink = 1.0 - g if polarity == "dark-on-light" else g
    bg = 1.0 - background if polarity == "dark-on-light" else background
    bg = min(max(bg, 0.0), 1.0)
    peak = float(ink.max())
    if peak - bg < 0.05:  # nothing stands out from the background
        return np.zeros_like(ink, dtype=np.float32)
    ink = (ink - np.float32(bg)) * np.float32(1.0 / (peak - bg))
    np.clip(ink, 0.0, 1.0, out=ink)
    return ink.astype(np.float32, copy=False)


def _overlaps(n_in: int, n_out: int, scale: float, offset: float) -> np.ndarray:
    """Matrix (n_out, n_in): how much of input pixel k lands in output pixel i (in output pixels).

    Input pixel k covers [k, k + 1); it maps to [k·scale + offset, (k + 1)·scale + offset) in the
    output, and output pixel i covers [i, i + 1).
    """
    lo = np.arange(n_in) * scale + offset
    hi = lo + scale
    i = np.arange(n_out)[:, None]
    return np.clip(np.minimum(hi[None, :], i + 1.0) - np.maximum(lo[None, :], i), 0.0, None)


def area_resample(ink: np.ndarray, out_shape: tuple[int, int], scale: float,
                  offset: tuple[float, float]) -> np.ndarray:
    """Exact area-averaging resample of (H, W) ``ink`` into ``out_shape``.

    Input pixel (y, x) covering [y, y+1)×[x, x+1) lands on [y·s + oy, (y+1)·s + oy)×[x·s + ox, ...)
    with s = ``scale`` and (oy, ox) = ``offset``; each output pixel becomes the mean of the input over
    the square it covers (zero outside the input).  Two matrix products: R @ ink @ Cᵀ, where R and C
    hold the overlap lengths; shrinking and enlarging both work.
    """
    rows = _overlaps(ink.shape[0], out_shape[0], scale, offset[0])
    cols = _overlaps(ink.shape[1], out_shape[1], scale, offset[1])
    out = rows @ ink.astype(np.float64) @ cols.T
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def bounding_box(ink: np.ndarray, threshold: float = BOX_THRESHOLD) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of pixels with ink > threshold·max, bottom/right exclusive; None if empty."""
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0.0:
        return None
    mask = ink > threshold * peak
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def preprocess(gray, polarity: str = "auto", stroke: bool = True) -> np.ndarray:
    """A picture of one digit (H, W), any size → (28, 28) float32 in [0, 1], as MNIST's were made.

    With ``stroke`` the pen's width is first normalised (``normalise_stroke``).  The ink's bounding box
    is scaled so its longer side is 20 pixels (aspect ratio kept), with area averaging; it is placed so
    its centre of mass is at the centre of the 28×28 field.  Empty input (no ink) gives all zeros.
    Flatten with ``.reshape(784)`` for the network.
    """
    ink = to_ink(gray, polarity)
    box = bounding_box(ink)
    if box is None:
        return np.zeros((FIELD, FIELD), np.float32)
    if stroke:
        ink = normalise_stroke(ink, box)
        box = bounding_box(ink)
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    crop = np.where(crop > BOX_THRESHOLD * float(crop.max()), crop, 0.0).astype(np.float32)
    scale = BOX / max(crop.shape)
    mass = float(crop.sum())
    # centre of mass in input edge coordinates (pixel centres at k + 0.5)
    cy = float(crop.sum(axis=1) @ (np.arange(crop.shape[0]) + 0.5)) / mass
    cx = float(crop.sum(axis=0) @ (np.arange(crop.shape[1]) + 0.5)) / mass
    offset = (CENTRE - cy * scale, CENTRE - cx * scale)
    out = area_resample(crop, (FIELD, FIELD), scale, offset)
    return _normalise_ink(out)


# MNIST's strokes are about this wide relative to the longer side of the digit's box: the median over
# training digits drawn large (2·area/perimeter of the ink over the box side; 10th–90th percentile
# 0.097–0.174).  Measured with benchmarks/draw_robustness.py's digits: normalising a drawing's stroke to
# it lifts the "all together" accuracy by about a point (pens ×0.5–×2 are the reason).
STROKE_RATIO = 0.128
MIN_STROKE_PIXELS = 40  # below this side (pixels) the estimate is too coarse: left alone


def stroke_ratio(ink: np.ndarray, box=None) -> tuple[float, int] | None:
    """(the ink's stroke width / the longer side of its box, that side in pixels); None when empty.

    Width ≈ 2·area / perimeter of the ink (> 0.5): a stroke of width w and length ℓ has area wℓ and about
    2ℓ boundary pixels.
    """
    box = box or bounding_box(ink)
    if box is None:
        return None
    m = ink > 0.5
    area = int(m.sum())
    if area == 0:
        return None
    pad = np.pad(m, 1)
    interior = pad[1:-1, 1:-1] & pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:]
    perimeter = max(area - int(interior.sum()), 1)
    side = max(box[1] - box[0], box[3] - box[2])
    return 2.0 * area / perimeter / side, side


def normalise_stroke(ink: np.ndarray, box=None, target: float = STROKE_RATIO) -> np.ndarray:
    """Thicken (grey dilation) or thin (erosion) the strokes so their width is ``target`` × the box side.

    Works on the box and a margin only.  Small pictures (a 28×28 image) are returned as they are: at
    that resolution a pixel is a third of a stroke.
    """
    box = box or bounding_box(ink)
    got = stroke_ratio(ink, box)
    if got is None or got[1] < MIN_STROKE_PIXELS:
        return ink
    ratio, side = got
    change = (target - ratio) * side  # pixels of width to add (negative: to remove)
    radius = int(round(abs(change) / 2))
    if not radius:
        return ink
    top, bottom, left, right = box
    r0, r1 = max(0, top - radius - 1), min(ink.shape[0], bottom + radius + 1)
    c0, c1 = max(0, left - radius - 1), min(ink.shape[1], right + radius + 1)
    out = np.zeros_like(ink)
    out[r0:r1, c0:c1] = _morph(ink[r0:r1, c0:c1], radius, np.maximum if change > 0 else np.minimum)
    return out


def _normalise_ink(out: np.ndarray) -> np.ndarray:
    """Stretch the ink so a typical stroke pixel is full ink, as in MNIST's thick, scanned strokes.

    A thin pen line averaged over a 28×28 pixel only partly covers it and comes out grey; MNIST's
    strokes are mostly at full ink.  The INK_PERCENTILE-th percentile of the inked pixels becomes 1
    (values above are clipped).  On the robustness benchmark this beats dividing by the maximum.
    """
    peak = float(out.max())
    if peak <= 0:
        return out
    inked = out[out > BOX_THRESHOLD * peak]
    level = float(np.percentile(inked, INK_PERCENTILE)) if inked.size else peak
    out *= np.float32(1.0 / max(level, 1e-6))
    np.clip(out, 0.0, 1.0, out=out)
    return out


def naive_resize(gray, polarity: str = "auto") -> np.ndarray:
    """The whole picture shrunk to 28×28 by area averaging (no cropping, scaling or centring).

    The reference the preprocessing has to beat: a small digit in a corner stays small and in the corner.
    """
    ink = to_ink(gray, polarity)
    h, w = ink.shape
    scale = FIELD / max(h, w)
    offset = ((FIELD - h * scale) / 2, (FIELD - w * scale) / 2)
    return area_resample(ink, (FIELD, FIELD), scale, offset)


def is_empty(image28: np.ndarray) -> bool:
    """True when a preprocessed image holds no ink."""
    return not np.any(image28 > 0)


def render_digit(img28, size: int = 280, *, height: float = 0.7, centre: tuple[float, float] | None = None,
                 stroke: float = 0.0) -> np.ndarray:
    """Draw a 28×28 digit (light on dark, [0, 1] or uint8) large on a white ``size``×``size`` canvas.

    ``height``: the ink's height as a fraction of the canvas; ``centre``: (y, x) of the ink's bounding
    box centre in canvas pixels (default: the middle); ``stroke``: change of stroke width in MNIST
    pixels, > 0 thicker (dilation), < 0 thinner (erosion).  Returns uint8 (size, size), dark ink on
    white, like the Draw tab's canvas.  Used for MNIST examples on the canvas and for the robustness
    benchmark.
    """
    x = np.asarray(img28, dtype=np.float32)
    if x.dtype == np.uint8 or x.max() > 1.0:
        x = x / 255.0
    x = x.reshape(FIELD, FIELD)
    box = bounding_box(x, 0.0)
    canvas = np.zeros((size, size), np.float32)
    if box is not None:
        top, bottom, left, right = box
        crop = x[top:bottom, left:right]
        scale = height * size / crop.shape[0]
        scale = min(scale, 0.98 * size / crop.shape[1])
        h, w = crop.shape[0] * scale, crop.shape[1] * scale
        cy, cx = centre if centre is not None else (size / 2, size / 2)
        cy = min(max(cy, h / 2), size - h / 2)
        cx = min(max(cx, w / 2), size - w / 2)
        canvas = bilinear_resample(crop, (size, size), scale, (cy - h / 2, cx - w / 2))
        radius = int(round(abs(stroke) * scale / 2))
        if radius:
            canvas = _morph(canvas, radius, np.maximum if stroke > 0 else np.minimum)
    return np.round(255.0 * (1.0 - np.clip(canvas, 0.0, 1.0))).astype(np.uint8)


def bilinear_resample(img: np.ndarray, out_shape: tuple[int, int], scale: float,
                      offset: tuple[float, float]) -> np.ndarray:
    """Enlarge (h, w) ``img`` smoothly: output pixel centre p samples the input at (p − offset)/scale
    by bilinear interpolation (zero outside).  Same geometry as ``area_resample``."""
    padded = np.pad(np.asarray(img, np.float32), 1)

    def coords(n_out, n_in, off):
        src = (np.arange(n_out) + 0.5 - off) / scale - 0.5 + 1.0  # +1: the padding
        src = np.clip(src, 0.0, n_in + 1.0)
        i0 = np.minimum(np.floor(src).astype(int), n_in)
        return i0, (src - i0).astype(np.float32)

    y0, fy = coords(out_shape[0], img.shape[0], offset[0])
    x0, fx = coords(out_shape[1], img.shape[1], offset[1])
    top = padded[y0][:, x0] * (1 - fx) + padded[y0][:, x0 + 1] * fx
    bottom = padded[y0 + 1][:, x0] * (1 - fx) + padded[y0 + 1][:, x0 + 1] * fx
    return top * (1 - fy)[:, None] + bottom * fy[:, None]


def _morph(img: np.ndarray, radius: int, op) -> np.ndarray:
    """Grey dilation (op=np.maximum) or erosion (np.minimum) by about ``radius`` pixels.

    ``radius`` passes of a 3×3 neighbourhood, alternating a cross and a square, grow an octagon
    close to a disc (cheap: a few array operations per pass).
    """
    fill = 0.0 if op is np.maximum else 1.0
    out = np.asarray(img, np.float32)
    for n in range(radius):
        p = np.pad(out, 1, constant_values=fill)
        # along y, then along x (square); or the plus-shaped cross
        if n % 2:
            col = op(op(p[:-2], p[1:-1]), p[2:])
            out = op(op(col[:, :-2], col[:, 1:-1]), col[:, 2:])
        else:
            out = op(op(op(p[1:-1, 1:-1], p[:-2, 1:-1]), op(p[2:, 1:-1], p[1:-1, :-2])), p[1:-1, 2:])
    return out


def bilinear_sample(img: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Sample (h, w) ``img`` at (ys, xs) in pixel-index coordinates (pixel i at i) bilinearly, zero outside."""
    img = np.asarray(img, np.float32)
    padded = np.pad(img, 1)
    ys = np.clip(ys + 1.0, 0.0, img.shape[0] + 1.0)
    xs = np.clip(xs + 1.0, 0.0, img.shape[1] + 1.0)
    y0 = np.minimum(np.floor(ys).astype(np.intp), img.shape[0])
    x0 = np.minimum(np.floor(xs).astype(np.intp), img.shape[1])
    fy, fx = (ys - y0).astype(np.float32), (xs - x0).astype(np.float32)
    top = padded[y0, x0] * (1 - fx) + padded[y0, x0 + 1] * fx
    bottom = padded[y0 + 1, x0] * (1 - fx) + padded[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


MAX_SKEW = 1.0  # |α| above this is a drawing lying on its side, not a slant: left as it is


def skew(img: np.ndarray) -> float:
    """α = cov(x, y) / var(y) of the ink: how far each row's ink moves right per row down."""
    img = np.asarray(img, np.float64)
    total = float(img.sum())
    if total <= 0:
        return 0.0
    ys, xs = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    cy, cx = float((ys * img).sum()) / total, float((xs * img).sum()) / total
    var_y = float(((ys - cy) ** 2 * img).sum()) / total
    cov = float(((ys - cy) * (xs - cx) * img).sum()) / total
    return cov / var_y if var_y > 1e-9 else 0.0


def deskew(img: np.ndarray) -> np.ndarray:
    """(28, 28) → the same digit sheared upright about its centre of mass (deskewing by image moments).

    Each row r is shifted by −α·(r − c_y), α = ``skew(img)``: the ink's principal slant becomes vertical.
    The centre of mass stays where it was, so the MNIST placement is kept.  Classic on MNIST (LeCun et
    al.'s deskewed results): a slanted and an upright "1" become the same input.
    """
    img = np.asarray(img, np.float32)
    alpha = skew(img)
    if alpha == 0.0 or abs(alpha) > MAX_SKEW:
        return img.copy()
    total = float(img.sum())
    rows = np.arange(img.shape[0], dtype=np.float32)
    cy = float(img.sum(axis=1) @ rows) / total
    ys, xs = np.mgrid[0:img.shape[0], 0:img.shape[1]].astype(np.float32)
    out = bilinear_sample(img, ys, xs + np.float32(alpha) * (ys - np.float32(cy)))
    return np.clip(out, 0.0, 1.0)
