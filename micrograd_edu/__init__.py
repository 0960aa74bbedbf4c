"""micrograd_edu: automatic differentiation you can read, run and watch.

Start with `Value`, the scalar node in `engine.py`:

>>> from micrograd_edu import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad          # dy/dx = 2x + 2
8.0
"""

from micrograd_edu import data, nn, optim
from micrograd_edu.engine import (
    Value,
    exp,
    grad,
    is_grad_enabled,
    log,
    no_grad,
    relu,
    sigmoid,
    tanh,
    topological_order,
    zero_grad,
)
from micrograd_edu.gradcheck import GradcheckError, gradcheck
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
    zeros,
)

__all__ = [
    "GradcheckError",
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
