"""Tensor: PyTorch's tensor API over two interchangeable backends.

A Tensor is a shape, a flat row-major store of its elements and, when it was computed
from tensors that require grad, the op that made it (`grad_fn`) and its parents.
What the store is depends on the backend (`backend.py` writes the contract down):

- the python backend: a list of `Value`s. The scalar engine records every element's
  graph, so backward() is the engine's own backward pass.
- the numpy backend: one float64 ndarray. Each op is one node with a backward
  function over whole arrays, run here in reverse topological order.

Both give the same numbers, shapes and errors. This file holds the class itself, its
arithmetic and its autograd; reductions, views and in-place ops are in files of their
own (`reductions.py`, `views.py`, `inplace.py`), mixed into the class below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from numbers import Real
from typing import Any

from micrograd_edu.engine import Value, as_float, topological_order
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import elementwise as ops
from micrograd_edu.tensor import python_backend
from micrograd_edu.tensor.backend import Backend
from micrograd_edu.tensor.inplace import InPlace
from micrograd_edu.tensor.printing import format_tensor
from micrograd_edu.tensor.reductions import Reductions
from micrograd_edu.tensor.shape import Shape, broadcast_shapes, flatten_nested, nest, normalize_dim, numel
from micrograd_edu.tensor.views import Views


class GradFn:
    """The name of the op that made a tensor, printed as PyTorch prints it: <MulBackward0>."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name}>"


