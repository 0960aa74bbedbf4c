"""The numpy backend: a tensor's data is one float64 `numpy.ndarray`; each op is one graph node.

Every op returns its result and a backward function `(g, parents) -> input gradients` that
works on whole arrays at once (it may give None to a parent that does not require grad).
An elementwise op's backward is the engine's own (`Value._mul_backward` and friends,
found through the op table): `g * b` means the same for floats and for arrays.
Broadcasting's backward, summing a gradient back to its input's shape, is `sum_to`,
written once. Under create_graph the same backward functions are handed tensors instead
of arrays, so the backward pass records a graph of its own (see the helpers below).

Imported only when the numpy backend is chosen, so the python backend never needs numpy.
"""

from __future__ import annotations

import contextvars
import functools
import operator
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from micrograd_edu import engine
from micrograd_edu.derivatives import where
from micrograd_edu.engine import Value
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import dtypes, functions
from micrograd_edu.tensor.shape import Shape

if TYPE_CHECKING:
    from micrograd_edu.tensor.elementwise import Elementwise
    from micrograd_edu.tensor.tensor import Tensor

name = "numpy"
Data = np.ndarray
Backward = Callable[..., tuple]  # (g, inputs, output, parents) -> one gradient per parent

_data_of = operator.attrgetter("_data")

_COMPARE = {
    ">": np.greater,
    "<": np.less,
    ">=": np.greater_equal,
    "<=": np.less_equal,
    "==": np.equal,
    "!=": np.not_equal,
    "&": np.logical_and,
    "|": np.logical_or,
    "^": np.logical_xor,
}


def from_floats(flat: list[float], shape: Shape, dtype: dtypes.dtype) -> Data:
    return np.array(flat, dtype=_NUMPY[dtype.name]).reshape(shape)


_NUMPY = {name: np.dtype(name) for name in dtypes.DTYPES}


def cast(data: Data, dtype: dtypes.dtype) -> Data:
    """The array as `dtype` (itself if it is one already); floats to integers are cut toward zero."""
    target = _NUMPY[dtype.name]
    if data.dtype == target:
        return data
    if target.kind in "iu" and data.dtype.kind == "f":
        data = np.where(np.isfinite(data), data, np.iinfo(target).min)  # as PyTorch gives for nan and inf
    return np.asarray(data, dtype=target)


def to_floats(data: Data) -> list[float]:
    return data.ravel().tolist()


def outside(data: Data, low: float, high: float) -> list[float]:
    if data.size and np.minimum.reduce(data, None) >= low and np.maximum.reduce(data, None) <= high:
        return []  # the common case, two reductions (a nan makes both comparisons false)
    return data[~((data >= low) & (data <= high))].ravel().tolist()


# ---- inf and nan are answers here, as in PyTorch ---------------------------------------------
# numpy warns when a result is inf or nan (0 * inf, 1e300 * 1e300); PyTorch and the python
# backend just give it. So the ops below run in a context of their own where numpy's
# floating-point warnings are off: a copy of the thread's context, made once, entered for
# each op (cheap: tens of nanoseconds), so numpy elsewhere in the program still warns.


class _Quiet(threading.local):
    def __init__(self) -> None:
        self.context = contextvars.copy_context()
        self.context.run(np.seterr, all="ignore")


_quiet = _Quiet()


def quiet(op: Callable) -> Callable:
    """Run `op` with numpy's floating-point warnings off."""

    @functools.wraps(op)
    def run(*args: Any) -> Any:
        try:
            return _quiet.context.run(op, *args)
        except RuntimeError as e:  # called from inside the quiet context already: just run it
            if not str(e).startswith("cannot enter context"):
                raise
            return op(*args)

    return run


@quiet
def elementwise(
    op: Elementwise, args: Sequence[Data], shapes: Sequence[Shape], shape: Shape, params: tuple
) -> tuple[Data, Backward]:
    forward, local = _FUNCTIONS.get(id(op)) or _functions(op)
    out = forward(*args, *params)
    if type(out) is not np.ndarray:  # numpy gives a scalar for 0-d arrays: the data must be writable
        out = np.asarray(out)
    if op.can_fail:
        _check_finite(out, op, args, shape, params)
    if params:
        local = partial(local, *params)
    if len(args) == 1:
        return out, lambda g, ins, out, parents: local(g, out, ins[0])
    a_shape, b_shape = shapes

    def backward(g, ins, out, parents):
        a, b = ins
        ga, gb = local(g, out, a, b)
        return sum_to(ga, a_shape), sum_to(gb, b_shape)

    return out, backward


