"""Tensor on both backends: every op against central differences and numpy, the two backends against
each other, PyTorch's autograd rules, conversions, repr, backend choice, and the numpy-free path.

Bad input and its error messages: test_tensor_errors.py.
"""

import json
import math
import operator
import random
import re
import subprocess
import sys
import textwrap
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import micrograd_edu as torch
from micrograd_edu import Tensor, no_grad, tensor
from micrograd_edu.tensor import MaxResult

# The `backend` fixture (conftest.py) runs a test on each backend. It only sets the default
# backend, which no example changes, so hypothesis may reuse it across a test's examples.
few_examples = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

EPS = 1e-6  # central differences: (f(x + eps) - f(x - eps)) / 2 eps


def nested(flat: list[float], shape: tuple[int, ...]):
    """Row-major flat values as nested lists of `shape` (a plain number for shape ())."""
    if not shape:
        return flat[0]
    for size in reversed(shape[1:]):
        flat = [flat[i : i + size] for i in range(0, len(flat), size)]
    return flat


def flat_list(nested_values) -> list:
    """The inverse of `nested`: every number of nested lists, in row-major order."""
    if not isinstance(nested_values, list):
        return [nested_values]
    return [x for item in nested_values for x in flat_list(item)]


def weighted_sum(out: Tensor) -> Tensor:
    """sum(out * W) for a fixed random W: every output element counts, each with its own weight."""
    weights = random.Random(0)
    w = [weights.uniform(-1.0, 1.0) for _ in range(out.numel())]
    return (out * tensor(w, backend=out.backend).reshape(out.shape)).sum()


def leaves(inputs, backend: str, requires_grad: bool = True) -> list[Tensor]:
    return [
        tensor(nested(flat, shape), requires_grad=requires_grad, backend=backend) for flat, shape in inputs
    ]


def assert_gradients_match_central_differences(f, inputs, backend: str) -> Tensor:
    """backward() of weighted_sum(f(*inputs)) against central differences, for every input element.

    `inputs` are (flat values, shape) pairs, float64 throughout. Returns f's output.
    """
    xs = leaves(inputs, backend)
    out = f(*xs)
    weighted_sum(out).backward()

    def loss_at(i: int, j: int, step: float) -> float:
        moved = [(list(flat), shape) for flat, shape in inputs]
        moved[i][0][j] += step
        with no_grad():
            return weighted_sum(f(*leaves(moved, backend, requires_grad=False))).item()

    wrong = []
    for i, (x, (_, shape)) in enumerate(zip(xs, inputs)):
        assert x.grad is not None and x.grad.shape == shape
        for j, analytic in enumerate(flat_list(x.grad.tolist())):
            numeric = (loss_at(i, j, EPS) - loss_at(i, j, -EPS)) / (2 * EPS)
            if not math.isclose(analytic, numeric, rel_tol=1e-5, abs_tol=1e-6):
                wrong.append(
                    f"input {i}, element {j}: backward {analytic!r}, central differences {numeric!r}"
                )
    assert not wrong, "\n".join(wrong)
    return out


# ---- the ops, as hypothesis strategies -------------------------------------------------------
# Each draws a Case: the op on tensors (f), the same op on numpy arrays (reference, for the
# forward values) and the inputs as (flat values, shape). Inputs stay away from kinks (relu
# and abs at 0), domain edges (log, a ** b and x / 0 near 0) and ties (max).


class Case(namedtuple("Case", ["text", "f", "reference", "inputs"])):
    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"{self.text} with inputs {self.inputs}"


ELEMENTS = {
    "any": st.floats(-2.0, 2.0),
    "positive": st.floats(0.5, 2.0),
    "nonzero": st.one_of(st.floats(-2.0, -0.25), st.floats(0.25, 2.0)),
    "wide": st.floats(-6.0, 6.0),
}
shapes = st.lists(st.integers(1, 3), max_size=3).map(tuple)


def filled(draw, shape, kind: str = "any"):
    n = math.prod(shape)
    return draw(st.lists(ELEMENTS[kind], min_size=n, max_size=n)), shape


def distinct(draw, shape):
    """Values at least 0.3 apart, in a drawn order: a max with no ties, even after +-EPS."""
    order = draw(st.permutations(range(math.prod(shape))))
    offset = draw(st.floats(-2.0, -1.5))
    return [offset + 0.3 * k for k in order], shape


@st.composite
def broadcastable_shapes(draw):
    """Two shapes that broadcast: one may lack leading dims, and either may have 1s anywhere."""
    full = draw(shapes)
    a = tuple(1 if draw(st.booleans()) else s for s in full)
    b = tuple(1 if draw(st.booleans()) else s for s in full[draw(st.integers(0, len(full))) :])
    return (a, b) if draw(st.booleans()) else (b, a)


def binary(symbol: str, op, kind_a: str, kind_b: str):
    @st.composite
    def case(draw):
        sa, sb = draw(broadcastable_shapes())
        return Case(f"a{sa} {symbol} b{sb}", op, op, [filled(draw, sa, kind_a), filled(draw, sb, kind_b)])

    return case()


def elementwise(text: str, f, reference, kind: str = "any"):
    @st.composite
    def case(draw):
        shape = draw(shapes)
        return Case(f"{text} on shape {shape}", f, reference, [filled(draw, shape, kind)])

    return case()


def np_sigmoid(a):
    return 1 / (1 + np.exp(-a))


@st.composite
def matmul_case(draw):
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sa = draw(st.sampled_from([(k,), (n, k)]))
    sb = draw(st.sampled_from([(k,), (k, m)]))
    return Case(f"a{sa} @ b{sb}", operator.matmul, operator.matmul, [filled(draw, sa), filled(draw, sb)])


@st.composite
def cat_case(draw):
    shape = draw(shapes.filter(len))
    dim = dims_of(draw, shape)
    d = dim % len(shape)
    parts = [shape[:d] + (draw(st.integers(1, 3)),) + shape[d + 1 :] for _ in range(draw(st.integers(1, 3)))]
    return Case(
        f"cat({parts}, dim={dim})",
        lambda *xs: torch.cat(list(xs), dim=dim),
        lambda *arrays: np.concatenate(arrays, axis=dim),
        [filled(draw, part) for part in parts],
    )


@st.composite
def stack_case(draw):
    shape, count = draw(shapes), draw(st.integers(1, 3))
    dim = dims_of(draw, shape, extra=1)
    return Case(
        f"stack({count} x {shape}, dim={dim})",
        lambda *xs: torch.stack(list(xs), dim=dim),
        lambda *arrays: np.stack(arrays, axis=dim),
        [filled(draw, shape) for _ in range(count)],
    )