class Tensor(Reductions, Views, InPlace):
    """An n-dimensional array of float64 numbers that can record how it was computed.

    Create one with `micrograd_edu.tensor(...)`, `zeros`, `ones`, `rand` or `randn`.
    """

    __slots__ = (
        "_data",
        "shape",
        "_backend",
        "requires_grad",
        "grad",
        "_prev",
        "_op",
        "_backward",
        "_retains",
        "_bool",
        "__weakref__",
    )

    def __init__(
        self, data: Any, shape: Shape, backend: Backend, requires_grad: bool = False, *, is_bool: bool = False
    ) -> None:
        self._data, self.shape, self._backend = data, shape, backend
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._prev: tuple[Tensor, ...] = ()
        self._op = ""
        self._backward: Callable | None = None
        self._retains = False
        self._bool = is_bool

    # ---- what it is ---------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return self._backend.name

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

    def size(self, dim: int | None = None) -> Any:
        """The shape, or with `dim` the size of that dimension."""
        return self.shape if dim is None else self.shape[normalize_dim(dim, self.dim(), "size")]

    def numel(self) -> int:
        return numel(self.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor: it has no first dimension (use .item())")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def elements(self) -> list[Value]:
        """The Values this tensor is made of, row-major (python backend: each element's node)."""
        if self._backend is not python_backend:
            raise ValueError(
                f"a tensor on the {self.backend} backend holds an array, not Values: "
                "make it with backend='python' to reach its elements' Values"
            )
        return self._data

    def _floats(self) -> list[float]:
        return self._backend.to_floats(self._data)

    def _new(self, flat: list[float], shape: Shape, is_bool: bool = False) -> Tensor:
        """A new leaf on this tensor's backend from these numbers (row-major) in `shape`."""
        return Tensor(self._backend.from_floats(flat, shape), shape, self._backend, is_bool=is_bool)

    def item(self) -> float | bool:
        if self.numel() != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        x = self._floats()[0]
        return bool(x) if self._bool else x

    def tolist(self) -> Any:
        values = self._floats()
        return nest([bool(x) for x in values] if self._bool else values, self.shape)

    def numpy(self) -> Any:
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
        return self._new([float(value)], (), is_bool=True)

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous: use .any() or .all()"
            )
        return bool(self.item())

    def __repr__(self) -> str:
        text = format_tensor(self._floats(), self.shape, self._bool)
        if self._prev:
            text += f", grad_fn={self.grad_fn!r}"
        elif self.requires_grad:
            text += ", requires_grad=True"
        return f"tensor({text})"

    # ---- elementwise arithmetic, with broadcasting (the ops of elementwise.py) ---------------

    neg = __neg__ = ops.neg.method
    abs = __abs__ = ops.abs.method
    exp = ops.exp.method
    log = ops.log.method
    tanh = ops.tanh.method
    sigmoid = ops.sigmoid.method
    relu = ops.relu.method

    def __add__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.add, other)

    def __radd__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.add, other, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.sub, other)

    def __rsub__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.sub, other, reflected=True, grad_fn="RsubBackward1")

    def __mul__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.mul, other)

    def __rmul__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.mul, other, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.div, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.div, other, reflected=True)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, Tensor):
            return self.apply_elementwise(ops.pow, exponent)
        return self.apply_elementwise(ops.pow_n, params=(as_float(exponent, "**"),))

    def __rpow__(self, base: Any) -> Tensor:
        return self.apply_elementwise(ops.pow, base, reflected=True, grad_fn="PowBackward2")

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Each element limited to [min, max]; the gradient is 1 inside, 0 where clamped."""
        if min is None and max is None:
            raise ValueError("clamp needs min=, max= or both")
        low = -float("inf") if min is None else as_float(min, "clamp")
        high = float("inf") if max is None else as_float(max, "clamp")
        return self.apply_elementwise(ops.clamp, params=(low, high))

    def apply_elementwise(
        self, op: ops.Elementwise, *other: Any, params: tuple = (), reflected: bool = False, grad_fn: str = ""
    ) -> Tensor:
        """Run an op of the elementwise table on this tensor (and another, broadcast), recorded.

        Every elementwise method is this: `t * u` is `t.apply_elementwise(ops.mul, u)`. A
        number operand becomes a 0-d constant; `reflected` puts it first (`2 - t`).
        """
        name, compute = grad_fn or op.grad_fn, self._backend.elementwise
        if not other:
            shape = self.shape
            return Tensor.recorded(name, (self,), shape, compute, op, (self._data,), (shape,), shape, params)
        (b,) = other
        a, b = self, self._coerce(b, op.op)
        if reflected:
            a, b = b, a
        shape = a.shape if a.shape == b.shape else broadcast_shapes(a.shape, b.shape, f"'{op.op}'")
        return Tensor.recorded(
            name, (a, b), shape, compute, op, (a._data, b._data), (a.shape, b.shape), shape, params
        )

    def new_tensor(self, data: Any) -> Tensor:
        """A new tensor from a number or nested lists, on this tensor's backend."""
        flat, shape = flatten_nested(data)
        return self._new(flat, shape)

    def _operand(self, other: Any, op: str) -> Tensor:
        """What an op that takes a tensor-like reads: a tensor (same backend), or numbers as one."""
        return self._coerce(other, op) if isinstance(other, Tensor) else self.new_tensor(other)

    def _coerce(self, other: Any, op: str) -> Tensor:
        """`other` as a tensor on this tensor's backend: a number becomes a 0-d constant."""
        if isinstance(other, Tensor):
            if other._backend is not self._backend:
                check_same_backend(self, other, op)
            return other
        return self._new([as_float(other, op)], ())

    # ---- comparisons: results hold True/False and build no graph ---------------------------

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, ">")

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, "<")

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, ">=")

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, "<=")

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Tensor, Real)):
            return NotImplemented
        return self._compare(other, "==")

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Tensor, Real)):
            return NotImplemented
        return self._compare(other, "!=")

    __hash__ = object.__hash__  # tensors stay usable as dict keys, by identity

    def _compare(self, other: Any, op: str) -> Tensor:
        other = self._coerce(other, op)
        shape = broadcast_shapes(self.shape, other.shape, f"'{op}'")
        data = self._backend.compare(op, self._data, other._data, self.shape, other.shape, shape)
        return Tensor(data, shape, self._backend, is_bool=True)

    def float(self) -> Tensor:
        """True/False as 1.0/0.0 (a float tensor is returned as it is)."""
        return Tensor(self._data, self.shape, self._backend) if self._bool else self

    def round(self) -> Tensor:
        """Round half to even, as PyTorch does; the result builds no graph."""
        return Tensor(self._backend.round_half_even(self._data), self.shape, self._backend)

    # ---- matrix product ---------------------------------------------------------------------

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
        out = Tensor.recorded("MmBackward0", (a, b), (n, m), self._backend.matmul, a._data, b._data, n, k, m)
        shape = (n,) * (self.dim() == 2) + (m,) * (other.dim() == 2)
        return out if shape == out.shape else out.reshape(shape)

    __matmul__ = matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        raise TypeError(f"matmul needs two tensors, got {type(other).__name__} {other!r}")

    # ---- how every op makes its result --------------------------------------------------------

    @staticmethod
    def recorded(op: str, parents: tuple[Tensor, ...], shape: Shape, compute: Callable, *args: Any) -> Tensor:
        """Run a backend's op, `compute(*args)`, and if any parent requires grad, remember how
        the result was made: the op's name, its parents and the backend's backward function."""
        backend = parents[0]._backend
        requires = False
        if grad_mode.enabled:  # any parent that requires grad (a loop: this runs for every op)
            for p in parents:
                if p.requires_grad:
                    requires = True
                    break
        if requires or backend is not python_backend:
            data, backward = compute(*args)
        else:  # on the python backend, Values computed without a graph
            with no_grad():
                data, backward = compute(*args)
        out = Tensor(data, shape, backend, requires)
        if requires:
            out._prev, out._op, out._backward = parents, op, backward
        return out

    # ---- autograd -----------------------------------------------------------------------------

    @property
    def data(self) -> Tensor:
        """The same numbers (the same storage) outside the graph, as PyTorch's `.data`.

        Assigning to it writes in place, so `w.data -= lr * w.grad` updates a weight.
        """
        return Tensor(self._data, self.shape, self._backend, is_bool=self._bool)

    @data.setter
    def data(self, value: Any) -> None:
        self.data.copy_(value)

    def detach(self) -> Tensor:
        """The same numbers as a new leaf, cut off from the graph (on the python backend, new Values)."""
        return Tensor(self._backend.copy(self._data), self.shape, self._backend, is_bool=self._bool)

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

    def backward(self, gradient: Any = None, retain_graph: bool | None = None) -> None:
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
        order: list[Tensor] = topological_order([self])
        kept = [t for t in order if (t.requires_grad and not t._prev) or t._retains]
        wanted = [t for t in order if t.requires_grad] if _observers else kept
        new = self._backend.backprop(self, order, wanted, seed, bool(retain_graph))
        with no_grad():
            for t in kept:
                g = Tensor(new[id(t)], t.shape, t._backend)
                t.grad = g if t.grad is None else t.grad + g
            for observe in list(_observers):
                for t in wanted:
                    if id(t) in new:
                        observe(t, Tensor(new[id(t)], t.shape, t._backend))


