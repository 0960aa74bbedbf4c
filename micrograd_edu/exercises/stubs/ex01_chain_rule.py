"""Exercise 1: The chain rule, by hand

This small graph computes L from three numbers, x, w and b:

    u = w * x
    s = u + b
    t = tanh(s)
    L = t * w        (w is used twice: in u, and here)

Write `gradients(x, w, b)`: it returns (dL/dx, dL/dw, dL/db) as plain floats, worked
out with the chain rule by hand: no Value, no backward(). First run the forward pass
(u, s, t, L) with `math.tanh`, then go backwards from dL/dL = 1: the gradient of each
node is the gradient of the node it feeds, times the local derivative of that one step.
A number used twice gets a share from each use, added up.

The local derivatives: d(a·b)/da = b, d(a + b)/da = 1, d tanh(s)/ds = 1 - tanh(s)².

Check your work:  micrograd-edu check 1
In a notebook:    from micrograd_edu.exercises import check; check(1, gradients)
"""

import math


def gradients(x: float, w: float, b: float) -> tuple[float, float, float]:
    """(dL/dx, dL/dw, dL/db) for L = tanh(w·x + b) · w."""
    raise NotImplementedError("exercise 1: write gradients(x, w, b)")
