"""Shapes, broadcasting and flat indices: the bookkeeping both tensor backends share.

A tensor's elements are stored flat in row-major order: in shape (2, 3) the element
[i, j] sits at i * 3 + j. Everything here is plain Python on tuples of ints, and every
mistake is reported with the shapes and the op it happened in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product
from numbers import Real
from typing import Any

Shape = tuple[int, ...]


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
            raise ValueError(
                f"{op}: shapes {a} and {b} do not broadcast: at dimension {-i} the sizes are "
                f"{x} and {y}, and sizes must be equal or one of them 1"
            )
        out.append(y if x == 1 else x)  # a size 1 stretches to the other, even to 0
    return tuple(reversed(out))


def expanded_shape(shape: Shape, sizes: tuple, op: str = "expand") -> Shape:
    """The shape `Tensor.expand(*sizes)` gives: size-1 dims (and new leading ones) stretched, -1 kept."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < len(shape) or not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        raise ValueError(
            f"{op}: cannot expand shape {shape} to {tuple(sizes)}: give at least {len(shape)} whole sizes"
        )
    lead = len(sizes) - len(shape)
    out = []
    for i, size in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if size == -1 and old is not None:
            size = old
        if size < 0 or (old is not None and old != 1 and old != size):
            raise ValueError(
                f"{op}: cannot expand shape {shape} to {tuple(sizes)}: the size at dimension {i} is "
                f"{old}, and only a size 1 can be stretched"
            )
        out.append(size)
    return tuple(out)


def broadcast_index(shape: Shape, out_shape: Shape) -> list[int]:
    """For each flat position of `out_shape`, the flat position in `shape` it reads."""
    padded = (1,) * (len(out_shape) - len(shape)) + shape
    steps = [0 if size == 1 else step for size, step in zip(padded, strides(padded))]
    return [sum(i * s for i, s in zip(index, steps)) for index in product(*map(range, out_shape))]


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(dim, int) or not low <= dim <= high:
        raise IndexError(f"{op}: dim {dim!r} is out of range for a {ndim}-d tensor (use {low} to {high})")
    return dim % max(ndim, 1)


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
    if len(new_shape) == 1 and isinstance(new_shape[0], (tuple, list)):
        new_shape = tuple(new_shape[0])
    size, unknown = numel(shape), [i for i, s in enumerate(new_shape) if s == -1]
    known = math.prod(s for s in new_shape if s != -1)
    bad = any(not isinstance(s, int) or s < -1 for s in new_shape) or len(unknown) > 1
    if not bad and unknown and known and size % known == 0:
        new_shape = tuple(size // known if s == -1 else s for s in new_shape)
    if bad or numel(new_shape) != size or -1 in new_shape:
        raise ValueError(
            f"{op}: shape {tuple(new_shape)} is invalid for a tensor of shape {shape} ({size} elements)"
        )
    return tuple(new_shape)


def transposed_index(shape: Shape, d0: int, d1: int) -> tuple[Shape, list[int]]:
    """The shape with dims d0 and d1 swapped, and for each of its positions the source position."""
    order = list(range(len(shape)))
    order[d0], order[d1] = order[d1], order[d0]
    new_shape = tuple(shape[d] for d in order)
    step = strides(shape)
    steps = [step[d] for d in order]
    return new_shape, [sum(i * s for i, s in zip(index, steps)) for index in product(*map(range, new_shape))]


def selected_index(shape: Shape, key: object) -> tuple[Shape, list[int]]:
    """Basic indexing (ints, slices, `...`, None): the result's shape and its source positions."""
    key = key if isinstance(key, tuple) else (key,)
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(k is not None and k is not Ellipsis for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices for a tensor of shape {shape}: {used} given")
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
    return tuple(out_shape), [sum(i * s for i, s in zip(index, step)) for index in product(*axes)]


def flatten_nested(data: object) -> tuple[list[float], Shape]:
    """A nested list of numbers as (flat floats, shape), or an error saying where it is off."""
    if isinstance(data, Real) and not isinstance(data, bool):
        return [float(data)], ()
    flat: list[float] = []
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
        size = sizes.pop()
        shape.append(size)
        children = [(f"{where}[{i}]", x) for where, item in level for i, x in enumerate(item)]
        numbers = [isinstance(x, Real) and not isinstance(x, bool) for _, x in children]
        if all(numbers):
            flat = [float(x) for _, x in children]
            return flat, tuple(shape)
        lists = [isinstance(x, (list, tuple)) for _, x in children]
        if not all(lists):
            odd = [i for i, (number, is_list) in enumerate(zip(numbers, lists)) if not number and not is_list]
            at = odd[0] if odd else numbers.index(True)  # what is neither, else a number among lists
            where, bad = children[at]
            kind = "a number" if numbers[at] else f"{type(bad).__name__} {bad!r}"
            raise TypeError(f"expected numbers or lists of equal depth, got {kind} at data{where}")
        level = children


def nest(flat: list, shape: Shape) -> object:
    """The inverse of flatten_nested: flat values in `shape` as nested lists."""
    if not shape:
        return flat[0]
    for k in range(len(shape) - 1, 0, -1):  # group the innermost level first
        size = shape[k]
        flat = [flat[i * size : (i + 1) * size] for i in range(numel(shape[:k]))]
    return flat
