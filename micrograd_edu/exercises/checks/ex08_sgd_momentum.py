"""Checks for exercise 8, SGD with momentum: step by step against the package's own
optim.SGD (itself checked against PyTorch), on the same parameters and gradients."""

from __future__ import annotations

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

CHECKS = Checks("SGD")

WHOLE_GRADIENT = (
    "PyTorch's momentum adds the whole gradient: buffer ← momentum · buffer + grad, with no (1 - momentum)"
)
KEEP_BUFFER = (
    "the buffer must last from one step to the next: keep it in the optimizer, one per parameter "
    "(a dict by id(p), say), not in a variable of step()"
)


def mistakes(lr: float, m: float) -> list[tuple[Rule, str]]:
    """Known wrong updates, replayed in plain floats; the state is the momentum buffer."""

    def right(buf: Any, g: float, p: float) -> tuple[Any, float]:
        buf = g if buf is None else m * buf + g
        return buf, p - lr * buf

    def uphill(buf: Any, g: float, p: float) -> tuple[Any, float]:
        buf, _ = right(buf, g, p)
        return buf, p + lr * buf

    def without_lr(buf: Any, g: float, p: float) -> tuple[Any, float]:
        buf, _ = right(buf, g, p)
        return buf, p - buf

    def moving_average(
        buf: Any, g: float, p: float
    ) -> tuple[Any, float]:  # from 0: a common form, not PyTorch's
        buf = (1 - m) * g if buf is None else m * buf + (1 - m) * g
        return buf, p - lr * buf

    def average_from_grad(buf: Any, g: float, p: float) -> tuple[Any, float]:
        buf = g if buf is None else m * buf + (1 - m) * g
        return buf, p - lr * buf

    def forgetful(buf: Any, g: float, p: float) -> tuple[Any, float]:  # a buffer that lives one step
        return None, p - lr * g

    return [
        (unmoved, IN_PLACE),
        (uphill, "against the gradient: p ← p - lr · buffer, with a minus"),
        (without_lr, "times lr: p ← p - lr · buffer"),
        (moving_average, WHOLE_GRADIENT),
        (average_from_grad, WHOLE_GRADIENT),
        (forgetful, KEEP_BUFFER),
    ]


def compare(
    SGD, start: list[list[float]], grads: Gradients, lr: float, momentum: float | None = None
) -> None:
    settings: dict[str, Any] = {"lr": lr} if momentum is None else {"lr": lr, "momentum": momentum}
    side_by_side(
        lambda params: SGD(params, **settings),
        lambda params: optim.SGD(params, **settings),
        start,
        grads,
        ", ".join(f"{k}={v}" for k, v in settings.items()),
        mistakes(lr, momentum or 0.0),
    )


@CHECKS.check(
    "plain SGD: p ← p - lr · grad",
    hints=(
        "each parameter moves a step of lr against its gradient, in place",
        "with micrograd_edu.no_grad(): p.add_(p.grad, alpha=-self.lr)",
    ),
)
def plain(SGD):
    compare(SGD, [[1.0, -2.0], [0.5]], [[[0.5, -1.0], [2.0]]], lr=0.1)


@CHECKS.check(
    "zero_grad() clears every gradient",
    hints=("for each parameter: p.grad = None",),
)
def zero_grad(SGD):
    zero_grad_clears(SGD, lr=0.1)


@CHECKS.check(
    "the first step with momentum is a plain step: buffer = grad",
    hints=(
        "at a parameter's first step there is no buffer yet: it starts as the gradient itself",
        "keep a copy, p.grad.detach(), so that changing the buffer later does not change the gradient",
    ),
)
def first_momentum_step(SGD):
    compare(SGD, [[1.0, -2.0, 0.25]], [[[0.5, -1.0, 4.0]]], lr=0.1, momentum=0.9)


@CHECKS.check(
    "later steps: buffer ← momentum · buffer + grad, p ← p - lr · buffer",
    hints=(
        "the buffer is a running sum: each step it shrinks by momentum and gains the new gradient",
        "buffer.mul_(momentum).add_(p.grad) updates it in place; then p.add_(buffer, alpha=-lr)",
    ),
)
def later_steps(SGD):
    grads = [[[0.5, -1.0]], [[0.25, 1.0]], [[-2.0, 0.5]], [[1.0, 1.0]]]
    compare(SGD, [[1.0, -2.0]], grads, lr=0.1, momentum=0.9)


@CHECKS.check(
    "each parameter has a buffer of its own",
    hints=(KEEP_BUFFER,),
)
def own_buffers(SGD):
    grads = [
        [[0.5, -1.0], [1.0, 2.0, 3.0], [4.0]],
        [[1.0, 1.0], [-1.0, 0.0, 0.5], [2.0]],
        [[0.0, 2.0], [1.0, 1.0, 1.0], [1.0]],
    ]
    compare(SGD, [[1.0, -2.0], [0.0, 0.5, 1.0], [3.0]], grads, lr=0.05, momentum=0.5)


@CHECKS.check(
    "a parameter without a gradient is left alone",
    hints=("`if p.grad is None: continue`: a parameter the loss did not reach has no gradient, and no step",),
)
def no_gradient(SGD):
    compare(SGD, [[1.0, 2.0], [3.0]], [[[0.5, 0.5], None], [[1.0, -1.0], [2.0]]], lr=0.1, momentum=0.9)


@CHECKS.check(
    "trains a model step for step as optim.SGD does",
    hints=(
        "a real training step: backward() fills each parameter's .grad, then step() moves it",
        "everything above at once: in place, inside no_grad(), one buffer per parameter",
    ),
)
def trains(SGD):
    train_both(lambda params: SGD(params, lr=0.5, momentum=0.9), lambda params: optim.SGD(params, 0.5, 0.9))
