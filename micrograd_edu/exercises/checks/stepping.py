"""Checking a student's optimizer against the package's, step by step (exercises 8 and 9).

Both get the same parameters and the same gradients; after every step each parameter
must hold the same numbers. A `Rule` replays an update for one number in plain floats,
`(state, grad, p) -> (state, new p)` with the state None before the first step, so that
a known mistake's numbers can be computed and recognised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import micrograd_edu
from micrograd_edu import Tensor, nn
from micrograd_edu.exercises.checking import NotYet, close, describe, expect

Rule = Callable[[Any, float, float], tuple[Any, float]]
Gradients = Sequence[Sequence[Sequence[float] | None]]  # per step, per parameter (None: no gradient)

IN_PLACE = (
    "the parameter did not move: change it in place, p.add_(..., alpha=...) inside no_grad(); "
    "`p = p - ...` only gives the name p a new tensor, which the model never sees"
)


def unmoved(state: Any, g: float, p: float) -> tuple[Any, float]:
    """A step that changes nothing the model can see."""
    return state, p


def simulate(
    rule: Rule, start: Sequence[float], grads: Sequence[Sequence[float] | None]
) -> list[list[float]]:
    """One parameter's numbers after each step, by `rule`."""
    states: list[Any] = [None] * len(start)
    p, after = list(start), []
    for g in grads:
        if g is not None:
            for i in range(len(p)):
                states[i], p[i] = rule(states[i], g[i], p[i])
        after.append(list(p))
    return after


def side_by_side(
    mine: Callable[[list[Tensor]], object],
    reference: Callable[[list[Tensor]], Any],
    start: Sequence[Sequence[float]],
    grads: Gradients,
    settings: str,
    mistakes: Sequence[tuple[Rule, str]] = (),
) -> None:
    """Step the student's optimizer and the reference one on copies of the same parameters."""
    ours = [micrograd_edu.tensor(list(v), requires_grad=True) for v in start]
    theirs = [micrograd_edu.tensor(list(v), requires_grad=True) for v in start]
    optimizer, ref = mine(ours), reference(theirs)
    per_parameter = [[step[i] for step in grads] for i in range(len(start))]
    replays = [
        [(simulate(rule, start[i], per_parameter[i]), hint) for rule, hint in mistakes]
        for i in range(len(start))
    ]
    for k, step in enumerate(grads):
        for p, q, g in zip(ours, theirs, step):
            p.grad = None if g is None else micrograd_edu.tensor(list(g))
            q.grad = None if g is None else micrograd_edu.tensor(list(g))
        stepped(optimizer)
        ref.step()
        for i, (p, q) in enumerate(zip(ours, theirs)):
            known = [(replay[k], hint) for replay, hint in replays[i]]
            close(p, q, f"parameter {i} after step {k + 1} ({settings})", mistakes=known, tol=1e-9)


def stepped(optimizer: object) -> None:
    """optimizer.step(), with a hint if it changed a parameter while the graph was recorded."""
    step = getattr(optimizer, "step", None)
    expect(
        callable(step), f"the optimizer {describe(optimizer)} has no step()", "give it a step(self) method"
    )
    assert callable(step)
    try:
        step()
    except RuntimeError as e:
        if "no_grad" in str(e):
            raise NotYet(
                f"step() raised RuntimeError: {e}", "move the parameters inside with no_grad():"
            ) from None
        raise


def zero_grad_clears(optimizer_class: Callable[..., object], **settings: Any) -> None:
    params = [
        micrograd_edu.tensor([1.0, 2.0], requires_grad=True),
        micrograd_edu.tensor([3.0], requires_grad=True),
    ]
    for p in params:
        p.grad = micrograd_edu.tensor([0.5] * p.numel())
    optimizer = optimizer_class(params, **settings)
    zero_grad = getattr(optimizer, "zero_grad", None)
    expect(callable(zero_grad), "the optimizer has no zero_grad()", "give it a zero_grad(self) method")
    assert callable(zero_grad)
    zero_grad()
    for i, p in enumerate(params):
        expect(
            p.grad is None or not any(p.grad.tolist()),
            f"after zero_grad(), parameter {i}'s grad is {p.grad!r}",
            "set p.grad = None for every parameter",
        )


def train_both(mine: Callable[[Any], object], reference: Callable[[Any], Any], steps: int = 5) -> None:
    """A few real training steps of two copies of one small model, compared after each."""
    X, y = micrograd_edu.data.xor()
    models = []
    for _ in range(2):
        micrograd_edu.manual_seed(3)
        models.append(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid()))
    optimizers = [mine(models[0].parameters()), reference(models[1].parameters())]
    before = [p.tolist() for p in models[0].parameters()]
    criterion = nn.BCELoss()
    for k in range(steps):
        for model, optimizer in zip(models, optimizers):
            for p in model.parameters():
                p.grad = None
            criterion(model(X), y).backward()
            stepped(optimizer)
        for (name, p), q, start in zip(models[0].named_parameters(), models[1].parameters(), before):
            close(p, q, f"{name} after training step {k + 1}", tol=1e-9, mistakes=[(start, IN_PLACE)])
