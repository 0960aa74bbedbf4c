"""Exercise 5: Broadcasting's backward: sum back to the input's shape

When tensors of different shapes meet in an op, broadcasting stretches them to one
shape: a b of shape (3,) added to an A of shape (2, 3) is used once in each of A's two
rows. So in the backward pass b's gradient is the sum of its two uses: the result's
gradient, of shape (2, 3), summed back to shape (3,).

Write `sum_to_shape(grad, shape)`: `grad` is the gradient of a result that an input of
shape `shape` was broadcast to; return that input's gradient, a tensor of shape `shape`.
Broadcasting did two things to the input, and you undo both:

- it put new dimensions in front: (3,) became (1, 3), then (2, 3). Sum them away.
- it stretched dimensions of size 1: (2, 1) became (2, 3). Sum along each of them, and
  keep it, with size 1.

`grad.sum(dim=d)` sums along dimension d and removes it; `grad.sum(dim=d, keepdim=True)`
keeps it, with size 1. Every autograd engine with tensors writes this once, and calls it
from every op that broadcasts.

Check your work:  micrograd-edu check 5
In a notebook:    from micrograd_edu.exercises import check; check(5, sum_to_shape)
"""

from micrograd_edu import Tensor


def sum_to_shape(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """grad summed back to `shape`: over the dimensions broadcasting added or stretched."""
    raise NotImplementedError("exercise 5: write sum_to_shape(grad, shape)")