def dims_of(draw, shape, extra: int = 0):
    """A valid dim, negative ones included (a 0-d tensor takes 0 and -1, as in PyTorch)."""
    n = max(len(shape) + extra, 1)
    return draw(st.integers(-n, n - 1))


@st.composite
def transpose_case(draw):
    shape = draw(shapes.filter(len))
    d0, d1 = dims_of(draw, shape), dims_of(draw, shape)
    return Case(
        f"x{shape}.transpose({d0}, {d1})",
        lambda x: x.transpose(d0, d1),
        lambda a: np.swapaxes(a, d0, d1),
        [filled(draw, shape)],
    )


@st.composite
def dot_t_case(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple))
    return Case(f"x{shape}.T", lambda x: x.T, lambda a: a.T, [filled(draw, shape)])


def same_size_shapes(n: int) -> list[tuple[int, ...]]:
    """Every shape of up to 3 dims with n elements."""
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    found = [(n,)] + [(d, n // d) for d in divisors]
    found += [(d, e, n // (d * e)) for d in divisors for e in divisors if n % (d * e) == 0]
    return found + [()] * (n == 1)


@st.composite
def reshape_case(draw, method: str):
    shape = draw(shapes)
    new = draw(st.sampled_from(same_size_shapes(math.prod(shape))))
    if new and draw(st.booleans()):  # let one size be inferred
        at = draw(st.integers(0, len(new) - 1))
        new = new[:at] + (-1,) + new[at + 1 :]
    return Case(
        f"x{shape}.{method}{new}",
        lambda x: getattr(x, method)(*new),
        lambda a: a.reshape(new),
        [filled(draw, shape)],
    )


@st.composite
def flatten_case(draw):
    shape = draw(shapes)
    if not shape:
        return Case("x().flatten()", lambda x: x.flatten(), lambda a: a.reshape(1), [filled(draw, shape)])
    start = dims_of(draw, shape)
    end = draw(st.integers(start % len(shape), len(shape) - 1))
    s = start % len(shape)
    return Case(
        f"x{shape}.flatten({start}, {end})",
        lambda x: x.flatten(start, end),
        lambda a: a.reshape(shape[:s] + (-1,) + shape[end + 1 :]),
        [filled(draw, shape)],
    )


@st.composite
def unsqueeze_case(draw):
    shape = draw(shapes)
    d = dims_of(draw, shape, extra=1)
    return Case(
        f"x{shape}.unsqueeze({d})",
        lambda x: x.unsqueeze(d),
        lambda a: np.expand_dims(a, d),
        [filled(draw, shape)],
    )


@st.composite
def squeeze_case(draw):
    shape = draw(shapes.filter(len))
    if draw(st.booleans()):
        return Case(f"x{shape}.squeeze()", lambda x: x.squeeze(), np.squeeze, [filled(draw, shape)])
    d = dims_of(draw, shape)
    return Case(
        f"x{shape}.squeeze({d})",
        lambda x: x.squeeze(d),
        lambda a: np.squeeze(a, axis=d) if a.shape[d] == 1 else a,
        [filled(draw, shape)],
    )


def index_for(draw, size: int):
    """An int (negative ones too) or a slice (bounds past the ends, negative ones, steps)."""
    if draw(st.booleans()):
        return draw(st.integers(-size, size - 1))
    bound = st.one_of(st.none(), st.integers(-size - 1, size + 1))
    return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2])))


@st.composite
def index_case(draw):
    shape = draw(shapes)
    used = draw(st.integers(min(1, len(shape)), len(shape)))  # dims given an index; the rest taken whole
    if draw(st.booleans()):  # `...` in the middle: the indices after it are for the last dims
        before = draw(st.integers(0, used))
        dims = list(range(before)) + list(range(len(shape) - (used - before), len(shape)))
        key = [index_for(draw, shape[d]) for d in dims]
        key.insert(before, Ellipsis)
    else:
        key = [index_for(draw, shape[d]) for d in range(used)]
    for _ in range(draw(st.integers(0, 2))):
        key.insert(draw(st.integers(0, len(key))), None)
    key = key[0] if len(key) == 1 and draw(st.booleans()) else tuple(key)
    return Case(f"x{shape}[{key!r}]", lambda x: x[key], lambda a: a[key], [filled(draw, shape)])


@st.composite
def reduction_case(draw, how: str):
    shape = draw(shapes)
    dim = None if draw(st.booleans()) else dims_of(draw, shape)
    keepdim = draw(st.booleans())
    inputs = [distinct(draw, shape) if how == "max" else filled(draw, shape)]
    axis = dim if shape else None  # numpy has no dim 0 on a 0-d array; the result is the same
    keep = keepdim and bool(shape)

    def f(x):
        out = getattr(x, how)(**({} if dim is None else {"dim": dim}), keepdim=keepdim)
        return out.values if isinstance(out, MaxResult) else out

    def reference(a):
        return np.asarray(getattr(a, how)(axis=axis, keepdims=keep))

    return Case(f"x{shape}.{how}(dim={dim}, keepdim={keepdim})", f, reference, inputs)


