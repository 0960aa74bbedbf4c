"""The python backend: a tensor's data is a flat list of `Value`s, one per element.

Every op here is ordinary Value arithmetic, element by element, so the scalar engine
records the whole graph and `backward()` needs nothing from this file: no op returns a
backward function. Broadcasting needs no special backward either: an element used by
several outputs is one Value with several uses, and the engine adds up its gradients.
Moving elements around (reshape, transpose, indexing) makes no new Values at all. An op
that copies in PyTorch (cat, take, where, flip, max...) shares its input's Values only while
the graph is recorded, which is how the gradient reaches them; outside a graph it copies
them (`_fresh`), so writing into its result cannot change its input.

A flat list does not know its shape, so the shapes the contract hands over are what the
ops here index with; where an op needs none (reshape), it says so.

No numpy anywhere in this backend.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from itertools import product
from typing import TYPE_CHECKING, Any

from micrograd_edu import engine
from micrograd_edu.engine import Value
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.shape import (
    Shape,
    broadcast_index,
    broadcast_shapes,
    flipped_index,
    numel,
    permuted_index,
    reduction_groups,
    strides,
)

if TYPE_CHECKING:
    from micrograd_edu.tensor.elementwise import Elementwise
    from micrograd_edu.tensor.tensor import Tensor

name = "python"
Data = list[Value]

_COMPARE = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    "&": lambda x, y: bool(x) and bool(y),
    "|": lambda x, y: bool(x) or bool(y),
    "^": lambda x, y: bool(x) != bool(y),
}


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def from_floats(flat: list[float], shape: Shape, dtype: dtypes.dtype) -> Data:
    if dtype is dtypes.float64:
        return [Value(x) for x in flat]  # row-major already: a flat list needs no shape
    return [Value(dtypes.rounded(float(x), dtype)) for x in flat]


def cast(data: Data, dtype: dtypes.dtype) -> Data:
    """An op's fresh Values rounded to what `dtype` holds (float32, an integer, a bool), in place:
    every Value computes in float64, and a float32 tensor's keep float32's numbers."""
    if dtype is not dtypes.float64:
        for v in data:
            v.data = dtypes.rounded(v.data, dtype)
    return data


def to_floats(data: Data) -> list[float]:
    return [v.data for v in data]


def outside(data: Data, low: float, high: float) -> list[float]:
    return [v.data for v in data if not low <= v.data <= high]


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def elementwise(
    op: Elementwise, args: Sequence[Data], shapes: Sequence[Shape], shape: Shape, params: tuple
) -> tuple[Data, None]:
    f = op.value
    if len(args) == 1:
        (a,) = args
        return ([f(v, *params) for v in a] if params else list(map(f, a))), None
    a, b = args
    if shapes[0] == shapes[1]:
        return list(map(f, a, b)), None
    return [
        f(a[i], b[j]) for i, j in zip(broadcast_index(shapes[0], shape), broadcast_index(shapes[1], shape))
    ], None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def compare(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> Data:
    f = _COMPARE[op]
    pairs = zip(broadcast_index(a_shape, shape), broadcast_index(b_shape, shape))
    return [Value(1.0 if f(a[i].data, b[j].data) else 0.0) for i, j in pairs]  # a bool tensor's 1 and 0


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def matmul(a: Data, b: Data, a_shape: Shape, b_shape: Shape) -> tuple[Data, None]:
    """(..., n, k) @ (..., k, m): for each pair of matrices of the (broadcast) batch, each output
    is a row of a times a column of b, summed."""
    (n, k), m = a_shape[-2:], b_shape[-1]
    batch = broadcast_shapes(a_shape[:-2], b_shape[:-2], "matmul")
    out: Data = []
    for i, j in zip(broadcast_index(a_shape[:-2], batch), broadcast_index(b_shape[:-2], batch)):
        left, right = a[i * n * k : (i + 1) * n * k], b[j * k * m : (j + 1) * k * m]
        rows = [left[r * k : (r + 1) * k] for r in range(n)]
        cols = [right[c::m] for c in range(m)]
        out += [_total(map(operator.mul, row, col)) for row in rows for col in cols]
    return out, None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def linear(x: Data, w: Data, b: Data | None, n: int, k: int, m: int) -> tuple[Data, None]:
    """(n, k) @ wᵀ + b for w of shape (m, k): a row of x times a row of w, summed, plus a bias."""
    rows = [x[i * k : (i + 1) * k] for i in range(n)]
    weights = [w[j * k : (j + 1) * k] for j in range(m)]
    if b is None:
        return [_total(map(operator.mul, row, wj)) for row in rows for wj in weights], None
    return [_total(map(operator.mul, row, wj)) + bj for row in rows for wj, bj in zip(weights, b)], None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def reduce_sum(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, None]:
    return _fresh([_total(a[i] for i in group) for group in reduction_groups(shape, dim)]), None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def reduce_mean(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, None]:
    """The sum over the count, as PyTorch divides it; the mean of nothing is nan."""
    groups = reduction_groups(shape, dim)
    return [_total(a[i] for i in group) / len(group) if group else Value(math.nan) for group in groups], None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def reduce_max(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Data, None]:
    """The largest element of each group (the first nan if there is one, as in PyTorch) and its
    position in the group. Over all elements, ties share the gradient (their mean, as PyTorch's
    max() sends each 1/count of it); along a dim, the first of them is picked."""
    groups = reduction_groups(shape, dim)
    picks = [max(enumerate(group), key=lambda kv: _rank(a[kv[1]].data)) for group in groups]
    if dim is None and groups[0]:
        best = _rank(a[picks[0][1]].data)
        tied = [a[i] for i in groups[0] if _rank(a[i].data) == best]
        if len(tied) > 1:  # the mean of the ties routes the gradient, 1/count to each; its value is the max
            share = _total(tied) / len(tied)
            share.data = a[
                picks[0][1]
            ].data  # (the mean of equal numbers may round, or overflow, away from it)
            return [share], [Value(float(picks[0][0]))], None
    return _fresh([a[i] for _, i in picks]), [Value(float(k)) for k, _ in picks], None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def cat(datas: Sequence[Data], shapes: Sequence[Shape], dim: int) -> tuple[Data, None]:
    """The tensors' blocks along `dim`, one after another, for each index of the dims before it."""
    outer, inner = numel(shapes[0][:dim]), numel(shapes[0][dim + 1 :])
    out: Data = []
    for i in range(outer):
        for data, shape in zip(datas, shapes):
            block = shape[dim] * inner
            out += data[i * block : (i + 1) * block]
    return _fresh(out), None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def gather(a: Data, index: list[int], shape: Shape) -> tuple[Data, None]:
    return _fresh([a[i] for i in index]), None


