"""Layers: Linear, with PyTorch's weight layout and initialisation, and the activations."""

from __future__ import annotations

import math

from micrograd_edu.nn import functional as F
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.tensor import Tensor, dtypes, get_backend, tensor
from micrograd_edu.tensor.creation import generator


class Linear(Module):
    """y = x @ weightᵀ + bias, with weight of shape (out_features, in_features).

    Weights and bias start uniform in ±1/√in_features, PyTorch's default distribution,
    drawn from the generator that `micrograd_edu.manual_seed` seeds. They live on the
    current default backend unless `backend=` says otherwise.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, backend: str | None = None):
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
                raise ValueError(f"Linear: {name} must be a whole number > 0, got {n!r}")
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        backend = backend or get_backend()
        self.weight = Parameter(_uniform((out_features, in_features), bound, backend))
        self.bias = Parameter(_uniform((out_features,), bound, backend)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        has_bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={has_bias}"


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


def _uniform(shape: tuple[int, ...], bound: float, backend: str) -> Tensor:
    rows, cols = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0])
    float32 = dtypes.drawn_as_float32(None, dtypes.get_default_dtype())  # PyTorch's kaiming_uniform_
    values = [[generator.uniform(-bound, bound, float32) for _ in range(cols)] for _ in range(rows)]
    return tensor(values if len(shape) == 2 else values[0], backend=backend)
