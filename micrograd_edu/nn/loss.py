"""Losses as modules, as in PyTorch: `criterion = nn.BCELoss(); loss = criterion(outputs, y)`."""

from __future__ import annotations

from micrograd_edu.nn import functional as F
from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in F.REDUCTIONS:
            name = type(self).__name__
            raise ValueError(f"{name}: reduction must be one of {F.REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction  # not in the repr: PyTorch prints MSELoss() whatever it is


class BCELoss(_Loss):
    """Binary cross entropy of probabilities (after a sigmoid); logs clamped at -100."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of raw scores: a sigmoid and BCELoss in one, numerically stable."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class MSELoss(_Loss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax and negative log likelihood of class indices, for scores of shape (N, C)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, self.reduction)
