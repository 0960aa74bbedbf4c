"""Shapes, broadcasting and flat indices: the bookkeeping both tensor backends share.

A tensor's elements are stored flat in row-major order: in shape (2, 3) the element
[i, j] sits at i * 3 + j. Everything here is plain Python on tuples of ints, and every
mistake is reported with the shapes and the op it happened in.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from itertools import product
from numbers import Real
from typing import Any

Shape = tuple[int, ...]


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as PyTorch's does, `torch.Size([2, 3])`."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, key: Any) -> Any:
        part = tuple.__getitem__(self, key)
        return Size(part) if isinstance(key, slice) else part

    def __add__(self, other: Any) -> Size:
        return Size(tuple(self) + tuple(other))

    def numel(self) -> int:
        return math.prod(self)


def numel(shape: Shape) -> int:
    return math.prod(shape)


def strides(shape: Shape) -> Shape:
    """How far apart (in flat positions) neighbours are along each dimension."""
    out, step = [], 1
    for size in reversed(shape):
        out.append(step)
        step *= size
    return tuple(reversed(out))


def broadcast_shapes(a: Shape, b: Shape, op: str) -> Shape:
    """PyTorch's rule: align shapes on the right; each pair of sizes must match or be 1."""
    if a == b:
        return a
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                f"dimension {max(len(a), len(b)) - i}: {op}: shapes {tuple(a)} and {tuple(b)} do not "
                "broadcast "
                "(from the right, sizes must be equal or one of them 1)"
            )
        out.append(y if x == 1 else x)  # a size 1 stretches to the other, even to 0
    return tuple(reversed(out))


def whole_numbers(sizes: Sequence[Any], op: str, name: str = "size") -> tuple[int, ...]:
    """Sizes as given (`view(2, 3)` or `view((2, 3))`), numpy integers and 0-d integer tensors as
    ints; anything else (a bool, a float, a string, None) refused with PyTorch's TypeError."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        sizes = tuple(sizes[0])
    out = []
    for i, s in enumerate(sizes):
        try:
            if isinstance(s, bool) or not hasattr(s, "__index__"):
                raise TypeError
            out.append(operator.index(s))
        except TypeError:  # a bool, a float, a string, an array of several numbers
            raise TypeError(
                f"{op}(): argument '{name}' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i} ({op} of sizes {tuple(sizes)!r})"
            ) from None
    return tuple(out)


def expanded_shape(shape: Shape, sizes: tuple, op: str = "expand") -> Shape:
    """The shape `Tensor.expand(*sizes)` gives: size-1 dims (and new leading ones) stretched, -1 kept."""
    sizes = whole_numbers(sizes, op)
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"{op}: cannot expand shape {tuple(shape)} to {tuple(sizes)}: give at least {len(shape)} "
            "whole sizes"
        )
    lead = len(sizes) - len(shape)
    out = []
    for i, size in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if size == -1 and old is not None:
            size = old
        if size < 0 or (old is not None and old != 1 and old != size):
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}. Target sizes: {list(sizes)}. Tensor sizes: {list(shape)} "
                f"({op}: only a dim of size 1 can be stretched)"
            )
        out.append(size)
    return tuple(out)


def broadcast_index(shape: Shape, out_shape: Shape) -> list[int]:
    """For each flat position of `out_shape`, the flat position in `shape` it reads."""
    padded = (1,) * (len(out_shape) - len(shape)) + shape
    steps = [0 if size == 1 else step for size, step in zip(padded, strides(padded))]
    return [sum(i * s for i, s in zip(index, steps)) for index in product(*map(range, out_shape))]


def as_int(x: Any, op: str, name: str) -> int:
    """An int argument as PyTorch reads one: an int, a numpy integer or a one-element integer
    tensor, but not a bool, a float or a string (PyTorch's TypeError, naming the argument)."""
    if isinstance(x, bool) or not hasattr(x, "__index__"):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(x).__name__} ({x!r})")
    try:
        n = operator.index(x)
    except TypeError as e:  # a tensor of several elements, or of floats
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(x).__name__}: {e}") from None
    if not -(2**63) <= n < 2**63:
        raise ValueError(f"Overflow when unpacking long long: {op}(): argument '{name}' is {n}, past int64")
    return n


