"""Collating: a list of samples made into one batch, as PyTorch's `default_collate` does it.

The batch has the samples' structure, each leaf stacked along a new first dimension:

- tensors are stacked (`torch.stack`), on the backend they are on;
- Python numbers become a 1-d tensor: floats float64, ints int64, bools bool;
- numpy arrays and numbers become tensors of their own dtype, then are stacked;
- strings stay strings: the batch's list of them (a tuple, inside a tuple or list sample);
- a dict gives a dict of batches, key by key; a tuple or list gives a list (a named tuple
  one of its kind) of batches, position by position.

>>> default_collate([(1.5, 0), (2.5, 1)])     # two samples (x, label)
[tensor([1.5000, 2.5000]), tensor([0, 1])]
>>> default_collate([{"x": 1.0, "name": "a"}, {"x": 2.0, "name": "b"}])
{'x': tensor([1., 2.]), 'name': ['a', 'b']}

This file does not import numpy: a numpy value is told by its type's module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from micrograd_edu.tensor import Tensor, float64, stack, tensor

NOT_COLLATED = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def default_collate(batch: Sequence) -> Any:
    """The samples of `batch` (a list) as one batch of the same structure (see the module's doc)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stacked(batch)
    if _is_numpy(elem):
        if elem.dtype.kind in "SaUO":  # numpy strings and objects: no tensor holds them
            raise TypeError(NOT_COLLATED.format(elem.dtype))
        return _stacked([tensor(x) for x in batch])  # tensor() keeps each one's numpy dtype
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):  # bool too: a list of bools gives a bool tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return _same_kind(elem, {key: default_collate([sample[key] for sample in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple stays one
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            sizes = [len(sample) for sample in batch]
            raise RuntimeError(
                f"each element in list of batch should be of equal size: the sizes are {sizes}"
            )
        return [default_collate(field) for field in zip(*batch)]  # each field a tuple, as in PyTorch
    raise TypeError(NOT_COLLATED.format(type(elem)) + ": pass collate_fn= to say how to batch them")


def default_convert(data: Any) -> Any:
    """A sample with its numpy arrays made tensors and nothing else changed (tuples become lists):
    what a DataLoader with `batch_size=None`, which does not batch, hands out."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data) and data.dtype.kind not in "SaUO":
        return tensor(data)
    if isinstance(data, Mapping):
        return _same_kind(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def _stacked(tensors: Sequence[Tensor]) -> Tensor:
    """torch.stack of the samples' tensors, with PyTorch's words when their shapes differ."""
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
                f"and {list(t.shape)} at entry {i}: the samples of a batch must have one shape "
                "(samples of different sizes need a collate_fn of your own, one that pads them, say)"
            )
    return stack(tensors)


def _same_kind(like: Mapping, items: dict) -> Any:
    """A mapping of `like`'s type holding `items`, or a dict when that type cannot be made so."""
    kind: Any = type(like)
    try:
        return kind(items)
    except TypeError:
        return items


def _is_numpy(x: Any) -> bool:
    """A numpy array or number (numpy's str_ and bytes_ are Python strings, collated as such)."""
    return type(x).__module__ == "numpy" and not isinstance(x, (str, bytes))
