"""Each op's derivative is stated once, and everything reads it from there.

- the formula `@derivative` writes beside each `_backward` says what the code computes
  (evaluated with numbers, at many points, wherever the formula holds);
- every op of the elementwise table has its derivative, one formula per input;
- a new op, written in the engine and given one table entry, is picked up by both
  backends, by gradcheck and by the pictures, with nothing else to edit.
"""

from __future__ import annotations

import math
from functools import partial
from itertools import product

import pytest

import micrograd_edu as torch
from micrograd_edu import Value, gradcheck
from micrograd_edu.derivatives import DERIVATIVES, Derivative, derivative
from micrograd_edu.tensor import elementwise as ops
from micrograd_edu.tensor.elementwise import Elementwise
from micrograd_edu.viz import backward_steps, trace

TABLE = [entry for entry in vars(ops).values() if isinstance(entry, Elementwise)]
POINTS = [-2.5, -1.0, -0.3, 0.0, 0.05, 0.4, 1.0, 1.7, 3.0, 10.0]
PARAMS = {
    "**n": [(-2.0,), (-0.5,), (0.0,), (1.0,), (2.0,), (3.0,)],
    "clamp": [(-1.0, 1.0), (0.5, 2.0), (2.0, 1.0)],
}
MATH = {
    "ln": math.log,
    "sign": lambda x: (x > 0) - (x < 0),
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "sqrt": math.sqrt,
    "floor": math.floor,
    "pi": math.pi,
    "__builtins__": {},
}


def arity(entry: Elementwise) -> int:
    """How many inputs the op takes: its backward's arguments after g and out."""
    code = entry.derivative.backward.__code__
    names = code.co_varnames[: code.co_argcount]
    return len(names) - names.index("out") - 1


def constant_names(d: Derivative) -> list[str]:
    """The constants a backward takes before g (a power's n, clamp's low and high)."""
    code = d.backward.__code__
    names = code.co_varnames[: code.co_argcount]
    return list(names[: names.index("g")])


@pytest.mark.parametrize("entry", TABLE, ids=lambda e: e.op)
def test_every_op_of_the_table_has_a_formula_for_each_input(entry):
    d = entry.derivative
    assert len(d.formulas) == arity(entry)
    assert all(isinstance(f, str) and f for f in d.formulas)


def test_every_registered_derivative_belongs_to_an_op_of_the_table():
    assert set(DERIVATIVES) - {"cube"} == {entry.op for entry in TABLE}


@pytest.mark.parametrize("entry", TABLE, ids=lambda e: e.op)
def test_the_formula_says_what_the_code_computes(entry):
    d = entry.derivative
    names = constant_names(d)
    checked = 0
    for params in PARAMS.get(entry.op, [()]):
        for args in product(POINTS, repeat=arity(entry)):
            try:
                out = entry.value(*map(Value, args), *params).data
            except (ArithmeticError, ValueError):
                continue  # outside the op's domain: nothing to differentiate
            locals_ = partial(d.backward, *params)(1.0, out, *args)
            scope = dict(zip(("a", "b"), args)) | {"out": out} | dict(zip(names, params))
            for formula, local in zip(d.formulas, locals_):
                text, _, condition = formula.partition(" for ")
                if condition and not eval(condition, MATH, scope):
                    continue
                try:
                    expected = eval(text.replace("²", "**2"), MATH, scope)
                except (ArithmeticError, ValueError):
                    continue  # the math has no value here (0 ** -1): the code's inf is checked elsewhere
                if isinstance(expected, complex) or not math.isfinite(local):
                    continue
                assert local == pytest.approx(expected, rel=1e-12, abs=1e-12), (
                    entry.op,
                    params,
                    args,
                    formula,
                )
                checked += 1
    assert checked >= 5


# ---- a new op: written in the engine, one entry in the table, and nothing else -----------------


def cube(x: Value) -> Value:
    """x³, written as an engine op is: forward here, and its backward below."""
    return Value(x.data**3, (x,), "cube", _cube_backward)


def _cube_backward(g, out, a):
    return (g * 3 * a * a,)


CUBE = Elementwise("cube", "cube", "CubeBackward0", cube, lambda np, a: a**3)


@pytest.fixture(autouse=True)
def cube_is_registered():
    """`@derivative("cube", "3 * a²")` above `_cube_backward`, for these tests only."""
    derivative("cube", "3 * a²")(_cube_backward)
    yield
    del DERIVATIVES["cube"]


def test_a_new_op_runs_on_both_backends_with_the_same_numbers_and_gradients():
    results = {}
    for backend in ("python", "numpy"):
        x = torch.tensor([[-1.5, 0.0], [0.5, 2.0]], requires_grad=True, backend=backend)
        y = CUBE(x)
        assert y.grad_fn.name() == "CubeBackward0"
        (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)).sum().backward()
        results[backend] = (y.tolist(), x.grad.tolist())
    assert results["python"] == results["numpy"]
    assert results["python"][1] == [[3 * 1.5**2 * 1, 0.0], [3 * 0.25 * 3, 3 * 4.0 * 4]]


def test_a_new_op_works_on_values_and_numbers_and_passes_gradcheck():
    assert CUBE(2.0) == 8.0
    assert CUBE(Value(2.0)).data == 8.0
    assert gradcheck(lambda a: CUBE(a) * a, [0.7])


def test_a_new_op_shows_in_the_walkthrough_with_its_formula_and_in_the_pictures():
    x = Value(2.0, label="x")
    y = CUBE(x)
    y.label = "y"
    (step,) = backward_steps(y)
    assert step.text == "x.grad += (3 * x.data²) * y.grad = 12.0000 * 1.0000 = 12.0000"
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    graph = trace(CUBE(t).sum(), level="tensor")
    assert any(node.title.startswith("Cube") for node in graph.nodes)
    scalar = trace(CUBE(t).sum(), level="scalar")
    assert sum(node.title.startswith("cube") for node in scalar.nodes) == 2
