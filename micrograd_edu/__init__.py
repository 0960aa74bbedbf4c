"""micrograd_edu: automatic differentiation you can read, run and watch.

Start with `Value`, the scalar node in `engine.py`:

>>> from micrograd_edu import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad          # dy/dx = 2x + 2
8.0
"""

import math as _math

from micrograd_edu import _dynamo, autograd, compiler, cuda, data, datasets, nn, optim, utils  # noqa: F401  (reached as attributes)
from micrograd_edu import coverage as _coverage
from micrograd_edu import tensor as _tensor_api
from micrograd_edu.autograd import GradcheckError, grad, gradcheck
from micrograd_edu.engine import Value, topological_order, zero_grad
from micrograd_edu.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from micrograd_edu.serialization import load, save
from micrograd_edu.tensor import *  # noqa: F403  (the tensor side of the torch namespace, listed there)
from micrograd_edu.tracing import compile

__all__ = [
    "GradcheckError",
    "Value",
    "autograd",
    "compiler",
    "compile",
    "cuda",
    "data",
    "datasets",
    "e",
    "enable_grad",
    "grad",
    "gradcheck",
    "inf",
    "inference_mode",
    "is_grad_enabled",
    "load",
    "nan",
    "nn",
    "no_grad",
    "optim",
    "pi",
    "save",
    "set_grad_enabled",
    "topological_order",
    "utils",
    "zero_grad",
    *_tensor_api.__all__,
]
__version__ = "0.1.0"
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan  # PyTorch's constants: plain floats, as there
__getattr__ = _coverage.module_getattr("torch", __name__)  # a PyTorch name not covered here: said so
