"""Conv2d: a small kernel slid over each image, as PyTorch's (cross-correlation, no flip).

out[n, o, i, j] = bias[o] + Σ_c Σ_ki Σ_kj input[n, c, i·s + ki·d - p, j·s + kj·d - p] · weight[o, c, ki, kj]

Computed as im2col (fold.py): the windows of every image gathered into columns (N, C·kh·kw, L),
then one matmul with the kernels, (O, C·kh·kw) @ (N, C·kh·kw, L) -> (N, O, L), reshaped to
(N, O, out_h, out_w). With groups, the channels are split into `groups` independent
convolutions: the same matmul, batched over the groups.
"""

from __future__ import annotations

import math
from typing import Any

from micrograd_edu.nn import init
from micrograd_edu.nn.fold import batched, output_size, sliding, windows
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.nn.padding import pad
from micrograd_edu.nn.settings import new_parameter, pair, whole_number
from micrograd_edu.tensor import Tensor

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_C_TYPES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool"}
_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "bool": "bool"}


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """A 2-d convolution of input (N, C, H, W) (or (C, H, W)) with weight (O, C/groups, kh, kw),
    plus bias (O,): the output is (N, O, out_h, out_w). padding may be 'valid' (none) or 'same'
    (the output as large as the input; stride 1 only)."""
    x, unbatched = batched(
        input,
        "conv2d",
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ",
        ": conv2d takes images (N, C, H, W), or one image (C, H, W); for grey images of shape (N, H, W) "
        "add their channel dim with x.unsqueeze(1)",
    )
    if not isinstance(weight, Tensor) or weight.dim() != 4:
        shape = list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"conv2d: weight must be 4-dimensional, (out_channels, in_channels / groups, kernel_height, "
            f"kernel_width), got {shape}"
        )
    hint = "convert one, e.g. x.to(conv.weight.dtype) (or model.double())"
    if bias is not None and bias.dtype is not x.dtype:
        raise RuntimeError(
            f"Input type ({_C_NAMES[x.dtype.name]}) and bias type ({_C_NAMES[bias.dtype.name]}) should be "
            f"the same: the input is {x.dtype} and the layer's weights are {bias.dtype}; {hint}"
        )
    if weight.dtype is not x.dtype:
        raise RuntimeError(
            f"expected scalar type {_C_TYPES[x.dtype.name]} but found {_C_TYPES[weight.dtype.name]}: the "
            f"input is {x.dtype} and the weight {weight.dtype}; {hint}"
        )
    (sh, sw), (dh, dw) = pair(stride, "stride", "conv2d"), pair(dilation, "dilation", "conv2d")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"non-positive stride is not supported: stride=({sh}, {sw})")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got [{dh}, {dw}]: dilation=1 is the plain "
            "convolution, 2 spreads the kernel over every other pixel"
        )
    if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported: groups={groups!r}")
    o, c_per_group, kh, kw = weight.shape
    n, c, h, w = x.shape
    if c != c_per_group * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(x.shape)} to "
            f"have {c_per_group * groups} channels, but got {c} channels instead: dim 1 of the input is its "
            f"channels, and this convolution takes {c_per_group * groups} (in_channels)"
            + (
                f". A 3-d input is one image (C, H, W): for {input.shape[0]} grey images of shape "
                f"{tuple(input.shape)} add their channel dim, x.unsqueeze(1)"
                if unbatched
                else ""
            )
        )
    if o % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got "
            f"weight of size [{list(weight.shape)}] instead: each of the {groups} groups needs as many "
            "output channels"
        )
    if bias is not None and bias.shape != (o,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {o} "
            "elements, "
            f"but got bias of size {list(bias.shape)} instead: one bias per output channel"
        )
    top, bottom, left, right = _padding(padding, (kh, kw), (sh, sw), (dh, dw))
    if h + top + bottom < dh * (kh - 1) + 1 or w + left + right < dw * (kw - 1) + 1:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({h + top + bottom} x {w + left + right}). Kernel "
            f"size: ({dh * (kh - 1) + 1} x {dw * (kw - 1) + 1}). Kernel size can't be greater than actual "
            "input size: pad the input (padding=...) or use a smaller kernel"
        )
    oh = output_size(h + top + bottom, kh, sh, 0, dh)
    ow = output_size(w + left + right, kw, sw, 0, dw)
    rows, cols = sliding(h, kh, sh, top, dh, oh), sliding(w, kw, sw, left, dw, ow)
    columns = windows(x, rows, cols, 0.0)  # (N, C, kh·kw, L)
    k = c_per_group * kh * kw
    if groups == 1:
        out = weight.reshape(o, k) @ columns.reshape(n, k, oh * ow)  # (N, O, L)
    else:
        kernels = weight.reshape(groups, o // groups, k)
        out = kernels @ columns.reshape(n, groups, k, oh * ow)  # (N, groups, O/groups, L)
    out = out.reshape(n, o, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1)
    return out.squeeze(0) if unbatched else out


def _padding(
    padding: Any, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> tuple:
    """(top, bottom, left, right) from padding=p, (ph, pw), 'valid' or 'same' (for an even kernel,
    'same' puts the extra row and column at the bottom and right, as PyTorch does)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r} (use 'valid', 'same' or a number)")
        if stride != (1, 1):
            raise RuntimeError(
                "padding='same' is not supported for strided convolutions: give the padding as a number, "
                "e.g. padding=(kernel_size - 1) // 2"
            )
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return totals[0] // 2, totals[0] - totals[0] // 2, totals[1] // 2, totals[1] - totals[1] // 2
    ph, pw = pair(padding, "padding", "conv2d")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"negative padding is not supported: padding=({ph}, {pw})")
    return ph, ph, pw, pw


class Conv2d(Module):
    """A 2-d convolution layer: weight (out_channels, in_channels / groups, kh, kw), bias (out_channels,),
    both starting uniform in ±1/√(in_channels / groups · kh · kw), as PyTorch's."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        backend: str | None = None,
    ) -> None:
        super().__init__()
        in_channels = whole_number(in_channels, "in_channels", "Conv2d", minimum=1)
        out_channels = whole_number(out_channels, "out_channels", "Conv2d", minimum=1)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"groups must be a positive integer, got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"in_channels must be divisible by groups ({in_channels} and {groups})")
        if out_channels % groups:
            raise ValueError(f"out_channels must be divisible by groups ({out_channels} and {groups})")
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = pair(stride, "stride", "Conv2d")
        self.dilation = pair(dilation, "dilation", "Conv2d")
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        if min(self.kernel_size) <= 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {min(self.kernel_size)}: {list(shape)}: "
                f"Conv2d's kernel_size must be > 0, got {kernel_size!r}"
            )
        if min(self.stride) <= 0:  # PyTorch takes it here and refuses it when called
            raise RuntimeError(f"non-positive stride is not supported: stride={stride!r}")
        if min(self.dilation) <= 0:
            raise RuntimeError(f"dilation should be greater than zero, but got {list(self.dilation)}")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}} (or a number "
                    "of rows and columns, or a pair of them)"
                )
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(
                    "padding='same' is not supported for strided convolutions: give the padding as a number, "
                    "e.g. padding=(kernel_size - 1) // 2"
                )
            self.padding: Any = padding
        else:
            self.padding = pair(padding, "padding", "Conv2d")
            if min(self.padding) < 0:
                raise RuntimeError(f"negative padding is not supported: padding={padding!r}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {{'reflect', 'circular', 'replicate', 'zeros'}}, but got "
                f"padding_mode={padding_mode!r} ('zeros' pads with 0, the usual choice)"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.padding_mode = padding_mode
        made = {"device": device, "dtype": dtype, "backend": backend}
        self.weight = new_parameter(shape, **made)
        self.bias: Parameter | None = new_parameter((out_channels,), **made) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: kaiming_uniform_ with a = √5 (so U(±1/√fan_in)), the bias "
        "U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return conv2d(
                input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        top, bottom, left, right = _padding(self.padding, self.kernel_size, self.stride, self.dilation)
        padded = pad(input, (left, right, top, bottom), mode=self.padding_mode)
        return conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s
