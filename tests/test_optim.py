"""optim: each optimizer follows the update rule in its docstring (PyTorch's), checked step by
step by hand, and updates the parameters in place, on both backends. Their numbers against
PyTorch's are in test_training_torch_fixtures.py; parameter groups and state_dict in
test_optim_param_groups.py; schedulers in test_optim_lr_scheduler.py; errors in
test_optim_errors.py."""

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
        lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
        lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=1e-4),
        lambda ps: optim.RMSprop(ps, lr=0.03),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
        lambda ps: optim.Adagrad(ps, lr=0.5),
    ],
    ids=["sgd", "momentum", "nesterov", "adam", "amsgrad", "adamw", "rmsprop", "rmsprop_centered", "adagrad"],
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
    for optimizer in (
        optim.SGD([used, unused], lr=0.1, momentum=0.9),
        optim.Adam([used, unused], lr=0.1),
        optim.RMSprop([used, unused]),
    ):
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


def test_rmsprop_steps_by_hand(backend):
    lr, alpha, eps, momentum, weight_decay = 0.01, 0.9, 1e-6, 0.5, 0.1
    p = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    optimizer = optim.RMSprop(
        [p], lr=lr, alpha=alpha, eps=eps, momentum=momentum, centered=True, weight_decay=weight_decay
    )
    expected, v, mean, buf = [1.0, -2.0, 0.5], [0.0] * 3, [0.0] * 3, [0.0] * 3
    for _ in range(3):
        optimizer.zero_grad()
        (p**3).sum().backward()
        optimizer.step()
        g = [3 * x**2 + weight_decay * x for x in expected]
        v = [alpha * vi + (1 - alpha) * gi**2 for vi, gi in zip(v, g)]
        mean = [mi + (1 - alpha) * (gi - mi) for mi, gi in zip(mean, g)]
        avg = [math.sqrt(vi - mi**2) + eps for vi, mi in zip(v, mean)]
        buf = [momentum * b + gi / a for b, gi, a in zip(buf, g, avg)]
        expected = [x - lr * b for x, b in zip(expected, buf)]
        assert p.tolist() == pytest.approx(expected, rel=1e-13)
    assert list(optimizer.state[p]) == ["step", "square_avg", "momentum_buffer", "grad_avg"]
    assert optimizer.state[p]["step"].item() == 3


def test_adagrad_steps_by_hand(backend):
    lr, lr_decay, start, eps = 0.1, 0.5, 0.25, 1e-10
    p = torch.tensor([1.0, -2.0], requires_grad=True)
    optimizer = optim.Adagrad([p], lr=lr, lr_decay=lr_decay, initial_accumulator_value=start)
    assert optimizer.state[p]["sum"].tolist() == [start, start]  # made at once, as in PyTorch
    assert optimizer.state[p]["step"].item() == 0
    expected, total = [1.0, -2.0], [start, start]
    for t in (1, 2, 3):
        optimizer.zero_grad()
        (p**3).sum().backward()
        optimizer.step()
        g = [3 * x**2 for x in expected]
        total = [s + gi**2 for s, gi in zip(total, g)]
        step_lr = lr / (1 + (t - 1) * lr_decay)
        expected = [x - step_lr * gi / (math.sqrt(s) + eps) for x, gi, s in zip(expected, g, total)]
        assert p.tolist() == pytest.approx(expected, rel=1e-13)


def test_adamw_decays_the_weights_directly(backend):
    """AdamW: p ← p (1 - lr · wd), then Adam's step from the gradient alone; Adam adds wd · p to g."""
    lr, wd = 0.1, 0.5
    start = [2.0, -1.0]
    for cls, kwargs in ((optim.AdamW, {}), (optim.Adam, {"decoupled_weight_decay": True})):
        p = torch.tensor(start, requires_grad=True)
        optimizer = cls([p], lr=lr, weight_decay=wd, **kwargs)
        (p * torch.tensor([0.5, 0.5])).sum().backward()
        optimizer.step()
        decayed = [x * (1 - lr * wd) for x in start]
        assert p.tolist() == pytest.approx([x - lr * 0.5 / (0.5 + 1e-8) for x in decayed], rel=1e-15)
    assert optim.AdamW([p]).defaults["weight_decay"] == 0.01  # PyTorch's default, not Adam's 0
    coupled = torch.tensor(start, requires_grad=True)
    optimizer = optim.Adam([coupled], lr=lr, weight_decay=wd)
    (coupled * torch.tensor([0.5, 0.5])).sum().backward()
    optimizer.step()
    assert coupled.tolist() != p.tolist()


def test_amsgrad_divides_by_the_largest_mean_square_so_far(backend):
    p = torch.tensor([1.0], requires_grad=True)
    optimizer = optim.Adam([p], lr=0.1, betas=(0.5, 0.5), amsgrad=True)
    for g in (4.0, 0.1):  # the second gradient is small: v falls, its running max does not
        p.grad = torch.tensor([g])
        optimizer.step()
    state = optimizer.state[p]
    assert state["exp_avg_sq"].tolist() == pytest.approx([0.5 * 0.5 * 16 + 0.5 * 0.01])
    assert state["max_exp_avg_sq"].tolist() == [8.0]


def test_amsgrad_keeps_a_nan_as_torch_maximum_does(backend):
    p = torch.tensor([1.0, 1.0], requires_grad=True)
    optimizer = optim.Adam([p], amsgrad=True)
    p.grad = torch.tensor([float("nan"), 1.0])
    optimizer.step()
    p.grad = torch.tensor([1.0, 1.0])
    optimizer.step()
    assert math.isnan(optimizer.state[p]["max_exp_avg_sq"].tolist()[0])


def test_step_takes_a_closure_and_returns_its_loss(backend):
    p = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
    optimizer = optim.SGD([p], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = quadratic(p)
        loss.backward()
        return loss

    with torch.no_grad():  # step() records the closure's graph even so
        loss = optimizer.step(closure)
    assert loss.item() == pytest.approx(sum(x * x for x in TARGET))
    assert p.tolist() == pytest.approx([0.2 * x for x in TARGET])
    assert optimizer.step() is None


def test_an_optimizer_written_by_hand_as_in_a_pytorch_course(backend):
    """The base class is PyTorch's: defaults, param_groups and state, and a step() of your own."""

    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.01):
            super().__init__(params, dict(lr=lr))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self.state[p]["steps"] = self.state[p].get("steps", 0) + 1
                        p.add_((p.grad > 0).float() - (p.grad < 0).float(), alpha=-group["lr"])

    p = torch.tensor([1.0, -1.0], requires_grad=True)
    optimizer = SignSGD([{"params": [p], "lr": 0.25}])
    (p * torch.tensor([3.0, -0.5])).sum().backward()
    optimizer.step()
    assert p.tolist() == [0.75, -0.75]
    assert optimizer.state[p]["steps"] == 1 and optimizer.step_called


def test_without_an_update_rule_step_says_what_to_write():
    p = torch.tensor([1.0], requires_grad=True)
    p.grad = torch.tensor([1.0])
    with pytest.raises(NotImplementedError, match=r"Optimizer does not say how to move a parameter.*update"):
        optim.Optimizer([p], {"lr": 0.1}).step()


def test_state_step_is_a_tensor_as_in_pytorch(backend):
    p = torch.tensor([1.0], requires_grad=True)
    optimizer = optim.Adam([p])
    p.grad = torch.tensor([1.0])
    optimizer.step()
    optimizer.step()
    step = optimizer.state[p]["step"]
    assert isinstance(step, torch.Tensor) and step.backend == backend
    assert repr(step) == "tensor(2.)"


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