def as_bool(x: Any, op: str, name: str) -> bool:
    """A True-or-False argument (keepdim, largest): a bool (or numpy's), else PyTorch's TypeError."""
    if type(x) is bool or type(x).__name__ == "bool_":
        return bool(x)
    kind = f"numpy.{type(x).__name__}" if type(x).__module__ == "numpy" else type(x).__name__
    raise TypeError(f"{op}(): argument '{name}' must be bool, not {kind} (got {name}={x!r})")


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    dim = as_int(dim, op, "dim")
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim!r}): "
            f"{op}: dim {dim!r} is out of range for a {ndim}-d tensor (use {low} to {high})"
        )
    return dim % max(ndim, 1)


def distinct_dims(dims: Any, ndim: int, op: str) -> list[int]:
    """Several dims counted from 0, each named once (PyTorch refuses (0, 0))."""
    found = [normalize_dim(d, ndim, op) for d in dims]
    for i, d in enumerate(found):
        if d in found[:i]:
            raise RuntimeError(
                f"dim {d} appears multiple times in the list of dims: {op} of dims {tuple(dims)}"
            )
    return found


def reduced_shape(shape: Shape, dim: int | None, keepdim: bool) -> Shape:
    if dim is None:
        return (1,) * len(shape) if keepdim else ()
    return shape[:dim] + ((1,) if keepdim else ()) + shape[dim + 1 :]


def reduction_groups(shape: Shape, dim: int | None) -> list[list[int]]:
    """The flat positions that each output element of a reduction over `dim` combines."""
    if dim is None:
        return [list(range(numel(shape)))]
    outer, n, inner = numel(shape[:dim]), shape[dim], numel(shape[dim + 1 :])
    return [[(i * n + k) * inner + j for k in range(n)] for i in range(outer) for j in range(inner)]


