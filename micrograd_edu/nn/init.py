"""nn.init: filling a tensor in place with the numbers a layer starts from, as PyTorch does.

Every random number comes from the generator that `micrograd_edu.manual_seed` seeds, drawn
by PyTorch's recipes (tensor/generator.py): after the same seed, uniform_ gives PyTorch's
numbers and normal_ PyTorch's to the last float32 bit or so, on both backends, so a layer
starts from the weights PyTorch would give it. Each function writes under `no_grad()`, as
PyTorch's do, and returns the tensor: `nn.init.xavier_uniform_(layer.weight)`.

The scales follow PyTorch's rules. A layer's fan-in is how many inputs each output sums
(in_features for a Linear, in_channels × kernel height × kernel width for a Conv2d):
- `xavier_uniform_`: U(-a, a), a = gain √(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010);
- `kaiming_uniform_`: U(-b, b), b = gain √(3 / fan), gain = √(2 / (1 + a²)) for a leaky ReLU
  of negative slope a (He et al., 2015). PyTorch's Linear and Conv2d use a = √5, which comes
  to b = 1/√fan_in.
"""

from __future__ import annotations

import math
import warnings

from micrograd_edu.coverage import module_getattr
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor

NONLINEARITIES = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor an activation's output variance is restored by: 1 for linear and sigmoid,
    5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu (slope 0.01 by default), 3/4 for selu."""
    if nonlinearity in NONLINEARITIES[:8]:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}: one of {', '.join(NONLINEARITIES)}")


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(inputs per output, outputs per input) of a weight: dims 1 and 0, times a kernel's size."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(this one has shape {tuple(tensor.shape)}: a bias takes its bound from its layer's weight)"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _checked(tensor: Tensor) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init fills a tensor in place, got {type(tensor).__name__} {tensor!r}")
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Each element drawn uniformly from [a, b) (Tensor.uniform_, without recording)."""
    with no_grad():
        return _checked(tensor).uniform_(a, b)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Each element drawn from the normal distribution N(mean, std²) (Tensor.normal_, without recording)."""
    with no_grad():
        return _checked(tensor).normal_(mean, std)


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (ones on the diagonal) in a 2-d tensor."""
    if tensor.dim() != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    rows, cols = tensor.shape
    values = tensor.new_tensor([[float(i == j) for j in range(cols)] for i in range(rows)])
    with no_grad():
        return tensor.copy_(values)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    a = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(
            f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']: fan_in keeps the variance "
            "of the forward pass, fan_out that of the backward pass"
        )
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return None
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std)


__getattr__ = module_getattr("torch.nn.init", __name__)  # a PyTorch name not covered here: said so
