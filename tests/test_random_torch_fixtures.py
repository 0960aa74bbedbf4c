"""After the same seed, micrograd_edu draws PyTorch's random numbers, on both backends: uniform
and integer draws, permutations and nn.Linear's first weights exactly; normal ones to the last
float32 bit or two (PyTorch computes those with vectorised float32 math). The reference
numbers are in fixtures/random_torch.json (fixtures/make_random_fixtures.py), so no torch here.
"""

import json
from pathlib import Path

import pytest
from fingerprint import stale
from make_random_fixtures import COMMAND, case_fingerprints
from random_cases import CASES

import micrograd_edu as torch

TORCH = json.loads((Path(__file__).resolve().parent / "fixtures" / "random_torch.json").read_text())["cases"]
FINGERPRINTS = case_fingerprints()


def flat(nested):
    return [x for item in nested for x in flat(item)] if isinstance(nested, list) else [nested]


@pytest.mark.parametrize("name", sorted(CASES))
def test_seeded_draws_are_pytorchs(name, backend):
    problem = stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    got, expected = CASES[name](torch), TORCH[name]["tensors"]
    assert len(got) == len(expected)
    for i, (t, e) in enumerate(zip(got, expected)):
        t = t[1] if isinstance(t, tuple) else t
        assert t.backend == backend
        float32 = e["dtype"] == "float32"  # PyTorch's default float, micrograd_edu's float64 stands in
        assert t.dtype.name == ("float64" if float32 else e["dtype"]), f"tensor {i}"
        if e["kind"] == "normal" and float32:
            assert flat(t.tolist()) == pytest.approx(flat(e["values"]), rel=4e-7, abs=1e-7), f"tensor {i}"
        else:
            assert flat(t.tolist()) == flat(e["values"]), f"tensor {i}"


def test_a_generator_of_ones_own_draws_as_the_default_one_does():
    mine = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    assert [mine.random(float32=True) for _ in range(3)] == torch.rand(3).tolist()
    assert mine.initial_seed() == 0
    state = mine.get_state()
    first = mine.permutation(5)
    mine.set_state(state)
    assert mine.permutation(5) == first


def test_a_seed_must_be_a_whole_number():
    with pytest.raises(TypeError, match="manual_seed takes a whole number, got float 1.5"):
        torch.manual_seed(1.5)
    with pytest.raises(TypeError, match="manual_seed expected an int, got str"):
        torch.Generator().manual_seed("0")
