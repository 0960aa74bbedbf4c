"""Draw the graph a loss was computed by: every Value (scalar level) or every tensor op
(tensor level), with its data and gradient, coloured by what it is.

    dot = draw(loss, model=model)        # a graphviz.Digraph: shows inline in a notebook
    dot.render("graph", format="png")     # or save_graph(dot, "graph.png")

Node ids come from the graph's structure (its topological order), never from `id()`,
so the same model drawn at two training steps gives the same layout.
"""

from __future__ import annotations

import html
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from micrograd_edu.engine import Value, topological_order
from micrograd_edu.files import write_atomically
from micrograd_edu.tensor import Tensor, observe_backward
from micrograd_edu.viz.labels import Named, element_names, format_number, names_of

MAX_NODES = 1500  # past this, dot takes minutes and the picture is unreadable

KINDS = {  # kind: (fill colour, border colour, border style, what the legend says)
    "input": ("#dbeafe", "#2563eb", "solid", "input (data)"),
    "parameter": ("#fde68a", "#b45309", "rounded", "parameter"),
    "constant": ("#f3f4f6", "#9ca3af", "dashed", "constant"),
    "intermediate": ("#ffffff", "#374151", "solid", "computed"),
    "output": ("#fecaca", "#b91c1c", "rounded", "output / loss"),
}
HIGHLIGHTS = {  # highlight: (fill colour or "", border colour or "", border width, what the legend says)
    "active": ("", "#111827", 4, "its _backward runs"),
    "receiving": ("#86efac", "#15803d", 2, "receives gradient"),
}


@dataclass
class Node:
    """One box of the picture: what it is and the numbers it shows."""

    id: str
    kind: str
    title: str
    data: str
    grad: str
    shade: float  # the gradient over the graph's largest, in [-1, 1] (a tensor's largest element)
    shape: str = ""
    highlight: str = ""  # "", or a key of HIGHLIGHTS: what this box is doing in a backward walkthrough


@dataclass
class Graph:
    """A traced graph, ready to draw: nodes in topological order and (input, output) edges."""

    level: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)


def trace(root: Value | Tensor, level: str = "scalar", model=None, names: dict | None = None) -> Graph:
    """Walk the graph behind `root` (no recursion) into nodes and edges.

    `model` says which leaves are parameters: a Module (named as in `named_parameters()`),
    anything with `parameters()`, or a plain list such as [w1, w2, b] (named by their labels).
    `names` maps more names to tensors or Values, e.g. {"X": X, "y": y}.
    """
    if level not in ("scalar", "tensor"):
        raise ValueError(f"level must be 'scalar' or 'tensor', got {level!r}")
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"draw/trace takes a Value or a Tensor, got {type(root).__name__}")
    named = names_of(model, names)
    if level == "tensor":
        if not isinstance(root, Tensor):
            raise ValueError("level='tensor' needs a Tensor; a Value is drawn at level='scalar'")
        return _trace_tensors(root, named)
    return _trace_values(root, named)


def _trace_values(root: Value | Tensor, named: Named) -> Graph:
    if isinstance(root, Tensor) and root.backend != "python":
        raise ValueError(
            "level='scalar' draws Values, which only the python backend has: draw this numpy-backend "
            "tensor with level='tensor', or build it with backend='python'"
        )
    roots = root.elements() if isinstance(root, Tensor) else [root]
    labels = element_names(root, named) if isinstance(root, Tensor) else {}
    order = topological_order(roots)
    _check_size(len(order), "Values", "level='tensor' (for a Tensor) or a smaller example")
    ids = {id(v): f"v{i}" for i, v in enumerate(order)}
    outputs = {id(v) for v in roots}
    largest = max((abs(_number(v.grad)) for v in order), default=0.0)
    graph = Graph("scalar")
    for v in order:
        name, kind = labels.get(id(v)) or named.get(id(v)) or (v.label, "")
        if id(v) in outputs:
            kind = "output"
        elif not kind:
            kind = ("input" if v.label else "constant") if not v._prev else "intermediate"
        title = (
            (name or ("const" if kind == "constant" else "")) if not v._prev else f"{v._op}  {name}".strip()
        )
        grad = _number(v.grad)
        graph.nodes.append(
            Node(
                ids[id(v)],
                kind,
                title,
                format_number(v.data),
                format_number(grad),
                grad / largest if largest else 0.0,
            )
        )
        graph.edges += [(ids[id(k)], ids[id(v)]) for k in v._prev]
    return graph


