"""At the window's own minimum size nothing is clipped, and controls stay put when texts change length.

The rule for "clipped", checked on every visible QLabel and QAbstractButton of every tab (and of every
page of the tabs' own tab widgets):

* a label that does not wrap must be at least as wide as its text (plain: fontMetrics().horizontalAdvance
  of its longest line; rich text: the laid-out document's ideal width);
* a word-wrapped label must be at least as tall as its text needs at its width (heightForWidth);
* a button must be at least as wide as its text plus the style's frame (or indicator) around it;
* an elided label is allowed only if its tooltip holds the whole text (there are none at the moment);
* every tab gets at least its layout's minimum size (a squeezed layout clips whatever it holds), and
  every plot's scene fits its view (a long title would widen the plot past its widget and cut it).
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6 import QtGui  # noqa: E402
from PySide6.QtCore import QPoint, QSize, Qt  # noqa: E402
from PySide6.QtGui import QTextDocument  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QCheckBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabWidget,
    QWidget,
)

from nndl_gui.app import MIN_SIZE, MainWindow, configure_pyqtgraph  # noqa: E402

SLACK = 1  # px of rounding


@pytest.fixture
def window(qtbot):
    configure_pyqtgraph()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.resize(w.minimumSize())
    inspector = w.tab_widgets[2]
    qtbot.waitUntil(lambda: inspector.inspection is not None, timeout=10_000)
    yield w
    w.close()


def text_width(label: QLabel) -> int:
    text = label.text()
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        return int(doc.idealWidth() + 0.999)
    fm = label.fontMetrics()
    return max(fm.horizontalAdvance(line) for line in text.split("\n"))


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or label.pixmap() is not None and not label.pixmap().isNull():
        return None
    inner = label.contentsRect().width() - 2 * max(label.margin(), 0)
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"wrapped label {text[:60]!r} needs {need} px height, has {label.height()}"
        return None
    need = text_width(label)
    if need > inner + SLACK:
        if label.toolTip() and label.toolTip().replace("…", "") and "…" in text:
            return None  # elided, with the whole text in the tooltip
        return f"label {text[:60]!r} needs {need} px width, has {inner}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text:
        return None
    fm = button.fontMetrics()
    content = QSize(fm.horizontalAdvance(text), fm.height())
    if not button.icon().isNull():
        content += QSize(button.iconSize().width() + 4, 0)
    opt = QStyleOptionButton()
    opt.initFrom(button)
    kind = {QPushButton: QStyle.ContentsType.CT_PushButton, QCheckBox: QStyle.ContentsType.CT_CheckBox,
            QRadioButton: QStyle.ContentsType.CT_RadioButton}
    ct = next((v for k, v in kind.items() if isinstance(button, k)), None)
    if ct is None:
        return None  # tool buttons (tab scrollers) carry arrows, not text
    need = button.style().sizeFromContents(ct, opt, content, button).width()
    if need > button.width() + SLACK:
        return f"{type(button).__name__} {text!r} needs {need} px, has {button.width()}"
    return None


def pages(tab: QWidget):
    """Yield once per page of every QTabWidget inside the tab, with that page shown (the tab itself first)."""
    yield "main"
    for tw in tab.findChildren(QTabWidget):
        for i in range(tw.count()):
            tw.setCurrentIndex(i)
            yield f"{tw.tabText(i)}"
        tw.setCurrentIndex(0)


def problems_in(tab: QWidget) -> list[str]:
    out = []
    if tab.width() < tab.minimumSizeHint().width() or tab.height() < tab.minimumSizeHint().height():
        out.append(f"tab squeezed: {tab.size().toTuple()} < its layout's minimum {tab.minimumSizeHint().toTuple()}")
    for label in tab.findChildren(QLabel):
        if label.isVisible() and (p := label_problem(label)):
            out.append(p)
    for button in tab.findChildren(QAbstractButton):
        if button.isVisible() and (p := button_problem(button)):
            out.append(p)
    for view in tab.findChildren(pg.GraphicsView):
        item = view.centralWidget
        if view.isVisible() and item is not None:
            port = view.viewport().size()
            if item.minimumWidth() > port.width() + SLACK or item.minimumHeight() > port.height() + SLACK:
                out.append(f"plot cut: its scene needs {item.minimumWidth():.0f}×{item.minimumHeight():.0f}, "
                           f"the view is {port.width()}×{port.height()}")
    return out


def test_minimum_size_is_the_declared_one_and_nothing_is_clipped_there(qtbot, window):
    assert window.minimumSize() == QSize(*MIN_SIZE)
    assert window.size() == QSize(*MIN_SIZE)
    found = []
    for i, tab in enumerate(window.tab_widgets):
        window.tabs.setCurrentIndex(i)
        for page in pages(tab):
            qtbot.wait(30)
            found += [f"{window.tabs.tabText(i)} / {page}: {p}" for p in problems_in(tab)]
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_check_catches_a_clipped_label_and_button(qtbot):
    """The rule can fail: a label and a button squeezed below their text are reported."""
    host = QWidget()
    qtbot.addWidget(host)
    label = QLabel("Select a neuron of layer 2 to see its incoming weights", host)
    button = QPushButton("Run to end ▶|", host)
    host.show()
    label.setGeometry(0, 0, 60, 20)
    button.setGeometry(0, 30, 40, 24)
    assert label_problem(label) and button_problem(button)
    label.setWordWrap(True)
    assert label_problem(label)  # 60 px wide and 20 px tall cannot hold it wrapped either
    label.setGeometry(0, 0, 60, 400)
    assert label_problem(label) is None


def where(widget: QWidget) -> tuple:
    top_left = widget.mapTo(widget.window(), QPoint(0, 0))
    return top_left.x(), top_left.y(), widget.width(), widget.height()


def test_controls_keep_their_place_when_texts_change(qtbot, window):
    # Draw tab: the saliency check box, whatever the prediction and its legend say
    draw = window.tab_widgets[0]
    window.tabs.setCurrentIndex(0)
    long_legend = ("<span style='color:#c8281e'>■</span> more ink here raises a<sup>L</sup><sub>8</sub>, "
                   "<span style='color:#1e50c8'>■</span> lowers it; largest |∂a<sup>L</sup><sub>8</sub>/∂x"
                   "<sub>k</sub>| = 0.0123. Computed by <a href='x'>backpropagation</a>.")
    seen = set()
    for legend, caption in (("", "Draw a digit to see the network's guess."),
                            (long_legend, "The network says 8 with activation 0.99; a long caption " * 3),
                            ("short", "7")):
        draw.saliency_legend.setText(legend)
        draw.digit_caption.setText(caption)
        qtbot.wait(30)
        seen.add(where(draw.show_saliency))
    assert len(seen) == 1, seen

    # Playground, Bumps: Least squares and Show as network…, whatever the score says
    play = window.tab_widgets[3]
    window.tabs.setCurrentIndex(3)
    play.views.setCurrentWidget(play.bumps)
    bumps = play.bumps
    texts = ["",
             "<b>Average deviation: <span style='font-size:15pt'>0.38</span></b> (0.3812) "
             "<span style='color:green'>≤ 0.40: success — the book's challenge met!</span>"
             "<br><small>the book's challenge, 5 bumps: mean |σ⁻¹(f(x)) − z(x)| over x = 0, 0.01, …, 0.99</small>",
             "<b>Average deviation: <span style='font-size:15pt'>12.34</span></b> (12.3400) "
             "<span style='color:red'>above 0.40: keep going</span>"
             "<br><small>this target, 20 bumps: mean |σ⁻¹(f(x)) − z(x)| over x = 0, 0.01, …, 0.99</small>"]
    seen = set()
    for text in texts:
        bumps.score_label.setText(text)
        qtbot.wait(30)
        assert label_problem(bumps.score_label) is None  # and the fixed height holds every score text
        seen.add((where(bumps.fit_btn), where(bumps.show_net_btn)))
    assert len(seen) == 1, seen


def test_confusion_counts_are_never_elided(qtbot, window):
    import numpy as np

    train = window.tab_widgets[1]
    window.tabs.setCurrentIndex(1)
    train.bottom.setCurrentIndex(2)
    counts = np.full((10, 10), 88)
    np.fill_diagonal(counts, 1135)
    train.confusion.set_counts(counts)
    qtbot.wait(30)
    table = train.confusion
    need = table.fontMetrics().horizontalAdvance("1135")
    for j in range(10):
        rect = table.visualItemRect(table.item(0, j))
        assert rect.width() >= need + 4, (j, rect.width(), need)
        assert table.viewport().rect().contains(rect), f"column {j} is outside the table"
