"""Tensors against PyTorch: outputs and gradients of composite expressions, on both backends.

The reference numbers were computed once by PyTorch in float64 and stored in
fixtures/tensor_torch.json (see fixtures/make_tensor_fixtures.py), so these tests run
without torch. Both sides evaluate the same functions, from fixtures/tensor_cases.py, and a
case edited since its fixture was made fails by name (its fingerprint, fixtures/fingerprint.py,
is not the stored one) until the fixtures are made again.
"""

import json
from pathlib import Path

import pytest
from fingerprint import stale
from make_tensor_fixtures import COMMAND, case_fingerprints
from tensor_cases import CASES

import micrograd_edu as torch

FIXTURES = Path(__file__).resolve().parent / "fixtures"


TORCH = json.loads((FIXTURES / "tensor_torch.json").read_text())["cases"]
FINGERPRINTS = case_fingerprints()


def torch_fixture(name: str) -> dict:
    """PyTorch's numbers for case `name`, once they are known to be for the case as it is now."""
    problem = stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    return TORCH[name]


def flat(nested: object) -> list[float]:
    """The numbers of a nested list (or a lone number) in row-major order."""
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def close(expected: object) -> object:
    """Equal to PyTorch up to float64 rounding: different formulas, a few ulps apart at most."""
    return pytest.approx(flat(expected), rel=1e-12, abs=1e-12)


def test_fixture_matches_the_cases():
    """Every case has a fixture computed from its current source and inputs: a stale file fails here."""
    problems = [stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND) for name in CASES]
    problems += [f"fixture {name!r} is for no case: run {COMMAND}" for name in TORCH if name not in CASES]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)
    assert sorted(TORCH) == sorted(CASES)
    for name, (_, inputs) in CASES.items():
        assert TORCH[name]["inputs"] == inputs, f"{name}: rerun make_tensor_fixtures.py"


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_and_gradients(name, backend):
    f, inputs = CASES[name]
    expected = torch_fixture(name)
    xs = [torch.tensor(x, requires_grad=True, backend=backend) for x in inputs]
    out = f(torch, *xs)
    assert out.backend == backend
    assert list(out.shape) == expected["shape"]
    assert flat(out.tolist()) == close(expected["output"])

    if expected["backward_gradient"] is None:
        out.backward()
    else:
        out.backward(gradient=expected["backward_gradient"])
    for i, (x, grad, shape) in enumerate(zip(xs, expected["grads"], expected["grad_shapes"], strict=True)):
        assert x.grad is not None, f"input {i} got no gradient"
        assert list(x.grad.shape) == shape, f"shape of input {i}'s gradient"
        assert flat(x.grad.tolist()) == close(grad), f"gradient of input {i}"


def test_the_tutorials_tensor_code_runs_unchanged_on_both_backends(backend):
    """The tutorial's network, loss and backward, with only its import line changed: the
    `import micrograd_edu as torch` at the top of this module."""
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    W1 = torch.tensor([[1.2, -0.9], [-0.7, 1.1], [0.4, 0.35], [-1.3, -0.6]], requires_grad=True)
    b1 = torch.tensor([0.2, -0.1, -0.3, 0.5], requires_grad=True)
    W2 = torch.tensor([[0.8, -1.1, 0.6, 0.9]], requires_grad=True)
    b2 = torch.tensor([-0.15], requires_grad=True)

    hidden = torch.sigmoid(X @ W1.T + b1)
    out = torch.sigmoid(hidden @ W2.T + b2)
    loss = -(y * torch.log(out) + (1 - y) * torch.log(1 - out)).mean()
    loss.backward()

    expected = torch_fixture("tutorial_network_bce")
    assert [t.tolist() for t in (X, y, W1, b1, W2, b2)] == expected["inputs"]
    assert all(t.backend == backend for t in (X, W1, loss))
    assert X.grad is None and y.grad is None
    assert loss.shape == () and [loss.item()] == close(expected["output"])
    for name, param, grad in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2), expected["grads"][2:]):
        assert flat(param.grad.tolist()) == close(grad), f"{name}.grad"
