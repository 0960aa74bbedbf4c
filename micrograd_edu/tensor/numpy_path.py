"""The numpy path: a tensor's data is one float64 `numpy.ndarray`; each op is one graph node.

Every op returns its result and a backward function `g -> input gradients` that works on
whole arrays at once. The elementwise ones are the very formulas of the scalar engine
(`Value._mul_backward` and friends): `g * b` means the same for floats and for arrays.
Broadcasting's backward, summing a gradient back to its input's shape, is `unbroadcast`,
written once.

Imported only when the numpy path is chosen, so the python path never needs numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from micrograd_edu import engine
from micrograd_edu.engine import Value
from micrograd_edu.tensor.shape import Shape

name = "numpy"
Data = np.ndarray
Backward = Callable[[np.ndarray], tuple]


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


def _pow_backward(g, out, a, b):  # d(a**b)/da = b a**(b-1), d(a**b)/db = a**b ln a (0 where a <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * b * a ** (b - 1), g * np.where(a > 0, out * np.log(np.where(a > 0, a, 1.0)), 0.0)


def _sigmoid(a):  # 1 / (1 + e^-a) for a >= 0, e^a / (1 + e^a) below: exp never overflows
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _relu_backward(g, out, a):  # 1 where a > 0, else 0
    return (g * (a > 0),)


def _abs_backward(g, out, a):  # sign(a)
    return (g * np.sign(a),)


_BINARY = {
    "+": (np.add, Value._add_backward),
    "-": (np.subtract, Value._sub_backward),
    "*": (np.multiply, Value._mul_backward),
    "/": (np.divide, Value._div_backward),
    "**": (np.power, _pow_backward),
}
_UNARY = {
    "neg": (np.negative, Value._neg_backward),
    "exp": (np.exp, Value._exp_backward),
    "log": (np.log, Value._log_backward),
    "tanh": (np.tanh, Value._tanh_backward),
    "sigmoid": (_sigmoid, Value._sigmoid_backward),
    "relu": (lambda a: np.maximum(a, 0.0), _relu_backward),
    "abs": (np.abs, _abs_backward),
}
_COMPARE = {
    ">": np.greater,
    "<": np.less,
    ">=": np.greater_equal,
    "<=": np.less_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def binary(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> tuple[Data, Backward]:
    forward, local = _BINARY[op]
    if op in _CAN_FAIL:
        with np.errstate(all="ignore"):
            out = forward(a, b)
        _check_finite(
            out, lambda i: _BINARY_VALUE[op](Value(_at(a, shape, i)), Value(_at(b, shape, i))), a, b
        )
    else:
        out = forward(a, b)

    def backward(g):
        ga, gb = local(g, out, a, b)
        return unbroadcast(ga, a_shape), unbroadcast(gb, b_shape)

    return out, backward


def unary(op: str, a: Data) -> tuple[Data, Backward]:
    forward, local = _UNARY[op]
    if op in _CAN_FAIL:
        with np.errstate(all="ignore"):
            out = forward(a)
        _check_finite(out, lambda i: getattr(Value(float(a.flat[i])), op)(), a)
    else:
        out = forward(a)
    return out, lambda g: local(g, out, a)


def power(a: Data, n: float) -> tuple[Data, Backward]:
    with np.errstate(all="ignore"):
        out = a**n
    _check_finite(out, lambda i: Value(float(a.flat[i])) ** n, a)
    return out, lambda g: (g * n * a ** (n - 1),)


def matmul(a: Data, b: Data, n: int, k: int, m: int, needs: tuple[bool, bool]) -> tuple[Data, Backward]:
    """(n, k) @ (k, m); backward skips the product for a side that needs no gradient (data)."""

    def backward(g):  # d(AB)/dA: G Bᵀ, d(AB)/dB: Aᵀ G
        return (g @ b.T if needs[0] else None), (a.T @ g if needs[1] else None)

    return a @ b, backward


def linear(a: Data, w: Data, b: Data | None, n: int, k: int, m: int, needs: tuple) -> tuple[Data, Backward]:
    """a @ wᵀ + b in one op (PyTorch's addmm); each gradient comes out row-major, as its input."""
    out = a @ w.T
    if b is not None:
        out += b

    def backward(g):  # d/da: G W, d/dw: Gᵀ A, d/db: G's column sums
        grads = (g @ w if needs[0] else None, g.T @ a if needs[1] else None)
        return grads if b is None else (*grads, g.sum(axis=0) if needs[2] else None)

    return out, backward


def reduce_sum(a: Data, shape: Shape, dim: int | None, keepdim: bool) -> tuple[Data, Backward]:
    kept = _kept_shape(shape, dim)
    return a.sum(axis=dim, keepdims=keepdim), lambda g: (np.broadcast_to(np.reshape(g, kept), shape),)


def reduce_mean(a: Data, shape: Shape, dim: int | None, keepdim: bool) -> tuple[Data, Backward]:
    kept, n = _kept_shape(shape, dim), a.size if dim is None else shape[dim]
    return a.mean(axis=dim, keepdims=keepdim), lambda g: (np.broadcast_to(np.reshape(g, kept) / n, shape),)


def reduce_max(a: Data, shape: Shape, dim: int | None, keepdim: bool) -> tuple[Data, list[int], Backward]:
    """The largest element of each group (the first one on a tie) and its position in the group."""
    flat = a.reshape(-1) if dim is None else a
    axis = 0 if dim is None else dim
    index = np.expand_dims(np.argmax(flat, axis=axis), axis)
    out = np.take_along_axis(flat, index, axis=axis).reshape(_kept_shape(shape, dim))

    def backward(g):
        grad = np.zeros(flat.shape)
        np.put_along_axis(grad, index, np.reshape(g, index.shape), axis=axis)
        return (grad.reshape(shape),)

    return (out if keepdim else out.squeeze(axis=dim)), index.ravel().tolist(), backward


def _kept_shape(shape: Shape, dim: int | None) -> Shape:
    """The shape of a reduction's result with the reduced dims kept as size 1."""
    return (1,) * len(shape) if dim is None else shape[:dim] + (1,) + shape[dim + 1 :]


def cat(datas: list[Data], shapes: list[Shape], dim: int) -> tuple[Data, Backward]:
    """np.concatenate along `dim` (each part first given its shape: stack adds a size-1 dim)."""
    out = np.concatenate([np.reshape(d, s) for d, s in zip(datas, shapes)], axis=dim)
    cuts = np.cumsum([s[dim] for s in shapes])[:-1]
    return out, lambda g: tuple(np.reshape(p, d.shape) for p, d in zip(np.split(g, cuts, axis=dim), datas))


def gather(a: Data, index: list[int], shape: Shape) -> tuple[Data, Backward]:
    flat_index = np.array(index, dtype=np.intp)

    def backward(g):
        grad = np.zeros(a.size)
        np.add.at(grad, flat_index, np.ravel(g))
        return (grad.reshape(a.shape),)

    return a.reshape(-1)[flat_index].reshape(shape), backward


def reshape(a: Data, shape: Shape, new_shape: Shape) -> tuple[Data, Backward]:
    return a.reshape(new_shape), lambda g: (np.reshape(g, shape),)


def transpose(a: Data, shape: Shape, d0: int, d1: int) -> tuple[Data, Backward]:
    return np.swapaxes(a, d0, d1), lambda g: (np.swapaxes(g, d0, d1),)


def compare(op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> Data:
    return _COMPARE[op](a, b).astype(np.float64)


def round_half_even(a: Data) -> Data:
    return np.round(a)


def clamp(a: Data, low: float, high: float) -> tuple[Data, Backward]:
    inside = (a >= low) & (a <= high)
    return np.clip(a, low, high), lambda g: (g * inside,)


def copy(a: Data) -> Data:
    return a.copy()


def assign(a: Data, b: Data) -> None:
    a[...] = np.reshape(b, a.shape)


def add_scaled(a: Data, b: Data, alpha: float) -> None:
    a += alpha * b


def scale(a: Data, factor: float) -> None:
    a *= factor


def backprop(root, order: list, kept: list, seed: list[float], retain_graph: bool) -> dict[int, Data]:
    """Run each tensor's backward function, outputs first; the gradients of the `kept` tensors."""
    grads = {id(root): from_floats(seed, root.shape)}
    handed_out: set[int] = set()  # arrays something already holds: a kept gradient must not share them
    for t in reversed(order):
        g = grads.get(id(t))
        if g is None or not t._prev:
            continue
        t._last_grad = g  # kept for pictures: PyTorch keeps it only if asked (retain_grad)
        handed_out.add(id(g))
        for parent, gp in zip(t._prev, t._backward(g)):
            if gp is not None and parent.requires_grad:
                grads[id(parent)] = grads[id(parent)] + gp if id(parent) in grads else gp
        if not retain_graph:
            t._backward = engine._released
    return {id(t): _own(grads[id(t)], handed_out) for t in kept}


def _own(g: np.ndarray, handed_out: set[int]) -> np.ndarray:
    """g as an array its new owner may change in place: a copy if it is a view or already held
    elsewhere (`a + b` hands the same gradient to both), else g itself (a copy costs like an op)."""
    if id(g) in handed_out or not (g.flags.owndata and g.flags.writeable and g.flags.c_contiguous):
        g = np.array(g, dtype=np.float64, order="C")  # row-major, so the update runs at full speed
    handed_out.add(id(g))
    return g


# ---- the same errors as the python path ---------------------------------------------------
# Where numpy quietly gives inf or nan from finite inputs (log 0, 1/0, exp 1000, ...), the
# first such element is run through the scalar engine, which raises the error the python
# path raises. Where the engine also just gives inf (1e200 * 1e200), so does this path.

_BINARY_VALUE = {
    "+": Value.__add__,
    "-": Value.__sub__,
    "*": Value.__mul__,
    "/": Value.__truediv__,
    "**": Value.__pow__,
}
_CAN_FAIL = {"/", "**", "exp", "log"}  # the ops the scalar engine can refuse; the rest just compute


def _check_finite(out: np.ndarray, replay: Callable[[int], object], *inputs: np.ndarray) -> None:
    bad = ~np.isfinite(out)
    if bad.any():
        finite_in = np.logical_and.reduce([np.broadcast_to(np.isfinite(x), out.shape) for x in inputs])
        culprits = np.flatnonzero(bad & finite_in)
        if culprits.size:
            replay(int(culprits[0]))


def _at(x: np.ndarray, shape: Shape, i: int) -> float:
    """Element i (a flat position in the broadcast `shape`) of x."""
    return float(np.broadcast_to(x, shape).flat[i])
