"""The numpy backend: a tensor's data is one float64 `numpy.ndarray`; each op is one graph node.

Every op returns its result and a backward function `(g, parents) -> input gradients` that
works on whole arrays at once (it may give None to a parent that does not require grad).
An elementwise op's backward is the engine's own (`Value._mul_backward` and friends,
found through the op table): `g * b` means the same for floats and for arrays.
Broadcasting's backward, summing a gradient back to its input's shape, is `unbroadcast`,
written once.

Imported only when the numpy backend is chosen, so the python backend never needs numpy.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from micrograd_edu import engine
from micrograd_edu.engine import Value
from micrograd_edu.tensor.shape import Shape

if TYPE_CHECKING:
    from micrograd_edu.tensor.elementwise import Elementwise
    from micrograd_edu.tensor.tensor import Tensor

name = "numpy"
Data = np.ndarray
Backward = Callable[[np.ndarray, Sequence[Any]], tuple]

_COMPARE = {
    ">": np.greater,
    "<": np.less,
    ">=": np.greater_equal,
    "<=": np.less_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def from_floats(flat: list[float], shape: Shape) -> Data:
    return np.array(flat, dtype=np.float64).reshape(shape)


def to_floats(data: Data) -> list[float]:
    return data.ravel().tolist()


def unbroadcast(g: np.ndarray, shape: Shape) -> np.ndarray:
    """Sum a gradient back to `shape`: over the dims broadcasting added or stretched from 1."""
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    return g.sum(axis=tuple(d for d, size in enumerate(shape) if size == 1), keepdims=True)


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
    if op.can_fail:
        _check_finite(out, op, args, shape, params)
    if params:
        local = partial(local, *params)
    if len(args) == 1:
        (a,) = args
        return out, lambda g, parents: local(g, out, a)
    a, b = args
    a_shape, b_shape = shapes

    def backward(g: np.ndarray, parents: Sequence[Tensor]) -> tuple:
        ga, gb = local(g, out, a, b)
        return unbroadcast(ga, a_shape), unbroadcast(gb, b_shape)

    return out, backward


_FUNCTIONS: dict[int, tuple[Callable, Callable]] = {}  # an op of the table -> (numpy's forward, backward)


def _functions(op: Elementwise) -> tuple[Callable, Callable]:
    """The op's numpy function and the engine's backward function, looked up once."""
    forward = getattr(np, op.numpy) if isinstance(op.numpy, str) else partial(op.numpy, np)
    _FUNCTIONS[id(op)] = forward, op.derivative.backward
    return _FUNCTIONS[id(op)]


def compare(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> Data:
    return _COMPARE[op](a, b).astype(np.float64)


@quiet
def matmul(a: Data, b: Data, n: int, k: int, m: int) -> tuple[Data, Backward]:
    """(n, k) @ (k, m); backward skips the product for a side that needs no gradient (data)."""

    def backward(g, parents):  # d(AB)/dA: G Bᵀ, d(AB)/dB: Aᵀ G
        left, right = parents
        return (g @ b.T if left.requires_grad else None), (a.T @ g if right.requires_grad else None)

    return a @ b, backward


@quiet
def linear(x: Data, w: Data, b: Data | None, n: int, k: int, m: int) -> tuple[Data, Backward]:
    """x @ wᵀ + b in one op (PyTorch's addmm); each gradient comes out row-major, as its input."""
    out = x @ w.T
    if b is not None:
        out += b

    def backward(g, parents):  # d/dx: G W, d/dw: Gᵀ X, d/db: G's column sums
        grads = (g @ w if parents[0].requires_grad else None, g.T @ x if parents[1].requires_grad else None)
        return grads if b is None else (*grads, g.sum(axis=0) if parents[2].requires_grad else None)

    return out, backward


@quiet
def reduce_sum(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Backward]:
    kept = _kept_shape(shape, dim)
    out = np.reshape(a.sum(axis=dim), out_shape)
    return out, lambda g, parents: (np.broadcast_to(np.reshape(g, kept), shape),)


@quiet
def reduce_mean(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Backward]:
    """The sum over the count, as PyTorch divides it (the mean of nothing is 0 / 0, nan)."""
    kept, n = _kept_shape(shape, dim), a.size if dim is None else shape[dim]
    out = np.reshape(a.sum(axis=dim) / n, out_shape)
    return out, lambda g, parents: (np.broadcast_to(np.reshape(g, kept) / n, shape),)


@quiet
def reduce_max(a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, list[int], Backward]:
    """The largest element of each group (the first one on a tie) and its position in the group."""
    flat = a.reshape(-1) if dim is None else a
    axis = 0 if dim is None else dim
    index = np.expand_dims(np.argmax(flat, axis=axis), axis)
    out = np.take_along_axis(flat, index, axis=axis).reshape(out_shape)

    def backward(g, parents):
        grad = np.zeros(flat.shape)
        np.put_along_axis(grad, index, np.reshape(g, index.shape), axis=axis)
        return (grad.reshape(shape),)

    return out, index.ravel().tolist(), backward


def _kept_shape(shape: Shape, dim: int | None) -> Shape:
    """The shape of a reduction's result with the reduced dims kept as size 1."""
    return (1,) * len(shape) if dim is None else shape[:dim] + (1,) + shape[dim + 1 :]


def cat(datas: Sequence[Data], shapes: Sequence[Shape], dim: int) -> tuple[Data, Backward]:
    """np.concatenate along `dim` (each part first given its shape: stack adds a size-1 dim)."""
    out = np.concatenate([np.reshape(d, s) for d, s in zip(datas, shapes)], axis=dim)
    cuts = np.cumsum([s[dim] for s in shapes])[:-1]

    def backward(g, parents):
        return tuple(np.reshape(p, d.shape) for p, d in zip(np.split(g, cuts, axis=dim), datas))

    return out, backward


def gather(a: Data, index: list[int], shape: Shape) -> tuple[Data, Backward]:
    flat_index = np.array(index, dtype=np.intp)

    def backward(g, parents):
        grad = np.zeros(a.size)
        np.add.at(grad, flat_index, np.ravel(g))
        return (grad.reshape(a.shape),)

    return a.reshape(-1)[flat_index].reshape(shape), backward


def reshape(a: Data, shape: Shape, new_shape: Shape) -> tuple[Data, Backward]:
    return a.reshape(new_shape), lambda g, parents: (np.reshape(g, shape),)


def transpose(a: Data, shape: Shape, d0: int, d1: int) -> tuple[Data, Backward]:
    return np.swapaxes(a, d0, d1), lambda g, parents: (np.swapaxes(g, d0, d1),)


def round_half_even(a: Data) -> Data:
    return np.round(a)


def copy(a: Data) -> Data:
    return a.copy()


def assign(a: Data, b: Data) -> None:
    a[...] = np.reshape(b, a.shape)


def add_scaled(a: Data, b: Data, alpha: float) -> None:
    a += alpha * b


def scale(a: Data, factor: float) -> None:
    a *= factor


@quiet
def backprop(
    root: Tensor, order: list[Tensor], wanted: list[Tensor], seed: list[float], retain_graph: bool
) -> dict[int, Data]:
    """Run each tensor's backward function, outputs first; the gradients of the `wanted` tensors.

    A derivative may be infinite where its op is fine (√x at 0): the inf is the answer.
    """
    grads = {id(root): from_floats(seed, root.shape)}
    handed_out: set[int] = set()  # arrays something already holds: a kept gradient must not share them
    for t in reversed(order):
        g = grads.get(id(t))
        if g is None or not t._prev:
            continue
        handed_out.add(id(g))
        backward: Backward = t._backward  # type: ignore[assignment]  # a tensor with parents has one
        for parent, gp in zip(t._prev, backward(g, t._prev)):
            if gp is not None and parent.requires_grad:
                grads[id(parent)] = grads[id(parent)] + gp if id(parent) in grads else gp
        if not retain_graph:
            t._backward = engine.released
    return {id(t): _own(grads[id(t)], handed_out) for t in wanted if id(t) in grads}


def _own(g: np.ndarray, handed_out: set[int]) -> np.ndarray:
    """g as an array its new owner may change in place: a copy if it is a view or already held
    elsewhere (`a + b` hands the same gradient to both), else g itself (a copy costs like an op)."""
    if id(g) in handed_out or not (g.flags.owndata and g.flags.writeable and g.flags.c_contiguous):
        g = np.array(g, dtype=np.float64, order="C")  # row-major, so the update runs at full speed
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
