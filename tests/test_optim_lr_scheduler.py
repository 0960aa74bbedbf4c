"""Learning-rate schedulers: the lr of each epoch, by their formulas; PyTorch's order of calls and
its warning; initial_lr, get_last_lr, last_epoch, state_dict; resuming; bad settings refused.
Whole runs against PyTorch are in test_training_torch_fixtures.py (SCHEDULERS)."""

import math
import warnings

import pytest

import micrograd_edu as torch
from micrograd_edu import optim
from micrograd_edu.optim import lr_scheduler


def an_optimizer(lr=0.1, groups=1):
    tensors = [torch.tensor([1.0], requires_grad=True) for _ in range(groups)]
    return optim.SGD([{"params": [t]} for t in tensors], lr=lr)


def lrs_over(scheduler, epochs):
    """The lr each epoch trains with: optimizer.step() with it, then scheduler.step()."""
    seen = []
    for _ in range(epochs):
        seen.append(scheduler.optimizer.param_groups[0]["lr"])
        scheduler.optimizer.step()
        scheduler.step()
    return seen


def test_steplr_by_its_formula(backend):
    scheduler = lr_scheduler.StepLR(an_optimizer(lr=0.1), step_size=3, gamma=0.5)
    expected = [0.1 * 0.5 ** (epoch // 3) for epoch in range(10)]
    assert lrs_over(scheduler, 10) == pytest.approx(expected, rel=1e-15)
    assert scheduler.last_epoch == 10 and scheduler.get_last_lr() == [pytest.approx(0.1 * 0.5**3)]


def test_multisteplr_cuts_at_each_milestone_twice_at_a_repeated_one(backend):
    scheduler = lr_scheduler.MultiStepLR(an_optimizer(lr=1.0), milestones=[4, 2, 4], gamma=0.1)
    assert lrs_over(scheduler, 6) == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.001, 0.001])


def test_exponentiallr_by_its_formula(backend):
    scheduler = lr_scheduler.ExponentialLR(an_optimizer(lr=0.2), gamma=0.9)
    assert lrs_over(scheduler, 5) == pytest.approx([0.2 * 0.9**epoch for epoch in range(5)], rel=1e-15)


def test_lambdalr_one_function_for_each_group(backend):
    optimizer = an_optimizer(lr=0.5, groups=2)
    scheduler = lr_scheduler.LambdaLR(optimizer, [lambda epoch: 0.5**epoch, lambda epoch: epoch + 1])
    assert scheduler.get_last_lr() == [0.5, 0.5]
    optimizer.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [0.25, 1.0]
    assert scheduler.base_lrs == [0.5, 0.5]


def test_cosine_annealing_by_its_closed_form_down_and_back_up(backend):
    eta_min, top, period = 0.001, 0.1, 5
    scheduler = lr_scheduler.CosineAnnealingLR(an_optimizer(lr=top), T_max=period, eta_min=eta_min)
    closed = [eta_min + (top - eta_min) * (1 + math.cos(math.pi * t / period)) / 2 for t in range(16)]
    assert lrs_over(scheduler, 16) == pytest.approx(closed, rel=1e-12)


def test_the_scheduler_records_initial_lr_in_each_group(backend):
    optimizer = an_optimizer(lr=0.3, groups=2)
    optimizer.param_groups[1]["lr"] = 0.03
    lr_scheduler.StepLR(optimizer, step_size=2)
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.3, 0.03]


def test_an_lr_set_by_hand_is_where_the_schedule_goes_on_from(backend):
    optimizer = an_optimizer(lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    optimizer.step()
    scheduler.step()
    optimizer.param_groups[0]["lr"] = 10.0
    optimizer.step()
    scheduler.step()  # epoch 2: cut by gamma, from the lr as it is now
    assert scheduler.get_last_lr() == [5.0]


def test_two_schedulers_on_one_optimizer_multiply(backend):
    optimizer = an_optimizer(lr=1.0)
    schedulers = [
        lr_scheduler.ExponentialLR(optimizer, gamma=0.5),
        lr_scheduler.StepLR(optimizer, 1, gamma=0.1),
    ]
    optimizer.step()
    for scheduler in schedulers:
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05)


