"""Draw the graph a loss was computed by: every Value (scalar level) or every tensor op
(tensor level), with its data and gradient, coloured by what it is.

    dot = draw(loss, model=model)        # a graphviz.Digraph: shows inline in a notebook
    save_graph(dot, "graph.png")          # all or nothing (graphviz's own dot.render is not)

Node ids come from the graph's structure (its topological order), never from `id()`,
so the same model drawn at two training steps gives the same layout. A number that is nan
or inf is drawn as one, in a box marked as a warning; any label draws (see `printable`).
"""

from __future__ import annotations

import html
import math
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from micrograd_edu.autograd.function import is_function_hub
from micrograd_edu.engine import Value, topological_order
from micrograd_edu.files import write_atomically
from micrograd_edu.tensor import Tensor, observe_backward
from micrograd_edu.viz.install import install_hint
from micrograd_edu.viz.labels import (
    WARNING_BORDER,
    WARNING_FILL,
    Named,
    element_names,
    format_number,
    leaf_names,
    names_of,
    number_name,
    printable,
    values_requiring_grad,
)

MAX_NODES = 1500  # past this, dot takes minutes and the picture is unreadable

KINDS = {  # kind: (fill colour, border colour, border style, what the legend says)
    "input": ("#dbeafe", "#2563eb", "solid", "input"),
    "parameter": ("#fde68a", "#b45309", "rounded", "parameter"),
    "constant": ("#f3f4f6", "#9ca3af", "dashed", "constant"),
    "intermediate": ("#ffffff", "#374151", "solid", "computed"),
    "output": ("#fecaca", "#b91c1c", "rounded", "output / loss"),
}
HIGHLIGHTS = {  # highlight: (fill colour or "", border colour or "", border width, what the legend says)
    "active": ("", "#111827", 4, "its _backward runs"),
    "receiving": ("#86efac", "#15803d", 2, "receives gradient"),
}
NONFINITE = "nan or inf"  # what the legend calls a number that overflowed or is undefined
NO_GRAD = "no grad"  # requires_grad=False: no gradient is computed for it (its .grad is None)
NOT_YET = "—"  # a gradient that backward has not computed yet
MUTED = "#6b7280"  # the colour of "no grad" and of the edges
RANKSEP = {"LR": "0.35", "TB": "0.12", "RL": "0.35", "BT": "0.12"}  # inches between ranks: short edges
# top to bottom, so that a tensor graph of a dozen ops fits a slide's height


def colours() -> list[str]:
    """Every flat colour a picture uses: white, black, the edges and "no grad", each kind's fill
    and border, the highlights and the legend's two gradient colours (a GIF keeps them exact)."""
    kinds = [c for fill, border, _, _ in KINDS.values() for c in (fill, border)]
    highlights = [c for fill, border, _, _ in HIGHLIGHTS.values() for c in (fill, border) if c]
    flat = ["#ffffff", "#000000", MUTED, *kinds, *highlights, _shade(1.0), _shade(-1.0)]
    return list(dict.fromkeys([*flat, WARNING_FILL, WARNING_BORDER]))


