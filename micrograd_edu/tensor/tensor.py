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
own (`comparisons.py`, `reductions.py`, `views.py`, `products.py`, `inplace.py`), mixed into the
class below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import product
from numbers import Real
from typing import TYPE_CHECKING, Any

from micrograd_edu.coverage import not_covered
from micrograd_edu.engine import Value, as_float
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import dtypes, python_backend
from micrograd_edu.tensor import elementwise as ops
from micrograd_edu.tensor.backend import Backend, backend_for
from micrograd_edu.tensor.backward import Autograd, VersionCounter, changed_in_place, clock, shared_counter
from micrograd_edu.tensor.comparisons import Comparisons
from micrograd_edu.tensor.conversions import Conversions, cast_recorded
from micrograd_edu.tensor.dtypes import dtype, float64
from micrograd_edu.tensor.inplace import InPlace
from micrograd_edu.tensor.products import Products
from micrograd_edu.tensor.reductions import Reductions
from micrograd_edu.tensor.shape import Shape, Size, broadcast_shapes, flatten_nested, normalize_dim, numel
from micrograd_edu.tensor.views import Views


class Tensor(Conversions, Comparisons, Reductions, Views, Products, InPlace, Autograd):
    """An n-dimensional array of numbers of one dtype that can record how it was computed.

    Create one with `micrograd_edu.tensor(...)`, `zeros`, `ones`, `rand` or `randn`.
    """

    __slots__ = (
        "_data",
        "shape",
        "_backend",
        "requires_grad",
        "_grad",
        "_prev",
        "_op",
        "_backward",
        "_retains",
        "dtype",
        "_counter",
        "_stamp",
        "_hooks",
        "_aliased",
        "_strided",
        "__weakref__",
    )

    def __init__(
        self,
        data: Any = (),
        shape: Shape = None,  # type: ignore[assignment]
        backend: Backend = None,  # type: ignore[assignment]
        requires_grad: bool = False,
        *more: Any,
        dtype: dtype = float64,
    ) -> None:
        if not hasattr(backend, "from_floats"):  # torch.Tensor([1, 2]) or torch.Tensor(2, 3): not ours
            self._become(_legacy(data, shape, backend, requires_grad, more))
            return
        self._data, self._backend = data, backend
        self.shape = shape if type(shape) is Size else Size(shape)
        self.requires_grad = requires_grad
        self._grad: Tensor | None = None
        self._prev: tuple[Tensor, ...] = ()
        self._op = ""
        self._backward: Callable | None = None
        self._retains = False
        self.dtype = dtype
        self._counter: VersionCounter | None = None  # made on the first in-place change or view
        self._stamp = 0  # when an op made it: what it saved must not change after
        self._hooks: list | None = None
        self._aliased = False  # python backend: its Values are those of a tensor that requires grad
        self._strided: bool | tuple | str = False  # not row-major: x.t()'s dims, "slice", or True (views.py)

    def _become(self, made: Tensor) -> None:
        """Take over every attribute of a tensor just made (what PyTorch's legacy constructor made)."""
        for name in Tensor.__slots__:
            if name != "__weakref__":
                object.__setattr__(self, name, getattr(made, name))

    # ---- what it is ---------------------------------------------------------------------

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward() added up for this tensor (a leaf's, or one that retains it)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        """`w.grad = None` or a tensor of w's shape and dtype, as PyTorch checks it."""
        if value is not None:
            if not isinstance(value, Tensor):
                kind = type(value).__name__
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {kind}")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                    f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same size"
                )
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype {value.dtype!r} to a tensor of dtype "
                    f"{self.dtype!r}: the gradient must have the tensor's dtype (convert it with .to())"
                )
        self._grad = value

    @property
    def backend(self) -> str:
        return self._backend.name

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

    def _new(self, flat: list[float], shape: Shape, dtype: dtype | None = None) -> Tensor:
        """A new leaf on this tensor's backend from these numbers (row-major) in `shape`, of this
        tensor's dtype unless another is given."""
        d = self.dtype if dtype is None else dtype
        return Tensor(self._backend.from_floats(flat, shape, d), shape, self._backend, dtype=d)

    def _carry_on_as(self, new: Tensor) -> None:
        """Take over `new`'s numbers and its place in the graph, staying this object: how a recorded
        in-place op leaves the tensor a user holds."""
        self._data, self.requires_grad = new._data, new.requires_grad
        self._prev, self._op, self._backward, self._stamp = new._prev, new._op, new._backward, new._stamp
        self._counter = None

    def _wrapping(self, data: Any, requires_grad: bool = False) -> Tensor:
        """A tensor of this one's shape, backend and dtype around `data`, a store of that backend."""
        return Tensor(data, self.shape, self._backend, requires_grad, dtype=self.dtype)

    def _wrapping_as(self, data: Any, shape: Shape, dtype: dtype) -> Tensor:
        """A new tensor on this one's backend around `data`, a store of that backend."""
        return Tensor(data, shape, self._backend, dtype=dtype)

    def _cast(self, target: dtype) -> Tensor:
        """This tensor's numbers as another dtype: recorded (ToCopyBackward0) between floats while
        recording, so the gradient flows back; a new leaf otherwise."""
        if cast_recorded(self, target):
            return self.apply_elementwise(ops.mul, 1.0, grad_fn="ToCopyBackward0", dtype=target)
        data = self._backend.cast(self._backend.copy(self._data), target)
        return Tensor(data, self.shape, self._backend, dtype=target)

    # ---- elementwise arithmetic, with broadcasting (the ops of elementwise.py) ---------------

    neg = __neg__ = ops.neg.method
    abs = __abs__ = ops.abs.method
    exp = ops.exp.method
    log = ops.log.method
    tanh = ops.tanh.method
    sigmoid = ops.sigmoid.method
    relu = ops.relu.method
    sin = ops.sin.method
    cos = ops.cos.method
    tan = ops.tan.method
    sqrt = ops.sqrt.method
    rsqrt = ops.rsqrt.method
    log1p = ops.log1p.method
    erf = ops.erf.method
    expm1 = ops.expm1.method
    sign = ops.sign.method

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self + alpha * other."""
        return self + (other if alpha == 1 else self._coerce(other, "add") * alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self - alpha * other."""
        return self - (other if alpha == 1 else self._coerce(other, "sub") * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self / other; rounding_mode="floor" is self // other, "trunc" rounds towards 0."""
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self // other
        if rounding_mode == "trunc":  # the quotient with its fraction dropped
            divisor = self._coerce(other, "div")
            d = dtypes.result_type(self.dtype, bool(self.shape), divisor.dtype, bool(divisor.shape))
            q = self / divisor
            whole = q.sign() * (q.abs() // 1)
            return whole if whole.dtype is d else whole._cast(d)
        raise ValueError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found {rounding_mode!r}"
        )

    def maximum(self, other: Tensor) -> Tensor:
        """The larger of each pair of elements (broadcast); a tie shares the gradient."""
        return self.apply_elementwise(ops.maximum, _tensor_argument(other, "maximum"))

    def minimum(self, other: Tensor) -> Tensor:
        """The smaller of each pair of elements (broadcast); a tie shares the gradient."""
        return self.apply_elementwise(ops.minimum, _tensor_argument(other, "minimum"))

    def remainder(self, other: Any) -> Tensor:
        return self % other

    def floor_divide(self, other: Any) -> Tensor:
        return self // other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def square(self) -> Tensor:
        return self * self

    def reciprocal(self) -> Tensor:
        return 1 / self

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """value where the (bool) mask is True, else this tensor's element: where(mask, value, self),
        of this tensor's dtype (0.5 into an int tensor is 0, as in PyTorch)."""
        out = where(mask, value, self)
        return out if out.dtype == self.dtype else out.to(self.dtype)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return self.copy_(self.masked_fill(mask, value))

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of each matrix (its last two dims): zero above the `diagonal`-th diagonal."""
        return self._triangle(diagonal, lambda i, j: j - i <= diagonal, "tril")

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of each matrix: zero below the `diagonal`-th diagonal."""
        return self._triangle(diagonal, lambda i, j: j - i >= diagonal, "triu")

    def _triangle(self, diagonal: int, keep: Callable[[int, int], bool], op: str) -> Tensor:
        if self.dim() < 2:
            raise RuntimeError(
                f"{op}: input tensor must have at least 2 dimensions, got shape {tuple(self.shape)}"
            )
        n, m = self.shape[-2:]
        mask = self._new([float(keep(i, j)) for i in range(n) for j in range(m)], (n, m), dtypes.bool_)
        return where(mask, self, 0)

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

    def __floordiv__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.floor_divide, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.floor_divide, other, reflected=True)

    def __mod__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.remainder, other)

    def __rmod__(self, other: Any) -> Tensor:
        return self.apply_elementwise(ops.remainder, other, reflected=True)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, Tensor):
            return self.apply_elementwise(ops.pow, exponent)
        n, d = as_float(exponent, "**"), _scalar_dtype(exponent, self.dtype)
        if d.kind < 2 and n < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return self.apply_elementwise(ops.pow_n, params=(n,), dtype=d)

    def __rpow__(self, base: Any) -> Tensor:
        return self.apply_elementwise(ops.pow, base, reflected=True, grad_fn="PowBackward2")

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Each element limited to [min, max]; the gradient is 1 inside, 0 where clamped."""
        if min is None and max is None:
            raise ValueError("clamp needs min=, max= or both")
        low = -float("inf") if min is None else as_float(min, "clamp")
        high = float("inf") if max is None else as_float(max, "clamp")
        if not self.dtype.is_floating_point and (_is_float(min) or _is_float(max)):
            return self.to(dtypes.get_default_dtype()).clamp(min, max)  # an int tensor, a float bound: floats
        return self.apply_elementwise(ops.clamp, params=(low, high))

    def apply_elementwise(
        self,
        op: ops.Elementwise,
        *other: Any,
        params: tuple = (),
        reflected: bool = False,
        grad_fn: str = "",
        dtype: dtype | None = None,
    ) -> Tensor:
        """Run an op of the elementwise table on this tensor (and another, broadcast), recorded.

        Every elementwise method is this: `t * u` is `t.apply_elementwise(ops.mul, u)`. A
        number operand becomes a 0-d constant; `reflected` puts it first (`2 - t`). The result's
        dtype follows PyTorch's promotion (or is `dtype`, for a cast).
        """
        name, compute = grad_fn or op.grad_fn, self._backend.elementwise
        if not other:
            shape, d = self.shape, dtype or _result_dtype(op, self)
            data = (self._data,)
            return Tensor.recorded(name, (self,), shape, compute, op, data, (shape,), shape, params, dtype=d)
        (b,) = other
        a, b = self, self._coerce(b, op.op)
        if reflected:
            a, b = b, a
        shape = a.shape if a.shape == b.shape else broadcast_shapes(a.shape, b.shape, f"'{op.op}'")
        d = dtype or (a.dtype if a.dtype is b.dtype is float64 else _result_dtype(op, a, b))
        datas, shapes = (a._data, b._data), (a.shape, b.shape)
        return Tensor.recorded(name, (a, b), shape, compute, op, datas, shapes, shape, params, dtype=d)

    def new_tensor(self, data: Any, dtype: Any = None) -> Tensor:
        """A new tensor from a number or nested lists, on this tensor's backend, of its dtype."""
        flat, shape = flatten_nested(data.tolist() if hasattr(data, "tolist") else data)
        return self._new(flat, shape, None if dtype is None else dtypes.as_dtype(dtype, "new_tensor"))

    def _operand(self, other: Any, op: str) -> Tensor:
        """What an op that takes a tensor-like reads: a tensor (same backend), a number as PyTorch's
        weak scalar (1.5 beside an int tensor is a float: added into it, it is refused), or nested
        lists of numbers as a tensor of this one's dtype."""
        if isinstance(other, (Tensor, int, float)):
            return self._coerce(other, op)
        return self.new_tensor(other)

    def _coerce(self, other: Any, op: str) -> Tensor:
        """`other` as a tensor on this tensor's backend: a number becomes a 0-d constant."""
        if isinstance(other, Tensor):
            if other._backend is not self._backend:
                check_same_backend(self, other, op)
            return other
        if getattr(other, "shape", ()) != () and hasattr(other, "tolist"):  # a numpy array: a tensor
            flat, shape = flatten_nested(other.tolist())
            return self._new(flat, shape, dtypes.of_array(other))
        value = float(other) if isinstance(other, bool) else as_float(other, op)
        return self._new([value], (), _scalar_dtype(other, self.dtype))

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """This tensor where the condition holds, else other (PyTorch's Tensor.where)."""
        return where(condition, self, other)

    def round(self) -> Tensor:
        """Round half to even, as PyTorch does; the result builds no graph."""
        return Tensor(self._backend.round_half_even(self._data), self.shape, self._backend, dtype=self.dtype)

    # ---- how every op makes its result --------------------------------------------------------

    @staticmethod
    def recorded(
        op: str,
        parents: tuple[Tensor, ...],
        shape: Shape,
        compute: Callable,
        *args: Any,
        dtype: dtype | None = None,
    ) -> Tensor:
        """Run a backend's op, `compute(*args)`, and if any parent requires grad, remember how
        the result was made: the op's name, its parents and the backend's backward function.
        The result is of `dtype` (the backend's numbers are cast to it), else of the first parent's."""
        backend = parents[0]._backend
        d = parents[0].dtype if dtype is None else dtype
        requires = False
        if (
            grad_mode.enabled and d.kind == 2
        ):  # any parent that requires grad (a loop: this runs for every op)
            for p in parents:
                if p.requires_grad:
                    requires = True
                    break
        if requires and backend is python_backend and any(p._aliased for p in parents):
            args = _with_copies(args, [p._data for p in parents if p._aliased])
        if requires or backend is not python_backend:
            data, backward = compute(*args)
        else:  # on the python backend, Values computed without a graph
            with no_grad():
                data, backward = compute(*args)
        if dtype is not None and d is not float64:
            data = backend.cast(data, d)
        out = Tensor(data, shape, backend, requires, dtype=d)
        if requires:
            out._prev, out._op, out._backward, out._stamp = parents, op, backward, clock.now
        return out

    # ---- autograd -----------------------------------------------------------------------------

    @property
    def data(self) -> Tensor:
        """The same numbers (the same storage) outside the graph, as PyTorch's `.data`.

        Assigning to it writes in place, so `w.data -= lr * w.grad` updates a weight.
        """
        return self._alias()

    @data.setter
    def data(self, value: Any) -> None:
        """`t.data = other`: t's numbers become other's (`w.data = w.data - lr * w.grad`). Of another
        shape or dtype, t takes them as they are (PyTorch's `p.data = p.data.to(torch.float64)`)."""
        if isinstance(value, Tensor) and (value.shape != self.shape or value.dtype is not self.dtype):
            check_same_backend(self, value, "data =")
            self._data, self.shape, self.dtype = value._data, value.shape, value.dtype
            changed_in_place(self, "data =")
            return
        self.data.copy_(value)

    def clone(self) -> Tensor:
        """A copy with storage of its own; recorded (CloneBackward0, gradient passed on as it is)
        when the graph is being recorded, as in PyTorch."""
        if grad_mode.enabled and self.requires_grad:
            return self.apply_elementwise(ops.mul, 1.0, grad_fn="CloneBackward0")
        return Tensor(self._backend.copy(self._data), self.shape, self._backend, dtype=self.dtype)

    if not TYPE_CHECKING:  # (so that mypy still catches a misspelt attribute in this package)

        def __getattr__(self, name: str) -> Any:
            """Called for a name Tensor lacks: PyTorch's Tensor.<name> not covered here, or a typo."""
            if name.startswith("_"):
                raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
            raise not_covered("torch.Tensor", name, type(self))

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """How pickle and copy.deepcopy copy a tensor: its numbers, shape, dtype, backend,
        requires_grad and .grad; of a leaf only, as in PyTorch (a node's graph is not copied)."""
        if self._prev:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
                "at the moment: copy t.detach() instead"
            )
        args = (type(self), self._floats(), tuple(self.shape), self.dtype, self.backend, self.requires_grad)
        return _rebuilt, (*args, self.grad)

    def new_zeros(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """A tensor of zeros of `size` (of this shape if none is given), of this tensor's dtype and
        backend; new_ones, new_full and new_empty (zeros: PyTorch leaves it unset) alike."""
        return self._new_filled(size, 0.0, dtype, device, requires_grad, "new_zeros")

    def new_ones(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return self._new_filled(size, 1.0, dtype, device, requires_grad, "new_ones")

    def new_empty(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return self._new_filled(size, 0.0, dtype, device, requires_grad, "new_empty")

    def new_full(
        self,
        size: Any,
        fill_value: float,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        return self._new_filled((size,), fill_value, dtype, device, requires_grad, "new_full")

    def _new_filled(self, size: tuple, value: float, dtype: Any, device: Any, grad: bool, op: str) -> Tensor:
        from micrograd_edu.tensor.creation import full, shape_of  # creation makes tensors: imported when used

        shape = shape_of(size, op) if size else tuple(self.shape)
        kind = self.dtype if dtype is None else dtype
        return full(shape, value, dtype=kind, device=device, requires_grad=grad, backend=self.backend)

    def detach(self) -> Tensor:
        """The same numbers as a new leaf, cut off from the graph, sharing storage as PyTorch's does
        (an in-place change to one shows in the other). On the python backend a Value made by an op
        is a node of the graph, so those are copied: only leaves' Values are shared."""
        if self._backend is python_backend and any(v._prev for v in self._data):
            out = Tensor(self._backend.copy(self._data), self.shape, self._backend, dtype=self.dtype)
            out._strided = self._strided  # its layout as numpy's detach keeps it (the same answers)
            return out
        return self._alias()

    def _alias(self) -> Tensor:
        """A tensor outside the graph on this one's storage (detach, .data). On the python backend
        its Values are this tensor's, so while they belong to a tensor that requires grad, an op
        that records a graph uses copies of them (`recorded`): no gradient reaches them through it."""
        if self._backend is not python_backend:
            out = Tensor(self._data, self.shape, self._backend, dtype=self.dtype)
        else:  # the same Values, in a list of its own
            out = Tensor(list(self._data), self.shape, self._backend, dtype=self.dtype)
            out._aliased = self._aliased or self.requires_grad
        out._counter, out._strided = shared_counter(self), self._strided
        return out


_NOT_GIVEN: Any = object()


def where(condition: Tensor, input: Any = _NOT_GIVEN, other: Any = _NOT_GIVEN) -> Any:
    """input where the condition holds, else other, all broadcast together (torch.where).

    The gradient flows to whichever was chosen, element by element; the condition gets none.
    `where(condition)` alone: where it holds, one int64 tensor of positions per dim (a tuple).
    """
    require_tensor(condition, "where", "condition")
    if input is _NOT_GIVEN and other is _NOT_GIVEN:
        return _positions_where(condition)
    if input is _NOT_GIVEN or other is _NOT_GIVEN:
        raise TypeError("where() takes the condition alone, or the condition, input and other")
    if condition.dtype is not dtypes.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.scalar_type(condition.dtype)} (make one with a comparison: x > 0)"
        )
    a, b = condition._coerce(input, "where"), condition._coerce(other, "where")
    shape = broadcast_shapes(broadcast_shapes(condition.shape, a.shape, "where"), b.shape, "where")
    shapes = (condition.shape, a.shape, b.shape)
    choose = condition._backend.choose
    parents = (condition, a, b)
    d = dtypes.result_type(a.dtype, bool(a.shape), b.dtype, bool(b.shape))
    return Tensor.recorded(
        "WhereBackward0", parents, shape, choose, condition._data, a._data, b._data, shapes, shape, dtype=d
    )


def _with_copies(args: tuple, shared: list[list[Value]]) -> tuple:
    """args with each of these stores of Values (also inside a tuple or list of stores) replaced by
    new Values of the same numbers: what an op reads from a detached tensor's Values is constant."""
    copies = {id(s): [Value(v.data) for v in s] for s in shared}

    def swap(a: Any) -> Any:
        if id(a) in copies:
            return copies[id(a)]
        if isinstance(a, (tuple, list)) and any(id(x) in copies for x in a):
            return type(a)(copies.get(id(x), x) for x in a)
        return a

    return tuple(swap(a) for a in args)


def _rebuilt(
    cls: type, flat: list[float], shape: Shape, d: dtype, backend: str, requires_grad: bool, grad: Any
) -> Tensor:
    """A tensor made again from what `__reduce_ex__` kept (a Parameter again a Parameter)."""
    store = backend_for(backend)
    t = Tensor(store.from_floats(flat, shape, d), shape, store, requires_grad, dtype=d)
    if cls is not Tensor:
        t = cls(t, requires_grad)
    t.grad = grad
    return t


def _tensor_argument(x: Any, op: str) -> Tensor:
    """An argument PyTorch takes only as a tensor (torch.maximum's `other`), checked."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'other' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def check_same_backend(a: Tensor, b: Tensor, op: str) -> None:
    """An op takes tensors of one backend: a clear error if `b` is on another than `a`."""
    if b._backend is not a._backend:
        raise TypeError(
            f"'{op}' got a tensor on the {a.backend} backend and one on the {b.backend} backend: "
            "create both with the same backend= (or micrograd_edu.set_backend)"
        )


def require_tensor(x: Any, op: str, name: str = "input", position: int = 1) -> Tensor:
    """x, if it is a tensor; else PyTorch's TypeError for `op`'s argument `name`, with a hint."""
    if isinstance(x, Tensor):
        return x
    kind = f"{type(x).__module__}.{type(x).__name__}" if type(x).__module__ == "numpy" else type(x).__name__
    hint = ""
    if isinstance(x, (list, tuple, Real)) or kind.startswith("numpy"):
        hint = f" (make it one first: torch.tensor({'...' if not isinstance(x, Real) else repr(x)}))"
    raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {kind}{hint}")


def tensors_of(tensors: Sequence[Tensor], op: str) -> Tensor:
    """The first tensor of a non-empty list, after checking they are all tensors on its backend
    (PyTorch's words for each mistake)."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}"
        )
    if not tensors:
        if op == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{op}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__} ({op} of {t!r})"
            )
        check_same_backend(tensors[0], t, op)
    return tensors[0]


