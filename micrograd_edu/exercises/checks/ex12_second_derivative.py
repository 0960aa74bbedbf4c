"""Checks for exercise 12, a second derivative: against second derivatives worked out by hand,
and central differences (which come close, but not to 1e-9)."""

from __future__ import annotations

import math
from collections.abc import Callable

from micrograd_edu import Value
from micrograd_edu.exercises.checking import Checks, NotYet, close, is_close, number

CHECKS = Checks("second_derivative")

CREATE_GRAPH = (
    "the first grad needs create_graph=True: without it, the derivative it returns is a plain number with "
    "no graph, so nothing connects it to x"
)
ALLOW_UNUSED = (
    "here f' is a constant that does not depend on x: grad(..., allow_unused=True) returns None for x "
    "instead of raising, and None means 0"
)
Case = tuple[str, Callable[[Value], Value], float, float, float]  # name, f, x, f'(x), f''(x)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


CASES: list[Case] = [
    (
        "tanh(x)",
        lambda v: v.tanh(),
        0.5,
        1 - math.tanh(0.5) ** 2,
        -2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2),
    ),
    ("x·eˣ", lambda v: v * v.exp(), -0.3, 0.7 * math.exp(-0.3), 1.7 * math.exp(-0.3)),
    (
        "σ(x)",
        lambda v: v.sigmoid(),
        1.0,
        sigmoid(1) * (1 - sigmoid(1)),
        sigmoid(1) * (1 - sigmoid(1)) * (1 - 2 * sigmoid(1)),
    ),
    ("x⁴ - 2x²", lambda v: v**4 - 2 * v**2, 0.7, 4 * 0.7**3 - 4 * 0.7, 12 * 0.7**2 - 4),
    ("1/x", lambda v: 1 / v, 2.0, -1 / 4, 2 / 8),
    ("log(x) · x", lambda v: v.log() * v, 3.0, math.log(3) + 1, 1 / 3),
]


def answer(second_derivative, f: Callable[[Value], Value], x: float, name: str, hint: str) -> float:
    try:
        result = second_derivative(f, x)
    except RuntimeError as e:
        if "allow_unused" in str(e):
            raise NotYet(f"second_derivative({name}, {x}) raised RuntimeError: {e}", hint) from None
        raise
    return number(result, f"second_derivative({name}, {x})")


def central_second(f: Callable[[Value], Value], x: float, h: float = 1e-4) -> float:
    return (f(Value(x + h)).data - 2 * f(Value(x)).data + f(Value(x - h)).data) / (h * h)


@CHECKS.check(
    "(x³)'' at 1.5 is 9",
    hints=(
        "grad(f(v), [v], create_graph=True) gives f'(v) as a Value with a graph; grad of that gives f''(v)",
        "v = Value(x); then grad twice, and return the number: .data",
    ),
)
def cube(second_derivative):
    got = answer(second_derivative, lambda v: v**3, 1.5, "x³", CREATE_GRAPH)
    close(
        got,
        9.0,
        "second_derivative(x³, 1.5)",
        tol=1e-9,
        mistakes={6.75: "that is the first derivative, 3x²: differentiate it once more", 0.0: CREATE_GRAPH},
    )


@CHECKS.check(
    "tanh, exp, products, quotients, logs: exact to 1e-9",
    hints=(
        "the same two grads work for any f built from Value's ops",
        "a finite difference comes close but is not exact: autograd's second derivative is",
    ),
)
def many(second_derivative):
    for name, f, x, first, second in CASES:
        got = answer(second_derivative, f, x, name, CREATE_GRAPH)
        near = is_close(got, central_second(f, x), tol=1e-4)
        close(
            got,
            second,
            f"second_derivative({name}, {x})",
            tol=1e-9,
            mistakes={first: "that is the first derivative: differentiate it once more"},
            hint="close, but not exact: a finite difference; grad twice is exact" if near else "",
        )


@CHECKS.check(
    "a straight line's second derivative is 0",
    hints=(
        "for 3x + 1, f' = 3 no longer depends on x: read the error grad raises",
        ALLOW_UNUSED,
    ),
)
def straight_line(second_derivative):
    for name, f, x in [
        ("3x + 1", lambda v: 3 * v + 1, 2.0),
        ("x", lambda v: v, 0.5),
        ("5 - x", lambda v: 5 - v, -1.0),
    ]:
        close(answer(second_derivative, f, x, name, ALLOW_UNUSED), 0.0, f"second_derivative({name}, {x})")