OPS = {
    "a + b": binary("+", operator.add, "any", "any"),
    "a - b": binary("-", operator.sub, "any", "any"),
    "a * b": binary("*", operator.mul, "any", "any"),
    "a / b": binary("/", operator.truediv, "any", "nonzero"),
    "a ** b": binary("**", operator.pow, "positive", "any"),
    "x + 1.5": elementwise("x + 1.5", lambda x: x + 1.5, lambda a: a + 1.5),
    "1.5 + x": elementwise("1.5 + x", lambda x: 1.5 + x, lambda a: 1.5 + a),
    "x - 2": elementwise("x - 2", lambda x: x - 2, lambda a: a - 2),
    "2 - x": elementwise("2 - x", lambda x: 2 - x, lambda a: 2 - a),
    "x * -0.5": elementwise("x * -0.5", lambda x: x * -0.5, lambda a: a * -0.5),
    "3 * x": elementwise("3 * x", lambda x: 3 * x, lambda a: 3 * a),
    "x / 4": elementwise("x / 4", lambda x: x / 4, lambda a: a / 4),
    "1 / x": elementwise("1 / x", lambda x: 1 / x, lambda a: 1 / a, "nonzero"),
    "2 ** x": elementwise("2 ** x", lambda x: 2**x, lambda a: 2**a),
    "x ** 2": elementwise("x ** 2", lambda x: x**2, lambda a: a**2),
    "x ** 3": elementwise("x ** 3", lambda x: x**3, lambda a: a**3),
    "x ** -1": elementwise("x ** -1", lambda x: x**-1, lambda a: a**-1.0, "nonzero"),
    "x ** 0.5": elementwise("x ** 0.5", lambda x: x**0.5, np.sqrt, "positive"),
    "x ** -1.5": elementwise("x ** -1.5", lambda x: x**-1.5, lambda a: a**-1.5, "positive"),
    "-x": elementwise("-x", operator.neg, operator.neg),
    "exp": elementwise("x.exp()", Tensor.exp, np.exp),
    "log": elementwise("x.log()", Tensor.log, np.log, "positive"),
    "tanh": elementwise("x.tanh()", Tensor.tanh, np.tanh, "wide"),
    "sigmoid": elementwise("x.sigmoid()", Tensor.sigmoid, np_sigmoid, "wide"),
    "relu": elementwise("x.relu()", Tensor.relu, lambda a: np.maximum(a, 0.0), "nonzero"),
    "abs": elementwise("abs(x)", abs, np.abs, "nonzero"),
    "matmul": matmul_case(),
    "transpose": transpose_case(),
    ".T": dot_t_case(),
    "reshape": reshape_case("reshape"),
    "view": reshape_case("view"),
    "flatten": flatten_case(),
    "unsqueeze": unsqueeze_case(),
    "squeeze": squeeze_case(),
    "indexing": index_case(),
    "cat": cat_case(),
    "stack": stack_case(),
    "sum": reduction_case("sum"),
    "mean": reduction_case("mean"),
    "max": reduction_case("max"),
}


@pytest.mark.parametrize("name", OPS)
@few_examples
@given(data=st.data())
def test_op_matches_numpy_forward_and_central_differences_backward(name, backend, data):
    case = data.draw(OPS[name])
    out = assert_gradients_match_central_differences(case.f, case.inputs, backend)
    expected = case.reference(*[np.array(flat).reshape(shape) for flat, shape in case.inputs])
    assert out.shape == expected.shape
    assert flat_list(out.tolist()) == pytest.approx(expected.ravel().tolist(), rel=1e-12, abs=1e-12)


KEYS = [
    -1,
    (slice(None), -2),
    (slice(-2, None), slice(None, None, 2), -3),
    (Ellipsis, -1),
    (None, 1, Ellipsis, None),
    (slice(1, None), slice(None, -1)),
    (slice(None), slice(-5, 5, 2)),
    (0, 2, 3),
    (Ellipsis,),
    slice(3, 1),
]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_indexing_picks_what_numpy_picks_and_sends_gradients_back_there(key, backend):
    a = np.arange(24.0).reshape(2, 3, 4)
    x = tensor(a.tolist(), requires_grad=True, backend=backend)
    picked = x[key]
    assert picked.shape == a[key].shape and picked.tolist() == a[key].tolist()
    picked.sum().backward()
    taken = np.zeros_like(a)
    taken[key] = 1.0
    assert x.grad.tolist() == taken.tolist()


# ---- the two backends against each other ----------------------------------------------------------


def run(f, inputs, backend: str):
    """f's output, what shape-sensitive ops make of it, and the inputs' gradients, as plain lists."""
    xs = leaves(inputs, backend)
    out = f(*xs)
    after = [out.tolist(), out.shape]
    if out.dim():  # ops that read the output's layout, not only its elements
        after += [out.sum(dim=0).tolist(), out.transpose(0, -1).tolist(), (out + out.unsqueeze(0)).tolist()]
    weighted_sum(out).backward()
    return after, [x.grad.tolist() for x in xs]


def assert_same(python, numpy):
    assert type(python) is type(numpy)
    if isinstance(python, (list, tuple)):
        assert len(python) == len(numpy)
        for p, n in zip(python, numpy):
            assert_same(p, n)
    else:
        assert python == pytest.approx(numpy, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", OPS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_op_gives_the_same_numbers_and_gradients_on_both_backends(name, data):
    case = data.draw(OPS[name])
    assert_same(run(case.f, case.inputs, "python"), run(case.f, case.inputs, "numpy"))


def logistic_regression(X, W, b):
    return (X @ W.T + b).sigmoid().mean()


def mlp_with_binary_cross_entropy(X, W1, b1, W2, b2):
    y = tensor([1.0, 0.0, 1.0, 1.0, 0.0], backend=X.backend)
    p = ((X @ W1.T + b1).tanh() @ W2.T + b2).sigmoid().reshape(-1)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def softmax_cross_entropy(logits):
    one_hot = tensor(
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], backend=logits.backend
    )
    z = logits - logits.max(dim=1, keepdim=True).values
    log_p = z - z.exp().sum(dim=1, keepdim=True).log()
    return -(one_hot * log_p).sum(dim=1).mean()


def standardize(x, scale):
    centred = x - x.mean(dim=0)
    return (scale * centred / (centred**2).mean(dim=0, keepdim=True) ** 0.5).abs().relu() ** 1.5


def rearrange(x, v):
    return (x[..., 1:].transpose(0, 2).reshape(-1, 2) @ v).flatten()[::2] / (2 - x[0, 0, 0].unsqueeze(0))


def reduce_then_reshape(x):
    m = x.max(dim=0).values  # (1, 3)
    return m.T @ m + x.sum(dim=2).mean(dim=0, keepdim=True) * x[1].squeeze().exp()


