"""Exercise 2: A backward for a new op: logaddexp

logaddexp(a, b) = log(eᵃ + eᵇ) is a smooth maximum: close to the larger of a and b,
with a derivative everywhere. Softmax and cross-entropy are built on it.

Make it an op of the engine. `logaddexp(a, b)` takes two Values and returns a new Value
that records its inputs, its name and its backward function, as every op in
micrograd_edu/engine.py does:

    Value(number, (a, b), "logaddexp", logaddexp_backward)

`logaddexp_backward(g, out, a, b)` is given the gradient g that arrived at the result,
the result's number out, and the inputs' numbers a and b (plain floats). It returns the
two gradients, (for a, for b): g times each local derivative. Work d out/da out on
paper first; it can be written with `out` itself.

The checks run gradcheck (your backward against central differences) on the op alone
and inside bigger expressions, where g is not 1. And they try large inputs: e¹⁰⁰⁰
overflows a float, yet logaddexp(1000, 999) is an ordinary number, about 1000.31.
Write it so that no exp is ever given a large positive number.

Check your work:  micrograd-edu check 2
In a notebook:    from micrograd_edu.exercises import check; check(2, logaddexp)
"""

import math

from micrograd_edu import Value


def logaddexp_backward(g: float, out: float, a: float, b: float) -> tuple[float, float]:
    """The gradients for a and for b: g · d(out)/da and g · d(out)/db."""
    raise NotImplementedError("exercise 2: write logaddexp_backward(g, out, a, b)")


def logaddexp(a: Value, b: Value) -> Value:
    """log(eᵃ + eᵇ), as a Value that records a, b and logaddexp_backward."""
    raise NotImplementedError("exercise 2: write logaddexp(a, b)")
