"""Views and indexing: the same elements, reshaped, transposed or picked out (a Tensor mixin).

On the python backend none of these makes a new Value: the result holds the very Values
of its input, rearranged, so gradients flow back to them through the engine unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from micrograd_edu.tensor.backward import shared_counter
from micrograd_edu.tensor.shape import Shape, expanded_shape, normalize_dim, numel, reshaped, selected_index

if TYPE_CHECKING:
    from collections.abc import Callable

    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor


class Views:
    """Tensor's reshaping and indexing; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:  # the class that mixes this in declares the slots (mypy checks against them)
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        _data: Any
        _backend: Backend

        def dim(self) -> int: ...
        def numel(self) -> int: ...

        @staticmethod
        def recorded(op: str, parents: tuple, shape: Shape, compute: Callable, *args: Any) -> Tensor: ...

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in another shape (one size may be -1: whatever fits)."""
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
            return self  # type: ignore[return-value]
        return self._view(self.shape[:d] + self.shape[d + 1 :], "SqueezeBackward1")

    def _view(self, shape: Shape, name: str) -> Tensor:
        """The same elements in another shape (reshape, squeeze and unsqueeze are all this)."""
        return self._sharing(
            self.recorded(name, (self,), shape, self._backend.reshape, self._data, self.shape, shape)
        )

    def _sharing(self, view: Tensor) -> Tensor:
        """`view` shares this tensor's numbers: an in-place change to one counts for both."""
        view._counter = shared_counter(self)  # type: ignore[arg-type]
        return view

    def expand(self, *sizes: Any) -> Tensor:
        """The tensor stretched along its size-1 dims (and new leading ones) to `sizes`, as
        broadcasting does; -1 keeps a size. No numbers are copied."""
        shape = expanded_shape(self.shape, sizes)
        data = self._backend.broadcast
        return self._sharing(
            self.recorded("ExpandBackward0", (self,), shape, data, self._data, self.shape, shape)
        )

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
        return self  # type: ignore[return-value]

    def _transposed(self, d0: int, d1: int, name: str) -> Tensor:
        shape = list(self.shape)
        shape[d0], shape[d1] = shape[d1], shape[d0]
        swap = self._backend.transpose
        return self._sharing(self.recorded(name, (self,), tuple(shape), swap, self._data, self.shape, d0, d1))

    def __getitem__(self, key: Any) -> Tensor:
        """Basic indexing (ints, slices, `...`, None): a view, as in PyTorch, so writing into it
        (`t[0].zero_()`) writes into this tensor."""
        shape, index = selected_index(self.shape, key)
        keys = key if isinstance(key, tuple) else (key,)
        plain = tuple(k if isinstance(k, slice) or k is None or k is Ellipsis else int(k) for k in keys)
        name = "SliceBackward0" if all(not isinstance(k, int) for k in plain) else "SelectBackward0"
        pick = self._backend.select
        return self._sharing(self.recorded(name, (self,), shape, pick, self._data, plain, index, shape))

    def take(self, index: list[int]) -> Tensor:
        """The elements at these positions of the flattened tensor, as a 1-d tensor (torch.take)."""
        size = self.numel()
        bad = [i for i in index if not isinstance(i, int) or not -size <= i < size]
        if bad:
            raise IndexError(f"take: index {bad[0]!r} is out of range for a tensor of {size} elements")
        flat = [i % size for i in index]
        shape = (len(flat),)
        return self.recorded("TakeBackward0", (self,), shape, self._backend.gather, self._data, flat, shape)
