"""Exercise 9: Adam (a reference solution)"""

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
        self.m: dict[int, Tensor] = {}  # each parameter's own, by id(p)
        self.v: dict[int, Tensor] = {}
        self.t: dict[int, int] = {}

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        beta1, beta2 = self.betas
        with torch.no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                g, key = p.grad, id(p)
                if key not in self.t:
                    zeros = torch.zeros(*p.shape, backend=p.backend)
                    self.m[key], self.v[key], self.t[key] = zeros, zeros, 0
                self.t[key] += 1
                t = self.t[key]
                self.m[key] = beta1 * self.m[key] + (1 - beta1) * g
                self.v[key] = beta2 * self.v[key] + (1 - beta2) * g * g
                m_hat = self.m[key] / (1 - beta1**t)
                v_hat = self.v[key] / (1 - beta2**t)
                p.add_(m_hat / (v_hat**0.5 + self.eps), alpha=-self.lr)
