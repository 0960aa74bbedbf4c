"""nn against PyTorch: every layer, function and loss, forward and backward, in float64 and
float32, in train and eval mode, on both backends; reprs and names; errors.

The reference numbers were computed once by PyTorch 2.13 and stored in fixtures/nn_torch.json
(see fixtures/make_nn_fixtures.py), so these tests run without torch. Both sides run the same
programs, from fixtures/nn_cases.py, with micrograd_edu (`import micrograd_edu as torch`) here
where the generator had PyTorch; each model starts from the state_dict PyTorch drew for it. A
case edited since its fixture was made fails by name until the fixtures are made again.

Tolerances, relative to the largest number of the tensor compared (and at least 1): the same
formulas are rounded in another order (a convolution is a matmul of gathered windows here, a
direct loop there; BatchNorm's statistics are summed differently). In float64 the worst gap
measured on either backend is 1.7e-15, and the tolerance 1e-13; in float32, where both sides
round every op to float32, the worst is 9.5e-7 (8 float32 ulps), and the tolerance 5e-6.
"""

import json
import math
import re
from pathlib import Path

import nn_cases as cases
import pytest
from fingerprint import stale
from make_nn_fixtures import COMMAND, DTYPES, case_fingerprints, layer_case

import micrograd_edu as torch

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TORCH = json.loads((FIXTURES / "nn_torch.json").read_text())
FINGERPRINTS = case_fingerprints()
SECTIONS = {"layers": "LAYERS", "functions": "FUNCTIONS", "facts": "FACTS", "errors": "ERRORS"}
TOLERANCE = {"float64": 1e-13, "float32": 5e-6}


def staleness(section: str, name: str) -> str | None:
    label = f"{SECTIONS[section]}[{name!r}]"
    return stale(label, TORCH[section].get(name), FINGERPRINTS[section][name], COMMAND)


def torch_fixture(section: str, name: str) -> dict:
    problem = staleness(section, name)
    if problem:
        pytest.fail(problem, pytrace=False)
    return TORCH[section][name]


def flat(nested: object) -> list:
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def assert_close(ours: object, theirs: object, dtype: str, what: str) -> None:
    """Equal up to the dtype's rounding (see the module docstring); nan where PyTorch has nan."""
    a, b = flat(ours), flat(theirs)
    assert len(a) == len(b), f"{what}: {len(a)} numbers, PyTorch has {len(b)}"
    if any(x is None for x in a + b):
        assert a == b, f"{what}: {ours} vs PyTorch's {theirs}"
        return
    tol = TOLERANCE[dtype]
    scale = max([abs(x) for x in b if math.isfinite(x)], default=0.0)
    bad = [
        (i, x, y)
        for i, (x, y) in enumerate(zip(a, b))
        if not (x == y or (math.isnan(x) and math.isnan(y)) or abs(x - y) <= tol * max(abs(y), scale, 1.0))
    ]
    assert not bad, f"{what}: first differences (index, ours, PyTorch's): {bad[:4]}"


def assert_same_outcome(ours: dict, theirs: dict, dtype: str, what: str) -> None:
    assert ours["shape"] == theirs["shape"], f"{what}: output shape"
    assert ours["dtype"] == theirs["dtype"], f"{what}: output dtype"
    assert_close(ours["output"], theirs["output"], dtype, f"{what}: output")
    assert ours["backward_gradient"] == theirs["backward_gradient"]
    for k, extra in enumerate(theirs["extra"]):
        assert ours["extra"][k] == extra, f"{what}: result {k + 1}"
    assert len(ours["grads"]) == len(theirs["grads"])
    for k, (g, expected) in enumerate(zip(ours["grads"], theirs["grads"])):
        assert_close(g, expected, dtype, f"{what}: gradient of input {k}")