@dataclass
class Node:
    """One box of the picture: what it is and the numbers it shows."""

    id: str
    kind: str
    title: str
    data: str
    grad: str  # a number, NO_GRAD or NOT_YET
    shade: float  # the gradient over the graph's largest, in [-1, 1] (a tensor's largest element)
    shape: str = ""
    highlight: str = ""  # "", or a key of HIGHLIGHTS: what this box is doing in a backward walkthrough
    tooltip: str = ""  # what a browser shows on hovering over the box (SVG): every number it has
    nonfinite: tuple[str, ...] = ()  # "data", "grad": which of its numbers hold a nan or an inf


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
    `names` maps more names to tensors or Values, e.g. {"X": X, "y": y}: they are drawn as inputs.
    A tensor that does not require grad (and each Value inside it) shows "no grad", as its
    `.grad` is None; a plain Value graph has a gradient in every Value, as the engine computes.
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
    tracked = values_requiring_grad(root) if isinstance(root, Tensor) else None  # None: every Value
    order = topological_order(roots)
    _check_size(len(order), "Values", "level='tensor' (for a Tensor) or a smaller example")
    ids = {id(v): f"v{i}" for i, v in enumerate(order)}
    outputs = {id(v) for v in roots}
    has_grad = [tracked is None or id(v) in tracked for v in order]
    largest = max(
        (
            abs(_number(v.grad))
            for v, g in zip(order, has_grad)
            if g and v.grad is not None and math.isfinite(_number(v.grad))
        ),
        default=0.0,
    )
    graph = Graph("scalar")
    for v, with_grad in zip(order, has_grad):
        name, kind = labels.get(id(v)) or named.get(id(v)) or (v.label, "")
        if id(v) in outputs:
            kind = "output"
        elif not kind:
            kind = ("input" if v.label else "constant") if not v._prev else "intermediate"
        title = f"{v._op}  {name}".strip() if v._prev else name or number_name(v.data)
        grad = 0.0 if v.grad is None else _number(v.grad)  # None: no gradient yet
        shown = NO_GRAD if not with_grad else NOT_YET if v.grad is None else format_number(grad)
        shade = grad / largest if largest and with_grad and math.isfinite(grad) else 0.0
        node = Node(ids[id(v)], kind, title, format_number(v.data), shown, shade)
        node.nonfinite = _nonfinite([v.data], [grad] if shown not in (NO_GRAD, NOT_YET) else [])
        node.tooltip = _tooltip(node, [repr(v.data)], None if shown in (NO_GRAD, NOT_YET) else [repr(grad)])
        if is_function_hub(v):  # a custom Function: no number of its own, its backward is on tensors
            node.title, node.data, node.grad, node.shade = f"{v._op}.apply", "", "", 0.0
            node.tooltip = f"{v._op}: an autograd.Function, its backward works on whole tensors"
        graph.nodes.append(node)
        graph.edges += [(ids[id(k)], ids[id(v)]) for k in v._prev]
    return graph


def _trace_tensors(root: Tensor, named: Named) -> Graph:
    order = topological_order([root])
    _check_size(len(order), "tensors", "a smaller model")
    ids = {id(t): f"t{i}" for i, t in enumerate(order)}
    leaves = leaf_names(root, named)
    grads = {id(t): _tensor_grad(t) for t in order}
    peaks = {k: max(_finite(g or []), key=abs, default=0.0) for k, g in grads.items()}
    largest = max(map(abs, peaks.values()), default=0.0)
    graph = Graph("tensor")
    for t in order:
        name, kind = leaves.get(id(t)) or named.get(id(t), ("", ""))
        if t is root:
            kind = "output"
        elif t._prev:
            kind = "intermediate"
        op = t._op.removesuffix("Backward0").removesuffix("Backward1") if t._prev else ""
        title = " ".join(x for x in (op, name) if x)
        values = t.data.flatten().tolist()
        g = grads[id(t)]
        if not t.requires_grad:
            grad = NO_GRAD
        elif g is None:
            grad = NOT_YET
        else:
            grad = _first_numbers(g)
        shape = str(tuple(t.shape)) if t.shape else "scalar"  # as t.shape prints: (4, 2), (4,)
        node = Node(
            ids[id(t)],
            kind,
            title,
            _first_numbers(values),
            grad,
            peaks[id(t)] / largest if largest else 0,
            shape,
        )
        node.nonfinite = _nonfinite(values, g if t.requires_grad and g is not None else [])
        node.tooltip = _tooltip(
            node, [format_number(x) for x in values], None if g is None else [format_number(x) for x in g]
        )
        graph.nodes.append(node)
        graph.edges += [(ids[id(p)], ids[id(t)]) for p in t._prev]
    return graph


def _first_numbers(values: list[float]) -> str:
    """The first two numbers of a tensor, and an ellipsis if there are more (saying so if a nan
    or an inf is among them)."""
    rest = sorted({format_number(x) for x in values[2:] if not math.isfinite(x)})
    more = f" … {', '.join(rest)}" if rest else " …" if len(values) > 2 else ""
    return " ".join(format_number(x) for x in values[:2]) + more


def _finite(xs: list[float]) -> list[float]:
    return [x for x in xs if math.isfinite(x)]


def _nonfinite(data: list[float], grad: list[float]) -> tuple[str, ...]:
    """Which of a box's numbers, its data and its gradient, hold a nan or an inf."""
    return tuple(part for part, xs in (("data", data), ("grad", grad)) if len(_finite(xs)) < len(xs))


