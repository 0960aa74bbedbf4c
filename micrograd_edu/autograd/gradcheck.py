"""Check backward() against central differences: the test every new op should pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from micrograd_edu.autograd.grad import grad
from micrograd_edu.engine import Scalar, Value


class GradcheckError(RuntimeError):
    """backward() and central differences disagree on some input's gradient."""


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Scalar],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if backward()'s gradients of `f` at `inputs` match central differences.

    The numeric gradient of input i is (f(.., x_i + eps, ..) - f(.., x_i - eps, ..)) / 2 eps.
    A mismatch raises GradcheckError with both numbers, so a student sees which input
    of their op is wrong and by how much.

    >>> gradcheck(lambda a, b: a * b.tanh(), [0.5, -1.2])
    True
    """
    xs = [x.data if isinstance(x, Value) else float(x) for x in inputs]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck needs f to return a Value, got {type(out).__name__} {out!r}")
    analytic = [0.0 if g is None else g.data for g in grad(out, leaves, allow_unused=True)]

    def f_at(i: int, shift: float) -> float:  # with the graph recorded: f may itself call grad()
        return f(*[Value(x + shift if j == i else x) for j, x in enumerate(xs)]).data

    problems = []
    for i, a in enumerate(analytic):
        numeric = (f_at(i, eps) - f_at(i, -eps)) / (2 * eps)
        if not abs(a - numeric) <= atol + rtol * abs(numeric):
            problems.append(
                f"  input {i} (= {xs[i]!r}): backward gives {a:.8g}, central differences {numeric:.8g}"
            )
    if problems:
        raise GradcheckError("gradients disagree with central differences:\n" + "\n".join(problems))
    return True
