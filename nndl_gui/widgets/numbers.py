"""How numbers are written on screen: a real minus sign, and mantissa × 10ⁿ for the very small or large.

Plain Python (no Qt), so the inspector's text model can use it too."""

from __future__ import annotations

MINUS = "\u2212"
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def times_ten(v: float, digits: int) -> str:
    """``v`` as mantissa × 10 to a power, as the book prints it: times_ten(0.00295, 2) → '2.95×10⁻³'."""
    mant, exp = f"{v:.{digits}e}".split("e")
    return f"{mant}×10{str(int(exp)).translate(SUPERSCRIPT)}".replace("-", MINUS)


def readable(v: float, digits: int = 3) -> str:
    """``digits`` significant digits, written plainly where that needs no exponent, else as ``times_ten``:
    readable(0.0421) → '0.0421', readable(3.26e-05) → '3.26×10⁻⁵'; a real minus sign either way."""
    text = f"{v:.{digits}g}"
    return times_ten(v, digits - 1) if "e" in text else text.replace("-", MINUS)


def subscript(n: int | str) -> str:
    """An index as the book sets it below the line: subscript(1) → '₁' (for x₁, w₁ in plain-text labels)."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
