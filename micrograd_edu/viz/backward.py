"""Watch backward(): the chain rule, one node at a time, as text or as a picture per node.

    >>> from micrograd_edu import Value
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> out = x * w
    >>> out.label = "out"
    >>> print_backward(out)
    out = x * w    (out.grad = 1.0000)
      x.grad += w.data * out.grad = -3.0000 * 1.0000 = -3.0000
      w.grad += x.data * out.grad = 2.0000 * 1.0000 = 2.0000

The replay runs each node's `_backward` in the order `backward()` does (outputs first),
on a private copy of the gradients: no `.grad` changes and the graph stays usable.
`record_backward` draws a frame per node, with the node at work outlined and the
inputs it hands gradient to filled green, and makes a GIF of the frames.
"""

from __future__ import annotations

import inspect
import math
import os
import re
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from pathlib import Path

from micrograd_edu.autograd.function import made_by_function
from micrograd_edu.derivatives import derivative_of
from micrograd_edu.engine import Value, released, topological_order
from micrograd_edu.files import write_atomically
from micrograd_edu.tensor import Tensor
from micrograd_edu.viz.graph import NO_GRAD, NOT_YET, save_graph, to_digraph, trace
from micrograd_edu.viz.labels import element_names, format_number, names_of, values_requiring_grad
from micrograd_edu.viz.record import gif_bytes

MAX_NODES = 60  # a frame per op: past this a walkthrough is too long to follow


@dataclass(frozen=True)
class Step:
    """One line of the chain rule: `input.grad += local * out.grad`."""

    out: Value  # the node whose _backward runs
    input: Value  # the input it hands gradient to
    out_name: str
    input_name: str
    out_grad: float  # d(root)/d(out), complete by the time out's _backward runs
    local: float  # d(out)/d(input)
    product: float  # what input.grad gets added: local * out_grad, as the engine computes it
    text: str  # the line written out with names and numbers
    operands: tuple[str, ...] = ()  # what all of out's inputs are called, in order (for its heading)


def backward_steps(root: Value | Tensor, model=None, names: dict | None = None) -> list[Step]:
    """The steps `root.backward()` would take, in its order, leaving every `.grad` as it is.

    `root` is a Value, or a one-element tensor on the python backend (a loss). Nodes are
    called by their label, by their name in `model` (`fc1.weight[0, 1]`) or in `names`,
    else `v7` for the 8th node of the topological order (the ids `draw()` uses). For a
    tensor, as in PyTorch, no step hands gradient to what does not require grad (data, labels,
    constants): their `.grad` stays None.
    """
    value = _root_value(root)
    order = topological_order([value])
    called = _called(root, order, model, names)
    tracked = values_requiring_grad(root) if isinstance(root, Tensor) else None
    grads = {id(value): 1.0}  # this pass's gradients, by node
    steps = []
    for node in reversed(order):  # the engine's order: every node after all its users
        inputs = node._prev
        if not inputs:
            continue
        if node._backward is released:
            raise RuntimeError(
                f"backward() has already run through this graph and released it (at {called[id(node)]}), "
                "so its steps cannot be replayed. Call backward_steps before loss.backward(), "
                "or call backward(retain_graph=True)."
            )
        if made_by_function(node):
            raise ValueError(
                f"{called[id(node)]} is made by the custom autograd.Function {node._op.split('[')[0]}, "
                "whose backward works on whole tensors, not Value by Value: the walkthrough cannot step "
                "through it. draw() shows where it sits in the graph."
            )
        g = grads.get(id(node), 0.0)
        args = [k.data for k in inputs]
        products = node._backward(g, node.data, *args)
        if g != 0.0 and math.isfinite(g):
            locals_ = [gk / g for gk in products]
        else:  # d(out)/d(input) cannot be read off a zero gradient: ask for it with g = 1
            locals_ = list(node._backward(1.0, node.data, *args))
        out, in_names = called[id(node)], [called[id(k)] for k in inputs]
        for i, (k, local, gk) in enumerate(zip(inputs, locals_, products, strict=True)):
            if tracked is not None and id(k) not in tracked:
                continue
            grads[id(k)] = grads.get(id(k), 0.0) + gk
            formula = local_derivative(node, i, in_names, out, args)
            if formula is None:  # a student's own op: the number is all there is to show
                formula = f"d{out}/d{in_names[i]}"
            text = f"{in_names[i]}.grad += {formula} * {out}.grad = {_num(local)} * {_num(g)} = {_num(gk)}"
            steps.append(Step(node, k, out, in_names[i], g, local, gk, text, tuple(in_names)))
    return steps