_FUNCTIONS: dict[int, tuple[Callable, Callable]] = {}  # an op of the table -> (numpy's forward, backward)


def elementwise_parts(op: Elementwise) -> tuple[Callable, Callable]:
    """The op's numpy forward `f(*arrays, *params)` and the engine's backward
    `local(*params, g, out, *arrays)`: what `elementwise` runs, for compile to run directly."""
    return _FUNCTIONS.get(id(op)) or _functions(op)


def _functions(op: Elementwise) -> tuple[Callable, Callable]:
    """The op's numpy function and the engine's backward function, looked up once."""
    forward = _ufunc(op.numpy) if isinstance(op.numpy, str) else partial(op.numpy, np)
    _FUNCTIONS[id(op)] = forward, op.derivative.backward
    return _FUNCTIONS[id(op)]


def _ufunc(name: str) -> Callable:
    """numpy's function of that name; for clip, the ufunc np.clip calls with both bounds given
    (np.clip's Python wrapper costs more than the clipping of a few numbers: the same bits)."""
    if name == "clip":
        umath = getattr(getattr(np, "_core", None), "umath", None) or getattr(np.core, "umath", None)
        if isinstance(getattr(umath, "clip", None), np.ufunc):
            return umath.clip  # type: ignore[union-attr]
    return getattr(np, name)


