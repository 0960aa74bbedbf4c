"""The explorer: its numbers are the engine's, and its page works in a real browser."""

import importlib
import json
import math
import shutil
import sys
from itertools import groupby

import pytest

import micrograd_edu as torch
from micrograd_edu import Value, nn
from micrograd_edu.demo import SimpleNN
from micrograd_edu.viz import backward_steps, explore, save_explorer
from micrograd_edu.viz.explore import Explorer
from micrograd_edu.viz.labels import format_number

explore_module = importlib.import_module(
    "micrograd_edu.viz.explore"
)  # the function shadows the module's name
pytest.importorskip("graphviz")
if shutil.which("dot") is None:
    pytest.skip("graphviz's dot is not installed", allow_module_level=True)


def neuron():
    """o = tanh(x1*w1 + x2*w2 + b), as in the gallery."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def expression(a=1.5, b=-2.0, c=0.5):
    """About twenty Values, with every kind of op the tutorial uses."""
    x, y, z = Value(a, label="x"), Value(b, label="y"), Value(c, label="z")
    u = x * y + z
    v = (u.tanh() * x - y / 2.0) ** 2
    w = v.sigmoid() + (z * z).exp() - x.relu()
    out = w * u + v.log() if v.data > 0 else w * u
    out.label = "out"
    return out, (x, y, z)


def numbers(state):
    """Each node's data and grad in full, as the explorer's state has them."""
    return [(float(n["exact"]["data"]), float(n["exact"]["grad"])) for n in state["nodes"].values()]


def engine_grads(root):
    root.backward(retain_graph=True)
    return [(v.data, v.grad) for v in torch.engine.topological_order([root])]


# ---- the numbers --------------------------------------------------------------------------------


def test_every_grad_is_the_engines_before_and_after_backward():
    expected = engine_grads(expression()[0])
    for already in (False, True):
        out, _ = expression()
        if already:
            out.backward()  # releases the graph: the explorer replays it
        state = Explorer(out).state()
        got = [
            (float(node["exact"]["data"]), float(node["exact"]["grad"])) for node in state["nodes"].values()
        ]
        assert got == expected
        assert [(v.data, v.grad) for v in torch.engine.topological_order([out])] == expected


def test_the_walk_is_backward_steps_in_order_and_ends_at_the_final_grads():
    o, _ = neuron()
    state = Explorer(o).state()
    o2, _ = neuron()
    steps = backward_steps(o2)
    groups = [list(g) for _, g in groupby(steps, key=lambda s: id(s.out))]
    assert [g["lines"][i]["text"] for g in state["groups"] for i in range(len(g["lines"]))] == [
        s.text for s in steps
    ]
    assert len(state["groups"]) == len(groups)
    shown = {}
    for group in state["groups"]:
        shown |= group["updates"]
    assert shown == {k: n["grad"] for k, n in state["nodes"].items() if k in shown}
    assert state["nodes"]["v1"]["grad"] == format_number(1.0)  # w1.grad = x1 * do/dn = 2 * 0.5


def test_a_changed_leaf_is_recomputed_by_the_engine_and_written_back():
    out, (x, y, z) = expression()
    explorer = Explorer(out)
    x_id = next(k for k, n in explorer.state()["nodes"].items() if n["title"] == "x")
    state = explorer.set_leaf(x_id, 0.25)
    fresh, _ = expression(a=0.25)
    expected = engine_grads(fresh)
    assert [
        (float(n["exact"]["data"]), float(n["exact"]["grad"])) for n in state["nodes"].values()
    ] == expected
    assert x.data == 0.25 and out.data == fresh.data and x.grad == expected[0][1]
    with pytest.raises(ValueError, match="not a leaf"):
        explorer.set_leaf("v" + str(len(state["nodes"]) - 1), 1.0)
    with pytest.raises(ValueError, match="no node 'q7'"):
        explorer.set_leaf("q7", 1.0)


def test_a_failed_recompute_changes_nothing():
    x = Value(2.0, label="x")
    y = x.log()
    explorer = Explorer(y)
    before = explorer.state()
    with pytest.raises(ValueError):
        explorer.set_leaf("v0", -1.0)  # log of a negative number
    assert explorer.state() is before
    assert x.data == 2.0 and x.grad == 0.5 and y.data == float(before["nodes"]["v1"]["exact"]["data"])


def test_an_op_the_replay_does_not_know_is_shown_but_not_changed():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    out = Value(a.data + b.data, (a, b), "mine", lambda g, out, x, y: (g, g))
    explorer = Explorer(out)
    assert not explorer.editable and "'mine'" in explorer.note()
    assert [n["grad"] for n in explorer.state()["nodes"].values()] == [format_number(1.0)] * 3
    with pytest.raises(ValueError, match="numbers cannot be changed"):
        explorer.set_leaf("v0", 5.0)
    out.backward()  # released, and no replay: nothing to step through
    with pytest.raises(ValueError, match="retain_graph=True"):
        Explorer(out)


def test_a_big_graph_is_refused_as_the_pictures_refuse_it():
    x = Value(1.0, label="x")
    y = x
    for _ in range(1600):
        y = y * 1.0
    with pytest.raises(ValueError, match="more than the 1,500 that can be drawn legibly"):
        Explorer(y)


def test_the_tutorial_model_at_tensor_level():
    torch.manual_seed(0)
    X, y = torch.data.xor()
    model = SimpleNN()
    loss = nn.BCELoss()(model(X), y)
    loss.backward()
    state = Explorer(loss, model=model, names={"X": X, "y": y}, level="tensor").state()
    nodes = state["nodes"]
    weight = next(n for n in nodes.values() if n["title"] == "fc1.weight")
    assert weight["grad"].split()[0] == format_number(model.fc1.weight.grad.flatten().tolist()[0])
    assert state["groups"][0]["node"] == next(k for k, n in nodes.items() if n["kind"] == "output")
    assert not state["editable"] and "graph of Values" in state["note"]
    finished = {}
    for group in state["groups"]:
        finished |= group["updates"]
    assert finished == {
        k: n["grad"] for k, n in nodes.items() if n["grad"] not in ("no grad",) and k in finished
    }


def test_the_widget_recomputes_on_a_message_and_needs_anywidget(monkeypatch):
    pytest.importorskip("anywidget")
    o, (x1, *_) = neuron()
    w = explore(o)
    assert json.loads(w.state)["nodes"]["v0"]["value"] == 2.0
    w._message(w, {"type": "leaf", "id": "v0", "value": 3.0}, [])
    assert json.loads(w.state)["nodes"]["v0"]["value"] == 3.0 and x1.data == 3.0
    sent = []
    monkeypatch.setattr(w, "send", sent.append)
    w._message(w, {"type": "leaf", "id": "v8", "value": 3.0}, [])
    assert sent and "not a leaf" in sent[0]["text"]
    explore_module._widget_class.cache_clear()
    monkeypatch.setitem(sys.modules, "anywidget", None)
    with pytest.raises(ImportError, match=r"pip install micrograd_edu\[live\]"):
        explore(o)
    explore_module._widget_class.cache_clear()


# ---- the page, in a real browser -----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium): no browser to test the page in"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium)
        yield b
        b.close()


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 760}, device_scale_factor=1.5)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def test_the_page_draws_clicks_and_steps_in_the_engines_order(browser, tmp_path):
    o, (_, _, w1, _, _) = neuron()
    path = save_explorer(o, tmp_path / "neuron.html")
    assert "http" not in path.read_text().split("<svg", 1)[0]  # nothing fetched from the network
    page, errors = open_page(browser, path)
    assert page.locator("g[data-node-id]").count() == 10
    page.click('g[data-node-id="v1"]')  # w1
    panel = page.inner_text("#mge-panel")
    assert "w1" in panel and format_number(1.0) in panel and f"({w1.grad!r})" in panel
    assert "w1.grad += x1.data * v2.grad = 2.0000 * 0.5000 = 1.0000" in panel
    page.click("#mge-reset")
    assert page.locator('g[data-node-id="v1"] [data-role="grad"]').text_content() == "—"
    order = []
    for _ in range(5):
        page.click("#mge-step")
        order.append(page.locator("g.mge-current").get_attribute("data-node-id"))
    o2, _ = neuron()
    ids = {id(v): f"v{i}" for i, v in enumerate(torch.engine.topological_order([o2]))}
    assert order == [ids[k] for k, _ in groupby(id(s.out) for s in backward_steps(o2))]
    assert page.locator('g[data-node-id="v1"] [data-role="grad"]').text_content() == format_number(1.0)
    page.keyboard.press("ArrowLeft")
    assert page.locator("g.mge-current").get_attribute("data-node-id") == order[3]
    page.keyboard.press("ArrowLeft")
    page.click('g[data-node-id="v1"]')
    page.screenshot(path=str(tmp_path / "neuron.png"), full_page=True)
    assert page.locator("[data-leaf-input]").count() == 5
    assert page.locator("[data-leaf-input]").first.is_disabled() and "needs the kernel" in page.content()
    assert errors == []


def test_the_page_of_the_tutorial_model_at_tensor_level(browser, tmp_path):
    torch.manual_seed(0)
    X, y = torch.data.xor()
    model = SimpleNN()
    loss = nn.BCELoss()(model(X), y)
    path = save_explorer(
        loss, tmp_path / "simple_nn.html", model=model, names={"X": X, "y": y}, level="tensor"
    )
    page, errors = open_page(browser, path)
    page.click("#mge-reset")
    page.click("#mge-step")
    page.click("#mge-step")
    box = page.locator("g[data-node-id]").filter(has_text="fc1.weight")
    box.click()
    assert "fc1.weight" in page.inner_text("#mge-panel")
    page.screenshot(path=str(tmp_path / "simple_nn.png"), full_page=True)
    assert errors == []


def test_a_changed_leaf_goes_to_python_and_the_page_redraws_in_place(browser, tmp_path):
    """The widget's round trip, with Python standing in for the kernel: the page sends the leaf's
    new number, Python recomputes, the page redraws (the same script a notebook runs)."""
    o, (x1, _, w1, _, _) = neuron()
    explorer = Explorer(o)
    script = (explore_module.ASSETS / "explorer.js").read_text().replace("export default", "const widget =")
    page_text = f"""<!DOCTYPE html><html><body><div id="root"></div><script type="module">
{script}
let state = {json.dumps(explorer.state_json())};
const handlers = {{}};
const model = {{ get: () => state, on: (name, f) => {{ handlers[name] = f; }},
  send: async (message) => {{ state = await window.mgeSend(message); handlers["change:state"](); }} }};
