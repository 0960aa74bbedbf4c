"""Adam: steps along the running mean of the gradient over the root of the running mean of its square."""

from __future__ import annotations

from typing import Any

from micrograd_edu.optim.optimizer import (
    Optimizer,
    ParamsT,
    lerp_,
    require_at_least_zero,
    require_number,
)
from micrograd_edu.tensor import Tensor


class Adam(Optimizer):
    """Adam, with PyTorch's update: running means of g and g², corrected for starting at 0.

    g ← g + weight_decay · p      (or, with decoupled_weight_decay, p ← p · (1 - lr · weight_decay))
    m ← m + (1 - β1)(g - m),  v ← β2 v + (1 - β2) g²,  t ← t + 1
    v_max ← max(v_max, v)         (with amsgrad, which then uses v_max for v)
    p ← p - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(  # in PyTorch's order, as its state_dict and repr have them
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
            foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )  # fmt: skip
        super().__init__(params, defaults)

    def check_options(self, options: dict[str, Any]) -> None:
        name = type(self).__name__
        require_at_least_zero(name, "lr", options["lr"], "learning rate")
        require_at_least_zero(name, "eps", options["eps"], "epsilon value")
        check_betas(name, options["betas"])
        require_at_least_zero(name, "weight_decay", options["weight_decay"], "weight_decay value")

    def update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = p.new_tensor(0.0)
            state["exp_avg"], state["exp_avg_sq"] = p.new_zeros(), p.new_zeros()
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = p.new_zeros()
        state["step"] += 1
        t = state["step"].item()

        g = grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        m, v = state["exp_avg"], state["exp_avg_sq"]
        lerp_(m, g, 1 - beta1)
        v.mul_(beta2).add_(g * g, alpha=1 - beta2)
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"].copy_(maximum(state["max_exp_avg_sq"], v))
        bias_correction1, bias_correction2 = 1 - beta1**t, 1 - beta2**t
        denom = v**0.5 / bias_correction2**0.5 + group["eps"]
        p.add_(m / denom, alpha=-lr / bias_correction1)


def check_betas(owner: str, betas: Any) -> None:
    """betas is a pair (β1, β2), each in [0, 1): PyTorch's messages, and the pair spelled out."""
    if not isinstance(betas, (tuple, list)):
        raise TypeError(
            f"{owner}'s betas must be a pair (beta1, beta2), such as (0.9, 0.999); got betas={betas!r}"
        )
    if len(betas) != 2:
        raise ValueError(
            f"{owner}'s betas must be a pair (beta1, beta2), such as (0.9, 0.999); got {len(betas)} "
            f"numbers, betas={tuple(betas)!r}"
        )
    for i, beta in enumerate(betas):
        require_number(owner, f"betas[{i}]", beta)
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {i}: {beta} (each of {owner}'s betas must be in [0, 1): "
                f"they are how much of the running averages is kept at each step; got betas={tuple(betas)!r})"
            )


def maximum(a: Tensor, b: Tensor) -> Tensor:
    """The larger of a and b, element by element, nan where either is nan (as torch.maximum)."""
    return b.where((b > a) | (b != b), a)
