"""Making tensors: from nested lists, filled with a constant, or random (seeded)."""

from __future__ import annotations

import random

from micrograd_edu.tensor.backend import backend_for
from micrograd_edu.tensor.shape import Shape, flatten_nested, numel
from micrograd_edu.tensor.tensor import Tensor

generator = random.Random()  # every random number in micrograd_edu comes from here


def manual_seed(seed: int) -> None:
    """Seed every random draw (rand, randn, nn initialisation, toy data), in every process alike."""
    generator.seed(seed)


def tensor(data, requires_grad: bool = False, backend: str | None = None) -> Tensor:
    """A tensor from a number or nested lists of numbers, stored as float64.

    >>> tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    tensor([[0., 1.],
            [1., 0.]], requires_grad=True)
    """
    if hasattr(data, "tolist"):  # a Tensor, a numpy array or scalar
        data = data.tolist()
    flat, shape = flatten_nested(data)
    return _make(flat, shape, requires_grad, backend)


def zeros(*shape, requires_grad: bool = False, backend: str | None = None) -> Tensor:
    shape = _shape(shape, "zeros")
    return _make([0.0] * numel(shape), shape, requires_grad, backend)


def ones(*shape, requires_grad: bool = False, backend: str | None = None) -> Tensor:
    shape = _shape(shape, "ones")
    return _make([1.0] * numel(shape), shape, requires_grad, backend)


def rand(*shape, requires_grad: bool = False, backend: str | None = None) -> Tensor:
    """Uniform on [0, 1)."""
    shape = _shape(shape, "rand")
    return _make([generator.random() for _ in range(numel(shape))], shape, requires_grad, backend)


def randn(*shape, requires_grad: bool = False, backend: str | None = None) -> Tensor:
    """Standard normal."""
    shape = _shape(shape, "randn")
    return _make([generator.gauss(0.0, 1.0) for _ in range(numel(shape))], shape, requires_grad, backend)


def arange(start: float, end: float | None = None, step: float = 1, *, backend: str | None = None) -> Tensor:
    """start, start + step, ... up to but not including end (`arange(n)` is 0 .. n-1)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must not be 0")
    count = max(0, -int((start - end) // step))
    return _make([start + i * step for i in range(count)], (count,), False, backend)


def _make(flat: list[float], shape: Shape, requires_grad: bool, backend: str | None) -> Tensor:
    if not isinstance(requires_grad, bool):
        raise TypeError(f"requires_grad must be True or False, got {requires_grad!r}")
    store = backend_for(backend)
    return Tensor(store.from_floats(flat, shape), shape, store, requires_grad)


def _shape(shape: tuple, op: str) -> Shape:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(s, int) and s >= 0 for s in shape):
        raise ValueError(f"{op}: a shape is whole numbers >= 0, got {shape}")
    return shape
