"""Exercise 10: Binary cross-entropy, and why it clamps

For a predicted probability p of class 1 and a label y (0 or 1), binary cross-entropy is

    loss = -(y · log p + (1 - y) · log(1 - p))

averaged over the batch: small when p is near y, large when it is far. Write
`binary_cross_entropy(p, y)` for two tensors of the same shape, as nn.BCELoss computes
it, from tensor ops, so that backward() gives p its gradient.

Then the edge. A model that is sure and wrong says p = 0 where y = 1, and log 0 is -∞
(in micrograd_edu, an error): one such sample would make the whole batch's loss infinite
and every gradient nan, and training would be over. PyTorch clamps each log at -100, so
that such a sample costs exactly 100. Do the same: `t.clamp(min=a)` keeps every number
of t at least a. Think about what to clamp, and where: the log of 0 must never be
computed, not even where its weight, y or 1 - y, is 0.

Check your work:  micrograd-edu check 10   (against micrograd_edu.nn.BCELoss)
In a notebook:    from micrograd_edu.exercises import check; check(10, binary_cross_entropy)
"""

import math

from micrograd_edu import Tensor


def binary_cross_entropy(p: Tensor, y: Tensor) -> Tensor:
    """The mean of -(y log p + (1 - y) log(1 - p)), each log clamped at -100, as PyTorch does."""
    raise NotImplementedError("exercise 10: write binary_cross_entropy(p, y)")
