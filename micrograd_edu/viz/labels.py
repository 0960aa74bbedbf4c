"""What each box of a picture is called, whether it has a gradient, and how its numbers are
written: shared by the graph pictures (`graph.py`) and the backward walk-through (`backward.py`).

The names are the ones a student would give: a model's parameters as `named_parameters()`
calls them (`fc1.weight[0, 1]`), the tensors passed in `names=` (`X[2, 0]`), a constant by its
number (`4`), and the `1 - y` that BCELoss makes from the labels by what its numbers are.
"""

from __future__ import annotations

import math
import unicodedata
from itertools import product
from typing import Any

from micrograd_edu.engine import topological_order
from micrograd_edu.tensor import Tensor

Named = dict[int, tuple[str, str]]  # id(tensor or Value) -> (name, kind)
WARNING_FILL, WARNING_BORDER = "#f5d0fe", "#a21caf"  # a number that is nan or inf, in every picture


def names_of(model: Any, names: dict | None) -> Named:
    """id(tensor or Value) -> (name, kind) for every parameter of `model` and every entry of `names`.

    `model` is a Module (named as in `named_parameters()`), anything with `parameters()`, or a
    plain list such as [w1, w2, b] (named by their labels); their kind is "parameter". `names`
    maps names to objects, e.g. {"X": X, "y": y}: the inputs, whether they require grad or not
    (the gradient row, not the colour, says which).
    """
    named: Named = {}
    if model is not None:
        if hasattr(model, "named_parameters"):
            pairs = list(model.named_parameters())
        else:
            params = model.parameters() if hasattr(model, "parameters") else model
            pairs = [(getattr(p, "label", "") or f"p{i}", p) for i, p in enumerate(params)]
        named |= {id(p): (name, "parameter") for name, p in pairs}
    for name, obj in (names or {}).items():
        named.setdefault(id(obj), (name, "input"))
    return named


def leaf_names(root: Tensor, named: Named) -> Named:
    """(name, kind) for each leaf tensor of root's graph: as named; else, for a constant, what
    its numbers are (`1 - y`, made inside BCELoss, where no graph records how) or its numbers
    themselves (`4`, `[1, 2]`); else "constant" (or "leaf", for an unnamed tensor that requires
    grad)."""
    leaves = [t for t in topological_order([root]) if not t._prev]
    out = {id(t): named[id(t)] for t in leaves if id(t) in named}
    for t in leaves:
        if id(t) in out:
            continue
        if t.requires_grad:
            out[id(t)] = "leaf", "input"
            continue
        others = [(out[id(n)][0], n) for n in leaves if id(n) in out and n.shape == t.shape and t.shape]
        out[id(t)] = _complement(t, others) or numbers_name(t) or "constant", "constant"
    return out


def _complement(t: Tensor, others: list[tuple[str, Tensor]]) -> str | None:
    """`c - name` when t's numbers are a whole number c minus a named tensor's, element by element."""
    numbers = t.data.flatten().tolist()
    for name, other in others:
        theirs = other.data.flatten().tolist()
        c = numbers[0] + theirs[0]
        if c == round(c) and all(a == c - b for a, b in zip(numbers, theirs)):
            return f"{number_name(c)} - {name}"
    return None


def numbers_name(t: Tensor, most: int = 4) -> str:
    """A small constant by its numbers, as a student writes it: 4, [1, 2]; "" past `most` numbers."""
    if t.numel() == 1:
        return number_name(t.item())
    numbers = t.data.flatten().tolist()
    return f"[{', '.join(map(number_name, numbers))}]" if len(numbers) <= most else ""


def element_names(root: Tensor, named: Named) -> Named:
    """Names for the Values inside the leaf tensors of root's graph: fc1.weight[0, 1], X[2, 0],
    (1 - y)[3, 0], ..."""
    labels: Named = {}
    leaves = {id(t): t for t in topological_order([root]) if not t._prev}
    for key, (name, kind) in leaf_names(root, named).items():
        t = leaves[key]
        if kind == "constant" and name == numbers_name(t):  # numbers need no index: each is itself
            labels |= {id(v): (number_name(v.data), kind) for v in t.elements()}
            continue
        written = f"({name})" if " " in name else name
        for index, v in zip(product(*map(range, t.shape)), t.elements()):
            labels[id(v)] = (f"{written}[{', '.join(map(str, index))}]" if index else name, kind)
    return labels


def values_requiring_grad(root: Tensor) -> set[int]:
    """id() of each Value in root's graph that requires grad as the tensors say it: an element
    of a leaf tensor with requires_grad=True, or a Value computed from one. The engine gives
    every Value a .grad, but `X.grad` of data is None, and the pictures say so."""
    leaves = [t for t in topological_order([root]) if t.requires_grad and not t._prev]
    tracked = {id(v) for t in leaves for v in t.elements()}
    for v in topological_order(root.elements()):
        if any(id(k) in tracked for k in v._prev):
            tracked.add(id(v))
    return tracked


def number_name(x: float) -> str:
    """A constant as a student writes it: 4, 0.5, -1e-05."""
    return f"{x + 0.0:g}"


def format_number(x: float) -> str:
    """A fixed-width number (+0.1234, -1.2e+03), so boxes keep their size from step to step;
    zero is 0.0000, never -0.0000; nan and inf as nan, +inf and -inf."""
    x += 0.0  # -0.0 becomes 0.0
    if x == 0:
        return "0.0000"
    if math.isnan(x):
        return "nan"
    if math.isinf(x) or not 1e-3 <= abs(x) < 1e4:
        return f"{x:+.1e}"
    return f"{x:+.4f}"


def printable(text: str) -> str:
    """`text` with what no picture can show written as Python writes it in a string: control
    characters (a bell as \\x07, a newline as \\n), line separators and lone surrogates, so
    that any label a user types can be drawn, and is drawn as typed.

    >>> print(printable("a\\x00b\\x07 c\\n"))
    a\\x00b\\x07 c\\n
    """
    return "".join(repr(c)[1:-1] if _undrawable(c) else c for c in text)


def _undrawable(c: str) -> bool:
    """A control character, a surrogate, a line or paragraph separator, or one of the two
    characters that XML (so SVG) has no place for."""
    return unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in "\ufffe\uffff"
