"""Checks for exercise 5, sum_to_shape: against the package's own broadcasting backward (the
gradient that `x + zeros(bigger shape)` gives x)."""

from __future__ import annotations

import math

import micrograd_edu
from micrograd_edu import Tensor
from micrograd_edu.exercises.checking import Checks, close, tensor_of_shape

CHECKS = Checks("sum_to_shape")

Shape = tuple[int, ...]


def gradient(shape: Shape) -> Tensor:
    """A gradient of this shape whose numbers all differ, so that a wrong sum shows."""
    return micrograd_edu.tensor([0.5 * i + 1.0 for i in range(math.prod(shape))]).reshape(shape)


def oracle(grad: Tensor, shape: Shape) -> Tensor:
    """The gradient the package's broadcasting gives an input of `shape`."""
    x = micrograd_edu.zeros(*shape, requires_grad=True)
    (x + micrograd_edu.zeros(*grad.shape)).backward(gradient=grad)
    assert x.grad is not None
    return x.grad


def shape_hint(got: Shape, shape: Shape, out: Shape) -> str:
    if got == out:
        return "nothing was summed: the dimensions broadcasting added or stretched are still there"
    if len(got) > len(shape):
        return "the dimensions broadcasting put in front must go: sum over them without keepdim"
    if len(got) < len(shape):
        return "a stretched dimension of size 1 stays, with size 1: sum along it with keepdim=True"
    return "sum only where broadcasting stretched a size-1 dimension; a size-1 dimension that was 1 stays"


def compare(sum_to_shape, out: Shape, shape: Shape) -> None:
    grad = gradient(out)
    expected = oracle(grad, shape)
    got = sum_to_shape(grad, shape)
    what = f"sum_to_shape(a gradient of shape {out}, {shape})"
    tensor_of_shape(got, shape, what, shape_hint(got.shape if isinstance(got, Tensor) else (), shape, out))
    close(got, expected, what, hint="each number of the result is the sum of the gradients of its uses")


@CHECKS.check(
    "the same shape: nothing to undo",
    hints=(
        "when grad already has the input's shape, no dimension was added or stretched: return it as it is",
    ),
)
def same_shape(sum_to_shape):
    for shape in [(2, 3), (4,), (2, 1)]:
        compare(sum_to_shape, shape, shape)


@CHECKS.check(
    "dimensions put in front are summed away",
    hints=(
        "compare the number of dimensions: grad.dim() - len(shape) of them were put in front",
        "sum over dimension 0 that many times, without keepdim: each sum removes one",
    ),
)
def leading(sum_to_shape):
    for out, shape in [((2, 3), (3,)), ((4, 2, 3), (2, 3)), ((2, 3), ()), ((5,), ())]:
        compare(sum_to_shape, out, shape)


@CHECKS.check(
    "stretched dimensions of size 1 are summed, and kept",
    hints=(
        "where the input's size is 1 and grad's is not, that dimension was stretched",
        "sum along it with keepdim=True, so that it stays there with size 1",
    ),
)
def stretched(sum_to_shape):
    for out, shape in [((2, 3), (2, 1)), ((2, 3), (1, 3)), ((4, 3, 5), (4, 1, 5)), ((2, 3), (1, 1))]:
        compare(sum_to_shape, out, shape)


@CHECKS.check(
    "both at once, and a size 1 that was not stretched stays",
    hints=(
        "first the dimensions in front, then, comparing the two shapes from the left, the stretched ones",
        "a dimension where the input's size is 1 and grad's is 1 too was not stretched: leave it",
    ),
)
def both(sum_to_shape):
    for out, shape in [((5, 4, 3), (4, 1)), ((2, 3, 4), (1, 4)), ((3, 2, 4), (1,)), ((2, 1, 3), (1, 3))]:
        compare(sum_to_shape, out, shape)
