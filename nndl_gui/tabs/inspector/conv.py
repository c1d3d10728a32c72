"""The Backprop inspector's view of a chapter-6 convolutional network.

Click a unit of a feature map: its 5×5 local receptive field lights up on the layer's input, and the
panel shows the shared weights and bias it uses, its z, a and δ.  Step through the forward pass and
back: how δ is routed through max-pooling (only the unit that won gets it) and spread back through the
shared weights, with the numbers substituted as the fully connected view does for BP1–BP4.  The gradient
check compares the selected shared weight (or a sample of the whole network) with finite differences.

Everything shown comes from one ``jobs.inspector.ConvInspection`` (``engine.convtrace``) computed on the
worker; this module only formats and draws it.  ``values`` holds the numbers on screen (tests read it).
Chapter 6: http://neuralnetworksanddeeplearning.com/chap6.html
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from ... import chapter_url
from ...engine.convtrace import ConvLayerTrace, sigma_prime
from ...jobs import inspector as ij
from .common import column, error_html, rich_label
from .equations import fmt, fmtp, sym

STEPS = (
    "Forward: z = the shared weights × the 5×5 local receptive field",
    "Forward: max-pooling, then a = σ(max z + b)",
    "BP1: the output error δᴸ = aᴸ − y",
    "Back to this map: ∂C/∂a from the layer above, δ = ∂C/∂a ⊙ σ′",
    "Through max-pooling: δ goes to the unit that won",
    "BP3 and BP4 with shared weights: sums over every position",
    "BP2 through the convolution: δ spread back through the shared weights",
)


def is_conv(net) -> bool:
    return hasattr(net, "layers") and any(getattr(l, "kind", "") == "conv" for l in net.layers)


class ClickableImage(pg.ImageItem):
    """An ImageItem that reports clicks in image coordinates (row, column)."""

    clicked = Signal(int, int)

    def mouseClickEvent(self, ev):  # noqa: N802 (Qt's name)
        pos = ev.pos()
        self.clicked.emit(int(np.floor(pos.y())), int(np.floor(pos.x())))
        ev.accept()


def _grey_lut() -> np.ndarray:
    v = np.linspace(255, 0, 256).astype(np.uint8)
    return np.stack([v, v, v], axis=1)


def _table(m: np.ndarray, mark: tuple | None = None, title: str = "") -> str:
    rows = []
    for r in range(m.shape[0]):
        cells = []
        for c in range(m.shape[1]):
            style = " style='background:#ffd7a8'" if mark == (r, c) else ""
            cells.append(f"<td align='right'{style}>{fmt(m[r, c])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<tr><th colspan='{m.shape[1]}'>{title}</th></tr>" if title else ""
    return f"<table cellspacing='0' cellpadding='2' style='font-size:small'>{cap}{''.join(rows)}</table>"


def _side_by_side(*tables: str) -> str:
    return "<table><tr>" + "".join(f"<td valign='top'>{t}</td>" for t in tables) + "</tr></table>"


class ConvView(QWidget):
    """Feature maps to click, the step-by-step equations, and the gradient check, for a ConvNet."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.inspection: ij.ConvInspection | None = None
        self.layer = 0  # index of the conv layer in the trace
        self.j = 0  # feature map (filter)
        self.c = 0  # input map shown under the receptive field
        self.unit = (0, 0)  # (y, x) in the conv map (before pooling)
        self.uv = (2, 2)  # the shared weight w[j, c, u, v] the gradient check and BP4 line pick
        self.step = 0
        self.values: dict[str, float] = {}

        root = column(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Conv layer:"))
        self.layer_combo = QComboBox()
        self.layer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_combo.activated.connect(self._on_layer)
        row.addWidget(self.layer_combo)
        row.addWidget(QLabel("feature map j:"))
        self.map_spin = QSpinBox()
        self.map_spin.valueChanged.connect(self._on_map)
        row.addWidget(self.map_spin)
        self.channel_label = QLabel("input map c:")
        row.addWidget(self.channel_label)
        self.channel_spin = QSpinBox()
        self.channel_spin.valueChanged.connect(self._on_channel)
        row.addWidget(self.channel_spin)
        row.addStretch(1)
        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.clicked.connect(lambda: self.go(self.step - 1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.clicked.connect(lambda: self.go(self.step + 1))
        row.addWidget(self.prev_button)
        row.addWidget(self.next_button)
        root.addLayout(row)

        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setMinimumHeight(220)
        self.views, self.images, self.titles = [], [], []
        for col, title in enumerate(("input under the receptive field", "feature map σ(z + b) — click a unit",
                                     "after max-pooling: a")):
            self.titles.append(self.plot.addLabel(title, row=0, col=col, size="9pt"))
            view = self.plot.addViewBox(row=1, col=col, lockAspect=True, enableMouse=False, enableMenu=False,
                                        invertY=True)
            image = ClickableImage(np.zeros((2, 2), np.float32))
            image.setLookupTable(_grey_lut())
            view.addItem(image)
            self.views.append(view)
            self.images.append(image)
        self.images[1].clicked.connect(self.select_unit)
        self.images[2].clicked.connect(lambda i, i2: self.select_window(i, i2))
        self.images[0].clicked.connect(self._on_input_click)
        self.field_rect = self._rect(self.views[0], (220, 30, 30))
        self.unit_rect = self._rect(self.views[1], (220, 30, 30))
        self.window_rect = self._rect(self.views[1], (30, 90, 220))
        self.pool_rect = self._rect(self.views[2], (30, 90, 220))
        self.weight_rect = self._rect(self.views[0], (240, 160, 0))
        root.addWidget(self.plot, 2)

        self.step_label = rich_label()
        root.addWidget(self.step_label)
        self.text = rich_label()
        self.text.setStyleSheet("QLabel { background: #fff8dc; padding: 6px; border: 1px solid #e0d090; }")
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        root.addWidget(self.text, 3)

        check = QHBoxLayout()
        self.check_one_button = QPushButton("Check the selected shared weight")
        self.check_one_button.clicked.connect(self.check_selected)
        self.check_all_button = QPushButton("Check the whole network")
        self.check_all_button.setToolTip(f"A random sample of {ij.MAX_CHECKED} parameters against finite differences.")
        self.check_all_button.clicked.connect(self.check_network)
        check.addWidget(self.check_one_button)
        check.addWidget(self.check_all_button)
        self.check_label = rich_label()
        check.addWidget(self.check_label, 1)
        root.addLayout(check)

    @staticmethod
    def _rect(view, colour):
        r = pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1)
        r.setPen(pg.mkPen(*colour, width=2, cosmetic=True))
        r.setZValue(10)
        view.addItem(r)
        return r

    # ------------------------------------------------------------------ what is shown
    @property
    def conv_layers(self) -> list[int]:
        if self.inspection is None:
            return []
        return [i for i, lt in enumerate(self.inspection.trace.layers) if isinstance(lt, ConvLayerTrace)]

    def lt(self) -> ConvLayerTrace:
        return self.inspection.trace.layers[self.layer]

    def show_inspection(self, insp: ij.ConvInspection) -> None:
        first = self.inspection is None or self.inspection.network is not insp.network
        self.inspection = insp
        convs = self.conv_layers
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for n, i in enumerate(convs):
            lt = insp.trace.layers[i]
            self.layer_combo.addItem(f"{n + 1}: {lt.w.shape[0]} maps, {lt.size}×{lt.size} filters, "
                                     f"pool {lt.pool}", i)
        if self.layer not in convs or first:
            self.layer = convs[0]
        self.layer_combo.setCurrentIndex(convs.index(self.layer))
        self.layer_combo.blockSignals(False)
        self._limits(keep=not first)
        if first:
            self._default_unit()
        self.refresh()

    def _limits(self, keep: bool = True) -> None:
        lt = self.lt()
        f, c = lt.w.shape[:2]
        for spin, n, value in ((self.map_spin, f, self.j), (self.channel_spin, c, self.c)):
            spin.blockSignals(True)
            spin.setRange(0, n - 1)
            spin.setValue(min(value, n - 1) if keep else 0)
            spin.blockSignals(False)
        self.j, self.c = self.map_spin.value(), self.channel_spin.value()
        self.channel_label.setVisible(c > 1)
        self.channel_spin.setVisible(c > 1)

    def _default_unit(self) -> None:
        """The winner of the map's most active pooling window."""
        lt = self.lt()
        i, i2 = np.unravel_index(int(np.argmax(lt.a[self.j])), lt.a[self.j].shape)
        self.unit = lt.winner_position(self.j, int(i), int(i2))

    def _on_layer(self, index: int) -> None:
        self.layer = self.layer_combo.itemData(index)
        self._limits(keep=False)
        self._default_unit()
        self.refresh()

    def _on_map(self, j: int) -> None:
        self.j = j
        self._default_unit()
        self.refresh()

    def _on_channel(self, c: int) -> None:
        self.c = c
        self.refresh()

    def select_unit(self, y: int, x: int) -> None:
        """A unit (y, x) of the conv map (clicks on the feature map)."""
        if self.inspection is None:
            return
        lt = self.lt()
        H, W = lt.a.shape[1:]
        p = lt.pool
        self.unit = (int(np.clip(y, 0, H * p - 1)), int(np.clip(x, 0, W * p - 1)))
        self.refresh()

    def select_window(self, i: int, i2: int) -> None:
        """A pooled unit: its window's winner is selected."""
        if self.inspection is None:
            return
        H, W = self.lt().a.shape[1:]
        self.unit = self.lt().winner_position(self.j, int(np.clip(i, 0, H - 1)), int(np.clip(i2, 0, W - 1)))
        self.refresh()

    def _on_input_click(self, r: int, col: int) -> None:
        y, x = self.unit
        k = self.lt().size
        if y <= r < y + k and x <= col < x + k:
            self.uv = (r - y, col - x)
            self.refresh()

    def go(self, step: int) -> None:
        self.step = int(np.clip(step, 0, len(STEPS) - 1))
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        if self.inspection is None:
            return
        lt = self.lt()
        j, c, p, k = self.j, self.c, lt.pool, lt.size
        y, x = self.unit
        i, i2 = y // p, x // p
        u, v = self.uv = (min(self.uv[0], k - 1), min(self.uv[1], k - 1))
        fmap = lt.feature_map(j)
        for image, data in zip(self.images, (lt.x[c], fmap, lt.a[j])):
            lo, hi = float(np.min(data)), float(np.max(data))
            image.setImage(np.asarray(data, np.float32), levels=(lo, hi if hi > lo else lo + 1), autoLevels=False)
        for view, data in zip(self.views, (lt.x[c], fmap, lt.a[j])):
            view.setRange(xRange=(0, data.shape[1]), yRange=(0, data.shape[0]), padding=0.02)
        self.field_rect.setRect(QRectF(x, y, k, k))
        self.weight_rect.setRect(QRectF(x + v, y + u, 1, 1))
        self.unit_rect.setRect(QRectF(x, y, 1, 1))
        self.window_rect.setRect(QRectF(i2 * p, i * p, p, p))
        self.pool_rect.setRect(QRectF(i2, i, 1, 1))
        self.step_label.setText(f"<b>Step {self.step + 1} of {len(STEPS)}</b>: {STEPS[self.step]} &nbsp; "
                                f'<a href="{chapter_url(6)}#convolutional_neural_networks">chapter 6</a>')
        self.prev_button.setEnabled(self.step > 0)
        self.next_button.setEnabled(self.step < len(STEPS) - 1)
        self.text.setText(self._equation(lt, j, c, y, x, i, i2, u, v))

    def _equation(self, lt: ConvLayerTrace, j, c, y, x, i, i2, u, v) -> str:
        t = self.inspection.trace
        k, p = lt.size, lt.pool
        l = lt.index + 2  # the book's layer number: the input is layer 1
        n_in = lt.x.shape[0]
        patch = lt.patch(j, y, x)  # (c, k, k)
        w = lt.w[j]
        wy, wx = lt.winner_position(j, i, i2)
        sp = float(sigma_prime(lt.activation, lt.a[j, i, i2]))
        V = self.values = {
            "z": float(lt.z[j, y, x]), "b": float(lt.b[j]), "pooled": float(lt.pooled[j, i, i2]),
            "a": float(lt.a[j, i, i2]), "grad_a": float(lt.grad_a[j, i, i2]), "sp": sp,
            "delta": float(lt.delta[j, i, i2]), "delta_z": float(lt.delta_z[j, y, x]),
            "grad_b": float(lt.grad_b[j]), "grad_w": float(lt.grad_w[j, c, u, v]),
            "share_w": float(lt.delta_z[j, y, x] * lt.x[c, y + u, x + v]),
            "spread": float(lt.delta_z[j, y, x] * w[c, u, v]), "grad_x": float(lt.grad_x[c, y + u, x + v]),
            "w": float(w[c, u, v]), "cost": t.cost,
        }
        where = f"unit ({y}, {x}) of feature map {j} in conv layer {self.layer_combo.currentIndex() + 1} (l = {l})"
        if self.step == 0:
            part = float(np.sum(w[c] * patch[c]))
            maps = (f"<br>Σ over the {n_in} input maps: z = <b>{fmt(V['z'])}</b> (input map {c}: {fmt(part)})"
                    if n_in > 1 else f" = <b>{fmt(V['z'])}</b>")
            return (f"{where}<br>z<sub>{y},{x}</sub> = Σ<sub>u,v</sub> w<sub>{j},u,v</sub> · x<sub>{y}+u, {x}+v</sub>"
                    f"{maps}<br>"
                    + _side_by_side(_table(patch[c], (u, v), f"local receptive field x (input map {c})"),
                                    _table(w[c], (u, v), f"shared weights w of map {j}"))
                    + f"The same {k}×{k} weights (and bias b = {fmt(V['b'])}) are used at every position of map {j}.")
        if self.step == 1:
            window = lt.z[j, i * p:(i + 1) * p, i2 * p:(i2 + 1) * p]
            return (f"Pooling window ({i}, {i2}) of map {j}: the {p}×{p} values of z"
                    + _table(window, (wy - i * p, wx - i2 * p))
                    + f"max = <b>{fmt(V['pooled'])}</b> (unit ({wy}, {wx}) won"
                    + ("" if (wy, wx) == (y, x) else "; the selected unit did not")
                    + f")<br>a = σ(max z + b) = {lt.activation}({fmt(V['pooled'])} + {fmtp(V['b'])}) = "
                    f"<b>{fmt(V['a'])}</b>")
        if self.step == 2:
            out, delta_L = t.output, t.layers[-1].delta
            cells = "".join(f"<tr><td>{d}</td><td align='right'>{fmt(out[d])}</td>"
                            f"<td align='right'>{int(d == t.label)}</td>"
                            f"<td align='right'><b>{fmt(delta_L[d])}</b></td></tr>" for d in range(out.size))
            return (f"Softmax output with the log-likelihood cost C = −ln a<sup>L</sup><sub>{t.label}</sub> = "
                    f"{fmt(t.cost)}: BP1 gives {sym('δ', 'L')} = {sym('a', 'L')} − y"
                    "<table cellspacing='0' cellpadding='2' style='font-size:small'><tr><th>j</th>"
                    "<th>a<sup>L</sup><sub>j</sub></th><th>y<sub>j</sub></th><th>δ<sup>L</sup><sub>j</sub></th></tr>"
                    f"{cells}</table>")
        if self.step == 3:
            return (f"Pooled unit ({i}, {i2}) of map {j}: from the layer above (BP2's first half, "
                    f"(w<sup>{l + 1}</sup>)<sup>T</sup>δ<sup>{l + 1}</sup>) ∂C/∂a = <b>{fmt(V['grad_a'])}</b><br>"
                    f"δ = ∂C/∂a · σ′ = {fmt(V['grad_a'])} × {fmtp(sp)} = <b>{fmt(V['delta'])}</b> "
                    f"(σ′ from a = {fmt(V['a'])}, {lt.activation})")
        if self.step == 4:
            window = lt.delta_z[j, i * p:(i + 1) * p, i2 * p:(i2 + 1) * p]
            return (f"Max-pooling passed on only the largest z of window ({i}, {i2}), so only that unit "
                    f"({wy}, {wx}) affects C: it gets δ = {fmt(V['delta'])}, the other {p * p - 1} get 0."
                    + _table(window, (wy - i * p, wx - i2 * p), "δ of the conv units in the window")
                    + f"The selected unit ({y}, {x}) has δ = <b>{fmt(V['delta_z'])}</b>.")
        if self.step == 5:
            H, W = lt.a.shape[1:]
            return (f"BP3, shared bias: b<sub>{j}</sub> is used by all {H}×{W} pooled units of map {j}, so "
                    f"∂C/∂b<sub>{j}</sub> = Σ δ = <b>{fmt(V['grad_b'])}</b><br>"
                    f"BP4, shared weights: w<sub>{j},{c},{u},{v}</sub> multiplies input ({y}+{u}, {x}+{v}) at "
                    f"unit ({y}, {x}) and the same offset at every other unit, so ∂C/∂w = Σ<sub>units</sub> "
                    f"δ<sub>unit</sub> · x<sub>unit + ({u},{v})</sub> = <b>{fmt(V['grad_w'])}</b>; this unit adds "
                    f"{fmt(V['delta_z'])} × {fmtp(float(lt.x[c, y + u, x + v]))} = {fmt(V['share_w'])}"
                    + _table(lt.grad_w[j, c], (u, v), f"∂C/∂w for the shared weights of map {j} (input map {c})"))
        spread = lt.delta_z[j, y, x] * w[c]
        what = "the input pixel" if lt.index == 0 else f"unit of input map {c}"
        return (f"BP2 through the convolution: unit ({y}, {x})'s δ = {fmt(V['delta_z'])} goes back to each "
                f"pixel of its receptive field through the weight that joined them: δ · w<sub>{j},{c},u,v</sub>"
                + _table(spread, (u, v), "δ · w, to x at (y+u, x+v)")
                + f"∂C/∂x of {what} ({y + u}, {x + v}) sums such shares from every unit and map that sees it: "
                f"<b>{fmt(V['grad_x'])}</b> (this unit's share: {fmt(V['spread'])})")

    # ------------------------------------------------------------------ gradient check
    def _checked(self):
        if self.inspection is None:
            self.ctx.error("Nothing to check", "Choose a network and an example first.")
            return None
        t = self.inspection.trace
        return self.inspection.network, t.x, t.label

    def check_selected(self) -> None:
        got = self._checked()
        if got is None:
            return
        net, x, label = got
        index = (self.j, self.c) + tuple(self.uv)
        self.check_label.setText("Checking…")
        self.ctx.client.run_task(ij.check_conv_parameter_task, net, x, label, self.layer, "w", index,
                                 on_result=self._on_param_check,
                                 on_error=lambda m: self.check_label.setText(error_html(m)))

    def _on_param_check(self, pc: ij.ConvParameterCheck) -> None:
        self.values["check_backprop"], self.values["check_numerical"] = pc.backprop, pc.numerical
        j, c, u, v = pc.index
        self.check_label.setText(
            f"∂C/∂w<sub>{j},{c},{u},{v}</sub>: backprop {pc.backprop:.10g}, finite differences "
            f"{pc.numerical:.10g}, relative error <b>{pc.relative_error:.1e}</b>")

    def check_network(self) -> None:
        got = self._checked()
        if got is None:
            return
        self.check_label.setText("Checking…")
        self.check_all_button.setEnabled(False)

        def done(res):
            self.check_all_button.setEnabled(True)
            self.values["check_network"] = res.relative_error
            self.check_label.setText(
                f"{res.n_checked} of {res.n_parameters:,} parameters: relative error "
                "‖∇<sub>bp</sub> − ∇<sub>fd</sub>‖ / (‖∇<sub>bp</sub>‖ + ‖∇<sub>fd</sub>‖) = "
                f"<b>{res.relative_error:.1e}</b>, "
                f"largest single {res.max_relative_error:.1e}")

        def failed(message):
            self.check_all_button.setEnabled(True)
            self.check_label.setText(error_html(message))

        self.ctx.client.run_task(ij.check_conv_network_task, *got, on_result=done, on_error=failed)
