"""Local derivatives: how each op of the engine states its own, and the math they use.

Above each `_backward` in `engine.py` stands `@derivative(op, ...)`: the op's backward
function registered under the op's name, with the local derivative d(out)/d(input) of each
input written as math beside it. That is the one statement of an op's derivative the rest
of the package reads: the tensor layer's numpy backend runs the very backward function on
whole arrays, and the backward walk-through prints the formulas.

The backward functions work on floats, on Values (create_graph) and on arrays, so the few
functions they call (`where`, `sign`, `power`, `ln`) work on all three, here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Backward = Callable[..., tuple]  # (g, out, *inputs) -> one gradient per input


# ---- each op's local derivative, stated once ---------------------------------------------


@dataclass(frozen=True)
class Derivative:
    """An op's backward function and, for each input, its local derivative as math."""

    backward: Backward
    formulas: tuple[str, ...]


DERIVATIVES: dict[str, Derivative] = {}  # by op name: "*", "tanh", "**n" (a constant power)


def derivative(op: str, *formulas: str) -> Callable[[Backward], Backward]:
    """Register `op`'s backward function with the local derivative of each of its inputs.

    A formula is Python math over `a` and `b` (the inputs' data), `out` (the result's data)
    and the op's constants (a power's `n`, clamp's `low` and `high`: they come first in its
    backward, filled in by `partial`), where `²` squares, `ln` is the natural log and
    `sign(a)` is -1, 0 or 1; a trailing `for <condition>` says where it holds. The backward
    walk-through prints it with names in (`w1.data`), and a test checks it against the code.
    """

    def register(backward: Backward) -> Backward:
        DERIVATIVES[op] = Derivative(backward, formulas)
        return backward

    return register


def derivative_of(op: str) -> Derivative | None:
    """The registered derivative of an op by its name (a constant power `**2` is `**n`)."""
    if op in DERIVATIVES:
        return DERIVATIVES[op]
    return DERIVATIVES["**n"] if op.startswith("**") else None


# ---- the math the derivatives use: on floats, on Values and on arrays alike ---------------
# On a float each works as IEEE floats do (ln 0 is -inf, 0 ** -1 is inf), where Python would
# raise: a derivative may be infinite at a point where its op is fine (√x at 0). On a Value
# it records (for create_graph). An array is handed to its own library, found through the
# array's `__array_namespace__` (numpy's arrays have one), so this file never imports numpy.


def where(condition: Any, x: Any, y: Any) -> Any:
    """x where the condition holds, else y (elementwise for an array or a tensor of conditions)."""
    if type(condition) is bool:
        return x if condition else y
    namespace = getattr(condition, "__array_namespace__", None)
    if namespace is not None:
        return namespace().where(condition, x, y)
    x = x if hasattr(x, "where") else condition.new_tensor(x)  # a tensor: PyTorch's x.where(cond, y)
    return x.where(condition, y)


def sign(x: Any) -> Any:
    """-1, 0 or 1 by the sign of x (0 for nan, as PyTorch's abs backward has it)."""
    return (x > 0) * 1.0 - (x < 0)  # True and False count as 1 and 0, for floats and arrays alike


def power(x: Any, y: Any) -> Any:
    """x ** y, and inf or nan where Python's floats would raise (0 ** -1, (-8) ** 0.5); x ** 2
    and x ** 3 as PyTorch computes them, x * x and x * x * x."""
    if type(x) is not float:
        return x**y
    if y == 2 or y == 3:
        return x * x if y == 2 else x * x * x
    try:
        return math.pow(x, y)
    except ValueError:  # 0 ** negative, or a negative base with a fractional exponent
        if x != 0.0:
            return math.nan
        return math.copysign(math.inf, x) if _is_odd(y) else math.inf
    except OverflowError:
        return -math.inf if x < 0 and _is_odd(y) else math.inf


def ln(x: Any) -> Any:
    """The natural log, -inf at 0 and nan below it (the op `log` refuses those instead)."""
    if type(x) is float:
        return math.log(x) if x > 0 else -math.inf if x == 0 else math.nan
    if hasattr(x, "log"):  # a Value (or a tensor): recorded
        return x.log()
    return x.__array_namespace__().log(x)


def _is_odd(y: float) -> bool:
    return float(y).is_integer() and y % 2 == 1
