"""Losses: each a function (`F.mse_loss`, `F.cross_entropy`, ...) composed from tensor ops,
and a module beside it, as in PyTorch: `criterion = nn.CrossEntropyLoss(); loss = criterion(scores, y)`.

`reduction` says what comes out: "mean" (the default) one number, the mean over the
elements (for a weighted classification loss, over the weights of the targets); "sum"
their sum; "none" the loss of each element.

Regression losses compare an input with a target of the same shape (a target of another
shape is refused here: PyTorch would broadcast the two, which is rarely what was meant).
Classification losses take the model's raw scores, shape (N, C) (or (N, C, d1, ...), or
(C,) for one sample), and for each sample a class index (int64, shape (N,)), or with
CrossEntropyLoss a row of class probabilities of the scores' shape.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from micrograd_edu.nn.activation import floats_only
from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor, dtypes, scatter_add, tensor, where
from micrograd_edu.tensor.functions import outside as values_outside
from micrograd_edu.tensor.tensor import require_tensor

REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = math.exp(-100)  # log(p) is clamped at -100, as in PyTorch's BCELoss
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "int32": "Int", "int64": "Long", "bool": "Bool"}


# ---- regression: input and target of one shape -----------------------------------------------------


def mse_loss(
    input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    """(x - y)²: the squared error."""
    reduction = _reduction(size_average, reduce, reduction, "mse_loss")
    target = _same_shape(input, target, "mse_loss")
    return _reduce((input - target) ** 2, reduction)


def l1_loss(
    input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean"
) -> Tensor:
    """|x - y|: the absolute error (gradient ±1, 0 where x = y)."""
    reduction = _reduction(size_average, reduce, reduction, "l1_loss")
    return _reduce((input - _same_shape(input, target, "l1_loss")).abs(), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """½ d² where |d| < delta, else delta (|d| - ½ delta), d = x - y: squared near 0, absolute
    (so less moved by outliers) far out; the gradient is d, limited to ±delta."""
    reduction = _reduction(None, None, reduction, "huber_loss")
    _positive_delta(delta)
    z = (input - _same_shape(input, target, "huber_loss")).abs()
    return _reduce(where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """½ d² / beta where |d| < beta, else |d| - ½ beta: huber_loss / beta (beta = 0 is l1_loss)."""
    reduction = _reduction(size_average, reduce, reduction, "smooth_l1_loss")
    _non_negative_beta(beta)
    z = (input - _same_shape(input, target, "smooth_l1_loss")).abs()
    if beta == 0.0:
        return _reduce(z, reduction)
    return _reduce(where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


# ---- binary classification: a probability (or a score) per element ---------------------------------


def binary_cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100 so that p = 0 or 1 stays finite."""
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy")
    target = _same_shape(input, target, "binary_cross_entropy", deprecated=True)
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"Found dtype {dtypes.scalar_type(target.dtype)} but expected {dtypes.scalar_type(input.dtype)}: "
            "binary_cross_entropy's target holds probabilities, floats (convert labels with y.float())"
        )
    outside = values_outside(input, 0.0, 1.0)
    if outside:
        raise RuntimeError(
            f"all elements of input should be between 0 and 1: binary_cross_entropy got {outside[0]!r} "
            "(apply sigmoid first, or use BCEWithLogitsLoss on the raw scores)"
        )
    outside = values_outside(target, 0.0, 1.0)
    if outside:
        raise RuntimeError(
            f"all elements of target should be between 0 and 1: binary_cross_entropy got {outside[0]!r} "
            "(the target is the probability of class 1: labels 0 and 1, as floats)"
        )
    log_p = input.clamp(min=_LOG_FLOOR).log()
    log_not_p = (1 - input).clamp(min=_LOG_FLOOR).log()
    loss = -(target * log_p + (1 - target) * log_not_p)
    return _reduce(loss if weight is None else loss * weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE of sigmoid(input): softplus(x) - x y, with softplus(x) = log(1 + e^x) computed as
    m + log(e^-m + e^(x - m)), m = max(x, 0) held constant: no overflow, and no kink at x = 0
    (the gradient is sigmoid(x) - y everywhere). pos_weight w scales the positive term:
    -(w y log σ(x) + (1 - y) log(1 - σ(x)))."""
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    target = _same_shape(input, target, "binary_cross_entropy_with_logits", deprecated=True)
    if pos_weight is None:
        m = input.relu().detach()
        loss = m + ((-m).exp() + (input - m).exp()).log() - input * target
    else:  # (1 - y) x + (1 + (w - 1) y) softplus(-x), softplus(-x) = -log σ(x)
        m = (-input).relu().detach()
        softplus_minus_x = m + ((-m).exp() + (-input - m).exp()).log()
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_minus_x
    return _reduce(loss if weight is None else loss * weight, reduction)


# ---- classification: scores (N, C) and a class per sample -----------------------------------------


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-input[n, target[n]]: the negative log likelihood of each sample's class, for log
    probabilities (what log_softmax gives), weighted by weight[class] if given; samples whose
    target is ignore_index count for nothing."""
    reduction = _reduction(size_average, reduce, reduction, "nll_loss")
    floats_only(input, "nll_loss")
    target = _class_indices(input, target, ignore_index, "nll_loss")
    _check_weight(weight, input)
    return _picked(input, target, weight, ignore_index, reduction)


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """-log softmax(input)[target]: log_softmax over the classes (dim 1), then nll_loss.

    Targets are class indices (int64, shape (N,)), or class probabilities (floats of the
    input's shape). label_smoothing ε mixes each target with the uniform distribution: the
    loss aims at 1 - ε + ε/C for the right class and ε/C for each other one.
    """
    reduction = _reduction(size_average, reduce, reduction, "cross_entropy")
    x = floats_only(input, "cross_entropy")
    if isinstance(label_smoothing, bool) or not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing} (the share of each "
            "target spread over all classes; 0.1 is usual)"
        )
    if x.dim() == 0:
        raise ValueError("Expected 1 or more dimensions (got 0): cross_entropy takes scores of shape (N, C)")
    _check_weight(weight, x)
    class_dim = 0 if x.dim() == 1 else 1
    log_p = x.log_softmax(class_dim)
    c = x.shape[class_dim]
    weights = None if weight is None else weight.reshape((c,) + (1,) * (x.dim() - class_dim - 1))
    if isinstance(target, Tensor) and target.is_floating_point() and target.shape == x.shape:
        return _probabilities_loss(log_p, target, weights, class_dim, reduction, label_smoothing)
    target = _class_indices(x, target, ignore_index, "cross_entropy")
    nll = _picked(log_p, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    # the uniform part: -Σ_c w_c log p_c for each sample, 0 where the target is ignored
    smooth = -(log_p if weights is None else log_p * weights).sum(class_dim)
    kept = target != ignore_index
    smooth = where(kept, smooth, 0.0)
    if reduction == "none":
        smoothed = smooth
    elif reduction == "sum":
        smoothed = smooth.sum()
    else:
        smoothed = _mean_over(smooth.sum(), _target_weight(target, weight, ignore_index))
    return (1 - label_smoothing) * nll + smoothed * (label_smoothing / c)


def _probabilities_loss(
    log_p: Tensor, target: Tensor, weights: Tensor | None, class_dim: int, reduction: str, smoothing: float
) -> Tensor:
    """-Σ_c w_c y_c log p_c for class probabilities y (each row summing to 1); the mean is over samples."""
    c = log_p.shape[class_dim]
    if target.dtype is not log_p.dtype:
        target = target.to(log_p.dtype)
    if smoothing > 0.0:
        target = target * (1 - smoothing) + smoothing / c
    each = log_p * target if weights is None else log_p * target * weights
    if reduction == "none":
        return -each.sum(class_dim)
    if reduction == "sum":
        return -each.sum()
    samples = log_p.numel() // c if c else 0
    return _mean_over(-each.sum(), float(samples))


def _picked(
    log_p: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str
) -> Tensor:
    """-w[t] log_p[n, t] for each sample n of class t (over the spatial positions too); the
    ignored ones left out (0 under reduction='none'). Without class weights, picked by gather
    with the targets as an index tensor (no class read into Python: a compiled step replays it
    for every batch); with them, at flat positions computed from the classes."""
    if weight is None and log_p.dim() >= 2:
        counted = target != ignore_index
        picked = -log_p.gather(1, target.masked_fill(~counted, 0).unsqueeze(1)).squeeze(1)
        losses = where(counted, picked, 0.0)  # an ignored sample (it picked class 0) counts 0
        if reduction == "none":
            return losses
        return losses.sum() if reduction == "sum" else _mean_over(losses.sum(), counted.sum())
    classes = target.reshape(-1).tolist()
    c = log_p.shape[0 if log_p.dim() == 1 else 1]
    inner = math.prod(log_p.shape[2:])  # positions per sample beyond the class dim
    kept = [j for j, t in enumerate(classes) if t != ignore_index]
    positions = [(j // inner) * c * inner + classes[j] * inner + j % inner for j in kept]
    losses = -log_p.take(positions)
    if weight is not None:
        losses = losses * weight.take([classes[j] for j in kept])
    if reduction == "none":
        return scatter_add(losses, kept, len(classes)).reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return _mean_over(losses.sum(), _target_weight(target, weight, ignore_index))


def _target_weight(target: Tensor, weight: Tensor | None, ignore_index: int) -> Tensor | float:
    """What a mean divides by: the number of targets not ignored, or the sum of their weights."""
    classes = [t for t in target.reshape(-1).tolist() if t != ignore_index]
    return float(len(classes)) if weight is None else weight.take(classes).sum()


def _mean_over(total: Tensor, count: Tensor | float) -> Tensor:
    """total / count; nan if count is 0 (every target ignored), as PyTorch gives (0 / 0), with a
    gradient of 0."""
    if isinstance(count, float):
        return total + math.nan if count == 0 else total / count
    nonzero = count != 0  # tensor ops only (no read into Python: a compiled step replays it)
    return where(nonzero, total / where(nonzero, count, 1), total.new_tensor(math.nan))


def _class_indices(input: Tensor, target: Any, ignore_index: int, op: str) -> Tensor:
    """The target checked to be one class index per sample: an int64 tensor of the input's
    shape without its class dim, each a class of the input (or ignore_index)."""
    if isinstance(target, (list, tuple)):  # micrograd_edu also takes a list of class indices
        target = tensor(target, backend=input.backend)
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}(): argument 'target' (position 2) must be Tensor, not {type(target).__name__}")
    if input.dim() == 0:
        raise ValueError(f"Expected 1 or more dimensions (got 0): {op} takes scores of shape (N, C)")
    n = input.shape[0] if input.dim() > 1 else 1
    if input.dim() == 1 and target.shape not in ((), (1,)):
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}: an input of "
            f"shape {tuple(input.shape)} is the scores of one sample"
        )
    if input.dim() == 2 and target.dim() != 1:
        raise RuntimeError(
            f"0D or 1D target tensor expected, multi-target not supported: the target has shape "
            f"{tuple(target.shape)}; one class index per sample is shape ({n},)"
            + (" (flatten a column of them: y.reshape(-1))" if target.shape == (n, 1) else "")
            + (
                f"; class probabilities are floats of the input's shape {tuple(input.shape)}"
                if target.is_floating_point() and target.dim() == input.dim()
                else ""
            )
        )
    if input.dim() > 1 and target.shape[:1] != (n,):
        raise ValueError(
            f"Expected input batch_size ({n}) to match target batch_size ({target.shape[0]}). One class "
            f"index per sample, for scores of shape {tuple(input.shape)}"
        )
    if input.dim() > 2 and target.shape != (n, *input.shape[2:]):
        raise RuntimeError(
            f"Expected target size {[n, *input.shape[2:]]}, got {list(target.shape)}: for scores of shape "
            f"{tuple(input.shape)}, a class index at every position but the class dim"
        )
    if target.dtype is not dtypes.int64:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_TYPE_NAMES[target.dtype.name]}: class "
            f"indices are whole numbers, int64 (torch.long), as argmax and torch.tensor([0, 2, 1]) give "
            f"them; convert these with y.long()"
            + (
                f", or pass class probabilities as floats of the input's shape {tuple(input.shape)}"
                if op == "cross_entropy" and target.is_floating_point()
                else ""
            )
        )
    c = input.shape[0 if input.dim() == 1 else 1]
    bad = ((target < 0) | (target >= c)) & (target != ignore_index)
    if bad.any():  # one answer read into Python (a compiled step checks it again), not every class
        t = target.reshape(-1)[bad.reshape(-1)][0].item()
        raise IndexError(
            f"Target {t} is out of bounds. The classes are 0 .. {c - 1}, one per score in dim "
            f"{0 if input.dim() == 1 else 1} of the input"
        )
    return target


