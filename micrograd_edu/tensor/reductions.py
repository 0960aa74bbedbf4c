"""Reductions: sum, mean, var, std, prod, norm, max, min, argmax, argmin, and cumsum, over all
elements or along dims, with PyTorch's `dim`/`keepdim` and dtypes (a Tensor mixin).

sum and mean are backend ops; max is one too (it routes the gradient to the element it
picked). The rest are composed from those, so they need no backward of their own: min is
-max(-x), var the mean of squared deviations, std its square root, prod a chain of products,
norm the p-th root of a sum of p-th powers.
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple
from typing import TYPE_CHECKING, Any

from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.shape import (
    Shape,
    as_bool,
    as_int,
    distinct_dims,
    normalize_dim,
    reduced_shape,
    reduction_groups,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.dtypes import dtype as DType
    from micrograd_edu.tensor.tensor import Tensor


def _values_and_indices(op: str) -> type:
    """The (values, indices) pair an op along a dim returns, printed as PyTorch prints it."""

    def __repr__(self: Any) -> str:
        return f"torch.return_types.{op}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(
        f"{op}_result", (namedtuple(op, ["values", "indices"]),), {"__repr__": __repr__, "__slots__": ()}
    )


MaxResult = _values_and_indices("max")  # what max(dim) returns, as in PyTorch
MinResult = _values_and_indices("min")
SortResult = _values_and_indices("sort")
TopkResult = _values_and_indices("topk")


class Reductions:
    """Tensor's reductions; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:  # the class that mixes this in declares the slots (mypy checks against them)
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        dtype: DType
        _data: Any
        _backend: Backend

        def dim(self) -> int: ...
        def numel(self) -> int: ...
        def _new(self, flat: list[float], shape: Shape, dtype: DType | None = None) -> Tensor: ...
        def _wrapping_as(self, data: Any, shape: Shape, dtype: DType) -> Tensor: ...
        def to(self, *args: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __getitem__(self, key: Any) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def squeeze(self, dim: Any = None) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def narrow(self, dim: int, start: int, length: int) -> Tensor: ...
        def _floats(self) -> list[float]: ...
        def flip(self, *dims: Any) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def detach(self) -> Tensor: ...
        def where(self, condition: Tensor, other: Any) -> Tensor: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def maximum(self, other: Any) -> Tensor: ...
        def minimum(self, other: Any) -> Tensor: ...

        @staticmethod
        def recorded(
            op: str, parents: tuple, shape: Shape, compute: Callable, *args: Any, dtype: DType | None = None
        ) -> Tensor: ...

    # ---- sums and means ----------------------------------------------------------------------------

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """The sum of all elements, or along `dim` (an int or a tuple; kept as size 1 with keepdim).
        Integers and bools sum to int64, as in PyTorch."""
        keepdim = as_bool(keepdim, "sum", "keepdim")
        source = self if dtype is None else self.to(dtypes.as_dtype(dtype, "sum"))
        out = dtypes.int64 if source.dtype.kind < 2 else source.dtype
        return source._over(dim, keepdim, "sum", lambda t, d, k: t._reduce("sum", "SumBackward", d, k, out))

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """The mean of all elements, or along `dim` (an int or a tuple). For float tensors, as in PyTorch."""
        keepdim = as_bool(keepdim, "mean", "keepdim")
        source = self if dtype is None else self.to(dtypes.as_dtype(dtype, "mean"))
        if not source.dtype.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {source.dtype!r} (use .float() first, or mean(dtype=torch.float64))"
            )
        return source._over(
            dim, keepdim, "mean", lambda t, d, k: t._reduce("mean", "MeanBackward", d, k, t.dtype)
        )

    def var(
        self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
    ) -> Tensor:
        """The variance: the mean squared deviation from the mean, divided by n - correction
        (correction=1 by default, the unbiased estimate, as in PyTorch; unbiased=False is 0)."""
        keepdim = as_bool(keepdim, "var", "keepdim")
        c = _correction(unbiased, correction, "var")
        deviations = self - self.mean(dim, keepdim=True)
        n = self.numel() if dim is None else math.prod(self.shape[d] for d in _dims(dim, self.dim(), "var"))
        scale = 1.0 / (n - c) if n > c else math.nan  # PyTorch's nan when there is nothing to divide by
        return (deviations * deviations).sum(dim, keepdim) * scale

    def std(
        self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
    ) -> Tensor:
        """The standard deviation: the square root of `var` (same arguments)."""
        keepdim = as_bool(keepdim, "std", "keepdim")
        return self.var(dim, unbiased, keepdim, correction=correction) ** 0.5

    def prod(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The product of all elements, or along `dim`: a chain of products, so a zero element
        gets the right gradient too."""
        keepdim = as_bool(keepdim, "prod", "keepdim")
        flat = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else normalize_dim(dim, self.dim(), "prod")
        if flat.shape[d] == 0:
            return self._new([1.0], reduced_shape(self.shape, None if dim is None else d, keepdim))
        result = flat[(slice(None),) * d + (0,)]
        for i in range(1, flat.shape[d]):
            result = result * flat[(slice(None),) * d + (i,)]
        if dim is None:
            return result.reshape((1,) * self.dim()) if keepdim else result
        return result.unsqueeze(d) if keepdim else result

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        """The p-norm (2 by default; 'fro' is 2 too; inf the largest |x|): (Σ |x|^p)^(1/p)."""
        keepdim = as_bool(keepdim, "norm", "keepdim")
        if isinstance(p, str) and p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported (p: a number, 'fro' or inf)")
        if not isinstance(p, (str, int, float)) and p is not None or isinstance(p, bool):
            raise TypeError(f"norm(): argument 'p' must be Number, not {type(p).__name__} (got p={p!r})")
        if isinstance(p, int) and not -(2**63) <= p < 2**63:
            raise OverflowError(f"norm(): p={p} is too big to convert (past int64)")
        if p in ("fro", None, 2):
            return ((self * self).sum(dim, keepdim)) ** 0.5
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == math.inf:
            return self.abs().amax(dim, keepdim)
        if p == -math.inf:
            return self.abs().amin(dim, keepdim)
        if p == 0:  # how many elements are not 0, as PyTorch counts it
            count = self.ne(0).sum(dim, keepdim).to(dtypes.floating(self.dtype))  # type: ignore[attr-defined]
            return count + (self * 0.0).sum(dim, keepdim)  # its gradient is 0, as in PyTorch
        return (self.abs() ** float(p)).sum(dim, keepdim) ** (1.0 / float(p))

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        """The running sums along `dim`: element i is the sum of elements 0 .. i."""
        source = self if dtype is None else self.to(dtypes.as_dtype(dtype, "cumsum"))
        d = normalize_dim(dim, source.dim(), "cumsum") if source.shape else 0
        out = dtypes.int64 if source.dtype.kind < 2 else source.dtype
        return source.recorded(
            "CumsumBackward0",
            (source,),
            source.shape,
            source._backend.cumsum,
            source._data,
            source.shape,
            d,
            dtype=out,
        )

    # ---- softmax: exponentials normalised along a dim ---------------------------------------------

    def softmax(self, dim: Any = None, dtype: Any = None) -> Tensor:
        """e^x / Σ e^x along `dim`: each slice made positive and summing to 1. Computed from
        x - max(x), so no exp overflows (the max cancels: it changes neither value nor gradient)."""
        source, d = self._softmax_input(dim, dtype, "softmax")
        e = (source - source.amax(d, keepdim=True).detach()).exp()
        return e / e.sum(d, keepdim=True)

    def log_softmax(self, dim: Any = None, dtype: Any = None) -> Tensor:
        """log(softmax(x)) along `dim`, as x - logsumexp(x): finite even where softmax rounds to 0."""
        source, d = self._softmax_input(dim, dtype, "log_softmax")
        return source - source.logsumexp(d, keepdim=True)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """log Σ e^x along `dim`, computed as m + log Σ e^(x - m) with m the max, so it never overflows."""
        keepdim = as_bool(keepdim, "logsumexp", "keepdim")
        m = self.amax(dim, keepdim=True).detach()
        m = m.where(m.abs() != math.inf, 0.0)  # all -inf (or an inf): nothing to shift by
        out = (self - m).exp().sum(dim, keepdim=True).log() + m
        return out if keepdim else out.squeeze(dim)

    def _softmax_input(self, dim: Any, dtype: Any, op: str) -> tuple[Tensor, int]:
        source: Any = self if dtype is None else self.to(dtypes.as_dtype(dtype, op))
        if not source.dtype.is_floating_point:
            raise NotImplementedError(
                f"\"{op}\" not implemented for '{dtypes.scalar_type(source.dtype)}': {op} needs a float "
                "tensor (call .float() first)"
            )
        if dim is None:  # PyTorch's old rule for a missing dim, with its warning
            dim = 0 if source.dim() in (0, 1, 3) else 1
            warnings.warn(
                f"Implicit dimension choice for {op} has been deprecated. Change the call to include "
                f"dim=X as an argument (here dim={dim}).",
                UserWarning,
                stacklevel=3,
            )
        return source, normalize_dim(dim, source.dim(), op)

    # ---- the largest and the smallest ----------------------------------------------------------------

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest element (ties share the gradient, as in PyTorch); with `dim`, the
        (values, indices) along it, the first largest picked. With a tensor: torch.maximum."""
        keepdim = as_bool(keepdim, "max", "keepdim")
        if hasattr(dim, "_backend"):
            return self.maximum(dim)
        return self._extreme(dim, keepdim, "max")

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The smallest element; with `dim`, (values, indices) along it. With a tensor: torch.minimum."""
        keepdim = as_bool(keepdim, "min", "keepdim")
        if hasattr(dim, "_backend"):
            return self.minimum(dim)
        found = (-self)._extreme(dim, keepdim, "min")
        return -found if dim is None else MinResult(-found.values, found.indices)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The largest element over `dim` (all dims for None): values only."""
        keepdim = as_bool(keepdim, "amax", "keepdim")
        if dim is None:
            found = self._extreme(None, False, "amax")
            return found.reshape((1,) * self.dim()) if keepdim else found
        return self._over(dim, keepdim, "amax", lambda t, d, k: t._extreme(d, k, "amax").values)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        keepdim = as_bool(keepdim, "amin", "keepdim")
        return -(-self).amax(dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Where the largest element is (int64): its flat position, or its position along `dim`."""
        keepdim = as_bool(keepdim, "argmax", "keepdim")
        if dim is None:
            return self.reshape(-1)._extreme(0, False, "argmax").indices
        return self._extreme(dim, keepdim, "argmax").indices

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Where the smallest element is (int64)."""
        keepdim = as_bool(keepdim, "argmin", "keepdim")
        return (-self).argmax(dim, keepdim)

    def _extreme(self, dim: int | None, keepdim: bool, op: str) -> Any:
        """max over dim (None: all) by the backend op; MaxResult(values, int64 indices) for a dim."""
        d = self._reduced_dim(dim, op)
        if self.numel() == 0:
            raise ValueError(
                f"{op}() of an empty tensor has no value (PyTorch: Expected reduction dim to be "
                "specified for input.numel() == 0)"
            )
        shape = reduced_shape(self.shape, d, keepdim)
        picked: list[Any] = []

        def compute() -> tuple:
            data, index, backward = self._backend.reduce_max(self._data, self.shape, d, shape)
            picked.append(index)  # the positions as an int64 tensor's data, made by the backend
            return data, backward

        name = "MaxBackward1" if dim is None else "MaxBackward0"
        values = self.recorded(name, (self,), shape, compute)
        if dim is None:
            return values
        return MaxResult(values, self._wrapping_as(picked[0], shape, dtypes.int64))

    # ---- in order ----------------------------------------------------------------------------------

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """The elements in order along `dim` (nan counts as the largest), and where each came from:
        (values, int64 indices). Ties keep their order. The gradient goes back to where each came from."""
        d = normalize_dim(dim, self.dim(), "sort") if self.shape else None
        numbers, index = self._floats(), list(range(self.numel()))
        came_from = list(index)
        for group in reduction_groups(self.shape, d):
            order = sorted(range(len(group)), key=lambda k: _rank(numbers[group[k]]), reverse=descending)
            for at, k in zip(group, order):
                index[at], came_from[at] = group[k], k
        gather = self._backend.gather
        values = self.recorded("SortBackward0", (self,), self.shape, gather, self._data, index, self.shape)
        return SortResult(values, self._new([float(k) for k in came_from], self.shape, dtypes.int64))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """Where the elements of the sorted tensor came from along `dim` (int64)."""
        return self.sort(dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The k largest (or smallest) elements along `dim`, in order, and their int64 indices."""
        d = normalize_dim(dim, self.dim(), "topk") if self.shape else 0
        size = self.shape[d] if self.shape else 1
        k = as_int(k, "topk", "k")
        if not 0 <= k <= size:
            raise RuntimeError(f"selected index k out of range: topk({k!r}) along a dim of size {size}")
        values, indices = self.sort(dim, descending=largest)
        if not self.shape:
            return TopkResult(values, indices)
        return TopkResult(values.narrow(d, 0, k), indices.narrow(d, 0, k))

    # ---- the machinery --------------------------------------------------------------------------------

    def _over(
        self, dim: Any, keepdim: bool, op: str, one: Callable[[Any, int | None, bool], Tensor]
    ) -> Tensor:
        """A reduction over None (all), one dim, or several (one after another, the last first);
        no dims at all, (), is every dim, as in PyTorch."""
        if not isinstance(dim, (tuple, list)):
            return one(self, dim, keepdim)
        if not dim:
            dim = tuple(range(self.dim()))
        dims = sorted(_dims(dim, self.dim(), op), reverse=True)
        result: Any = self
        for d in dims:
            result = one(result, d, True)
        if not keepdim:
            for d in dims:
                result = result.squeeze(d)
        return result

    def _reduce(self, how: str, name: str, dim: int | None, keepdim: bool, out: DType) -> Tensor:
        d = self._reduced_dim(dim, how)
        fn = self._backend.reduce_sum if how == "sum" else self._backend.reduce_mean
        shape = reduced_shape(self.shape, d, keepdim)
        suffix = "0" if dim is None else "1"
        return self.recorded(name + suffix, (self,), shape, fn, self._data, self.shape, d, shape, dtype=out)

    def _reduced_dim(self, dim: int | None, op: str) -> int | None:
        """`dim` counted from 0; None for all elements, which is also what dim 0 of a 0-d tensor is."""
        d = None if dim is None else normalize_dim(dim, self.dim(), op)
        return d if self.shape else None


def _rank(x: float) -> tuple[bool, float]:
    """How sort orders elements: nan above everything, the rest by value."""
    return (True, 0.0) if x != x else (False, x)


def _dims(dim: Any, ndim: int, op: str) -> list[int]:
    """One dim or several as a list of dims counted from 0, each once."""
    return distinct_dims(dim if isinstance(dim, (tuple, list)) else [dim], ndim, op)


def _correction(unbiased: Any, correction: Any, op: str) -> float:
    if correction is not None:
        if isinstance(correction, bool) or not isinstance(correction, (int, float)):
            raise TypeError(
                f"{op}: correction must be a number, got {type(correction).__name__} {correction!r}"
            )
        return float(correction)
    if unbiased is None:
        return 1.0
    if not isinstance(unbiased, bool):
        raise TypeError(f"{op}: unbiased must be True or False, got {type(unbiased).__name__} {unbiased!r}")
    return 1.0 if unbiased else 0.0
