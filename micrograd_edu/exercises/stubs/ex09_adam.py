"""Exercise 9: Adam

Adam scales each parameter's step by how large its gradients have been, so that every
parameter moves at about the same pace, whatever the size of its gradients. For each
parameter it keeps a running mean of its gradients, m, and of their squares, v (both
start at 0), and counts its steps, t:

    t ← t + 1
    m ← β1 · m + (1 - β1) · grad
    v ← β2 · v + (1 - β2) · grad²
    m̂ = m / (1 - β1ᵗ),   v̂ = v / (1 - β2ᵗ)       (the bias correction: m and v start at 0)
    p ← p - lr · m̂ / (√v̂ + eps)

Write `Adam(params, lr, betas=(β1, β2), eps)`, with `step()` and `zero_grad()` as in
exercise 8: parameters move in place inside `micrograd_edu.no_grad()`, and one without a
gradient is left alone (its t does not count that step). Tensor arithmetic works element
by element: `g * g`, `v ** 0.5`, `m / (s + eps)`; and
`torch.zeros(*p.shape, backend=p.backend)` is a tensor of zeros shaped like p.

Check your work:  micrograd-edu check 9   (against micrograd_edu.optim.Adam, step by step)
In a notebook:    from micrograd_edu.exercises import check; check(9, Adam)
"""

from collections.abc import Iterable

import micrograd_edu as torch
from micrograd_edu import Tensor


class Adam:
    """p ← p - lr · m̂ / (√v̂ + eps): steps scaled by the running size of each parameter's gradients."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        self.lr = lr
        self.betas = betas
        self.eps = eps
        # your code: what must Adam remember about each parameter from one step to the next?

    def zero_grad(self) -> None:
        raise NotImplementedError("exercise 9: write zero_grad()")

    def step(self) -> None:
        raise NotImplementedError("exercise 9: write step()")
