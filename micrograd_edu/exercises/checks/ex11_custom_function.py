"""Checks for exercise 11, a custom autograd.Function: gradcheck on tensors (backward against
central differences) and the numbers of log(eᵃ + eᵇ) computed with the math module."""

from __future__ import annotations

import math
from typing import Any

import micrograd_edu
from micrograd_edu import GradcheckError, Tensor, gradcheck
from micrograd_edu.autograd import Function
from micrograd_edu.exercises.checking import (
    Checks,
    NotYet,
    close,
    describe,
    expect,
    is_close,
    shortened,
    tensor_of_shape,
)

CHECKS = Checks("LogAddExp")

A = [[0.5, -1.0, 2.0], [0.1, 3.0, -2.0]]
B = [[-1.0, 0.5, 2.0], [0.3, -0.5, 1.0]]
SAVE = "in forward, ctx.save_for_backward(a, b, out); in backward, a, b, out = ctx.saved_tensors"
STABLE = (
    "subtract the larger input first: m = b + (a - b).relu() is max(a, b), and log(eᵃ + eᵇ) = "
    "m + log(e^(a - m) + e^(b - m)), where no exp gets a number above 0"
)


def function(LogAddExp) -> Any:
    expect(
        isinstance(LogAddExp, type) and issubclass(LogAddExp, Function),
        f"LogAddExp is {describe(LogAddExp)}, not a subclass of autograd.Function",
        "class LogAddExp(Function): with forward and backward as @staticmethods",
    )
    return LogAddExp


def applied(LogAddExp, a: Tensor, b: Tensor) -> Tensor:
    out = function(LogAddExp).apply(a, b)
    tensor_of_shape(
        out, a.shape, f"LogAddExp.apply(a, b) for a and b of shape {tuple(a.shape)}", "elementwise"
    )
    return out


def gradients(LogAddExp, a: list, b: list, g: float = 1.0) -> list:
    x, y = micrograd_edu.tensor(a, requires_grad=True), micrograd_edu.tensor(b, requires_grad=True)
    (applied(LogAddExp, x, y) * g).sum().backward()
    return [x.grad.tolist() if x.grad is not None else None, y.grad.tolist() if y.grad is not None else None]


def softmax_weights(a: list, b: list) -> list:
    def weight(u: float, v: float) -> float:  # eᵘ / (eᵘ + eᵛ), with no exp to overflow
        return 0.5 * (1 + math.tanh((u - v) / 2))

    return [
        [[weight(u, v) for u, v in zip(ra, rb)] for ra, rb in zip(a, b)],
        [[weight(v, u) for u, v in zip(ra, rb)] for ra, rb in zip(a, b)],
    ]


FORGOT_GRAD_OUTPUT = "multiply by grad_output: the gradient that arrived at the result, element by element"


def diagnosis(LogAddExp, a: list, b: list) -> str:
    """The hint for a wrong backward, when it is a known mistake."""
    got = gradients(LogAddExp, a, b)
    if is_close(got, gradients(LogAddExp, a, b, g=3.0)):
        return FORGOT_GRAD_OUTPUT
    right = softmax_weights(a, b)
    exps = [[[math.exp(min(u, 700.0)) for u in row] for row in part] for part in (a, b)]
    for value, hint in [
        (right[::-1], "the two gradients are swapped: backward returns the one for a first"),
        (exps, "d log(s)/ds = 1/s: divide by eᵃ + eᵇ, or write it with the result: e^(a - out)"),
        ([right[0], right[0]], "the gradient for b has eᵇ on top, not eᵃ"),
    ]:
        if is_close(got, value):
            return hint
    return ""


@CHECKS.check(
    "LogAddExp is an autograd.Function, and apply(a, b) is log(eᵃ + eᵇ) elementwise",
    hints=(
        "forward computes with tensor ops on a and b: exp, log, +, and relu for the max",
        STABLE,
    ),
)
def forward(LogAddExp):
    a, b = micrograd_edu.tensor(A), micrograd_edu.tensor(B)
    out = applied(LogAddExp, a, b)
    expected = [[math.log(math.exp(u) + math.exp(v)) for u, v in zip(ra, rb)] for ra, rb in zip(A, B)]
    close(out, expected, "LogAddExp.apply(a, b)")


@CHECKS.check(
    "backward gives both inputs' gradients (gradcheck)",
    hints=(
        "one gradient per input of forward: return (the one for a, the one for b), each of its input's shape",
        "d(out)/da = eᵃ / (eᵃ + eᵇ) = e^(a - out): keep a, b and out with " + SAVE,
    ),
)
def backward_alone(LogAddExp):
    a, b = micrograd_edu.tensor(A, requires_grad=True), micrograd_edu.tensor(B, requires_grad=True)
    try:
        gradcheck(function(LogAddExp).apply, [a, b])
    except GradcheckError as e:
        raise NotYet(shortened(str(e)), diagnosis(LogAddExp, A, B)) from None


@CHECKS.check(
    "inside a bigger expression, where grad_output is not 1 (gradcheck)",
    hints=(
        "alone, with a sum on top, every grad_output is 1, so a missing one does not show: here it does",
        "return grad_output times each local derivative, elementwise",
    ),
)
def backward_inside(LogAddExp):
    a, b = micrograd_edu.tensor(A, requires_grad=True), micrograd_edu.tensor(B, requires_grad=True)
    try:
        gradcheck(lambda x, y: function(LogAddExp).apply(x * y, y) * 3 + x, [a, b])
    except GradcheckError as e:
        raise NotYet(shortened(str(e)), diagnosis(LogAddExp, A, B)) from None


@CHECKS.check(
    "large and very negative inputs do not overflow",
    hints=(
        "math.exp(1000) overflows, and the log of a sum that rounded to 0 is an error",
        STABLE + "; in backward, e^(a - out) is at most 1",
    ),
)
def large_inputs(LogAddExp):
    a_list, b_list = [1000.0, -1000.0, 800.0], [999.0, -1001.0, -800.0]
    a, b = micrograd_edu.tensor(a_list, requires_grad=True), micrograd_edu.tensor(b_list, requires_grad=True)
    try:
        out = applied(LogAddExp, a, b)
    except (OverflowError, ValueError, ZeroDivisionError) as e:
        raise NotYet(f"LogAddExp.apply({a_list}, {b_list}) raised {type(e).__name__}: {e}", STABLE) from None
    expected = [max(u, v) + math.log1p(math.exp(-abs(u - v))) for u, v in zip(a_list, b_list)]
    close(out, expected, f"LogAddExp.apply({a_list}, {b_list})", hint=STABLE)
    try:
        out.sum().backward()
    except (OverflowError, ValueError, ZeroDivisionError) as e:
        raise NotYet(
            f"the backward of LogAddExp at {a_list}, {b_list} raised {type(e).__name__}: {e}",
            "write the derivative with the result: e^(a - out), which never overflows",
        ) from None
    weights = [0.5 * (1 + math.tanh((u - v) / 2)) for u, v in zip(a_list, b_list)]
    got, expected_grads = [a.grad, b.grad], [weights, [1 - w for w in weights]]
    if not is_close(got, expected_grads):
        close(got, expected_grads, "(a.grad, b.grad)", hint=diagnosis(LogAddExp, [a_list], [b_list]))
