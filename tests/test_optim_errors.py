"""An optimizer refuses a bad setting where it is given, naming the argument and its value and
saying what to do, with PyTorch's own words first where PyTorch has them (those words are
checked against PyTorch's in test_training_torch_fixtures.py, OPTIMIZER_ERRORS)."""

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim

ALL = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad]


def weights():
    return [torch.tensor([1.0, -2.0], requires_grad=True)]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_a_negative_lr_is_refused_by_name(cls):
    with pytest.raises(
        ValueError, match=rf"^Invalid learning rate: -0.1 \({cls.__name__}'s lr must be >= 0, got lr=-0.1\)"
    ):
        cls(weights(), lr=-0.1)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_an_lr_in_quotes_is_refused_by_name(cls):
    with pytest.raises(
        TypeError, match=rf"{cls.__name__}'s lr must be a number, got lr='0.1' \(a str\): write lr=0.1"
    ):
        cls(weights(), lr="0.1")


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_a_nan_lr_is_refused(cls):
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        cls(weights(), lr=float("nan"))


@pytest.mark.parametrize(
    "cls, name, what",
    [
        (optim.SGD, "momentum", "momentum value"),
        (optim.SGD, "weight_decay", "weight_decay value"),
        (optim.Adam, "eps", "epsilon value"),
        (optim.Adam, "weight_decay", "weight_decay value"),
        (optim.AdamW, "eps", "epsilon value"),
        (optim.RMSprop, "alpha", "alpha value"),
        (optim.RMSprop, "eps", "epsilon value"),
        (optim.RMSprop, "momentum", "momentum value"),
        (optim.RMSprop, "weight_decay", "weight_decay value"),
        (optim.Adagrad, "lr_decay", "lr_decay value"),
        (optim.Adagrad, "weight_decay", "weight_decay value"),
        (optim.Adagrad, "initial_accumulator_value", "initial_accumulator_value value"),
        (optim.Adagrad, "eps", "epsilon value"),
    ],
)
def test_a_negative_setting_is_refused_by_name(cls, name, what):
    with pytest.raises(
        ValueError, match=rf"^Invalid {what}: -0.5 \({cls.__name__}'s {name} must be >= 0, got {name}=-0.5\)"
    ):
        cls(weights(), **{name: -0.5})


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
def test_betas_must_be_a_pair_each_in_zero_to_one(cls):
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name}'s betas must be a pair .* got 1 numbers, betas=\(0.9,\)"):
        cls(weights(), betas=(0.9,))
    with pytest.raises(ValueError, match=r"got 3 numbers, betas=\(0.9, 0.99, 0.999\)"):
        cls(weights(), betas=[0.9, 0.99, 0.999])
    with pytest.raises(TypeError, match=rf"{name}'s betas must be a pair \(beta1, beta2\).*got betas=0.9"):
        cls(weights(), betas=0.9)
    with pytest.raises(
        ValueError, match=r"^Invalid beta parameter at index 1: 1.0 \(.*in \[0, 1\).*betas=\(0.9, 1.0\)"
    ):
        cls(weights(), betas=(0.9, 1.0))
    with pytest.raises(TypeError, match=r"betas\[0\] must be a number, got betas\[0\]='0.9'"):
        cls(weights(), betas=("0.9", 0.999))