def test_scheduler_step_before_optimizer_step_is_warned_about_as_in_pytorch(backend):
    scheduler = lr_scheduler.StepLR(an_optimizer(), step_size=1)
    with pytest.warns(
        UserWarning, match=r"^Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"
    ):
        scheduler.step()


def test_the_right_order_is_not_warned_about(backend):
    optimizer = an_optimizer()
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lrs_over(scheduler, 4)


def test_get_lr_outside_step_points_to_get_last_lr(backend):
    scheduler = lr_scheduler.StepLR(an_optimizer(), step_size=1)
    with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
        scheduler.get_lr()


def test_step_with_an_epoch_is_refused_and_says_how(backend):
    scheduler = lr_scheduler.StepLR(an_optimizer(), step_size=1)
    with pytest.raises(TypeError, match=r"takes no epoch.*call scheduler.step\(\) once an epoch"):
        scheduler.step(3)


def test_a_scheduler_resumes_from_its_state_dict(backend):
    optimizer = an_optimizer(lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    lrs_over(scheduler, 3)
    saved_optimizer, saved = optimizer.state_dict(), scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3 and saved["base_lrs"] == [1.0]

    again = an_optimizer(lr=1.0)
    again.load_state_dict(saved_optimizer)
    resumed = lr_scheduler.StepLR(again, step_size=2, gamma=0.5, last_epoch=saved["last_epoch"] - 1)
    resumed.load_state_dict(saved)
    assert lrs_over(resumed, 3) == lrs_over(scheduler, 3)


def test_lambdalr_state_dict_keeps_a_callable_objects_attributes(backend):
    class Warmup:
        def __init__(self, epochs):
            self.epochs = epochs

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.epochs)

    scheduler = lr_scheduler.LambdaLR(an_optimizer(), Warmup(4))
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"epochs": 4}]
    assert lr_scheduler.LambdaLR(an_optimizer(), lambda e: 1.0).state_dict()["lr_lambdas"] == [None]
    other = lr_scheduler.LambdaLR(an_optimizer(), Warmup(10))
    other.load_state_dict(state)
    assert other.lr_lambdas[0].epochs == 4


# ---- refused ---------------------------------------------------------------------------------------


def test_resuming_without_initial_lr_is_refused_with_pytorchs_words(backend):
    with pytest.raises(
        KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\].*last_epoch=4"
    ):
        lr_scheduler.ExponentialLR(an_optimizer(), gamma=0.9, last_epoch=4)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda o: lr_scheduler.StepLR(o, step_size=0),
            ValueError,
            "StepLR's step_size .* must be > 0; got step_size=0",
        ),
        (
            lambda o: lr_scheduler.StepLR(o, step_size="3"),
            TypeError,
            "step_size must be a number, got step_size='3'",
        ),
        (lambda o: lr_scheduler.StepLR(o, 3, gamma=None), TypeError, "StepLR's gamma must be a number"),
        (
            lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0),
            ValueError,
            "T_max .* must be > 0; got T_max=0",
        ),
        (lambda o: lr_scheduler.MultiStepLR(o, 30), TypeError, r"milestones .* a list such as \[30, 80\]"),
        (lambda o: lr_scheduler.LambdaLR(o, 0.95), TypeError, "a function of the epoch.*got 0.95"),
        (
            lambda o: lr_scheduler.ExponentialLR(o, gamma="0.9"),
            TypeError,
            "write gamma=0.9, without the quotes",
        ),
        (
            lambda o: lr_scheduler.StepLR(o.param_groups, 3),
            TypeError,
            "list is not an Optimizer.*takes the optimizer",
        ),
    ],
    ids=[
        "step_size_0",
        "step_size_str",
        "gamma_none",
        "t_max_0",
        "milestones_int",
        "lambda_number",
        "gamma_str",
        "groups",
    ],
)
def test_a_bad_scheduler_setting_is_refused_by_name(make, error, message, backend):
    with pytest.raises(error, match=message):
        make(an_optimizer())