def compare(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> Data:
    return np.asarray(_COMPARE[op](a, b))


@quiet
def matmul(a: Data, b: Data, a_shape: Shape, b_shape: Shape) -> tuple[Data, Backward]:
    """(..., n, k) @ (..., k, m), the batch dims broadcast; backward skips the product for a side
    that needs no gradient (data), and sums a broadcast side's gradient back to its shape."""

    def backward(g, ins, out, parents):  # d(AB)/dA: G Bᵀ, d(AB)/dB: Aᵀ G
        (a, b), (left, right) = ins, parents
        ga = sum_to(g @ _swap_last(b), a_shape) if left.requires_grad else None
        return ga, (sum_to(_swap_last(a) @ g, b_shape) if right.requires_grad else None)

    return a @ b, backward


def _swap_last(x: Any) -> Any:  # a matrix's transpose, for each matrix of a batch
    return np.swapaxes(x, -1, -2) if _is_array(x) else x.transpose(-1, -2)


@quiet
def linear(x: Data, w: Data, b: Data | None, n: int, k: int, m: int) -> tuple[Data, Backward]:
    """x @ wᵀ + b in one op (PyTorch's addmm); each gradient comes out row-major, as its input."""
    out = x @ w.T
    if b is not None:
        out += b

    def backward(g, ins, out, parents):  # d/dx: G W, d/dw: Gᵀ X, d/db: G's column sums
        x, w = ins[0], ins[1]
        grads = (g @ w if parents[0].requires_grad else None, g.T @ x if parents[1].requires_grad else None)
        return grads if b is None else (*grads, g.sum(0) if parents[2].requires_grad else None)

    return out, backward


@quiet
def reduce_sum(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Backward]:
    kept = _kept_shape(shape, dim)
    out = np.asarray(a.sum(axis=dim)).reshape(out_shape)  # an array, not a numpy scalar: writable
    return out, lambda g, ins, out, parents: (expand(g.reshape(kept), shape),)


@quiet
def reduce_mean(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Backward]:
    """The sum over the count, as PyTorch divides it (the mean of nothing is 0 / 0, nan)."""
    kept, n = _kept_shape(shape, dim), a.size if dim is None else shape[dim]
    out = np.asarray(a.sum(axis=dim) / n).reshape(out_shape)
    return out, lambda g, ins, out, parents: (expand(g.reshape(kept) / n, shape),)


@quiet
def reduce_max(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Data, Backward]:
    """The largest element of each group (the first one on a tie) and its position in the group."""
    flat = a.reshape(-1) if dim is None else a
    axis = 0 if dim is None else dim
    index = np.expand_dims(np.argmax(flat, axis=axis), axis)
    out = np.take_along_axis(flat, index, axis=axis).reshape(out_shape)
    positions = index.ravel().tolist()
    if dim is None:
        flat_index = positions
    else:  # where each picked element sits in a's row-major order
        outer = (
            np.arange(int(np.prod(shape[:dim]))).reshape(-1, 1) * shape[dim] * int(np.prod(shape[dim + 1 :]))
        )
        inner = np.arange(int(np.prod(shape[dim + 1 :]))).reshape(1, -1)
        step = int(np.prod(shape[dim + 1 :]))
        flat_index = (outer + index.reshape(len(outer), -1) * step + inner).ravel().tolist()

    if dim is None and a.size:  # ties share the gradient, as PyTorch's max() does
        tied = np.flatnonzero((flat == out) | (np.isnan(flat) & np.isnan(out)))
        if tied.size > 1:
            share = tied.tolist()

            def shared_backward(g, ins, out, parents):
                spread = expand(g.reshape(1), (len(share),)) / len(share)
                return (scatter_add(spread, share, a.size).reshape(shape),)

            return out, index.reshape(out_shape), shared_backward

    def backward(g, ins, out, parents):
        return (scatter_add(g.reshape(-1), flat_index, a.size).reshape(shape),)

    return out, index.reshape(out_shape), backward


def _kept_shape(shape: Shape, dim: int | None) -> Shape:
    """The shape of a reduction's result with the reduced dims kept as size 1."""
    return (1,) * len(shape) if dim is None else shape[:dim] + (1,) + shape[dim + 1 :]


def cat(datas: Sequence[Data], shapes: Sequence[Shape], dim: int) -> tuple[Data, Backward]:
    """np.concatenate along `dim` (each part first given its shape: stack adds a size-1 dim)."""
    out = np.concatenate([np.reshape(d, s) for d, s in zip(datas, shapes)], axis=dim)
    ends = np.cumsum([s[dim] for s in shapes]).tolist()
    parts = [(slice(None),) * dim + (slice(end - s[dim], end),) for end, s in zip(ends, shapes)]

    def backward(g, ins, out, parents):
        return tuple(g[part].reshape(x.shape) for part, x in zip(parts, ins))

    return out, backward


def gather(a: Data, index: list[int], shape: Shape) -> tuple[Data, Backward]:
    size, a_shape = a.size, a.shape

    def backward(g, ins, out, parents):
        return (scatter_add(g.reshape(-1), index, size).reshape(a_shape),)

    return a.reshape(-1)[np.array(index, dtype=np.intp)].reshape(shape), backward


def gather_along(a: Data, index: Data, dim: int, a_shape: Shape, shape: Shape) -> tuple[Data, Backward]:
    """out[..., i, ...] = a[..., index[..., i, ...], ...] along `dim` (torch.gather): the index an
    array, so a compiled step replays it with new indices; backward adds each gradient back where
    its element came from (repeated indices add up)."""
    idx = index.astype(np.intp, copy=False)

    def backward(g, ins, out, parents):
        coords = list(np.indices(idx.shape, sparse=True))
        coords[dim] = idx
        flat = np.ravel_multi_index(np.broadcast_arrays(*coords), a_shape)
        return (scatter_add(g.reshape(-1), flat.reshape(-1), int(np.prod(a_shape))).reshape(a_shape),)

    inside = tuple(slice(None) if k == dim else slice(0, n) for k, n in enumerate(idx.shape))
    return np.take_along_axis(a[inside], idx, axis=dim), backward  # index may be smaller off dim


def select(a: Data, key: tuple, positions: Callable[[], list[int]], shape: Shape) -> tuple[Data, Backward]:
    """Basic indexing (ints, slices, None, ...): a view of `a`, so writing into it writes into `a`;
    the positions are computed only for backward."""
    size, a_shape = a.size, a.shape

    def backward(g, ins, out, parents):
        return (scatter_add(g.reshape(-1), positions(), size).reshape(a_shape),)

    return a[(*key, Ellipsis) if Ellipsis not in key else key], backward  # all ints: a 0-d view, not a copy


def broadcast(a: Data, a_shape: Shape, shape: Shape) -> tuple[Data, Backward]:
    """a stretched to `shape` (Tensor.expand): a read-only view; backward sums back to a's shape."""
    return np.broadcast_to(a, shape), lambda g, ins, out, parents: (sum_to(g, a_shape),)


def scatter(values: Data, index: list[int], size: int) -> tuple[Data, Backward]:
    """`size` zeros with `values` added at these positions (functions.scatter_add); backward gathers."""
    return scatter_add(values, index, size), lambda g, ins, out, parents: (take(g, index),)


def choose(condition: Data, a: Data, b: Data, shapes: Sequence[Shape], shape: Shape) -> tuple[Data, Backward]:
    """a where the condition holds, else b, broadcast (torch.where); the condition gets no gradient."""
    a_shape, b_shape = shapes[1], shapes[2]

    def backward(g, ins, out, parents):
        condition = ins[0]
        return None, sum_to(where(condition, g, 0.0), a_shape), sum_to(where(condition, 0.0, g), b_shape)

    return np.where(condition, a, b), backward


# ---- what the backward functions above compute with: arrays, or tensors under create_graph ----
# With create_graph=True the backward pass is itself recorded: every backward function here is
# then handed tensors instead of arrays, and these helpers do the same thing to either.


def _is_array(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


def sum_to(g: Any, shape: Shape) -> Any:
    """Sum a gradient back to `shape`: over the dims broadcasting added or stretched from 1."""
    if g.shape == shape:
        return g
    if _is_array(g):
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))
        return g.sum(axis=tuple(d for d, size in enumerate(shape) if size == 1), keepdims=True)
    while g.dim() > len(shape):
        g = g.sum(0)
    for d, size in enumerate(shape):
        if size == 1 and g.shape[d] != 1:
            g = g.sum(d, keepdim=True)
    return g


