"""Checks for exercise 13, training to a target accuracy: a step against the tutorial's own
step (forward, loss, zero_grad, backward, step) on a copy of one model, then the student's
model, optimizer and step trained for 300 steps and measured on new points."""

from __future__ import annotations

import math

import micrograd_edu
from micrograd_edu import Tensor, nn, optim
from micrograd_edu.exercises.checking import Checks, close, describe, expect, number

CHECKS = Checks("make_model", "make_optimizer", "training_step")

STEPS, TARGET = 300, 0.95
ZERO_GRAD = "optimizer.zero_grad() before loss.backward(): gradients add up from step to step otherwise"
STEP = (
    "the weights did not move: after loss.backward(), optimizer.step(), and no zero_grad() between the two "
    "(it would wipe the gradients the step needs)"
)


def tutorial_model() -> nn.Module:
    micrograd_edu.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())


def tutorial_step(
    model: nn.Module, optimizer: optim.Optimizer, X: Tensor, y: Tensor, zero: bool = True
) -> float:
    loss = nn.BCELoss()(model(X), y)
    if zero:
        optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def weights(model: nn.Module) -> list:
    return [p.tolist() for p in model.parameters()]


@CHECKS.check(
    "make_model() maps points (N, 2) to probabilities (N, 1)",
    hints=(
        "nn.Sequential(a Linear from 2 inputs, an activation, a Linear to 1 output, nn.Sigmoid())",
        "the Sigmoid at the end turns the last layer's score into a probability, between 0 and 1",
    ),
)
def model_shape(make_model):
    model = make_model()
    expect(isinstance(model, nn.Module), f"make_model() returned {describe(model)}", "return an nn.Module")
    expect(bool(list(model.parameters())), "the model has no parameters", "give it nn.Linear layers")
    backend = next(iter(model.parameters())).backend
    X = micrograd_edu.tensor([[0.0, 0.0], [1.0, -0.5], [2.0, 0.5], [-1.0, 1.0], [0.5, 0.25]], backend=backend)
    out = model(X)
    expect(isinstance(out, Tensor), f"model(X) returned {describe(out)}", "forward returns a tensor")
    expect(
        out.shape == (5, 1), f"for X of shape (5, 2) the model gives shape {tuple(out.shape)}, not (5, 1)", ""
    )
    values = out.reshape(-1).tolist()
    expect(
        all(0.0 <= v <= 1.0 for v in values),
        f"the model's outputs {[round(v, 3) for v in values]} are not all probabilities",
        "end the model with nn.Sigmoid()",
    )


@CHECKS.check(
    "make_optimizer(model) moves the model's parameters",
    hints=("pass model.parameters() to the optimizer, with a learning rate above 0",),
)
def optimizer_moves(make_model, make_optimizer):
    model = make_model()
    optimizer = make_optimizer(model)
    for name in ("step", "zero_grad"):
        expect(
            callable(getattr(optimizer, name, None)), f"the optimizer has no {name}()", "use one from optim"
        )
    before = weights(model)
    for p in model.parameters():
        p.grad = micrograd_edu.ones(*p.shape, backend=p.backend)
    optimizer.step()
    expect(weights(model) != before, "after optimizer.step(), no parameter of the model moved", "")


@CHECKS.check(
    "one training step: forward, loss, backward, update",
    hints=(
        "the five lines of every training step: outputs = model(X); loss = criterion(outputs, y); "
        "optimizer.zero_grad(); loss.backward(); optimizer.step()",
        "and return loss.item(): the loss as a float, before the update",
    ),
)
def one_step(training_step):
    X, y = micrograd_edu.data.xor()
    mine, theirs = tutorial_model(), tutorial_model()
    start = weights(mine)
    mine_opt, their_opt = optim.SGD(mine.parameters(), lr=0.5), optim.SGD(theirs.parameters(), lr=0.5)
    loss = number(training_step(mine, mine_opt, X, y), "training_step's result")
    expected = tutorial_step(theirs, their_opt, X, y)
    close(
        loss, expected, "training_step's result, the loss before the step", hint="nn.BCELoss()(model(X), y)"
    )
    after = weights(mine)
    expect(after != start, "training_step left the model's weights as they were", STEP)
    for k, (p, q) in enumerate(zip(after, weights(theirs))):
        close(
            p, q, f"parameter {k} after one step (SGD, lr=0.5)", hint="the loss is nn.BCELoss(), on model(X)"
        )


@CHECKS.check(
    "each step starts from fresh gradients",
    hints=(ZERO_GRAD,),
)
def fresh_gradients(training_step):
    X, y = micrograd_edu.data.xor()
    models = [tutorial_model() for _ in range(3)]
    optimizers = [optim.SGD(m.parameters(), lr=0.5) for m in models]
    for _ in range(3):
        training_step(models[0], optimizers[0], X, y)
        tutorial_step(models[1], optimizers[1], X, y)
        tutorial_step(models[2], optimizers[2], X, y, zero=False)
    for k, (p, q, r) in enumerate(zip(weights(models[0]), weights(models[1]), weights(models[2]))):
        close(p, q, f"parameter {k} after three steps (SGD, lr=0.5)", mistakes=[(r, ZERO_GRAD)])


@CHECKS.check(
    f"your model reaches {TARGET:.0%} accuracy on new points after {STEPS} steps",
    hints=(
        "two moons need a curved boundary: a hidden layer (8 to 16 units) with tanh or relu",
        "Adam with lr around 0.05, or SGD with lr around 0.5 and momentum 0.9, get there in 300 steps",
    ),
    timeout=180.0,
)
def accuracy(make_model, make_optimizer, training_step):
    micrograd_edu.manual_seed(0)
    model = make_model()
    optimizer = make_optimizer(model)
    backend = next(iter(model.parameters())).backend
    X, y = micrograd_edu.data.moons(100, seed=1, backend=backend)
    losses = [number(training_step(model, optimizer, X, y), "training_step's result") for _ in range(STEPS)]
    broken = [v for v in losses if not math.isfinite(v)]
    expect(
        not broken,
        f"the loss became {broken[0] if broken else 0.0} during training",
        "the steps are too large: a smaller lr",
    )
    X_new, y_new = micrograd_edu.data.moons(200, seed=2, backend=backend)
    with micrograd_edu.no_grad():
        right = ((model(X_new) > 0.5).float() == y_new).float().mean().item()
    moved = f"the loss went from {losses[0]:.3f} to {losses[-1]:.3f}"
    hint = (
        "the loss hardly went down: a larger learning rate, or momentum, or Adam"
        if losses[-1] > 0.8 * losses[0]
        else "it learns, but not enough: the moons need a curved boundary, so a hidden layer with tanh or "
        "relu (8 to 16 units), or a larger learning rate"
    )
    expect(right >= TARGET, f"accuracy {right:.1%} on 200 new points ({moved})", hint)
