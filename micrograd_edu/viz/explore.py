"""Explore a graph by clicking on it: in a notebook (a live widget) or in any browser (one file).

    w = explore(y)                      # a widget: shows in a notebook cell
    w.save_html("y.html")               # the same explorer as one self-contained page

The picture is the one `draw(y)` makes (graphviz lays it out). Click a box: a panel shows its
data, its grad, the op that made it with its local derivative, and each chain-rule product that
reached it, in the words of `backward_steps`. The buttons (or the arrow keys) step through
backward one node at a time, in the engine's order. Each leaf has a number box: in a notebook,
changing it makes the kernel recompute forward and backward with the engine, and the picture
updates in place (a saved page has no kernel, so there the boxes are read-only).

How a change is recomputed: `explore(y)` replays the ops recorded in y's graph, in order, with
the engine's own Value ops (`x * w`, `tanh`), from the leaves' new numbers; then it runs
`backward()` on that graph. The numbers are written back into your Values, as if you had
built y again and called y.backward() once: after a change in the widget, `x.data`, `y.data`
and `x.grad` say what the picture says. The same happens when the explorer opens, so
`explore(y)` works before or after `y.backward()` (even once backward released the graph).
A graph with an op the replay does not know (a student's own op, an autograd.Function) is
shown and stepped through, but its numbers cannot be changed.

Tensors: `explore(loss, model=model, level="tensor")` shows one box per tensor op and steps
through the ops; `level="scalar"` (python backend) steps through every Value. A graph that is
already built can only be changed when it is a graph of Values (`explore(y)` for a Value y).

A function instead of a graph: change a weight, or train, and watch every number update.

    w = explore(lambda: criterion(model(X), y), model=model, level="tensor")
    w = explore(lambda: criterion(model(X), y), model=model, level="tensor", optimizer=optimizer)

`explore(fn)` calls fn (no arguments; it returns the root, a Value or a Tensor) and runs
backward on what it returns, with the real engine, every time something changes. The numbers to
change are the parameters: `model.named_parameters()` when a model is given, else the graph's
leaf tensors that require grad (leaf Values, for a graph of Values). A parameter of up to 32
numbers gets one box per number, below the graph; a bigger one is shown, not edited. With an
`optimizer` (of those parameters), the "step", "run 10" and "run 100" buttons train: each step
is the eager one, `optimizer.zero_grad(); fn().backward(); optimizer.step()`, so the model
itself learns, and the loss curve beside the graph grows by a point a step. A saved page has no
kernel: there the boxes and the training buttons are disabled.
"""

from __future__ import annotations

import html
import json
import math
import operator
import os
import re
import time
from collections.abc import Callable
from functools import cache, partial
from itertools import groupby
from pathlib import Path
from typing import Any

from micrograd_edu import elementary
from micrograd_edu.engine import Value, released, topological_order
from micrograd_edu.files import write_atomically
from micrograd_edu.grad_mode import set_grad_enabled
from micrograd_edu.tensor import Tensor
from micrograd_edu.viz.backward import backward_steps, backward_text
from micrograd_edu.viz.graph import HIGHLIGHTS, NO_GRAD, NOT_YET, Graph, to_digraph, trace
from micrograd_edu.viz.labels import format_number

ASSETS = Path(__file__).with_name("explorer")
NEEDS_KERNEL = "changing a number needs the kernel: run explore(y) in a notebook"
TRAIN_NEEDS_KERNEL = "training needs the kernel: run explore(fn, optimizer=...) in a notebook"
EDITABLE_NUMBERS = 32  # a parameter with more numbers than this is shown, not edited box by box

# The engine's forward ops by the name they record (`_op`): what a replay calls to recompute a node.
FORWARD: dict[str, Callable[..., Value]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "neg": operator.neg,
    "abs": operator.abs,
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "sin": elementary.sin,
    "cos": elementary.cos,
    "tan": elementary.tan,
    "sqrt": elementary.sqrt,
    "rsqrt": elementary.rsqrt,
    "log1p": elementary.log1p,
    "expm1": elementary.expm1,
    "erf": elementary.erf,
    "sign": elementary.sign,
    "maximum": elementary.maximum,
    "minimum": elementary.minimum,
    "//": elementary.floor_divide,
    "%": elementary.remainder,
}


