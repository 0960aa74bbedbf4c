"""Layer normalization: each sample standardised over its own last dims, then scaled and shifted.

    y = (x - mean) / √(var + eps) · weight + bias

mean and var (biased: divided by n) are over the last dims, `normalized_shape` (the features of
a row, a token's vector): unlike BatchNorm nothing is shared across the batch, so training and
eval do the same arithmetic and there are no running statistics. weight and bias have
`normalized_shape` and start as ones and zeros. The gradient flows through mean and var: autograd
of the composition.
"""

from __future__ import annotations

from typing import Any

from micrograd_edu.nn import init
from micrograd_edu.nn.activation import floats_only
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.nn.settings import new_parameter, whole_number
from micrograd_edu.tensor import Tensor


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise input over its last dims, which must be `normalized_shape` (the module docstring)."""
    x = floats_only(input, "layer_norm")
    shape = _shape(normalized_shape, "layer_norm")
    k = len(shape)
    if tuple(x.shape[x.dim() - k :]) != shape or x.dim() < k:
        expected = ", ".join(map(str, shape))
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {expected}], but got "
            f"input of size {list(x.shape)}: the last dims are the ones normalised"
        )
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"layer_norm: {name} of shape {tuple(t.shape)} should have normalized_shape {shape}"
            )
    dims = tuple(range(x.dim() - k, x.dim()))
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dims, keepdim=True)
    out = centred * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _shape(normalized_shape: Any, op: str) -> tuple[int, ...]:
    sizes = tuple(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else (normalized_shape,)
    return tuple(whole_number(s, "normalized_shape", op, minimum=1) for s in sizes)


class LayerNorm(Module):
    """Layer normalization over the last dims, `normalized_shape` (an int: the last dim)."""

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        backend: str | None = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape, "LayerNorm")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        made = {"device": device, "dtype": dtype, "backend": backend}
        affine = elementwise_affine
        self.weight: Parameter | None = new_parameter(self.normalized_shape, **made) if affine else None
        self.bias: Parameter | None = (
            new_parameter(self.normalized_shape, **made) if affine and bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        affine = f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        return f"{self.normalized_shape}, eps={self.eps}, {affine}"