def backward_text(root: Value | Tensor, model=None, names: dict | None = None) -> str:
    """The steps of `backward_steps` as text: each node a heading, its inputs' lines below."""
    lines = []
    for _, steps in groupby(backward_steps(root, model, names), key=lambda s: id(s.out)):
        group = list(steps)
        lines.append(_heading(group))
        lines += ["  " + step.text for step in group]
    return "\n".join(lines)


def print_backward(root: Value | Tensor, model=None, names: dict | None = None) -> None:
    """Print the chain rule as `backward()` applies it, one node at a time."""
    print(backward_text(root, model, names))


def record_backward(
    root: Value | Tensor, out_dir: str | os.PathLike, model=None, names: dict | None = None, fps: float = 1.0
) -> list[Path]:
    """Draw a frame per node that `backward()` processes, and a GIF of them, into `out_dir`.

    Each frame outlines the node whose `_backward` runs, fills the inputs it hands gradient
    to, shows only the gradients known so far, and has that node's chain-rule lines as its
    title. Returns the frames (`backward_001.svg`, ..., each with a `.png` beside it) and then
    `backward.gif`. Nothing in the graph changes.
    """
    value = _root_value(root)
    order = topological_order([value])
    if len(order) > MAX_NODES:
        raise ValueError(
            f"this graph has {len(order):,} Values, more than the {MAX_NODES} a backward walkthrough shows "
            "(a frame for each op is too many to follow). Watch a smaller example (one neuron, one "
            "sample), print the steps with print_backward(root), or draw the whole graph once with "
            "draw(root); or raise micrograd_edu.viz.backward.MAX_NODES."
        )
    steps = backward_steps(root, model, names)
    if not steps:
        raise ValueError(f"{value!r} was not computed from anything: backward() has no step to show")
    graph = trace(root, "scalar", model, names)
    ids = {id(v): f"v{i}" for i, v in enumerate(order)}
    boxes = {node.id: node for node in graph.nodes}
    called = _called(root, order, model, names)
    for v in order:  # a node the text calls v7 says so in its box
        box = boxes[ids[id(v)]]
        if called[id(v)] == box.id:
            box.title = f"{box.title}  {box.id}".strip()
    final = {id(value): 1.0}
    for step in steps:
        final[id(step.input)] = final.get(id(step.input), 0.0) + step.product
    largest = max((abs(g) for g in final.values() if math.isfinite(g)), default=1.0)  # shades stay put
    known = {id(value): 1.0}
    groups = [list(group) for _, group in groupby(steps, key=lambda s: id(s.out))]
    most = max(map(len, groups))
    out_dir = Path(out_dir)
    frames = []
    for n, group in enumerate(groups, 1):
        for step in group:
            known[id(step.input)] = known.get(id(step.input), 0.0) + step.product
        receiving = {ids[id(step.input)] for step in group}
        for v in order:
            box = boxes[ids[id(v)]]
            if box.grad == NO_GRAD:
                continue
            g = known.get(id(v))
            box.grad = NOT_YET if g is None else format_number(g)
            box.shade = 0.0 if g is None or not largest or not math.isfinite(g) else g / largest
            grad_nonfinite = ("grad",) if g is not None and not math.isfinite(g) else ()
            box.nonfinite = tuple(part for part in box.nonfinite if part == "data") + grad_nonfinite
            box.highlight = "receiving" if box.id in receiving else ""
        boxes[ids[id(group[0].out)]].highlight = "active"
        lines = [f"{n} of {len(groups)}:  {_heading(group)}"] + [step.text for step in group]
        lines += [""] * (1 + most - len(lines))  # every title as tall: the graph stays put in the GIF
        dot = to_digraph(graph, title="\n".join(lines))
        frame = out_dir / f"backward_{n:03d}.svg"
        save_graph(dot, frame)
        save_graph(dot, frame.with_suffix(".png"))
        frames.append(frame)
    gif = write_atomically(out_dir / "backward.gif", gif_bytes([f.with_suffix(".png") for f in frames], fps))
    return [*frames, gif]


