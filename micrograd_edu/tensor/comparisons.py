"""Comparisons and logic: results are bool tensors, True where the test holds, and build no graph
(a Tensor mixin).

`x > 0`, `x == y`, `(x > 0) & (y < 1)` broadcast as arithmetic does. The methods PyTorch also
has for them (`eq`, `gt`, `logical_and`, ...) are these, and `isnan`, `isclose`, `allclose`
and `equal` ask about the numbers themselves.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TYPE_CHECKING, Any

from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.shape import Shape, broadcast_shapes

if TYPE_CHECKING:
    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor


class Comparisons:
    """Tensor's comparisons; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        dtype: dtypes.dtype
        _data: Any
        _backend: Backend

        def _coerce(self, other: Any, op: str) -> Tensor: ...
        def _wrapping_as(self, data: Any, shape: Shape, dtype: dtypes.dtype) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def all(self) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __add__(self, other: Any) -> Tensor: ...

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, ">")

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, "<")

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, ">=")

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, "<=")

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Comparisons, Real)):
            return NotImplemented
        return self._compare(other, "==")

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        if not isinstance(other, (Comparisons, Real)):
            return NotImplemented
        return self._compare(other, "!=")

    __hash__ = object.__hash__  # tensors stay usable as dict keys, by identity

    def _compare(self, other: Any, op: str) -> Tensor:
        other = self._coerce(other, op)
        shape = broadcast_shapes(self.shape, other.shape, f"'{op}'")
        data = self._backend.compare(op, self._data, other._data, self.shape, other.shape, shape)
        return self._wrapping_as(data, shape, dtypes.bool_)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, "&")

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, "|")

    def __xor__(self, other: Any) -> Tensor:
        return self._compare(other, "^")

    def __invert__(self) -> Tensor:
        """Logical not of a bool tensor (True where it is False)."""
        if self.dtype is not dtypes.bool_:
            raise TypeError("~ (logical not) is for bool tensors, such as x > 0; use -x to negate numbers")
        return self._compare(0.0, "==")

    # ---- the same, by name --------------------------------------------------------------------

    def eq(self, other: Any) -> Tensor:
        return self._compare(other, "==")

    def ne(self, other: Any) -> Tensor:
        return self._compare(other, "!=")

    def gt(self, other: Any) -> Tensor:
        return self._compare(other, ">")

    def lt(self, other: Any) -> Tensor:
        return self._compare(other, "<")

    def ge(self, other: Any) -> Tensor:
        return self._compare(other, ">=")

    def le(self, other: Any) -> Tensor:
        return self._compare(other, "<=")

    greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne

    def logical_and(self, other: Any) -> Tensor:
        """True where both are nonzero (any dtype: 0 is False, everything else True)."""
        return self._compare(other, "&")

    def logical_or(self, other: Any) -> Tensor:
        return self._compare(other, "|")

    def logical_xor(self, other: Any) -> Tensor:
        return self._compare(other, "^")

    def logical_not(self) -> Tensor:
        return self._compare(0, "==")

    # ---- about the numbers --------------------------------------------------------------------

    def isnan(self) -> Tensor:
        """True where the element is nan (the one number not equal to itself)."""
        return self._compare(self, "!=")

    def isinf(self) -> Tensor:
        return self.abs()._compare(math.inf, "==")

    def isfinite(self) -> Tensor:
        return (self.isnan() | self.isinf()).logical_not()

    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        """True where |self - other| <= atol + rtol * |other| (infinities equal only to themselves)."""
        other = self._coerce(other, "isclose")
        close = ((self - other).abs() <= other.abs() * rtol + atol) | (self == other)
        return close | (self.isnan() & other.isnan()) if equal_nan else close

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """Whether every element is close to other's (see isclose): a plain bool."""
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def equal(self, other: Any) -> bool:
        """Whether other is a tensor of the same shape and numbers: a plain bool."""
        other = self._coerce(other, "equal")
        return tuple(self.shape) == tuple(other.shape) and bool(self._compare(other, "==").all())
