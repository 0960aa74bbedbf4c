"""Datasets: anything with a length that hands out one sample for an index.

A dataset of your own subclasses `Dataset` and writes two methods:

    class Squares(Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return torch.tensor([float(i)]), i * i   # a sample: an input and its label

The rest here is built on that: `TensorDataset` (the rows of tensors of one length),
`Subset` (some of a dataset's samples), `ConcatDataset` (datasets one after another, also
written `a + b`) and `random_split` (a dataset cut into random parts: train and test).
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from micrograd_edu.tensor import Generator, Tensor
from micrograd_edu.utils.data.sampler import check_generator, randperm

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """The base of datasets: a subclass answers `dataset[i]` (and `len(dataset)`)."""

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError(
            f"Subclasses of Dataset should implement __getitem__. {type(self).__name__} has none: write "
            "def __getitem__(self, index) returning sample `index` (and def __len__(self) for len())"
        )

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Sample i is the tuple of each tensor's row i: `TensorDataset(X, y)[i] == (X[i], y[i])`.

    The rows are the tensors' own (views), on the backend the tensors are on.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise TypeError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"TensorDataset takes tensors, got a {type(t).__name__} as argument {i}: "
                    "make it one with torch.tensor(...)"
                )
            if not t.shape:
                raise TypeError(f"TensorDataset: tensor {i} is a 0-d tensor, it has no rows to hand out")
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            sizes = ", ".join(str(t.shape[0]) for t in tensors)
            raise AssertionError(f"Size mismatch between tensors: their first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset[T_co]):
    """The samples of `dataset` at `indices`, in that order: `Subset(d, [4, 0])[1] is d[0]`."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """Many samples at once (the DataLoader asks for a batch this way when a dataset offers it)."""
        many = getattr(self.dataset, "__getitems__", None)
        if callable(many):
            return many([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Datasets one after another: the samples of the first, then the second's, ..."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError(
                "datasets should not be an empty iterable: give ConcatDataset a list of datasets, [a, b]"
            )
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> T_co:
        if index < 0:
            if -index > len(self):
                raise ValueError(
                    "absolute value of index should not exceed dataset length: "
                    f"index {index}, length {len(self)}"
                )
            index += len(self)
        k = bisect.bisect_right(self.cumulative_sizes, index)  # the dataset the index falls in
        return self.datasets[k][index - (self.cumulative_sizes[k - 1] if k else 0)]


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Generator | None = None
) -> list[Subset]:
    """The dataset cut at random into parts of these lengths, or of these fractions of it.

    `random_split(data, [0.8, 0.2])` gives 80% and 20% of the samples (the items a floor
    leaves over go one each to the parts in turn, as in PyTorch); `random_split(data,
    [1000, 797])` gives exactly those sizes. The parts never share a sample. The order is
    drawn from `generator` (by default the one `torch.manual_seed` seeds), as PyTorch draws
    it: the same seed gives PyTorch's parts.
    """
    n = len(dataset)
    if isinstance(lengths, Tensor):
        lengths = lengths.tolist()
    if not isinstance(lengths, (list, tuple, range)) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in lengths
    ):
        raise TypeError(
            f"random_split(): lengths must be a list of whole numbers (sizes) or of fractions that sum to "
            f"1, such as [0.8, 0.2]; got {lengths!r}"
        )
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:  # fractions (as in PyTorch, [1, 0] is too)
        for i, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1 (got {fraction})")
        counts = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.", stacklevel=2
                )
        lengths = counts
    if sum(lengths) != n:
        hint = " (fractions must sum to 1)" if any(isinstance(x, float) for x in lengths) else ""
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"The lengths {lengths} sum to {sum(lengths)}, the dataset has {n} samples{hint}"
        )
    for i, length in enumerate(lengths):
        if not isinstance(length, int) or isinstance(length, bool) or length < 0:
            raise ValueError(
                f"random_split: lengths must be whole numbers >= 0 (or fractions that sum to 1), "
                f"got {length!r} at index {i}"
            )
    sizes = [int(length) for length in lengths]
    order = randperm(n, check_generator(generator, "random_split"))  # as PyTorch: torch.randperm
    ends = itertools.accumulate(sizes)
    return [Subset(dataset, order[end - size : end]) for end, size in zip(ends, sizes)]
