"""Exercise 8: SGD with momentum

An optimizer holds a model's parameters and moves each against its gradient. Write
`SGD`, with PyTorch's rule for momentum:

    buffer ← momentum · buffer + grad        (at a parameter's first step: buffer = grad)
    p      ← p - lr · buffer

With momentum = 0 that is plain SGD, p ← p - lr · grad. Each parameter has a buffer of
its own, which lasts from one step to the next: a running sum of past gradients that
keeps the steps going the same way.

- `step()` moves every parameter in place: the model holds these very tensors, so they
  must get the new numbers (a new tensor would not be seen). Do it inside
  `with micrograd_edu.no_grad():` with `p.add_(t, alpha=a)` (p += a · t), `p.mul_(c)` or
  `p.copy_(t)`: changing a parameter while the graph is recorded is an error. A
  parameter whose `.grad` is None has no gradient yet: leave it alone.
- `zero_grad()` clears every parameter's gradient: `p.grad = None`, as PyTorch does.

Check your work:  micrograd-edu check 8   (against micrograd_edu.optim.SGD, step by step)
In a notebook:    from micrograd_edu.exercises import check; check(8, SGD)
"""

from collections.abc import Iterable

import micrograd_edu as torch
from micrograd_edu import Tensor


class SGD:
    """p ← p - lr · buffer, with buffer ← momentum · buffer + grad (buffer = grad at first)."""

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0) -> None:
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        # your code: what else must the optimizer remember from one step to the next?

    def zero_grad(self) -> None:
        raise NotImplementedError("exercise 8: write zero_grad()")

    def step(self) -> None:
        raise NotImplementedError("exercise 8: write step()")
