"""Exercise 6: Softmax, cross-entropy, and their gradient

A classifier gives each class a score, a logit z_i. Softmax turns them into
probabilities, p_i = e^(z_i) / Σ_j e^(z_j), and cross-entropy is the loss of the right
class's probability: L = -log p_target.

Write `softmax_cross_entropy(logits, target)`: logits is a list of floats, target the
index of the right class. Return (L, gradient), where gradient is the list of dL/dz_i
for every class i, worked out by hand, with no Value. Do the derivative on paper first:
for this pair it comes out remarkably simple.

The checks also try large logits: e¹⁰⁰⁰ overflows a float, yet the softmax of
[1000, 999] is an ordinary pair of numbers. Adding the same number to every logit does
not change the softmax; use that. And a p_target so small that it rounds to 0 must
still give its loss (log 0 is an error): work the loss out without taking the log of p.

Check your work:  micrograd-edu check 6   (against micrograd_edu.nn.functional.cross_entropy)
In a notebook:    from micrograd_edu.exercises import check; check(6, softmax_cross_entropy)
"""

import math


def softmax_cross_entropy(logits: list[float], target: int) -> tuple[float, list[float]]:
    """(-log softmax(logits)[target], the gradient of that with respect to each logit)."""
    raise NotImplementedError("exercise 6: write softmax_cross_entropy(logits, target)")
