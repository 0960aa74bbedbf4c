"""Exercise 8: SGD with momentum (a reference solution)"""

from collections.abc import Iterable

import micrograd_edu as torch
from micrograd_edu import Tensor


class SGD:
    """p ← p - lr · buffer, with buffer ← momentum · buffer + grad (buffer = grad at first)."""

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0) -> None:
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.buffers: dict[int, Tensor] = {}  # each parameter's own, by id(p)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                direction = p.grad
                if self.momentum:
                    buffer = self.buffers.get(id(p))
                    if buffer is None:  # the first step: the buffer starts as the gradient (a copy)
                        buffer = self.buffers[id(p)] = p.grad.detach()
                    else:
                        buffer.mul_(self.momentum).add_(p.grad)
                    direction = buffer
                p.add_(direction, alpha=-self.lr)  # in place: the model's own tensor moves
