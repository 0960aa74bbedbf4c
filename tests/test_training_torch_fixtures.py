"""Training against PyTorch: the tutorial's program, the optimizers (with parameter groups and
learning-rate schedulers, their state_dicts and their errors) and the losses, on both backends.

The reference numbers were computed once by PyTorch in float64 and stored in
fixtures/training_torch.json (see fixtures/make_training_fixtures.py), so these tests run
without torch. Both sides run the same functions, from fixtures/training_cases.py, with
micrograd_edu (`import micrograd_edu as torch`) here where the generator had PyTorch; each
model starts from the weights PyTorch drew for it, loaded with `load_state_dict`. A case
edited since its fixture was made fails by name (its fingerprint, fixtures/fingerprint.py, is
not the stored one) until the fixtures are made again.

Tolerances: a whole trajectory (every loss of 1000 epochs, and the final weights) must
agree with torch to rel=1e-10. Each step agrees to an ulp or two, since the same formulas
are rounded in a different order (BCELoss composed from clamp and log here, one fused
kernel in torch); training carries those ulps along, and the worst gap measured on either
path is 5e-14 in a loss and 1.3e-13 in a weight, so 1e-10 leaves room for another
machine's summation order and still catches any wrong formula at the first step. A loss
alone, with its gradient, agrees to rel=1e-12 (abs=1e-12 for numbers near 0, such as the
1.9e-22 that BCEWithLogitsLoss has at a logit of 50, which rounds to 0 here). A scheduler's
lrs are a few float operations each, the same ones in the same order: rel=1e-15.

An optimizer's state_dict holds the same state, under the same names, as PyTorch's, and
each group the same settings, but for those PyTorch keeps for its fast paths and for
differentiating through a step (TORCH_ONLY_SETTINGS), which micrograd_edu does not have.
"""

import json
import math
import re
from pathlib import Path

import pytest
import training_cases as cases
from fingerprint import stale
from make_training_fixtures import COMMAND, case_fingerprints

import micrograd_edu as torch

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TRAINING_REL = 1e-10
LOSS_TOL = 1e-12
BCE_EPSILON = 1e-12  # torch's BCELoss backward divides by max(p (1 - p), this)
LR_REL = 1e-15


TORCH = json.loads((FIXTURES / "training_torch.json").read_text())
FINGERPRINTS = case_fingerprints()  # by section: tutorial, optimizers, losses
SECTIONS = {  # in training_cases.py
    "tutorial": "TUTORIAL",
    "optimizers": "OPTIMIZERS",
    "param_groups": "PARAM_GROUPS",
    "schedulers": "SCHEDULERS",
    "optimizer_errors": "OPTIMIZER_ERRORS",
    "losses": "LOSSES",
}


def staleness(section: str, name: str) -> str | None:
    label = f"{SECTIONS[section]}[{name!r}]"
    return stale(label, TORCH[section].get(name), FINGERPRINTS[section][name], COMMAND)


def torch_fixture(section: str, name: str) -> dict:
    """PyTorch's numbers for a case, once they are known to be for the case as it is now."""
    problem = staleness(section, name)
    if problem:
        pytest.fail(problem, pytrace=False)
    return TORCH[section][name]


def flat(nested: object) -> list[float]:
    """The numbers of a nested list (or a lone number) in row-major order."""
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def started_like_torch(make, initial_state: dict, backend: str):
    """The model built by micrograd_edu, holding the weights torch started from."""
    torch.manual_seed(0)
    model = make(torch)
    assert list(model.state_dict()) == list(initial_state), "parameter names and order, as in PyTorch"
    model.load_state_dict(initial_state)
    assert all(p.backend == backend for p in model.parameters())
    return model


def assert_same_weights(model, expected_state: dict, rel: float) -> None:
    for name, weights in model.state_dict().items():
        assert flat(weights.tolist()) == pytest.approx(flat(expected_state[name]), rel=rel), name


