"""The python path: a tensor's data is a flat list of `Value`s, one per element.

Every op here is ordinary Value arithmetic, element by element, so the scalar engine
records the whole graph and `backward()` needs nothing from this file: no op returns a
backward function. Broadcasting needs no special backward either: an element used by
several outputs is one Value with several uses, and the engine adds up its gradients.
Moving elements around (reshape, transpose, indexing) makes no new Values at all.

No numpy anywhere on this path.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce

from micrograd_edu import engine
from micrograd_edu.engine import Value
from micrograd_edu.tensor.shape import Shape, broadcast_index, numel, reduction_groups, transposed_index

name = "python"
Data = list[Value]

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
_UNARY = {
    "neg": Value.__neg__,
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "abs": Value.__abs__,
}
_COMPARE = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


def from_floats(flat: list[float], shape: Shape) -> Data:
    return [Value(x) for x in flat]


def to_floats(data: Data) -> list[float]:
    return [v.data for v in data]


def binary(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> tuple[Data, None]:
    f = _BINARY[op]
    if a_shape == b_shape:
        return [f(x, y) for x, y in zip(a, b)], None
    return [
        f(a[i], b[j]) for i, j in zip(broadcast_index(a_shape, shape), broadcast_index(b_shape, shape))
    ], None


def unary(op: str, a: Data) -> tuple[Data, None]:
    return list(map(_UNARY[op], a)), None


def power(a: Data, n: float) -> tuple[Data, None]:
    return [v**n for v in a], None


def matmul(a: Data, b: Data, n: int, k: int, m: int, needs: tuple[bool, bool]) -> tuple[Data, None]:
    """(n, k) @ (k, m): each output is a row of a times a column of b, summed."""
    rows = [a[i * k : (i + 1) * k] for i in range(n)]
    cols = [b[j::m] for j in range(m)]
    return [_total(map(operator.mul, row, col)) for row in rows for col in cols], None


def linear(a: Data, w: Data, b: Data | None, n: int, k: int, m: int, needs: tuple) -> tuple[Data, None]:
    """(n, k) @ wᵀ + b for w of shape (m, k): a row of a times a row of w, summed, plus a bias."""
    rows = [a[i * k : (i + 1) * k] for i in range(n)]
    weights = [w[j * k : (j + 1) * k] for j in range(m)]
    if b is None:
        return [_total(map(operator.mul, row, wj)) for row in rows for wj in weights], None
    return [_total(map(operator.mul, row, wj)) + bj for row in rows for wj, bj in zip(weights, b)], None


def reduce_sum(a: Data, shape: Shape, dim: int | None, keepdim: bool) -> tuple[Data, None]:
    return [_total(a[i] for i in group) for group in reduction_groups(shape, dim)], None


def reduce_mean(a: Data, shape: Shape, dim: int | None, keepdim: bool) -> tuple[Data, None]:
    return [_total(a[i] for i in group) * (1.0 / len(group)) for group in reduction_groups(shape, dim)], None


def reduce_max(a: Data, shape: Shape, dim: int | None, keepdim: bool) -> tuple[Data, list[int], None]:
    """The largest element of each group (the first one on a tie) and its position in the group."""
    picks = [max(enumerate(group), key=lambda kv: a[kv[1]].data) for group in reduction_groups(shape, dim)]
    return [a[i] for _, i in picks], [k for k, _ in picks], None


def cat(datas: list[Data], shapes: list[Shape], dim: int) -> tuple[Data, None]:
    """The tensors' blocks along `dim`, one after another, for each index of the dims before it."""
    outer, inner = numel(shapes[0][:dim]), numel(shapes[0][dim + 1 :])
    out: Data = []
    for i in range(outer):
        for data, shape in zip(datas, shapes):
            block = shape[dim] * inner
            out += data[i * block : (i + 1) * block]
    return out, None


def gather(a: Data, index: list[int], shape: Shape) -> tuple[Data, None]:
    return [a[i] for i in index], None


def reshape(a: Data, shape: Shape, new_shape: Shape) -> tuple[Data, None]:
    return a, None


def transpose(a: Data, shape: Shape, d0: int, d1: int) -> tuple[Data, None]:
    return [a[i] for i in transposed_index(shape, d0, d1)[1]], None


def compare(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> Data:
    f = _COMPARE[op]
    pairs = zip(broadcast_index(a_shape, shape), broadcast_index(b_shape, shape))
    return [Value(1.0 if f(a[i].data, b[j].data) else 0.0) for i, j in pairs]


def round_half_even(a: Data) -> Data:
    return [Value(round(v.data, 0)) for v in a]  # round(x, 0) keeps a float: -0.0, inf and nan too


def clamp(a: Data, low: float, high: float) -> tuple[Data, None]:
    """Inside [low, high] an element is passed on as it is (gradient 1); outside, a constant."""
    return [v if low <= v.data <= high else Value(low if v.data < low else high) for v in a], None


def copy(a: Data) -> Data:
    return [Value(v.data) for v in a]


def assign(a: Data, b: Data) -> None:
    """Write b's numbers into a's Values, in place: the Values (and drawings of them) stay."""
    for v, w in zip(a, b):
        v.data = w.data


def add_scaled(a: Data, b: Data, alpha: float) -> None:
    for v, w in zip(a, b):
        v.data += alpha * w.data


def scale(a: Data, factor: float) -> None:
    for v in a:
        v.data *= factor


def backprop(root, order: list, kept: list, seed: list[float], retain_graph: bool) -> dict[int, Data]:
    """The engine's own backward pass over the root's Values; the `kept` tensors' gradients.

    Every leaf tensor's Values start from 0, so each Value shows this pass's gradient (data
    tensors' too, which pictures show); a tensor's `.grad` does the accumulating.
    """
    for t in order:
        if not t._prev:
            engine.zero_grad(t._data)
    values = root._data
    with engine._collector_paused():  # as Value.backward: the pass makes no cycles to collect
        engine._backprop(engine.topological_order(values), values, seed, retain_graph, False)
    return {id(t): [Value(v.grad) for v in t._data] for t in kept}


def _total(values: Iterable[Value]) -> Value:
    """a0 + a1 + ... as a chain of `+` nodes (an empty sum is 0)."""
    values = iter(values)
    first = next(values, None)
    return Value(0.0) if first is None else reduce(operator.add, values, first)
