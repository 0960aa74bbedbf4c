"""Bad input to tensors: the same error type and the same message on both backends, naming what was wrong."""

import functools
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import micrograd_edu as torch
from micrograd_edu import tensor

X23 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def bad(make, error, message, id):
    return pytest.param(make, error, message, id=id)


BAD_INPUT = [
    # data that is not a (rectangular) nested list of numbers
    bad(
        lambda t: t([[1.0, 2.0], [3.0]]), ValueError, r"ragged.*'data\[0\]': 2, 'data\[1\]': 1", "ragged rows"
    ),
    bad(lambda t: t([[[1.0], [2.0]], [[3.0]]]), ValueError, r"ragged.*'data\[1\]': 1", "ragged at depth 2"),
    bad(
        lambda t: t([[1.0], 2.0]),
        TypeError,
        r"lists of equal depth, got a number at data\[1\]",
        "mixed depth",
    ),
    bad(lambda t: t([1.0, "a"]), TypeError, r"got str 'a' at data\[1\]", "a string element"),
    bad(lambda t: t([[1.0], [None]]), TypeError, r"got NoneType None at data\[1\]\[0\]", "a None element"),
    bad(lambda t: t(None), TypeError, r"got NoneType None", "None as data"),
    bad(lambda t: t("12"), TypeError, r"got str '12'", "a string as data"),
    bad(
        lambda t: t([1.0], requires_grad=1),
        TypeError,
        r"requires_grad must be True or False, got 1",
        "requires_grad=1",
    ),
    # shapes that do not broadcast, and matrix products that do not fit
    bad(
        lambda t: t([[1.0, 2.0]]) + t([1.0, 2.0, 3.0]),
        RuntimeError,
        r"'\+': shapes \(1, 2\) and \(3,\) do not",
        "+",
    ),
    bad(
        lambda t: t(X23) * t([[1.0], [2.0], [3.0]]),
        RuntimeError,
        r"'\*': shapes \(2, 3\) and \(3, 1\) do not",
        "*",
    ),
    bad(
        lambda t: 2 ** t([1.0, 2.0]) / t([[1.0, 2.0, 3.0]]),
        RuntimeError,
        r"'/': shapes \(2,\) and \(1, 3\)",
        "/",
    ),
    bad(
        lambda t: t([1.0, 2.0]) > t([1.0, 2.0, 3.0]),
        RuntimeError,
        r"'>': shapes \(2,\) and \(3,\) do not",
        ">",
    ),
    bad(
        lambda t: t([[1.0, 2.0]]) @ t([[1.0, 2.0, 3.0]]),
        RuntimeError,
        r"cannot be multiplied \(1x2 and 1x3\): in matmul of shapes \(1, 2\) and \(1, 3\)",
        "@ 2-d",
    ),
    bad(
        lambda t: t([1.0, 2.0]) @ t([1.0, 2.0, 3.0]),
        RuntimeError,
        r"matmul of shapes \(2,\) and \(3,\), a row of the left has 2",
        "@ 1-d",
    ),
    bad(
        lambda t: t(X23) @ t([1.0, 2.0]),
        RuntimeError,
        r"matmul of shapes \(2, 3\) and \(2,\)",
        "@ 2-d 1-d",
    ),
    bad(lambda t: t(2.0) @ t([1.0]), RuntimeError, r"at least 1D, but they are 0D and 1D", "@ 0-d"),
    bad(
        lambda t: t([1.0, 2.0]) @ 3,
        TypeError,
        r"matmul\(\): argument 'other' \(position 1\) must be Tensor, not int",
        "@ a number",
    ),
    bad(lambda t: 3 @ t([1.0, 2.0]), TypeError, r"must be Tensor, not int", "a number @"),
    # dims, shapes and indices out of range
    bad(
        lambda t: t(X23).sum(dim=2),
        IndexError,
        r"sum: dim 2 is out of range for a 2-d tensor \(use -2 to 1\)",
        "sum",
    ),
    bad(lambda t: t(X23).mean(dim=-3), IndexError, r"mean: dim -3 is out of range for a 2-d", "mean"),
    bad(lambda t: t(X23).max(dim=2), IndexError, r"max: dim 2 is out of range for a 2-d", "max"),
    bad(lambda t: t(X23).transpose(0, 2), IndexError, r"transpose: dim 2 is out of range", "transpose"),
    bad(lambda t: t(X23).size(-3), IndexError, r"size: dim -3 is out of range", "size"),
    bad(lambda t: t([1.0]).unsqueeze(2), IndexError, r"unsqueeze: dim 2 is out of range", "unsqueeze"),
    bad(
        lambda t: t([1.0]).squeeze(1),
        IndexError,
        r"squeeze: dim 1 is out of range for a 1-d tensor",
        "squeeze",
    ),
    bad(
        lambda t: t(1.0).sum(dim=1),
        IndexError,
        r"dim 1 is out of range for a 0-d tensor \(use -1 to 0\)",
        "0-d",
    ),
    bad(
        lambda t: t(X23).reshape(4, 2),
        RuntimeError,
        r"shape '\[4, 2\]' is invalid for input of size 6: reshape: shape \(4, 2\) does not hold the 6 "
        r"elements of a tensor of shape \(2, 3\)",
        "4x2",
    ),
    bad(
        lambda t: t(X23).view(-1, -1),
        RuntimeError,
        r"shape '\[-1, -1\]' is invalid for input of size 6",
        "two -1s",
    ),
    bad(
        lambda t: t(X23).reshape(4, -1),
        RuntimeError,
        r"shape '\[4, -1\]' is invalid",
        "-1 that does not divide",
    ),
    bad(lambda t: t(X23).reshape(3, -2), RuntimeError, r"shape '\[3, -2\]' is invalid", "a negative size"),
    bad(
        lambda t: t(X23)[0, 3], IndexError, r"index 3 is out of bounds for dimension 1 with size 3", "index 3"
    ),
    bad(
        lambda t: t(X23)[-3], IndexError, r"index -3 is out of bounds for dimension 0 with size 2", "index -3"
    ),
    bad(
        lambda t: t(X23)[0, 0, 0],
        IndexError,
        r"too many indices for a tensor of shape \(2, 3\): 3 given",
        "3 ints",
    ),
    bad(lambda t: t(X23)[..., 0, ...], IndexError, r"a single ellipsis", "two ellipses"),
    bad(lambda t: t(X23)[0.5], IndexError, r"got float 0.5", "a float index"),
    bad(lambda t: t(X23)[1.0], IndexError, r"valid indices \(got float 1.0", "a whole float index"),
    bad(lambda t: t(X23).flip((0, 0)), RuntimeError, r"dim 0 appears multiple times", "flip, a dim twice"),
    bad(
        lambda t: t(X23).squeeze((1, -1)),
        RuntimeError,
        r"dim 1 appears multiple times",
        "squeeze, a dim twice",
    ),
    bad(
        lambda t: t([1, 2]).add_(1.5),
        RuntimeError,
        r"can't be cast to the desired output type Long",
        "int += 1.5",
    ),
    bad(
        lambda t: t([True]).add_(1),
        RuntimeError,
        r"Long can't be cast to the desired output type Bool",
        "bool += 1",
    ),
    bad(lambda t: t(X23)[::-1], ValueError, r"step must be greater than zero.*torch.flip", "a negative step"),
    bad(lambda t: t(X23).t().view(6), RuntimeError, r"view size is not compatible", "view of a transpose"),
    bad(lambda t: t(X23)["a"], IndexError, r"got str 'a'", "a string index"),
    bad(
        lambda t: t([[[1.0]]]).T,
        ValueError,
        r"\.T is for 1-d and 2-d tensors.*\(1, 1, 1\).*transpose",
        ".T of 3-d",
    ),
    # values outside an op's domain: the first offending element is named
    bad(lambda t: t([1.0, 0.0]).log(), ValueError, r"positive numbers only, got log\(0.0\)", "log(0)"),
    bad(lambda t: t([[1.0, -2.0], [-3.0, 1.0]]).log(), ValueError, r"got log\(-2.0\)", "log of a negative"),
    bad(lambda t: t(-0.5).log(), ValueError, r"got log\(-0.5\)", "log of a 0-d negative"),
    bad(
        lambda t: t([1.0, 2.0]) / t([3.0, 0.0]), ZeroDivisionError, r"division by zero in 2.0 / 0.0", "x / 0"
    ),
    bad(lambda t: t([0.0, 2.0]) / t([0.0, 1.0]), ZeroDivisionError, r"in 0.0 / 0.0", "0 / 0"),
    bad(lambda t: t([[4.0], [2.0]]) / t([1.0, 0.0]), ZeroDivisionError, r"in 4.0 / 0.0", "x / 0, broadcast"),
    bad(lambda t: 1 / t([3.0, 0.0]), ZeroDivisionError, r"in 1.0 / 0.0", "1 / x"),
    bad(lambda t: t([1.0, 2.0]) / 0, ZeroDivisionError, r"in 1.0 / 0.0", "x / the number 0"),
    bad(lambda t: t([4.0, -1.0]) ** 0.5, ValueError, r"\(-1.0\) \*\* 0.5 is not a real number", "sqrt(-1)"),
    bad(lambda t: t([2.0, 0.0]) ** -1, ZeroDivisionError, r"0 \*\* -1.0 divides by zero", "0 ** -1"),
    bad(lambda t: t([1.0, 1000.0]).exp(), OverflowError, r"exp\(1000.0\) is too large", "exp(1000)"),
    bad(lambda t: t([1.0]) + "2", TypeError, r"got str '2' in \+", "tensor + string"),
    bad(lambda t: t([1.0]) * None, TypeError, r"got NoneType None in \*", "tensor * None"),
    # asking for what a tensor cannot give
    bad(lambda t: t([1.0, 2.0]).item(), RuntimeError, r"one element, this one has shape \(2,\)", "item()"),
    bad(lambda t: len(t(1.0)), TypeError, r"len\(\) of a 0-d tensor", "len() of 0-d"),
    bad(
        lambda t: bool(t([1.0, 2.0])),
        RuntimeError,
        r"truth value of a tensor of shape \(2,\) is ambiguous",
        "bool()",
    ),
    bad(lambda t: t([]).max(), ValueError, r"max\(\) of an empty tensor", "max of empty"),
    bad(lambda t: t([1.0]).sum().backward(), RuntimeError, r"does not require grad", "backward without grad"),
    bad(
        lambda t: t([1.0]).retain_grad(),
        RuntimeError,
        r"retain_grad\(\) on a tensor that does not",
        "retain_grad",
    ),
    bad(
        lambda t: (t([1.0, 2.0], requires_grad=True) * 2).backward(gradient=t([1.0, 2.0, 3.0])),
        RuntimeError,
        r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3\]\) and output\[0\] has a shape "
        r"of torch.Size\(\[2\]\)",
        "gradient of the wrong shape",
    ),
    # joining tensors
    bad(
        lambda t: torch.cat([t(X23), t([[1.0, 2.0]])]),
        RuntimeError,
        r"Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor "
        r"number 1 in the list \(cat: tensor 0 has shape \(2, 3\), tensor 1 has shape \(1, 2\)\)",
        "cat shapes",
    ),
    bad(
        lambda t: torch.cat([t(X23), t([1.0, 2.0])], 1),
        RuntimeError,
        r"Tensors must have same number of dimensions: got 2 and 1",
        "cat of fewer dimensions",
    ),
    bad(lambda t: torch.cat([]), ValueError, r"torch.cat\(\): expected a non-empty list", "cat of nothing"),
    bad(lambda t: torch.stack(()), RuntimeError, r"stack expects a non-empty TensorList", "stack of nothing"),
    bad(
        lambda t: torch.cat(t([1.0])),
        TypeError,
        r"cat\(\): argument 'tensors' \(position 1\) must be tuple of Tensors, not Tensor",
        "cat of one tensor",
    ),
    bad(
        lambda t: torch.cat([t([1.0]), 2.0]),
        TypeError,
        r"expected Tensor as element 1 in argument 0, but got float",
        "cat of a number",
    ),
    bad(
        lambda t: torch.stack([t([1.0, 2.0]), t([1.0])], dim=1),
        RuntimeError,
        r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[1\] at entry 1",
        "stack shapes",
    ),
    bad(lambda t: torch.stack([t([1.0])], dim=2), IndexError, r"stack: dim 2 is out of range", "stack dim"),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_INPUT)
