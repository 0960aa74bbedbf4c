"""nn.utils: clipping gradients before optimizer.step(), as in PyTorch.

loss.backward()
nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
optimizer.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from micrograd_edu.coverage import module_getattr
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor, stack, tensor


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all the gradients together so that their norm (as if they were one vector) is at most
    max_norm: each is multiplied by min(1, max_norm / (norm + 1e-6)). Returns the norm before.

    As PyTorch computes it, with tensor ops only (the norm of each gradient, then the norm of
    those), so nothing is read into Python and a compiled step replays it."""
    grads = _grads(parameters)
    if not grads:
        return tensor(0.0)
    p = float(norm_type)
    with no_grad():
        if math.isinf(p):
            total = stack([g.abs().amax() for g in grads]).amax()
        else:
            total = stack([g.norm(p) for g in grads]).norm(p)
        if error_if_nonfinite and not bool(total.isfinite()):
            raise RuntimeError(
                f"The total norm of order {p} for gradients from `parameters` is non-finite, so it cannot be "
                "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                f"`error_if_nonfinite=False`. (The norm is {total.item()}: a gradient holds inf or nan.)"
            )
        coefficient = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coefficient)
    return total


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Limit every gradient element to [-clip_value, clip_value], in place."""
    if not clip_value >= 0:
        raise RuntimeError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value!r}")
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)


__getattr__ = module_getattr("torch.nn.utils", __name__)  # a PyTorch name not covered here: said so
