"""Exercise 12: A second derivative, by differentiating a derivative (a reference solution)"""

from collections.abc import Callable

from micrograd_edu import Value, grad


def second_derivative(f: Callable[[Value], Value], x: float) -> float:
    """f''(x): grad of grad, the first one with create_graph=True."""
    v = Value(x)
    (first,) = grad(f(v), [v], create_graph=True)  # f'(v), with the graph of how it was computed
    assert first is not None
    (second,) = grad(first, [v], allow_unused=True)  # None when f' does not depend on v
    return 0.0 if second is None else second.data
