"""Exercise 12: A second derivative, by differentiating a derivative

`grad(y, [x])` (from micrograd_edu) returns dy/dx as a new Value. With
`create_graph=True` the backward pass that computes it is itself recorded as a graph,
so the derivative it returns is a Value with a graph of its own, which you can
differentiate again: that is d²y/dx².

Write `second_derivative(f, x)`: f takes a Value and returns a Value; return f''(x), the
second derivative of f at the number x, as a float. Autograd gives it exactly (to the
last bits), where central differences only come close: the checks compare to 1e-9.

One edge to think about: for f(x) = 3x + 1 the first derivative is the constant 3,
which no longer depends on x, so asking grad for its derivative with respect to x is,
by default, an error. Read what the error says: the second derivative of a straight
line is 0.

Check your work:  micrograd-edu check 12
In a notebook:    from micrograd_edu.exercises import check; check(12, second_derivative)
"""

from collections.abc import Callable

from micrograd_edu import Value, grad


def second_derivative(f: Callable[[Value], Value], x: float) -> float:
    """f''(x): grad of grad, the first one with create_graph=True."""
    raise NotImplementedError("exercise 12: write second_derivative(f, x)")