def test_fixture_matches_the_cases():
    """Every program has a fixture computed from its current source and settings: a stale file fails here."""
    problems = [staleness(section, name) for section in SECTIONS for name in FINGERPRINTS[section]]
    problems += [
        f"fixture {SECTIONS[section]}[{name!r}] is for no case: run {COMMAND}"
        for section in SECTIONS
        for name in TORCH[section]
        if name not in FINGERPRINTS[section]
    ]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)
    assert list(TORCH["tutorial"]) == list(cases.TUTORIAL)
    for name, (_, settings, epochs) in cases.TUTORIAL.items():
        expected = TORCH["tutorial"][name]
        assert (expected["settings"], expected["epochs"]) == (settings, epochs), name
        assert len(expected["losses"]) == epochs
    assert list(TORCH["optimizers"]) == list(cases.OPTIMIZERS)
    for name, (optimizer, settings) in cases.OPTIMIZERS.items():
        expected = TORCH["optimizers"][name]
        assert (expected["optimizer"], expected["settings"]) == (optimizer, as_json(settings)), name
        assert expected["steps"] == cases.OPTIMIZER_STEPS
    for section, steps in (("param_groups", cases.OPTIMIZER_STEPS), ("schedulers", cases.SCHEDULER_EPOCHS)):
        assert list(TORCH[section]) == list(getattr(cases, SECTIONS[section]))
        for name, expected in TORCH[section].items():
            assert expected["steps"] == steps and len(expected["losses"]) == len(expected["lrs"]) == steps, (
                name
            )
    assert list(TORCH["optimizer_errors"]) == list(cases.OPTIMIZER_ERRORS)
    for name, (_, same_words) in cases.OPTIMIZER_ERRORS.items():
        assert TORCH["optimizer_errors"][name]["same_words"] is same_words, name
    assert list(TORCH["losses"]) == list(cases.LOSSES)
    for name, (loss, reduction, input, target) in cases.LOSSES.items():
        expected = TORCH["losses"][name]
        assert [expected[k] for k in ("loss", "reduction", "input", "target")] == [
            loss,
            reduction,
            input,
            target,
        ]


@pytest.mark.parametrize("name", list(cases.TUTORIAL))
def test_the_tutorial_trains_as_in_pytorch(name, backend, capsys):
    """Every epoch's loss, the final weights, the predictions, the accuracy and the printout."""
    make, settings, epochs = cases.TUTORIAL[name]
    expected = torch_fixture("tutorial", name)
    model = started_like_torch(make, expected["initial_state"], backend)

    result = cases.train_tutorial(torch, model, settings, epochs)

    assert result["losses"] == pytest.approx(expected["losses"], rel=TRAINING_REL)
    assert_same_weights(model, expected["final_state"], rel=TRAINING_REL)
    assert result["predicted"] == expected["predicted"]
    assert result["accuracy"] == expected["accuracy"]
    assert result["accuracy_by_count"] == result["accuracy"]
    assert capsys.readouterr().out == expected["stdout"]

    if name == "tutorial_lr0.1":  # the lesson's point: plain SGD at lr=0.1 stalls at log 2
        assert all(abs(loss - math.log(2)) < 0.005 for loss in result["losses"])
        assert result["accuracy"] < 1.0
    else:
        assert result["accuracy"] == 1.0
        assert result["losses"][-1] < 0.05


def test_print_loss_item(backend, capsys):
    """`print(loss.item())` prints the number; `print(loss)` shows it as PyTorch rounds it."""
    expected = torch_fixture("tutorial", "tutorial_lr0.1")
    model = started_like_torch(cases.simple_nn, expected["initial_state"], backend)
    loss = torch.nn.BCELoss()(model(torch.tensor(cases.X_XOR)), torch.tensor(cases.Y_XOR))
    print(loss.item())
    print(loss)
    number, text = capsys.readouterr().out.splitlines()
    assert float(number) == pytest.approx(expected["losses"][0], rel=1e-12)
    assert text.startswith(f"tensor({expected['losses'][0]:.4f}, grad_fn=<")


def as_json(value: object) -> object:
    """What JSON makes of a value: tuples become lists, a dict's keys strings."""
    return json.loads(json.dumps(value))


def assert_same_state_dict(ours: dict, theirs: dict) -> None:
    """The same state (the same tensors, names and numbers) and the same settings, PyTorch's
    fast-path settings aside."""
    ours = as_json(ours)
    assert list(ours["state"]) == list(theirs["state"]), "the same tensors have state, by index"
    for index, state in theirs["state"].items():
        assert list(ours["state"][index]) == list(state), f"state[{index}]: the same names, in the same order"
        for key, value in state.items():
            assert flat(ours["state"][index][key]) == pytest.approx(flat(value), rel=TRAINING_REL), (
                index,
                key,
            )
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for i, (group, expected) in enumerate(zip(ours["param_groups"], theirs["param_groups"])):
        assert list(expected) == list(group), f"group {i}'s keys"
        for key, value in group.items():
            numbers = all(isinstance(x, (int, float)) for x in flat(value))  # lr, betas; not param_names
            assert value == (pytest.approx(expected[key], rel=LR_REL) if numbers else expected[key]), (i, key)


