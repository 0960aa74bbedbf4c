"""optim: SGD and Adam follow the update rules in their docstrings (PyTorch's), update the
parameters in place, and refuse what PyTorch refuses, on both backends."""

import math

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim

TARGET = [1.5, -2.0, 0.25]


def quadratic(p):
    """sum (p - TARGET)², smallest (0) at p = TARGET; its gradient is 2 (p - TARGET)."""
    return ((p - torch.tensor(TARGET)) ** 2).sum()


def train(optimizer, p, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = quadratic(p)
        loss.backward()
        optimizer.step()
    return quadratic(p).item()


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1),
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
        lambda ps: optim.Adam(ps, lr=0.1),
    ],
    ids=["sgd", "momentum", "nesterov", "adam"],
)
def test_optimizers_minimise_a_quadratic(make, backend):
    p = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
    start = quadratic(p).item()
    end = train(make([p]), p, 150)
    assert end < 1e-4 * start
    assert p.tolist() == pytest.approx(TARGET, abs=1e-2)


def test_sgd_trains_the_tutorial_model(backend):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    X, y = torch.data.xor()
    criterion, optimizer = nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    first = criterion(model(X), y).item()
    for _ in range(300):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1 * first
    assert (model(X) > 0.5).float().tolist() == y.tolist()


def test_zero_grad_sets_to_none_or_zeros(backend):
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([p], lr=0.1)
    quadratic(torch.tensor([0.0]) + p.sum()).backward()
    assert p.grad is not None and p.grad.tolist() != [0.0, 0.0]
    optimizer.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    optimizer.zero_grad()
    assert p.grad is None


def test_step_updates_the_same_tensors_and_values_in_place(backend):
    model = nn.Linear(3, 2)
    params = list(model.parameters())
    stores = [id(p._data) for p in params]
    values = [[id(v) for v in p._data] if backend == "python" else None for p in params]
    before = [p.tolist() for p in params]
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.tensor([[1.0, 2.0, 3.0]])).sum().backward()
        optimizer.step()
    assert [p.tolist() for p in model.parameters()] != before
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert [id(p._data) for p in params] == stores
    if backend == "python":  # the same Value objects: a drawing of the graph stays valid
        assert [[id(v) for v in p._data] for p in params] == values
    assert all(p.is_leaf and p.requires_grad for p in params)


def test_parameters_without_a_gradient_are_skipped(backend):
    used = torch.tensor([1.0, 1.0], requires_grad=True)
    unused = torch.tensor([5.0], requires_grad=True)
    for optimizer in (optim.SGD([used, unused], lr=0.1, momentum=0.9), optim.Adam([used, unused], lr=0.1)):
        optimizer.zero_grad()
        (used * used).sum().backward()
        optimizer.step()
        assert unused.tolist() == [5.0] and unused.grad is None
        assert unused not in optimizer.state
    assert used.tolist() != [1.0, 1.0]


def test_a_learning_rate_changed_in_param_groups_takes_effect(backend):
    p = torch.tensor([2.0], requires_grad=True)
    optimizer = optim.SGD([p], lr=0.1)
    assert optimizer.param_groups[0]["lr"] == 0.1
    assert optimizer.param_groups[0]["params"] == [p]
    optimizer.param_groups[0]["lr"] = 0.0
    (p * 3.0).sum().backward()
    optimizer.step()
    assert p.tolist() == [2.0]
    optimizer.param_groups[0]["lr"] = 0.5
    optimizer.step()
    assert p.tolist() == [0.5]  # 2 - 0.5 * 3


# ---- one step by hand, from the formulas in the docstrings -----------------------------------


