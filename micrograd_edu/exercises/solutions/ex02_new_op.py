"""Exercise 2: A backward for a new op: logaddexp (a reference solution)"""

import math

from micrograd_edu import Value


def logaddexp_backward(g: float, out: float, a: float, b: float) -> tuple[float, float]:
    """The gradients for a and for b: g · d(out)/da and g · d(out)/db."""
    # d(out)/da = eᵃ / (eᵃ + eᵇ) = e^(a - out): a softmax weight, never above 1, so never overflowing
    return g * math.exp(a - out), g * math.exp(b - out)


def logaddexp(a: Value, b: Value) -> Value:
    """log(eᵃ + eᵇ), as a Value that records a, b and logaddexp_backward."""
    m = max(a.data, b.data)  # log(eᵃ + eᵇ) = m + log(e^(a-m) + e^(b-m)): each exp is at most 1
    out = m + math.log(math.exp(a.data - m) + math.exp(b.data - m))
    return Value(out, (a, b), "logaddexp", logaddexp_backward)
