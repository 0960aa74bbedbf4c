"""Parameter groups, state_dict() and load_state_dict(), zero_grad() and printing, as in PyTorch,
on both backends (the numbers of whole runs against PyTorch are in test_training_torch_fixtures.py)."""

import warnings

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x))))


X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]
DEFAULT_FLAGS = {"maximize": False, "foreach": None, "differentiable": False, "fused": None}  # PyTorch's
FLAGS = list(DEFAULT_FLAGS)


def train(model, optimizer, steps):
    criterion = nn.BCELoss()
    for _ in range(steps):
        optimizer.zero_grad()
        criterion(model(torch.tensor(X)), torch.tensor(Y)).backward()
        optimizer.step()


def weights(model):
    return [p.tolist() for p in model.parameters()]


def test_groups_take_their_own_settings_and_the_defaults_for_the_rest(backend):
    model = SimpleNN()
    optimizer = optim.SGD(
        [{"params": model.fc1.parameters()}, {"params": model.fc2.parameters(), "lr": 0.01}],
        lr=0.1,
        momentum=0.9,
    )
    first, second = optimizer.param_groups
    assert (first["lr"], second["lr"]) == (0.1, 0.01)
    assert first["momentum"] == second["momentum"] == 0.9
    assert first["params"] == [model.fc1.weight, model.fc1.bias] and second["params"] == [
        model.fc2.weight,
        model.fc2.bias,
    ]
    assert list(first) == ["params", "lr", "momentum", "dampening", "weight_decay", "nesterov", *FLAGS]
    assert optimizer.defaults == {
        "lr": 0.1,
        "momentum": 0.9,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        **DEFAULT_FLAGS,
    }


def test_each_group_steps_by_its_own_lr(backend):
    a, b = torch.tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    (a * 2.0 + b * 2.0).sum().backward()
    optimizer.step()
    assert (a.item(), b.item()) == (pytest.approx(0.8), pytest.approx(0.98))


def test_param_groups_are_dicts_to_edit_between_steps(backend):
    a, b = torch.tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    for group in optimizer.param_groups:
        group["lr"] = 0.5
    (a + b).sum().backward()
    optimizer.step()
    assert a.tolist() == b.tolist() == [0.5]


def test_add_param_group_trains_a_layer_from_then_on(backend):
    model = SimpleNN()
    optimizer = optim.SGD(model.fc1.parameters(), lr=0.1, momentum=0.9)
    frozen = model.fc2.weight.tolist()
    train(model, optimizer, 2)
    assert model.fc2.weight.tolist() == frozen
    optimizer.add_param_group({"params": model.fc2.parameters(), "lr": 0.05})
    assert optimizer.param_groups[1]["momentum"] == 0.9 and optimizer.param_groups[1]["lr"] == 0.05
    train(model, optimizer, 1)
    assert model.fc2.weight.tolist() != frozen
    optimizer.add_param_group({"params": torch.zeros(3, requires_grad=True)})  # a lone tensor is a group
    assert len(optimizer.param_groups[2]["params"]) == 1


def test_add_param_group_to_adagrad_starts_the_new_tensors_state(backend):
    a, b = torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    optimizer = optim.Adagrad([a], lr=0.1, initial_accumulator_value=0.5)
    optimizer.add_param_group({"params": [b]})
    (a * 1.0 + b * 1.0).sum().backward()
    optimizer.step()
    assert optimizer.state[b]["sum"].tolist() == [1.5]
    assert a.item() - 1.0 == pytest.approx(b.item() - 2.0)


def test_named_parameters_give_each_group_its_names(backend):
    model = SimpleNN()
    optimizer = optim.SGD(model.named_parameters(), lr=0.1)
    assert optimizer.param_groups[0]["param_names"] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert optimizer.param_groups[0]["params"] == list(model.parameters())
    assert optimizer.state_dict()["param_groups"][0]["param_names"][0] == "fc1.weight"


def test_a_frozen_layer_left_out_by_a_filter(backend):
    model = SimpleNN()
    for p in model.fc1.parameters():
        p.requires_grad_(False)
    optimizer = optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=0.01)
    assert optimizer.param_groups[0]["params"] == [model.fc2.weight, model.fc2.bias]


def test_a_tensor_twice_in_one_group_is_warned_about_as_in_pytorch(backend):
    w = torch.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters.*each step would move such a tensor twice"):
        optim.SGD([w, w], lr=0.1)


def test_a_set_of_tensors_is_taken_at_the_top_as_pytorch_takes_it(backend):
    w = torch.zeros(2, requires_grad=True)
    assert optim.SGD({w}, lr=0.1).param_groups[0]["params"] == [w]


# ---- state_dict ------------------------------------------------------------------------------------


def test_state_dict_names_each_tensor_by_its_index(backend):
    model = SimpleNN()
    optimizer = optim.SGD(
        [{"params": model.fc1.parameters()}, {"params": model.fc2.parameters(), "lr": 0.01}],
        lr=0.1,
        momentum=0.9,
    )
    assert optimizer.state_dict() == {
        "state": {},
        "param_groups": [
            {
                "lr": 0.1,
                "momentum": 0.9,
                "dampening": 0,
                "weight_decay": 0,
                "nesterov": False,
                **DEFAULT_FLAGS,
                "params": [0, 1],
            },
            {
                "lr": 0.01,
                "momentum": 0.9,
                "dampening": 0,
                "weight_decay": 0,
                "nesterov": False,
                **DEFAULT_FLAGS,
                "params": [2, 3],
            },
        ],
    }
    train(model, optimizer, 1)
    state = optimizer.state_dict()["state"]
    assert list(state) == [0, 1, 2, 3] and list(state[0]) == ["momentum_buffer"]
    assert state[0]["momentum_buffer"] is optimizer.state[model.fc1.weight]["momentum_buffer"]  # as PyTorch
    assert optimizer.state_dict()["param_groups"][0] is not optimizer.param_groups[0]