def gather_along(a: Data, index: Data, dim: int, a_shape: Shape, shape: Shape) -> tuple[Data, None]:
    """torch.gather along `dim`: for each position of `index`'s shape, the Value it names (a Value
    used twice gets both gradients, as the engine adds them)."""
    step = strides(a_shape)
    out = []
    for j, at in enumerate(product(*map(range, shape))):  # `at` in a, but `index` along dim
        out.append(a[sum(k * s for k, s in zip(at, step)) + (int(index[j].data) - at[dim]) * step[dim]])
    return _fresh(out), None


def select(a: Data, key: tuple, positions: Callable[[], list[int]], shape: Shape) -> tuple[Data, None]:
    """Basic indexing: the very Values at those positions, so a write into them writes into `a`."""
    return [a[i] for i in positions()], None


def broadcast(a: Data, a_shape: Shape, shape: Shape) -> tuple[Data, None]:
    """Each Value used at every position it stretches to (Tensor.expand); no new Values."""
    return [a[i] for i in broadcast_index(a_shape, shape)], None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def scatter(values: Data, index: list[int], size: int) -> tuple[Data, None]:
    """`size` sums: each the values placed at that position (a sum of none is a constant 0)."""
    placed: list[list[Value]] = [[] for _ in range(size)]
    for v, i in zip(values, index):
        placed[i].append(v)
    return _fresh([_total(vs) for vs in placed]), None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def choose(condition: Data, a: Data, b: Data, shapes: Sequence[Shape], shape: Shape) -> tuple[Data, None]:
    """a's Value where the condition holds, else b's, broadcast (torch.where): no new Values."""
    c, i, j = (broadcast_index(s, shape) for s in shapes)
    return _fresh([a[ia] if condition[ic].data else b[ib] for ic, ia, ib in zip(c, i, j)]), None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def cumsum(a: Data, shape: Shape, dim: int) -> tuple[Data, None]:
    """Running sums along `dim`: each a chain of `+` from the first element of its row."""
    out = list(a)
    for group in reduction_groups(shape, dim if shape else None):
        running = None
        for i in group:
            running = a[i] if running is None else running + a[i]
            out[i] = running
    return _fresh(out), None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def flip(a: Data, shape: Shape, dims: tuple[int, ...]) -> tuple[Data, None]:
    """The elements in reverse order along `dims`: the same Values, moved."""
    return _fresh([a[i] for i in flipped_index(shape, dims)]), None


def reshape(a: Data, shape: Shape, new_shape: Shape) -> tuple[Data, None]:
    return a, None  # row-major in any shape: the same list


def permute(a: Data, shape: Shape, dims: tuple[int, ...]) -> tuple[Data, None]:
    """The same Values, in the order of the permuted dims (a view)."""
    return [a[i] for i in permuted_index(shape, dims)], None


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def round_half_even(a: Data) -> Data:
    return [Value(round(v.data, 0)) for v in a]  # round(x, 0) keeps a float: -0.0, inf and nan too


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def copy(a: Data) -> Data:
    return [Value(v.data) for v in a]


