"""More ops on Values, written as the engine writes its own: sin, sqrt, erf, maximum and friends.

`engine.py` holds `Value` with the ops the first lessons need; this file holds the rest of
the elementwise math a course meets, in the same pattern: each op computes its result for
one number and records its inputs, its name and its `_backward`; above each `_backward`,
`@derivative` states the local derivative as math. The tensor layer's elementwise table
(`tensor/elementwise.py`) lists each op once more, with PyTorch's name for it.

    >>> from micrograd_edu import Value
    >>> x = Value(0.5)
    >>> y = sin(x) * sqrt(x)
    >>> y.backward()
    >>> round(x.grad, 6)    # cos(x)·√x + sin(x) / (2√x)
    0.95955

A backward function here gets floats, Values (create_graph) or whole arrays, as the engine's
do; the math it calls (`_cos`, `_sin`, `_exp`) works on all three.
"""

from __future__ import annotations

import math
from typing import Any

from micrograd_edu.derivatives import derivative, power, where
from micrograd_edu.engine import Scalar, Value, as_float

# ---- trigonometry ------------------------------------------------------------------------


def sin(a: Value) -> Value:
    return Value(math.sin(_finite(a.data, "sin")), (a,), "sin", _sin_backward)


@derivative("sin", "cos(a)")
def _sin_backward(g, out, a):
    return (g * _cos(a),)


def cos(a: Value) -> Value:
    return Value(math.cos(_finite(a.data, "cos")), (a,), "cos", _cos_backward)


@derivative("cos", "-sin(a)")
def _cos_backward(g, out, a):
    return (-g * _sin(a),)


def tan(a: Value) -> Value:
    return Value(math.tan(_finite(a.data, "tan")), (a,), "tan", _tan_backward)


@derivative("tan", "1 + out²")
def _tan_backward(g, out, a):  # 1 / cos²(a) is 1 + tan²(a)
    return (g * (1 + out * out),)


# ---- roots and logs ----------------------------------------------------------------------


def sqrt(a: Value) -> Value:
    if a.data < 0.0:
        raise ValueError(f"sqrt is defined for numbers >= 0 only, got sqrt({a.data!r})")
    return Value(math.sqrt(a.data), (a,), "sqrt", _sqrt_backward)


@derivative("sqrt", "1 / (2 * out)")
def _sqrt_backward(g, out, a):  # infinite at 0, as in PyTorch (power gives inf where / would raise)
    return (g * 0.5 * power(out, -1.0),)


def rsqrt(a: Value) -> Value:
    if a.data <= 0.0:
        raise ValueError(f"rsqrt (1 / sqrt) is defined for numbers > 0 only, got rsqrt({a.data!r})")
    return Value(1.0 / math.sqrt(a.data), (a,), "rsqrt", _rsqrt_backward)


@derivative("rsqrt", "-out / (2 * a)")
def _rsqrt_backward(g, out, a):  # d(a^-1/2)/da = -a^-3/2 / 2
    return (-g * out / (2 * a),)


def log1p(a: Value) -> Value:
    if a.data <= -1.0:
        raise ValueError(f"log1p (log(1 + x)) is defined for numbers > -1 only, got log1p({a.data!r})")
    return Value(math.log1p(a.data), (a,), "log1p", _log1p_backward)


@derivative("log1p", "1 / (1 + a)")
def _log1p_backward(g, out, a):
    return (g / (1 + a),)


def erf(a: Value) -> Value:
    """The error function: 2/√π times the integral of e^(-t²) from 0 to a (GELU is built on it)."""
    return Value(math.erf(a.data), (a,), "erf", _erf_backward)


@derivative("erf", "2 / sqrt(pi) * exp(-a²)")
def _erf_backward(g, out, a):
    return (g * (2 / math.sqrt(math.pi)) * _exp(-(a * a)),)


# ---- sign, and the larger or smaller of two -------------------------------------------------


def sign(a: Value) -> Value:
    """-1, 0 or 1 (0 for nan, as PyTorch has it); flat, so its gradient is 0."""
    x = a.data
    return Value(float((x > 0) - (x < 0)), (a,), "sign", _sign_backward)