class Explorer:
    """The explorer's numbers, computed in Python: the picture, each node's numbers and the
    backward walk, as one JSON-ready dict (`state()`); `set_leaf` recomputes them."""

    def __init__(
        self,
        root: Value | Tensor | Callable[[], Value | Tensor],
        model=None,
        names: dict | None = None,
        level: str = "scalar",
        optimizer=None,
    ):
        self.fn: Callable[[], Value | Tensor] | None = None
        if isinstance(root, (Value, Tensor)):
            built = root
            if optimizer is not None:
                raise ValueError(
                    "training needs a function to call each step: explore(lambda: criterion(model(X), y), "
                    "model=model, optimizer=optimizer), not a graph already built"
                )
        elif callable(root):
            self.fn = root
            built = self._call()
        else:
            raise TypeError(
                "explore takes a Value or a Tensor (a graph's output), or a function of no arguments "
                f"that returns one, got {type(root).__name__}"
            )
        if level not in ("scalar", "tensor"):
            raise ValueError(f"level must be 'scalar' or 'tensor', got {level!r}")
        if level == "tensor" and not isinstance(built, Tensor):
            raise ValueError("level='tensor' needs a Tensor; a Value is explored at level='scalar'")
        self.root: Value | Tensor = built
        self.model, self.names, self.level = model, names, level
        self.optimizer = optimizer
        self.losses: list[float] = []  # the loss of each training step taken, before its update
        self.order: list[Any] = self._order()
        if self.fn is not None:
            self.replay_problem = None
        else:
            self.replay_problem = _replay_problem(self.order) if isinstance(root, Value) else "tensor"
        self.seconds = 0.0  # how long the latest recompute took, in Python
        self._state = self._compute()

    @property
    def editable(self) -> bool:
        """Whether a leaf's number can be changed (and the graph recomputed) in Python."""
        return self.replay_problem is None

    def note(self) -> str:
        """What the page says about changing numbers, if they cannot be changed."""
        if self.replay_problem == "tensor":
            return "changing numbers is for a graph of Values: explore(y) for a Value y"
        if self.replay_problem:
            return f"numbers cannot be changed here: {self.replay_problem}"
        return ""

    def state(self) -> dict:
        """Everything the page shows: the SVG, the nodes' numbers and the backward walk."""
        return self._state

    def state_json(self) -> str:
        return json.dumps(self._state)

    def set_leaf(self, node_id: str, value: float) -> dict:
        """Give the leaf `node_id` (`v3`, as in the picture) the number `value`, and recompute
        forward and backward with the engine; the new state. On an error nothing changes."""
        if not self.editable:
            raise ValueError(self.note())
        index = _index_of(node_id, self.order)
        leaf = self.order[index]
        if not isinstance(leaf, Value):
            raise ValueError(f"{node_id} is a tensor: change its numbers with set_parameter")
        if leaf._prev:
            raise ValueError(f"{node_id} is computed by {leaf._op!r}, not a leaf: change one of its inputs")
        value = float(value)
        if self.fn is not None:
            return self._changed(leaf, value)
        old = [(v.data, v.grad) for v in self.order]
        leaf.data = value
        try:
            self._state = self._compute()
        except Exception:
            for v, (data, grad) in zip(self.order, old):
                v.data, v.grad = data, grad
            raise
        return self._state

    def set_parameter(self, name: str, index: int, value: float) -> dict:
        """Give element `index` (counted in the flattened tensor) of the parameter `name` the number
        `value`, call fn again and run backward; the new state. On an error nothing changes."""
        params = dict(self.parameters())
        if self.fn is None or name not in params:
            known = ", ".join(params) if self.fn is not None else "none: explore(fn) has them"
            raise ValueError(f"no parameter {name!r} to change; the parameters are {known}")
        p = params[name]
        if isinstance(p, Value):
            return self._changed(p, float(value))
        if not 0 <= int(index) < p.numel():
            raise ValueError(f"{name} has {p.numel()} numbers (indices 0 ... {p.numel() - 1}), not {index}")
        where = _unravel(int(index), tuple(p.shape))
        old = p.data[where].item()
        with set_grad_enabled(False):
            p.data[where] = float(value)
        try:
            self._state = self._compute()
        except Exception:
            with set_grad_enabled(False):
                p.data[where] = old
            self._state = self._compute()
            raise
        return self._state

    def parameters(self) -> list[tuple[str, Any]]:
        """The numbers a page can change in fn mode: the model's named parameters, or else the
        graph's leaves that require grad (leaf Values, in a graph of Values), by their names."""
        if self.fn is None or isinstance(self.root, Value):  # a leaf Value has its own box
            return []
        if self.model is not None and hasattr(self.model, "named_parameters"):
            return list(self.model.named_parameters())
        names = {id(v): k for k, v in (self.names or {}).items()}
        leaves = [t for t in self.order if not t._prev and (isinstance(t, Value) or t.requires_grad)]
        return [(names.get(id(t)) or getattr(t, "label", "") or f"leaf {i}", t) for i, t in enumerate(leaves)]

    def train(self, steps: int = 1) -> dict:
        """`steps` eager training steps (`optimizer.zero_grad(); fn().backward(); optimizer.step()`),
        then the state at the new parameters; each step's loss goes on the curve."""
        if self.fn is None or self.optimizer is None:
            raise ValueError(
                "training needs a function and an optimizer: explore(lambda: criterion(model(X), y), "
                "model=model, optimizer=optimizer)"
            )
        for _ in range(int(steps)):
            self.optimizer.zero_grad()
            loss = self.fn()
            loss.backward()
            self.optimizer.step()
            self.losses.append(_number(loss))
        self._state = self._compute()
        return self._state

    def html(self, title: str = "micrograd_edu explorer") -> str:
        """The explorer as one self-contained page: no network, no kernel."""
        state = dict(self._state, editable=False, note=NEEDS_KERNEL if self.editable else self.note())
        if state["train"]["can"]:
            state["train"] = dict(state["train"], can=False, note=TRAIN_NEEDS_KERNEL)
        script = (
            (ASSETS / "explorer.js").read_text(encoding="utf-8").replace("export default", "const widget =")
        )
        data = json.dumps(state).replace("</", "<\\/")
        return PAGE.format(
            title=html.escape(title),
            css=(ASSETS / "explorer.css").read_text(encoding="utf-8"),
            state=data,
            script=script,
        )

    def save_html(self, path: str | os.PathLike) -> Path:
        """Write `html()` to `path`, all or nothing."""
        return write_atomically(path, self.html())

    # ---- computing the state --------------------------------------------------------------

    def _call(self) -> Value | Tensor:
        """fn's root, with backward run on it from zero gradients."""
        assert self.fn is not None
        with set_grad_enabled(True):
            root = self.fn()
        if not isinstance(root, (Value, Tensor)):
            raise TypeError(f"explore's function must return a Value or a Tensor, got {type(root).__name__}")
        for v in topological_order([root]):
            if not v._prev:
                v.grad = 0.0 if isinstance(v, Value) else None
        root.backward(retain_graph=True)
        return root

    def _order(self) -> list[Any]:
        root = self.root
        if self.level == "tensor" or isinstance(root, Value):
            return topological_order([root])
        return topological_order(root.elements())

    def _changed(self, leaf: Value, value: float) -> dict:
        """fn mode: a leaf Value's number changed, fn called again; undone on an error."""
        old = leaf.data
        leaf.data = value
        try:
            self._state = self._compute()
            if all(v is not leaf for v in self.order):
                raise ValueError(
                    f"{leaf.label or 'this leaf'} is made anew each time explore's function runs, so a "
                    "change to it does not last: make it outside the function"
                )
        except Exception:
            leaf.data = old
            self._state = self._compute()
            raise
        return self._state

    def _compute(self) -> dict:
        start = time.perf_counter()
        if self.fn is not None and hasattr(self, "_state"):
            self.root = self._call()
            self.order = self._order()
        if self.level == "tensor":
            graph, groups = self._tensor_walk()
        else:
            graph, groups = self._value_walk()
        svg = annotate_svg(to_digraph(graph).pipe(format="svg").decode(), graph)
        nodes = {}
        index = self.order_index
        for node, v in zip(graph.nodes, self.order):
            leaf = not v._prev
            nodes[node.id] = {
                "title": node.title or node.id,
                "kind": node.kind,
                "shape": node.shape,
                "data": node.data,
                "grad": node.grad,
                "tooltip": node.tooltip,
                "op": "" if leaf else (v._op if isinstance(v, Value) else node.title.split()[0]),
                "inputs": [graph.nodes[index[id(k)]].id for k in v._prev],
                "leaf": leaf,
                "value": v.data if isinstance(v, Value) and leaf else None,
                "exact": _exact(v),
            }
        self.seconds = time.perf_counter() - start
        ids = {id(v): graph.nodes[i].id for i, v in enumerate(self.order)}
        params = []
        for name, p in self.parameters():
            flat = [p.data] if isinstance(p, Value) else p.detach().reshape(-1).tolist()
            params.append(
                {
                    "name": name,
                    "node": ids.get(id(p)),
                    "shape": [] if isinstance(p, Value) else list(p.shape),
                    "values": flat,
                    "editable": len(flat) <= EDITABLE_NUMBERS,
                }
            )
        loss = _number(self.root) if _is_scalar(self.root) else None
        return {
            "seconds": self.seconds,
            "level": self.level,
            "svg": svg,
            "nodes": nodes,
            "groups": groups,
            "editable": self.editable,
            "note": self.note(),
            "loss": loss,
            "params": params,
            "train": {
                "can": self.optimizer is not None,
                "note": "",
                "losses": self.losses + ([] if loss is None else [loss]) if self.optimizer else [],
            },
            "colours": {key: {"fill": f, "border": b} for key, (f, b, _, _) in HIGHLIGHTS.items()},
            "not_yet": NOT_YET,
            "no_grad": NO_GRAD,
        }

    @property
    def order_index(self) -> dict[int, int]:
        return {id(v): i for i, v in enumerate(self.order)}

    def _value_walk(self) -> tuple[Graph, list[dict]]:
        """Scalar level: run forward (replayed) and backward, then the steps of the walk."""
        if self.fn is None and self.editable:
            root = replay(self.order)
            root.backward(retain_graph=True)
            fresh = topological_order([root])
            for v, w in zip(self.order, fresh):  # the engine's numbers, into the user's Values
                v.data, v.grad = w.data, w.grad
            walk_root: Value | Tensor = root
            model, names = (
                _same_nodes(self.model, self.order, fresh),
                _same_nodes(self.names, self.order, fresh),
            )
        else:
            if any(v._backward is released for v in self.order):
                why = self.replay_problem or "backward() released it"
                raise ValueError(
                    f"this graph cannot be explored after backward() released it ({why}): call explore "
                    "before loss.backward(), or call backward(retain_graph=True)"
                )
            if not _has_grads(self.root):
                self.root.backward(retain_graph=True)
            walk_root, model, names = self.root, self.model, self.names
        graph = trace(self.root, "scalar", self.model, self.names)
        ids = [node.id for node in graph.nodes]
        index = {id(v): i for i, v in enumerate(topological_order(_roots(walk_root)))}
        steps = backward_steps(walk_root, model, names)
        headings = [
            line for line in backward_text(walk_root, model, names).split("\n") if not line.startswith(" ")
        ]
        known: dict[str, float] = {}
        groups: list[dict] = []
        for heading, (_, same_out) in zip(headings, groupby(steps, key=lambda s: id(s.out))):
            group = list(same_out)
            out = ids[index[id(group[0].out)]]
            updates = {} if groups else {out: format_number(group[0].out_grad)}
            lines = []
            for step in group:
                target = ids[index[id(step.input)]]
                known[target] = known.get(target, 0.0) + step.product
                updates[target] = format_number(known[target])
                lines.append({"input": target, "text": step.text})
            groups.append({"node": out, "heading": heading, "lines": lines, "updates": updates})
        return graph, groups

    def _tensor_walk(self) -> tuple[Graph, list[dict]]:
        """Tensor level: one step per op, outputs first; a tensor's gradient shows once complete."""
        if not _has_grads(self.root):
            self.root.backward(retain_graph=True)
        graph = trace(self.root, "tensor", self.model, self.names)
        ids = [node.id for node in graph.nodes]
        index = self.order_index
        users: dict[str, list[str]] = {}
        for a, b in graph.edges:
            users.setdefault(a, []).append(b)
        ops = [i for i in reversed(range(len(self.order))) if self.order[i]._prev]
        done: set[str] = set()
        groups: list[dict] = []
        for i in ops:
            node, t = graph.nodes[i], self.order[i]
            done.add(node.id)
            inputs = [graph.nodes[index[id(k)]] for k in t._prev]
            updates = {} if groups else {node.id: node.grad}
            for k in inputs:
                if k.grad != NO_GRAD and all(u in done for u in users[k.id]):
                    updates[k.id] = k.grad
            names = ", ".join(k.title or k.id for k in inputs)
            heading = f"{node.title}: its backward hands gradient to {names}"
            lines = [
                {
                    "input": k.id,
                    "text": f"{k.title or k.id}.grad += the {node.title} backward of {node.title}.grad",
                }
                for k in inputs
                if k.grad != NO_GRAD
            ]
            groups.append({"node": ids[i], "heading": heading, "lines": lines, "updates": updates})
        return graph, groups