widget.render({{ model, el: document.getElementById("root") }});
</script></body></html>"""
    path = tmp_path / "live.html"
    path.write_text(page_text)
    page, errors = open_page(browser, path)
    page.expose_function("mgeSend", lambda m: json.dumps(explorer.set_leaf(m["id"], m["value"])))
    page.click('g[data-node-id="v1"]')  # w1: its grad is x1's number times 0.5
    leaf = page.locator('input[data-leaf-input="v0"]')
    leaf.fill("3")
    leaf.press("Enter")
    page.wait_for_selector("#root[data-redraw-ms]")
    assert x1.data == 3.0 and w1.grad == 3.0 * (1 - o.data**2)
    assert format_number(w1.grad) in page.inner_text("#mge-panel")
    assert page.locator('g[data-node-id="v0"]').filter(has_text="+3.0000").count() == 1
    assert page.locator('g[data-node-id="v1"] [data-role="grad"]').text_content() == format_number(w1.grad)
    assert float(page.get_attribute("#root", "data-redraw-ms")) < 1000
    assert errors == []


# ---- a function explored: parameters changed, and training ---------------------------------------


def tutorial(seed=0, momentum=0.9):
    """The tutorial's model, loss and optimizer, made the same way each time."""
    torch.manual_seed(seed)
    X, y = torch.data.xor()
    model = SimpleNN()
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=momentum)
    return model, (lambda: criterion(model(X), y)), optimizer, {"X": X, "y": y}


