"""Tensors on two backends: lists of Values (no numpy) or numpy arrays, with one API."""

from micrograd_edu.tensor.backend import BACKENDS, Backend, get_backend, set_backend
from micrograd_edu.tensor.backward import AccumulateGrad, GradFn, observe_backward
from micrograd_edu.tensor.creation import arange, manual_seed, ones, rand, randn, tensor, zeros
from micrograd_edu.tensor.elementwise import Elementwise
from micrograd_edu.tensor.functions import cat, linear, scatter_add, stack
from micrograd_edu.tensor.reductions import MaxResult
from micrograd_edu.tensor.tensor import Tensor, where

__all__ = [
    "BACKENDS",
    "AccumulateGrad",
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
    "scatter_add",
    "set_backend",
    "stack",
    "tensor",
    "where",
    "zeros",
]
