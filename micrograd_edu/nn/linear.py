"""Linear, with PyTorch's weight layout and initialisation, and Identity.

`linear(x, weight, bias)` is the function (`F.linear`); `Linear` holds a weight of shape
(out_features, in_features) and a bias, and calls it.
"""

from __future__ import annotations

import math
from typing import Any

from micrograd_edu.nn import init
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.nn.settings import new_parameter, whole_number
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.functions import linear as tensor_linear
from micrograd_edu.tensor.tensor import require_tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weightᵀ + bias, with weight of shape (out_features, in_features) as in PyTorch.

    One recorded op (AddmmBackward0, as in PyTorch) for a batch of rows; a single row or
    more dims are reshaped to rows and back.
    """
    x = require_tensor(input, "linear")
    require_tensor(weight, "linear", "weight", 2)
    if weight.dim() == 1:  # one weight per input feature: one output per row, x @ w (PyTorch takes it)
        out = x @ weight
        return out if bias is None else out + bias
    if weight.dim() != 2:
        raise RuntimeError(
            f"linear: weight must be 1-d or 2-d (out_features, in_features), got {tuple(weight.shape)}"
        )
    if not x.shape or x.shape[-1] != weight.shape[1]:
        rows = math.prod(x.shape[:-1]) if x.shape else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.shape else 1} and "
            f"{weight.shape[1]}x{weight.shape[0]}): linear: input of shape {tuple(x.shape)} does not fit a "
            f"weight of shape {tuple(weight.shape)}: the input's last dimension must be in_features = "
            f"{weight.shape[1]}"
        )
    if bias is not None and bias.shape != weight.shape[:1]:
        raise RuntimeError(
            f"linear: a bias of shape {tuple(bias.shape)} does not fit a weight of shape "
            f"{tuple(weight.shape)}: it needs one number per output, shape ({weight.shape[0]},)"
        )
    if x.dim() == 2:
        return tensor_linear(x, weight, bias)
    return tensor_linear(x.reshape(-1, x.shape[-1]), weight, bias).reshape(*x.shape[:-1], weight.shape[0])


class Linear(Module):
    """y = x @ weightᵀ + bias, with weight of shape (out_features, in_features).

    Weights and bias start uniform in ±1/√in_features, PyTorch's default distribution,
    drawn from the generator that `micrograd_edu.manual_seed` seeds. They live on the
    current default backend unless `backend=` says otherwise, in the default dtype unless
    `dtype=` does.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        backend: str | None = None,
    ) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            whole_number(n, name, "Linear", minimum=1)
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        made = {"device": device, "dtype": dtype, "backend": backend}
        self.weight = new_parameter((out_features, in_features), **made)
        self.bias: Parameter | None = new_parameter((out_features,), **made) if bias else None
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        has_bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={has_bias}"


class Identity(Module):
    """Passes its input on unchanged (a placeholder: swap a layer out, `model.fc = nn.Identity()`).
    It takes any arguments and ignores them, as PyTorch's does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input
