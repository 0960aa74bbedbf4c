"""Tensors on two paths: lists of Values (no numpy) or numpy arrays, with one API."""

from micrograd_edu.tensor.creation import arange, manual_seed, ones, rand, randn, tensor, zeros
from micrograd_edu.tensor.tensor import (
    BACKENDS,
    GradFn,
    MaxResult,
    Tensor,
    cat,
    get_backend,
    set_backend,
    stack,
)

__all__ = [
    "BACKENDS",
    "GradFn",
    "MaxResult",
    "Tensor",
    "arange",
    "cat",
    "get_backend",
    "manual_seed",
    "ones",
    "rand",
    "randn",
    "set_backend",
    "stack",
    "tensor",
    "zeros",
]
