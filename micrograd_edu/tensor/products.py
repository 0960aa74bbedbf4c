"""Products of matrices and vectors: matmul (`@`) and its special cases (a Tensor mixin).

`a @ b` multiplies the last two dims of each side, row times column, and broadcasts the
dims before them (a batch): (n, k) @ (k, m) -> (n, m), (B, n, k) @ (k, m) -> (B, n, m). A
1-d side counts as a row on the left and a column on the right, and that dim is dropped
from the result: a vector @ a vector is their dot product. `mm`, `bmm`, `mv`, `dot` and
`outer` are matmul held to one case each, with PyTorch's checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.shape import Shape, broadcast_shapes

if TYPE_CHECKING:
    from collections.abc import Callable

    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor


class Products:
    """Tensor's matrix products; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        dtype: dtypes.dtype
        _data: Any
        _backend: Backend

        def dim(self) -> int: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def _coerce(self, other: Any, op: str) -> Tensor: ...

        @staticmethod
        def recorded(
            op: str, parents: tuple, shape: Shape, compute: Callable, *args: Any, **kw: Any
        ) -> Tensor: ...

    def matmul(self, other: Tensor) -> Tensor:
        """The matrix product, `self @ other` (see the module docstring for the shapes)."""
        other = _operand(self, other, "matmul")
        if not self.dim() or not other.dim():
            raise RuntimeError(
                f"both arguments to matmul need to be at least 1D, but they are {self.dim()}D and "
                f"{other.dim()}D"
            )
        a = self.unsqueeze(0) if self.dim() == 1 else self
        b = other.unsqueeze(-1) if other.dim() == 1 else other
        (n, k), (k2, m) = a.shape[-2:], b.shape[-2:]
        if k != k2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m}): in matmul of shapes "
                f"{tuple(self.shape)} and {tuple(other.shape)}, a row of the left has {k} numbers, a "
                "column of the "
                f"right {k2}"
            )
        batch = broadcast_shapes(
            a.shape[:-2],
            b.shape[:-2],
            f"matmul of shapes {tuple(self.shape)} and {tuple(other.shape)}, batch dims",
        )
        name = "MmBackward0" if not batch else "BmmBackward0"
        d = dtypes.promote(a.dtype, b.dtype)  # PyTorch refuses two dtypes; the default float64 would
        product = a._backend.matmul  # make that refusal common here, so they are promoted instead
        out = a.recorded(name, (a, b), batch + (n, m), product, a._data, b._data, a.shape, b.shape, dtype=d)
        shape = batch + (n,) * (self.dim() > 1) + (m,) * (other.dim() > 1)
        return out if shape == out.shape else out.reshape(shape)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _operand(self, other, "matmul").matmul(self)  # type: ignore[arg-type]

    def mm(self, mat2: Tensor) -> Tensor:
        """(n, k) @ (k, m), matrices only."""
        mat2 = _operand(self, mat2, "mm")
        if self.dim() != 2 or mat2.dim() != 2:
            name = "self" if self.dim() != 2 else "mat2"
            raise RuntimeError(
                f"{name} must be a matrix (2-d), got shapes {tuple(self.shape)} and {tuple(mat2.shape)}"
            )
        return self.matmul(mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        """(B, n, k) @ (B, k, m): a batch of matrix products, the batch sizes equal."""
        mat2 = _operand(self, mat2, "bmm")
        if self.dim() != 3 or mat2.dim() != 3:
            name = "batch1" if self.dim() != 3 else "batch2"
            raise RuntimeError(
                f"{name} must be a 3D tensor, got shapes {tuple(self.shape)} and {tuple(mat2.shape)}"
            )
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(
                f"batch1 and batch2 must have same number of batches, got {self.shape[0]} and {mat2.shape[0]}"
            )
        return self.matmul(mat2)

    def mv(self, vec: Tensor) -> Tensor:
        """(n, k) @ (k,) -> (n,): a matrix times a vector."""
        vec = _operand(self, vec, "mv")
        if self.dim() != 2 or vec.dim() != 1:
            raise RuntimeError(
                f"vector + matrix @ vector expected, got {vec.dim()}, {self.dim()}, {vec.dim()}"
            )
        return self.matmul(vec)

    def dot(self, other: Tensor) -> Tensor:
        """The sum of the products of two 1-d tensors of one length."""
        other = _operand(self, other, "dot")
        if self.dim() != 1 or other.dim() != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.dim()}D and {other.dim()}D tensors")
        if self.shape != other.shape:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src [{other.shape[0]}] to "
                f"have the same number of elements, but got {self.shape[0]} and {other.shape[0]} elements "
                "respectively"
            )
        return self.matmul(other)

    def outer(self, vec2: Tensor) -> Tensor:
        """(n,) and (m,) -> (n, m): every product of an element of one with an element of the other."""
        vec2 = _operand(self, vec2, "outer")
        if self.dim() != 1 or vec2.dim() != 1:
            raise RuntimeError(f"outer: 1D tensors expected, but got {self.dim()}D and {vec2.dim()}D tensors")
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer


def _operand(self: Any, other: Any, op: str) -> Tensor:
    if not hasattr(other, "_backend"):
        raise TypeError(f"{op}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return self._coerce(other, op)
