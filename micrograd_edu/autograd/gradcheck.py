"""Check backward() against central differences: the test every new op should pass.

`gradcheck(f, inputs)` takes numbers (f gets Values) or tensors (f gets tensors, as PyTorch's
torch.autograd.gradcheck does), and `gradgradcheck` checks second derivatives the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from micrograd_edu.autograd.grad import grad
from micrograd_edu.engine import Value
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.generator import default_generator as generator


class GradcheckError(RuntimeError):
    """backward() and central differences disagree on some input's gradient."""


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if backward()'s gradients of `func` at `inputs` match central differences.

    The numeric gradient of input i is (f(.., x_i + eps, ..) - f(.., x_i - eps, ..)) / 2 eps,
    for every element of every input (that requires grad, for tensors) and every element of
    every output. A mismatch raises GradcheckError with both numbers (or returns False with
    raise_exception=False), so a student sees which input of their op is wrong and by how much.

    >>> gradcheck(lambda a, b: a * b.tanh(), [0.5, -1.2])
    True
    """
    if not callable(func):
        raise TypeError(f"gradcheck takes the function to check first, got {type(func).__name__} {func!r}")
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    wrong = [x for x in items if not isinstance(x, (Tensor, int, float)) or isinstance(x, bool)]
    if wrong:
        raise TypeError(
            f"gradcheck takes the inputs as tensors (or numbers, for a function of Values), got "
            f"{type(wrong[0]).__name__} {wrong[0]!r}"
        )
    if any(isinstance(x, Tensor) for x in items):
        problems = _tensor_problems(func, items, eps, atol, rtol)
    else:
        problems = _value_problems(func, items, eps, atol, rtol)
    if problems and raise_exception:
        raise GradcheckError("gradients disagree with central differences:\n" + "\n".join(problems))
    return not problems


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """gradcheck of the gradient: the second derivatives of `func` at `inputs` (tensors) against
    central differences of its first. `grad_outputs` weigh the outputs (default: seeded random)."""
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    with no_grad():
        outs = _outputs(func, items)
    if grad_outputs is None:
        grad_outputs = [
            o.new_tensor(_nested([generator.uniform(-1, 1) for _ in range(o.numel())], o)) for o in outs
        ]
    seeds = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    wanted = [i for i, x in enumerate(items) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*xs: Any) -> tuple[Tensor, ...]:
        found = grad(
            _outputs(func, list(xs)), [xs[i] for i in wanted], seeds, create_graph=True, allow_unused=True
        )
        return tuple(xs[i].new_zeros(xs[i].shape) if g is None else g for i, g in zip(wanted, found))

    return gradcheck(first_derivatives, items, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)


# ---- the two kinds of inputs ---------------------------------------------------------------------


def _value_problems(f: Callable, inputs: list, eps: float, atol: float, rtol: float) -> list[str]:
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
    return problems


def _tensor_problems(func: Callable, inputs: list, eps: float, atol: float, rtol: float) -> list[str]:
    """Every d(output element)/d(input element), by backward and by central differences."""
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wanted:
        raise ValueError("gradcheck: no input tensor requires grad, so there is nothing to check")
    outs = _outputs(func, inputs)
    analytic = {}  # (output k, element e) -> per wanted input, its gradient as a flat list
    for k, out in enumerate(outs):
        for e in range(out.numel()):
            seed = out.new_tensor(_nested([1.0 if j == e else 0.0 for j in range(out.numel())], out))
            found = (
                grad(out, [inputs[i] for i in wanted], seed, retain_graph=True, allow_unused=True)
                if out.requires_grad
                else tuple(None for _ in wanted)
            )
            analytic[k, e] = [
                [0.0] * inputs[i].numel() if g is None else g.reshape(-1).tolist()
                for i, g in zip(wanted, found)
            ]
    problems = []
    for n, i in enumerate(wanted):
        for j in range(inputs[i].numel()):
            up, down = _shifted(func, inputs, i, j, eps), _shifted(func, inputs, i, j, -eps)
            for (k, e), rows in analytic.items():
                numeric = (up[k][e] - down[k][e]) / (2 * eps)
                a = rows[n][j]
                if not abs(a - numeric) <= atol + rtol * abs(numeric):
                    problems.append(
                        f"  output {k}[{e}] with respect to input {i}[{j}]: backward gives {a:.8g}, "
                        f"central differences {numeric:.8g}"
                    )
    return problems


def _outputs(func: Callable, inputs: list) -> list[Tensor]:
    result = func(*inputs)
    outs = list(result) if isinstance(result, (list, tuple)) else [result]
    for k, out in enumerate(outs):
        if not isinstance(out, Tensor):
            raise TypeError(
                f"gradcheck needs the function to return tensors, output {k} is {type(out).__name__}"
            )
    return outs


def _shifted(func: Callable, inputs: list, i: int, j: int, shift: float) -> list[list[float]]:
    """Every output, flat, with element j of input i moved by `shift` (on a copy: the input stays)."""
    moved = inputs[i].detach().reshape(-1).tolist()
    moved[j] += shift
    shifted = list(inputs)
    shifted[i] = inputs[i].new_tensor(_nested(moved, inputs[i])).requires_grad_()  # func may take grads
    return [out.detach().reshape(-1).tolist() for out in _outputs(func, shifted)]


def _nested(flat: Sequence[float], like: Tensor) -> Any:
    """Flat numbers in the shape of `like`, as nested lists."""
    from micrograd_edu.tensor.shape import nest

    return nest(list(flat), like.shape)