def _check_weight(weight: Tensor | None, input: Tensor) -> None:
    c = input.shape[0 if input.dim() == 1 else 1] if input.dim() else 0
    if weight is not None and weight.shape != (c,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {c} classes or no classes but got weight tensor "
            f"of shape: {list(weight.shape)} (one weight per class)"
        )


# ---- shared checks ----------------------------------------------------------------------------------


def checked_reduction(reduction: Any, op: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{reduction} is not a valid value for reduction: {op}: reduction must be one of {REDUCTIONS}, "
            f"got {reduction!r}"
        )
    return reduction


def _reduction(size_average: Any, reduce: Any, reduction: str, op: str) -> str:
    """The reduction, from PyTorch's old size_average= and reduce= if one is given (with its warning)."""
    if any(isinstance(t, Tensor) and t.numel() != 1 for t in (size_average, reduce)):  # MSELoss(out, y)
        hint = (
            f". A loss module is made first, then called on the tensors: criterion = nn.{op}(); "
            "loss = criterion(output, target)"
            if op[:1].isupper()
            else ": they take True or False (or use reduction='mean', 'sum' or 'none')"
        )
        raise RuntimeError(
            f"Boolean value of Tensor with more than one value is ambiguous: {op} got a tensor as "
            f"size_average or reduce{hint}"
        )
    if size_average is None and reduce is None:
        return checked_reduction(reduction, op)
    averaged = size_average is None or bool(size_average)  # PyTorch's truth of each (None is True)
    reduced = reduce is None or bool(reduce)
    chosen = "mean" if averaged and reduced else "sum" if reduced else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{chosen}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return chosen