def test_plain_sgd_keeps_no_state(backend):
    model = SimpleNN()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    train(model, optimizer, 2)
    assert optimizer.state_dict()["state"] == {} and len(optimizer.state) == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.5, momentum=0.9, nesterov=True),
        lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True),
        lambda ps: optim.AdamW(ps, lr=0.05),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
        lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    ],
    ids=["sgd", "adam", "adamw", "rmsprop", "adagrad"],
)
def test_training_stopped_and_resumed_from_a_state_dict_is_training_without_a_stop(make, backend):
    torch.manual_seed(0)
    uninterrupted = SimpleNN()
    torch.manual_seed(0)
    resumed = SimpleNN()
    train(uninterrupted, make(uninterrupted.parameters()), 6)

    first = make(resumed.parameters())
    train(resumed, first, 3)
    saved = first.state_dict()
    second = make(resumed.parameters())
    second.param_groups[0]["lr"] = 123.0  # load_state_dict brings back the settings too
    second.load_state_dict(saved)
    assert second.param_groups[0]["lr"] == first.param_groups[0]["lr"]
    assert second.param_groups[0]["params"] == list(resumed.parameters())
    train(resumed, second, 3)

    assert weights(resumed) == weights(uninterrupted)


def test_loaded_state_is_a_copy_on_the_parameters_backend(backend):
    other = "numpy" if backend == "python" else "python"
    source = torch.tensor([1.0, 2.0], requires_grad=True, backend=other)
    optimizer = optim.Adam([source], lr=0.1)
    source.grad = torch.tensor([1.0, 1.0], backend=other)
    optimizer.step()

    target = torch.tensor([1.0, 2.0], requires_grad=True)
    loaded = optim.Adam([target], lr=0.1)
    loaded.load_state_dict(optimizer.state_dict())
    state = loaded.state[target]
    assert all(t.backend == backend for t in state.values())
    assert state["exp_avg"].tolist() == optimizer.state[source]["exp_avg"].tolist()
    assert state["exp_avg"] is not optimizer.state[source]["exp_avg"]
    target.grad = torch.tensor([1.0, 1.0])
    loaded.step()
    assert state["step"].item() == 2 and optimizer.state[source]["step"].item() == 1


def test_load_state_dict_refuses_state_of_another_shape(backend):
    small = torch.zeros(2, requires_grad=True)
    optimizer = optim.SGD([small], lr=0.1, momentum=0.9)
    small.grad = torch.ones(2)
    optimizer.step()
    other = optim.SGD([torch.zeros(3, requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(
        ValueError, match=r"state\[0\]\['momentum_buffer'\] has shape \(2,\).*has shape \(3,\)"
    ):
        other.load_state_dict(optimizer.state_dict())


def test_load_state_dict_tells_a_model_state_dict_from_an_optimizers(backend):
    model = SimpleNN()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"got a model's state_dict .*'fc1.weight'.*model.load_state_dict"):
        optimizer.load_state_dict(model.state_dict())
    with pytest.raises(ValueError, match=r"a dict with 'state' and 'param_groups'; got \['state'\]"):
        optimizer.load_state_dict({"state": {}})


# ---- zero_grad and printing ------------------------------------------------------------------------


def test_zero_grad_without_set_to_none_zeros_a_gradient_made_with_create_graph(backend):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    (w**3).sum().backward(create_graph=True)
    assert w.grad.grad_fn is not None
    optimizer.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0] and w.grad.grad_fn is None
    optimizer.zero_grad()
    assert w.grad is None


def test_an_optimizer_prints_its_groups_as_pytorch_does(backend):
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    settings = (
        "    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n    lr: {}\n"
        "    maximize: False\n    momentum: 0\n    nesterov: False\n    weight_decay: 0\n"
    )
    assert repr(optimizer) == (
        "SGD (\nParameter Group 0\n"
        + settings.format(0.1)
        + "\nParameter Group 1\n"
        + settings.format(0.01)
        + ")"
    )


def test_no_warnings_in_a_plain_run(backend):
    model = SimpleNN()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer = optim.Adam(model.parameters())
        scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1)
        train(model, optimizer, 1)
        scheduler.step()


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad])
def test_maximize_climbs_and_foreach_fused_change_nothing(make, backend):
    """maximize=True takes the step of -loss; foreach and fused (PyTorch's kernel choices) give the
    same numbers; differentiable=True is refused, naming itself."""
    steps = {}
    for settings in ({}, {"maximize": True}, {"foreach": True}):
        w = torch.tensor([1.0, -2.0], requires_grad=True)
        optimizer = make([w], lr=0.1, **settings)
        loss = (w * w).sum()
        (-loss if settings.get("maximize") else loss).backward()
        optimizer.step()
        steps[tuple(settings)] = w.tolist()
    assert steps[("maximize",)] == steps[()] == steps[("foreach",)]
    with pytest.raises(ValueError, match=r"differentiable=True is not supported"):
        make([torch.zeros(1, requires_grad=True)], differentiable=True)
    with pytest.raises(TypeError, match=r"maximize must be True or False, got maximize='yes'"):
        make([torch.zeros(1, requires_grad=True)], maximize="yes")
