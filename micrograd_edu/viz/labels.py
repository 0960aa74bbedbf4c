"""What each box of a picture is called, and how its numbers are written: shared by the
graph pictures (`graph.py`) and the backward walk-through (`backward.py`)."""

from __future__ import annotations

import math
from itertools import product
from typing import Any

from micrograd_edu.engine import topological_order
from micrograd_edu.tensor import Tensor

Named = dict[int, tuple[str, str]]  # id(tensor or Value) -> (name, kind)


def names_of(model: Any, names: dict | None) -> Named:
    """id(tensor or Value) -> (name, kind) for every parameter of `model` and every entry of `names`.

    `model` is a Module (named as in `named_parameters()`), anything with `parameters()`, or a
    plain list such as [w1, w2, b] (named by their labels); `names` maps names to objects.
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
        named[id(obj)] = (name, "parameter" if getattr(obj, "requires_grad", False) else "input")
    return named


def element_names(root: Tensor, named: Named) -> Named:
    """Names for the Values inside named leaf tensors: fc1.weight[0, 1], X[2, 0], ..."""
    labels: Named = {}
    inputs = 0  # unnamed leaf tensors so far
    for t in topological_order([root]):
        if t._prev:
            continue
        name, kind = named.get(id(t), ("", ""))
        if not name and t.shape:  # an unnamed tensor: data, or a constant made from it
            inputs += 1
            name, kind = f"tensor{inputs}", "parameter" if t.requires_grad else "constant"
        elif not name:
            continue
        kind = kind or ("parameter" if t.requires_grad else "input")
        for index, v in zip(product(*map(range, t.shape)), t.elements()):
            labels[id(v)] = (f"{name}[{', '.join(map(str, index))}]" if index else name, kind)
    return labels


def format_number(x: float) -> str:
    """A fixed-width number (+0.1234, -1.2e+03), so boxes keep their size from step to step."""
    if not math.isfinite(x) or (x != 0 and not 1e-3 <= abs(x) < 1e4):
        return f"{x:+.1e}"
    return f"{x:+.4f}"
