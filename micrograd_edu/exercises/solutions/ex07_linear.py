"""Exercise 7: A Linear layer (a reference solution)"""

import math

import micrograd_edu as torch
from micrograd_edu import Tensor, nn


class Linear(nn.Module):
    """y = x @ weightᵀ + bias, with weight of shape (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        bound = 1 / math.sqrt(in_features)  # uniform in [-bound, bound]: rand's [0, 1) stretched and shifted
        self.weight = nn.Parameter(torch.rand(out_features, in_features) * (2 * bound) - bound)
        self.bias = nn.Parameter(torch.rand(out_features) * (2 * bound) - bound)

    def forward(self, x: Tensor) -> Tensor:
        return x @ self.weight.T + self.bias