def expand(a: Any, shape: Shape) -> Any:
    """a broadcast to `shape`."""
    return np.broadcast_to(a, shape) if _is_array(a) else a.expand(*shape)


def scatter_add(values: Any, index: list[int], size: int) -> Any:
    """A 1-d result of `size` zeros with `values` added at `index` (the backward of gathering)."""
    if not _is_array(values):
        return functions.scatter_add(values, index, size)
    out = np.zeros(size, dtype=values.dtype)
    np.add.at(out, np.array(index, dtype=np.intp), values)
    return out


def take(g: Any, index: list[int]) -> Any:
    """The elements at these flat positions, as a 1-d array or tensor."""
    return np.reshape(g, -1)[np.array(index, dtype=np.intp)] if _is_array(g) else g.take(index)


def permute_(g: Any, dims: tuple[int, ...]) -> Any:
    return np.transpose(g, dims) if _is_array(g) else g.permute(dims)


@quiet
def cumsum(a: Data, shape: Shape, dim: int) -> tuple[Data, Backward]:
    """Running sums along `dim`; backward: running sums of the gradient from the other end."""
    out = np.cumsum(a, axis=dim) if shape else np.array(a, copy=True)

    def backward(g, ins, out, parents):
        return (flip_(cumsum_(flip_(g, (dim,)), dim), (dim,)) if shape else g,)

    return out, backward


def flip(a: Data, shape: Shape, dims: tuple[int, ...]) -> tuple[Data, Backward]:
    """A copy, as in PyTorch (numpy's flip is a view)."""
    return np.flip(a, axis=dims).copy(), lambda g, ins, out, parents: (flip_(g, dims),)


def flip_(g: Any, dims: tuple[int, ...]) -> Any:
    return np.flip(g, axis=dims) if _is_array(g) else g.flip(dims)


def cumsum_(g: Any, dim: int) -> Any:
    return np.cumsum(g, axis=dim) if _is_array(g) else g.cumsum(dim)


def reshape(a: Data, shape: Shape, new_shape: Shape) -> tuple[Data, Backward]:
    return a.reshape(new_shape), lambda g, ins, out, parents: (g.reshape(shape),)


def permute(a: Data, shape: Shape, dims: tuple[int, ...]) -> tuple[Data, Backward]:
    """a's dims in the order `dims` (a view); backward puts the gradient's dims back."""
    back = tuple(sorted(range(len(dims)), key=dims.__getitem__))
    return np.transpose(a, dims), lambda g, ins, out, parents: (permute_(g, back),)


def round_half_even(a: Data) -> Data:
    return np.round(a)


def copy(a: Data) -> Data:
    return a.copy()


def assign(a: Data, b: Data) -> None:
    a[...] = np.reshape(b, a.shape)


def assign_at(a: Data, index: list[int], b: Data) -> None:
    a.flat[np.array(index, dtype=np.intp)] = np.ravel(b)


def put(a: Data, index: list[int], b: Data) -> tuple[Data, Backward]:
    """A copy of a with b's numbers at these flat positions (item assignment, recorded)."""
    out = a.copy()
    out.flat[np.array(index, dtype=np.intp)] = np.ravel(b)
    shape, size, b_shape = a.shape, a.size, np.shape(b)

    def backward(g, ins, out, parents):  # the written positions' gradient goes to b, the rest to a
        picked = take(g, index)
        return g - scatter_add(picked, index, size).reshape(shape), picked.reshape(b_shape)

    return out, backward