def _tooltip(node: Node, data: list[str], grad: list[str] | None, most: int = 16) -> str:
    """A box's hover text: its title and shape, then its numbers (up to `most` of each)."""

    def numbers(xs: list[str]) -> str:
        return " ".join(xs[:most]) + (f" … ({len(xs)} in all)" if len(xs) > most else "")

    head = printable(" ".join(x for x in (node.title, node.shape) if x))  # a label's newline shows as \n
    lines = [head or node.id, f"data: {numbers(data)}"]
    if grad is not None:
        lines.append(f"grad: {numbers(grad)}")
    else:
        lines.append("grad: none (requires_grad=False)" if node.grad == NO_GRAD else "grad: not computed yet")
    return "\n".join(lines)


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
    The title and a legend of what the picture holds (only that) stand above the graph.
    In an SVG, hovering over a box shows its name and its numbers.
    """
    graphviz = _graphviz()
    rankdir = rankdir or ("LR" if graph.level == "scalar" else "TB")
    lines = title.split("\n") if title else []
    dot = graphviz.Digraph(
        name=_svg_text(_dot_name(lines[0] if lines and lines[0] else "micrograd_edu graph"), graphviz),
        graph_attr={
            "rankdir": rankdir,
            "fontname": "Helvetica",
            "nodesep": "0.15",
            "ranksep": RANKSEP[rankdir],
        },
    )
    dot.attr("node", shape="plaintext", fontname="Helvetica", fontsize="11")
    dot.attr("edge", color=MUTED, arrowsize="0.6")
    heading = _heading(lines, _legend(graph) if legend else "")
    if heading:
        dot.attr(label="<" + heading + ">", labelloc="t", labeljust="l", fontsize="16")
    names = dict(zip((node.id for node in graph.nodes), _node_names(graph)))
    for node in graph.nodes:
        name = names[node.id]
        tooltip = _esc_string(node.tooltip or name, graphviz)
        dot.node(_svg_text(name, graphviz), "<" + _label(node) + ">", tooltip=tooltip)
    for a, b in graph.edges:
        tooltip = _esc_string(f"{names[a]} → {names[b]}", graphviz)
        dot.edge(_svg_text(names[a], graphviz), _svg_text(names[b], graphviz), tooltip=tooltip)
    return dot


def _node_names(graph: Graph) -> list[str]:
    """A graphviz name per box, unique, from its title (what an SVG's <title> shows): fc1.weight,
    Addmm, Addmm (2); the same at every training step, as the titles are."""
    seen: dict[str, int] = {}
    out = []
    for node in graph.nodes:
        base = _dot_name(node.title or node.id)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out


def _dot_name(text: str) -> str:
    """Text as a graphviz name: a colon would name a port, and a backslash would escape what
    follows it (so each becomes a look-alike)."""
    return printable(text).replace(":", "∶").replace("\\", "∖")


def _esc_string(text: str, graphviz) -> str:
    """Text for an attribute graphviz reads as an escString (a tooltip), shown as it is: its lines
    kept, and each backslash written as four (graphviz halves them twice, and \\N would stand for
    the node's name)."""
    lines = "\n".join(printable(line) for line in text.split("\n"))
    return _svg_text(lines.replace("\\", "\\" * 4), graphviz)


def _svg_text(text: str, graphviz) -> str:
    """Plain text that graphviz copies into an SVG attribute or title: never read as HTML (as
    <...> would be), and an & written as &amp; (graphviz passes on what looks like an entity
    already, so "&amp;" typed would show as "&")."""
    return graphviz.nohtml(text.replace("&", "&amp;"))


def _html(text: str) -> str:
    """Text inside an HTML-like label: any characters, shown as they are (a backslash doubled, as
    graphviz reads \\N as the node's name and \\\\ as one backslash; a "]" as its number, as
    graphviz 2.43 cannot read one that follows a tag)."""
    return html.escape(printable(text)).replace("\\", "\\\\").replace("]", "&#93;")


def _heading(lines: list[str], legend: str) -> str:
    """The title's lines (left-aligned) above the legend, as one HTML-like table."""
    rows = [
        f'<tr><td align="left"><font point-size="16">{_html(line) or " "}</font></td></tr>' for line in lines
    ]
    if legend:
        rows.append(f'<tr><td align="left">{legend}</td></tr>')
    return '<table border="0" cellspacing="2" cellpadding="0">' + "".join(rows) + "</table>" if rows else ""


def _label(node: Node) -> str:
    fill, border, style, _ = KINDS[node.kind]
    width = 2 if node.kind == "output" else 1
    if node.nonfinite:  # the border warns, unless a walkthrough highlights the box
        border, width = WARNING_BORDER, 3
    if node.highlight:
        fill_, border_, width, _ = HIGHLIGHTS[node.highlight]
        fill, border = fill_ or fill, border_ or border
    head = f"<b>{_html(node.title)}</b>" if node.title else ""
    if node.shape:  # a tensor's shape, small, beside its name
        head += f'  <font point-size="9">{_html(node.shape)}</font>'
    rows = [f'<tr><td colspan="2">{head}</td></tr>'] if head else []
    if not node.data:  # a custom Function's hub: no numbers of its own
        rows.append(f'<tr><td colspan="2"><font color="{MUTED}"><i>backward on tensors</i></font></td></tr>')
        return _table(rows, fill, border, width, style)
    warn = f' bgcolor="{WARNING_FILL}"'
    data_colour = warn if "data" in node.nonfinite else ""
    rows.append(f'<tr><td align="left">data</td><td align="right"{data_colour}>{_html(node.data)}</td></tr>')
    if node.grad == NO_GRAD:
        cell = f'<td align="right"><font color="{MUTED}"><i>{NO_GRAD}</i></font></td>'
    else:
        grad_colour = warn if "grad" in node.nonfinite else f' bgcolor="{_shade(node.shade)}"'
        cell = f'<td align="right"{grad_colour}>{_html(node.grad)}</td>'
    rows.append(f'<tr><td align="left">grad</td>{cell}</tr>')
    return _table(rows, fill, border, width, style)


def _legend(graph: Graph) -> str:
    """One row of swatches: the kinds of box, the highlights and the gradient colours that
    this graph has, and nothing it does not."""
    kinds = {node.kind for node in graph.nodes}
    cells = [
        f'<td bgcolor="{fill}" border="{2 if kind == "output" else 1}" color="{border}" style="{style}">'
        f"{words}</td>"
        for kind, (fill, border, style, words) in KINDS.items()
        if kind in kinds
    ]
    highlights = {node.highlight for node in graph.nodes}
    cells += [
        f'<td bgcolor="{fill or "#ffffff"}" border="{width}" color="{border}">{html.escape(words)}</td>'
        for key, (fill, border, width, words) in HIGHLIGHTS.items()
        if key in highlights
    ]
    if any(node.shade > 0 for node in graph.nodes):
        cells.append(f'<td bgcolor="{_shade(1.0)}">grad &gt; 0</td>')
    if any(node.shade < 0 for node in graph.nodes):
        cells.append(f'<td bgcolor="{_shade(-1.0)}">grad &lt; 0</td>')
    if any(node.nonfinite for node in graph.nodes):
        cells.append(f'<td bgcolor="{WARNING_FILL}" border="3" color="{WARNING_BORDER}">{NONFINITE}</td>')
    if any(node.grad == NO_GRAD for node in graph.nodes):
        cells.append(f'<td><font color="{MUTED}"><i>{NO_GRAD}</i></font>: requires_grad=False</td>')
    if any(node.grad == NOT_YET for node in graph.nodes):
        cells.append(f"<td>{NOT_YET} not computed yet</td>")
    return '<table border="0" cellspacing="4" cellpadding="3"><tr>' + "".join(cells) + "</tr></table>"


def _table(rows: list[str], fill: str, border: str, width: int = 1, style: str = "solid") -> str:
    head = (
        f'<table border="{width}" cellborder="0" cellspacing="0" cellpadding="2" '
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
    graphviz = _graphviz()
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in graphviz.FORMATS:
        if format:
            problem = f"format={format!r} is not a picture format graphviz writes"
        elif path.suffix:
            problem = f"{path.name!r} ends in {path.suffix!r}, which is not a picture format graphviz writes"
        else:
            problem = f"{path.name!r} has no suffix to say which picture format to write"
        raise ValueError(
            f"save_graph: {problem}: end the file name in .png, .svg or .pdf, e.g. {path.stem}.png"
        )
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
    """Trace `root`'s graph and return it as a graphviz.Digraph (see `trace` for the options).
    A compiled program (`draw(step.program)`) is drawn by viz/program.py."""
    if hasattr(root, "picture"):
        from micrograd_edu.viz.program import draw_program

        return draw_program(root, title)
    return to_digraph(trace(root, level, model, names), title)


def _graphviz():
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(f"drawing graphs needs the graphviz package: {install_hint('viz')}") from e
    return graphviz
