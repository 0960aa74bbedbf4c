"""Layers and losses as plain functions, each composed from Tensor ops (so no backward
of its own: autograd differentiates the composition)."""

from __future__ import annotations

import math

from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.functions import linear as tensor_linear

REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = math.exp(-100)  # log(p) is clamped at -100, as in PyTorch's BCELoss


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def relu(x: Tensor) -> Tensor:
    return x.relu()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias, with weight of shape (out_features, in_features) as in PyTorch.

    One recorded op (AddmmBackward0, as in PyTorch) for a batch of rows; a single row or
    more dims are reshaped to rows and back.
    """
    if not x.shape or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {tuple(x.shape)} does not fit a weight of shape {tuple(weight.shape)}: "
            f"the input's last dimension must be in_features = {weight.shape[1]}"
        )
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(
            f"linear: a bias of shape {tuple(bias.shape)} does not fit a weight of shape "
            f"{tuple(weight.shape)}"
        )
    if x.dim() == 2:
        return tensor_linear(x, weight, bias)
    return tensor_linear(x.reshape(-1, x.shape[-1]), weight, bias).reshape(*x.shape[:-1], weight.shape[0])


def binary_cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100 so that p = 0 or 1 stays finite."""
    target = _checked(input, target, reduction, "binary_cross_entropy")
    outside = [p for p in input.data.flatten().tolist() if not 0.0 <= p <= 1.0]
    if outside:
        raise ValueError(
            f"binary_cross_entropy: every input must be a probability in [0, 1], got {outside[0]!r} "
            "(apply sigmoid first, or use BCEWithLogitsLoss on the raw scores)"
        )
    log_p = input.clamp(min=_LOG_FLOOR).log()
    log_not_p = (1 - input).clamp(min=_LOG_FLOOR).log()
    return _reduce(-(target * log_p + (1 - target) * log_not_p), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """BCE of sigmoid(input): softplus(x) - x y, with softplus(x) = log(1 + e^x) computed as
    m + log(e^-m + e^(x - m)), m = max(x, 0) held constant: no overflow, and no kink at x = 0
    (the gradient is sigmoid(x) - y everywhere)."""
    target = _checked(input, target, reduction, "binary_cross_entropy_with_logits")
    m = input.relu().detach()
    return _reduce(m + ((-m).exp() + (input - m).exp()).log() - input * target, reduction)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    target = _checked(input, target, reduction, "mse_loss")
    return _reduce((input - target) ** 2, reduction)


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """-log softmax(input)[target] for scores of shape (N, C) and class indices of shape (N,)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if input.dim() != 2:
        raise ValueError(f"cross_entropy: input must have shape (N, C), got {tuple(input.shape)}")
    n, c = input.shape
    classes = target.tolist() if isinstance(target, Tensor) else target
    if not isinstance(classes, list) or len(classes) != n:
        raise ValueError(
            f"cross_entropy: target must hold {n} class indices, one per input row, got {target!r}"
        )
    for k in classes:
        if isinstance(k, (list, tuple)):
            raise ValueError(
                f"cross_entropy: target must hold one class index per row, shape ({n},), got a row {k!r}: "
                "flatten it, e.g. y.reshape(-1)"
            )
        if not (float(k).is_integer() and 0 <= k < c):
            raise ValueError(f"cross_entropy: target {k!r} is not a class index in 0 .. {c - 1}")
    shifted = input - input.max(dim=1, keepdim=True).values.detach()  # the same softmax, no overflow
    log_softmax = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return _reduce(-log_softmax.take([i * c + int(k) for i, k in enumerate(classes)]), reduction)


def _checked(input: Tensor, target, reduction: str, op: str) -> Tensor:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a tensor, got {type(input).__name__}")
    target = target if isinstance(target, Tensor) else input.new_tensor(target)
    if target.shape != input.shape:
        raise ValueError(
            f"{op}: target shape {tuple(target.shape)} differs from input shape {tuple(input.shape)}; "
            "make them equal (e.g. y.reshape(-1, 1) or outputs.squeeze(1))"
        )
    return target


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss
