"""Tensor: PyTorch's tensor API over two interchangeable paths.

A Tensor is a shape, a flat row-major store of its elements and, when it was computed
from tensors that require grad, the op that made it (`grad_fn`) and its parents.
What the store is depends on the path:

- the python path (`python_path.py`): a list of `Value`s. The scalar engine records
  every element's graph, so backward() is the engine's own backward pass.
- the numpy path (`numpy_path.py`): one float64 ndarray. Each op is one node with a
  backward function over whole arrays, run here in reverse topological order.

Both give the same numbers, shapes and errors. The shape bookkeeping is shared
(`shape.py`); each path only does arithmetic.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Sequence
from itertools import product
from numbers import Real
from types import ModuleType

from micrograd_edu import engine
from micrograd_edu.engine import _as_float, no_grad, topological_order
from micrograd_edu.tensor import python_path
from micrograd_edu.tensor.shape import (
    Shape,
    broadcast_shapes,
    flatten_nested,
    nest,
    normalize_dim,
    numel,
    reduced_shape,
    reshaped,
    selected_index,
    strides,
)

BACKENDS = ("python", "numpy")
_default_backend = "python"

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def set_backend(name: str) -> None:
    """Where new tensors (and new parameters) live unless a call says otherwise."""
    global _default_backend
    path_for(name)
    _default_backend = name


def get_backend() -> str:
    return _default_backend


def path_for(backend: str | None) -> ModuleType:
    """The module that does a path's arithmetic: numpy is imported only when asked for."""
    backend = _default_backend if backend is None else backend
    if backend == "python":
        return python_path
    if backend == "numpy":
        try:
            from micrograd_edu.tensor import numpy_path
        except ImportError as e:
            raise ImportError(
                "the numpy path needs numpy: pip install 'micrograd_edu[numpy]' (or use backend='python')"
            ) from e
        return numpy_path
    raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")