COMPOSITES = {
    "sigmoid(X @ W.T + b).mean()": (logistic_regression, [(5, 3), (2, 3), (2,)]),
    "2-layer MLP, binary cross-entropy by hand": (
        mlp_with_binary_cross_entropy,
        [(5, 2), (4, 2), (4,), (1, 4), (1,)],
    ),
    "softmax cross-entropy": (softmax_cross_entropy, [(4, 3)]),
    "standardize, abs, relu, ** 1.5": (standardize, [(4, 3), (3,)]),
    "index, transpose, reshape, @, slice": (rearrange, [(2, 2, 3), (2,)]),
    "max over a dim, then .T @, sum, mean, squeeze": (reduce_then_reshape, [(2, 1, 3)]),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_expressions_give_the_same_numbers_and_gradients_on_both_backends(name, seed):
    f, input_shapes = COMPOSITES[name]
    draw = random.Random(seed)
    inputs = [([draw.uniform(-1.5, 1.5) for _ in range(math.prod(s))], s) for s in input_shapes]
    assert_same(run(f, inputs, "python"), run(f, inputs, "numpy"))


def test_composite_expression_matches_central_differences(backend):
    draw = random.Random(3)
    inputs = [
        ([draw.uniform(-1.5, 1.5) for _ in range(math.prod(s))], s)
        for s in [(5, 2), (4, 2), (4,), (1, 4), (1,)]
    ]
    assert_gradients_match_central_differences(mlp_with_binary_cross_entropy, inputs, backend)


# ---- PyTorch's autograd rules ------------------------------------------------------------------


def test_grad_of_a_non_leaf_is_none_unless_it_retains_it(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    y, z = x * 3, x * 4
    z.retain_grad()
    (y * z).sum().backward()  # d/dy = z = 4x, d/dz = y = 3x
    assert y.grad is None
    assert z.grad.tolist() == [3.0, 6.0]
    assert x.grad.tolist() == [24.0, 48.0]  # 24x


def test_leaf_gradients_accumulate_over_two_backward_calls(backend):
    x = tensor([1.0, -2.0], requires_grad=True, backend=backend)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [2.0 + 3.0, -4.0 + 3.0]


def test_a_retained_non_leaf_gradient_accumulates_like_a_leaf(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    y = x * 2
    y.retain_grad()
    loss = (y * y).sum()
    loss.backward(retain_graph=True)
    assert y.grad.tolist() == [4.0, 8.0]
    loss.backward()
    assert y.grad.tolist() == [8.0, 16.0]  # as in PyTorch


def test_backward_on_a_non_scalar_needs_a_gradient(backend):
    y = tensor([1.0, 2.0], requires_grad=True, backend=backend) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2,\) needs gradient="):
        y.backward()


def test_backward_with_an_explicit_gradient_gives_the_vector_jacobian_product(backend):
    x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, backend=backend)
    w = tensor([10.0, 100.0], backend=backend)
    (x * w).backward(gradient=tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend))
    assert x.grad.tolist() == [[10.0, 200.0], [30.0, 400.0]]


