"""DataLoader: a dataset handed out in batches, in order or shuffled, one pass per `for` loop.

    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    for epoch in range(10):
        for xb, yb in loader:     # xb: 32 rows of X, yb: their 32 labels (the last batch may be shorter)
            ...

What one pass does, written out in `batches` (what `__iter__` returns): a sampler yields indices
(0, 1, 2, ... or a shuffled order), a `BatchSampler` groups them into lists of `batch_size`,
each list's samples are fetched from the dataset (`dataset[i]`) and `collate_fn` (by default
`default_collate`) makes them one batch: tensors stacked, numbers made tensors.

Everything runs in this process: `num_workers > 0` is accepted, so PyTorch code runs
unchanged, but no worker processes are started (samples are fetched one after another;
`get_worker_info()` is always None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from micrograd_edu.tensor import Generator
from micrograd_edu.utils.data.collate import default_collate, default_convert
from micrograd_edu.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler, check_generator

FIXED_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class DataLoader:
    """Batches of a dataset: `DataLoader(dataset, batch_size=1, shuffle=False, ...)`, PyTorch's arguments.

    - `batch_size` samples a batch (the last one shorter unless `drop_last=True`); with
      `batch_size=None` the samples come one by one, unbatched.
    - `shuffle=True`: a new random order every pass, drawn from `generator` (by default the one
      `torch.manual_seed` seeds) as PyTorch draws it: the same seed gives PyTorch's order.
    - `sampler` (indices) or `batch_sampler` (lists of indices) replace the default order.
    - `collate_fn(samples)` makes a batch of a list of samples (default: `default_collate`).
    - `num_workers`, `pin_memory`, `timeout`, `worker_init_fn`, `multiprocessing_context`,
      `prefetch_factor`, `persistent_workers`, `pin_memory_device` and `in_order` are accepted
      and checked as PyTorch checks them, and change nothing: there are no worker processes.

    `len(loader)` is the number of batches a pass gives.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
                f" (got num_workers={num_workers!r})"
            )
        if timeout < 0:
            raise ValueError(f"timeout option should be non-negative (got timeout={timeout!r})")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None. "
                "(Here no worker processes run in any case.)"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError(
                "persistent_workers option needs num_workers > 0: it keeps worker processes alive "
                "between passes, and num_workers=0 starts none (here none run in any case)"
            )
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(
                f"prefetch_factor option should be non-negative (got prefetch_factor={prefetch_factor!r})"
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2  # PyTorch's default with workers
        if sampler is not None and shuffle:
            raise ValueError(
                "sampler option is mutually exclusive with shuffle: a sampler already sets the order "
                "(for a random one, use sampler=RandomSampler(dataset))"
            )
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                    "drop_last: the batch sampler already decides the batches"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with drop_last: "
                "without batches there is no last batch to drop"
            )
        check_generator(generator, "DataLoader")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_convert if batch_sampler is None else default_collate

        self.dataset = dataset
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.collate_fn, self.generator = collate_fn, generator
        # kept, as PyTorch keeps them, and unused: no worker processes run here
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.persistent_workers, self.worker_init_fn = persistent_workers, worker_init_fn
        self.pin_memory, self.pin_memory_device, self.timeout = pin_memory, pin_memory_device, timeout
        self.multiprocessing_context, self.in_order = multiprocessing_context, in_order
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_initialized", False) and name in FIXED_AFTER_INIT:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized: "
                f"make a new DataLoader with {name}={value!r}"
            )
        super().__setattr__(name, value)

    def __iter__(self) -> Iterator[Any]:
        """One pass over the dataset (see `batches`)."""
        # PyTorch draws a seed for its worker processes as a pass starts. None run here, but the
        # draw is made too, so that the random numbers drawn after it are PyTorch's.
        check_generator(self.generator, "DataLoader").random_int64()
        return self.batches()

    def batches(self) -> Iterator[Any]:
        """Fetch each batch's samples, collate them, hand the batch out."""
        if self.batch_sampler is None:  # batch_size=None: sample by sample, not batched
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        for indices in self.batch_sampler:
            yield self.collate_fn(self.fetch(indices))

    def fetch(self, indices: list) -> list:
        """The samples at these indices: with the dataset's `__getitems__` if it has one, else one by one."""
        many = getattr(self.dataset, "__getitems__", None)
        if callable(many):
            return many(indices)
        return [self.dataset[i] for i in indices]

    def __len__(self) -> int:
        """The number of batches in a pass (of samples, with batch_size=None)."""
        return len(self.sampler if self.batch_sampler is None else self.batch_sampler)


def get_worker_info() -> None:
    """Which worker process this is: always None, as in PyTorch's main process (there are no workers)."""
    return None
