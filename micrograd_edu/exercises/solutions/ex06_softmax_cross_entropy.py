"""Exercise 6: Softmax, cross-entropy, and their gradient (a reference solution)"""

import math


def softmax_cross_entropy(logits: list[float], target: int) -> tuple[float, list[float]]:
    """(-log softmax(logits)[target], the gradient of that with respect to each logit)."""
    m = max(logits)  # softmax(z - m) = softmax(z), and every e^(z_i - m) is at most 1
    exps = [math.exp(z - m) for z in logits]
    total = sum(exps)  # at least 1 (the largest logit's term), so its log is safe
    loss = -(logits[target] - m - math.log(total))  # -log p_target, never the log of a tiny p
    # dL/dz_i = p_i - 1 for the target, p_i for every other class
    gradient = [e / total - (1.0 if i == target else 0.0) for i, e in enumerate(exps)]
    return loss, gradient
