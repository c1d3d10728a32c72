"""The Backprop inspector tab: every number it shows is the engine's trace, computed on the worker."""

import re

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from nndl_gui.jobs import inspector as ij  # noqa: E402
from nndl_gui.tabs.inspector import equations as eqn  # noqa: E402
from nndl_gui.appcontext import AppContext, DataManager  # noqa: E402
from nndl_gui.engine.network import Network  # noqa: E402
from nndl_gui.settings import TabSettings  # noqa: E402
from nndl_gui.engine.trace import nudged_cost, trace  # noqa: E402
from nndl_gui.client import EngineClient  # noqa: E402


@pytest.fixture
def ctx(qtbot, tmp_path):
    client = EngineClient()
    errors = []
    c = AppContext(client, DataManager(client), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                   lambda text: None, lambda title, text: errors.append((title, text)))
    c.errors = errors
    yield c
    assert client.shutdown()


@pytest.fixture
def tab(qtbot, ctx):
    from nndl_gui.tabs.inspector.tab import InspectorTab

    t = InspectorTab(ctx)
    qtbot.addWidget(t)
    t.resize(1280, 780)
    t.show()
    assert qtbot.waitUntil(lambda: t.inspection is not None, timeout=5000) is None
    yield t
    t.shutdown()


def choose(qtbot, tab, data, cost_index=0):
    tab.chooser.cost_combo.setCurrentIndex(cost_index)
    i = tab.chooser.network_combo.findData(data)
    tab.chooser.network_combo.setCurrentIndex(i)
    tab.chooser.choose_network(i)
    sizes = [int(n) for n in data.split(",")] if "," in data else None
    qtbot.waitUntil(lambda: tab.inspection is not None and tab._latest.idle
                    and (sizes is None or tab.inspection.network.sizes == sizes), timeout=5000)