@derivative("sign", "0")
def _sign_backward(g, out, a):
    return (g * 0.0,)


def maximum(a: Value, b: Scalar) -> Value:
    """The larger of a and b; nan if either is nan, as in PyTorch."""
    b = b if isinstance(b, Value) else Value(as_float(b, "maximum"))
    x, y = a.data, b.data
    return Value(x if x >= y or x != x else y, (a, b), "maximum", _maximum_backward)


@derivative("maximum", "1 if a > b else 1/2 if a == b else 0", "1 if b > a else 1/2 if a == b else 0")
def _maximum_backward(g, out, a, b):  # a tie shares the gradient, as PyTorch's does
    tie = a == b
    return g * where(tie, 0.5, where(a < b, 0.0, 1.0)), g * where(tie, 0.5, where(a > b, 0.0, 1.0))


def minimum(a: Value, b: Scalar) -> Value:
    """The smaller of a and b; nan if either is nan, as in PyTorch."""
    b = b if isinstance(b, Value) else Value(as_float(b, "minimum"))
    x, y = a.data, b.data
    return Value(x if x <= y or x != x else y, (a, b), "minimum", _minimum_backward)


@derivative("minimum", "1 if a < b else 1/2 if a == b else 0", "1 if b < a else 1/2 if a == b else 0")
def _minimum_backward(g, out, a, b):
    tie = a == b
    return g * where(tie, 0.5, where(a > b, 0.0, 1.0)), g * where(tie, 0.5, where(a < b, 0.0, 1.0))


# ---- integer division ---------------------------------------------------------------------


def floor_divide(a: Value, b: Scalar) -> Value:
    """a // b, rounded down (towards -inf), as Python and PyTorch do. A step function, so its
    gradient is 0 (PyTorch has none at all and refuses a backward through it)."""
    b = b if isinstance(b, Value) else Value(as_float(b, "//"))
    if b.data == 0.0:
        raise ZeroDivisionError(f"division by zero in {a.data!r} // {b.data!r}")
    return Value(a.data // b.data, (a, b), "//", _floor_divide_backward)


@derivative("//", "0", "0")
def _floor_divide_backward(g, out, a, b):
    return g * 0.0, g * 0.0


def remainder(a: Value, b: Scalar) -> Value:
    """a % b, with the sign of b, as Python and PyTorch do: a - b * floor(a / b)."""
    b = b if isinstance(b, Value) else Value(as_float(b, "%"))
    if b.data == 0.0:
        raise ZeroDivisionError(f"remainder of division by zero in {a.data!r} % {b.data!r}")
    return Value(a.data % b.data, (a, b), "%", _remainder_backward)


@derivative("%", "1", "-(a // b)")
def _remainder_backward(g, out, a, b):  # a // b is (a - out) / b: no floor to differentiate
    return g, -g * _round((a - out) / b)


def _finite(x: float, op: str) -> float:
    """x, if an angle can be it: the sine of an infinite angle is no number."""
    if x in (math.inf, -math.inf):
        raise ValueError(f"{op} of an infinite angle is not a number, got {op}({x!r})")
    return x


# ---- the math the backward functions use: on floats, Values and arrays alike ---------------


def _sin(x: Any) -> Any:
    return _apply(x, math.sin, sin, "sin")


def _cos(x: Any) -> Any:
    return _apply(x, math.cos, cos, "cos")


def _exp(x: Any) -> Any:
    return _apply(x, math.exp, Value.exp, "exp")


def _round(x: Any) -> Any:  # a whole number held as a float, made exact again (no graph needed)
    return _apply(x, _round_float, lambda v: Value(_round_float(v.data)), "round")


def _round_float(x: float) -> float:
    return float(round(x)) if math.isfinite(x) else x


def _apply(x: Any, on_float: Any, on_value: Any, name: str) -> Any:
    """One math function on a float, a Value (recorded), an array (its own library) or a tensor."""
    if type(x) is float:
        return float(on_float(x))
    if isinstance(x, Value):
        return on_value(x)
    namespace = getattr(x, "__array_namespace__", None)
    if namespace is not None:
        return getattr(namespace(), name)(x)
    return getattr(x, name)()  # a tensor (the numpy backend under create_graph): recorded