def weights(model):
    return [(name, p.tolist()) for name, p in model.named_parameters()]


def tutorial_explorer(optimizer=True):
    model, fn, opt, names = tutorial()
    return model, Explorer(fn, model=model, names=names, level="tensor", optimizer=opt if optimizer else None)


def test_a_parameter_changed_at_tensor_level_is_recomputed_by_the_engine():
    model, explorer = tutorial_explorer(optimizer=False)
    state = explorer.state()
    assert [(p["name"], p["shape"], p["editable"]) for p in state["params"]] == [
        ("fc1.weight", [4, 2], True),
        ("fc1.bias", [4], True),
        ("fc2.weight", [1, 4], True),
        ("fc2.bias", [1], True),
    ]
    assert not state["train"]["can"] and state["editable"]
    state = explorer.set_parameter("fc1.weight", 3, 0.25)  # row 1, column 1
    fresh, fn, _, _ = tutorial()
    with torch.no_grad():
        fresh.fc1.weight[1, 1] = 0.25
    loss = fn()
    loss.backward()
    assert state["loss"] == loss.item() and state["params"][0]["values"][3] == 0.25
    assert weights(model) == weights(fresh)
    assert [p.grad.tolist() for p in model.parameters()] == [p.grad.tolist() for p in fresh.parameters()]
    shown = next(n for n in state["nodes"].values() if n["title"] == "fc1.weight")
    assert shown["grad"].split()[0] == format_number(fresh.fc1.weight.grad.flatten().tolist()[0])
    with pytest.raises(ValueError, match="indices 0 ... 3"):
        explorer.set_parameter("fc1.bias", 4, 1.0)
    with pytest.raises(ValueError, match="no parameter 'fc3.weight'"):
        explorer.set_parameter("fc3.weight", 0, 1.0)
    assert weights(model) == weights(fresh)