def number(text):
    mant, _, exp = text.replace(eqn.MINUS, "-").partition("×10")
    return float(mant) * 10.0 ** int(exp.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")) or 0)


def expected_result(step, sel, ref, net):
    """The trace number the step's equation must end with, by the rule the tab states on screen."""
    L = net.num_layers
    _, l, j = sel[:3]
    if step.kind in ("BP3", "BP4"):
        if l < 2:
            l, j = 2, 0
        if step.kind == "BP3":
            return ref.layer(l).nabla_b[j]
        k = sel[3] if sel[0] == "weight" else int(np.argmax(ref.layer(l - 1).a))
        return ref.layer(l).nabla_w[j, k]
    fits = {"input": l == 1, "z": l >= 2, "a": l >= 2, "BP1": l == L, "BP2": 2 <= l < L}[step.kind]
    if not fits:
        l, j = step.l, 0
    attr = {"input": "a", "z": "z", "a": "a", "BP1": "delta", "BP2": "delta"}[step.kind]
    return getattr(ref.layer(l), attr)[j]


def reference(tab):
    """The engine's trace computed here, independently of the tab and the worker."""
    insp = tab.inspection
    return trace(insp.network, insp.trace.x, insp.trace.y)


@pytest.mark.parametrize("sizes,cost_index", [("2,3,2", 0), ("2,3,3,2", 1)])
def test_every_number_shown_equals_the_engine_trace(qtbot, tab, sizes, cost_index):
    choose(qtbot, tab, sizes, cost_index)
    ref = reference(tab)
    net = tab.inspection.network
    L = net.num_layers
    attr = {"z": "z", "a": "a", "sp": "sigma_prime", "delta": "delta"}
    for step in range(len(tab.steps)):
        tab._go(step)
        for l in range(1, L + 1):
            for j in range(net.sizes[l - 1]):
                tab.select(("neuron", l, j))
                lay = ref.layer(l)
                expect = {"a": lay.a[j]} if l == 1 else {
                    "z": lay.z[j], "a": lay.a[j], "sigma_prime": lay.sigma_prime[j], "delta": lay.delta[j],
                    "nabla_b": lay.nabla_b[j]}
                if l == L:
                    expect["y"] = ref.y[j]
                assert tab.detail_values == pytest.approx(expect, rel=0, abs=0)
                text = tab.detail_label.text()
                for v in expect.values():
                    assert eqn.fmt(v) in text
                # the equation's result is the trace's number for this step
                eq = tab.equation_label.text()
                bold = re.search(r"<b>([^<]+)</b>", eq)
                assert bold is not None
                assert bold.group(1) == eqn.fmt(expected_result(tab.steps[step], ("neuron", l, j), ref, net))
        # the diagram's circles: the chosen quantity from the trace, or "?" when not computed yet
        for q, a in attr.items():
            tab.quantity_combo.setCurrentIndex(tab.quantity_combo.findData(q))
            shown = tab.diagram.displayed_values()
            for (l, j), v in shown.items():
                known = l == 1 and q == "a" or eqn.known(tab.steps, step, q, l)
                if l == 1 and not (q == "a"):
                    assert v == ref.layer(1).a[j]  # input circles show x
                elif known:
                    assert v == getattr(ref.layer(l), a)[j]
                else:
                    assert v is None
    # weights: ∂C/∂w = a_in δ_out
    for l in range(2, L + 1):
        for j in range(net.sizes[l - 1]):
            for k in range(net.sizes[l - 2]):
                tab.select(("weight", l, j, k))
                assert tab.detail_values == {
                    "w": net.weights[l - 2][j, k], "a_in": ref.layer(l - 1).a[k],
                    "delta_out": ref.layer(l).delta[j], "nabla_w": ref.layer(l).nabla_w[j, k]}


def test_equation_substitutes_the_selected_neurons_numbers(qtbot, tab):
    choose(qtbot, tab, "2,3,2")
    ref = reference(tab)
    bp1 = [i for i, s in enumerate(tab.steps) if s.kind == "BP1"][0]
    tab._go(bp1)
    tab.select(("neuron", 3, 1))
    eq = tab.equation_label.text()
    lay = ref.layer(3)
    assert "BP1" in tab.step_label.text()
    assert f"({eqn.fmt(lay.a[1])} − {eqn.fmtp(ref.y[1])}) × {eqn.fmtp(lay.sigma_prime[1])} = <b>{eqn.fmt(lay.delta[1])}</b>" in eq
    # the diagram highlights the layer BP1 computes and colours by δ, known only at the output so far
    assert tab.diagram.highlight_layers == (3,)
    assert tab.quantity_combo.currentData() == "delta"
    vals = tab.diagram.displayed_values()
    assert vals[(3, 1)] == lay.delta[1] and vals[(2, 0)] is None


def test_next_previous_end_and_keyboard(qtbot, tab):
    n = len(tab.steps)
    tab.go_to_start()
    assert tab.step_index == 0 and not tab.prev_button.isEnabled()
    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    assert tab.step_index == 1 and tab.steps[1].kind == "z"
    tab.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_Right)
    assert tab.step_index == 2
    qtbot.keyClick(tab, Qt.Key.Key_Left)
    assert tab.step_index == 1
    qtbot.mouseClick(tab.end_button, Qt.MouseButton.LeftButton)
    assert tab.step_index == n - 1 and not tab.next_button.isEnabled()
    tab.next_step()
    assert tab.step_index == n - 1


def test_clicking_the_diagram_selects_neurons_and_weights(qtbot, tab):
    choose(qtbot, tab, "2,3,2")
    d = tab.diagram
    pos, r, *_ = d._layout()
    qtbot.mouseClick(d, Qt.MouseButton.LeftButton, pos=pos[(2, 1)].toPoint())
    assert tab.selection == ("neuron", 2, 1)
    a, b = pos[(2, 2)], pos[(3, 0)]
    mid = (a * 0.5 + b * 0.5).toPoint()
    assert d.hit(a * 0.5 + b * 0.5) == ("weight", 3, 0, 2)
    qtbot.mouseClick(d, Qt.MouseButton.LeftButton, pos=mid)
    assert tab.selection == ("weight", 3, 0, 2)