class GradFn:
    """The name of the op that made a tensor, printed as PyTorch prints it: <MulBackward0>."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name}>"


class Tensor:
    """An n-dimensional array of float64 numbers that can record how it was computed.

    Create one with `micrograd_edu.tensor(...)`, `zeros`, `ones`, `rand` or `randn`.
    """

    __slots__ = (
        "_data",
        "shape",
        "_path",
        "requires_grad",
        "grad",
        "_prev",
        "_op",
        "_backward",
        "_retains",
        "_bool",
        "_last_grad",
    )

    def __init__(
        self, data, shape: Shape, path: ModuleType, requires_grad: bool = False, *, is_bool: bool = False
    ):
        self._data, self.shape, self._path = data, shape, path
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._prev: tuple[Tensor, ...] = ()
        self._op = ""
        self._backward = None
        self._retains = False
        self._bool = is_bool
        self._last_grad = None  # numpy path: the gradient that reached it in the latest backward, for drawing

    # ---- what it is ---------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return self._path.name

    @property
    def is_leaf(self) -> bool:
        return not self._prev

    @property
    def grad_fn(self) -> GradFn | None:
        return GradFn(self._op) if self._prev else None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def dim(self) -> int:
        return len(self.shape)

    def size(self, dim: int | None = None) -> Shape | int:
        return self.shape if dim is None else self.shape[normalize_dim(dim, self.dim(), "size")]

    def numel(self) -> int:
        return numel(self.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor: it has no first dimension (use .item())")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def _floats(self) -> list[float]:
        return self._path.to_floats(self._data)

    def item(self) -> float | bool:
        if self.numel() != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        x = self._floats()[0]
        return bool(x) if self._bool else x

    def tolist(self) -> object:
        values = self._floats()
        return nest([bool(x) for x in values] if self._bool else values, self.shape)

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("numpy() on a tensor that requires grad: call .detach().numpy() instead")
        import numpy as np

        return np.array(self._floats(), dtype=bool if self._bool else np.float64).reshape(self.shape)

    def __float__(self) -> float:
        return float(self.item())

    def any(self) -> Tensor:
        """True if any element is nonzero (a 0-d bool tensor, as in PyTorch)."""
        return self._truth(any(self._floats()))

    def all(self) -> Tensor:
        """True if every element is nonzero (a 0-d bool tensor, as in PyTorch)."""
        return self._truth(all(self._floats()))

    def _truth(self, value: bool) -> Tensor:
        return Tensor(self._path.from_floats([float(value)], ()), (), self._path, is_bool=True)

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous: use .any() or .all()"
            )
        return bool(self.item())

    def __repr__(self) -> str:
        text = _format(self._floats(), self.shape, self._bool)
        if self._prev:
            text += f", grad_fn={self.grad_fn!r}"
        elif self.requires_grad:
            text += ", requires_grad=True"
        return f"tensor({text})"

    # ---- elementwise arithmetic, with broadcasting ----------------------------------------

    def __add__(self, other) -> Tensor:
        return self._binary(other, "+", "AddBackward0")

    def __radd__(self, other) -> Tensor:
        return self._binary(other, "+", "AddBackward0", reflected=True)

    def __sub__(self, other) -> Tensor:
        return self._binary(other, "-", "SubBackward0")

    def __rsub__(self, other) -> Tensor:
        return self._binary(other, "-", "RsubBackward1", reflected=True)

    def __mul__(self, other) -> Tensor:
        return self._binary(other, "*", "MulBackward0")

    def __rmul__(self, other) -> Tensor:
        return self._binary(other, "*", "MulBackward0", reflected=True)

    def __truediv__(self, other) -> Tensor:
        return self._binary(other, "/", "DivBackward0")

    def __rtruediv__(self, other) -> Tensor:
        return self._binary(other, "/", "DivBackward0", reflected=True)

    def __pow__(self, exponent) -> Tensor:
        if isinstance(exponent, Tensor):
            return self._binary(exponent, "**", "PowBackward1")
        n = _as_float(exponent, "**")
        return _record("PowBackward0", (self,), self.shape, self._path.power, self._data, n)

    def __rpow__(self, base) -> Tensor:
        return self._binary(base, "**", "PowBackward2", reflected=True)

    def __neg__(self) -> Tensor:
        return self._unary("neg", "NegBackward0")

    def exp(self) -> Tensor:
        return self._unary("exp", "ExpBackward0")

    def log(self) -> Tensor:
        return self._unary("log", "LogBackward0")

    def tanh(self) -> Tensor:
        return self._unary("tanh", "TanhBackward0")

    def sigmoid(self) -> Tensor:
        return self._unary("sigmoid", "SigmoidBackward0")

    def relu(self) -> Tensor:
        return self._unary("relu", "ReluBackward0")

    def abs(self) -> Tensor:
        return self._unary("abs", "AbsBackward0")

    __abs__ = abs

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Each element limited to [min, max]; the gradient is 1 inside, 0 where clamped."""
        if min is None and max is None:
            raise ValueError("clamp needs min=, max= or both")
        low = -math.inf if min is None else _as_float(min, "clamp")
        high = math.inf if max is None else _as_float(max, "clamp")
        return _record("ClampBackward1", (self,), self.shape, self._path.clamp, self._data, low, high)

    def _binary(self, other, op: str, name: str, reflected: bool = False) -> Tensor:
        other = self._coerce(other, op)
        a, b = (other, self) if reflected else (self, other)
        shape = broadcast_shapes(a.shape, b.shape, f"'{op}'")
        return _record(name, (a, b), shape, self._path.binary, op, a._data, b._data, a.shape, b.shape, shape)

    def _unary(self, op: str, name: str) -> Tensor:
        return _record(name, (self,), self.shape, self._path.unary, op, self._data)

    def _coerce(self, other, op: str) -> Tensor:
        """`other` as a tensor on this tensor's path: a number becomes a 0-d constant."""
        if isinstance(other, Tensor):
            if other._path is not self._path:
                raise TypeError(
                    f"'{op}' got a tensor on the {self.backend} path and one on the {other.backend} path: "
                    "create both with the same backend= (or micrograd_edu.set_backend)"
                )
            return other
        return Tensor(self._path.from_floats([_as_float(other, op)], ()), (), self._path)

    # ---- comparisons: results hold True/False and build no graph ---------------------------

    def __gt__(self, other) -> Tensor:
        return self._compare(other, ">")

    def __lt__(self, other) -> Tensor:
        return self._compare(other, "<")

    def __ge__(self, other) -> Tensor:
        return self._compare(other, ">=")

    def __le__(self, other) -> Tensor:
        return self._compare(other, "<=")

    def __eq__(self, other) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Tensor, Real)):
            return NotImplemented
        return self._compare(other, "==")

    def __ne__(self, other) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Tensor, Real)):
            return NotImplemented
        return self._compare(other, "!=")

    __hash__ = object.__hash__  # tensors stay usable as dict keys, by identity

    def _compare(self, other, op: str) -> Tensor:
        other = self._coerce(other, op)
        shape = broadcast_shapes(self.shape, other.shape, f"'{op}'")
        data = self._path.compare(op, self._data, other._data, self.shape, other.shape, shape)
        return Tensor(data, shape, self._path, is_bool=True)

    def float(self) -> Tensor:
        """True/False as 1.0/0.0 (a float tensor is returned as it is)."""
        return Tensor(self._data, self.shape, self._path) if self._bool else self

    def round(self) -> Tensor:
        """Round half to even, as PyTorch does; the result builds no graph."""
        return Tensor(self._path.round_half_even(self._data), self.shape, self._path)

    # ---- matrix product and reductions ------------------------------------------------------

    def matmul(self, other: Tensor) -> Tensor:
        """1-d and 2-d @: (n, k) @ (k, m) -> (n, m); a 1-d side is a row or a column."""
        if not isinstance(other, Tensor):
            raise TypeError(f"matmul needs two tensors, got {type(other).__name__} {other!r}")
        other = self._coerce(other, "@")
        if not (1 <= self.dim() <= 2 and 1 <= other.dim() <= 2):
            raise ValueError(f"matmul needs 1-d or 2-d tensors, got shapes {self.shape} and {other.shape}")
        a = self.reshape(1, -1) if self.dim() == 1 else self
        b = other.reshape(-1, 1) if other.dim() == 1 else other
        (n, k), (k2, m) = a.shape, b.shape
        if k != k2:
            raise ValueError(
                f"matmul: shapes {self.shape} and {other.shape} cannot be multiplied "
                f"({k} columns on the left, {k2} rows on the right)"
            )
        needs = (a.requires_grad, b.requires_grad)
        out = _record("MmBackward0", (a, b), (n, m), self._path.matmul, a._data, b._data, n, k, m, needs)
        shape = (n,) * (self.dim() == 2) + (m,) * (other.dim() == 2)
        return out if shape == out.shape else out.reshape(shape)

    __matmul__ = matmul

    def __rmatmul__(self, other) -> Tensor:
        raise TypeError(f"matmul needs two tensors, got {type(other).__name__} {other!r}")

    def sum(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return self._reduce("sum", "SumBackward", dim, keepdim)

    def mean(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return self._reduce("mean", "MeanBackward", dim, keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MaxResult:
        """The largest element; with `dim`, (values, indices) along it, as in PyTorch."""
        d = self._reduced_dim(dim, "max")
        if self.numel() == 0:
            raise ValueError("max() of an empty tensor has no value")
        shape = reduced_shape(self.shape, d, keepdim)
        picked: list[int] = []

        def compute():
            data, index, backward = self._path.reduce_max(self._data, self.shape, d, keepdim)
            picked.extend(index)
            return data, backward

        values = _record("MaxBackward1" if dim is None else "MaxBackward0", (self,), shape, compute)
        if dim is None:
            return values
        return MaxResult(values, Tensor(self._path.from_floats(picked, shape), shape, self._path))

    def _reduce(self, how: str, name: str, dim: int | None, keepdim: bool) -> Tensor:
        d = self._reduced_dim(dim, how)
        fn = self._path.reduce_sum if how == "sum" else self._path.reduce_mean
        shape = reduced_shape(self.shape, d, keepdim)
        return _record(
            name + ("0" if dim is None else "1"), (self,), shape, fn, self._data, self.shape, d, keepdim
        )

    def _reduced_dim(self, dim: int | None, op: str) -> int | None:
        """`dim` counted from 0; None for all elements, which is also what dim 0 of a 0-d tensor is."""
        d = None if dim is None else normalize_dim(dim, self.dim(), op)
        return d if self.shape else None

    # ---- shapes: the same elements, rearranged ----------------------------------------------

    def reshape(self, *shape) -> Tensor:
        return self._view(reshaped(self.shape, shape, "reshape"), "ViewBackward0")

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if not self.shape:
            return self.reshape(1)
        s, e = normalize_dim(start_dim, self.dim(), "flatten"), normalize_dim(end_dim, self.dim(), "flatten")
        return self.reshape(self.shape[:s] + (numel(self.shape[s : e + 1]),) + self.shape[e + 1 :])

    def unsqueeze(self, dim: int) -> Tensor:
        d = normalize_dim(dim, self.dim() + 1, "unsqueeze")
        return self._view(self.shape[:d] + (1,) + self.shape[d:], "UnsqueezeBackward0")

    def squeeze(self, dim: int | None = None) -> Tensor:
        if dim is None:
            return self._view(tuple(s for s in self.shape if s != 1), "SqueezeBackward0")
        d = normalize_dim(dim, self.dim(), "squeeze")
        if not self.shape or self.shape[d] != 1:  # only a size-1 dim goes away, as in PyTorch
            return self
        return self._view(self.shape[:d] + self.shape[d + 1 :], "SqueezeBackward1")

    def _view(self, shape: Shape, name: str) -> Tensor:
        """The same elements in another shape (reshape, squeeze and unsqueeze are all this)."""
        return _record(name, (self,), shape, self._path.reshape, self._data, self.shape, shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        d0, d1 = normalize_dim(dim0, self.dim(), "transpose"), normalize_dim(dim1, self.dim(), "transpose")
        return self._transposed(d0, d1, "TransposeBackward0")

    def t(self) -> Tensor:
        """The transpose of a 1-d or 2-d tensor."""
        return self._transposed(0, 1, "TBackward0") if self.dim() == 2 else self._checked_2d(".t()")

    @property
    def T(self) -> Tensor:
        return self._transposed(0, 1, "PermuteBackward0") if self.dim() == 2 else self._checked_2d(".T")

    def _checked_2d(self, op: str) -> Tensor:
        if self.dim() > 2:
            raise ValueError(
                f"{op} is for 1-d and 2-d tensors, this one has shape {self.shape}: use .transpose()"
            )
        return self

    def _transposed(self, d0: int, d1: int, name: str) -> Tensor:
        shape = list(self.shape)
        shape[d0], shape[d1] = shape[d1], shape[d0]
        return _record(name, (self,), tuple(shape), self._path.transpose, self._data, self.shape, d0, d1)

    def __getitem__(self, key) -> Tensor:
        shape, index = selected_index(self.shape, key)
        keys = key if isinstance(key, tuple) else (key,)
        name = (
            "SliceBackward0"
            if all(isinstance(k, slice) or k is None or k is Ellipsis for k in keys)
            else "SelectBackward0"
        )
        return _record(name, (self,), shape, self._path.gather, self._data, index, shape)

    def take(self, index: list[int]) -> Tensor:
        """The elements at these positions of the flattened tensor, as a 1-d tensor (torch.take)."""
        size = self.numel()
        bad = [i for i in index if not isinstance(i, int) or not -size <= i < size]
        if bad:
            raise IndexError(f"take: index {bad[0]!r} is out of range for a tensor of {size} elements")
        flat = [i % size for i in index]
        shape = (len(flat),)
        return _record("TakeBackward0", (self,), shape, self._path.gather, self._data, flat, shape)

    # ---- autograd -----------------------------------------------------------------------------

    @property
    def data(self) -> Tensor:
        """The same numbers (the same storage) outside the graph, as PyTorch's `.data`.

        Assigning to it writes in place, so `w.data -= lr * w.grad` updates a weight.
        """
        return Tensor(self._data, self.shape, self._path, is_bool=self._bool)

    @data.setter
    def data(self, value) -> None:
        self.data.copy_(value)

    def copy_(self, src) -> Tensor:
        """Overwrite this tensor's numbers in place with src's (same shape), outside the graph."""
        self._path.assign(self._data, self._in_place_operand(src, "copy_")._data)
        return self

    def add_(self, other, alpha: float = 1.0) -> Tensor:
        """self += alpha * other, in place and outside the graph: how an optimizer moves a weight."""
        other = self._in_place_operand(other, "add_")
        self._path.add_scaled(self._data, other._data, _as_float(alpha, "add_"))
        return self

    def mul_(self, factor: float) -> Tensor:
        """self *= factor, in place and outside the graph."""
        self._check_in_place("mul_")
        self._path.scale(self._data, _as_float(factor, "mul_"))
        return self

    def zero_(self) -> Tensor:
        return self.copy_(
            Tensor(self._path.from_floats([0.0] * self.numel(), self.shape), self.shape, self._path)
        )

    def new_tensor(self, data) -> Tensor:
        """A new tensor from a number or nested lists, on this tensor's path."""
        flat, shape = flatten_nested(data)
        return Tensor(self._path.from_floats(flat, shape), shape, self._path)

    def _in_place_operand(self, src, op: str) -> Tensor:
        """What an in-place op reads: a tensor (or numbers) of this tensor's shape."""
        self._check_in_place(op)
        src = self._coerce(src, op) if isinstance(src, Tensor) else self.new_tensor(src)
        if src.shape != self.shape:
            raise ValueError(f"{op}: cannot use a tensor of shape {src.shape} on one of shape {self.shape}")
        return src

    def _check_in_place(self, op: str) -> None:
        if self.requires_grad and engine._grad_enabled:
            raise RuntimeError(
                f"{op}() would change a tensor that requires grad while the graph is being recorded, "
                "which would corrupt its gradients. Do it inside `with torch.no_grad():`, as an "
                "optimizer does, or through `.data`."
            )

    def detach(self) -> Tensor:
        """The same numbers as a new leaf, cut off from the graph (on the python path, new Values)."""
        return Tensor(self._path.copy(self._data), self.shape, self._path, is_bool=self._bool)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._prev:
            raise RuntimeError(
                "requires_grad can only be changed on a leaf tensor; this one was computed by "
                f"{self._op}. Use .detach() to make a leaf from it."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward(), accumulating as a leaf's does."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains = bool(self._prev)

    def backward(self, gradient=None, retain_graph: bool | None = None) -> None:
        """Fill `.grad` of every leaf this tensor was computed from (accumulating, as in PyTorch)."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: none of the tensors it was "
                "computed from has requires_grad=True, or it was computed under no_grad()"
            )
        if gradient is None:
            if self.numel() != 1:
                raise RuntimeError(
                    f"backward() on a tensor of shape {self.shape} needs gradient=, a tensor of the same "
                    "shape: only a single-element output has an implied gradient of 1. For a loss, "
                    "reduce first, e.g. y.sum().backward()"
                )
            seed = [1.0]
        else:
            seed = _gradient_floats(gradient, self.shape)
        order = topological_order([self])
        kept = [t for t in order if (t.requires_grad and not t._prev) or t._retains]
        new = self._path.backprop(self, order, kept, seed, bool(retain_graph))
        with no_grad():
            for t in kept:
                g = Tensor(new[id(t)], t.shape, t._path)
                t.grad = g if t.grad is None else t.grad + g


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors joined along an existing dimension; the others must match (torch.cat)."""
    first = _first_of(tensors, "cat")
    d = normalize_dim(dim, first.dim(), "cat")
    for i, t in enumerate(tensors):
        if t.dim() != first.dim() or t.shape[:d] + t.shape[d + 1 :] != first.shape[:d] + first.shape[d + 1 :]:
            raise ValueError(
                f"cat: tensor {i} has shape {t.shape}, tensor 0 has shape {first.shape}: "
                f"they must match in every dimension but {d}"
            )
    shape = first.shape[:d] + (sum(t.shape[d] for t in tensors),) + first.shape[d + 1 :]
    shapes = [t.shape for t in tensors]
    return _record(
        "CatBackward0", tuple(tensors), shape, first._path.cat, [t._data for t in tensors], shapes, d
    )


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors, all of one shape, side by side along a new dimension (torch.stack)."""
    first = _first_of(tensors, "stack")
    d = normalize_dim(dim, first.dim() + 1, "stack")
    for i, t in enumerate(tensors):
        if t.shape != first.shape:
            raise ValueError(
                f"stack: tensor {i} has shape {t.shape}, tensor 0 has shape {first.shape}: they must match"
            )
    shape = first.shape[:d] + (len(tensors),) + first.shape[d:]
    shapes = [first.shape[:d] + (1,) + first.shape[d:]] * len(tensors)
    return _record(
        "StackBackward0", tuple(tensors), shape, first._path.cat, [t._data for t in tensors], shapes, d
    )


def _first_of(tensors: Sequence[Tensor], op: str) -> Tensor:
    """The first tensor, after checking they are all tensors on its path."""
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise ValueError(f"{op} takes a non-empty list of tensors, got {tensors!r}")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op} takes tensors, got {type(t).__name__} {t!r}")
        tensors[0]._coerce(t, op)
    return tensors[0]


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias as one op, as PyTorch's nn.Linear records it (AddmmBackward0):
    x of shape (n, in), weight (out, in), bias (out,). Shapes are checked by nn.functional.linear."""
    parents = (x, weight) if bias is None else (x, weight, bias)
    for p in parents[1:]:
        x._coerce(p, "linear")
    (n, k), m = x.shape, weight.shape[0]
    needs = tuple(p.requires_grad for p in parents)
    data = (x._data, weight._data, None if bias is None else bias._data)
    name = "MmBackward0" if bias is None else "AddmmBackward0"
    return _record(name, parents, (n, m), x._path.linear, *data, n, k, m, needs)


def _record(op: str, parents: tuple[Tensor, ...], shape: Shape, compute, *args) -> Tensor:
    """Run a path's op and, if any parent requires grad, remember how the result was made."""
    path = parents[0]._path
    requires = engine._grad_enabled and any(p.requires_grad for p in parents)
    if requires or path is not python_path:
        data, backward = compute(*args)
    else:  # on the python path, Values computed without a graph
        with no_grad():
            data, backward = compute(*args)
    out = Tensor(data, shape, path, requires)
    if requires:
        out._prev, out._op, out._backward = parents, op, backward
    return out


def _gradient_floats(gradient, shape: Shape) -> list[float]:
    flat, gshape = (
        (gradient._floats(), gradient.shape) if isinstance(gradient, Tensor) else flatten_nested(gradient)
    )
    if gshape != shape:
        raise ValueError(f"backward(): gradient has shape {gshape} but the output has shape {shape}")
    return flat


SUMMARY_THRESHOLD, EDGE_ITEMS = 1000, 3  # as PyTorch: past 1000 elements, 3 at each end of a dim
LINE_WIDTH = 80  # as PyTorch: longer rows wrap


def _format(values: list[float], shape: Shape, is_bool: bool) -> str:
    """Numbers laid out as PyTorch prints them: 4 decimals, `1.` for whole numbers, aligned,
    and past 1000 elements only the first and last 3 along each dimension, with `...`."""
    axes = [_shown(size, len(values) > SUMMARY_THRESHOLD) for size in shape]
    step = strides(shape)
    where = [None if None in i else sum(a * b for a, b in zip(i, step)) for i in product(*axes)]
    shown = [values[i] for i in where if i is not None]
    if is_bool:
        texts = ["True" if v else "False" for v in shown]
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