_observers: list[Callable[[Tensor, Tensor], None]] = []


def observe_backward(callback: Callable[[Tensor, Tensor], None]) -> Callable[[], None]:
    """Have `callback(tensor, gradient)` called for every tensor a backward pass reaches, leaves
    and intermediates alike (PyTorch keeps an intermediate's gradient only if asked to, but a
    picture of the graph wants to show it). Returns a function that stops the calls."""
    _observers.append(callback)
    return lambda: _observers.remove(callback) if callback in _observers else None


def check_same_backend(a: Tensor, b: Tensor, op: str) -> None:
    """An op takes tensors of one backend: a clear error if `b` is on another than `a`."""
    if b._backend is not a._backend:
        raise TypeError(
            f"'{op}' got a tensor on the {a.backend} backend and one on the {b.backend} backend: "
            "create both with the same backend= (or micrograd_edu.set_backend)"
        )


def _gradient_floats(gradient: Any, shape: Shape) -> list[float]:
    flat, gshape = (
        (gradient._floats(), gradient.shape) if isinstance(gradient, Tensor) else flatten_nested(gradient)
    )
    if gshape != shape:
        raise ValueError(f"backward(): gradient has shape {gshape} but the output has shape {shape}")
    return flat


def tensors_of(tensors: Sequence[Tensor], op: str) -> Tensor:
    """The first tensor of a non-empty list, after checking they are all tensors on its backend."""
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise ValueError(f"{op} takes a non-empty list of tensors, got {tensors!r}")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op} takes tensors, got {type(t).__name__} {t!r}")
        check_same_backend(tensors[0], t, op)
    return tensors[0]
