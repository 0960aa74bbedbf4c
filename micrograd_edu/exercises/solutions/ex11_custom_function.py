"""Exercise 11: A custom autograd.Function: LogAddExp on tensors (a reference solution)"""

from micrograd_edu import Tensor
from micrograd_edu.autograd import Function, FunctionCtx


class LogAddExp(Function):
    """log(eᵃ + eᵇ), elementwise, with a backward of its own."""

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:
        m = b + (a - b).relu()  # max(a, b): every exp below gets a number <= 0
        out = m + ((a - m).exp() + (b - m).exp()).log()
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> tuple[Tensor, Tensor]:
        a, b, out = ctx.saved_tensors
        assert a is not None and b is not None and out is not None
        # d(out)/da = eᵃ / (eᵃ + eᵇ) = e^(a - out), at most 1; the same for b
        return grad_output * (a - out).exp(), grad_output * (b - out).exp()