def explore(
    root: Value | Tensor | Callable[[], Value | Tensor],
    model=None,
    names: dict | None = None,
    level: str = "scalar",
    optimizer=None,
):
    """A widget to explore `root`'s graph in a notebook (see the module docstring).

    `root` is a graph's output, or a function of no arguments that builds one (called again on
    every change; with an `optimizer`, the page trains). `model` and `names` name the nodes as
    in `draw`. Needs the anywidget package: `pip install micrograd_edu[live]`. Without it,
    `save_explorer` still writes the page.
    """
    return _widget_class()(Explorer(root, model, names, level, optimizer))


def save_explorer(
    root: Value | Tensor | Callable[[], Value | Tensor],
    path: str | os.PathLike,
    model=None,
    names: dict | None = None,
    level: str = "scalar",
) -> Path:
    """Write the explorer of `root`'s graph as one self-contained HTML page (no kernel needed)."""
    return Explorer(root, model, names, level).save_html(path)


@cache
def _widget_class():
    try:
        import anywidget
        import traitlets
    except ImportError as e:
        raise ImportError(
            "the live explorer needs the anywidget package: pip install micrograd_edu[live] "
            "(save_explorer(y, 'y.html') writes the same explorer as a page without it)"
        ) from e

    class ExplorerWidget(anywidget.AnyWidget):
        """The explorer in a notebook: the page's script, with the kernel behind it."""

        _esm = ASSETS / "explorer.js"
        _css = ASSETS / "explorer.css"
        state = traitlets.Unicode("{}").tag(sync=True)

        def __init__(self, explorer: Explorer) -> None:
            super().__init__()
            self.explorer = explorer
            self.state = explorer.state_json()
            self.on_msg(self._message)

        def _message(self, _widget, content: dict, _buffers) -> None:
            kind = content.get("type")
            if kind not in ("leaf", "parameter", "train"):
                return
            try:
                if kind == "leaf":
                    self.explorer.set_leaf(str(content["id"]), float(content["value"]))
                elif kind == "parameter":
                    self.explorer.set_parameter(
                        str(content["name"]), int(content["index"]), float(content["value"])
                    )
                else:
                    self.explorer.train(int(content["steps"]))
            except Exception as e:  # the page says what went wrong; the numbers stay as they were
                self.send({"type": "error", "text": f"{type(e).__name__}: {e}"})
                return
            self.state = self.explorer.state_json()

        def save_html(self, path: str | os.PathLike) -> Path:
            """This explorer as one self-contained HTML page (no kernel: numbers read-only)."""
            return self.explorer.save_html(path)

    return ExplorerWidget