def reshaped(shape: Shape, new_shape: tuple, op: str) -> Shape:
    """`new_shape` with a -1 filled in, checked to hold exactly as many elements."""
    new_shape = whole_numbers(new_shape, op, "shape")
    size, unknown = numel(shape), [i for i, s in enumerate(new_shape) if s == -1]
    known = math.prod(s for s in new_shape if s != -1)
    bad = any(not isinstance(s, int) or s < -1 for s in new_shape) or len(unknown) > 1
    if not bad and unknown and known and size % known == 0:
        new_shape = tuple(size // known if s == -1 else s for s in new_shape)
    if bad or numel(new_shape) != size or -1 in new_shape:
        raise RuntimeError(
            f"shape '{list(new_shape)}' is invalid for input of size {size}: {op}: shape "
            f"{tuple(new_shape)} does not hold the {size} elements of a tensor of shape {tuple(shape)}"
        )
    return tuple(new_shape)


def flipped_index(shape: Shape, dims: tuple[int, ...]) -> list[int]:
    """For each position of the flipped tensor, the position it comes from."""
    axes = [range(size - 1, -1, -1) if d in dims else range(size) for d, size in enumerate(shape)]
    step = strides(shape)
    return [sum(i * s for i, s in zip(index, step)) for index in product(*axes)]


def permuted_index(shape: Shape, dims: Sequence[int]) -> list[int]:
    """For each position of the tensor with its dims in the order `dims`, the source position."""
    step = strides(shape)
    steps = [step[d] for d in dims]
    return [sum(i * s for i, s in zip(index, steps)) for index in product(*(range(shape[d]) for d in dims))]


def permutation(dims: Sequence[Any], ndim: int, op: str = "permute") -> tuple[int, ...]:
    """`dims` checked to order all `ndim` dims once each (negative dims counting from the end)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    dims = whole_numbers(dims, op, "dims")
    if len(dims) != ndim:
        raise RuntimeError(
            f"{op}(sparse_coo): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal to len(dims) = "
            f"{len(dims)}"
        )
    order = tuple(normalize_dim(d, ndim, op) for d in dims)
    if len(set(order)) != ndim:
        raise RuntimeError(f"{op}(): duplicate dims are not allowed: {tuple(dims)}")
    return order


def repeated_index(shape: Shape, repeats: Sequence[int]) -> tuple[Shape, list[int]]:
    """Tensor.repeat: the shape with each dim (after new leading ones) times its repeat count, and
    for each of its positions the source position."""
    padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    out_shape = tuple(size * r for size, r in zip(padded, repeats))
    step = strides(padded)
    axes = [[i % size for i in range(size * r)] if size else [] for size, r in zip(padded, repeats)]
    return out_shape, [sum(i * s for i, s in zip(index, step)) for index in product(*axes)]


def advanced_index(shape: Shape, key: tuple) -> tuple[Shape, list[int]]:
    """Indexing with lists of ints or bools (what integer and bool tensors become), as numpy and
    PyTorch do it: the result's shape and, for each of its positions, the source position.

    A bool list (a mask) stands for the positions of its Trues, one list per dim it covers.
    The int lists (and ints beside them) are broadcast together; their shape goes where they
    are if they stand side by side in the key, else first. A plain int picks its dim away first,
    as PyTorch has it (x[1, :, [0, 1]] keeps the list's dim last; numpy would put it first).
    """
    entries: list[Any] = []  # per key entry: None, a slice, or (flat ints, their shape)
    plain: set[int] = set()  # the entries that are a plain int
    dim = 0
    for k in _expanded_key(shape, key):
        if k is None or isinstance(k, slice):
            entries.append(k)
            dim += k is not None
            continue
        items: list = []
        mask_shape = flatten_nested(k, items)[1] if isinstance(k, list) else ()
        if items and all(isinstance(x, bool) for x in items):  # a mask: the Trues' coordinates
            covered = shape[dim : dim + len(mask_shape)]
            if tuple(covered) != mask_shape:
                raise IndexError(
                    f"The shape of the mask {list(mask_shape)} at index {dim} does not match the shape "
                    f"of the indexed tensor {list(covered)} at index {dim}"
                )
            trues = [i for i, x in zip(product(*map(range, mask_shape)), items) if x]
            for axis in range(len(mask_shape)):
                entries.append(([t[axis] for t in trues], (len(trues),)))
            dim += len(mask_shape)
            continue
        flat = [_index_in(x, shape[dim], dim) for x in (items if isinstance(k, list) else [k])]
        if not isinstance(k, list):
            plain.add(len(entries))
        entries.append((flat, mask_shape))
        dim += 1
    arrays = [i for i, e in enumerate(entries) if isinstance(e, tuple)]
    common: Shape = ()
    try:
        for i in arrays:
            common = broadcast_shapes(common, entries[i][1], "indexing")
    except RuntimeError:
        shown = ", ".join(str(list(entries[i][1])) for i in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shown}"
        ) from None
    lists = [i for i in arrays if i not in plain] or arrays
    place = [i for i in range(len(entries)) if i not in plain or i in lists]  # the key without its ints
    at = [place.index(i) for i in lists]
    together = at == list(range(at[0], at[-1] + 1))
    dims_of = _dims_of(entries)
    spread = [[entries[i][0][j] for j in broadcast_index(entries[i][1], common)] for i in arrays]
    block = [tuple(zip([dims_of[i] for i in arrays], picks)) for picks in zip(*spread)]
    axes: list[list[tuple]] = []  # per result axis: for each of its positions, the (dim, index) it picks
    block_at = 0 if not together else None
    for i, e in enumerate(entries):
        if together and i == lists[0]:
            block_at = len(axes)
        if e is None:
            axes.append([()])
        elif isinstance(e, slice):
            axes.append([((dims_of[i], t),) for t in range(*e.indices(shape[dims_of[i]]))])
    assert block_at is not None
    axes.insert(block_at, block)
    step = strides(shape)
    positions = [sum(step[d] * t for picks in combo for d, t in picks) for combo in product(*axes)]
    sizes = [len(a) for a in axes]
    return tuple(sizes[:block_at]) + common + tuple(sizes[block_at + 1 :]), positions


def _expanded_key(shape: Shape, key: tuple) -> tuple:
    """The key with `...` spelled out and slices added for the dims it leaves out."""
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_dims_used(k) for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices for a tensor of shape {tuple(shape)}: {used} given")
    fill = (slice(None),) * (len(shape) - used)
    if Ellipsis in key:
        at = key.index(Ellipsis)
        return key[:at] + fill + key[at + 1 :]
    return key + fill


def _dims_used(k: object) -> int:
    """How many of the tensor's dims an entry of the key consumes (a mask: as many as it has)."""
    if k is None or k is Ellipsis:
        return 0
    if isinstance(k, list):
        items: list = []
        mask_shape = flatten_nested(k, items)[1]
        if items and all(isinstance(x, bool) for x in items):
            return len(mask_shape)
    return 1


def _dims_of(entries: list) -> list[int]:
    """For each entry, the source dim it indexes (None indexes none: the next one's)."""
    out, dim = [], 0
    for e in entries:
        out.append(dim)
        dim += e is not None
    return out


def _index_in(x: Any, size: int, dim: int) -> int:
    if hasattr(x, "__index__") and not isinstance(x, (bool, int)):  # a numpy integer
        x = operator.index(x)
    if not (isinstance(x, int) and not isinstance(x, bool)):
        raise IndexError(
            "tensors used as indices must be long, int, byte or bool tensors, "
            f"got {type(x).__name__} {x!r} at dimension {dim}"
        )
    if not -size <= x < size:
        raise IndexError(f"index {x} is out of bounds for dimension {dim} with size {size}")
    return x % size


def selected_index(shape: Shape, key: object) -> tuple[Shape, Callable[[], list[int]]]:
    """Basic indexing (ints, slices, `...`, None): the result's shape, and its source positions as a
    function that computes them when they are needed (a numpy view needs them only in backward)."""
    key = key if isinstance(key, tuple) else (key,)
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(k is not None and k is not Ellipsis for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices for a tensor of shape {tuple(shape)}: {used} given")
    if Ellipsis in key:
        at = key.index(Ellipsis)
        key = key[:at] + (slice(None),) * (len(shape) - used) + key[at + 1 :]
    else:
        key = key + (slice(None),) * (len(shape) - used)
    axes: list[Sequence[int]] = []  # per source dim, the positions taken
    out_shape: list[int] = []
    dim = 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        size = shape[dim]
        if isinstance(k, slice):
            taken = range(*k.indices(size))
            axes.append(taken)
            out_shape.append(len(taken))
        elif isinstance(k, Real) and float(k).is_integer() and not isinstance(k, bool):
            i = int(float(k))
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
            axes.append((i % size,))
        else:
            raise IndexError(
                f"only integers, slices, ... and None can index a tensor, got {type(k).__name__} {k!r}"
            )
        dim += 1
    step = strides(shape)
    return tuple(out_shape), lambda: [sum(i * s for i, s in zip(index, step)) for index in product(*axes)]


def is_number(x: object) -> bool:
    """A number a tensor can hold: a bool, an int, a float, a numpy number, a one-element 0-d tensor."""
    if isinstance(x, (Real, bool)):
        return True
    if hasattr(x, "_backend"):  # a tensor: only a 0-d one counts as a number
        return not getattr(x, "shape", None)
    return (
        getattr(getattr(x, "dtype", None), "kind", "") in ("b", "i", "u", "f")
        and getattr(x, "shape", None) == ()
    )


def flatten_nested(data: object, items: list | None = None) -> tuple[list[float], Shape]:
    """A nested list of numbers as (flat floats, shape), or an error saying where it is off.
    `items`, if given, receives the numbers as they were (for the dtype they imply)."""
    if is_number(data):
        if items is not None:
            items.append(_plain(data))
        return [float(data)], ()  # type: ignore[arg-type]
    shape: list[int] = []
    level: list[tuple[str, Any]] = [
        ("", data)
    ]  # (where, item): one level of the nesting at a time, no recursion
    while True:
        sizes = set()
        for where, item in level:
            if not isinstance(item, (list, tuple)):
                raise TypeError(
                    f"expected a list of numbers at data{where}, got {type(item).__name__} {item!r}"
                )
            sizes.add(len(item))
        if len(sizes) > 1:
            lengths = {f"data{where}": len(item) for where, item in level}
            raise ValueError(f"ragged nested list: the rows at one depth have different lengths {lengths}")
        shape.append(sizes.pop())
        children = [(f"{where}[{i}]", x) for where, item in level for i, x in enumerate(item)]
        numbers = [is_number(x) for _, x in children]
        if all(numbers):
            if items is not None:
                items.extend(_plain(x) for _, x in children)
            return [float(x) for _, x in children], tuple(shape)
        lists = [isinstance(x, (list, tuple)) for _, x in children]
        if not all(lists):
            odd = [i for i, (number, is_list) in enumerate(zip(numbers, lists)) if not number and not is_list]
            at = odd[0] if odd else numbers.index(True)  # what is neither, else a number among lists
            where, bad = children[at]
            kind = "a number" if numbers[at] else f"{type(bad).__name__} {bad!r}"
            raise TypeError(f"expected numbers or lists of equal depth, got {kind} at data{where}")
        level = children


def _plain(x: object) -> object:
    """A 0-d tensor or numpy number as the Python number it holds (for dtype inference)."""
    return x.item() if hasattr(x, "item") and not isinstance(x, (Real, bool)) else x  # type: ignore[union-attr]


def nest(flat: list, shape: Shape) -> object:
    """The inverse of flatten_nested: flat values in `shape` as nested lists."""
    if not shape:
        return flat[0]
    for k in range(len(shape) - 1, 0, -1):  # group the innermost level first
        size = shape[k]
        flat = [flat[i * size : (i + 1) * size] for i in range(numel(shape[:k]))]
    return flat


def plain_key(key: Any) -> Any:
    """An index with its tensors, arrays and ranges as nested lists of ints or bools."""
    if isinstance(key, tuple):
        return tuple(_plain_entry(k) for k in key)
    return _plain_entry(key)


def is_advanced(key: Any) -> bool:
    """Whether a (plain) key holds lists: advanced indexing, a copy rather than a view."""
    return any(isinstance(k, list) for k in (key if isinstance(key, tuple) else (key,)))


def _plain_entry(k: Any) -> Any:
    if isinstance(k, range):
        return list(k)
    if hasattr(k, "_backend") or (
        hasattr(k, "dtype") and hasattr(k, "tolist") and bool(getattr(k, "ndim", 0))
    ):
        kind = getattr(k.dtype, "kind", None)
        if kind == 2 or kind == "f":
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors, got a float one (an index "
                "picks elements by whole numbers or a mask of bools)"
            )
        if not k.shape:  # a 0-d integer tensor: an int (a 0-d bool mask is not supported)
            return k.item() if kind != 0 and kind != "b" else [k.item()]
        return k.tolist()
    if isinstance(k, list):
        return [_plain_entry(x) if not isinstance(x, (int, bool, list)) else x for x in k]
    return k


def indexed(shape: Shape, key: Any) -> tuple[Shape, Callable[[], list[int]], bool]:
    """Any index, basic or advanced: the result's shape, its source positions (as selected_index
    gives them) and whether it is advanced (a copy) rather than basic (a view)."""
    for k in key if isinstance(key, tuple) else (key,):
        if isinstance(k, float) or (getattr(k, "shape", None) == () and getattr(k.dtype, "kind", "") == "f"):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                f"indices (got float {k!r}: an index counts elements, use int({k!r}))"
            )
        if isinstance(k, slice) and k.step is not None and k.step <= 0:
            hint = "to reverse a dim, use torch.flip" if k.step < 0 else "a slice's step counts elements"
            raise ValueError(f"step must be greater than zero (got {k.step} in {k}: {hint})")
    key = plain_key(key)
    if is_advanced(key):
        out_shape, positions = advanced_index(shape, key if isinstance(key, tuple) else (key,))
        return out_shape, lambda: positions, True
    return (*selected_index(shape, key), False)
