"""Reductions: sum, mean and max over all elements or along one dimension (a Tensor mixin)."""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

from micrograd_edu.tensor.shape import Shape, normalize_dim, reduced_shape

if TYPE_CHECKING:
    from collections.abc import Callable

    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor

MaxResult = namedtuple("MaxResult", ["values", "indices"])


class Reductions:
    """Tensor's reductions; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:  # the class that mixes this in declares the slots (mypy checks against them)
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        _data: Any
        _backend: Backend

        def dim(self) -> int: ...
        def numel(self) -> int: ...

        def _new(self, flat: list[float], shape: Shape) -> Tensor: ...

        @staticmethod
        def recorded(op: str, parents: tuple, shape: Shape, compute: Callable, *args: Any) -> Tensor: ...

    def sum(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The sum of all elements, or along `dim` (kept as size 1 with keepdim=True)."""
        return self._reduce("sum", "SumBackward", dim, keepdim)

    def mean(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The mean of all elements, or along `dim` (kept as size 1 with keepdim=True)."""
        return self._reduce("mean", "MeanBackward", dim, keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The largest element; with `dim`, (values, indices) along it, as in PyTorch."""
        d = self._reduced_dim(dim, "max")
        if self.numel() == 0:
            raise ValueError("max() of an empty tensor has no value")
        shape = reduced_shape(self.shape, d, keepdim)
        picked: list[int] = []

        def compute() -> tuple:
            data, index, backward = self._backend.reduce_max(self._data, self.shape, d, shape)
            picked.extend(index)
            return data, backward

        values = self.recorded("MaxBackward1" if dim is None else "MaxBackward0", (self,), shape, compute)
        if dim is None:
            return values
        return MaxResult(values, self._new([float(i) for i in picked], shape))

    def _reduce(self, how: str, name: str, dim: int | None, keepdim: bool) -> Tensor:
        d = self._reduced_dim(dim, how)
        fn = self._backend.reduce_sum if how == "sum" else self._backend.reduce_mean
        shape = reduced_shape(self.shape, d, keepdim)
        return self.recorded(
            name + ("0" if dim is None else "1"), (self,), shape, fn, self._data, self.shape, d, shape
        )

    def _reduced_dim(self, dim: int | None, op: str) -> int | None:
        """`dim` counted from 0; None for all elements, which is also what dim 0 of a 0-d tensor is."""
        d = None if dim is None else normalize_dim(dim, self.dim(), op)
        return d if self.shape else None