def assign(a: Data, b: Data) -> None:
    """Write b's numbers into a's Values, in place: the Values (and drawings of them) stay."""
    for v, w in zip(a, b):
        v.data = w.data


def assign_at(a: Data, index: list[int], b: Data) -> None:
    """Write b's numbers into a's Values at these flat positions, in place."""
    for i, w in zip(index, b):
        a[i].data = w.data


@engine.collector_pausing  # it makes Values and no cycles: see its docstring
def put(a: Data, index: list[int], b: Data) -> tuple[Data, None]:
    """a with b's Values at these flat positions (item assignment, recorded): no new Values."""
    out = list(a)
    for i, w in zip(index, b):
        out[i] = w
    return _fresh(out), None


def add_scaled(a: Data, b: Data, alpha: float) -> None:
    for v, w in zip(a, b):
        v.data += alpha * w.data


def scale(a: Data, factor: float) -> None:
    for v in a:
        v.data *= factor


def backprop(
    roots: Sequence[Tensor],
    seeds: Sequence[Tensor],
    order: list[Tensor],
    wanted: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    hooked: Callable,
) -> dict[int, Data]:
    """The engine's own backward pass over the roots' Values; the `wanted` tensors' gradients.

    Every tensor's Values start from 0, so each Value shows this pass's gradient; a tensor's
    `.grad` does the accumulating. Usually one pass of the engine over all the Values does it.
    When some tensor must see its whole gradient at once (it has hooks, or it is a custom
    Function's output), the tensors are taken one at a time, outputs first, each running the
    engine over the Values its own op made.
    """
    for t in order:
        engine.zero_grad(t._data)
    values = [v for r in roots for v in r._data]
    grads = [g if create_graph else g.data for s in seeds for g in s._data]
    one_at_a_time = any(t._prev and (t._hooks or t._backward is not None) for t in order)
    with engine.collector_paused():  # as Value.backward: the pass makes no cycles to collect
        if not one_at_a_time:
            engine.backpropagate(engine.topological_order(values), values, grads, retain_graph, create_graph)
        else:
            for v, g in zip(values, grads):
                v.grad += g
            for t in reversed(order):
                if t._prev:
                    _tensor_backward(t, create_graph, not retain_graph, hooked)
    reached = {id(t) for t in order}
    found = {id(t): [_as_value(v.grad) for v in t._data] for t in wanted if id(t) in reached}
    if not create_graph:  # a float32 tensor's gradient holds float32's numbers, as its data does
        for t in wanted:
            if id(t) in found:
                cast(found[id(t)], t.dtype)
    return found


def _tensor_backward(t: Tensor, create_graph: bool, release: bool, hooked: Callable) -> None:
    """t's share of the pass: its hooks, then the engine over the Values its op made (or, for a
    custom Function, its backward over the whole tensor)."""
    if t._hooks:
        new = hooked(t, [_as_value(v.grad) for v in t._data], create_graph)
        for v, g in zip(t._data, new._data if create_graph else new):
            v.grad = g if create_graph else g.data
    if t._backward is not None:  # a custom Function's node: its backward takes the whole tensor
        node: Any = t._backward
        node.run(t, create_graph, release)
        return
    own = {id(v) for v in t._data}
    inputs = {id(v) for p in t._prev for v in p._data}
    made = _made_by(t._data, inputs)
    for v in made:
        if id(v) not in own:
            v.grad = 0.0
    engine.propagate(made, create_graph, release)


def _made_by(values: list[Value], inputs: set[int]) -> list[Value]:
    """The Values an op made, from its results down to (not including) its inputs' Values, each
    after its own inputs (no recursion)."""
    order: list[Value] = []
    seen = set(inputs)
    stack = [(v, False) for v in reversed(values)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(node._prev) if id(k) not in seen)
    return order


def _fresh(values: Data) -> Data:
    """An op's result: while a graph is recorded, Values it shares with its inputs are how the
    gradient reaches them; outside a graph, all new Values, so the result owns its numbers."""
    return values if grad_mode.enabled else [Value(v.data) for v in values]


def _as_value(g: float | Value) -> Value:
    return g if isinstance(g, Value) else Value(g)


def _rank(x: float) -> tuple[bool, float]:
    """How max() orders elements: nan above everything, the rest by value."""
    return (True, 0.0) if x != x else (False, x)


def _total(values: Iterable[Value]) -> Value:
    """a0 + a1 + ... as a chain of `+` nodes (an empty sum is 0)."""
    values = iter(values)
    first = next(values, None)
    return Value(0.0) if first is None else reduce(operator.add, values, first)