def assert_trained_like_torch(result: dict, model, expected: dict) -> None:
    assert result["losses"] == pytest.approx(expected["losses"], rel=TRAINING_REL)
    assert [lr for lrs in result["lrs"] for lr in lrs] == pytest.approx(flat(expected["lrs"]), rel=LR_REL)
    assert_same_weights(model, expected["final_state"], rel=TRAINING_REL)
    assert_same_state_dict(result["state_dict"], expected["state_dict"])


@pytest.mark.parametrize("name", list(cases.OPTIMIZERS))
def test_optimizer_steps_as_in_pytorch(name, backend):
    optimizer, settings = cases.OPTIMIZERS[name]
    expected = torch_fixture("optimizers", name)
    model = started_like_torch(cases.regressor, expected["initial_state"], backend)

    result = cases.fit_regressor(torch, model, optimizer, settings, expected["steps"])

    assert_trained_like_torch(result, model, expected)


@pytest.mark.parametrize("name", list(cases.PARAM_GROUPS))
def test_parameter_groups_train_as_in_pytorch(name, backend):
    make, between_steps = cases.PARAM_GROUPS[name]
    expected = torch_fixture("param_groups", name)
    model = started_like_torch(cases.regressor, expected["initial_state"], backend)

    result = cases.fit_with(torch, model, make, between_steps, expected["steps"])

    assert_trained_like_torch(result, model, expected)


@pytest.mark.parametrize("name", list(cases.SCHEDULERS))
def test_a_scheduler_sets_the_lrs_pytorch_sets(name, backend):
    make, make_scheduler, between_steps = cases.SCHEDULERS[name]
    expected = torch_fixture("schedulers", name)
    model = started_like_torch(cases.regressor, expected["initial_state"], backend)

    result = cases.fit_with(torch, model, make, between_steps, expected["steps"], make_scheduler)

    assert_trained_like_torch(result, model, expected)
    assert result["last_lr"] == pytest.approx(expected["last_lr"], rel=LR_REL)
    assert result["last_epoch"] == expected["last_epoch"] == expected["steps"]


def torch_words(message: str) -> str:
    """The part of PyTorch's message that says the same here: up to the end of its first line
    and before it names one of its own types (`torch.DoubleTensor`, `<class 'torch.Tensor'>`)."""
    return re.split(r"\n|torch\.|<class ", message)[0]


@pytest.mark.parametrize("name", list(cases.OPTIMIZER_ERRORS))
def test_a_setting_pytorch_refuses_is_refused_with_its_words(name, backend):
    program, same_words = cases.OPTIMIZER_ERRORS[name]
    expected = torch_fixture("optimizer_errors", name)
    with pytest.raises(Exception) as raised:
        program(torch)
    assert type(raised.value).__name__ == expected["type"]
    message = raised.value.args[0]
    if same_words:
        assert message.startswith(torch_words(expected["message"])), (message, expected["message"])
    assert len(message) > len(torch_words(expected["message"])), "and says more: what to do instead"


def run_loss(name: str):
    """The loss of the case computed by micrograd_edu, its gradient filled in, and torch's."""
    loss, reduction, input, target = cases.LOSSES[name]
    expected = torch_fixture("losses", name)
    x = torch.tensor(input, requires_grad=True)
    out = cases.loss_of(torch, loss, reduction, x, target)
    out.backward(gradient=expected["backward_gradient"])
    return x, out, expected


def at_bce_boundary(name: str) -> list[bool]:
    """Where torch's BCELoss gradient is not the derivative of the loss: p (1 - p) < 1e-12."""
    loss, _, input, _ = cases.LOSSES[name]
    return [loss == "BCELoss" and p * (1 - p) < BCE_EPSILON for p in flat(input)]


@pytest.mark.parametrize("name", list(cases.LOSSES))
def test_loss_and_its_gradient_as_in_pytorch(name, backend):
    x, out, expected = run_loss(name)
    assert list(out.shape) == expected["shape"]
    assert flat(out.tolist()) == pytest.approx(flat(expected["output"]), rel=LOSS_TOL, abs=LOSS_TOL)
    boundary = at_bce_boundary(name)  # there we differ on purpose: see test_nn's BCE test
    ours = [g for g, b in zip(flat(x.grad.tolist()), boundary) if not b]
    theirs = [g for g, b in zip(flat(expected["grad"]), boundary) if not b]
    assert ours == pytest.approx(theirs, rel=LOSS_TOL, abs=LOSS_TOL)