def add_scaled(a: Data, b: Data, alpha: float) -> None:
    a += b if alpha == 1 else alpha * b  # 1 * b is b, bit for bit: one array op fewer


def scale(a: Data, factor: float) -> None:
    a *= factor


@quiet
def backprop(
    roots: Sequence[Tensor],
    seeds: Sequence[Tensor],
    order: list[Tensor],
    wanted: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    hooked: Callable,
) -> dict[int, Any]:
    """Run each tensor's backward function, outputs first; the gradients of the `wanted` tensors.

    Normally the backward functions get arrays. With create_graph they get the tensors
    themselves, so the ops they do are recorded and the gradients come out as tensors with a
    graph of their own. A derivative may be infinite where its op is fine (√x at 0): the inf
    is the answer.
    """
    grads: dict[int, Any] = {}
    g: Any
    for r, s in zip(roots, seeds):
        g = s if create_graph else cast(s._data, r.dtype)
        grads[id(r)] = grads[id(r)] + g if id(r) in grads else g
    handed_out: set[int] = set()  # arrays something already holds: a kept gradient must not share them
    was_enabled, grad_mode.enabled = grad_mode.enabled, create_graph  # under create_graph, ops record
    try:
        for t in reversed(order):
            g = grads.get(id(t))
            if g is None or not t._prev:
                continue
            if t._hooks:
                g = grads[id(t)] = hooked(t, g, create_graph)
            handed_out.add(id(g))
            prev = t._prev
            backward: Backward = t._backward  # type: ignore[assignment]  # a tensor with parents has one
            if create_graph:
                parts = backward(g, prev, t, prev)
            else:
                ins = (prev[0]._data,) if len(prev) == 1 else tuple(map(_data_of, prev))
                parts = backward(g, ins, t._data, prev)
            for parent, gp in zip(prev, parts):
                if gp is not None and parent.requires_grad:
                    grads[id(parent)] = grads[id(parent)] + gp if id(parent) in grads else gp
            if not retain_graph:
                t._backward = engine.released
    finally:
        grad_mode.enabled = was_enabled
    if create_graph:
        return {id(t): grads[id(t)] for t in wanted if id(t) in grads}
    return {id(t): _own(grads[id(t)], handed_out) for t in wanted if id(t) in grads}


def _own(g: np.ndarray, handed_out: set[int]) -> np.ndarray:
    """g as an array its new owner may change in place: a copy if it is a view or already held
    elsewhere (`a + b` hands the same gradient to both), else g itself (a copy costs like an op)."""
    if id(g) in handed_out or not (g.flags.owndata and g.flags.writeable and g.flags.c_contiguous):
        g = np.array(g, order="C")  # row-major, so the update runs at full speed
    handed_out.add(id(g))
    return g


# ---- the same errors as the python backend ---------------------------------------------------
# Where numpy quietly gives inf or nan (log 0, 1/0, exp 1000, ...), or is given inf or nan,
# those elements are run through the scalar engine, which raises the error the python backend
# raises. Where the engine also just gives inf or nan (1e200 * 1e200, log of nan), so does
# this backend.


def _check_finite(
    out: np.ndarray, op: Elementwise, args: Sequence[np.ndarray], shape: Shape, params: tuple
) -> None:
    suspect = ~np.isfinite(out)
    for x in args:
        suspect |= ~np.isfinite(x)
    if op.op in ("//", "%"):  # integers divided by 0 give a finite 0: look for the 0 itself
        suspect |= args[1] == 0
    if not suspect.any():  # the common case, before the slower search for where
        return
    bad = np.flatnonzero(suspect)
    cases = np.stack([np.broadcast_to(x, shape).reshape(-1)[bad] for x in args], axis=1)
    for values in _distinct_rows(cases):
        op.value(*[Value(x) for x in values.tolist()], *params)


def _distinct_rows(rows: np.ndarray) -> np.ndarray:
    """Each distinct row once, in order of first appearance (every nan alike), so a tensor
    full of nan replays one case and the first bad element raises, as on the python backend."""
    rows = np.ascontiguousarray(np.where(np.isnan(rows), np.nan, rows))
    as_bytes = rows.view(np.dtype((np.void, rows.itemsize * rows.shape[1]))).ravel()
    _, first = np.unique(as_bytes, return_index=True)
    return rows[np.sort(first)]
