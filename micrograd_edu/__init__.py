"""micrograd_edu: automatic differentiation you can read, run and watch.

Start with `Value`, the scalar node in `engine.py`:

>>> from micrograd_edu import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad          # dy/dx = 2x + 2
8.0
"""

from micrograd_edu import autograd, data, nn, optim
from micrograd_edu.autograd import GradcheckError, grad, gradcheck
from micrograd_edu.engine import Value, topological_order, zero_grad
from micrograd_edu.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from micrograd_edu.serialization import load, save
from micrograd_edu.tensor import (
    Tensor,
    arange,
    cat,
    get_backend,
    manual_seed,
    ones,
    rand,
    randn,
    set_backend,
    stack,
    tensor,
    where,
    zeros,
)
from micrograd_edu.tensor.elementwise import exp, log, relu, sigmoid, tanh

__all__ = [
    "GradcheckError",
    "autograd",
    "enable_grad",
    "inference_mode",
    "set_grad_enabled",
    "where",
    "Tensor",
    "Value",
    "arange",
    "cat",
    "data",
    "nn",
    "optim",
    "get_backend",
    "manual_seed",
    "ones",
    "rand",
    "randn",
    "set_backend",
    "stack",
    "tensor",
    "zeros",
    "exp",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "load",
    "log",
    "no_grad",
    "relu",
    "save",
    "sigmoid",
    "tanh",
    "topological_order",
    "zero_grad",
]
__version__ = "0.1.0"
