"""Exercise 7: A Linear layer

`nn.Linear(in_features, out_features)` computes y = x @ weightᵀ + bias for a batch x of
shape (N, in_features). Write your own `Linear`, an `nn.Module` like PyTorch's:

- `weight`, of shape (out_features, in_features), PyTorch's layout: one row per output;
  and `bias`, of shape (out_features,). Both are `nn.Parameter`s, so that
  `model.parameters()` finds them and an optimizer can train them.
- Both start uniform in [-1/√in_features, 1/√in_features], PyTorch's default.
  `micrograd_edu.rand(*shape)` gives numbers uniform in [0, 1), drawn from the generator
  that `micrograd_edu.manual_seed` seeds, so the same seed gives the same layer.
- `forward(x)` returns x @ weightᵀ + bias, of shape (N, out_features). `w.T` is w's
  transpose, and the bias is broadcast to every row.

Check your work:  micrograd-edu check 7
In a notebook:    from micrograd_edu.exercises import check; check(7, Linear)
"""

import math

import micrograd_edu as torch
from micrograd_edu import Tensor, nn


class Linear(nn.Module):
    """y = x @ weightᵀ + bias, with weight of shape (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        raise NotImplementedError("exercise 7: make self.weight and self.bias")

    def forward(self, x: Tensor) -> Tensor:
        raise NotImplementedError("exercise 7: write forward(x)")
