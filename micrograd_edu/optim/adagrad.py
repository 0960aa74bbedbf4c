"""Adagrad: each element's step divided by the root of the sum of all its squared gradients so far."""

from __future__ import annotations

from typing import Any

from micrograd_edu.optim.optimizer import Optimizer, ParamsT, require_at_least_zero
from micrograd_edu.tensor import Tensor


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer), with PyTorch's update:

    g ← g + weight_decay · p,  t ← t + 1
    s ← s + g²                               (s starts at initial_accumulator_value)
    p ← p - lr / (1 + (t - 1) · lr_decay) · g / (√s + eps)

    An element that has had large gradients takes small steps from then on. As in PyTorch, every
    sum starts at the initial_accumulator_value given here, in every group (a group's own is
    kept in its dict but not used).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch makes Adagrad's state at once, not at the first step
            for p in group["params"]:
                self.start(p, self.state[p])

    def check_options(self, options: dict[str, Any]) -> None:
        require_at_least_zero("Adagrad", "lr", options["lr"], "learning rate")
        require_at_least_zero("Adagrad", "lr_decay", options["lr_decay"], "lr_decay value")
        require_at_least_zero("Adagrad", "weight_decay", options["weight_decay"], "weight_decay value")
        require_at_least_zero(
            "Adagrad",
            "initial_accumulator_value",
            options["initial_accumulator_value"],
            "initial_accumulator_value value",
        )
        require_at_least_zero("Adagrad", "eps", options["eps"], "epsilon value")

    def start(self, p: Tensor, state: dict[str, Any]) -> None:
        """p's state before its first step: step 0, and the sum at initial_accumulator_value."""
        state["step"] = p.new_tensor(0.0)
        state["sum"] = p.new_zeros().fill_(self.defaults["initial_accumulator_value"])

    def update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:  # a tensor of a group added after the optimizer was made
            self.start(p, state)
        state["step"] += 1
        t = state["step"].item()

        g = grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p
        lr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        total = state["sum"].add_(g * g)
        p.add_(g / (total**0.5 + group["eps"]), alpha=-lr)
