"""Checks for exercise 2, logaddexp: gradcheck (backward against central differences), and
the numbers of log(eᵃ + eᵇ) computed with the math module."""

from __future__ import annotations

import math

from micrograd_edu import GradcheckError, Value, gradcheck
from micrograd_edu.exercises.checking import Checks, NotYet, close, describe, expect, is_close

CHECKS = Checks("logaddexp")

POINTS = [(0.5, -1.0), (2.0, 2.0), (-3.0, 1.5), (0.1, 0.3)]
RECORD = "return Value(number, (a, b), 'logaddexp', logaddexp_backward): the inputs and the backward"
STABLE = (
    "subtract the larger input first: log(eᵃ + eᵇ) = m + log(e^(a - m) + e^(b - m)) with m = max(a, b), "
    "so that no exp gets a number above 0"
)


def gradients(logaddexp, a: float, b: float, g: float = 1.0) -> tuple[float, float]:
    """d(g · logaddexp(a, b))/da and /db, by the student's backward."""
    x, y = Value(a), Value(b)
    out = logaddexp(x, y)
    expect(isinstance(out, Value), f"logaddexp returned {describe(out)}, not a Value", RECORD)
    (out * g).backward()
    return x.grad, y.grad


def diagnosis(logaddexp, a: float, b: float) -> str:
    """The hint for a wrong pair of gradients, when it is a known mistake."""
    ea, eb = math.exp(a), math.exp(b)
    right = (ea / (ea + eb), eb / (ea + eb))
    got = gradients(logaddexp, a, b)
    known = [
        ((0.0, 0.0), "no gradient reached a or b: " + RECORD),
        (right[::-1], "the two gradients are swapped: the first one returned is for a"),
        ((ea, eb), "d log(s)/ds = 1/s: divide by s = eᵃ + eᵇ (or write it with out: e^(a - out))"),
        ((1 / (ea + eb), 1 / (eb + ea)), "the chain rule goes on: times ds/da = eᵃ (and eᵇ for b)"),
        ((right[0], right[0]), "the gradient for b has eᵇ on top, not eᵃ"),
    ]
    for value, hint in known:
        if is_close(list(got), list(value)):
            return hint
    return ""


@CHECKS.check(
    "logaddexp(a, b) is log(eᵃ + eᵇ), as a new Value",
    hints=(
        "compute the number with math.exp and math.log, then wrap it: " + RECORD,
        "it is close to the larger input: logaddexp(2, 2) = 2 + log 2",
    ),
)
def forward(logaddexp):
    for a, b in POINTS:
        out = logaddexp(Value(a), Value(b))
        expect(isinstance(out, Value), f"logaddexp(Value({a}), Value({b})) returned {describe(out)}", RECORD)
        close(
            out.data,
            math.log(math.exp(a) + math.exp(b)),
            f"logaddexp({a}, {b})",
            mistakes={math.exp(a) + math.exp(b): "take the log of the sum"},
        )


@CHECKS.check(
    "its backward gives both inputs' gradients (gradcheck)",
    hints=(
        "d(out)/da: out = log(s) with s = eᵃ + eᵇ, so the chain rule gives (1/s) · eᵃ",
        "(1/s) · eᵃ = eᵃ / (eᵃ + eᵇ), which is also e^(a - out): return (g times that, "
        "g times the same for b)",
    ),
)
def backward_alone(logaddexp):
    for a, b in POINTS:
        try:
            gradcheck(logaddexp, [a, b])
        except GradcheckError as e:
            raise NotYet(f"at a={a}, b={b}, {e}", diagnosis(logaddexp, a, b)) from None


@CHECKS.check(
    "inside a bigger expression, where g is not 1 (gradcheck)",
    hints=(
        "alone, the op is the root and g = 1, so a missing g does not show: here it does",
        "return g times each local derivative: the gradient that arrived, times the op's own derivative",
    ),
)
def backward_inside(logaddexp):
    for a, b in [(0.7, -1.2), (1.5, 0.5), (-0.4, 2.0)]:
        try:
            gradcheck(lambda x, y: 3 * logaddexp(x * y, y) + x, [a, b])
        except GradcheckError as e:
            alone, tripled = gradients(logaddexp, a, b), gradients(logaddexp, a, b, g=3.0)
            forgot_g = is_close(list(alone), list(tripled)) and not is_close(list(alone), [0.0, 0.0])
            hint = (
                "multiply by g, the gradient that arrived at the result: here it is not 1" if forgot_g else ""
            )
            raise NotYet(f"in 3 · logaddexp(a·b, b) + a at a={a}, b={b}, {e}", hint) from None


@CHECKS.check(
    "large and very negative inputs do not overflow",
    hints=(
        "math.exp(1000) raises OverflowError, and log of a sum that rounded to 0 is an error too",
        STABLE + "; in the backward, e^(a - out) is at most 1",
    ),
    timeout=10.0,
)
def large_inputs(logaddexp):
    for a, b in [(1000.0, 999.0), (-1000.0, -1001.0), (800.0, -800.0)]:
        x, y = Value(a), Value(b)
        try:
            out = logaddexp(x, y)
        except (OverflowError, ValueError, ZeroDivisionError) as e:
            raise NotYet(f"logaddexp({a}, {b}) raised {type(e).__name__}: {e}", STABLE) from None
        m = max(a, b)
        close(out.data, m + math.log1p(math.exp(min(a, b) - m)), f"logaddexp({a}, {b})", hint=STABLE)
        try:
            out.backward()
        except (OverflowError, ValueError, ZeroDivisionError) as e:
            raise NotYet(
                f"the backward of logaddexp({a}, {b}) raised {type(e).__name__}: {e}",
                "in the backward, write the derivative with out: e^(a - out) never overflows",
            ) from None
        close(
            [x.grad, y.grad], [math.exp(a - out.data), math.exp(b - out.data)], f"its gradients at {a}, {b}"
        )
