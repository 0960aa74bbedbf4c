"""Exercise 10: Binary cross-entropy, and why it clamps (a reference solution)"""

import math

from micrograd_edu import Tensor

FLOOR = math.exp(-100)  # log never goes below log(e^-100) = -100; e^-100 ≈ 3.7e-44 is still a float


def binary_cross_entropy(p: Tensor, y: Tensor) -> Tensor:
    """The mean of -(y log p + (1 - y) log(1 - p)), each log clamped at -100, as PyTorch does."""
    log_p = p.clamp(min=FLOOR).log()  # clamped before the log: log 0 is never computed
    log_not_p = (1 - p).clamp(min=FLOOR).log()
    return -(y * log_p + (1 - y) * log_not_p).mean()
