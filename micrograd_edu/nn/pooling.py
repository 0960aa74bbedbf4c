"""Pooling: each window of each feature map reduced to one number, as PyTorch's.

- max pooling: the window's largest element (its gradient goes to that element only; on a
  tie, to the first of them, as in PyTorch);
- average pooling: the window's mean (the gradient is shared equally over the window);
- adaptive pooling: the windows chosen to give an output of the size asked for.

The windows are gathered as fold.py does for a convolution, (N, C, K, L), then reduced over
their K elements. Padding reads -inf for max pooling (never the max) and 0 for average pooling.
"""

from __future__ import annotations

import math
from typing import Any

from micrograd_edu.nn.fold import Axis, batched, output_size, sliding, windows
from micrograd_edu.nn.module import Module
from micrograd_edu.nn.settings import pair
from micrograd_edu.tensor import Tensor, dtypes

_EXPECTED = "non-empty 3D or 4D (batch mode) tensor expected for input, got a tensor of size "
_WINDOW = "kernel_size=2 takes windows of 2 × 2 elements"


def _windows_of(
    op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, shape: tuple
) -> tuple[Axis, Axis, tuple[int, int], tuple[int, int], tuple[int, int]]:
    """The windows' source rows and columns, and the kernel size, stride and padding, after
    PyTorch's checks of the pooling's settings."""
    (kh, kw) = pair(kernel_size, "kernel_size", op)
    (sh, sw) = (kh, kw) if stride is None or stride == [] or stride == () else pair(stride, "stride", op)
    (ph, pw), (dh, dw) = pair(padding, "padding", op), pair(dilation, "dilation", op)
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kh} kW: {kw}: {_WINDOW}")
    if sh == 0 or sw == 0:
        raise RuntimeError(f"stride should not be zero: stride=({sh}, {sw}) is how far each window moves")
    if sh < 0 or sw < 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got dH: {sh} dW: {sw}: it is how far each window moves "
            "(None: as far as the kernel is wide)"
        )
    if dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}: 1 takes "
            "neighbouring elements"
        )
    if ph < 0 or pw < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(ph, pw)}: padding adds a border")
    if 2 * ph > dh * (kh - 1) + 1 or 2 * pw > dw * (kw - 1) + 1:
        pad_, kernel_, dil_ = (ph, kh, dh) if 2 * ph > dh * (kh - 1) + 1 else (pw, kw, dw)
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={pad_}, kernel_size={kernel_} "
            f"and dilation={dil_}: a window must not be more padding than input"
        )
    c, h, w = shape[-3:]
    oh, ow = output_size(h, kh, sh, ph, dh, ceil_mode), output_size(w, kw, sw, pw, dw, ceil_mode)
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). Output size is too "
            f"small: not one {kh}×{kw} window fits in a {h}×{w} feature map"
        )
    return sliding(h, kh, sh, ph, dh, oh), sliding(w, kw, sw, pw, dw, ow), (kh, kw), (sh, sw), (ph, pw)


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The largest element of each kernel_size window (stride = kernel_size unless given):
    (N, C, H, W) -> (N, C, out_h, out_w). With return_indices, also where each max is, as a
    flat position in its H × W feature map (int64)."""
    x, unbatched = batched(input, "max_pool2d", _EXPECTED)
    rows, cols, *_ = _windows_of("max_pool2d", kernel_size, stride, padding, dilation, ceil_mode, x.shape)
    n, c, oh, ow = x.shape[0], x.shape[1], len(rows), len(cols)
    found = windows(x, rows, cols, -math.inf).max(dim=2)
    out = found.values.reshape(n, c, oh, ow)
    if not return_indices:
        return out.squeeze(0) if unbatched else out
    kw, width = len(cols[0]), x.shape[3]
    picked = found.indices.tolist()  # for each (n, c, window), which element of the window
    flat = [
        rows[at // ow][k // kw] * width + cols[at % ow][k % kw]
        for plane in picked
        for per_channel in plane
        for at, k in enumerate(per_channel)
    ]
    indices = x.new_tensor(flat, dtype=dtypes.int64).reshape(n, c, oh, ow)
    return (out.squeeze(0), indices.squeeze(0)) if unbatched else (out, indices)


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each kernel_size window. Padding counts as zeros in the mean
    (count_include_pad=True, PyTorch's default) or not at all; divisor_override replaces the
    count by a number of your choice."""
    x, unbatched = batched(input, "avg_pool2d", _EXPECTED)
    rows, cols, kernel, step, pads = _windows_of(
        "avg_pool2d", kernel_size, stride, padding, 1, ceil_mode, x.shape
    )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(
            "divisor must be not zero: divisor_override divides each window's sum (None: by its size, the "
            "mean)"
        )
    n, c, h, w = x.shape
    total = windows(x, rows, cols, 0.0).sum(dim=2)  # (N, C, L)
    if divisor_override is not None:
        out = total / divisor_override
    else:
        down = _counts(h, kernel[0], step[0], pads[0], len(rows), count_include_pad)
        across = _counts(w, kernel[1], step[1], pads[1], len(cols), count_include_pad)
        counts = [a * b for a in down for b in across]
        out = total / counts[0] if len(set(counts)) == 1 else total / x.new_tensor(counts, dtype=total.dtype)
    out = out.reshape(n, c, len(rows), len(cols))
    if not x.is_floating_point():  # PyTorch's integer pooling rounds toward zero
        out = out.to(x.dtype)
    return out.squeeze(0) if unbatched else out


