"""The Backprop inspector's text model, run on the GUI thread (no Qt needed, none imported).

``steps``, ``equation`` (``equation_for_selection``) and ``fmt`` turn an ``engine.trace.Trace`` into
what the tab shows: the list of steps of the forward and backward pass and, for each step, the book's
equation with the actual numbers substituted for the selected neuron.  Neurons are numbered from 0 (so output neuron j is digit j) and
layers from 1 (the input) to L, as in the book.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import chapter_url
from ...engine.network import Network
from ...engine.trace import Trace
from ...jobs.inspector import SATURATION_THRESHOLD
from ...widgets.numbers import MINUS, times_ten

@dataclass(frozen=True)
class Step:
    """One step of the walk through backprop: ``kind`` is "input", "z", "a", "BP1", "BP2", "BP3", "BP4"."""

    kind: str
    l: int  # the layer it computes (BP3 / BP4: 0 = every layer)
    title: str


def steps(num_layers: int) -> list[Step]:
    """Input; forward z^l then a^l for l = 2..L; BP1 at L; BP2 for l = L−1..2; BP3; BP4."""
    L = num_layers
    out = [Step("input", 1, f"Input: {sym('a', 1)} = x")]
    for l in range(2, L + 1):
        out.append(Step("z", l, f"Forward: weighted input {sym('z', l)} = {sym('w', l)}{sym('a', l - 1)} + {sym('b', l)}"))
        out.append(Step("a", l, f"Forward: activation {sym('a', l)} = σ({sym('z', l)})"))
    out.append(Step("BP1", L, f"BP1: the output error {sym('δ', L)}"))
    for l in range(L - 1, 1, -1):
        out.append(Step("BP2", l, f"BP2: the error {sym('δ', l)} from {sym('δ', l + 1)}, backwards"))
    out.append(Step("BP3", 0, f"BP3: ∂C/∂{sym('b', 'l', 'j')} = {sym('δ', 'l', 'j')} for every layer"))
    out.append(Step("BP4", 0, f"BP4: ∂C/∂{sym('w', 'l', 'jk')} = {sym('a', 'l−1', 'k')}{sym('δ', 'l', 'j')} for every layer"))
    return out


def known(step_list: list[Step], index: int, quantity: str, l: int) -> bool:
    """Has the walk reached the point where ``quantity`` ("z", "a", "sp", "delta", "nabla_w") of layer l
    is computed?  Everything is known at the last step."""
    done = step_list[: index + 1]
    if quantity == "a" and l == 1:
        return True
    if quantity in ("z",):
        return any(s.kind == "z" and s.l == l for s in done)
    if quantity in ("a", "sp"):
        return any(s.kind == "a" and s.l == l for s in done)
    if quantity == "delta":
        return any(s.kind in ("BP1", "BP2") and s.l == l for s in done)
    if quantity == "nabla_b":
        return any(s.kind == "BP3" for s in done)
    if quantity == "nabla_w":
        return any(s.kind == "BP4" for s in done)
    return False


def fmt(v: float) -> str:
    """A number as the tab shows it: 3 decimals, or 3 significant digits × 10ⁿ below 0.01 (as in the
    diagram's circles); a real minus sign."""
    v = float(v)
    if v == 0:
        s = "0.000"
    elif abs(v) >= 1e-2 and abs(v) < 1e5:
        s = f"{v:.3f}"
    else:
        return times_ten(v, 2)
    return s.replace("-", MINUS)


def fmtp(v: float) -> str:
    """fmt in parentheses when negative (for products: 0.5 × (−1.2))."""
    s = fmt(v)
    return f"({s})" if s.startswith(MINUS) else s


def sym(name: str, l: int | str | None = None, sub: str | int | None = None) -> str:
    """HTML for a symbol in the book's notation: sym('w', 3, '12') → w<sup>3</sup><sub>12</sub>."""
    s = name
    if l is not None:
        s += f"<sup>{l}</sup>"
    if sub is not None and sub != "":
        s += f"<sub>{sub}</sub>"
    return s


def _idx(*ij) -> str:
    return ",".join(str(i) for i in ij) if any(i >= 10 for i in ij) else "".join(str(i) for i in ij)


MAX_TERMS = 4  # sums with more terms are shown as Σ over n terms


def equation(net: Network, tr: Trace, step: Step, l: int, j: int, k: int = 0) -> str:
    """The step's equation for neuron j of layer l (and input k for BP4) with the numbers substituted.

    Returns HTML.  For steps tied to one layer (z, a, BP1, BP2) ``l`` must be that layer; BP3/BP4 use
    the given l ≥ 2.
    """
    L = net.num_layers
    if step.kind == "input":
        return f"{sym('a', 1, j)} = {sym('x', None, j)} = <b>{fmt(tr.layer(1).a[j])}</b>"
    lay = tr.layer(l)
    prev = tr.layer(l - 1)
    if step.kind == "z":
        w = net.weights[l - 2][j]
        b = net.biases[l - 2][j]
        lhs = f"{sym('z', l, j)} = Σ<sub>k</sub> {sym('w', l, 'j' + 'k')}{sym('a', l - 1, 'k')} + {sym('b', l, j)}"
        if len(w) <= MAX_TERMS:
            terms = " + ".join(f"{fmtp(w[kk])}×{fmtp(prev.a[kk])}" for kk in range(len(w)))
            mid = f"{terms} + {fmtp(b)}"
        else:
            mid = f"{fmt(float(w @ prev.a))} (sum of {len(w)} terms) + {fmtp(b)}"
        return f"{lhs} = {mid} = <b>{fmt(lay.z[j])}</b>"
    if step.kind == "a":
        name = net.output.name if l == L else net.activation.name
        f = "σ" if name == "sigmoid" else name
        return f"{sym('a', l, j)} = {f}({sym('z', l, j)}) = {f}({fmt(lay.z[j])}) = <b>{fmt(lay.a[j])}</b>"
    if step.kind == "BP1":
        a, y, d = lay.a[j], tr.y[j], lay.delta[j]
        cost, out = net.cost.name, net.output.name
        if (cost, out) in (("cross-entropy", "sigmoid"), ("log-likelihood", "softmax")):
            why = "cross-entropy: σ′ cancels" if cost == "cross-entropy" else "softmax + log-likelihood"
            return (f"{sym('δ', l, j)} = {sym('a', l, j)} − {sym('y', None, j)} = {fmt(a)} − {fmtp(y)} = "
                    f"<b>{fmt(d)}</b> &nbsp;<i>({why})</i>")
        if lay.sigma_prime is None:
            return f"{sym('δ', l, j)} = (∇<sub>a</sub>C ⊙ Jacobian)<sub>{j}</sub> = <b>{fmt(d)}</b>"
        sp = lay.sigma_prime[j]
        if cost == "quadratic":
            return (f"{sym('δ', l, j)} = ({sym('a', l, j)} − {sym('y', None, j)}) σ′({sym('z', l, j)}) = "
                    f"({fmt(a)} − {fmtp(y)}) × {fmtp(sp)} = <b>{fmt(d)}</b>")
        g = float(net.cost.grad_a(np.array([a]), np.array([y]))[0])
        return (f"{sym('δ', l, j)} = ∂C/∂{sym('a', l, j)} σ′({sym('z', l, j)}) = {fmtp(g)} × {fmtp(sp)} = "
                f"<b>{fmt(d)}</b>")
    if step.kind == "BP2":
        nxt = tr.layer(l + 1)
        wcol = net.weights[l - 1][:, j]  # w^{l+1}_{ij} for every i
        s = float(wcol @ nxt.delta)
        sp = lay.sigma_prime[j]
        lhs = f"{sym('δ', l, j)} = (Σ<sub>i</sub> {sym('w', l + 1, 'i' + str(j))}{sym('δ', l + 1, 'i')}) σ′({sym('z', l, j)})"
        if len(wcol) <= MAX_TERMS:
            mid = "(" + " + ".join(f"{fmtp(wcol[i])}×{fmtp(nxt.delta[i])}" for i in range(len(wcol))) + ")"
        else:
            mid = f"({fmt(s)}, sum of {len(wcol)} terms)"
        return f"{lhs} = {mid} × {fmtp(sp)} = <b>{fmt(lay.delta[j])}</b>"
    if step.kind == "BP3":
        return f"∂C/∂{sym('b', l, j)} = {sym('δ', l, j)} = <b>{fmt(lay.nabla_b[j])}</b>"
    if step.kind == "BP4":
        return (f"∂C/∂{sym('w', l, _idx(j, k))} = {sym('a', l - 1, k)} {sym('δ', l, j)} = "
                f"{fmtp(prev.a[k])} × {fmtp(lay.delta[j])} = <b>{fmt(lay.nabla_w[j, k])}</b>")
    raise ValueError(f"unknown step {step.kind!r}")


GREY_NOTE = "<br><span style='color:#777'>({})</span>"


def equation_for_selection(net: Network, tr: Trace, step: Step, sel: tuple) -> str:
    """The step's equation for the selection ``("neuron", l, j)`` or ``("weight", l, j, k)``, as the tab
    shows it: the selected neuron's numbers where the step's equation applies to it (BP4 on a neuron: its
    strongest input k), else neuron 0 of the layer the step computes (BP3 / BP4 on an input: of layer 2),
    with a grey note saying which."""
    kind, l, j = sel[0], sel[1], sel[2]
    if step.kind in ("BP3", "BP4") and l < 2:
        note = GREY_NOTE.format("inputs have no bias or weights: shown for neuron 0 of layer 2")
        return equation_for_selection(net, tr, step, ("neuron", 2, 0)) + note
    if step.kind == "BP4":
        k = sel[3] if kind == "weight" else int(np.argmax(tr.layer(l - 1).a))
        return equation(net, tr, step, l, j, k)
    if step.kind == "BP3":
        return equation(net, tr, step, l, j)
    L = net.num_layers
    fits = {"input": l == 1, "z": l >= 2, "a": l >= 2, "BP1": l == L, "BP2": 2 <= l < L}[step.kind]
    if kind == "neuron" and fits:
        eq = equation(net, tr, step, l, j)
        if l != step.l:
            eq += GREY_NOTE.format(f"the same equation for the neuron you selected; this step computes "
                                   f"layer {step.l}")
        return eq
    return (equation(net, tr, step, step.l, 0)
            + GREY_NOTE.format(f"for neuron 0 of layer {step.l}: click a neuron there"))


# ------------------------------------------------------------------------------ the selection panel
SLOWLY = ("<b>Saturated</b>: σ′(z) = {sp} &lt; {thr}. δ carries the factor σ′(z), so this neuron's bias and "
          "incoming weights learn slowly (BP1–BP4; <a href='{url}#the_four_fundamental_equations_behind_backpropagation'>"
          "chapter 2</a>, and the cure in <a href='{url3}'>chapter 3</a>).")


def selection_details(net: Network, tr: Trace, sel: tuple, step_list: list[Step], idx: int):
    """What the selection panel shows for ``sel`` at step ``idx``: (heading, table rows HTML, a
    "learns slowly" note or "", the numbers shown by name).  Values not yet computed at this step are
    marked "(later step)"."""
    L = net.num_layers
    rows, flag = [], ""
    values: dict[str, float] = {}

    def row(key, html_name, value, quantity, l):
        values[key] = float(value)
        later = not known(step_list, idx, quantity, l)
        text = fmt(value) + (" <span style='color:#999'>(later step)</span>" if later else "")
        rows.append(f"<tr><td>{html_name}</td><td align='right'>&nbsp;{text}</td></tr>")

    if sel[0] == "neuron":
        _, l, j = sel
        lay = tr.layer(l)
        where = "input" if l == 1 else ("output" if l == L else "hidden")
        head = f"Neuron j = {j} of layer l = {l} ({where})"
        if l == 1:
            row("a", f"a<sup>1</sup><sub>{j}</sub> = x<sub>{j}</sub>", lay.a[j], "a", 1)
        else:
            row("z", sym("z", l, j), lay.z[j], "z", l)
            row("a", sym("a", l, j), lay.a[j], "a", l)
            if lay.sigma_prime is not None:
                row("sigma_prime", f"σ′({sym('z', l, j)})", lay.sigma_prime[j], "sp", l)
            row("delta", sym("δ", l, j), lay.delta[j], "delta", l)
            row("nabla_b", f"∂C/∂{sym('b', l, j)} = {sym('δ', l, j)}", lay.nabla_b[j], "nabla_b", l)
            if l == L:
                row("y", f"y<sub>{j}</sub>", tr.y[j], "a", 1)
            if lay.sigma_prime is not None and lay.sigma_prime[j] < SATURATION_THRESHOLD:
                flag = SLOWLY.format(sp=fmt(lay.sigma_prime[j]), thr=SATURATION_THRESHOLD,
                                     url=chapter_url(2), url3=chapter_url(3))
    else:
        _, l, j, k = sel
        lay, prev = tr.layer(l), tr.layer(l - 1)
        head = f"Weight {sym('w', l, f'{j},{k}')}: from neuron k = {k} of layer {l - 1} to neuron j = {j} of layer {l}"
        row("w", sym("w", l, f"{j},{k}"), net.weights[l - 2][j, k], "a", 1)
        row("a_in", f"a<sub>in</sub> = {sym('a', l - 1, k)}", prev.a[k], "a", l - 1)
        row("delta_out", f"δ<sub>out</sub> = {sym('δ', l, j)}", lay.delta[j], "delta", l)
        row("nabla_w", "∂C/∂w = a<sub>in</sub> δ<sub>out</sub>", lay.nabla_w[j, k], "nabla_w", l)
        notes = []
        if abs(prev.a[k]) < SATURATION_THRESHOLD:
            notes.append("its input activation a<sub>in</sub> is low, so ∂C/∂w = a<sub>in</sub>δ<sub>out</sub> is "
                         "small: this weight learns slowly")
        if lay.sigma_prime is not None and lay.sigma_prime[j] < SATURATION_THRESHOLD:
            notes.append(f"its output neuron is saturated (σ′(z) = {fmt(lay.sigma_prime[j])}), so δ<sub>out</sub> "
                         "is small: this weight learns slowly")
        if notes:
            flag = "<b>Learns slowly</b>: " + "; ".join(notes) + f" (<a href='{chapter_url(2)}'>chapter 2</a>)."
    return head, "".join(rows), flag, values