def _trace_tensors(root: Tensor, named: Named) -> Graph:
    order = topological_order([root])
    _check_size(len(order), "tensors", "a smaller model")
    ids = {id(t): f"t{i}" for i, t in enumerate(order)}
    grads = {id(t): _tensor_grad(t) for t in order}
    peaks = {k: max(g, key=abs, default=0.0) if g is not None else 0.0 for k, g in grads.items()}
    largest = max(map(abs, peaks.values()), default=0.0)
    graph = Graph("tensor")
    for t in order:
        name, kind = named.get(id(t), ("", ""))
        if t is root:
            kind = "output"
        elif t._prev:
            kind = "intermediate"
        elif not kind:
            kind = "parameter" if t.requires_grad else "constant"
        op = t._op.removesuffix("Backward0").removesuffix("Backward1") if t._prev else ""
        title = " ".join(x for x in (op, name) if x) or ("tensor" if t.shape else format_number(t.item()))
        values = t.data.flatten().tolist()
        data = " ".join(format_number(x) for x in values[:2]) + (" …" if len(values) > 2 else "")
        g = grads[id(t)]
        grad = "" if g is None else " ".join(format_number(x) for x in g[:2]) + (" …" if len(g) > 2 else "")
        shape = "×".join(map(str, t.shape)) or "scalar"
        graph.nodes.append(
            Node(ids[id(t)], kind, title, data, grad, peaks[id(t)] / largest if largest else 0, shape)
        )
        graph.edges += [(ids[id(p)], ids[id(t)]) for p in t._prev]
    return graph


def _check_size(n: int, what: str, instead: str) -> None:
    if n > MAX_NODES:
        raise ValueError(
            f"this graph has {n:,} {what}, more than the {MAX_NODES:,} that can be drawn legibly "
            f"(dot would take minutes). Draw {instead}, or raise micrograd_edu.viz.graph.MAX_NODES."
        )


def _number(g) -> float:
    return g.data if isinstance(g, Value) else float(g)


def _tensor_grad(t: Tensor) -> list[float] | None:
    """A tensor's gradient: its .grad, or else the gradient that reached it in the latest
    backward pass (which PyTorch would not keep; the pictures watch for it)."""
    g = t.grad if t.grad is not None else _latest.get(t)
    return None if g is None else g.detach().flatten().tolist()


