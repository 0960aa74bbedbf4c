"""The engine against PyTorch: values, gradients and second derivatives of every case.

The reference numbers were computed once by PyTorch in float64 and stored in
fixtures/engine_torch.json (see fixtures/make_engine_fixtures.py), so these tests run
without torch. Both sides evaluate the same functions, from fixtures/engine_cases.py.
"""

import json
from pathlib import Path

import pytest
from engine_cases import CASES

from micrograd_edu import Value, grad

FIXTURES = Path(__file__).resolve().parent / "fixtures"


TORCH = json.loads((FIXTURES / "engine_torch.json").read_text())["cases"]


def close(expected: float | list[float]) -> object:
    """Equal to PyTorch up to float64 rounding: different formulas, a few ulps apart at most."""
    return pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_fixture_matches_the_cases():
    """Every case has a fixture computed at its current inputs: a stale file fails here."""
    assert sorted(TORCH) == sorted(CASES)
    for name, (_, inputs) in CASES.items():
        assert TORCH[name]["inputs"] == inputs, f"{name}: rerun make_engine_fixtures.py"


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradients(name):
    f, inputs = CASES[name]
    xs = [Value(x) for x in inputs]
    out = f(*xs)
    out.backward()
    assert out.data == close(TORCH[name]["value"])
    assert [x.grad for x in xs] == close(TORCH[name]["grad"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivatives(name):
    """Differentiate each gradient again: row i of the Hessian is grad(d out/d x_i, xs)."""
    f, inputs = CASES[name]
    xs = [Value(x) for x in inputs]
    first = grad(f(*xs), xs, create_graph=True)
    assert [g.data for g in first] == close(TORCH[name]["grad"])
    for i, (g, expected) in enumerate(zip(first, TORCH[name]["hessian"], strict=True)):
        row = [0.0 if h is None else h.data for h in grad(g, xs, retain_graph=True, allow_unused=True)]
        assert row == close(expected), f"d/dx of d out/d x{i}"