# ---- names and formulas -----------------------------------------------------------------------


def _root_value(root: Value | Tensor) -> Value:
    if isinstance(root, Value):
        return root
    if not isinstance(root, Tensor):
        raise TypeError(f"backward_steps takes a Value or a one-element Tensor, got {type(root).__name__}")
    if root.backend != "python":
        raise ValueError(
            "watching backward steps through Values needs the python backend: build this tensor "
            "with backend='python' (a numpy-backend tensor has no Values inside)"
        )
    if root.numel() != 1:
        raise ValueError(
            f"backward() starts from one number, and this tensor has shape {tuple(root.shape)}: "
            "reduce it first, e.g. loss = y.sum()"
        )
    return root.elements()[0]


def _called(root: Value | Tensor, order: list[Value], model, names: dict | None) -> dict[int, str]:
    """What each node is called: its name (as `trace` finds it), its label, or v<position>."""
    named = names_of(model, names)
    elements = element_names(root, named) if isinstance(root, Tensor) else {}
    return {
        id(v): (elements.get(id(v)) or named.get(id(v)) or (v.label, ""))[0] or f"v{i}"
        for i, v in enumerate(order)
    }


def local_derivative(node: Value, i: int, ins: list[str], out: str, args: list[float]) -> str | None:
    """d(out)/d(input i) as the engine's `@derivative` writes it, with the names filled in
    (`w1.data`); None where the engine gives no formula, or its formula does not hold here.

    A formula of several terms comes in parentheses, as the one factor it is.
    """
    found = derivative_of(node._op)
    if found is None or i >= len(found.formulas):
        return None
    text, _, condition = found.formulas[i].partition(" for ")
    numbers = dict(zip(("a", "b"), args)) | {"out": node.data} | _constants(node)
    if condition and not eval(_python(condition), {"__builtins__": {}}, numbers):
        return None
    for name, value in _constants(node).items():  # a power's n, clamp's bounds: as numbers
        text = re.sub(rf"\b{name}\b", f"{value:g}", text, flags=re.ASCII)
    text = re.sub(r"\(([-+*/ .\d]+)\)", lambda m: f"{eval(m.group(1), {'__builtins__': {}}):g}", text)
    one_term = _one_term(text)
    called = dict(zip(("a", "b"), ins)) | {"out": out}
    text = re.sub(r"\b(a|b|out)\b", lambda m: f"{called[m.group(1)]}.data", text, flags=re.ASCII)
    return text if one_term else f"({text})"


def _constants(node: Value) -> dict[str, float]:
    """An op's constants by name (a power's n), given to its backward by partial()."""
    backward = node._backward
    if not isinstance(backward, partial):
        return {}
    names = list(inspect.signature(backward.func).parameters)
    return dict(zip(names, backward.args))


def _python(formula: str) -> str:
    """A formula as Python can compute it: ² is ** 2."""
    return formula.replace("²", "**2")


def _one_term(text: str) -> bool:
    """A name, a number or one function call: nothing a product could split."""
    if re.fullmatch(r"-?[\w.]+", text):
        return True
    if not re.fullmatch(r"\w+\(.*\)", text):
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char == ")":
            return position == len(text) - 1
    return False


def _heading(group: list[Step]) -> str:
    """`v6 = v2 + v5    (v6.grad = 0.5000)`: the node, what made it, its finished gradient."""
    step = group[0]
    node, out = step.out, step.out_name
    ins = list(step.operands) or [s.input_name for s in group]
    op = node._op
    if op in ("+", "-", "*", "/", "**") and len(ins) == 2:
        expression = f"{ins[0]} {op} {ins[1]}"
    elif op.startswith("**"):
        expression = f"{ins[0]}{op}"
    elif op == "neg":
        expression = f"-{ins[0]}"
    elif op == "abs":
        expression = f"|{ins[0]}|"
    else:
        expression = f"{op}({', '.join(ins)})"
    return f"{out} = {expression}    ({out}.grad = {_num(step.out_grad)})"


def _num(x: float) -> str:
    x += 0.0  # -0.0 prints as 0.0000
    return f"{x:.4f}" if x == 0 or (math.isfinite(x) and 1e-3 <= abs(x) < 1e5) else f"{x:.3e}"
