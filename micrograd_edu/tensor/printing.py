"""A tensor as PyTorch prints it: 4 decimals, `1.` for whole numbers, aligned columns, rows
wrapped at 80 characters, and past 1000 elements only 3 numbers at each end of a dimension."""

from __future__ import annotations

import math
from itertools import product

from micrograd_edu.tensor.dtypes import dtype
from micrograd_edu.tensor.shape import Shape, strides

SUMMARY_THRESHOLD, EDGE_ITEMS = 1000, 3  # as PyTorch: past 1000 elements, 3 at each end of a dim
LINE_WIDTH = 80  # as PyTorch: longer rows wrap


def format_tensor(values: list[float], shape: Shape, dtype: dtype) -> str:
    """The numbers of a tensor laid out as PyTorch prints them, without `tensor(` around them.

    >>> from micrograd_edu import float64
    >>> print("tensor(" + format_tensor([0.5, -1.0, 2.0, 3.25], (2, 2), float64) + ")")
    tensor([[ 0.5000, -1.0000],
            [ 2.0000,  3.2500]])
    """
    axes = [_shown(size, len(values) > SUMMARY_THRESHOLD) for size in shape]
    step = strides(shape)
    where: list[int | None] = [
        None if None in i else sum(a * b for a, b in zip(i, step) if a is not None) for i in product(*axes)
    ]
    shown = [values[i] for i in where if i is not None]
    if dtype.kind == 0:
        texts = ["True" if v else "False" for v in shown]
        width = max(map(len, texts), default=0)
    elif dtype.kind == 1:
        texts = [str(int(v)) for v in shown]
        width = max(map(len, texts), default=0)
    else:  # as PyTorch: the nonzero finite values alone pick the format and the column width
        nonzero = [abs(v) for v in shown if math.isfinite(v) and v]
        big, small = max(nonzero, default=0.0), min(nonzero, default=0.0)
        if nonzero and (big > 1e8 or big / small > 1000 or small < 1e-4):
            spec = ".4e"
        else:
            spec = ".0f" if all(v.is_integer() for v in nonzero) else ".4f"
        texts = [f"{v:{spec}}" + ("." if spec == ".0f" and math.isfinite(v) else "") for v in shown]
        width = max((len(t) for t, v in zip(texts, shown) if math.isfinite(v) and v), default=1)
    padded = iter(t.rjust(width) for t in texts)
    items = [" ..." if i is None else next(padded) for i in where]
    if not shape:
        return items[0]
    indent = len("tensor(") + len(shape) - 1  # where a row's first number starts, less one
    per_line = max(1, (LINE_WIDTH - indent) // (width + 2))
    for level, dim in enumerate(reversed(axes)):
        size = max(len(dim), 1)
        if level == 0:  # a row: its numbers, wrapped to the line width
            rows = [items[i : i + size] for i in range(0, max(len(items), 1), size)]
            wrap = ",\n" + " " * (indent + 1)
            items = [
                wrap.join(", ".join(row[j : j + per_line]) for j in range(0, len(row), per_line))
                for row in rows
            ]
            items = ["[" + item + "]" for item in items]
            continue
        items = ["..." if dim[r % len(dim)] is None else item for r, item in enumerate(items)]  # left out
        sep = "," + "\n" * level + " " * (indent + 1 - level)
        items = ["[" + sep.join(items[i : i + size]) + "]" for i in range(0, max(len(items), 1), size)]
    return items[0]


def _shown(size: int, summarize: bool) -> list[int | None]:
    """The indices of a dimension that are printed; None stands for the ones left out."""
    if not summarize or size <= 2 * EDGE_ITEMS:
        return list(range(size))
    return [*range(EDGE_ITEMS), None, *range(size - EDGE_ITEMS, size)]
