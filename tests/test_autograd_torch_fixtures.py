"""torch.autograd programs against PyTorch: higher derivatives, functional, custom Functions,
hooks, grad_fn, in-place rules; the same programs on both backends.

The numbers were computed once by PyTorch in float64 (fixtures/make_autograd_fixtures.py) and
are stored in fixtures/autograd_torch.json, so these tests run without torch; a case edited
since its fixture was made fails by name until the fixtures are made again.
"""

import json
from pathlib import Path

import pytest
from autograd_cases import CASES
from fingerprint import stale
from make_autograd_fixtures import COMMAND, case_fingerprints, plain

import micrograd_edu as torch

TORCH = json.loads((Path(__file__).resolve().parent / "fixtures" / "autograd_torch.json").read_text())[
    "cases"
]
FINGERPRINTS = case_fingerprints()


def test_fixture_matches_the_cases():
    problems = [stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND) for name in CASES]
    problems += [f"fixture {name!r} is for no case: run {COMMAND}" for name in TORCH if name not in CASES]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)


def same(ours: object, theirs: object, where: str) -> None:
    """Our result equals PyTorch's: tensors by shape and value (to float64 rounding), the rest exactly."""
    if isinstance(theirs, dict) and "tensor" in theirs:
        assert isinstance(ours, dict) and "tensor" in ours, (
            f"{where}: PyTorch gives a tensor, we give {ours!r}"
        )
        assert ours["shape"] == theirs["shape"], (
            f"{where}: shape {ours['shape']} != PyTorch's {theirs['shape']}"
        )
        assert flat(ours["tensor"]) == pytest.approx(flat(theirs["tensor"]), rel=1e-10, abs=1e-12), where
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r} != {theirs!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12), where
    else:
        assert ours == theirs, f"{where}: {ours!r} != PyTorch's {theirs!r}"


def flat(nested: object) -> list:
    return [x for item in nested for x in flat(item)] if isinstance(nested, list) else [nested]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_program_gives_pytorchs_results(name, backend):
    problem = stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    ours = {k: plain(v) for k, v in CASES[name](torch).items()}
    theirs = TORCH[name]["results"]
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        same(ours[key], theirs[key], f"{name}: {key}")
