"""Dropout: while training, each element is zeroed with probability p and the rest scaled by
1/(1 - p), so that the expected value stays the same; in eval mode it passes its input on.

The mask comes from the generator that `micrograd_edu.manual_seed` seeds (one draw per
element, row-major), so both backends drop the same elements; PyTorch's masks are its own.
The gradient is the mask times 1/(1 - p): a dropped element gets none.
"""

from __future__ import annotations

from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor, dtypes
from micrograd_edu.tensor.generator import default_generator as generator


def checked_p(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(
            f"dropout probability has to be between 0 and 1, but got {p!r} (p is the share of elements "
            "zeroed: 0.5 drops half of them)"
        )
    return float(p)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """input · mask / (1 - p) while training (mask 0 with probability p, else 1); input as it is
    otherwise. Note F.dropout's training=True default: inside a model, pass self.training."""
    p = checked_p(p)
    if not training or p == 0.0:
        return input
    if not input.is_floating_point():
        scale_type = {"float32": "Float", "float64": "Double"}[dtypes.get_default_dtype().name]
        raise RuntimeError(
            f"result type {scale_type} can't be cast to the desired output type {input.type()[6:-6]}: "
            "dropout scales its input, which must be a float tensor (call .float() first)"
        )
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    kept = [scale if generator.random() >= p else 0.0 for _ in range(input.numel())]
    return input * input.new_tensor(kept).reshape(input.shape)


class Dropout(Module):
    """Zeroes a share p of its input's elements while training (model.train()), none in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p, self.inplace = checked_p(p), inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
