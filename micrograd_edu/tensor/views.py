"""Views and indexing: the same elements, reshaped, transposed or picked out (a Tensor mixin).

On the python backend none of these makes a new Value: the result holds the very Values
of its input, rearranged, so gradients flow back to them through the engine unchanged.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from micrograd_edu.tensor.backward import shared_counter
from micrograd_edu.tensor.shape import (
    Shape,
    as_int,
    distinct_dims,
    expanded_shape,
    indexed,
    normalize_dim,
    numel,
    permutation,
    repeated_index,
    reshaped,
    whole_numbers,
)

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
        _aliased: bool
        _strided: bool | tuple | str

        def dim(self) -> int: ...
        def numel(self) -> int: ...
        def clone(self) -> Tensor: ...

        @staticmethod
        def recorded(op: str, parents: tuple, shape: Shape, compute: Callable, *args: Any) -> Tensor: ...

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in another shape (one size may be -1: whatever fits): a view, or a
        copy of a transposed or expanded tensor (whose elements are not in row-major order)."""
        new = reshaped(self.shape, shape, "reshape")
        source = self.contiguous() if self._strided and _regrouped(self.shape, new) else self
        return source._view(new, "ViewBackward0")

    def view(self, *shape: Any) -> Tensor:
        """The same elements in another shape, always a view: so not of a transposed tensor, whose
        elements are not in row-major order (reshape copies it; or .contiguous() first)."""
        new = reshaped(self.shape, shape, "view")
        if self._strided == "slice" and _regrouped(self.shape, new):  # spread-out elements: a copy
            return self.contiguous()._view(new, "ViewBackward0")
        if self._strided and _regrouped(self.shape, new):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                f"spans across two contiguous subspaces). Use .reshape(...) instead: this tensor of shape "
                f"{tuple(self.shape)} is a transposed (or expanded) view, its elements not in row-major "
                "order, so a view of another shape cannot be made of it without a copy (.contiguous())"
            )
        return self._view(new, "ViewBackward0")

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if not self.shape:
            return self.reshape(1)
        s, e = normalize_dim(start_dim, self.dim(), "flatten"), normalize_dim(end_dim, self.dim(), "flatten")
        if s > e:
            raise RuntimeError(
                "flatten() has invalid args: start_dim cannot come after end_dim "
                f"(start_dim={start_dim}, end_dim={end_dim} for shape {tuple(self.shape)})"
            )
        return self.reshape(self.shape[:s] + (numel(self.shape[s : e + 1]),) + self.shape[e + 1 :])

    def unsqueeze(self, dim: int) -> Tensor:
        d = normalize_dim(dim, self.dim() + 1, "unsqueeze")
        return self._view(self.shape[:d] + (1,) + self.shape[d:], "UnsqueezeBackward0")

    def squeeze(self, dim: Any = None) -> Tensor:
        """The tensor without its size-1 dims (or without `dim`, an int or a tuple, where size 1)."""
        if dim is None:
            return self._view(tuple(s for s in self.shape if s != 1), "SqueezeBackward0")
        if isinstance(dim, (tuple, list)):
            dims = distinct_dims(dim, self.dim(), "squeeze")
            kept = tuple(s for d, s in enumerate(self.shape) if d not in dims or s != 1)
            return self._view(kept, "SqueezeBackward2")
        d = normalize_dim(dim, self.dim(), "squeeze")
        if not self.shape or self.shape[d] != 1:  # only a size-1 dim goes away, as in PyTorch: a view still
            return self._view(self.shape, "SqueezeBackward1")
        return self._view(self.shape[:d] + self.shape[d + 1 :], "SqueezeBackward1")

    def _view(self, shape: Shape, name: str) -> Tensor:
        """The same elements in another shape (reshape, squeeze and unsqueeze are all this)."""
        return self._sharing(
            self.recorded(name, (self,), shape, self._backend.reshape, self._data, self.shape, shape)
        )

    def _sharing(self, view: Tensor, strided: bool | tuple | str | None = None) -> Tensor:
        """`view` shares this tensor's numbers: an in-place change to one counts for both. Its
        layout (`_strided`): row-major (False), a permutation of it (x.t(): the dims' order),
        elements picked out of it by slices ("slice": x[:, :2]), an element standing for several
        ("expanded": x.expand(3, 4), which nothing may write into), or none of those (True)."""
        view._counter = shared_counter(self)  # type: ignore[arg-type]
        view._aliased = self._aliased
        if strided is None:  # a view of a slice (or of an expanded view) is one still; else of no known order
            strided = self._strided if isinstance(self._strided, str) else bool(self._strided)
        view._strided = strided
        return view

    def expand(self, *sizes: Any) -> Tensor:
        """The tensor stretched along its size-1 dims (and new leading ones) to `sizes`, as
        broadcasting does; -1 keeps a size. No numbers are copied."""
        shape = expanded_shape(self.shape, sizes)
        data = self._backend.broadcast
        return self._sharing(
            self.recorded("ExpandBackward0", (self,), shape, data, self._data, self.shape, shape),
            strided="expanded" if math.prod(shape) != self.numel() else None,  # an element stands for several
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
                f"{op} is for 1-d and 2-d tensors, this one has shape {tuple(self.shape)}: use .transpose()"
            )
        return self  # type: ignore[return-value]

    def _transposed(self, d0: int, d1: int, name: str) -> Tensor:
        if d0 == d1:  # a dim with itself (a 0-d tensor's only choice): the same order, still a view
            return self._view(self.shape, name)
        dims = list(range(self.dim()))
        dims[d0], dims[d1] = d1, d0
        return self._permuted(tuple(dims), name)

    swapaxes = swapdims = transpose

    def permute(self, *dims: Any) -> Tensor:
        """The dims in a new order: `x.permute(2, 0, 1)` puts the last dim first (a view)."""
        return self._permuted(permutation(dims, self.dim()), "PermuteBackward0")

    def _permuted(self, dims: tuple[int, ...], name: str) -> Tensor:
        """The dims in the order `dims`, a view. Its layout is the permutation of the row-major
        storage it reads (composed with this one's: x.t().t() is row-major again), or row-major if
        it moves no dim of size > 1 (then it reorders no number)."""
        shape = tuple(self.shape[d] for d in dims)
        move = self._backend.permute
        order: bool | tuple = True  # from a layout that is not a permutation: unknown, not row-major
        if self._strided is False or isinstance(self._strided, tuple):
            order = dims if self._strided is False else tuple(self._strided[d] for d in dims)
            kept = [o for o, size in zip(order, shape) if size != 1]
            order = order if kept != sorted(kept) and 0 not in shape else False  # no numbers: no order
        return self._sharing(self.recorded(name, (self,), shape, move, self._data, self.shape, dims), order)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        """Dim `dim` split into several of these sizes (one may be -1): flatten's inverse."""
        d = normalize_dim(dim, self.dim(), "unflatten")
        try:
            inner = reshaped((self.shape[d],), tuple(sizes), "unflatten")
        except RuntimeError:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                f"({self.shape[d]}) in the input tensor of shape {tuple(self.shape)}"
            ) from None
        return self.reshape(self.shape[:d] + inner + self.shape[d + 1 :])

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    reshape_as = view_as

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """The tensor itself if its elements are in row-major order, else a copy that has them so
        (of x.t(), x.permute(...), x.expand(...): those are views of x's numbers in another order)."""
        return self.clone() if self._strided else self  # type: ignore[return-value]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Whether its elements are in row-major order: not a transposed or expanded view."""
        return not self._strided

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """The elements start to start + length along dim (a view)."""
        d = normalize_dim(dim, self.dim(), "narrow")
        size = self.shape[d]
        if length < 0:
            raise RuntimeError(f"narrow(): length must be non-negative, got length={length}")
        if start < 0:
            start += size
        if not 0 <= start <= size or start + length > size:
            raise IndexError(
                f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size}) of dim {dim}"
            )
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces along dim: each of one size (the last may be smaller), or of the sizes listed."""
        d = normalize_dim(dim, self.dim(), "split")
        size = self.shape[d]
        if not isinstance(split_size_or_sections, (list, tuple)):
            step = as_int(split_size_or_sections, "split", "split_size")
            if step <= 0 and size:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
            sizes = [min(step, size - start) for start in range(0, size, step)] if size else [0]
        else:
            sizes = list(whole_numbers(split_size_or_sections, "split_with_sizes", "split_sizes"))
            if sum(sizes) != size:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                    f"at dimension {d}), but got split_sizes={sizes}"
                )
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return tuple(self.narrow(d, start, n) for start, n in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most `chunks` pieces along dim, of equal size but for the last."""
        if not isinstance(chunks, int) or chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks!r}")
        size = self.shape[normalize_dim(dim, self.dim(), "chunk")]
        return self.split(max(-(-size // chunks), 1), dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along dim, that dim removed: `a, b = pair.unbind()`."""
        d = normalize_dim(dim, self.dim(), "unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def repeat(self, *sizes: Any) -> Tensor:
        """The tensor tiled: `x.repeat(2, 1)` stacks two copies along dim 0 (a copy, not a view)."""
        sizes = whole_numbers(sizes, "repeat", "repeats")
        if len(sizes) < self.dim():
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
            )
        for i, s in enumerate(sizes):
            if not isinstance(s, int) or isinstance(s, bool):
                raise TypeError(
                    "repeat(): argument 'repeats' (position 1) must be tuple of ints, but found element of "
                    f"type {type(s).__name__} at pos {i}"
                )
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: repeat{sizes}")
        shape, index = repeated_index(self.shape, list(sizes))
        return self.recorded(
            "RepeatBackward0", (self,), shape, self._backend.gather, self._data, index, shape
        )

    def tile(self, *dims: Any) -> Tensor:
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return self.repeat(*((1,) * (self.dim() - len(dims)) + tuple(dims)))

    def flip(self, *dims: Any) -> Tensor:
        """The elements in reverse order along `dims` (a copy)."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        order = tuple(sorted(distinct_dims(dims, self.dim(), "flip")))
        flip = self._backend.flip
        return self.recorded("FlipBackward0", (self,), self.shape, flip, self._data, self.shape, order)

    def __getitem__(self, key: Any) -> Tensor:
        """Basic indexing (ints, slices, `...`, None): a view, as in PyTorch, so writing into it
        (`t[0].zero_()`) writes into this tensor. Advanced indexing (integer tensors or lists,
        bool masks: `x[x > 0]`, `p[range(n), y]`): a copy, whose gradient goes back to the
        elements picked (IndexBackward0)."""
        shape, positions, advanced = indexed(self.shape, key)
        if advanced:
            gather = self._backend.gather
            return self.recorded("IndexBackward0", (self,), shape, gather, self._data, positions(), shape)
        keys = key if isinstance(key, tuple) else (key,)
        plain = tuple(k if isinstance(k, slice) or k is None or k is Ellipsis else int(k) for k in keys)
        name = "SliceBackward0" if all(not isinstance(k, int) for k in plain) else "SelectBackward0"
        pick = self._backend.select
        view = self.recorded(name, (self,), shape, pick, self._data, plain, positions, shape)
        layout: bool | str = self._strided if self._strided in (True, "expanded") else bool(self._strided)
        if layout is False or self._strided == "slice":  # from row-major or a slice: a slice, or one run
            layout = "slice" if self._strided == "slice" or not _one_run(self.shape, plain) else False
        return self._sharing(view, layout)

    def gather(self, dim: int, index: Any) -> Tensor:
        """out[i][j] = self[i][index[i][j]] for dim=1 (torch.gather: along `dim`, the element
        `index` names; elsewhere the same position): an int64 index tensor with as many dims, no
        larger than this one outside `dim`. The gradient goes back where each element came from."""
        d = normalize_dim(dim, self.dim(), "gather")
        if not hasattr(index, "_backend") or index.dtype.name != "int64":
            kind = getattr(index, "dtype", type(index).__name__)
            raise RuntimeError(f"gather(): Expected dtype int64 for index, got {kind}")
        if index.dim() != self.dim():
            raise RuntimeError(
                f"Index tensor must have the same number of dimensions as input tensor: gather got an index "
                f"of shape {tuple(index.shape)} for an input of shape {tuple(self.shape)}"
            )
        if any(i > s for k, (i, s) in enumerate(zip(index.shape, self.shape)) if k != d):
            raise RuntimeError(
                f"Size does not match at dimension: gather: index of shape {tuple(index.shape)} for an "
                f"input of shape {tuple(self.shape)} (the same number of dims, each no larger but dim {d})"
            )
        if index._backend is not self._backend:
            raise TypeError(
                f"gather: the index is on the {index.backend} backend, the input on {self._backend.name}"
            )
        bad = index._backend.outside(index._data, 0, self.shape[d] - 1)  # one call: a compiled step checks it
        if bad:
            raise RuntimeError(
                f"index {int(bad[0])} is out of bounds for dimension {d} with size {self.shape[d]}"
            )
        pick = self._backend.gather_along
        shape = tuple(index.shape)
        return self.recorded(
            "GatherBackward0", (self,), shape, pick, self._data, index._data, d, self.shape, shape
        )

    def take(self, index: Any) -> Tensor:
        """The elements at these positions of the flattened tensor (torch.take): `index` a list of
        ints (the result is 1-d) or an integer tensor (the result has its shape)."""
        shape: Shape = (len(index),)
        if hasattr(index, "_backend"):
            shape, index = index.shape, index.reshape(-1).tolist()
        size = self.numel()
        if not set(map(type, index)) <= {int} or (index and not -size <= min(index) <= max(index) < size):
            bad = next(i for i in index if type(i) is not int or not -size <= i < size)
            raise IndexError(f"take: index {bad!r} is out of range for a tensor of {size} elements")
        flat = index if not index or min(index) >= 0 else [i % size for i in index]
        return self.recorded("TakeBackward0", (self,), shape, self._backend.gather, self._data, flat, shape)


def _regrouped(shape: Shape, new: Shape) -> bool:
    """Whether a reshape moves elements between rows (more than adding or dropping dims of size 1)."""
    return [s for s in shape if s != 1] != [s for s in new if s != 1]


def _one_run(shape: Shape, key: tuple) -> bool:
    """Whether basic indexing picks one run of consecutive elements in row-major order (x[1:3],
    x[0, :2]: contiguous), not elements spread out (x[:, :2], x[1:3, 0]: a view with strides)."""
    dims = [k for k in key if k is not None]
    if Ellipsis in dims:
        at = dims.index(Ellipsis)
        dims[at : at + 1] = [slice(None)] * (len(shape) - len(dims) + 1)
    dims += [slice(None)] * (len(shape) - len(dims))
    counts = []
    for k, size in zip(dims, shape):
        if isinstance(k, slice):
            start, stop, step = k.indices(size)
            counts.append((len(range(start, stop, step)), step, size))
        else:
            counts.append((1, 1, size))
    if any(n == 0 for n, _, _ in counts):
        return True  # no elements: no order
    first = next((d for d, (n, _, _) in enumerate(counts) if n > 1), None)
    if first is None:
        return True  # one element
    return counts[first][1] == 1 and all(n == size for n, _, size in counts[first + 1 :])
