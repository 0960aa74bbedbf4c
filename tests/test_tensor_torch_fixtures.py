"""Tensors against PyTorch: outputs, dtypes and gradients of composite expressions, in float64
and float32, on both backends; and the numbers and dtypes of what has no gradient.

The reference numbers were computed once by PyTorch and stored in
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
from tensor_cases import CASES, VALUES

import micrograd_edu as torch

FIXTURES = Path(__file__).resolve().parent / "fixtures"


DOC = json.loads((FIXTURES / "tensor_torch.json").read_text())
TORCH, TORCH_VALUES = DOC["cases"], DOC["values"]
FINGERPRINTS = case_fingerprints()


def torch_fixture(name: str, dtype: str = "float64") -> dict:
    """PyTorch's numbers for case `name` in `dtype`, once they are known to be for the case as it is now."""
    problem = stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    return TORCH[name] | TORCH[name][dtype]


def flat(nested: object) -> list[float]:
    """The numbers of a nested list (or a lone number) in row-major order."""
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def close(expected: object, dtype: str = "float64") -> object:
    """Equal to PyTorch up to rounding: in float64 a few ulps apart at most; in float32, where
    PyTorch computes in float32 and the python backend rounds each result to it, a few float32
    ulps, which sums and long chains gather."""
    if dtype == "float32":
        return pytest.approx(flat(expected), rel=2e-5, abs=2e-6, nan_ok=True)
    return pytest.approx(flat(expected), rel=1e-12, abs=1e-12, nan_ok=True)


def test_fixture_matches_the_cases():
    """Every case has a fixture computed from its current source and inputs: a stale file fails here."""
    problems = [stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND) for name in CASES]
    problems += [stale(repr(name), TORCH_VALUES.get(name), FINGERPRINTS[name], COMMAND) for name in VALUES]
    problems += [f"fixture {name!r} is for no case: run {COMMAND}" for name in TORCH if name not in CASES]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)
    assert sorted(TORCH) == sorted(CASES)
    for name, (_, inputs) in CASES.items():
        assert TORCH[name]["inputs"] == inputs, f"{name}: rerun make_tensor_fixtures.py"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_output_and_gradients(name, dtype, backend):
    f, inputs = CASES[name]
    expected = torch_fixture(name, dtype)
    xs = [torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True, backend=backend) for x in inputs]
    out = f(torch, *xs)
    assert out.backend == backend
    assert list(out.shape) == expected["shape"]
    assert out.dtype.name == expected["dtype"]
    assert flat(out.tolist()) == close(expected["output"], dtype)

    if expected["backward_gradient"] is None:
        out.backward()
    else:
        out.backward(gradient=torch.tensor(expected["backward_gradient"], dtype=out.dtype))
    for i, (x, grad, shape) in enumerate(zip(xs, expected["grads"], expected["grad_shapes"], strict=True)):
        assert x.grad is not None, f"input {i} got no gradient"
        assert list(x.grad.shape) == shape, f"shape of input {i}'s gradient"
        assert x.grad.dtype is x.dtype, f"dtype of input {i}'s gradient"
        assert flat(x.grad.tolist()) == close(grad, dtype), f"gradient of input {i}"


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_and_dtypes(name, backend):
    """What has no gradient (integers, bools, indices, the dtype of each result) is exact."""
    problem = stale(repr(name), TORCH_VALUES.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    got = VALUES[name](torch)
    expected = TORCH_VALUES[name]["tensors"]
    assert len(got) == len(expected)
    for i, (t, e) in enumerate(zip(got, expected)):
        assert t.backend == backend, f"result {i}"
        assert (t.dtype.name, list(t.shape)) == (e["dtype"], e["shape"]), f"result {i}"
        if name.endswith("to_the_last_bit") and (backend == "numpy" or t.dtype is not torch.float32):
            assert flat(t.tolist()) == flat(e["values"]), f"result {i}"
        elif name.endswith("to_the_last_bit"):  # a float32 x ** 3 of Values rounds once, not twice
            assert flat(t.tolist()) == pytest.approx(flat(e["values"]), rel=2**-23), f"result {i}"
        else:
            assert flat(t.tolist()) == pytest.approx(flat(e["values"]), rel=1e-12, nan_ok=True), f"result {i}"


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
