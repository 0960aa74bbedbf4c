"""Optimizers: SGD (with momentum, weight decay, Nesterov) and Adam, with PyTorch's update rules.

An optimizer holds the parameters, and `step()` moves each against its gradient, in
place, outside the graph. `zero_grad()` clears the gradients before the next backward().
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor


class Optimizer:
    """What every optimizer shares: its parameters, their state, and zero_grad()."""

    def __init__(self, params: Iterable[Tensor], defaults: dict) -> None:
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list: pass model.parameters()")
        for i, p in enumerate(params):
            if not isinstance(p, Tensor) or not p.is_leaf:  # a frozen one (no grad) is skipped
                raise TypeError(
                    f"{type(self).__name__} optimizes leaf tensors (parameters); item {i} is {p!r}"
                )
        if defaults["lr"] < 0:
            raise ValueError(f"learning rate must be >= 0, got lr={defaults['lr']}")
        self.param_groups = [{"params": params, **defaults}]
        self.state: dict[Tensor, dict] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad.zero_()

    @no_grad()
    def step(self) -> None:
        """Move every parameter that has a gradient, in place (the same tensors, the same Values)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, p.grad, self.state.setdefault(p, {}), group)

    def _update(self, p: Tensor, g: Tensor, state: dict, group: dict) -> None:
        raise TypeError(f"{type(self).__name__} does not say how to update a parameter")


class SGD(Optimizer):
    """p ← p - lr · g, where g is the gradient, plus weight_decay · p, through momentum if set:

    buf ← momentum · buf + (1 - dampening) · g   (buf = g at the first step)
    g   ← g + momentum · buf if nesterov else buf
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
        )
        super().__init__(params, defaults)

    def _update(self, p: Tensor, g: Tensor, state: dict, group: dict) -> None:
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.clone()
            else:
                buf.mul_(momentum).add_(g, alpha=1 - group["dampening"])
            g = g + momentum * buf if group["nesterov"] else buf
        p.add_(g, alpha=-group["lr"])


class Adam(Optimizer):
    """Adam: a step along m / (√v + eps), the running means of g and g², bias-corrected.

    m ← m + (1 - β1)(g - m),  v ← β2 v + (1 - β2) g²,  t ← t + 1
    p ← p - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        if not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"Adam's betas must each be in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, p: Tensor, g: Tensor, state: dict, group: dict) -> None:
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        (beta1, beta2), t = group["betas"], state.get("step", 0) + 1
        if t == 1:
            state.update(exp_avg=g.clone().zero_(), exp_avg_sq=g.clone().zero_())
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.add_(g - m, alpha=1 - beta1)
        v.mul_(beta2).add_(g * g, alpha=1 - beta2)
        state["step"] = t
        denom = v**0.5 / math.sqrt(1 - beta2**t) + group["eps"]
        p.add_(m / denom, alpha=-group["lr"] / (1 - beta1**t))
