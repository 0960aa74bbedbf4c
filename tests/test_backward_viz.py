"""Watching backward(): the replayed steps against the engine's own pass, their text, the frames."""

import html
import math
import shutil
from itertools import groupby

import pytest

import micrograd_edu as torch
from micrograd_edu import Value, nn
from micrograd_edu.viz import backward as backward_module
from micrograd_edu.viz import backward_steps, backward_text, print_backward, record_backward, trace

PIL = pytest.importorskip("PIL.Image")
pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")


def neuron():
    """tanh(x1*w1 + x2*w2 + b) with o = tanh(0.8814) = 0.7071, so 1 - o² = 0.5."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def graph_of(root):
    return torch.topological_order([root])


def svg_text(path):
    """An SVG's text as it reads (dot writes - as &#45; and runs of spaces as &#160;)."""
    return html.unescape(path.read_text()).replace("\xa0", " ")


def test_final_gradients_equal_backward():
    o, leaves = neuron()
    steps = backward_steps(o)
    replayed = {id(o): 1.0}
    for step in steps:
        replayed[id(step.input)] = replayed.get(id(step.input), 0.0) + step.product
    o.backward()
    for v in graph_of(o):
        assert replayed[id(v)] == v.grad  # bitwise: the same closures, the same order
    assert [x.grad for x in leaves] == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5])


def test_order_is_the_engines():
    """Spy on every node's _backward while the real backward() runs, and compare."""
    o, _ = neuron()
    steps = backward_steps(o)
    ran = []

    def spy(node, original):
        def _backward(g, out, *inputs):
            grads = original(g, out, *inputs)
            ran.extend((node, k, gk) for k, gk in zip(node._prev, grads))
            return grads

        return _backward

    for node in graph_of(o):
        if node._prev:
            node._backward = spy(node, node._backward)
    o.backward()
    assert [(s.out, s.input, s.product) for s in steps] == ran
    assert len(steps) == 9


def test_the_text_reads_as_the_chain_rule():
    o, _ = neuron()
    lines = [s.text for s in backward_steps(o)]
    assert lines[0] == "v8.grad += (1 - o.data²) * o.grad = 0.5000 * 1.0000 = 0.5000"
    assert "x1.grad += w1.data * v2.grad = -3.0000 * 0.5000 = -1.5000" in lines
    assert "w1.grad += x1.data * v2.grad = 2.0000 * 0.5000 = 1.0000" in lines
    assert "b.grad += 1 * v8.grad = 1.0000 * 0.5000 = 0.5000" in lines


def test_unnamed_nodes_are_called_by_the_ids_draw_uses():
    o, _ = neuron()
    titles = {n.id: n.title for n in trace(o).nodes}
    steps = backward_steps(o)
    called = {name for s in steps for name in (s.out_name, s.input_name)}
    assert called - {"o", "x1", "x2", "w1", "w2", "b"} == {"v2", "v5", "v6", "v8"}
    assert [titles[v] for v in ("v2", "v5", "v6", "v8")] == ["*", "*", "+", "+"]
    again, _ = neuron()  # another graph of the same shape: the same names, never id()
    assert [s.text for s in backward_steps(again)] == [s.text for s in steps]


def test_nothing_changes_and_backward_still_works():
    o, leaves = neuron()
    nodes = graph_of(o)
    for v in nodes:
        v.grad = 7.0
    functions = [v._backward for v in nodes]
    backward_steps(o)
    backward_text(o)
    assert [v.grad for v in nodes] == [7.0] * len(nodes)
    assert [v._backward for v in nodes] == functions
    torch.zero_grad(nodes)
    o.backward()
    assert leaves[2].grad == pytest.approx(1.0)


def test_a_released_graph_says_what_to_do():
    o, _ = neuron()
    o.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        backward_steps(o)


def test_heading_and_steps_as_text(capsys):
    o, _ = neuron()
    text = backward_text(o)
    lines = text.splitlines()
    assert lines[:2] == [
        "o = tanh(v8)    (o.grad = 1.0000)",
        "  v8.grad += (1 - o.data²) * o.grad = 0.5000 * 1.0000 = 0.5000",
    ]
    headings = [line for line in lines if not line.startswith("  ")]
    assert headings[1:] == [
        "v8 = v6 + b    (v8.grad = 0.5000)",
        "v6 = v2 + v5    (v6.grad = 0.5000)",
        "v5 = x2 * w2    (v5.grad = 0.5000)",
        "v2 = x1 * w1    (v2.grad = 0.5000)",
    ]
    print_backward(o)
    assert capsys.readouterr().out == text + "\n"


a, b = Value(0.7, label="a"), Value(1.3, label="b")
OPS = {  # op: (output, the input the line is about, the formula it shows)
    "+": (lambda: a + b, b, "1"),
    "-": (lambda: a - b, b, "-1"),
    "*": (lambda: a * b, a, "b.data"),
    "/ (a)": (lambda: a / b, a, "(1 / b.data)"),
    "/ (b)": (lambda: a / b, b, "(-a.data / b.data²)"),
    "** (a)": (lambda: a**b, a, "(b.data * a.data**(b.data - 1))"),
    "** (b)": (lambda: a**b, b, "(out.data * ln(a.data))"),
    "**3": (lambda: a**3, a, "(3 * a.data**2)"),
    "neg": (lambda: -a, a, "-1"),
    "abs": (lambda: abs(a), a, "sign(a.data)"),
    "exp": (lambda: a.exp(), a, "out.data"),
    "log": (lambda: a.log(), a, "(1 / a.data)"),
    "tanh": (lambda: a.tanh(), a, "(1 - out.data²)"),
    "sigmoid": (lambda: a.sigmoid(), a, "(out.data * (1 - out.data))"),
    "relu": (lambda: a.relu(), a, "(1 if a.data > 0 else 0)"),
}


