"""Checks for exercise 10, binary cross-entropy: against the package's own nn.BCELoss (itself
checked against PyTorch), and PyTorch's rule that a log is never below -100."""

from __future__ import annotations

import math

import micrograd_edu
from micrograd_edu import Tensor, nn
from micrograd_edu.exercises.checking import Checks, NotYet, close, describe, expect

CHECKS = Checks("binary_cross_entropy")

CLAMP = (
    "clamp the number before its log, never the log's result (by then log 0 has already failed): "
    "no smaller than e^-100, whose log is -100 (math.exp(-100) ≈ 3.7e-44 is still a float)"
)
BOTH = (
    "the log of 1 - p is computed even where y = 1 gives it the weight 0, and 0 · log 0 is not 0: "
    "clamp 1 - p before its log too, as p"
)
EPSILON = (
    "PyTorch's floor is a log of exactly -100: clamp at math.exp(-100), not at a small epsilon such as "
    "1e-7 (whose log is -16.1)"
)
CASES = [
    ([0.9, 0.2, 0.6, 0.35], [1.0, 0.0, 0.0, 1.0]),
    ([[0.7], [0.01], [0.5]], [[1.0], [1.0], [0.0]]),
]


def loss_of(binary_cross_entropy, p: Tensor, y: Tensor, hint: str = CLAMP) -> Tensor:
    call = f"binary_cross_entropy(p={p.tolist()}, y={y.tolist()})"
    try:
        loss = binary_cross_entropy(p, y)
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        raise NotYet(f"{call} raised {type(e).__name__}: {e}", hint) from None
    expect(
        isinstance(loss, Tensor) and loss.numel() == 1,
        f"{call} returned {describe(loss)}",
        "return one number as a tensor, made from tensor ops on p and y: (...).mean()",
    )
    return loss


def oracle(p: list, y: list) -> tuple[float, list]:
    t = micrograd_edu.tensor(p, requires_grad=True)
    loss = nn.BCELoss()(t, micrograd_edu.tensor(y))
    loss.backward()
    assert t.grad is not None
    return loss.item(), t.grad.tolist()


@CHECKS.check(
    "the mean of -(y log p + (1 - y) log(1 - p))",
    hints=(
        "two terms: y · log p counts where y = 1, (1 - y) · log(1 - p) where y = 0",
        "-(y * p.log() + (1 - y) * (1 - p).log()).mean(): the minus makes it positive, "
        "the mean averages over the batch",
    ),
)
def value(binary_cross_entropy):
    for p, y in CASES:
        pt, yt = micrograd_edu.tensor(p), micrograd_edu.tensor(y)
        flat_p, flat_y = pt.reshape(-1).tolist(), yt.reshape(-1).tolist()
        terms = [-(b * math.log(a) + (1 - b) * math.log(1 - a)) for a, b in zip(flat_p, flat_y)]
        mean = sum(terms) / len(terms)
        only_y = sum(-b * math.log(a) for a, b in zip(flat_p, flat_y)) / len(terms)
        close(
            loss_of(binary_cross_entropy, pt, yt).item(),
            oracle(p, y)[0],
            f"the loss for p={p}, y={y}",
            mistakes={
                sum(terms): "the mean over the batch, not the sum: .mean()",
                -mean: "the minus in front: the loss is positive, and 0 only for perfect predictions",
                only_y: "the (1 - y) · log(1 - p) term: where y = 0 the loss is -log(1 - p)",
            },
        )


@CHECKS.check(
    "backward() gives p its gradient",
    hints=(
        "build the loss from tensor ops on p (log, *, -, mean): no .item(), .tolist() or floats on the way",
        "then loss.backward() reaches p, and p.grad is the derivative of the mean",
    ),
)
def gradient(binary_cross_entropy):
    for p, y in CASES:
        pt = micrograd_edu.tensor(p, requires_grad=True)
        loss = loss_of(binary_cross_entropy, pt, micrograd_edu.tensor(y))
        expect(loss.requires_grad, "the loss does not require grad: it is not connected to p", "")
        loss.backward()
        expect(
            pt.grad is not None,
            "p.grad is None after loss.backward()",
            "compute the loss from p's tensor ops",
        )
        close(pt.grad, oracle(p, y)[1], f"p.grad for p={p}, y={y}")


@CHECKS.check(
    "a sure and wrong prediction costs 100, not infinity",
    hints=(
        "log 0 is -∞: one such sample makes the mean infinite, its gradient nan, and the training is lost",
        CLAMP,
    ),
)
def sure_and_wrong(binary_cross_entropy):
    for p, y in [([0.0], [1.0]), ([1.0], [0.0]), ([0.0, 0.5, 0.9], [1.0, 1.0, 1.0])]:
        expected = oracle(p, y)[0]
        got = loss_of(binary_cross_entropy, micrograd_edu.tensor(p), micrograd_edu.tensor(y)).item()
        floors = (1e-6, 1e-7, 1e-8, 1e-10, 1e-12, 1e-15)  # each sure-and-wrong sample costs -log(eps)
        close(
            got,
            expected,
            f"the loss for p={p}, y={y}",
            mistakes=[(expected + (-math.log(eps) - 100.0) / len(p), EPSILON) for eps in floors]
            + [(math.inf, CLAMP), (math.nan, CLAMP)],
            hint="a sample that is sure and wrong costs exactly 100: -log(e^-100)",
        )


@CHECKS.check(
    "a sure and right prediction costs 0, and never takes log 0",
    hints=(
        "at p = 1 and y = 1, the term (1 - y) · log(1 - p) is 0 · log 0: the log is computed first",
        BOTH,
    ),
)
def sure_and_right(binary_cross_entropy):
    for p, y in [([1.0, 0.0], [1.0, 0.0]), ([1.0], [1.0])]:
        got = loss_of(binary_cross_entropy, micrograd_edu.tensor(p), micrograd_edu.tensor(y), BOTH).item()
        close(got, 0.0, f"the loss for p={p}, y={y}", hint=BOTH)