class _LatestGradients:
    """The gradient each tensor got in its latest backward pass, kept as long as the tensor lives."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[weakref.ref, Tensor]] = {}

    def remember(self, t: Tensor, g: Tensor) -> None:
        key = id(t)
        self._by_id[key] = (weakref.ref(t, lambda _: self._by_id.pop(key, None)), g)

    def get(self, t: Tensor) -> Tensor | None:
        entry = self._by_id.get(id(t))
        return entry[1] if entry is not None and entry[0]() is t else None


_latest = _LatestGradients()
observe_backward(_latest.remember)


# ---- to graphviz ------------------------------------------------------------------------------


def to_digraph(graph: Graph, title: str = "", legend: bool = True, rankdir: str | None = None):
    """A graphviz.Digraph of a traced graph (HTML-like labels: any text is escaped).

    Values flow left to right (`rankdir="LR"`), tensor ops top to bottom ("TB"), unless asked.
    """
    graphviz = _graphviz()
    rankdir = rankdir or ("LR" if graph.level == "scalar" else "TB")
    dot = graphviz.Digraph(graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.15"})
    dot.attr("node", shape="plaintext", fontname="Helvetica", fontsize="11")
    dot.attr("edge", color="#6b7280", arrowsize="0.6")
    if title:  # a title of several lines reads left-aligned
        lines = [html.escape(line) for line in title.split("\n")]
        text = lines[0] if len(lines) == 1 else "".join(line + '<br align="left"/>' for line in lines)
        dot.attr(label="<" + text + ">", labelloc="t", fontsize="16")
    for node in graph.nodes:
        dot.node(node.id, "<" + _label(node) + ">")
    for a, b in graph.edges:
        dot.edge(a, b)
    if legend:
        dot.node("legend", "<" + _legend(any(node.highlight for node in graph.nodes)) + ">")
    return dot


def _label(node: Node) -> str:
    fill, border, style, _ = KINDS[node.kind]
    width = 2 if node.kind == "output" else 1
    if node.highlight:
        fill_, border_, width, _ = HIGHLIGHTS[node.highlight]
        fill, border = fill_ or fill, border_ or border
    rows = [f'<tr><td colspan="2"><b>{html.escape(node.title)}</b></td></tr>'] if node.title else []
    if node.shape:
        rows.append(f'<tr><td colspan="2"><font point-size="9">{html.escape(node.shape)}</font></td></tr>')
    rows.append(f'<tr><td align="left">data</td><td align="right">{html.escape(node.data)}</td></tr>')
    if node.grad:
        cell = f'<td align="right" bgcolor="{_shade(node.shade)}">{html.escape(node.grad)}</td>'
        rows.append(f'<tr><td align="left">grad</td>{cell}</tr>')
    return _table(rows, fill, border, width, style)


def _legend(highlights: bool = False) -> str:
    cells = [
        f'<td bgcolor="{fill}" border="{2 if kind == "output" else 1}" color="{border}" style="{style}">'
        f"{words}</td>"
        for kind, (fill, border, style, words) in KINDS.items()
    ]
    if highlights:
        cells += [
            f'<td bgcolor="{fill or "#ffffff"}" border="{width}" color="{border}">{html.escape(words)}</td>'
            for fill, border, width, words in HIGHLIGHTS.values()
        ]
    cells += [
        f'<td bgcolor="{_shade(1.0)}">grad &gt; 0</td>',
        f'<td bgcolor="{_shade(-1.0)}">grad &lt; 0</td>',
    ]
    return '<table border="0" cellspacing="4"><tr>' + "".join(cells) + "</tr></table>"


def _table(rows: list[str], fill: str, border: str, width: int = 1, style: str = "solid") -> str:
    head = (
        f'<table border="{width}" cellborder="0" cellspacing="0" cellpadding="3" '
        f'color="{border}" bgcolor="{fill}" style="{style}">'
    )
    return head + "".join(rows) + "</table>"


def _shade(shade: float) -> str:
    """White for no gradient, towards red (positive) or blue (negative) the larger it is."""
    t = 0.15 + 0.85 * min(abs(shade), 1.0) if shade else 0.0
    target = (96, 165, 250) if shade < 0 else (248, 113, 113)
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in target)


def save_graph(dot, path: str | os.PathLike, format: str | None = None) -> Path:
    """Render a Digraph with graphviz's `dot` into `path` (svg, png, pdf, ...: from the suffix).

    Without `dot` installed this raises a RuntimeError that says how to install it; the
    Digraph itself (`dot.source`, `dot.save("graph.gv")`) needs no `dot` at all.
    """
    path = Path(path)
    fmt = format or path.suffix.lstrip(".") or "svg"
    graphviz = _graphviz()
    try:
        image = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(
            "rendering needs graphviz's `dot` program, which is not installed (or not on PATH). "
            "Install it with: apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
            "or conda install graphviz. The graph's source is still available: dot.save('graph.gv')."
        ) from None
    return write_atomically(path, image)


def draw(root: Value | Tensor, level: str = "scalar", model=None, names: dict | None = None, title: str = ""):
    """Trace `root`'s graph and return it as a graphviz.Digraph (see `trace` for the options)."""
    return to_digraph(trace(root, level, model, names), title)


def _graphviz():
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "drawing graphs needs the graphviz package: pip install 'micrograd_edu[viz]'"
        ) from e
    return graphviz
