"""Activations: the functions between layers, each written once as a function (what
`nn.functional` lists: `F.relu`, `F.gelu`, ...) with its formula, and a module beside it
(`nn.ReLU`, `nn.GELU`, ...) that holds its settings and calls it.

All are composed from tensor ops, so none needs a backward of its own. Where a function has
two branches, `where` picks each element's branch and the gradient follows the branch
picked: the gradient at a kink is then the one PyTorch gives (LeakyReLU's slope at 0, ELU's
alpha at 0, 0 at Hardtanh's corners). A branch that would overflow where it is not picked
(e^x for a large x) is computed on clamped numbers, so nothing overflows anywhere.

`inplace=True` is accepted and gives the same numbers, in a new tensor: the input is left
as it was (a difference from PyTorch, which overwrites it to save memory).
"""

from __future__ import annotations

import math
from typing import Any

from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor, where

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def tensor_only(input: Tensor, op: str) -> Tensor:
    """PyTorch's refusal of a list or a number where an activation takes a tensor (TypeError)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__} "
            "(make one from numbers with torch.tensor(...))"
        )
    return input


def floats_only(input: Tensor, op: str) -> Tensor:
    """PyTorch's refusal of an integer tensor for a function that needs floats (NotImplementedError)."""
    tensor_only(input, op)
    if not input.is_floating_point():
        kind = {"int64": "Long", "int32": "Int", "bool": "Bool"}[input.dtype.name]
        raise NotImplementedError(
            f"\"{op}\" not implemented for '{kind}': {op} needs a float tensor (call .float() first)"
        )
    return input


# ---- the functions ------------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); its gradient is 1 for x > 0 and 0 elsewhere (0 at x = 0, as in PyTorch)."""
    return tensor_only(input, "relu").relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope · x elsewhere (gradient negative_slope at 0)."""
    x = floats_only(input, "leaky_relu")
    return where(x > 0, x, x * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^x - 1) elsewhere: smooth below 0, tending to -alpha (gradient alpha at 0)."""
    x = floats_only(input, "elu")
    return where(x > 0, x, alpha * x.clamp(max=0.0).expm1())


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale · elu(x, alpha), with the constants that keep activations at mean 0 and variance 1."""
    return SELU_SCALE * elu(floats_only(input, "selu"), SELU_ALPHA)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x), Φ the standard normal's distribution function: x/2 (1 + erf(x/√2)). With
    approximate='tanh': x/2 (1 + tanh(√(2/π) (x + 0.044715 x³)))."""
    x = floats_only(input, "gelu")
    if approximate == "none":
        return x * 0.5 * (1 + (x * math.sqrt(0.5)).erf())
    if approximate == "tanh":
        return 0.5 * x * (1 + (math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)).tanh())
    raise RuntimeError(f"approximate argument must be either none or tanh. Got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x σ(x) (also called swish)."""
    x = floats_only(input, "silu")
    return x * x.sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, a smooth relu; x itself where βx > threshold (the two agree there
    to float precision), as in PyTorch."""
    x = floats_only(input, "softplus")
    bx = x * beta
    return where(bx > threshold, x, bx.clamp(max=threshold).exp().log1p() / beta)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = -softplus(-x): finite for every x (log of a sigmoid rounded to 0 is not)."""
    x = floats_only(input, "log_sigmoid")
    return -softplus(-x)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x limited to [min_val, max_val]; the gradient is 1 strictly inside, 0 at and beyond the
    corners (as PyTorch's: clamp's is 1 at the corners)."""
    return where(input <= min_val, min_val, where(input >= max_val, max_val, input))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh between 0 and 6."""
    return hardtanh(input, 0.0, 6.0)


def sigmoid(input: Tensor) -> Tensor:
    return tensor_only(input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:
    return tensor_only(input, "tanh").tanh()


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^x / Σ e^x along dim: each slice positive, summing to 1 (the probabilities of classes)."""
    source = input if dtype is not None else floats_only(input, "softmax")
    return source.softmax(dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x): the smallest numbers get the largest shares."""
    source = input if dtype is not None else floats_only(input, "softmin")
    return (-source).softmax(dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """log softmax(x) along dim, as x - logsumexp(x): finite where softmax rounds to 0."""
    source = input if dtype is not None else floats_only(input, "log_softmax")
    return source.log_softmax(dim, dtype)


# ---- the modules ----------------------------------------------------------------------------------


def _inplace(inplace: bool, first: bool = False) -> str:
    """How PyTorch prints inplace=True after (or as) a module's settings; nothing when False."""
    return ("inplace=True" if first else ", inplace=True") if inplace else ""


class ReLU(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return relu(input)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace(self.inplace)}"


class ELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace(self.inplace)}"


class SELU(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return selu(input)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


class GELU(Module):
    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):  # PyTorch takes it here and refuses it when called
            raise RuntimeError(f"approximate argument must be either none or tanh. Got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return silu(input)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    def forward(self, input: Tensor) -> Tensor:
        return logsigmoid(input)


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if not max_val > min_val:  # PyTorch's assertion
            raise AssertionError(
                f"max_val ({max_val}) must be greater than min_val ({min_val}): the outputs are limited to "
                "[min_val, max_val]"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace(self.inplace)}"


class ReLU6(Hardtanh):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


class Sigmoid(Module):
    def forward(self, input: Tensor) -> Tensor:
        return sigmoid(input)


class Tanh(Module):
    def forward(self, input: Tensor) -> Tensor:
        return tanh(input)


class Softmax(Module):
    """softmax along `dim` (say it: dim=1 for scores of shape (N, C))."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Softmax):
    def forward(self, input: Tensor) -> Tensor:
        return softmin(input, self.dim)


class LogSoftmax(Softmax):
    def forward(self, input: Tensor) -> Tensor:
        return log_softmax(input, self.dim)
