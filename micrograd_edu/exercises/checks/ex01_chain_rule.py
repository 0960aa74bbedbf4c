"""Checks for exercise 1, the chain rule by hand: against central differences of L itself."""

from __future__ import annotations

import math
import random

from micrograd_edu.exercises.checking import Checks, central_difference, close, expect, number

CHECKS = Checks("gradients")

POINTS = [(0.5, -1.5, 0.3), (2.0, 0.7, -1.0), (-1.2, 2.5, 0.4)]


def L(x: float, w: float, b: float) -> float:
    return math.tanh(w * x + b) * w


def slopes(x: float, w: float, b: float) -> tuple[float, float, float]:
    """dL/dx, dL/dw, dL/db by central differences: from values of L alone."""
    return (
        central_difference(lambda v: L(v, w, b), x),
        central_difference(lambda v: L(x, v, b), w),
        central_difference(lambda v: L(x, w, v), b),
    )


def answer(gradients, x: float, w: float, b: float) -> list[float]:
    result = gradients(x, w, b)
    expect(
        isinstance(result, (tuple, list)) and len(result) == 3,
        f"gradients({x}, {w}, {b}) returned {result!r}; it should return three numbers",
        "return a tuple of three: return dL_dx, dL_dw, dL_db",
    )
    return [number(g, name) for g, name in zip(result, ("dL/dx", "dL/dw", "dL/db"))]


@CHECKS.check(
    "returns three plain numbers, (dL/dx, dL/dw, dL/db)",
    hints=("return dL_dx, dL_dw, dL_db: three floats, in that order, computed with math.tanh",),
)
def three_numbers(gradients):
    answer(gradients, *POINTS[0])


@CHECKS.check(
    "dL/db: back from L, through t = tanh(s), to b",
    hints=(
        "go back one step at a time: dL/dt first, then dL/ds, then dL/db",
        "dL/dt = w, because L = t·w. Then dL/ds = dL/dt · (1 - t²), and s = u + b passes it on to b as it is",
    ),
)
def through_tanh(gradients):
    for x, w, b in POINTS:
        t = math.tanh(w * x + b)
        close(
            answer(gradients, x, w, b)[2],
            slopes(x, w, b)[2],
            f"dL/db at x={x}, w={w}, b={b}",
            mistakes={
                w * (1 + t * t): "tanh's derivative is 1 - tanh(s)², with a minus",
                1 - t * t: "the gradient arriving at t is dL/dt = w (from L = t·w): multiply by it",
                w * t: "the derivative of tanh(s) is not tanh(s): it is 1 - tanh(s)²",
            },
        )


@CHECKS.check(
    "dL/dx: on through u = w·x",
    hints=(
        "x only feeds u = w·x: dL/dx is dL/du times du/dx",
        "the local derivative of a product with respect to one factor is the other factor: du/dx = w",
    ),
)
def through_product(gradients):
    for x, w, b in POINTS:
        dL_ds = w * (1 - math.tanh(w * x + b) ** 2)
        close(
            answer(gradients, x, w, b)[0],
            slopes(x, w, b)[0],
            f"dL/dx at x={x}, w={w}, b={b}",
            mistakes={
                dL_ds: "that is dL/du: multiply by the local derivative du/dx = w",
                dL_ds * x: "du/dx is w, the other factor of u = w·x, not x itself",
            },
        )


@CHECKS.check(
    "dL/dw: w is used twice, so its two shares add up",
    hints=(
        "w reaches L by two paths: through u = w·x, and straight into L = t·w. Follow each one back",
        "the share through u is dL/du · x; the direct one, from L = t·w, is t. dL/dw is their sum",
    ),
)
def used_twice(gradients):
    for x, w, b in POINTS:
        t = math.tanh(w * x + b)
        through_u = w * (1 - t * t) * x
        close(
            answer(gradients, x, w, b)[1],
            slopes(x, w, b)[1],
            f"dL/dw at x={x}, w={w}, b={b}",
            mistakes={
                t: "that is only the share from L = t·w; w also feeds u = w·x: add the share through u",
                through_u: "that is only the share through u = w·x; w also multiplies t in L = t·w: add "
                "that share, t",
            },
        )


@CHECKS.check(
    "right at any point, not only at a few",
    hints=(
        "compute every gradient from x, w and b each time: no number worked out for one point",
        "check far from zero too: where |s| is large, tanh is flat and 1 - t² is nearly 0",
    ),
)
def everywhere(gradients):
    rng = random.Random(1)
    for _ in range(30):
        x, w, b = (round(rng.uniform(-3, 3), 3) for _ in range(3))
        close(
            answer(gradients, x, w, b), list(slopes(x, w, b)), f"(dL/dx, dL/dw, dL/db) at x={x}, w={w}, b={b}"
        )