def test_editing_a_weight_updates_a_cost_and_every_delta(qtbot, tab):
    choose(qtbot, tab, "2,3,3,2")
    before = tab.inspection
    tab.select(("weight", 2, 1, 0))
    tab.edit_page.edit_spin.setValue(4.25)
    qtbot.mouseClick(tab.edit_page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.inspection is not before and tab._latest.idle, timeout=5000)
    expected_net = before.network.copy()
    expected_net.weights[0][1, 0] = 4.25
    ref = trace(expected_net, before.trace.x, before.trace.y)
    now = tab.inspection.trace
    assert tab.inspection.network.weights[0][1, 0] == 4.25
    assert before.network.weights[0][1, 0] != 4.25  # the old network was not mutated
    assert now.cost == ref.cost != before.trace.cost
    for l in range(2, 5):
        np.testing.assert_array_equal(now.layer(l).a, ref.layer(l).a)
        np.testing.assert_array_equal(now.layer(l).delta, ref.layer(l).delta)
    assert eqn.fmt(ref.cost) in tab.cost_label.text()
    # a second edit builds on the first
    tab.select(("neuron", 3, 0))
    tab.edit_page.edit_spin.setValue(-1.5)
    tab.edit_page.apply_edit()
    qtbot.waitUntil(lambda: tab.inspection.network.biases[1][0] == -1.5, timeout=5000)
    assert tab.inspection.network.weights[0][1, 0] == 4.25


def test_gradient_checks_in_the_tab(qtbot, tab):
    choose(qtbot, tab, "2,3,2")
    tab.select(("weight", 3, 1, 2))
    tab.check_page.check_selected()
    qtbot.waitUntil(lambda: "relative error" in tab.check_page.check_label.text(), timeout=5000)
    text = tab.check_page.check_label.text()
    bp = tab.inspection.trace.layer(3).nabla_w[1, 2]
    assert f"{bp:.10g}" in text and "2 forward passes" in text
    err = float(re.search(r"relative error</td><td align='right'>&nbsp;([0-9.e+-]+)", text).group(1))
    assert err < 1e-7
    tab.check_page.check_network()
    qtbot.waitUntil(lambda: "Checked" in tab.check_page.check_label.text(), timeout=5000)
    assert "every parameter" in tab.check_page.check_label.text() and "34" in tab.check_page.check_label.text()


def test_the_demon(qtbot, tab):
    choose(qtbot, tab, "2,3,2")
    tab.tools.setCurrentIndex(1)
    tab.select(("neuron", 2, 1))
    tab.demon_page.demon_slider.setValue(-40)
    qtbot.waitUntil(lambda: tab.demon_page.demon_result is not None and tab.demon_page.demon_result.dz == -0.4
                    and tab.demon_page.demon_result.j == 1, timeout=5000)
    res = tab.demon_page.demon_result
    insp = tab.inspection
    assert res.nudged_cost == nudged_cost(insp.network, insp.trace.x, insp.trace.y, 2, 1, -0.4)
    assert res.delta == insp.trace.layer(2).delta[1]
    assert eqn.fmt(res.actual_change) in tab.demon_page.demon_label.text()
    assert eqn.fmt(res.delta * -0.4) in tab.demon_page.demon_label.text()


def test_draw_tab_input_and_bad_typed_input(qtbot, ctx, tab):
    choose(qtbot, tab, "2,3,2")
    tab.chooser.x_edit.setText("1, 2, 3")
    tab.chooser.example_changed()
    assert "needs 2 numbers" in tab.chooser.example_note.text()
    tab.chooser.x_edit.setText("oops")
    tab.chooser.example_changed()
    assert "separated by commas" in tab.chooser.example_note.text()
    x = np.random.default_rng(0).random(784).astype(np.float32)
    # unknown label while the target box still holds the small net's "1, 0": falls back to digit 0
    ctx.signals.sendToInspector.emit(x, -1, "drawn digit")
    qtbot.waitUntil(lambda: tab.inspection is not None and tab.inspection.network.sizes[0] == 784
                    and tab._latest.idle, timeout=5000)
    np.testing.assert_array_equal(tab.inspection.trace.y, np.eye(10)[0])
    assert "label unknown" in tab.chooser.example_note.text()
    ctx.signals.sendToInspector.emit(x, 3, "drawn digit")
    qtbot.waitUntil(lambda: tab.inspection.trace.y[3] == 1.0 and tab._latest.idle, timeout=5000)
    qtbot.waitUntil(lambda: tab.inspection is not None and tab.inspection.network.sizes[0] == 784
                    and tab._latest.idle, timeout=5000)
    tr = tab.inspection.trace
    np.testing.assert_array_equal(tr.x, x.astype(np.float64))
    np.testing.assert_array_equal(tr.y, np.eye(10)[3])
    assert tab.diagram.shown(1) == 0  # 784 inputs: an image, not circles
    assert tab.diagram.capped_note(2) == "" and tab.diagram.shown(2) == 30


