"""Learning-rate schedulers (torch.optim.lr_scheduler): each group's lr, changed as the epochs go by.

    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, optimizer)      # ... optimizer.step() ...
        scheduler.step()                       # then the scheduler: lr 0.1, then 0.01 from epoch 30

A scheduler counts epochs in `last_epoch` (0 once it is made) and writes the lr of the epoch
to come into every `group["lr"]`; `get_last_lr()` is that list. It remembers each group's
first lr as `group["initial_lr"]` (its `base_lrs`). As in PyTorch, a new lr is computed from
the group's current one (StepLR multiplies it by gamma), so an lr you set by hand carries on
from where you set it.
"""

from __future__ import annotations

import math
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from micrograd_edu.optim.optimizer import Optimizer, require_number


class LRScheduler:
    """The base of every scheduler: its epoch count, and step(), which moves it one epoch on.

    A scheduler writes get_lr(): the lr of every group for epoch `last_epoch`.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(optimizer).__name__} is not an Optimizer: a scheduler changes an optimizer's lr, so "
                f"it takes the optimizer, as in {type(self).__name__}(optimizer, ...)"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler "
                        f"with last_epoch >= 0. Got last_epoch={last_epoch}: load the optimizer's "
                        "state_dict, saved while it had a scheduler, before making this one (a new run "
                        "starts at last_epoch=-1, the default)"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._initial = True  # the step made here: the first epoch's lr, not a change of it
        self._in_step = False
        self.step()
        self._initial = False

    def get_lr(self) -> list[float]:
        """The lr of every group for epoch `last_epoch`; step() calls it (read get_last_lr())."""
        raise NotImplementedError(
            f"{type(self).__name__} does not say what lr an epoch has: write its get_lr()"
        )

    def step(self, epoch: int | None = None) -> None:
        """One epoch on: last_epoch + 1, and each lr set to that epoch's. Call it after optimizer.step()."""
        if epoch is not None:
            raise TypeError(
                f"{type(self).__name__}.step() takes no epoch here (PyTorch deprecated step(epoch)): call "
                "scheduler.step() once an epoch, after optimizer.step()"
            )
        if self._step_count == 1 and not self.optimizer.step_called:
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. You should call them in "
                "the opposite order: `optimizer.step()` before `lr_scheduler.step()`; otherwise the first "
                "value of the learning rate schedule is skipped (each epoch trains with the next one's lr). "
                "See https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self.last_epoch += 1
        self._in_step = True
        try:
            lrs = self.get_lr()
        finally:
            self._in_step = False
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lr of every group, as the last step() set it."""
        return self._last_lr

    def current_lrs(self) -> list[float]:
        """Every group's lr as it is now (what a schedule changes from)."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything the scheduler keeps but the optimizer, as in PyTorch."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)

    def _check_called_by_step(self) -> None:
        if not self._in_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use `get_last_lr()`. "
                "(get_lr() is how step() computes the next one.)",
                UserWarning,
                stacklevel=3,
            )


class StepLR(LRScheduler):
    """lr × gamma every step_size epochs: lr = initial_lr · gamma ** (epoch // step_size)."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        require_positive("StepLR", "step_size", step_size, "the number of epochs between two decays")
        require_number("StepLR", "gamma", gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._check_called_by_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.current_lrs()
        return [lr * self.gamma for lr in self.current_lrs()]


class MultiStepLR(LRScheduler):
    """lr × gamma at each epoch of `milestones` (twice at a milestone given twice)."""

    def __init__(
        self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if not isinstance(milestones, Iterable):
            raise TypeError(
                f"MultiStepLR's milestones are the epochs at which the lr is cut, a list such as [30, 80]; "
                f"got milestones={milestones!r}"
            )
        self.milestones = Counter(milestones)
        for milestone in self.milestones:
            require_number("MultiStepLR", "milestones", milestone)
        require_number("MultiStepLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._check_called_by_step()
        if self.last_epoch not in self.milestones:
            return self.current_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self.current_lrs()]


class ExponentialLR(LRScheduler):
    """lr × gamma every epoch: lr = initial_lr · gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        require_number("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._check_called_by_step()
        if self._initial:
            return self.current_lrs()
        return [lr * self.gamma for lr in self.current_lrs()]


class LambdaLR(LRScheduler):
    """lr = initial_lr · lr_lambda(epoch): your function of the epoch (or one per group).

    >>> import micrograd_edu as torch
    >>> w = torch.zeros(1, requires_grad=True)
    >>> optimizer = torch.optim.SGD([w], lr=0.5)
    >>> scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1 / (epoch + 1))
    >>> optimizer.step(); scheduler.step(); scheduler.get_last_lr()
    [0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = optimizer
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)} (one "
                    "function for each parameter group, or one function for all of them)"
                )
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(
                    f"LambdaLR's lr_lambda is a function of the epoch, such as lambda epoch: 0.95 ** epoch; "
                    f"got {f!r}"
                )
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._check_called_by_step()
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """As the base's, with a function's own attributes for each lr_lambda (None for a plain
        function or lambda, which cannot be saved), as in PyTorch."""
        state = {key: value for key, value in vars(self).items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) else dict(vars(f)) for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for f, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                vars(f).update(attributes)


class CosineAnnealingLR(LRScheduler):
    """lr from initial_lr down to eta_min along half a cosine over T_max epochs (then back up):

    lr = eta_min + (initial_lr - eta_min) · (1 + cos(π · epoch / T_max)) / 2

    reached, as in PyTorch, by a step from the current lr each epoch:
    lr ← eta_min + (lr - eta_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t - 1) / T_max)).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        require_positive(
            "CosineAnnealingLR", "T_max", T_max, "the number of epochs from the top to the bottom"
        )
        require_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._check_called_by_step()
        t, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self.current_lrs()
        if (t - 1 - period) % (2 * period) == 0:  # at the bottom the ratio below is 0/0: a step up instead
            cos = math.cos(math.pi / period)
            return [lr + (base - low) * (1 - cos) / 2 for lr, base in zip(self.current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - low) + low for lr in self.current_lrs()]


def require_positive(owner: str, name: str, value: Any, meaning: str) -> None:
    """A number of epochs must be > 0: PyTorch would divide by it at the first step."""
    require_number(owner, name, value)
    if not value > 0:
        raise ValueError(f"{owner}'s {name} is {meaning}, so it must be > 0; got {name}={value}")