def test_a_second_backward_needs_retain_graph(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_no_grad_results_neither_require_grad_nor_have_a_grad_fn(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    with no_grad():
        y = (x * 2 + 1).exp().sum()

    @no_grad()
    def double(t):
        return t * 2

    z = double(x)
    for t in (y, z):
        assert (t.requires_grad, t.grad_fn, t.is_leaf) == (False, None, True)
    assert (x * 2).requires_grad  # recording is back on after the block


def test_detach_gives_a_leaf_with_the_same_numbers_and_no_graph(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    y = x * 3
    d = y.detach()
    assert (d.tolist(), d.requires_grad, d.grad_fn, d.is_leaf) == ([3.0, 6.0], False, None, True)
    (d * x).sum().backward()  # d counts as a constant
    assert x.grad.tolist() == [3.0, 6.0]


def test_requires_grad_underscore_turns_a_leaf_on_and_off(backend):
    x = tensor([1.0, 2.0], backend=backend)
    assert x.requires_grad_() is x and x.requires_grad
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert not x.requires_grad_(False).requires_grad
    assert not (x * x).requires_grad


def test_requires_grad_underscore_refuses_a_non_leaf(backend):
    y = tensor([1.0], requires_grad=True, backend=backend) * 2
    with pytest.raises(RuntimeError, match="only be changed on a leaf.*detach"):
        y.requires_grad_(False)


def test_is_leaf_is_true_for_created_tensors_and_results_that_need_no_grad(backend):
    x = tensor([1.0], requires_grad=True, backend=backend)
    c = tensor([1.0], backend=backend)
    assert x.is_leaf and c.is_leaf and (c * 2).is_leaf
    assert not (x * 2).is_leaf and not (x * c).is_leaf


GRAD_FN_NAMES = [  # the names PyTorch 2.13 gives the same ops
    (lambda x, m: x + 1, "AddBackward0"),
    (lambda x, m: 1 + x, "AddBackward0"),
    (lambda x, m: x - m, "SubBackward0"),
    (lambda x, m: x * m, "MulBackward0"),
    (lambda x, m: x / m, "DivBackward0"),
    (lambda x, m: x**2, "PowBackward0"),
    (lambda x, m: x**m, "PowBackward1"),
    (lambda x, m: 2**x, "PowBackward2"),
    (lambda x, m: -x, "NegBackward0"),
    (lambda x, m: x.exp(), "ExpBackward0"),
    (lambda x, m: x.log(), "LogBackward0"),
    (lambda x, m: x.tanh(), "TanhBackward0"),
    (lambda x, m: x.sigmoid(), "SigmoidBackward0"),
    (lambda x, m: x.relu(), "ReluBackward0"),
    (lambda x, m: x.abs(), "AbsBackward0"),
    (lambda x, m: x @ m, "MmBackward0"),
    (lambda x, m: x.sum(), "SumBackward0"),
    (lambda x, m: x.sum(dim=1), "SumBackward1"),
    (lambda x, m: x.mean(), "MeanBackward0"),
    (lambda x, m: x.mean(dim=0), "MeanBackward1"),
    (lambda x, m: x.max(), "MaxBackward1"),
    (lambda x, m: x.max(dim=0).values, "MaxBackward0"),
    (lambda x, m: x.reshape(4), "ViewBackward0"),
    (lambda x, m: x.view(1, 4), "ViewBackward0"),
    (lambda x, m: x.flatten(), "ViewBackward0"),
    (lambda x, m: x.reshape(1, 2, 2).transpose(0, 2), "TransposeBackward0"),
]


@pytest.mark.parametrize(("op", "name"), GRAD_FN_NAMES, ids=[name for _, name in GRAD_FN_NAMES])
def test_grad_fn_is_named_as_in_pytorch(op, name, backend):
    x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, backend=backend)
    m = tensor([[0.5, 1.5], [2.5, 3.5]], backend=backend)
    out = op(x, m)
    assert re.fullmatch(f"<{name} object at 0x[0-9a-f]+>", repr(out.grad_fn))  # as PyTorch prints it
    assert out.grad_fn.name() == name
    assert repr(out).endswith(f"grad_fn=<{name}>)")


@pytest.mark.parametrize(
    ("a_requires", "b_requires"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_a_result_requires_grad_exactly_when_an_input_does(a_requires, b_requires, backend):
    a = tensor([1.0, 2.0], requires_grad=a_requires, backend=backend)
    b = tensor([3.0, 4.0], requires_grad=b_requires, backend=backend)
    results = [a * b, a @ b, b**a, (a - b).sum(dim=0), a.reshape(2, 1) / b, a[1:] + b.max()]
    for out in results:
        assert out.requires_grad == (a_requires or b_requires)
        assert (out.grad_fn is None) == (not out.requires_grad)
    assert (a * 2).requires_grad == a_requires


# ---- comparisons and conversions -----------------------------------------------------------------


def test_comparisons_give_bool_tensors_without_grad(backend):
    x = tensor([[1.0, 2.0, 3.0]], requires_grad=True, backend=backend)
    column = tensor([[2.0], [0.0]], backend=backend)
    results = {
        ">": x > 2,
        "<": x < column,
        ">=": x >= 2,
        "<=": x <= column,
        "==": x == 2,
        "!=": x != 2,
    }
    assert {op: t.tolist() for op, t in results.items()} == {
        ">": [[False, False, True]],
        "<": [[True, False, False], [False, False, False]],
        ">=": [[False, True, True]],
        "<=": [[True, True, False], [False, False, False]],
        "==": [[False, True, False]],
        "!=": [[True, False, True]],
    }
    for t in results.values():
        assert (t.requires_grad, t.grad_fn) == (False, None)
    assert repr(x > 2) == "tensor([[False, False,  True]])"


def test_float_turns_bools_into_ones_and_zeros(backend):
    x = tensor([1.0, -2.0, 3.0], backend=backend)
    as_float = (x > 0).float()
    assert as_float.tolist() == [1.0, 0.0, 1.0]
    assert repr(as_float) == "tensor([1., 0., 1.], dtype=torch.float32)"  # .float() is float32, as in PyTorch
    assert (as_float * 2).tolist() == [2.0, 0.0, 2.0]
    assert x.float().float() is not x and x.double() is x  # .float() is float32; x is float64 already


def test_round_rounds_half_to_even_and_builds_no_graph(backend):
    x = tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6], requires_grad=True, backend=backend)
    rounded = x.round()
    assert rounded.tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, 2.0, 3.0]
    assert repr(rounded) == "tensor([ 0.,  2.,  2., -0., -2.,  2.,  3.])"  # PyTorch's, -0. included
    assert (rounded.requires_grad, rounded.grad_fn) == (False, None)


def test_round_keeps_infinities(backend):
    assert tensor([math.inf, -math.inf, 2.5], backend=backend).round().tolist() == [math.inf, -math.inf, 2.0]


def test_item_tolist_and_numpy_give_plain_values(backend):
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert x[1, 2].item() == 6.0 and type(x[1, 2].item()) is float
    assert (x[0, 0] > 0).item() is True
    assert tensor(2.5, backend=backend).tolist() == 2.5
    array = x.numpy()
    assert isinstance(array, np.ndarray) and array.dtype == np.float64 and array.shape == (2, 3)
    assert array.tolist() == x.tolist()
    assert (x > 2).numpy().dtype == bool


def test_numpy_of_a_tensor_that_requires_grad_says_to_detach(backend):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    with pytest.raises(RuntimeError, match=r"\.detach\(\)\.numpy\(\)"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 2.0]


def test_shape_size_dim_len_and_iteration(backend):
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    assert x.shape == (2, 3) and x.size() == (2, 3)
    assert (x.size(0), x.size(1), x.size(-1)) == (2, 3, 3)
    assert (x.dim(), x.ndim, len(x), x.numel()) == (2, 2, 2, 6)
    assert [row.tolist() for row in x] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert [v.item() for v in x[1]] == [4.0, 5.0, 6.0]
    scalar = tensor(7.0, backend=backend)
    assert (scalar.shape, scalar.dim(), scalar.item()) == ((), 0, 7.0)


# ---- repr, as PyTorch prints it -------------------------------------------------------------------

REPRS = [  # each expected string is what PyTorch 2.13 prints for the same tensor
    (lambda t: t([[0.5, 0.2]], requires_grad=True) + 0, "tensor([[0.5000, 0.2000]], grad_fn=<AddBackward0>)"),
    (lambda t: t([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda t: t([[1.0, 2.5], [-3.0, 4.0]]), "tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]])"),
    (lambda t: t([2.0], requires_grad=True).log().mean(), "tensor(0.6931, grad_fn=<MeanBackward0>)"),
    (lambda t: t([1.0, 0.0]) > 0.5, "tensor([ True, False])"),
    (lambda t: t([[1.0], [0.0]]) > 0.5, "tensor([[ True],\n        [False]])"),
    (lambda t: t(1.0) > 0.5, "tensor(True)"),
    (lambda t: t(-3.0), "tensor(-3.)"),
    (
        lambda t: t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True).sum(0),
        "tensor([5., 7., 9.], grad_fn=<SumBackward1>)",
    ),
    (
        lambda t: t([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]),
        "tensor([[[1., 2.],\n         [3., 4.]],\n\n        [[5., 6.],\n         [7., 8.]]])",
    ),
    (lambda t: t([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda t: t([-1e9, 2.0]), "tensor([-1.0000e+09,  2.0000e+00])"),
    (lambda t: t([0.001, 10.0]), "tensor([1.0000e-03, 1.0000e+01])"),  # largest / smallest > 1000
    (lambda t: t([1.0, 1000.0]), "tensor([   1., 1000.])"),
    (lambda t: t([1.0, 2000.0]), "tensor([1.0000e+00, 2.0000e+03])"),
    (lambda t: t([-1.5, 100.25]), "tensor([ -1.5000, 100.2500])"),
    (lambda t: t([0.0, 0.0]), "tensor([0., 0.])"),
    (lambda t: t([-0.0, 1.0]), "tensor([-0., 1.])"),
    (lambda t: t([math.nan, 1.5]), "tensor([   nan, 1.5000])"),
    (lambda t: t([-math.inf, 0.5]), "tensor([  -inf, 0.5000])"),
    (lambda t: t([math.inf, 1.0]), "tensor([inf, 1.])"),
    (lambda t: t([]), "tensor([])"),
]


@pytest.mark.parametrize(("make", "expected"), REPRS, ids=[text for _, text in REPRS])
def test_repr_is_what_pytorch_prints(make, expected, backend):
    assert repr(make(lambda data, **kw: tensor(data, backend=backend, **kw))) == expected


# ---- choosing the backend -----------------------------------------------------------------------------


def test_the_default_backend_is_python():
    program = "import micrograd_edu as torch; print(torch.get_backend(), torch.tensor([1.0]).backend)"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["python", "python"]


def test_backend_can_be_chosen_per_call(backend):
    made = [
        tensor([1.0], backend=backend),
        torch.zeros(2, backend=backend),
        torch.ones(2, 1, backend=backend),
        torch.rand(3, backend=backend),
        torch.randn(1, requires_grad=True, backend=backend),
        torch.arange(3, backend=backend),
    ]
    assert {t.backend for t in made} == {backend}
    assert (made[0] + made[1]).backend == backend


def test_set_backend_sets_where_new_tensors_go(backend):
    other = "numpy" if backend == "python" else "python"
    old = tensor([1.0], backend=other)
    torch.set_backend(other)  # the backend fixture already made `backend` the default
    torch.set_backend(backend)
    assert torch.get_backend() == backend
    assert tensor([1.0]).backend == backend and torch.zeros(2).backend == backend
    assert tensor([1.0], backend=other).backend == other  # a call's backend= wins
    assert (old * 2 + 1).backend == other  # a result stays on its inputs' backend


# ---- the numpy-free path ---------------------------------------------------------------------------

NUMPY_FREE_TRAINING = textwrap.dedent(
    """
    import json
    import sys


    class BlockNumpy:
        def find_spec(self, name, path=None, target=None):
            if name == "numpy" or name.startswith("numpy."):
                raise ImportError(f"{name} is blocked in this test")
            return None


    sys.meta_path.insert(0, BlockNumpy())

    import micrograd_edu as torch

    torch.manual_seed(0)
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([0.0, 1.0, 1.0, 1.0])
    params = [
        torch.randn(4, 2, requires_grad=True),
        torch.zeros(4, requires_grad=True),
        torch.randn(1, 4, requires_grad=True),
        torch.zeros(1, requires_grad=True),
    ]
    W1, b1, W2, b2 = params
    losses = []
    for step in range(50):
        p = ((X @ W1.T + b1).tanh() @ W2.T + b2).sigmoid().reshape(-1)
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            for w in params:
                w.data -= 0.5 * w.grad  # in place: the same leaf tensors all along
                w.grad.zero_()

    try:
        torch.tensor([1.0], backend="numpy")
        numpy_error = None
    except ImportError as e:
        numpy_error = str(e)
    print(json.dumps({
        "backend": params[0].backend,
        "losses": losses,
        "numpy imported": "numpy" in sys.modules,
        "numpy error": numpy_error,
    }))
    """
)


def test_the_python_path_trains_a_model_with_numpy_blocked():
    result = subprocess.run(
        [sys.executable, "-c", NUMPY_FREE_TRAINING], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    assert report["backend"] == "python"
    assert not report["numpy imported"]
    first, last = report["losses"][0], report["losses"][-1]
    assert all(math.isfinite(x) for x in report["losses"]) and last < 0.5 * first
    assert "pip install" in report["numpy error"] and "numpy" in report["numpy error"]


def test_leaves_handed_the_same_gradient_get_their_own_copies(backend):
    a = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    b = tensor([3.0, 4.0], requires_grad=True, backend=backend)
    (a + b).sum().backward()  # `+` passes one gradient to both
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_take_picks_flat_positions_and_sends_their_gradient_back(backend):
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, backend=backend)
    picked = x.take([5, 0, -1])
    assert (picked.tolist(), picked.grad_fn.name()) == ([6.0, 1.0, 6.0], "TakeBackward0")
    picked.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]
    with pytest.raises(IndexError, match="take: index 6 is out of range for a tensor of 6 elements"):
        x.take([6])


# Printed by PyTorch 2.13 (float64 default): long rows wrap at 80 columns, and past 1000
# elements only the first and last 3 along each dimension are shown.
LONG_REPRS = {
    (20,): "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
    "        14., 15., 16., 17., 18., 19.])",
    (
        2000,
    ): "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
    (8, 200): "tensor([[0., 0., 0.,  ..., 0., 0., 0.],\n"
    + "        [0., 0., 0.,  ..., 0., 0., 0.],\n" * 2
    + "        ...,\n"
    + "        [0., 0., 0.,  ..., 0., 0., 0.],\n" * 2
    + "        [0., 0., 0.,  ..., 0., 0., 0.]])",
}


@pytest.mark.parametrize("shape", list(LONG_REPRS))
def test_long_tensors_print_wrapped_and_summarized_as_pytorch_prints_them(backend, shape):
    t = (
        tensor([float(i) for i in range(shape[0])], backend=backend)  # floats: tensor(range(n)) is int64
        if len(shape) == 1
        else torch.zeros(*shape, backend=backend)
    )
    assert repr(t) == LONG_REPRS[shape]


# What PyTorch 2.13 names each op's grad_fn, for the ops whose name is not just the op's.
GRAD_FN_NAMES = {
    "2 - x": (lambda x, M: 2 - x, "RsubBackward1"),
    "2 ** x": (lambda x, M: 2**x, "PowBackward2"),
    "x ** 2": (lambda x, M: x**2, "PowBackward0"),
    "x ** x": (lambda x, M: x**x, "PowBackward1"),
    "M.T": (lambda x, M: M.T, "PermuteBackward0"),
    "M.t()": (lambda x, M: M.t(), "TBackward0"),
    "M.transpose(0, 1)": (lambda x, M: M.transpose(0, 1), "TransposeBackward0"),
    "x.unsqueeze(0)": (lambda x, M: x.unsqueeze(0), "UnsqueezeBackward0"),
    "M[:1].squeeze(0)": (lambda x, M: M[:1].squeeze(0), "SqueezeBackward1"),
    "M[:1].squeeze()": (lambda x, M: M[:1].squeeze(), "SqueezeBackward0"),
    "M[0]": (lambda x, M: M[0], "SelectBackward0"),
    "M[:, 1:]": (lambda x, M: M[:, 1:], "SliceBackward0"),
    "M.reshape(3, 2)": (lambda x, M: M.reshape(3, 2), "ViewBackward0"),
    "M.sum(1)": (lambda x, M: M.sum(1), "SumBackward1"),
    "M.mean()": (lambda x, M: M.mean(), "MeanBackward0"),
    "x.clamp(min=0)": (lambda x, M: x.clamp(min=0), "ClampBackward1"),
}


@pytest.mark.parametrize("case", list(GRAD_FN_NAMES))
def test_grad_fn_names_are_pytorchs(backend, case):
    x = tensor([1.0, 2.0], requires_grad=True, backend=backend)
    M = torch.ones(2, 3, requires_grad=True, backend=backend)
    f, name = GRAD_FN_NAMES[case]
    assert f(x, M).grad_fn.name() == name


def test_any_and_all_answer_what_bool_refuses_to_guess(backend):
    t = tensor([[0.0, 2.0], [0.0, 0.0]], backend=backend)
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\) is ambiguous: use \.any\(\) or \.all\(\)"):
        bool(t)
    assert (repr(t.any()), repr(t.all()), repr((t >= 0).all())) == (
        "tensor(True)",
        "tensor(False)",
        "tensor(True)",
    )
    assert bool((t > 1).any())


def test_a_transposed_view_is_not_contiguous_and_contiguous_copies_it(backend):
    """x.t() shares x's numbers in another order: contiguous() is a copy (writing into it leaves x
    alone), view() of another shape refuses it as PyTorch does, reshape() copies."""
    x = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], backend=backend)
    assert x.is_contiguous() and not x.t().is_contiguous() and not x.permute(1, 0).is_contiguous()
    assert x.unsqueeze(0).permute(1, 0, 2).is_contiguous()  # moving a dim of size 1 reorders nothing
    assert not x[:1].expand(3, 3).is_contiguous()
    xt = x.t().contiguous()
    assert xt.is_contiguous() and x.contiguous() is x
    xt[0, 0] = 100.0
    flat = x.transpose(0, 1).reshape(6)
    flat[1] = -5.0
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] and flat.tolist()[:3] == [1.0, -5.0, 2.0]
    with pytest.raises(RuntimeError, match=r"view size is not compatible .* Use \.reshape\(\.\.\.\) instead"):
        x.t().view(6)
    assert x.t().view(1, 3, 2).tolist() == [x.t().tolist()]  # dims of size 1 only: still a view
    assert x.t().t().is_contiguous() and x.t().t().view(6).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert not x.t().detach().is_contiguous() and torch.zeros(0, 3, backend=backend).t().view(-1).shape == (
        0,
    )
    picks = [0, slice(0, 1), (slice(None), slice(0, 2)), (1, slice(0, 2)), (slice(0, 2), 0), (Ellipsis, 1)]
    assert [x[k].is_contiguous() for k in picks] == [True, True, False, True, False, False]  # PyTorch's
    columns = x[:, :2].reshape(4)  # a slice with strides: reshape copies it, on both backends
    columns.mul_(10.0)
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    w = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, backend=backend)
    (w.t().reshape(4) * tensor([1.0, 2.0, 3.0, 4.0], backend=backend)).sum().backward()
    assert w.grad.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_a_0d_tensor_formats_as_its_number_as_in_pytorch(backend):
    loss = tensor(2.5, requires_grad=True, backend=backend) * 1
    assert (f"{loss}", f"{loss:.4f}", format(loss, ".2f")) == ("2.5", "2.5000", "2.50")
    assert f"{tensor(3, backend=backend):d}" == "3" and f"{tensor([1.0], backend=backend)}" == "tensor([1.])"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{tensor([1.0, 2.0], backend=backend):.2f}"


