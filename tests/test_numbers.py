"""Numbers on screen as the book prints them: a real minus sign, mantissa × 10ⁿ when very small or large."""

from nndl_gui.widgets.numbers import readable, subscript, times_ten


def test_readable_numbers_are_plain_in_the_middle_and_times_ten_at_the_ends():
    assert readable(0.0421) == "0.0421" and readable(-0.5) == "\u22120.5" and readable(0) == "0"
    assert readable(3.26e-05) == "3.26×10⁻⁵" and readable(-3.26e-05) == "\u22123.26×10⁻⁵"
    assert readable(12345.0) == "1.23×10⁴" and readable(9999.0) == "1.00×10⁴" and readable(123.0) == "123"


def test_times_ten_and_subscripts():
    assert times_ten(0.00295, 2) == "2.95×10⁻³" and subscript(12) == "₁₂"
