"""Embedding: a table of vectors, one row per index (a word, a token, a category), looked up
by integer indices; and one_hot, the same lookup in a table of the identity's rows.

Looking up is picking rows, so the gradient of a row is the sum of the gradients of the
outputs that picked it (rows not picked get 0), as PyTorch's.
"""

from __future__ import annotations

from typing import Any

from micrograd_edu.grad_mode import no_grad
from micrograd_edu.nn import init
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.nn.settings import new_parameter, whole_number
from micrograd_edu.tensor import Tensor, arange, dtypes, where

_TYPES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "bool": "torch.BoolTensor"}


def _indices(input: Any, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{op}(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__} (make "
            "one with "
            "torch.tensor([...]) of ints)"
        )
    if input.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {_TYPES[input.dtype.name]} instead (while checking arguments for {op}): indices are "
            "whole numbers, convert these with .long()"
        )
    return input


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """weight[input]: for indices of any shape, their rows, shape (*input.shape, embedding_dim).
    The row at padding_idx gets no gradient. With max_norm, each row looked up whose norm is
    larger is first scaled down to it, in place, as PyTorch does."""
    indices = _indices(input, "embedding")
    if not isinstance(weight, Tensor) or weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D: (num_embeddings, embedding_dim)")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding: scale_grad_by_freq and sparse gradients are not supported here (micrograd_edu has "
            "dense gradients only)"
        )
    rows, dim = weight.shape
    picked = indices.reshape(-1).tolist()
    for i in picked:
        if not 0 <= i < rows:
            raise IndexError(
                f"index out of range in self: index {i}, for an Embedding of {rows} rows (0 .. {rows - 1})"
            )
    if max_norm is not None:
        _renormed(weight, sorted(set(picked)), max_norm, norm_type)
    out = weight.take([i * dim + j for i in picked for j in range(dim)]).reshape(*indices.shape, dim)
    if padding_idx is not None and padding_idx in picked:
        # the padding rows' numbers, cut from the graph (.clone(): on the python backend detach()
        # shares a leaf's Values, and with them its gradient)  TODO(tensor): detach() of a leaf
        frozen = out.detach().clone()
        out = where((indices == padding_idx).unsqueeze(-1), frozen, out)
    return out


def _renormed(weight: Tensor, rows: list[int], max_norm: float, norm_type: float) -> None:
    with no_grad():
        for i in rows:
            norm = weight[i].norm(norm_type).item()
            if norm > max_norm:
                weight[i] = weight[i] * (max_norm / (norm + 1e-7))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Each class index as a row of zeros with a 1 at that index: shape (*tensor.shape, num_classes),
    int64 (num_classes = the largest index + 1 unless given)."""
    if not isinstance(tensor, Tensor) or tensor.dtype is not dtypes.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor. Convert the classes with .long()"
        )
    values = tensor.reshape(-1).tolist()
    if num_classes == -1:
        if not values:
            raise RuntimeError("Can not infer total number of classes from empty tensor. Pass num_classes=")
        num_classes = max(values) + 1
    if values and min(values) < 0:
        raise RuntimeError(f"Class values must be non-negative. Got {min(values)}")
    if values and max(values) >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes. Got {max(values)}, for {num_classes} classes"
        )
    classes = arange(num_classes, backend=tensor.backend)
    return (tensor.unsqueeze(-1) == classes).long()


class Embedding(Module):
    """A table of num_embeddings vectors of embedding_dim numbers, starting N(0, 1) (the
    padding_idx row, if any, 0): Embedding(10, 3)(torch.tensor([1, 4])) is rows 1 and 4."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
        backend: str | None = None,
    ) -> None:
        super().__init__()
        self.num_embeddings = whole_number(num_embeddings, "num_embeddings", "Embedding", minimum=1)
        self.embedding_dim = whole_number(embedding_dim, "embedding_dim", "Embedding", minimum=1)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError(
                    f"Padding_idx must be within num_embeddings: {padding_idx} for {num_embeddings} rows"
                )
            padding_idx %= num_embeddings
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            made = {"device": device, "dtype": dtype, "backend": backend}
            self.weight = new_parameter((num_embeddings, embedding_dim), **made)
            self.reset_parameters()
        else:
            if _weight.shape != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding these rows (frozen: not trained, unless freeze=False)."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(
            rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, embeddings, freeze
        )

    def forward(self, input: Tensor) -> Tensor:
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s