def _counts(size: int, kernel: int, stride: int, pad: int, out: int, include_pad: bool) -> list[int]:
    """What each window's mean divides by, along one dim (PyTorch's rule): the elements of the
    window inside the padded input, or without include_pad those inside the input itself."""
    counts = []
    for i in range(out):
        start = i * stride - pad
        end = min(start + kernel, size + pad)
        counts.append(end - start if include_pad else min(end, size) - max(start, 0))
    return counts


def _adaptive_axis(size: int, out: int) -> Axis:
    """PyTorch's adaptive windows along a dim: window i covers floor(i·size/out) .. ceil((i+1)·size/out),
    padded with -1 to the longest one."""
    spans = [range((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]
    longest = max(len(s) for s in spans)
    return tuple(tuple(s) + (-1,) * (longest - len(s)) for s in spans)


def _adaptive(input: Tensor, output_size: Any, op: str) -> tuple[Tensor, bool, Axis, Axis]:
    x, unbatched = batched(input, op, f"{op}(): Expected 3D or 4D tensor, but got ")
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be a number or a pair of them, got {output_size!r}")
    h, w = x.shape[2:]
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    if not (isinstance(oh, int) and isinstance(ow, int)) or oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal to 0 but received {{{oh}, {ow}}} "
            "(and here at least 1: an output of size 0 is empty)"
        )
    return x, unbatched, _adaptive_axis(h, oh), _adaptive_axis(w, ow)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling with windows chosen to give an output of `output_size` (an int, a pair,
    None keeping a size): AdaptiveAvgPool2d(1) is the mean of each feature map."""
    x, unbatched, rows, cols = _adaptive(input, output_size, "adaptive_avg_pool2d")
    total = windows(x, rows, cols, 0.0).sum(dim=2)
    counts = [sum(i >= 0 for i in row) * sum(j >= 0 for j in col) for row in rows for col in cols]
    out = total / counts[0] if len(set(counts)) == 1 else total / x.new_tensor(counts, dtype=total.dtype)
    out = out.reshape(x.shape[0], x.shape[1], len(rows), len(cols))
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Tensor:
    """Max pooling with windows chosen to give an output of `output_size`."""
    if return_indices:
        raise NotImplementedError("adaptive_max_pool2d: return_indices=True is not supported here")
    x, unbatched, rows, cols = _adaptive(input, output_size, "adaptive_max_pool2d")
    out = windows(x, rows, cols, -math.inf).amax(dim=2).reshape(x.shape[0], x.shape[1], len(rows), len(cols))
    return out.squeeze(0) if unbatched else out


# ---- the modules ------------------------------------------------------------------------------------


class MaxPool2d(Module):
    """The max of each kernel_size window (stride = kernel_size unless given): MaxPool2d(2) halves
    the height and width."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        return max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean of each kernel_size window (stride = kernel_size unless given)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(AdaptiveAvgPool2d):
    def forward(self, input: Tensor) -> Tensor:
        return adaptive_max_pool2d(input, self.output_size)