# ---- replaying a graph of Values --------------------------------------------------------------


def replay(order: list[Value]) -> Value:
    """The graph behind `order` (a topological order) built again from its leaves' numbers with
    the engine's ops: new Values, with the same labels; its last node."""
    made: dict[int, Value] = {}
    with set_grad_enabled(True):
        for v in order:
            if v._prev:
                made[id(v)] = _forward(v)(*(made[id(k)] for k in v._prev))
                made[id(v)].label = v.label
            else:
                made[id(v)] = Value(v.data, label=v.label)
    return made[id(order[-1])]


def _forward(v: Value) -> Callable[..., Value]:
    backward = v._backward
    constants = backward.args if isinstance(backward, partial) else None  # a power's n, clamp's bounds
    if v._op.startswith("**") and v._op != "**":
        n = constants[0] if constants else float(v._op[2:])
        return lambda a: a**n
    if v._op == "clamp":
        if constants is None:
            raise ValueError("backward() released clamp's bounds")
        low, high = constants
        return lambda a: a.clamp(low, high)
    if v._op not in FORWARD:
        raise ValueError(f"the op {v._op!r} is not one of the engine's")
    return FORWARD[v._op]


def _replay_problem(order: list[Value]) -> str | None:
    """Why the graph cannot be replayed (None if it can): the replay must give every number back."""
    try:
        root = replay(order)
    except (ValueError, ArithmeticError) as e:
        return str(e)
    for v, w in zip(order, topological_order([root])):
        if not _same(v.data, w.data):
            return (
                f"its {v._op or 'leaf'} node {v.label or ''} gives {w.data!r} when recomputed, not {v.data!r}"
            )
    return None


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _same_nodes(names, old: list[Value], new: list[Value]):
    """`model` or `names` (Values) pointed at the replayed graph's nodes instead."""
    if names is None:
        return None
    to_new = {id(v): w for v, w in zip(old, new)}
    if isinstance(names, dict):
        return {name: to_new.get(id(v), v) for name, v in names.items()}
    params = names.parameters() if hasattr(names, "parameters") else names
    return [to_new.get(id(p), p) for p in params]


