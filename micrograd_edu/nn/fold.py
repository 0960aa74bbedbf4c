"""Windows of an image, gathered: what convolution and pooling are built on (im2col).

A 2-d convolution slides a small kernel over each image; pooling slides a window. Both are
the same two steps here:

1. gather: copy every window's elements side by side, one column per output position
   (`windows`: for an input (N, C, H, W), a tensor (N, C, K, L) of K elements per window and
   L windows). It is one `take` of the tensor layer, at flat positions computed once per
   shape (a padding cell reads a fill value placed after the input's last element);
2. reduce each window: a convolution multiplies the windows by its kernels (one matmul),
   max pooling takes each window's max, average pooling its mean.

So no backward is needed: `take`'s gradient adds each output's gradient back to the elements
it was gathered from (an element in several windows gets the sum), and on the python backend
every output element of a convolution is a sum of products of Values, drawable at scalar level.

`unfold` (F.unfold, nn.Unfold) is step 1 as PyTorch offers it: (N, C·kh·kw, L).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from micrograd_edu.nn.module import Module
from micrograd_edu.nn.settings import pair
from micrograd_edu.tensor import Tensor, cat

Axis = tuple[
    tuple[int, ...], ...
]  # per output position along one dim: the source index of each kernel offset (-1: fill)


def sliding(size: int, kernel: int, stride: int, before: int, dilation: int, out: int) -> Axis:
    """The source indices of each window along one dim: window i reads i·stride - before + k·dilation
    for k in 0 .. kernel-1; an index outside 0 .. size-1 (padding) is -1."""
    return tuple(
        tuple(s if 0 <= s < size else -1 for s in (i * stride - before + k * dilation for k in range(kernel)))
        for i in range(out)
    )


def output_size(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool = False) -> int:
    """How many windows fit along a dim of `size` padded by `pad` on each side (PyTorch's rule: with
    ceil_mode a last partial window counts, if it starts inside the input or its left padding)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


@lru_cache(maxsize=128)
def window_positions(planes: int, height: int, width: int, rows: Axis, cols: Axis) -> list[int]:
    """For each (plane, kernel row, kernel col, output row, output col), the flat position it
    reads in the input (planes = N·C images of height × width); planes·height·width, one past
    the end, where the window is over padding."""
    fill, plane = planes * height * width, height * width
    base = [
        r * width + c if r >= 0 and c >= 0 else -1
        for ki in range(len(rows[0]) if rows else 0)
        for kj in range(len(cols[0]) if cols else 0)
        for r in (row[ki] for row in rows)
        for c in (col[kj] for col in cols)
    ]
    return [p * plane + b if b >= 0 else fill for p in range(planes) for b in base]


def windows(input: Tensor, rows: Axis, cols: Axis, fill: float) -> Tensor:
    """The windows of a (N, C, H, W) input as (N, C, K, L): K = kernel rows × cols elements per
    window, L = output rows × cols windows, gathered with `take`. A padding cell reads `fill`."""
    n, c, h, w = input.shape
    positions = window_positions(n * c, h, w, rows, cols)
    flat = input.reshape(-1)
    if any(-1 in axis for axis in (*rows, *cols)):  # some window reaches into the padding
        flat = cat([flat, input.new_tensor([fill])])
    k = (len(rows[0]) if rows else 0) * (len(cols[0]) if cols else 0)
    # TODO(tensor): take checks each position in Python, most of a numpy-backend convolution's time;
    # these are in range by construction (a take of trusted positions, or one min/max check, would do)
    return flat.take(positions).reshape(n, c, k, len(rows) * len(cols))


def batched(input: Tensor, op: str, expected: str, hint: str = "") -> tuple[Tensor, bool]:
    """A 4-d input as it is, a 3-d one (one image, unbatched) with a batch dim of 1 added; else
    the error `expected` + the input's size + `hint`."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dim() not in (3, 4) or (op.endswith("pool2d") and not input.numel()):
        hint = hint or f": {op} takes feature maps (N, C, H, W), or those of one image (C, H, W)"
        raise RuntimeError(f"{expected}{list(input.shape)}{hint}")
    return (input, False) if input.dim() == 4 else (input.unsqueeze(0), True)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Every kernel_size window of each image laid out as a column: (N, C, H, W) -> (N, C·kh·kw, L),
    L the number of windows (im2col). A convolution is then one matmul with the kernels."""
    x, unbatched = batched(input, "unfold", "Input Error: Only 3D or 4D input Tensors are supported (got ")
    (kh, kw), (dh, dw) = pair(kernel_size, "kernel_size", "unfold"), pair(dilation, "dilation", "unfold")
    (ph, pw), (sh, sw) = pair(padding, "padding", "unfold"), pair(stride, "stride", "unfold")
    if kh <= 0 or kw <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: {kh} kernel_width: {kw}"
        )
    if sh <= 0 or sw <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {sh} stride_width: {sw}"
        )
    if dh <= 0 or dw <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: {dh} dilation_width: {dw}"
        )
    if ph < 0 or pw < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {ph} pad_width: {pw}")
    _, c, h, w = x.shape
    oh, ow = output_size(h, kh, sh, ph, dh), output_size(w, kw, sw, pw, dw)
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), "
            f"padding=({ph}, {pw}), calculated shape of the array of sliding blocks as ({oh}, {ow}), which "
            "is too small (non-positive)"
        )
    cols = windows(x, sliding(h, kh, sh, ph, dh, oh), sliding(w, kw, sw, pw, dw, ow), 0.0)
    out = cols.reshape(x.shape[0], c * kh * kw, oh * ow)
    return out.squeeze(0) if unbatched else out


class Unfold(Module):
    """The sliding windows of each image as columns (N, C·kh·kw, L): F.unfold as a layer."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
            f"stride={self.stride}"
        )
