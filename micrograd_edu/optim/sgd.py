"""SGD: stochastic gradient descent, with momentum, dampening, weight decay and Nesterov's momentum."""

from __future__ import annotations

from typing import Any

from micrograd_edu.optim.optimizer import Optimizer, ParamsT, require_at_least_zero, require_number
from micrograd_edu.tensor import Tensor


class SGD(Optimizer):
    """p ← p - lr · g, where g is the gradient plus weight_decay · p, through momentum if set:

    buf ← momentum · buf + (1 - dampening) · g   (buf ← g at the first step)
    g   ← g + momentum · buf if nesterov else buf

    >>> import micrograd_edu as torch
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = torch.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()        # the gradient is 2w
    >>> optimizer.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(  # in PyTorch's order, as its state_dict and repr have them
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused,
        )  # fmt: skip
        super().__init__(params, defaults)

    def check_options(self, options: dict[str, Any]) -> None:
        require_at_least_zero("SGD", "lr", options["lr"], "learning rate")
        require_at_least_zero("SGD", "momentum", options["momentum"], "momentum value")
        require_at_least_zero("SGD", "weight_decay", options["weight_decay"], "weight_decay value")
        require_number("SGD", "dampening", options["dampening"])
        momentum, dampening = options["momentum"], options["dampening"]
        if options["nesterov"] and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening: got "
                f"momentum={momentum}, dampening={dampening} (try momentum=0.9, nesterov=True)"
            )

    def update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        g = grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.clone()
            else:
                buf.mul_(momentum).add_(g, alpha=1 - group["dampening"])
            g = g + momentum * buf if group["nesterov"] else buf
        p.add_(g, alpha=-group["lr"])
