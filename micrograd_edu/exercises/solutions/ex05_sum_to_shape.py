"""Exercise 5: Broadcasting's backward: sum back to the input's shape (a reference solution)"""

from micrograd_edu import Tensor


def sum_to_shape(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """grad summed back to `shape`: over the dimensions broadcasting added or stretched."""
    for _ in range(grad.dim() - len(shape)):  # the dimensions put in front
        grad = grad.sum(dim=0)
    for d, size in enumerate(shape):  # the dimensions of size 1 that were stretched
        if size == 1 and grad.shape[d] != 1:
            grad = grad.sum(dim=d, keepdim=True)
    return grad