def _result_dtype(op: ops.Elementwise, *operands: Tensor) -> dtype:
    """The dtype of an elementwise op's result, by PyTorch's promotion; the refusals it has."""
    if len(operands) == 1:
        d = operands[0].dtype
    else:
        a, b = operands
        d = dtypes.result_type(a.dtype, bool(a.shape), b.dtype, bool(b.shape))
    if d is dtypes.bool_ and op.op in ("-", "neg"):
        raise TypeError(
            f"{'Subtraction' if op.op == '-' else 'Negation'}, the `-` operator, on a bool tensor is not "
            "supported: use the `^` or logical_xor() operator (or `~` to negate) instead"
        )
    return dtypes.floating(d) if op.floating else d


def _scalar_dtype(x: Any, like: dtype) -> dtype:
    """The dtype a Python number takes beside a tensor of dtype `like` (PyTorch's weak scalars:
    it never widens the tensor's kind, only raises it: a float beside an int tensor is a float)."""
    kind = (
        2
        if type(x) is float
        else 0
        if isinstance(x, bool)
        else 1
        if dtypes.inferred([x]) is dtypes.int64
        else 2
    )
    if kind <= like.kind:
        return like
    return dtypes.int64 if kind == 1 else dtypes.get_default_dtype()


def _legacy(data: Any, shape: Any, backend: Any, requires_grad: Any, more: tuple) -> Tensor:
    """PyTorch's `torch.Tensor(...)`: its positional arguments (sizes, or one list of numbers) are
    those of Tensor's own constructor, which micrograd_edu calls with (data, shape, backend)."""
    from micrograd_edu.tensor.creation import legacy  # creation makes tensors: imported when used

    given = [data] if shape is None else [data, shape]
    given += [] if backend is None else [backend]
    given += [requires_grad] if type(requires_grad) is not bool else []
    nothing = len(given) == 1 and type(data) is tuple and not data  # torch.Tensor(): data is ()
    return legacy(() if nothing else (*given, *more))


def _is_float(x: Any) -> bool:
    """A float bound (Python's or numpy's): it makes an integer tensor's clamp a float one."""
    return isinstance(x, float) or getattr(getattr(x, "dtype", None), "kind", "") == "f"


def _positions_where(condition: Tensor) -> tuple[Tensor, ...]:
    """torch.where(condition): for each dim, the index of every element that is true (nonzero),
    in row-major order, as an int64 tensor (numbers read into Python to find them)."""
    shape = tuple(condition.shape) or (1,)
    found = [at for at, x in zip(product(*map(range, shape)), condition._floats()) if x]
    columns = [[float(at[d]) for at in found] for d in range(len(shape))]
    return tuple(condition._new(c, (len(found),), dtypes.int64) for c in columns)
