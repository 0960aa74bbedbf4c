"""F.pad: a border added around a tensor's last dims, as PyTorch's.

`pad` lists the amounts from the last dim backwards, (left, right) for the last, then
(top, bottom) for the one before, and so on: F.pad(x, (1, 1, 2, 0)) adds a column on each
side and two rows on top. A negative amount crops instead. What the border holds:

- "constant": `value` (0 by default);
- "reflect": the input mirrored at its edge, the edge itself not repeated (3 2 | 1 2 3 | 2 1);
- "replicate": the edge repeated (1 1 | 1 2 3 | 3 3);
- "circular": the input wrapped around (2 3 | 1 2 3 | 1 2).

Every output element is an element of the input (or the constant), picked by position: one
`take`, whose gradient goes back to the element picked (a border element's to its source).
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import product
from typing import Any

from micrograd_edu.tensor import Tensor, cat
from micrograd_edu.tensor.shape import Shape, strides

MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """The input with `pad` added around its last len(pad) // 2 dims (see the module docstring)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    amounts = _amounts(pad)
    if len(amounts) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, got {len(amounts)} numbers: {tuple(pad)}")
    if len(amounts) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got padding "
            f"length {len(amounts)} and input of dimension {input.dim()}: two numbers per padded dim, from "
            "the last dim backwards"
        )
    if mode not in MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}: one of {', '.join(MODES)}")
    if mode != "constant":
        _check_non_constant(input, amounts, mode, value)
    dims = len(amounts) // 2
    per_dim = [(0, 0)] * (input.dim() - dims) + [
        (amounts[2 * k], amounts[2 * k + 1]) for k in reversed(range(dims))
    ]
    for d, (size, (before, after)) in enumerate(zip(input.shape, per_dim)):
        if size + before + after < 0:
            raise RuntimeError(
                f"narrow(): length must be non-negative. Cropping {-before} and {-after} off dim {d} of size "
                f"{size} leaves nothing"
            )
    shape, positions = padded_positions(input.shape, tuple(per_dim), mode)
    flat = input.reshape(-1)
    if mode == "constant" and input.numel() in positions:
        flat = cat([flat, input.new_tensor([0.0 if value is None else value])])
    return flat.take(positions).reshape(shape)


@lru_cache(maxsize=64)
def padded_positions(
    shape: Shape, per_dim: tuple[tuple[int, int], ...], mode: str
) -> tuple[Shape, list[int]]:
    """The padded shape and, for each of its elements, the flat position in the input it reads
    (the input's size, one past the end, for a constant cell)."""
    axes = []
    for size, (before, after) in zip(shape, per_dim):
        axes.append([_source(i - before, size, mode) for i in range(size + before + after)])
    out_shape = tuple(len(a) for a in axes)
    step, outside = strides(shape), math.prod(shape)
    positions = [
        outside if -1 in index else sum(i * s for i, s in zip(index, step)) for index in product(*axes)
    ]
    return out_shape, positions


def _source(i: int, size: int, mode: str) -> int:
    """Which index along a dim of `size` the padded index i reads (-1: the constant)."""
    if 0 <= i < size:
        return i
    if mode == "constant":
        return -1
    if mode == "replicate":
        return 0 if i < 0 else size - 1
    if mode == "circular":
        return i % size
    period = 2 * (size - 1)  # reflect: back and forth, the edges once each
    j = i % period if period else 0
    return j if j < size else period - j


def _amounts(pad: Any) -> list[int]:
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, int):
            raise TypeError(
                "pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                f"{type(p).__name__} at pos {i}: amounts of rows and columns, such as (1, 1)"
            )
    return list(pad)


def _check_non_constant(input: Tensor, amounts: list[int], mode: str, value: float | None) -> None:
    dims = len(amounts) // 2
    if value is not None and value != 0:
        raise RuntimeError(
            f'Padding mode "{mode}" doesn\'t take in value argument: only mode="constant" fills with a value'
        )
    if input.dim() not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(amounts)} is not supported for {input.dim()}D input tensor. {mode} padding "
            f"of the last {dims} dims needs a {dims + 1}D or {dims + 2}D input (channels first, then an "
            "optional batch dim)"
        )
    for k in range(dims):
        d = input.dim() - 1 - k
        before, after, size = amounts[2 * k], amounts[2 * k + 1], input.shape[d]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                f"padding ({before}, {after}) at dimension {d} of input {list(input.shape)}: a mirror image "
                f"adds at most {size - 1}"
            )
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError(
                "Padding value causes wrapping around more than once. Circular padding of at most "
                f"{size} at dimension {d} of input {list(input.shape)}, got ({before}, {after})"
            )
        if size == 0:
            raise RuntimeError(f"{mode} padding of an empty dim {d} of input {list(input.shape)}")