def test_a_train_step_is_the_eager_optimizer_step():
    model, explorer = tutorial_explorer()
    eager, fn, optimizer, _ = tutorial()
    for steps in (1, 10):
        state = explorer.train(steps)
        for _ in range(steps):
            optimizer.zero_grad()
            fn().backward()
            optimizer.step()
        assert weights(model) == weights(eager)
        assert state["loss"] == fn().item() and state["train"]["losses"][-1] == state["loss"]
    assert len(state["train"]["losses"]) == 12 and state["train"]["can"]
    with pytest.raises(ValueError, match="training needs a function and an optimizer"):
        Explorer(fn, model=eager, level="tensor").train()
    with pytest.raises(ValueError, match="training needs a function"):
        Explorer(fn(), model=eager, level="tensor", optimizer=optimizer)


def test_a_function_of_values_keeps_the_leaves_made_outside_it():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    explorer = Explorer(lambda: (x * w + Value(1.0, label="b")).tanh())
    assert explorer.state()["params"] == []
    state = explorer.set_leaf("v0", 0.5)
    expected = (0.5 * -3.0 + 1.0, 1 - math.tanh(0.5 * -3.0 + 1.0) ** 2)
    assert x.data == 0.5 and x.grad == -3.0 * expected[1]  # the grad of one backward, not two
    b_id = next(k for k, n in state["nodes"].items() if n["title"] == "b")
    with pytest.raises(ValueError, match="made anew each time"):
        explorer.set_leaf(b_id, 2.0)
    assert x.data == 0.5 and explorer.state()["nodes"][b_id]["value"] == 1.0


def test_the_widget_changes_a_parameter_and_trains_on_a_message():
    pytest.importorskip("anywidget")
    model, fn, optimizer, names = tutorial()
    w = explore(fn, model=model, names=names, level="tensor", optimizer=optimizer)
    w._message(w, {"type": "parameter", "name": "fc2.bias", "index": 0, "value": 0.5}, [])
    assert model.fc2.bias.tolist() == [0.5]
    w._message(w, {"type": "train", "steps": 2}, [])
    assert len(json.loads(w.state)["train"]["losses"]) == 3


def live_page(tmp_path, explorer, name="live.html"):
    """The widget's script with Python standing in for the kernel (as a notebook runs it)."""
    script = (explore_module.ASSETS / "explorer.js").read_text().replace("export default", "const widget =")
    css = (explore_module.ASSETS / "explorer.css").read_text()
    page_text = f"""<!DOCTYPE html><html><head><style>{css}</style></head><body><div id="root"></div>
<script type="module">
{script}
let state = {json.dumps(explorer.state_json())};
const handlers = {{}};
const model = {{ get: () => state, on: (name, f) => {{ handlers[name] = f; }},
  send: async (message) => {{ state = await window.mgeSend(message); handlers["change:state"](); }} }};
widget.render({{ model, el: document.getElementById("root") }});
</script></body></html>"""
    path = tmp_path / name
    path.write_text(page_text)
    return path


def kernel(explorer):
    def answer(message):
        if message["type"] == "leaf":
            return json.dumps(explorer.set_leaf(message["id"], message["value"]))
        if message["type"] == "parameter":
            return json.dumps(explorer.set_parameter(message["name"], message["index"], message["value"]))
        return json.dumps(explorer.train(message["steps"]))

    return answer


def test_the_key_and_no_green_once_backward_is_done(browser, tmp_path):
    o, _ = neuron()
    page, errors = open_page(browser, save_explorer(o, tmp_path / "neuron.html"))
    assert page.inner_text("#mge-key") == "outlined: the node at work · green: its inputs, receiving gradient"
    assert "backward done" in page.inner_text(".mge-counter")
    assert page.locator("g.mge-receiving, g.mge-current").count() == 0  # the legend's colours
    page.keyboard.press("Home")
    assert page.locator("g.mge-receiving, g.mge-current").count() == 0
    n = len(Explorer(neuron()[0]).state()["groups"])
    for _ in range(n):
        page.click("#mge-step")
    assert page.locator("g.mge-current").count() == 1 and page.locator("g.mge-receiving").count() > 0
    assert page.inner_text(".mge-counter") == f"step {n} of {n}"
    page.screenshot(path=str(tmp_path / "last_step.png"), full_page=True)
    page.click("#mge-step")  # the walk is complete
    assert page.locator("g.mge-receiving, g.mge-current").count() == 0
    assert page.locator("#mge-step").is_disabled() and "Backward is done" in page.inner_text(".mge-now")
    assert errors == []