def test_nesterov_without_momentum_is_refused_with_the_values():
    with pytest.raises(
        ValueError, match=r"^Nesterov momentum requires a momentum and zero dampening: got momentum=0,"
    ):
        optim.SGD(weights(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"momentum=0.9, dampening=0.1 \(try momentum=0.9, nesterov=True\)"):
        optim.SGD(weights(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def test_a_groups_own_setting_is_checked_too():
    a, b = weights()[0], weights()[0]
    with pytest.raises(
        ValueError, match=r"Invalid learning rate: -0.01 \(SGD's lr must be >= 0, got lr=-0.01\)"
    ):
        optim.SGD([{"params": [a]}, {"params": [b], "lr": -0.01}], lr=0.1)
    with pytest.raises(TypeError, match="Adam's betas must be a pair"):
        optim.Adam([{"params": [a], "betas": 0.9}])
    optimizer = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="Invalid momentum value: -1"):
        optimizer.add_param_group({"params": [b], "momentum": -1})
    assert len(optimizer.param_groups) == 1


# ---- what is passed as the parameters -------------------------------------------------------------


def test_the_model_instead_of_its_parameters(backend):
    for model in (nn.Linear(2, 1), nn.Sequential(nn.Linear(2, 1))):
        with pytest.raises(
            TypeError, match=r"SGD got the model itself \(a (Linear|Sequential)\): pass model.parameters\(\)"
        ):
            optim.SGD(model, lr=0.1)
    with pytest.raises(TypeError, match=r"the model itself.*pass model.parameters\(\)"):
        optim.SGD([{"params": nn.Linear(2, 1)}], lr=0.1)
    with pytest.raises(
        TypeError, match=r"one of the params is micrograd_edu.nn.*Linear.*not the model itself"
    ):
        optim.SGD([nn.Linear(2, 1)], lr=0.1)


def test_parameters_not_called(backend):
    model = nn.Linear(2, 1)
    message = (
        r"SGD got the function parameters instead of the tensors it gives: call it, SGD\(model.parameters\(\)"
    )
    with pytest.raises(TypeError, match=message):
        optim.SGD(model.parameters, lr=0.1)


def test_an_empty_list_and_a_used_up_generator(backend):
    with pytest.raises(ValueError, match=r"^optimizer got an empty parameter list: Adam needs the tensors"):
        optim.Adam([])
    params = nn.Linear(2, 1).parameters()
    optim.SGD(params, lr=0.1)
    with pytest.raises(ValueError, match="empty once something has read it: call model.parameters"):
        optim.SGD(params, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD(nn.ReLU().parameters(), lr=0.1)


def test_a_tensor_alone_or_a_dict_alone(backend):
    w = weights()[0]
    with pytest.raises(TypeError, match=r"but got a Tensor: put it in a list, SGD\(\[w\], lr=0.1\)"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match=r"but got a dict: put the parameter group in a list"):
        optim.SGD({"params": [w]}, lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got float"):
        optim.SGD(0.5, lr=0.1)


def test_a_non_leaf_is_refused_naming_it(backend):
    w = weights()[0]
    message = r"^can't optimize a non-leaf Tensor: item 1 of parameter group 0, "
    message += r"tensor\(\[ 2., -4.\], grad_fn=<MulBackward0>\), was computed from other tensors"
    with pytest.raises(ValueError, match=message):
        optim.SGD([w, w * 2], lr=0.1)


def test_something_not_a_tensor_is_refused_naming_where(backend):
    with pytest.raises(TypeError, match=r"one of the params is float \(item 1 of parameter group 0\)"):
        optim.SGD([weights()[0], 1.0], lr=0.1)
    with pytest.raises(TypeError, match="one of the params is dict.*item 1 of parameter group 0"):
        optim.SGD([weights()[0], {"params": weights()}], lr=0.1)
    with pytest.raises(
        TypeError, match="param_group must be a dict, but got .*Tensor.*either every item is a tensor"
    ):
        optim.SGD([{"params": weights()}, weights()[0]], lr=0.1)


def test_a_group_needs_params(backend):
    with pytest.raises(ValueError, match=r"needs the key 'params'.*this one has the keys \['lr', 'param'\]"):
        optim.SGD([{"param": weights(), "lr": 0.1}], lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change between runs"):
        optim.SGD([{"params": set(weights())}], lr=0.1)


def test_a_tensor_in_two_groups_is_refused_saying_where(backend):
    model = nn.Linear(2, 1)
    message = r"^some parameters appear in more than one parameter group: the tensor of shape \(1, 2\) "
    with pytest.raises(ValueError, match=message + r"at position 0 of the new group is already in group 0"):
        optim.SGD([{"params": model.parameters()}, {"params": [model.weight], "lr": 0.01}], lr=0.1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="already in group 0"):
        optimizer.add_param_group({"params": model.bias})


def test_names_for_some_parameters_only(backend):
    with pytest.raises(ValueError, match="with/without names. Some param names are missing"):
        optim.SGD([("w", weights()[0]), weights()[0]], lr=0.1)
    optimizer = optim.SGD(nn.Linear(2, 1).named_parameters(), lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group without names to the optimizer"):
        optimizer.add_param_group({"params": weights()})


def test_load_state_dict_of_other_groups_says_how_they_differ(backend):
    a, b, c = weights()[0], weights()[0], weights()[0]
    saved = optim.SGD([{"params": [a]}, {"params": [b, c]}], lr=0.1).state_dict()
    with pytest.raises(
        ValueError, match="different number of parameter groups: it has 2, this optimizer has 1"
    ):
        optim.SGD([a, b, c], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="group 0 holds 1 in the state dict and 2 here"):
        optim.SGD([{"params": [a, b]}, {"params": [c]}], lr=0.1).load_state_dict(saved)