def test_bad_input_gets_the_same_clear_error_on_both_backends(make, error, message):
    said = []
    for backend in ("python", "numpy"):
        with pytest.raises(error, match=message) as caught:
            make(functools.partial(tensor, backend=backend))
        assert caught.type is error
        said.append(str(caught.value))
    assert said[0] == said[1]


shapes = st.lists(st.integers(1, 3), max_size=3).map(tuple)
# The `backend` fixture (conftest.py) runs a test on each backend. It only sets the default
# backend, which no example changes, so hypothesis may reuse it across a test's examples.
fifty_examples = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@fifty_examples
@given(a=shapes, b=shapes)
def test_shapes_broadcast_exactly_when_numpy_says_so_and_errors_name_both(a, b, backend):
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        expected = None
    x, y = torch.ones(a, backend=backend), torch.ones(b, backend=backend)
    if expected is None:
        with pytest.raises(RuntimeError, match=re.escape(f"'-': shapes {a} and {b} do not broadcast")):
            x - y
    else:
        assert (x - y).shape == expected


@fifty_examples
@given(a=shapes.filter(lambda s: len(s) >= 1), b=shapes.filter(lambda s: len(s) >= 1))
def test_matmul_works_exactly_when_numpy_says_so_and_errors_name_both_shapes(a, b, backend):
    try:
        expected = (np.ones(a) @ np.ones(b)).shape
    except ValueError:
        expected = None
    x, y = torch.ones(a, backend=backend), torch.ones(b, backend=backend)
    if expected is None:
        with pytest.raises(RuntimeError, match=re.escape(f"shapes {a} and {b}")):
            x @ y
    else:
        assert (x @ y).shape == expected


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: a**b,
        lambda a, b: a @ b,
        lambda a, b: a < b,
    ],
    ids=["+", "*", "**", "@", "<"],
)
def test_mixing_a_python_path_and_a_numpy_path_tensor_says_to_pick_one(combine, backend):
    first, second = backend, "numpy" if backend == "python" else "python"
    a, b = tensor([1.0, 2.0], backend=first), tensor([3.0, 4.0], backend=second)
    with pytest.raises(
        TypeError, match=rf"a tensor on the {first} backend and one on the {second} backend.*same backend="
    ):
        combine(a, b)


@pytest.mark.parametrize(
    "choose",
    [
        torch.set_backend,
        lambda name: tensor([1.0], backend=name),
        lambda name: torch.zeros(2, backend=name),
        lambda name: torch.randn(2, backend=name),
    ],
    ids=["set_backend", "tensor", "zeros", "randn"],
)
def test_an_unknown_backend_is_refused_with_the_known_ones(choose):
    before = torch.get_backend()
    with pytest.raises(ValueError, match=r"backend must be one of \('python', 'numpy'\), got 'torch'"):
        choose("torch")
    assert torch.get_backend() == before