def test_sgd_momentum_steps_by_hand(backend):
    lr, momentum, dampening, weight_decay = 0.1, 0.9, 0.2, 0.01
    start = [1.0, -2.0]
    p = torch.tensor(start, requires_grad=True)
    optimizer = optim.SGD([p], lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
    expected, buf = list(start), None
    for _ in range(3):
        optimizer.zero_grad()
        (p**3).sum().backward()  # g = 3 p²
        optimizer.step()
        g = [3 * x**2 + weight_decay * x for x in expected]
        buf = g if buf is None else [momentum * b + (1 - dampening) * gi for b, gi in zip(buf, g)]
        expected = [x - lr * b for x, b in zip(expected, buf)]
        assert p.tolist() == pytest.approx(expected, rel=1e-14)
    assert optimizer.state[p]["momentum_buffer"].tolist() == pytest.approx(buf, rel=1e-14)


def test_sgd_nesterov_steps_by_hand(backend):
    lr, momentum = 0.05, 0.8
    p = torch.tensor([1.0, -2.0], requires_grad=True)
    optimizer = optim.SGD([p], lr=lr, momentum=momentum, nesterov=True)
    expected, buf = [1.0, -2.0], None
    for _ in range(3):
        optimizer.zero_grad()
        (p**3).sum().backward()
        optimizer.step()
        g = [3 * x**2 for x in expected]
        buf = g if buf is None else [momentum * b + gi for b, gi in zip(buf, g)]
        expected = [x - lr * (gi + momentum * b) for x, gi, b in zip(expected, g, buf)]
        assert p.tolist() == pytest.approx(expected, rel=1e-14)


def test_adam_steps_by_hand(backend):
    lr, (beta1, beta2), eps = 0.01, (0.8, 0.9), 1e-8
    p = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    optimizer = optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    expected, m, v = [1.0, -2.0, 0.5], [0.0] * 3, [0.0] * 3
    for t in (1, 2, 3):
        optimizer.zero_grad()
        (p**3).sum().backward()
        optimizer.step()
        g = [3 * x**2 for x in expected]
        m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
        v = [beta2 * vi + (1 - beta2) * gi**2 for vi, gi in zip(v, g)]
        m_hat = [mi / (1 - beta1**t) for mi in m]
        v_hat = [vi / (1 - beta2**t) for vi in v]
        expected = [x - lr * mh / (math.sqrt(vh) + eps) for x, mh, vh in zip(expected, m_hat, v_hat)]
        assert p.tolist() == pytest.approx(expected, rel=1e-13)
    assert optimizer.state[p]["step"] == 3


def test_adam_first_step_moves_each_parameter_by_lr():
    """At t = 1 the bias corrections cancel: the step is lr · g / (|g| + eps), about lr."""
    p = torch.tensor([3.0, -1e3], requires_grad=True)
    optimizer = optim.Adam([p], lr=0.1)
    (p * torch.tensor([0.5, -7.0])).sum().backward()
    optimizer.step()
    eps = 1e-8
    assert p.tolist() == pytest.approx([3 - 0.1 * 0.5 / (0.5 + eps), -1e3 + 0.1 * 7 / (7 + eps)], rel=1e-15)
    assert p.tolist() != [3.0 - 0.1, -1e3 + 0.1]  # eps is in the denominator


def test_weight_decay_in_adam_adds_to_the_gradient():
    p = torch.tensor([2.0], requires_grad=True)
    optimizer = optim.Adam([p], lr=0.1, weight_decay=0.5)
    (p * 0.0).sum().backward()  # no gradient from the loss: only the decay, 0.5 · 2
    optimizer.step()
    assert p.tolist() == pytest.approx([2 - 0.1 * 1 / (1 + 1e-8)], rel=1e-15)


# ---- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_an_empty_parameter_list_is_refused(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__} got an empty parameter list"):
        cls([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        cls(nn.ReLU().parameters(), lr=0.1)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_a_negative_learning_rate_is_refused(cls):
    with pytest.raises(ValueError, match="learning rate must be >= 0, got lr=-0.1"):
        cls([torch.tensor([1.0], requires_grad=True)], lr=-0.1)


def test_nesterov_without_momentum_is_refused():
    p = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="dampening = 0"):
        optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def test_adam_betas_outside_zero_to_one_are_refused():
    with pytest.raises(ValueError, match=r"betas must each be in \[0, 1\), got \(0.9, 1.0\)"):
        optim.Adam([torch.tensor([1.0], requires_grad=True)], betas=(0.9, 1.0))


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_a_non_leaf_parameter_is_refused(cls, backend):
    leaf = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"leaf tensors.*item 1 is tensor\(\[2\.\], grad_fn=<MulBackward0>\)"):
        cls([leaf, leaf * 2], lr=0.1)


def test_a_frozen_parameter_is_accepted_and_left_alone(backend):
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    model[0].weight.requires_grad_(False)
    frozen = model[0].weight.tolist()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    model(torch.ones(4, 2)).sum().backward()
    optimizer.step()
    assert model[0].weight.tolist() == frozen
    assert model[1].weight.grad is not None


def test_a_weight_is_changed_in_place_only_outside_the_graph(backend):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add_\(\) would change a tensor that requires grad.*no_grad"):
        w.add_(torch.tensor([1.0, 1.0]), alpha=-0.1)
    with torch.no_grad():
        w.add_(torch.tensor([1.0, 1.0]), alpha=-0.5).mul_(2.0)
    assert w.tolist() == [1.0, 3.0]
    w.data -= 1.0  # .data is outside the graph, as in PyTorch
    assert w.tolist() == [0.0, 2.0]
