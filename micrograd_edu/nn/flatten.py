"""Flatten and Unflatten: layers that only reshape, between a convolution's (N, C, H, W)
feature maps and a Linear's (N, features) rows."""

from __future__ import annotations

from typing import Any

from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor


class Flatten(Module):
    """Dims start_dim .. end_dim joined into one: (N, C, H, W) -> (N, C·H·W) by default, so each
    sample's feature maps become one row for a Linear."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

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
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
