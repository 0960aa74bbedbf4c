"""Checks for exercise 9, Adam: step by step against the package's own optim.Adam (itself
checked against PyTorch), on the same parameters and gradients."""

from __future__ import annotations

import math
from typing import Any

from micrograd_edu import optim
from micrograd_edu.exercises.checking import Checks
from micrograd_edu.exercises.checks.stepping import (
    IN_PLACE,
    Gradients,
    Rule,
    side_by_side,
    train_both,
    unmoved,
    zero_grad_clears,
)

CHECKS = Checks("Adam")

BIAS = (
    "the bias correction: m̂ = m / (1 - β1ᵗ) and v̂ = v / (1 - β2ᵗ), with t the step's number (1 at the first)"
)
KEEP_STATE = (
    "m, v and t must last from one step to the next: keep them in the optimizer, one of each per "
    "parameter (dicts by id(p), say)"
)


def mistakes(lr: float, betas: tuple[float, float], eps: float) -> list[tuple[Rule, str]]:
    """Known wrong updates, replayed in plain floats; the state is (m, v, t)."""

    def update(state: Any, g: float, b1: float, b2: float) -> tuple[float, float, int]:
        m, v, t = state or (0.0, 0.0, 0)
        return b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g, t + 1

    def rule(correct_m: bool, correct_v: bool, count: bool = True, b=betas, e=eps, root=True) -> Rule:
        def step(state: Any, g: float, p: float) -> tuple[Any, float]:
            m, v, t = update(state, g, *b)
            k = t if count else 1
            m_hat = m / (1 - b[0] ** k) if correct_m else m
            v_hat = v / (1 - b[1] ** k) if correct_v else v
            return (m, v, t), p - lr * m_hat / ((math.sqrt(v_hat) if root else v_hat) + e)

        return step

    def uphill(state: Any, g: float, p: float) -> tuple[Any, float]:
        state, q = rule(True, True)(state, g, p)
        return state, 2 * p - q

    def forgetful(state: Any, g: float, p: float) -> tuple[Any, float]:  # m, v, t start again every step
        return rule(True, True)(None, g, p)

    return [
        (unmoved, IN_PLACE),
        (uphill, "against the gradient: p ← p - lr · m̂ / (√v̂ + eps), with a minus"),
        (rule(False, False), BIAS),
        (rule(False, True), "correct m too: " + BIAS),
        (rule(True, False), "correct v too: " + BIAS),
        (rule(True, True, count=False), "t counts the steps, 1, 2, 3, ...: the correction fades as t grows"),
        (rule(True, True, root=False), "divide by the square root of v̂: √v̂ has the size of the gradient"),
        (forgetful, KEEP_STATE),
        (rule(True, True, b=(0.9, 0.999)), "use the betas the optimizer was given: self.betas"),
        (rule(True, True, e=1e-8), "use the eps the optimizer was given: self.eps"),
    ]


def compare(Adam, start: list[list[float]], grads: Gradients, lr: float, **settings: Any) -> None:
    betas, eps = settings.get("betas", (0.9, 0.999)), settings.get("eps", 1e-8)
    side_by_side(
        lambda params: Adam(params, lr=lr, **settings),
        lambda params: optim.Adam(params, lr=lr, **settings),
        start,
        grads,
        ", ".join(f"{k}={v}" for k, v in {"lr": lr, **settings}.items()),
        mistakes(lr, betas, eps),
    )


@CHECKS.check(
    "the first step moves each weight by lr, whatever its gradient's size",
    hints=(
        "at t = 1, m̂ = grad and v̂ = grad², so the step is lr · grad / |grad|: lr, against the gradient",
        BIAS,
    ),
)
def first_step(Adam):
    compare(Adam, [[1.0, 1.0, 1.0]], [[[1000.0, 0.001, -5.0]]], lr=0.01)


@CHECKS.check(
    "ten steps follow Adam's rule",
    hints=(
        "each step: t += 1, then m and v, then m̂ and v̂, then the move",
        "m ← β1·m + (1 - β1)·g and v ← β2·v + (1 - β2)·g², kept from step to step; " + BIAS,
    ),
)
def ten_steps(Adam):
    grads = [[[0.5 * (-1) ** k + 0.1 * k, 2.0 - 0.3 * k]] for k in range(10)]
    compare(Adam, [[1.0, -2.0]], grads, lr=0.01)


@CHECKS.check(
    "betas and eps are the ones it was given",
    hints=("use self.betas and self.eps: Adam(params, lr, betas=(0.5, 0.9), eps=1e-3) must use those",),
)
def settings_given(Adam):
    grads = [[[0.5, -1.0]], [[0.25, 0.0]], [[-2.0, 0.5]]]
    compare(Adam, [[1.0, -2.0]], grads, lr=0.05, betas=(0.5, 0.9), eps=1e-3)


@CHECKS.check(
    "each parameter has its own m, v and step count",
    hints=(
        KEEP_STATE,
        "a parameter's t counts its own steps: the steps where it had no gradient do not count",
    ),
)
def own_state(Adam):
    grads = [
        [[0.5, -1.0], None, [4.0]],
        [[1.0, 1.0], [-1.0, 0.0, 0.5], [2.0]],
        [[0.0, 2.0], [1.0, 1.0, 1.0], None],
    ]
    compare(Adam, [[1.0, -2.0], [0.0, 0.5, 1.0], [3.0]], grads, lr=0.1)


@CHECKS.check(
    "zero_grad() clears every gradient",
    hints=("for each parameter: p.grad = None",),
)
def zero_grad(Adam):
    zero_grad_clears(Adam, lr=0.01)


@CHECKS.check(
    "trains a model step for step as optim.Adam does",
    hints=("everything above at once: in place, inside no_grad(), a state per parameter",),
)
def trains(Adam):
    train_both(lambda params: Adam(params, lr=0.05), lambda params: optim.Adam(params, lr=0.05))
