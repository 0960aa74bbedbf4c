"""Flatten and Unflatten: layers that only reshape, between a convolution's (N, C, H, W)
feature maps and a Linear's (N, features) rows."""

from __future__ import annotations

from typing import Any

from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor


def dim_in_range(dim: int, ndim: int) -> int:
    """dim counted from 0, or PyTorch's IndexError (a 0-d tensor counts as having one dim).
    TODO(tensor): normalize_dim's IndexError could start with these words of PyTorch's."""
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(dim, int) or not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim}): the "
            f"input has {ndim} dims"
        )
    return dim % max(ndim, 1)


class Flatten(Module):
    """Dims start_dim .. end_dim joined into one: (N, C, H, W) -> (N, C·H·W) by default, so each
    sample's feature maps become one row for a Linear."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        start, end = dim_in_range(self.start_dim, input.dim()), dim_in_range(self.end_dim, input.dim())
        if start > end:  # TODO(tensor): Tensor.flatten(1, 0) gives a shape instead of this error
            raise RuntimeError(
                "flatten() has invalid args: start_dim cannot come after end_dim "
                f"(start_dim={self.start_dim}, end_dim={self.end_dim} for shape {tuple(input.shape)})"
            )
        return input.flatten(start, end)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Dim `dim` split into `unflattened_size` (one size may be -1): (N, 12) -> (N, 3, 4)."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                f"unflattened_size must be tuple of ints, but found type {type(unflattened_size).__name__}"
            )
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        d = dim_in_range(self.dim, input.dim())
        sizes, size = list(self.unflattened_size), input.shape[d]
        known = [s for s in sizes if s != -1]
        product = 1
        for s in known:
            product *= s
        # TODO(tensor): Tensor.unflatten refuses these with reshape's ValueError, not PyTorch's RuntimeError
        if (-1 not in sizes and product != size) or (-1 in sizes and (product == 0 or size % product)):
            raise RuntimeError(
                f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {self.dim} ({size}) "
                f"in the input tensor of shape {tuple(input.shape)}"
            )
        return input.unflatten(d, sizes)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