@pytest.mark.parametrize("op", OPS)
def test_every_op_has_a_formula_and_the_right_local_derivative(op):
    make, x, formula = OPS[op]
    out = make()
    out.label = "out"
    (step,) = [s for s in backward_steps(out) if s.input is x]
    assert step.text.startswith(f"{x.label}.grad += {formula} * out.grad = ")
    h, saved = 1e-6, x.data
    x.data = saved + h
    up = make().data
    x.data = saved - h
    down = make().data
    x.data = saved
    assert step.local == pytest.approx((up - down) / (2 * h), rel=1e-6)  # central differences


def test_a_students_own_op_shows_the_number():
    x = Value(0.5, label="x")
    s = Value(math.sin(x.data), (x,), "my_sin", lambda g, out, a: (g * math.cos(a),), label="s")
    (step,) = backward_steps(s)
    assert step.text == f"x.grad += ds/dx * s.grad = {math.cos(0.5):.4f} * 1.0000 = {math.cos(0.5):.4f}"


def test_a_zero_gradient_still_shows_the_local_derivative():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = (x * w) * 0.0
    step = next(s for s in backward_steps(out) if s.input is x)
    assert (step.out_grad, step.local, step.product) == (0.0, -3.0, 0.0)


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc1(x).sigmoid()


def tiny_loss():
    """A one-layer model's squared error on one sample, on the python backend."""
    torch.manual_seed(0)
    model = Tiny()
    X = torch.tensor([[1.0, -2.0]], backend="python")
    return model, X, ((model(X) - 1.0) ** 2).mean()


def test_a_loss_tensor_names_the_parameters_elements():
    model, X, loss = tiny_loss()
    text = backward_text(loss, model=model, names={"X": X})
    assert "fc1.weight[0, 1].grad += X[0, 1].data * " in text
    steps = backward_steps(loss, model=model)
    replayed = {}
    for step in steps:
        replayed[step.input_name] = replayed.get(step.input_name, 0.0) + step.product
    loss.backward()
    assert replayed["fc1.weight[0, 1]"] == model.fc1.weight.grad.tolist()[0][1]


def test_tensors_that_have_no_single_value_say_so():
    with pytest.raises(ValueError, match="backend='python'"):
        backward_steps(torch.tensor([1.0], requires_grad=True, backend="numpy").sum())
    with pytest.raises(ValueError, match=r"shape \(2,\).*sum"):
        backward_steps(torch.tensor([1.0, 2.0], requires_grad=True, backend="python") * 2)
    with pytest.raises(TypeError, match="Value or a one-element Tensor"):
        backward_steps(1.0)


# ---- frames -----------------------------------------------------------------------------------------


@needs_dot
def test_record_backward_draws_a_frame_per_node_and_a_gif(tmp_path):
    o, _ = neuron()
    nodes = graph_of(o)
    written = record_backward(o, tmp_path / "walk")
    processed = [k for k, _ in groupby(s.out for s in backward_steps(o))]
    *frames, gif = written
    assert len(frames) == len(processed) == 5
    assert [f.name for f in frames] == [f"backward_{i:03d}.svg" for i in range(1, 6)]
    assert all(f.with_suffix(".png").exists() for f in frames)
    with PIL.open(gif) as image:
        assert image.n_frames == 5
    first, last = svg_text(frames[0]), svg_text(frames[-1])
    assert "1 of 5" in first and "(1 - o.data²)" in first
    assert first.count(backward_module.NOT_YET) == 8 + 1  # only o and v8 have a gradient yet; the legend
    assert last.count(backward_module.NOT_YET) == 0
    assert "x1.grad += w1.data * v2.grad" in last
    assert "*  v2" in last  # an unnamed node shows the name the text calls it
    assert all(v.grad == 0.0 for v in nodes)  # still nothing changed
    assert all(p.name.startswith("backward") for p in (tmp_path / "walk").iterdir())  # no temp files


def test_record_backward_refuses_a_graph_too_big_to_watch(tmp_path):
    x = Value(1.0)
    for _ in range(backward_module.MAX_NODES):
        x = x * 1.01
    with pytest.raises(ValueError, match="print_backward") as error:
        record_backward(x, tmp_path)
    assert "MAX_NODES" in str(error.value)
    with pytest.raises(ValueError, match="not computed from anything"):
        record_backward(Value(1.0), tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_tensor_loss_hands_no_gradient_to_data_or_constants():
    """As in PyTorch: X does not require grad, so no step of the walk-through feeds X.grad."""
    model, X, loss = tiny_loss()
    steps = backward_steps(loss, model=model, names={"X": X})
    assert steps and not [s for s in steps if s.input_name.startswith("X[")]
    assert "X[0, 1].data" in backward_text(loss, model=model, names={"X": X})  # X is still used
    heading = next(
        line
        for line in backward_text(loss, model=model, names={"X": X}).splitlines()
        if "X[0, 0]" in line and "=" in line and not line.startswith(" ")
    )
    assert "X[0, 0] * fc1.weight[0, 0]" in heading  # a node's heading names all of its inputs