def _roots(root: Value | Tensor) -> list[Value]:
    return [root] if isinstance(root, Value) else root.elements()


def _has_grads(root: Value | Tensor) -> bool:
    """Whether backward() has reached `root` (its grad is set)."""
    if isinstance(root, Value):
        return root.grad is not None and root.grad != 0.0
    return any(t.grad is not None for t in topological_order([root]) if not t._prev and t.requires_grad)


def _is_scalar(root: Value | Tensor) -> bool:
    return isinstance(root, Value) or root.numel() == 1


def _number(root: Value | Tensor) -> float:
    """A loss as a float: a Value's data, a one-number Tensor's item()."""
    return root.data if isinstance(root, Value) else float(root.item())


def _unravel(index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The position of element `index` of a flattened tensor of `shape` (row-major)."""
    where = []
    for size in reversed(shape):
        index, rest = divmod(index, size)
        where.append(rest)
    return tuple(reversed(where))


def _exact(v) -> dict:
    """A Value's numbers in full (the box rounds them), for the panel."""
    if not isinstance(v, Value):
        return {}
    grad = v.grad.data if isinstance(v.grad, Value) else v.grad
    return {"data": repr(v.data), "grad": None if grad is None else repr(float(grad))}


def _index_of(node_id: str, order: list) -> int:
    match = re.fullmatch(r"[vt](\d+)", node_id)
    if not match or int(match.group(1)) >= len(order):
        raise ValueError(f"no node {node_id!r} in this graph: the ids are v0 ... v{len(order) - 1}")
    return int(match.group(1))


# ---- the SVG, ready to update ---------------------------------------------------------------


def annotate_svg(svg: str, graph: Graph) -> str:
    """graphviz's SVG with `data-node-id` on each box's group (graphviz numbers boxes in the order
    they were added: node1 is the first), and `data-role` on the numbers a step changes."""
    svg = svg[svg.index("<svg") :]
    out = []
    lines = svg.split("\n")
    current = ""
    for i, line in enumerate(lines):
        match = re.match(r'<g id="node(\d+)" class="node">', line)
        if match:
            current = graph.nodes[int(match.group(1)) - 1].id
            line = line.replace(' class="node">', f' class="node" data-node-id="{current}">')
        elif current and re.match(r"<text (?![^>]*font-weight)[^>]*>grad</text>", line):
            rest = lines[i + 1 : i + 3]
            if rest and rest[0].startswith("<polygon") and 'stroke="transparent"' in rest[0]:
                lines[i + 1] = rest[0].replace("<polygon ", '<polygon data-role="shade" ', 1)
                lines[i + 2] = rest[1].replace("<text ", '<text data-role="grad" ', 1)
            elif rest and rest[0].startswith("<text"):
                lines[i + 1] = rest[0].replace("<text ", '<text data-role="grad" ', 1)
        elif line.startswith("</g>") and current and lines[i - 1].startswith("</g>"):
            current = ""
        out.append(line)
    return "\n".join(out)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 16px; font-family: Helvetica, Arial, sans-serif; }}
{css}
</style></head>
<body>
<div id="mge-root"></div>
<script id="mge-state" type="application/json">{state}</script>
<script type="module">
{script}
const state = JSON.parse(document.getElementById("mge-state").textContent);
const model = {{ get: () => JSON.stringify(state), set() {{}}, save_changes() {{}}, on() {{}}, send: null }};
widget.render({{ model, el: document.getElementById("mge-root") }});
</script>
</body></html>
"""