def test_pytorchs_legacy_constructors_make_what_pytorch_makes(backend):
    assert (
        torch.Tensor([1, 2]).tolist() == [1.0, 2.0]
        and torch.Tensor([1, 2]).dtype == torch.get_default_dtype()
    )
    assert torch.Tensor(2, 3).shape == (2, 3) and torch.Tensor().shape == (0,)
    assert (torch.FloatTensor([1, 2]).dtype, torch.LongTensor([1.7, 2]).tolist()) == (torch.float32, [1, 2])
    assert torch.DoubleTensor(2).shape == (2,) and torch.BoolTensor([1, 0]).tolist() == [True, False]
    assert isinstance(torch.ones(2), torch.Tensor) and torch.Tensor([[1.0]]).backend == backend
    with pytest.raises(TypeError, match=r"Tensor\(\): takes a list of numbers .* got float 3.5"):
        torch.Tensor(3.5)


def test_new_tensors_take_this_ones_dtype_and_check_their_size(backend):
    x = tensor([1, 2], backend=backend)
    assert (x.new_ones(2, 3).dtype, x.new_ones((2,)).tolist(), x.new_full((2,), 7).tolist()) == (
        torch.int64,
        [1, 1],
        [7, 7],
    )
    assert x.new_empty(3).shape == (3,) and x.new_zeros(2, dtype=torch.float64).tolist() == [0.0, 0.0]
    assert x.float().new_ones(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        x.new_zeros(-1)
    with pytest.raises(TypeError, match="whole number, got float 2.5"):
        x.new_ones(2.5)


def test_normal_and_uniform_in_place_draw_what_nn_init_draws(backend):
    torch.manual_seed(0)
    w = torch.empty(2, 3, backend=backend).normal_(0.5, 0.02)
    torch.manual_seed(0)
    assert torch.nn.init.normal_(torch.empty(2, 3, backend=backend), 0.5, 0.02).tolist() == w.tolist()
    torch.manual_seed(1)
    u = torch.empty(4, backend=backend).uniform_(-1, 1)
    torch.manual_seed(1)
    assert torch.nn.init.uniform_(torch.empty(4, backend=backend), -1, 1).tolist() == u.tolist()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch.nn.Parameter(torch.ones(2, backend=backend)).normal_()


def test_any_and_all_along_a_dim(backend):
    x = tensor([[1.0, 0.0], [2.0, 3.0]], backend=backend)
    assert (x.all(1).tolist(), x.any(0).tolist(), x.all(dim=1, keepdim=True).shape) == (
        [False, True],
        [True, True],
        (2, 1),
    )
    assert (torch.pi, torch.e, torch.inf) == (math.pi, math.e, math.inf) and math.isnan(torch.nan)


def test_backward_inputs_takes_one_tensor_or_a_sequence_and_refuses_what_pytorch_refuses(backend):
    w, v = (tensor([1.0, 1.0], requires_grad=True, backend=backend) for _ in range(2))
    (w * v * 2).sum().backward(inputs=w)  # one tensor, not a sequence: its .grad alone
    assert w.grad.tolist() == [2.0, 2.0] and v.grad is None
    for inputs, message in (
        ([], "cannot be empty"),
        ([torch.ones(2)], "requires_grad=False"),
        ([1.0], "float"),
    ):
        with pytest.raises(RuntimeError, match=message):
            (w * v * 2).sum().backward(inputs=inputs)


def test_pytorchs_answers_at_the_edges_of_reductions_clamp_masked_fill_and_views(backend):
    x = tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    assert (x.sum(()).item(), x.mean(()).item(), x.amax(()).item()) == (10.0, 2.5, 4.0)  # (): every dim
    ints = tensor([1, 5], backend=backend)
    clamped = ints.clamp(0.5, 2.5)  # an int tensor and float bounds: floats, as in PyTorch
    assert clamped.tolist() == [1.0, 2.5] and clamped.dtype.is_floating_point
    mask = tensor([True, False], backend=backend)
    assert ints.masked_fill(mask, 0.5).tolist() == [0, 5] and ints.masked_fill(mask, 0.5).dtype == torch.int64
    assert tensor([True, False], backend=backend).masked_fill(mask, 5).dtype == torch.bool
    assert all(map(math.isnan, tensor([1.0, 2.0], backend=backend).clamp(max=math.nan).tolist()))
    w = tensor([[1.0, 2.0]], requires_grad=True, backend=backend)
    kept = w.squeeze(1)  # dim 1 has size 2: nothing squeezed, but a view, not w itself
    assert kept is not w and kept.grad_fn.name() == "SqueezeBackward1" and kept.shape == w.shape
    assert tensor(3.0, backend=backend).transpose(0, 0).item() == 3.0
    out = torch.nn.functional.linear(
        torch.ones(2, 3, backend=backend), tensor([1.0, 2.0, 3.0], backend=backend)
    )
    assert out.tolist() == [6.0, 6.0]  # a 1-d weight: one output per row


def test_legacy_constructor_sizes_and_in_place_draws_as_in_pytorch(backend):
    import numpy as np

    x = torch.ones(2, 3, backend=backend)
    assert torch.Tensor(x.size()).shape == (2, 3) and torch.Tensor(np.int64(2)).shape == (2,)
    assert torch.Tensor(2, 3, 4, 5, 6).shape == (2, 3, 4, 5, 6)
    g = torch.Generator().manual_seed(5)
    drawn = torch.zeros(3, backend=backend).normal_(generator=g)
    assert (
        drawn.tolist() == torch.randn(3, generator=torch.Generator().manual_seed(5), backend=backend).tolist()
    )
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        torch.zeros(3, backend=backend).normal_(0, -1)
    with pytest.raises(RuntimeError, match=r"uniform_ expects to return a \[from, to\) range"):
        torch.zeros(3, backend=backend).uniform_(1, 0)
    w = tensor([1.0, 1.0], requires_grad=True, backend=backend)
    (w * 2).sum().backward(inputs=[w, w])  # named twice: its gradient once
    assert w.grad.tolist() == [2.0, 2.0]


def test_views_of_slices_ties_of_max_and_whole_number_indexes_as_in_pytorch(backend):
    import numpy as np

    x = torch.arange(24.0, backend=backend).reshape(2, 3, 4)
    assert (
        x[:, :, 1:2].view(-1).shape == (6,) and not x[:, :, ::2].is_contiguous()
    )  # a view PyTorch makes too
    assert tensor([0.1, 0.1, 0.1], backend=backend).max().item() == 0.1  # the max of ties, not their mean
    assert tensor([1e308, 1e308, 1.0], backend=backend).max().item() == 1e308
    ties = tensor([0.5, 0.5], requires_grad=True, backend=backend)
    ties.max().backward()
    assert ties.grad.tolist() == [0.5, 0.5]  # the gradient shared, as PyTorch shares it
    m = torch.arange(6.0, backend=backend).reshape(2, 3)
    row = m[1]  # whole-number indexes give views: writing into them writes into m
    row.add_(10.0)
    m[0, 2].zero_()
    assert m.tolist() == [[0.0, 1.0, 0.0], [13.0, 14.0, 15.0]]
    assert tensor([-2, 0, 3], backend=backend).clamp(min=np.float64(0.5)).tolist() == [0.5, 0.5, 3.0]
    assert not (m * 2).t().detach().is_contiguous()


def test_an_int_beside_a_list_index_picks_its_dim_away_first_as_in_pytorch(backend):
    """x[1, :, idx]: PyTorch applies the int as a select, so the list's dim stays last (numpy's
    rule, which counts the int as advanced and moves the block first, gave it transposed)."""
    x = torch.arange(24.0, backend=backend).reshape(2, 3, 4)
    idx = tensor([0, 2], backend=backend)
    assert x[1, :, idx].tolist() == [[12.0, 14.0], [16.0, 18.0], [20.0, 22.0]]
    assert x[0, :, idx].shape == (3, 2) and x[tensor([1, 0], backend=backend), 0, idx].tolist() == [12.0, 2.0]
    y = torch.zeros(2, 2, 2, backend=backend)
    y[0, :, [0, 1]] = tensor([[1.0], [2.0]], backend=backend)
    assert y[0].tolist() == [[1.0, 1.0], [2.0, 2.0]]


def test_where_of_a_condition_alone_and_a_value_with_leading_ones_written_in(backend):
    x = tensor([[0.0, 1.0], [2.0, 0.0]], backend=backend)
    rows, cols = torch.where(x > 0)  # PyTorch's where(condition): the positions, one tensor per dim
    assert (rows.tolist(), cols.tolist(), rows.dtype) == ([0, 1], [1, 0], torch.int64)
    z = torch.zeros(2, 3, backend=backend)
    z[0] = torch.ones(1, 3, backend=backend)  # a value's leading dims of size 1 are dropped, as in PyTorch
    z[:, 1] = tensor([[7.0, 8.0]], backend=backend)
    assert z.tolist() == [[1.0, 7.0, 1.0], [0.0, 8.0, 0.0]]


def test_nothing_writes_into_an_expanded_view_on_either_backend(backend):
    """Each element of x.expand(2, 3) stands for several of x's: PyTorch refuses arithmetic in
    place there (the python backend used to write each shared Value several times, numpy raised
    its own read-only error); micrograd_edu refuses every write, with PyTorch's message."""
    x = torch.zeros(2, 1, backend=backend)
    e = x.expand(2, 3)
    for write in (lambda: e.add_(1), lambda: e.mul_(2), lambda: e.fill_(3), lambda: e.copy_(e.clone())):
        with pytest.raises(
            RuntimeError, match="more than one element of the written-to tensor refers to a single"
        ):
            write()
    with pytest.raises(RuntimeError, match="Please clone"):
        e[0, 1] = 5.0
    assert x.tolist() == [[0.0], [0.0]] and e.clone().add_(1).tolist() == [[1.0] * 3] * 2