def _positive_delta(delta: float) -> None:
    if not delta > 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta. Got delta={delta!r}")


def _non_negative_beta(beta: float) -> None:
    if not beta >= 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta. Got beta={beta!r}")


def _same_shape(input: Tensor, target: Any, op: str, deprecated: bool = False) -> Tensor:
    require_tensor(input, op)
    require_tensor(target, op, "target", 2)
    if target.shape != input.shape:
        hint = "make them equal (e.g. y.reshape(-1, 1) or outputs.squeeze(1))"
        if deprecated:  # PyTorch refuses these two too
            sizes = f"({target.shape}) that is different to the input size ({input.shape})"
            lead = (
                f"Target size ({target.shape}) must be the same as input size ({input.shape})."
                if op.endswith("logits")
                else f"Using a target size {sizes} is deprecated. Please ensure they have the same size."
            )
            raise ValueError(
                f"{lead} {op}: target shape {tuple(target.shape)} differs from input shape "
                f"{tuple(input.shape)}; {hint}"
            )
        raise ValueError(
            f"{op}: target shape {tuple(target.shape)} differs from input shape {tuple(input.shape)}; {hint} "
            "(PyTorch warns and broadcasts the two, which is rarely what was meant)"
        )
    return target


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


# ---- the modules ------------------------------------------------------------------------------------


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        # not in the repr: PyTorch prints MSELoss() whatever it is
        self.reduction = _reduction(size_average, reduce, reduction, type(self).__name__)


class _WeightedLoss(_Loss):
    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)  # in the state_dict and moved by .to(), as in PyTorch
        self.weight: Tensor | None


class MSELoss(_Loss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        _positive_delta(delta)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    def __init__(
        self, size_average: Any = None, reduce: Any = None, reduction: str = "mean", beta: float = 1.0
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        _non_negative_beta(beta)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities (after a sigmoid); logs clamped at -100."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of raw scores: a sigmoid and BCELoss in one, numerically stable."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.weight: Tensor | None
        self.pos_weight: Tensor | None

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class NLLLoss(_WeightedLoss):
    """The negative log likelihood of class indices, for log probabilities (after LogSoftmax)."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax and negative log likelihood in one, for raw scores of shape (N, C) and class
    indices of shape (N,) (or class probabilities of shape (N, C))."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )
