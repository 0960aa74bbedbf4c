"""Exercise 11: A custom autograd.Function: LogAddExp on tensors

Exercise 2 made logaddexp an op of the scalar engine. On tensors, PyTorch's way to add an
op with a backward of your own is a subclass of `autograd.Function` with two
staticmethods:

    forward(ctx, a, b)            computes the result from the input tensors (with no graph
                                  recorded: the backward is yours); ctx.save_for_backward(
                                  t1, t2, ...) keeps the tensors that backward will need
    backward(ctx, grad_output)    is given the gradient that arrived at the result, gets the
                                  saved tensors back from ctx.saved_tensors, and returns one
                                  gradient per input of forward, (for a, for b), each of the
                                  shape of its input

You call it as `LogAddExp.apply(a, b)`: the result's grad_fn is <LogAddExpBackward>, and
loss.backward() runs your backward when the pass gets there.

Write `LogAddExp` for two tensors a and b of the same shape: log(eᵃ + eᵇ), element by
element, as stable as exercise 2's (no exp of a large positive number). Tensors have no
elementwise max, but max(a, b) = b + (a - b).relu().

Check your work:  micrograd-edu check 11   (gradcheck on tensors, alone and inside expressions)
In a notebook:    from micrograd_edu.exercises import check; check(11, LogAddExp)
"""

from micrograd_edu import Tensor
from micrograd_edu.autograd import Function, FunctionCtx


class LogAddExp(Function):
    """log(eᵃ + eᵇ), elementwise, with a backward of its own."""

    @staticmethod
    def forward(ctx: FunctionCtx, a: Tensor, b: Tensor) -> Tensor:
        raise NotImplementedError("exercise 11: write forward(ctx, a, b)")

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError("exercise 11: write backward(ctx, grad_output)")
