"""Reordering, indexing and sorting ops against numpy, over shapes hypothesis picks, on both
backends; their gradients against the other backend; and what they share with their input.

numpy is the independent reference here: the same permutation, flip, repeat, index or sort
applied to an array of distinct numbers must give the same numbers in the same places. The
gradient of each op is checked by sending a distinct weight to every output element: each
input element must get the sum of the weights of the outputs it went to.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import micrograd_edu as torch

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)
# The `backend` fixture only sets the default backend, which no example changes (conftest.py).
settings_ = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])


def numbered(shape: tuple, backend: str) -> tuple[np.ndarray, torch.Tensor]:
    """An array 1, 2, 3, ... of this shape, and the same numbers as a tensor that requires grad."""
    array = np.arange(1.0, math.prod(shape) + 1).reshape(shape)
    return array, torch.tensor(array.tolist(), requires_grad=True, backend=backend)


def check(array: np.ndarray, expected: np.ndarray, t: torch.Tensor, out: torch.Tensor) -> None:
    """out holds numpy's numbers, and each input element's gradient is the weights it went to."""
    assert tuple(out.shape) == expected.shape
    assert np.array_equal(np.asarray(out.detach().tolist()).reshape(expected.shape), expected)
    weights = np.arange(1, expected.size + 1, dtype=float).reshape(expected.shape) * 0.5
    out.backward(gradient=torch.tensor(weights.tolist(), backend=t.backend))
    gradient = np.zeros(array.size)
    np.add.at(gradient, (expected.reshape(-1) - 1).astype(int), weights.reshape(-1))
    assert np.array_equal(np.asarray(t.grad.tolist()).reshape(-1), gradient)


@settings_
@given(shape=shapes, data=st.data())
def test_permute_is_numpys_transpose(shape, data, backend):
    dims = data.draw(st.permutations(range(len(shape))))
    array, t = numbered(shape, backend)
    check(array, np.transpose(array, dims), t, t.permute(*dims))


@settings_
@given(shape=shapes, data=st.data())
def test_flip_is_numpys(shape, data, backend):
    each_once = lambda d: d % len(shape)  # noqa: E731  (a dim named twice is refused, as in PyTorch)
    dims = data.draw(
        st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=3, unique_by=each_once)
    )
    array, t = numbered(shape, backend)
    check(array, np.flip(array, tuple(d % len(shape) for d in dims)), t, t.flip(dims))


@settings_
@given(shape=shapes, data=st.data())
def test_repeat_is_numpys_tile(shape, data, backend):
    repeats = data.draw(st.lists(st.integers(1, 3), min_size=len(shape), max_size=len(shape) + 1))
    array, t = numbered(shape, backend)
    check(array, np.tile(array, repeats), t, t.repeat(*repeats))


@st.composite
def index_keys(draw, shape):
    """A key with ints, slices, None, integer lists and at most one bool mask, as numpy takes them."""
    key, dim = [], 0
    while dim < len(shape) and draw(st.booleans()):
        size = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "list", "mask", "none"]))
        if kind == "int":
            key.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            key.append(
                slice(draw(st.integers(-size, size)), draw(st.integers(-size, size)), draw(st.integers(1, 2)))
            )
        elif kind == "list":
            key.append(draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=4)))
        elif kind == "mask" and not any(isinstance(k, list) and isinstance(k[0], bool) for k in key):
            key.append(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
        else:
            key.append(None)
            continue
        dim += 1
    return tuple(key)


def pytorchs_indexing(array: np.ndarray, key: tuple) -> np.ndarray:
    """numpy's indexing with PyTorch's one difference: a plain int picks its dim away first (a
    select), so it does not count as advanced beside an index list (x[1, :, [0, 1]])."""
    as_numpy = tuple(np.array(k) if isinstance(k, list) else k for k in key)
    if not any(isinstance(k, list) for k in key):
        return array[as_numpy]
    ints = tuple(k if type(k) is int else slice(None) for k in key if k is not None)
    return array[ints][tuple(k for k in as_numpy if type(k) is not int)]


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, data=st.data())
def test_indexing_is_numpys_but_for_pytorchs_plain_ints(shape, data, backend):
    key = data.draw(index_keys(shape))
    array, t = numbered(shape, backend)
    try:
        expected = pytorchs_indexing(array, key)
    except IndexError:  # index lists that do not broadcast together
        with pytest.raises(IndexError, match="shape mismatch: indexing tensors could not be broadcast"):
            t[key]
        return
    out = t[key]
    if expected.size == 0:
        assert tuple(out.shape) == expected.shape
        return
    repeated = len(set(expected.reshape(-1).tolist())) < expected.size  # an element picked twice
    check(array, expected, t, out if not repeated else out * 1)


def test_integer_and_bool_tensors_index_as_their_lists_do(backend):
    x = torch.arange(12.0).reshape(3, 4)
    assert x[torch.tensor([2, 0])].tolist() == x[[2, 0]].tolist()
    assert x[x > 6].tolist() == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert x[torch.tensor(1)].tolist() == x[1].tolist()
    assert x[np.array([0, 2]), np.int64(1)].tolist() == [1.0, 9.0]
    with pytest.raises(IndexError, match="must be long, int, byte or bool tensors"):
        x[torch.tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[[0, 3]]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match .* \[3\]"):
        x[torch.tensor([True, False])]


@settings_
@given(
    values=st.lists(st.sampled_from([-2.0, -0.5, 0.0, 1.0, 3.0, math.nan, math.inf]), min_size=1, max_size=8)
)
def test_sort_puts_nan_last_and_keeps_ties_in_order_on_both_backends(values):
    python = torch.tensor(values, backend="python").sort()
    numpy = torch.tensor(values, backend="numpy").sort()
    expected = np.sort(np.array(values), kind="stable")  # numpy also puts nan last
    order = np.argsort(np.array(values), kind="stable")
    for got in (python, numpy):
        assert np.array_equal(np.array(got.values.tolist()), expected, equal_nan=True)
        assert got.indices.tolist() == order.tolist()


@pytest.mark.parametrize(
    "row",
    [
        [0.0, 0.0, 0.0],
        [1000.0, -1000.0, 0.0],
        [-math.inf, 0.0, 1.0],
        [math.inf, 0.0, 1.0],
        [math.nan, 1.0, 2.0],
    ],
)
def test_softmax_agrees_on_both_backends_at_the_edges(row):
    outs = [torch.tensor([row], backend=b).softmax(dim=1).tolist() for b in ("python", "numpy")]
    logs = [torch.tensor([row], backend=b).log_softmax(dim=1).tolist() for b in ("python", "numpy")]
    assert np.array_equal(np.array(outs[0]), np.array(outs[1]), equal_nan=True)
    assert np.array_equal(np.array(logs[0]), np.array(logs[1]), equal_nan=True)
    if all(math.isfinite(x) for x in row):
        assert math.isclose(sum(outs[0][0]), 1.0) and all(math.isfinite(x) for x in logs[0][0])


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t.take([0, 1]),
        lambda t: torch.cat([t, t]),
        lambda t: torch.stack([t]),
        lambda t: t.flip(0),
        lambda t: t.max(dim=0).values,
        lambda t: t.sum(dim=0, keepdim=True),
        lambda t: t.repeat(2),
        lambda t: t[[0, 1]],
        lambda t: t.sort().values,
        lambda t: t.cumsum(0),
        lambda t: torch.where(t > 0, t, 0.0),
    ],
)
def test_an_op_that_copies_in_pytorch_leaves_its_input_alone_when_its_result_is_written(op, backend):
    t = torch.tensor([3.0, 1.0, 2.0])
    out = op(t)
    out.zero_()
    assert t.tolist() == [3.0, 1.0, 2.0]


def test_a_view_still_writes_through(backend):
    t = torch.tensor([[3.0, 1.0], [2.0, 5.0]])
    t.permute(1, 0)[0].zero_()
    t.narrow(0, 1, 1).fill_(7.0)
    t.split(1, dim=1)[1].mul_(2)
    assert t.tolist() == [[0.0, 2.0], [7.0, 14.0]]
