"""Tensors on two backends: lists of Values (no numpy) or numpy arrays, with one API."""

from micrograd_edu.tensor.backend import BACKENDS, Backend, get_backend, set_backend
from micrograd_edu.tensor.creation import arange, manual_seed, ones, rand, randn, tensor, zeros
from micrograd_edu.tensor.elementwise import Elementwise
from micrograd_edu.tensor.functions import cat, linear, stack
from micrograd_edu.tensor.reductions import MaxResult
from micrograd_edu.tensor.tensor import GradFn, Tensor, observe_backward

__all__ = [
    "BACKENDS",
    "Backend",
    "Elementwise",
    "GradFn",
    "MaxResult",
    "Tensor",
    "arange",
    "cat",
    "get_backend",
    "linear",
    "manual_seed",
    "observe_backward",
    "ones",
    "rand",
    "randn",
    "set_backend",
    "stack",
    "tensor",
    "zeros",
]
