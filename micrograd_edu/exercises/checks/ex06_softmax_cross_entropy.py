"""Checks for exercise 6, softmax and cross-entropy by hand: against the package's own
cross_entropy and the gradient backward() gives it."""

from __future__ import annotations

import math

import micrograd_edu
from micrograd_edu.exercises.checking import Checks, NotYet, close, expect, number, numbers
from micrograd_edu.nn.functional import cross_entropy

CHECKS = Checks("softmax_cross_entropy")

CASES = [([2.0, 1.0, 0.1], 0), ([0.5, -1.0, 3.0, 0.0], 2), ([1.0, 1.0], 1), ([-0.3, 0.8, 0.2], 1)]
SHIFT = (
    "subtract the largest logit m from every logit first: the softmax is the same, and every "
    "e^(z_i - m) is at most 1"
)
NO_LOG_OF_P = "work the log out instead: log p_target = (z_target - m) - log Σ_j e^(z_j - m)"


def oracle(logits: list[float], target: int) -> tuple[float, list[float]]:
    z = micrograd_edu.tensor([logits], requires_grad=True)
    loss = cross_entropy(z, micrograd_edu.tensor([target]))  # a class index: int64, as in PyTorch
    loss.backward()
    assert z.grad is not None
    return loss.item(), z.grad.tolist()[0]


def answer(softmax_cross_entropy, logits: list[float], target: int) -> tuple[float, list[float]]:
    result = softmax_cross_entropy(list(logits), target)
    call = f"softmax_cross_entropy({logits}, {target})"
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"{call} returned {result!r}",
        "return a pair: (loss, gradient), the loss a float and the gradient a list with one float per logit",
    )
    loss, gradient = number(result[0], f"the loss of {call}"), numbers(result[1], f"the gradient of {call}")
    expect(
        len(gradient) == len(logits),
        f"the gradient of {call} has {len(gradient)} numbers",
        "one dL/dz_i per logit",
    )
    return loss, gradient


def softmax(logits: list[float]) -> list[float]:
    m = max(logits)
    exps = [math.exp(z - m) for z in logits]
    return [e / sum(exps) for e in exps]


@CHECKS.check(
    "returns the loss and one gradient per logit",
    hints=("return loss, gradient: a float, and a list of floats as long as logits",),
)
def shape_of_answer(softmax_cross_entropy):
    answer(softmax_cross_entropy, *CASES[0])


@CHECKS.check(
    "the loss is -log softmax(logits)[target]",
    hints=(
        "first the probabilities: p_i = e^(z_i) / Σ_j e^(z_j); then the loss of the right one, -log p_target",
        "it is always positive, and small when the target's logit is well above the others",
    ),
)
def loss_value(softmax_cross_entropy):
    for logits, target in CASES:
        p = softmax(logits)
        close(
            answer(softmax_cross_entropy, logits, target)[0],
            oracle(logits, target)[0],
            f"the loss for logits {logits}, target {target}",
            mistakes={
                math.log(p[target]): "L = -log p_target: with the minus sign it is positive",
                -logits[target]: "p_target is e^(z_target) divided by the sum of e^(z_j) over all classes",
                -p[target]: "take the log: L = -log p_target",
            },
        )


@CHECKS.check(
    "the gradient: dL/dz_i for every class",
    hints=(
        "write L = -z_target + log Σ_j e^(z_j) and differentiate each term with respect to z_i",
        "the log-sum term gives e^(z_i) / Σ_j e^(z_j) = p_i for every i; "
        "the first term adds -1 at the target only",
    ),
)
def gradient(softmax_cross_entropy):
    for logits, target in CASES:
        p = softmax(logits)
        one_hot = [1.0 if i == target else 0.0 for i in range(len(logits))]
        close(
            answer(softmax_cross_entropy, logits, target)[1],
            oracle(logits, target)[1],
            f"the gradient for logits {logits}, target {target}",
            mistakes={
                tuple(p): "the target's entry: the -z_target in L adds -1 there, so it is p_target - 1",
                tuple(
                    h - q for h, q in zip(one_hot, p)
                ): "the sign: dL/dz_i = p_i - [i = target], so raising "
                "the right class's logit lowers the loss",
                tuple(-1 / p[target] if i == target else 0.0 for i in range(len(p))): "that is dL/dp: go on "
                "through the softmax to the logits",
            },
        )


@CHECKS.check(
    "large logits do not overflow, and a tiny p_target still has its loss",
    hints=(SHIFT, NO_LOG_OF_P),
)
def large_logits(softmax_cross_entropy):
    for logits, target in [([1000.0, 999.0, -1000.0], 1), ([0.0, 800.0], 0), ([-1000.0, -1000.0], 0)]:
        try:
            loss, grad = answer(softmax_cross_entropy, logits, target)
        except OverflowError as e:
            raise NotYet(
                f"softmax_cross_entropy({logits}, {target}) raised OverflowError: {e}", SHIFT
            ) from None
        except (ValueError, ZeroDivisionError) as e:
            hint = NO_LOG_OF_P if isinstance(e, ValueError) else SHIFT
            raise NotYet(
                f"softmax_cross_entropy({logits}, {target}) raised {type(e).__name__}: {e}", hint
            ) from None
        expected_loss, expected_grad = oracle(logits, target)
        close(loss, expected_loss, f"the loss for logits {logits}, target {target}", hint=NO_LOG_OF_P)
        close(grad, expected_grad, f"the gradient for logits {logits}, target {target}", hint=SHIFT)
