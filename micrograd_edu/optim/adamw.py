"""AdamW: Adam whose weight decay shrinks the weights directly, not through the gradient's averages."""

from __future__ import annotations

from micrograd_edu.optim.adam import Adam
from micrograd_edu.optim.optimizer import ParamsT


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): before each step,

    p ← p · (1 - lr · weight_decay)

    then Adam's step from the gradient alone, so the decay is not rescaled by √v. Its
    weight_decay is 0.01 unless you say otherwise, as in PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
