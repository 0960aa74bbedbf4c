"""What every layer does with its settings: check them (a kernel size is a whole number > 0,
given as one number or a pair) and make its tensors (on the backend and of the dtype asked
for). Each check names the layer, the argument and the value it was given."""

from __future__ import annotations

import operator
from typing import Any

from micrograd_edu.nn.module import Parameter
from micrograd_edu.tensor import Tensor, dtypes, zeros
from micrograd_edu.tensor.device import on_cpu
from micrograd_edu.tensor.shape import Shape


def new_tensor(
    shape: Shape, *, device: Any = None, dtype: Any = None, backend: str | None = None, fill: float = 0.0
) -> Tensor:
    """A tensor of `fill` for a layer to keep: of `dtype` (the default float dtype if None), on
    `backend` (the default backend if None); `device` must be the CPU."""
    on_cpu(device, "a layer's device=")
    d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, "a layer's dtype=")
    t = zeros(*shape, dtype=d, backend=backend)
    return t if fill == 0.0 else t.fill_(fill)


def new_parameter(shape: Shape, **made: Any) -> Parameter:
    """A Parameter of zeros in `shape` (nn.init fills it in), made as `new_tensor` says."""
    return Parameter(new_tensor(shape, **made))


def whole_number(value: Any, name: str, layer: str, minimum: int = 0) -> int:
    """An int setting (not a bool, not a float) of at least `minimum`."""
    if isinstance(value, bool) or not _is_int(value):
        raise TypeError(f"{layer}: {name} must be a whole number, got {type(value).__name__} {value!r}")
    n = operator.index(value)
    if n < 0:
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {n}: {layer}: {name} must be a whole number "
            f">= {minimum}, got {n}"
        )
    if n < minimum:
        raise ValueError(f"{layer}: {name} must be a whole number >= {minimum}, got {n}")
    if n > 2**31:
        raise ValueError(f"{layer}: {name}={n} is too large for a tensor's dimension")
    return n


def pair(value: Any, name: str, layer: str) -> tuple[int, int]:
    """A setting given for both spatial dims as one int (3: (3, 3)) or a pair ((3, 2))."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or not all(_is_int(v) and not isinstance(v, bool) for v in value):
            raise (ValueError if all(map(_is_int, value)) else TypeError)(
                f"{layer}: {name} must be a whole number or a pair of them (height, width), got {value!r}"
            )
        return operator.index(value[0]), operator.index(value[1])
    if isinstance(value, bool) or not _is_int(value):
        raise TypeError(
            f"{layer}: {name} must be a whole number or a pair of them (height, width), got "
            f"{type(value).__name__} {value!r}"
        )
    return operator.index(value), operator.index(value)


def _is_int(value: Any) -> bool:
    try:
        operator.index(value)
    except TypeError:
        return False
    return True