def test_shared_network_is_traced_in_float64_and_never_changed(qtbot, ctx, tab):
    net = Network([3, 4, 2], rng=5)  # float32, as the trainer makes
    ctx.client.set_network(net, "tiny shared", "test")
    qtbot.waitUntil(lambda: ctx.client.shared_network is not None, timeout=5000)
    i = tab.chooser.network_combo.findData("shared")
    tab.chooser.network_combo.setCurrentIndex(i)
    tab.chooser.choose_network(i)
    qtbot.waitUntil(lambda: tab.inspection.network.sizes == [3, 4, 2] and tab._latest.idle, timeout=5000)
    shared = ctx.client.shared_network.network
    ref = trace(shared.copy(np.float64), tab.inspection.trace.x, tab.inspection.trace.y)
    assert tab.inspection.trace.cost == ref.cost
    tab.select(("neuron", 2, 0))
    tab.edit_page.edit_spin.setValue(9.0)
    tab.edit_page.apply_edit()
    qtbot.waitUntil(lambda: tab.inspection.network.biases[0][0] == 9.0, timeout=5000)
    assert shared.biases[0][0] != 9.0
    assert "edited" in tab.chooser.example_note.text()


def test_saturation_demo_runs_on_the_worker(qtbot, tab):
    tab.saturation_page.saturation_pace = 0.0
    tab.saturation_page.sat_start.setCurrentIndex(tab.saturation_page.sat_start.findData("saturated"))
    tab.saturation_page.run_saturation("quadratic")
    qtbot.waitUntil(lambda: "quadratic" in tab.saturation_page.saturation_runs
                    and tab.saturation_page.saturation_runs["quadratic"].last.epoch == 300 and not tab.ctx.client.busy,
                    timeout=5000)
    xs, ys = tab.saturation_page.sat_curves["quadratic"].getData()
    recs = list(ij.saturation_run("saturated", "quadratic"))
    np.testing.assert_array_equal(ys, [r.cost for r in recs])
    assert len(xs) == 301
    assert "epoch 300" in tab.saturation_page.sat_label.text()
    # Stop never stops another tab's job
    def other_tabs_job(ctx):
        while not ctx.should_stop():
            yield 0

    tab.ctx.client.start_job("training", other_tabs_job)
    tab.saturation_page.stop_saturation()
    assert tab.ctx.client.busy
    tab.saturation_page.run_saturation("cross-entropy")  # refused while busy, with a message
    assert "busy" in tab.saturation_page.sat_label.text()
    tab.ctx.client.stop()
    qtbot.waitUntil(lambda: not tab.ctx.client.busy, timeout=5000)
    tab.saturation_page.saturation_pace = 0.005
    tab.saturation_page.run_saturation("cross-entropy")
    qtbot.waitUntil(lambda: "cross-entropy" in tab.saturation_page.saturation_runs, timeout=5000)
    tab.saturation_page.stop_saturation()
    qtbot.waitUntil(lambda: not tab.ctx.client.busy, timeout=5000)
    assert tab.saturation_page.saturation_runs["cross-entropy"].last.epoch < 300


def test_settings_round_trip(qtbot, ctx, tab, tmp_path):
    choose(qtbot, tab, "3,4,2")
    tab.chooser.seed_spin.setValue(7)
    s = TabSettings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat), tab.title)
    tab.save_settings(s)
    from nndl_gui.tabs.inspector.tab import InspectorTab

    other = InspectorTab(ctx)
    qtbot.addWidget(other)
    other.restore_settings(s)
    assert other.chooser.network_combo.currentData() == "3,4,2" and other.chooser.seed_spin.value() == 7
    qtbot.waitUntil(lambda: other.inspection is not None and other.inspection.network.sizes == [3, 4, 2]
                    and other._latest.idle, timeout=5000)
    bad_qs = QSettings(str(tmp_path / "bad.ini"), QSettings.Format.IniFormat)
    bad = TabSettings(bad_qs, tab.title)
    bad_qs.setValue(bad.prefix + "network", "nonsense")
    bad_qs.setValue(bad.prefix + "seed", [1, 2])
    other.restore_settings(bad)  # ignored, no crash


