"""Tensors on two backends: lists of Values (no numpy) or numpy arrays, with one API.

`__all__` here is the tensor side of the `torch` namespace: `micrograd_edu` re-exports it.
"""

from micrograd_edu.tensor import forms
from micrograd_edu.tensor.backend import BACKENDS, Backend, get_backend, set_backend
from micrograd_edu.tensor.backward import AccumulateGrad, GradFn, observe_backward
from micrograd_edu.tensor.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from micrograd_edu.tensor.device import device
from micrograd_edu.tensor.dtypes import (
    bool_ as bool,  # noqa: A004  (torch.bool)
)
from micrograd_edu.tensor.dtypes import (
    dtype,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
)
from micrograd_edu.tensor.elementwise import (
    Elementwise,
    abs,
    cos,
    erf,
    exp,
    log,
    log1p,
    neg,
    relu,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    tan,
    tanh,
)
from micrograd_edu.tensor.forms import *  # noqa: F403  (torch.add, torch.sum, ...: listed in forms.__all__)
from micrograd_edu.tensor.functions import cat, linear, scatter_add, stack
from micrograd_edu.tensor.generator import Generator
from micrograd_edu.tensor.reductions import MaxResult
from micrograd_edu.tensor.shape import Size
from micrograd_edu.tensor.tensor import Tensor, where

float = float32  # noqa: A001  (PyTorch's aliases)
double = float64
long = int64
int = int32  # noqa: A001

__all__ = [
    "BACKENDS",
    "AccumulateGrad",
    "Backend",
    "Elementwise",
    "GradFn",
    "MaxResult",
    "Tensor",
    "arange",
    "as_tensor",
    "bool",
    "cat",
    "device",
    "double",
    "dtype",
    "empty",
    "empty_like",
    "eye",
    "float",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_backend",
    "get_default_dtype",
    "int",
    "int32",
    "int64",
    "linear",
    "linspace",
    "logspace",
    "long",
    "manual_seed",
    "initial_seed",
    "seed",
    "Generator",
    "normal",
    "observe_backward",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "scatter_add",
    "set_backend",
    "set_default_dtype",
    "stack",
    "tensor",
    "where",
    "zeros",
    "zeros_like",
    "Size",
    "abs",
    "cos",
    "erf",
    "exp",
    "log",
    "log1p",
    "neg",
    "relu",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "tan",
    "tanh",
    *forms.__all__,
]
