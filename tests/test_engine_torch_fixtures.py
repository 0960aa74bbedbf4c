"""The engine against PyTorch: values, gradients and second derivatives of every case.

The reference numbers were computed once by PyTorch in float64 and stored in
fixtures/engine_torch.json (see fixtures/make_engine_fixtures.py), so these tests run
without torch. Both sides evaluate the same functions, from fixtures/engine_cases.py, and a
case edited since its fixture was made fails by name (its fingerprint, fixtures/fingerprint.py,
is not the stored one) until the fixtures are made again.
"""

import json
from pathlib import Path

import pytest
from engine_cases import CASES
from fingerprint import stale
from make_engine_fixtures import COMMAND, case_fingerprints

from micrograd_edu import Value, grad

FIXTURES = Path(__file__).resolve().parent / "fixtures"


TORCH = json.loads((FIXTURES / "engine_torch.json").read_text())["cases"]
FINGERPRINTS = case_fingerprints()


def torch_fixture(name: str) -> dict:
    """PyTorch's numbers for case `name`, once they are known to be for the case as it is now."""
    problem = stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    return TORCH[name]


def close(expected: float | list[float]) -> object:
    """Equal to PyTorch up to float64 rounding: different formulas, a few ulps apart at most."""
    return pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_fixture_matches_the_cases():
    """Every case has a fixture computed from its current source and inputs: a stale file fails here."""
    problems = [stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND) for name in CASES]
    problems += [f"fixture {name!r} is for no case: run {COMMAND}" for name in TORCH if name not in CASES]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)
    assert sorted(TORCH) == sorted(CASES)
    for name, (_, inputs) in CASES.items():
        assert TORCH[name]["inputs"] == inputs, f"{name}: rerun make_engine_fixtures.py"


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradients(name):
    f, inputs = CASES[name]
    expected = torch_fixture(name)
    xs = [Value(x) for x in inputs]
    out = f(*xs)
    out.backward()
    assert out.data == close(expected["value"])
    assert [x.grad for x in xs] == close(expected["grad"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivatives(name):
    """Differentiate each gradient again: row i of the Hessian is grad(d out/d x_i, xs)."""
    f, inputs = CASES[name]
    fixture = torch_fixture(name)
    xs = [Value(x) for x in inputs]
    first = grad(f(*xs), xs, create_graph=True)
    assert [g.data for g in first] == close(fixture["grad"])
    for i, (g, expected) in enumerate(zip(first, fixture["hessian"], strict=True)):
        row = [0.0 if h is None else h.data for h in grad(g, xs, retain_graph=True, allow_unused=True)]
        assert row == close(expected), f"d/dx of d out/d x{i}"
