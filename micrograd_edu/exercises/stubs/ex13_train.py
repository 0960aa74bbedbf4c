"""Exercise 13: Train a model to 95% accuracy

Everything together. The checks train your model on 100 points of two moons (two
interleaved half circles: `micrograd_edu.data.moons`), calling your `training_step` 300
times on the whole batch, then measure its accuracy on 200 new points: 95% passes
(a straight line gets about 90%).

Write three functions:

- `make_model()`: a new model, an nn.Module mapping a batch of points, shape (N, 2), to
  the probability of class 1, shape (N, 1), so it ends with a Sigmoid. A straight line
  cannot separate the moons: it needs a hidden layer and a nonlinearity.
- `make_optimizer(model)`: the optimizer that will train it. SGD, momentum, Adam, the
  learning rate: your choice.
- `training_step(model, optimizer, X, y)`: one step of training on the batch X with
  labels y (shape (N, 1), 0. or 1.): the forward pass, the loss (nn.BCELoss), the
  gradients, the update. It returns the loss as a float, as it was before the update.

The checks seed micrograd_edu (manual_seed(0)) before make_model, so every run is the
same. Keep the model small: it trains on the python backend, where every step builds a
graph of Values (a hidden layer of 8 to 16 takes a few seconds for 300 steps).

Check your work:  micrograd-edu check 13
In a notebook:    from micrograd_edu.exercises import check
                  check(13, make_model, make_optimizer, training_step)
"""

import micrograd_edu as torch
from micrograd_edu import Tensor, nn, optim


def make_model() -> nn.Module:
    """A new model: points (N, 2) in, probabilities of class 1 (N, 1) out."""
    raise NotImplementedError("exercise 13: write make_model()")


def make_optimizer(model: nn.Module) -> optim.Optimizer:
    """The optimizer that trains this model."""
    raise NotImplementedError("exercise 13: write make_optimizer(model)")


def training_step(model: nn.Module, optimizer: optim.Optimizer, X: Tensor, y: Tensor) -> float:
    """One step on the batch (X, y); returns the loss before the update, as a float."""
    raise NotImplementedError("exercise 13: write training_step(model, optimizer, X, y)")