def test_the_page_changes_a_weight_and_trains_through_the_kernel(browser, tmp_path):
    model, explorer = tutorial_explorer()
    eager, fn, optimizer, _ = tutorial()
    page, errors = open_page(browser, live_page(tmp_path, explorer))
    page.expose_function("mgeSend", kernel(explorer))
    assert page.locator("[data-param-input]").count() == 17
    box = page.locator('input[data-param-input="fc1.weight"][data-index="3"]')
    box.fill("0.25")
    box.press("Enter")
    page.wait_for_selector("#root[data-redraw-ms]")
    edit_ms = float(page.get_attribute("#root", "data-redraw-ms"))
    with torch.no_grad():
        eager.fc1.weight[1, 1] = 0.25
    assert model.fc1.weight.tolist() == eager.fc1.weight.tolist()
    assert page.locator('input[data-param-input="fc1.weight"][data-index="3"]').input_value() == "0.25"
    loss = fn().item()
    assert f"{loss:.6f}" in page.inner_text(".mge-training")
    times, total = [], 0
    for button, steps in (("#mge-train-step", 1), ("#mge-train-10", 10), ("#mge-train-100", 100)):
        page.evaluate("delete document.getElementById('root').dataset.redrawMs")
        page.click(button)
        page.wait_for_selector("#root[data-redraw-ms]")
        times.append(float(page.get_attribute("#root", "data-redraw-ms")))
        for _ in range(steps):
            optimizer.zero_grad()
            fn().backward()
            optimizer.step()
        assert weights(model) == weights(eager)
        total += steps
        assert f"loss after {total} step" in page.inner_text(".mge-training")
    loss = fn().item()
    assert f"{loss:.6f}" in page.inner_text(".mge-training")
    points = page.locator("#mge-loss polyline").get_attribute("points").split()
    assert len(points) == total + 1  # the loss before each step, and the latest
    box = page.locator("g[data-node-id]").filter(has_text="fc1.weight")
    box.click()
    page.screenshot(path=str(tmp_path / "training.png"), full_page=True)
    print(f"redraw after a weight edit {edit_ms:.0f} ms; after step, 10, 100: {times}")
    assert edit_ms < 2000 and errors == []


def test_the_saved_page_of_a_function_has_its_training_disabled(browser, tmp_path):
    _, explorer = tutorial_explorer()
    page, errors = open_page(browser, explorer.save_html(tmp_path / "saved.html"))
    assert page.locator("#mge-train-step").is_disabled() and page.locator("#mge-train-100").is_disabled()
    assert "training needs the kernel" in page.inner_text(".mge-training")
    assert page.locator("[data-param-input]").first.is_disabled()
    assert page.locator("#mge-loss").count() == 1
    assert errors == []


def test_the_replay_page_links_to_the_explorer_of_its_last_step(browser, tmp_path):
    """A Recorder keeps the explorer of each recorded step as it is then (the optimizer's step
    changes the weights right after), and finish() writes the last one beside the replay page,
    which links to it: the page's loss is that step's, and its fc1.weight the one it used."""
    from micrograd_edu.viz import Recorder

    torch.manual_seed(0)
    X, y = torch.data.xor()
    model = SimpleNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    recorder = Recorder(tmp_path, level="tensor", every=2, steps=5, model=model, png=False)
    for _ in range(5):
        loss = nn.BCELoss()(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        weight_used = model.fc1.weight.detach().clone()
        recorder.step(loss)
        optimizer.step()
    files = recorder.finish()
    assert (
        'href="explorer.html"' in files["replay"].read_text()
        and "explore step 5" in files["replay"].read_text()
    )
    page, errors = open_page(browser, files["explorer"])
    page.locator("g[data-node-id]").filter(has_text="fc1.weight").first.click()
    panel = page.inner_text("#mge-panel")
    assert format_number(weight_used.tolist()[0][0]) in panel  # the weights before step 5's update
    assert format_number(model.fc1.weight.tolist()[0][0]) not in panel
    state = json.loads(
        files["explorer"].read_text().split('type="application/json">')[1].split("</script>")[0]
    )
    (root,) = [n for n in state["nodes"].values() if n["kind"] == "output"]
    assert float(root["data"]) == pytest.approx(recorder.losses[-1], abs=5e-5)
    assert errors == []
