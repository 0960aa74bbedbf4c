"""Samplers: in what order a DataLoader visits a dataset, and how it groups the indices into batches.

A sampler is anything that yields indices (a list of ints is one). `SequentialSampler` gives
0, 1, 2, ...; `RandomSampler` a new random order on every pass (what `shuffle=True` means);
`BatchSampler` cuts another sampler's indices into lists of `batch_size`.

The random ones draw as PyTorch's do, from a `torch.Generator`: the one given, or else the
one `torch.manual_seed` seeds. So after the same seed the order is PyTorch's own. Without a
generator of its own, a `RandomSampler` starts each pass by drawing a seed from the global
generator and shuffling with a generator seeded by it, as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from typing import Any

from micrograd_edu.tensor import Generator
from micrograd_edu.tensor.generator import default_generator


def check_generator(generator: Any, where: str) -> Generator:
    """The generator to draw from: `generator`, or the global one when it is None."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{where}: generator must be a torch.Generator, such as torch.Generator().manual_seed(0), "
            f"got {type(generator).__name__} {generator!r}"
        )
    return generator


def randperm(n: int, generator: Generator | None = None) -> list[int]:
    """0 .. n-1 in a random order: torch.randperm(n, generator=generator).tolist()."""
    return check_generator(generator, "randperm").permutation(n)


class Sampler:
    """The base of samplers: a subclass yields indices from `__iter__` (and says how many in `__len__`)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order, every pass (the DataLoader's default)."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order of the indices on every pass (`DataLoader(shuffle=True)` uses one).

    Without replacement each index comes once a pass (more passes than one if `num_samples` is
    larger than the dataset); with `replacement=True`, `num_samples` indices drawn independently.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source, self.replacement, self._num_samples = data_source, replacement, num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}: True draws each "
                "index on its own (an index may come twice), False gives each index once a pass"
            )
        n = self.num_samples
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={n}: how many "
                "indices a pass draws (None: as many as the dataset has samples)"
            )
        check_generator(generator, "RandomSampler")

    @property
    def num_samples(self) -> int:
        """How many indices a pass yields: `num_samples`, or by default the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.generator is None:  # a generator for this pass, seeded from the global one
            rng = Generator().manual_seed(default_generator.random_int64())
        else:
            rng = self.generator
        if self.replacement:
            yield from (rng.randrange(n) for _ in range(self.num_samples))
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n)
        yield from rng.permutation(n)[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order on every pass."""

    def __init__(self, indices: Iterable[int], generator: Generator | None = None) -> None:
        self.indices, self.generator = list(indices), generator
        check_generator(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        for i in randperm(len(self.indices), self.generator):
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Another sampler's indices in lists of `batch_size`; the last, shorter one is dropped
    if `drop_last`.

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=True))
    [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}: the number "
                "of samples in a batch, such as 32 (a DataLoader with batch_size=None gives them one by one)"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last}: True drops a last "
                "batch shorter than batch_size, False keeps it"
            )
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