def test_fixture_matches_the_cases():
    """Every case has a fixture computed from its current source and settings: a stale file fails here."""
    problems = [staleness(section, name) for section in SECTIONS for name in FINGERPRINTS[section]]
    problems += [
        f"fixture {SECTIONS[section]}[{name!r}] is for no case: run {COMMAND}"
        for section in SECTIONS
        for name in TORCH[section]
        if name not in FINGERPRINTS[section]
    ]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)
    assert TORCH["header"]["torch_version"].startswith("2.13")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(cases.LAYERS))
def test_layer_as_in_pytorch(name, dtype, backend):
    """Each step's output and gradients, and the state after it (parameters and buffers)."""
    make, specs, steps, program = layer_case(cases.LAYERS[name])
    expected = torch_fixture("layers", name)
    torch.manual_seed(0)
    model = make(torch)
    assert list(model.state_dict()) == list(expected["initial_state"]), "state_dict keys, in PyTorch's order"
    model.load_state_dict(expected["initial_state"])
    assert all(t.backend == backend for t in model.state_dict().values())

    results = cases.run_layer(torch, model, program, specs, steps, getattr(torch, dtype))

    for step, (ours, theirs) in enumerate(zip(results, expected[dtype], strict=True)):
        what = f"step {step} ({steps[step]})"
        assert_same_outcome(ours, theirs, dtype, what)
        assert list(ours["parameter_grads"]) == list(theirs["parameter_grads"])
        for key, grad in theirs["parameter_grads"].items():
            assert_close(ours["parameter_grads"][key], grad, dtype, f"{what}: {key}.grad")
        assert list(ours["state"]) == list(theirs["state"])
        for key, value in theirs["state"].items():
            assert_close(ours["state"][key], value, dtype, f"{what}: state_dict {key}")


@pytest.mark.parametrize("name", list(cases.LAYERS))
def test_a_layer_starts_from_the_weights_pytorch_draws_after_the_same_seed(name, backend):
    """manual_seed(0), then the layer: PyTorch's initial weights (drawn as for its default float32,
    which micrograd_edu's default float64 stands in for), exactly; a normal draw (Embedding) to
    the last float32 bit, as PyTorch's randn (see tensor/generator.py)."""
    make = layer_case(cases.LAYERS[name])[0]
    expected = torch_fixture("layers", name)["initial_state_float32_default"]
    torch.manual_seed(0)
    drawn = {key: t.tolist() for key, t in make(torch).state_dict().items()}
    assert list(drawn) == list(expected)
    for key, value in expected.items():
        ours, theirs = flat(drawn[key]), flat(value)
        assert ours == pytest.approx(theirs, rel=2**-22, abs=0.0), key
        if "embed" not in name:
            assert ours == theirs, key


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(cases.FUNCTIONS))
def test_function_as_in_pytorch(name, dtype, backend):
    program, specs, settings = cases.FUNCTIONS[name]
    expected = torch_fixture("functions", name)
    ours = cases.run_function(torch, program, specs, settings, getattr(torch, dtype))
    assert_same_outcome(ours, expected[dtype], dtype, name)


@pytest.mark.parametrize("name", list(cases.FACTS))
def test_what_a_module_says_about_itself_is_what_pytorch_says(name, backend):
    expected = torch_fixture("facts", name)["result"]
    assert json.loads(json.dumps(cases.FACTS[name](torch))) == expected


def torch_words(message: str) -> str:
    """The part of PyTorch's message that says the same here: up to the end of its first line
    and before it names one of its own types (`torch.Size([4])`, `torch.FloatTensor`)."""
    return re.split(r"\n|torch\.|<class ", message)[0]


@pytest.mark.parametrize("name", list(cases.ERRORS))
def test_an_error_pytorch_raises_is_raised_with_its_words(name, backend):
    program, same_words = cases.ERRORS[name]
    expected = torch_fixture("errors", name)
    with pytest.raises(Exception) as raised:
        program(torch)
    assert type(raised.value).__name__ == expected["type"], str(raised.value)
    message = str(raised.value.args[0]) if raised.value.args else ""
    if same_words:
        assert message.startswith(torch_words(expected["message"])), (message, expected["message"])
    assert len(message) > len(torch_words(expected["message"])), f"and says more: {message!r}"
