"""Ops on several tensors at once: cat and stack (torch.cat, torch.stack), linear, and
scatter_add (the backward of picking elements, as an op of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.shape import normalize_dim
from micrograd_edu.tensor.tensor import Tensor, check_same_backend, tensors_of


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """The tensors joined along an existing dimension; the others must match (torch.cat)."""
    if out is not None:
        return written_as_out(out, cat(tensors, dim), "cat")
    first = tensors_of(tensors, "cat")
    for i, t in enumerate(tensors):
        if not t.shape:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated: cat joins along an "
                "existing dim; stack makes a new one (torch.stack of 0-d tensors gives a 1-d tensor)"
            )
    d = normalize_dim(dim, first.dim(), "cat")
    for i, t in enumerate(tensors):
        if t.dim() != first.dim():
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.dim()} and {t.dim()} "
                f"(cat: tensor 0 has shape {tuple(first.shape)}, tensor {i} has shape {tuple(t.shape)})"
            )
        for k, (want, got) in enumerate(zip(first.shape, t.shape)):
            if k != d and want != got:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {want} but got "
                    f"size {got} for tensor number {i} in the list (cat: tensor 0 has shape "
                    f"{tuple(first.shape)}, tensor {i} has shape {tuple(t.shape)})"
                )
    shape = first.shape[:d] + (sum(t.shape[d] for t in tensors),) + first.shape[d + 1 :]
    datas, shapes = [t._data for t in tensors], [t.shape for t in tensors]
    joined = first._backend.cat
    return Tensor.recorded(
        "CatBackward0", tuple(tensors), shape, joined, datas, shapes, d, dtype=_promoted(tensors)
    )


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """The tensors, all of one shape, side by side along a new dimension (torch.stack)."""
    if out is not None:
        return written_as_out(out, stack(tensors, dim), "stack")
    first = tensors_of(tensors, "stack")
    d = normalize_dim(dim, first.dim() + 1, "stack")
    for i, t in enumerate(tensors):
        if t.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}"
            )
    shape = first.shape[:d] + (len(tensors),) + first.shape[d:]
    shapes = [first.shape[:d] + (1,) + first.shape[d:]] * len(tensors)
    datas, joined = [t._data for t in tensors], first._backend.cat
    return Tensor.recorded(
        "StackBackward0", tuple(tensors), shape, joined, datas, shapes, d, dtype=_promoted(tensors)
    )


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias as one op, as PyTorch's nn.Linear records it (AddmmBackward0):
    x of shape (n, in), weight (out, in), bias (out,). Shapes are checked by nn.functional.linear."""
    parents = (x, weight) if bias is None else (x, weight, bias)
    for p in parents[1:]:
        check_same_backend(x, p, "linear")
    (n, k), m = x.shape, weight.shape[0]
    data = (x._data, weight._data, None if bias is None else bias._data)
    name = "MmBackward0" if bias is None else "AddmmBackward0"
    return Tensor.recorded(name, parents, (n, m), x._backend.linear, *data, n, k, m, dtype=_promoted(parents))


def scatter_add(values: Tensor, index: list[int], size: int) -> Tensor:
    """A 1-d tensor of `size` zeros with `values` (1-d) added at these positions: the backward
    of picking elements by position, recorded so that it can be differentiated again."""
    bad = [i for i in index if not isinstance(i, int) or not 0 <= i < size]
    if bad or len(index) != values.numel():
        raise IndexError(
            f"scatter_add: {len(index)} positions in 0 .. {size - 1} for {values.numel()} values, "
            f"got {bad[:1]}"
        )
    scatter = values._backend.scatter
    return Tensor.recorded("IndexAddBackward0", (values,), (size,), scatter, values._data, index, size)


def outside(t: Tensor, low: float, high: float) -> list[float]:
    """The numbers of t not in [low, high] (nan among them), row-major: what a range check (BCELoss's)
    reports. One backend call, so that a compiled step makes the check again at each replay."""
    return t._backend.outside(t._data, low, high)


def written_as_out(out: object, result: Tensor, name: str) -> Tensor:
    """The result of torch.<name>(..., out=out), written into `out` (InPlace.written_as_out)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    return out.written_as_out(result, name)


def _promoted(tensors: Sequence[Tensor]) -> dtypes.dtype:
    """The dtype that holds every one of these tensors' numbers (PyTorch's promotion)."""
    return reduce(dtypes.promote, (t.dtype for t in tensors))