def test_softmax_and_relu_networks_walk_without_errors(qtbot, ctx, tab):
    net = Network([3, 4, 3], activation="relu", output="softmax", cost="log-likelihood", rng=2)
    ctx.client.set_network(net, "softmax", "test")
    qtbot.waitUntil(lambda: ctx.client.shared_network is not None, timeout=5000)
    i = tab.chooser.network_combo.findData("shared")
    tab.chooser.network_combo.setCurrentIndex(i)
    tab.chooser.choose_network(i)
    qtbot.waitUntil(lambda: tab.inspection.network.sizes == [3, 4, 3] and tab._latest.idle, timeout=5000)
    ref = reference(tab)
    for step in range(len(tab.steps)):
        tab._go(step)
        for l, n in ((1, 3), (2, 4), (3, 3)):
            for j in range(n):
                tab.select(("neuron", l, j))
                assert tab.equation_label.text()
    tab.select(("neuron", 3, 2))
    assert "sigma_prime" not in tab.detail_values  # softmax: a Jacobian, not one σ′ per neuron
    assert tab.detail_values["delta"] == ref.layer(3).delta[2] == ref.layer(3).a[2] - ref.y[2]
    bp1 = [i for i, s in enumerate(tab.steps) if s.kind == "BP1"][0]
    tab._go(bp1)
    assert "softmax + log-likelihood" in tab.equation_label.text()


def test_mnist_test_image_by_index(qtbot, ctx, tab):
    i = tab.chooser.network_combo.findData("mnist-random")
    tab.chooser.network_combo.setCurrentIndex(i)
    tab.chooser.choose_network(i)
    assert tab.chooser.example_combo.currentData() == "mnist"
    tab.chooser.index_spin.setValue(5)
    qtbot.waitUntil(lambda: tab.inspection is not None and "#5" in tab.inspection.description
                    and tab._latest.idle, timeout=20000)
    test = tab.chooser.mnist.test
    np.testing.assert_array_equal(tab.inspection.trace.x, test.x(5).reshape(-1).astype(np.float64))
    assert tab.inspection.trace.y[int(test.labels[5])] == 1.0
    assert tab.chooser.y_edit.text() == str(int(test.labels[5]))


def test_opens_and_takes_a_drawn_digit_at_step_1(qtbot, tab):
    assert tab.step_index == 0 and tab.step_label.text().startswith("Step 1 of")
    assert tab.steps[0].kind == "input" and not tab.start_button.isEnabled()
    tab.run_to_end()
    assert tab.step_index == len(tab.steps) - 1
    old = tab.inspection
    tab.receive_input(np.full(784, 0.3), 4, "a drawn 4")
    qtbot.waitUntil(lambda: tab.inspection is not old and tab.inspection.network.sizes[0] == 784, timeout=5000)
    assert tab.step_index == 0 and tab.step_label.text().startswith("Step 1 of")


def test_saturation_runs_side_by_side(qtbot, tab):
    page = tab.saturation_page
    page.saturation_pace = 0.004
    page.sat_start.setCurrentIndex(page.sat_start.findData("saturated"))
    page.run_saturation("quadratic")
    qtbot.waitUntil(lambda: "quadratic" in page.saturation_runs
                    and page.saturation_runs["quadratic"].last.epoch >= 20, timeout=5000)
    page.run_saturation("cross-entropy")  # while the first runs: both go on, side by side
    qtbot.waitUntil(lambda: "cross-entropy" in page.saturation_runs, timeout=5000)
    quad = page.saturation_runs["quadratic"].last.epoch
    assert quad >= 20 and page.saturation_runs["cross-entropy"].last.epoch < quad  # it continued, not restarted
    assert not page.sat_start.isEnabled()
    qtbot.waitUntil(lambda: not tab.ctx.client.busy, timeout=10_000)
    for cost in ("quadratic", "cross-entropy"):
        ys = page.sat_curves[cost].getData()[1]
        np.testing.assert_array_equal(ys, [r.cost for r in ij.saturation_run("saturated", cost)])
    assert "different scales" in page.scale_note.text() and page.sat_start.isEnabled()


