"""RMSprop: each step divided by the root of a running mean of the squared gradient."""

from __future__ import annotations

from typing import Any

from micrograd_edu.optim.optimizer import Optimizer, ParamsT, lerp_, require_at_least_zero
from micrograd_edu.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), with PyTorch's update:

    g ← g + weight_decay · p
    v ← α v + (1 - α) g²                 (the running mean of g², "square_avg")
    avg ← √v + eps,  or with centered:  ḡ ← ḡ + (1 - α)(g - ḡ),  avg ← √(v - ḡ²) + eps
    p ← p - lr · g / avg,  or with momentum:  buf ← momentum · buf + g / avg,  p ← p - lr · buf
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(  # in PyTorch's order, as its state_dict and repr have them
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
            capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def check_options(self, options: dict[str, Any]) -> None:
        require_at_least_zero("RMSprop", "lr", options["lr"], "learning rate")
        require_at_least_zero("RMSprop", "eps", options["eps"], "epsilon value")
        require_at_least_zero("RMSprop", "momentum", options["momentum"], "momentum value")
        require_at_least_zero("RMSprop", "weight_decay", options["weight_decay"], "weight_decay value")
        require_at_least_zero("RMSprop", "alpha", options["alpha"], "alpha value")

    def update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = p.new_tensor(0.0)
            state["square_avg"] = p.new_zeros()
            if momentum > 0:
                state["momentum_buffer"] = p.new_zeros()
            if group["centered"]:
                state["grad_avg"] = p.new_zeros()
        state["step"] += 1

        g = grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p
        square_avg = state["square_avg"].mul_(alpha).add_(g * g, alpha=1 - alpha)
        if group["centered"]:
            grad_avg = lerp_(state["grad_avg"], g, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg) ** 0.5 + group["eps"]
        else:
            avg = square_avg**0.5 + group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"].mul_(momentum).add_(g / avg)
            p.add_(buf, alpha=-group["lr"])
        else:
            p.add_(g / avg, alpha=-group["lr"])
