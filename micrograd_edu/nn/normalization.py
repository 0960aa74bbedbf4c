"""Batch normalization: each channel standardised over the batch, then scaled and shifted.

    y = (x - mean) / √(var + eps) · weight + bias

While training, mean and var are the batch's own (over every dim but the channels', the
variance biased: divided by n), and the layer keeps running averages of them, in buffers:

    running_mean = (1 - momentum) · running_mean + momentum · mean
    running_var  = (1 - momentum) · running_var  + momentum · var · n / (n - 1)   (unbiased)

(momentum=None: a plain average over every batch so far). In eval mode the running averages
are used instead, so one sample is normalised as the training data were. The gradient flows
through the batch's mean and var too: autograd of the composition.
"""

from __future__ import annotations

from typing import Any

from micrograd_edu.grad_mode import no_grad
from micrograd_edu.nn import init
from micrograd_edu.nn.activation import floats_only
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.nn.settings import new_parameter, new_tensor, whole_number
from micrograd_edu.tensor import Tensor, dtypes


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise input (N, C, ...) per channel C (see the module docstring); while training,
    update running_mean and running_var in place (if given)."""
    x = floats_only(input, "batch_norm")
    if x.dim() < 2:
        raise ValueError(
            f"expected 2D or more input (got {x.dim()}D input): batch_norm normalises (N, C, ...)"
        )
    c = x.shape[1]
    for t, name in (
        (running_mean, "running_mean"),
        (running_var, "running_var"),
        (weight, "weight"),
        (bias, "bias"),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(
                f"{name} should contain {c} elements not {t.numel()}: the input has {c} channels "
                f"(dim 1 of shape {tuple(x.shape)})"
            )
    dims = (0, *range(2, x.dim()))
    broadcast = (1, c) + (1,) * (x.dim() - 2)
    if training:
        n = x.numel() // c if c else 0
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape}: a batch "
                "of one sample has no spread to normalise by (use a larger batch, or model.eval())"
            )
        mean = x.mean(dims, keepdim=True)
        centred = x - mean
        var = (centred * centred).mean(dims, keepdim=True)
        if running_mean is not None and running_var is not None:
            with no_grad():
                batch_mean, batch_var = mean.reshape(c), var.reshape(c) * (n / (n - 1))
                running_mean.copy_(batch_mean * momentum + running_mean * (1 - momentum))
                running_var.copy_(batch_var * momentum + running_var * (1 - momentum))
        out = centred * (var + eps).rsqrt()
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm in eval mode (training=False) needs running_mean and running_var")
        out = (x - running_mean.reshape(broadcast)) * (running_var.reshape(broadcast) + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(broadcast)
    if bias is not None:
        out = out + bias.reshape(broadcast)
    return out


class _BatchNorm(Module):
    dims: tuple[int, ...] = ()  # the input dims this layer takes
    expected = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
        backend: str | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = whole_number(num_features, "num_features", name, minimum=1)
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats, self.has_bias = track_running_stats, bias
        made = {"device": device, "dtype": dtype, "backend": backend}
        self.weight: Parameter | None = new_parameter((num_features,), **made) if affine else None
        self.bias: Parameter | None = new_parameter((num_features,), **made) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", new_tensor((num_features,), **made))
            self.register_buffer("running_var", new_tensor((num_features,), **made, fill=1.0))
            counted = new_tensor((), **{**made, "dtype": dtypes.int64})
            self.register_buffer("num_batches_tracked", counted)
        else:
            for buffer in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buffer, None)
        self.running_mean: Tensor | None
        self.running_var: Tensor | None
        self.num_batches_tracked: Tensor | None
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.running_mean is not None and self.running_var is not None:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
        if self.num_batches_tracked is not None:
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in self.dims:
            raise ValueError(
                f"expected {self.expected} input (got {input.dim()}D input), of shape {tuple(input.shape)}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():  # TODO(tensor): add_(1) on an int64 tensor fails on the numpy backend
                self.num_batches_tracked.fill_(self.num_batches_tracked.item() + 1)
            if self.momentum is None:  # a plain average of every batch so far
                factor = 1.0 / self.num_batches_tracked.item()
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.has_bias and self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) rows or (N, C, L) sequences, per channel C."""

    dims = (2, 3)
    expected = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) feature maps, per channel C."""

    dims = (4,)
    expected = "4D"