def test_784_inputs_are_an_image_and_dense_layers_show_their_strongest_lines(qtbot, tab):
    from nndl_gui.widgets import network_diagram as nd

    tab.receive_input(np.full(784, 0.2), 1, "a drawn 1")  # the untrained [784, 30, 10]
    qtbot.waitUntil(lambda: tab.inspection is not None and tab.inspection.network.sizes == [784, 30, 10]
                    and tab._latest.idle, timeout=5000)
    d = tab.diagram
    assert d.shown(1) == 0 and d.drawn_pairs(2) == []  # no 784 × 30 lines: an image and one arrow
    tab.select(("neuron", 3, 4))
    qtbot.waitUntil(lambda: tab.selection == ("neuron", 3, 4), timeout=2000)
    pairs = d.drawn_pairs(3)
    w = tab.inspection.network.weights[1]
    assert d.dense(3) and len(pairs) < 30 * 10
    for j in range(10):
        ks = {k for jj, k in pairs if jj == j}
        strongest = set(np.argsort(-np.abs(w[j]))[:nd.STRONGEST])
        assert strongest <= ks  # each output neuron's strongest incoming lines are drawn
        assert len(ks) == (30 if j == 4 else nd.STRONGEST)  # all lines of the selected neuron, else the strongest
    # only drawn lines can be clicked: the middle of a hidden line is not a weight
    pos, *_ = d._layout()
    hidden = next((j, k) for j in range(10) for k in range(30) if (j, k) not in pairs and j != 4)
    a, b = pos[(2, hidden[1])], pos[(3, hidden[0])]
    assert d.hit((a + b) / 2) != ("weight", 3, *hidden)
    j, k = pairs[0]
    assert d.hit((pos[(2, k)] + pos[(3, j)]) / 2) == ("weight", 3, j, k)  # a drawn line is clickable


def test_the_chooser_names_the_network_then_the_example_and_bad_input_sends_nothing(qtbot, ctx):
    from nndl_gui.tabs.inspector.example import ExampleChooser

    chooser = ExampleChooser(ctx)
    qtbot.addWidget(chooser)
    said = []
    chooser.networkChosen.connect(lambda net: said.append(("network", net.sizes)))
    chooser.exampleChosen.connect(lambda x, y, desc: said.append(("example", list(x), y, desc)))
    chooser.choose_network(chooser.network_combo.findData("2,3,2"))
    assert [s[0] for s in said] == ["network", "example"] and said[0][1] == [2, 3, 2]
    assert len(said[1][1]) == 2 and list(said[1][2]) == [1.0, 0.0]  # the small net's default x and y = (1, 0)
    said.clear()
    chooser.x_edit.setText("1, 2, 3")
    chooser.example_changed()
    assert said == [] and "needs 2 numbers" in chooser.example_note.text()
    chooser.x_edit.setText("0.25, 0.5")
    chooser.y_edit.setText("1")  # a label: y_1 = 1
    chooser.example_changed()
    # typed x needs no description: the row's x and y fields are on screen beside the note
    assert said == [("example", [0.25, 0.5], 1, "")] and chooser.example_note.text() == ""


@pytest.mark.parametrize("size", [(1200, 700), (1024, 600), (1280, 780)])
def test_step_buttons_never_move_under_the_pointer(qtbot, tab, size):
    """Clicking Next through every step: the step buttons stay where they are (a scroll bar that came
    and went as the explanation grew would shift them sideways under the learner's pointer)."""
    tab.resize(*size)
    choose(qtbot, tab, "2,3,2")
    tab.go_to_start()
    places = set()
    for _ in range(len(tab.steps)):
        qtbot.wait(20)  # let the layout settle
        places.add(tuple((b.mapTo(tab, b.rect().topLeft()).toTuple(), b.width())
                         for b in (tab.start_button, tab.prev_button, tab.next_button, tab.end_button)))
        tab.next_step()
    assert len(places) == 1, places


def test_small_numbers_read_the_same_in_the_circles_and_the_text():
    from nndl_gui.widgets.network_diagram import short

    assert short(0.003) == "3×10⁻³" and short(-0.0004) == "−4×10⁻⁴" and short(0.64) == "0.64"
    assert eqn.fmt(0.00295) == "2.95×10⁻³" and eqn.fmt(-2.5e-7) == "−2.50×10⁻⁷" and eqn.fmt(0.5) == "0.500"
    assert short(250.0) == "2×10²" and eqn.fmt(123456.0) == "1.23×10⁵"


def test_a_typed_example_is_not_described_twice(qtbot, tab):
    choose(qtbot, tab, "2,3,2")
    typed = tab.chooser.x_edit.text()
    assert typed and tab.chooser.x_edit.isVisible()
    assert typed not in tab.chooser.example_note.text()
