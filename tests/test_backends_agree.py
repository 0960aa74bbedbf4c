"""The two backends agree on every op, at its domain edges too: the same values, the same
gradients and the same errors, over inputs with negatives, zeros, huge and tiny numbers,
inf, nan and empty tensors.

Each case runs once per backend and its outcome is compared: the result and every input's
gradient (nan matches nan; a zero's sign is not compared), or the error's type and message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import product

import pytest

import micrograd_edu as torch
from micrograd_edu.tensor import elementwise as ops

INF, NAN = math.inf, math.nan
EDGES = [-3.0, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.0, 1e300, -1e300, INF, -INF, NAN]


def outcome(f: Callable, inputs: list, backend: str) -> tuple:
    """What f does to tensors made from `inputs` on this backend: its values and gradients,
    or the error it raises."""
    xs = [torch.tensor(x, requires_grad=True, backend=backend) for x in inputs]
    try:
        out = f(*xs)
        if out.requires_grad:
            out.sum().backward()
    except (ArithmeticError, ValueError, TypeError, IndexError, RuntimeError) as e:
        return "error", type(e).__name__, str(e)
    grads = [None if x.grad is None else x.grad.tolist() for x in xs]
    return "value", out.shape, out.tolist(), grads


def same(a: object, b: object) -> bool:
    """Equal, with nan equal to nan and lists compared element by element."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):  # two math libraries may differ in the last bit
        return math.isclose(a, b, rel_tol=4.5e-16) or (math.isnan(a) and math.isnan(b))
    return a == b


def assert_backends_agree(f: Callable, inputs: list) -> tuple:
    python, numpy = outcome(f, inputs, "python"), outcome(f, inputs, "numpy")
    assert same(python, numpy), f"inputs {inputs}:\n  python: {python}\n  numpy:  {numpy}"
    return python


def inputs_of(entry: ops.Elementwise) -> tuple[int, int]:
    """How many tensor inputs and how many constants (a power's n, clamp's bounds) an op takes."""
    code = entry.derivative.backward.__code__
    names = code.co_varnames[: code.co_argcount]
    return len(names) - names.index("out") - 1, names.index("g")


TABLE = [entry for entry in vars(ops).values() if isinstance(entry, ops.Elementwise)]
UNARY = [entry for entry in TABLE if inputs_of(entry) == (1, 0)]  # every op of the table, new ones too
BINARY = [entry for entry in TABLE if inputs_of(entry) == (2, 0)]


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
@pytest.mark.parametrize("x", EDGES, ids=repr)
def test_a_unary_op_agrees_at_every_edge(op, x):
    assert_backends_agree(op, [x])


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.name)
@pytest.mark.parametrize("a", EDGES, ids=repr)
def test_a_binary_op_agrees_at_every_pair_of_edges(op, a):
    for b in EDGES:
        assert_backends_agree(op, [a, b])


@pytest.mark.parametrize("n", [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, INF, NAN], ids=repr)
def test_a_power_with_a_constant_exponent_agrees_at_every_edge(n):
    for x in EDGES:
        assert_backends_agree(lambda t, n=n: t**n, [x])


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (2.0, 1.0), (None, 0.0), (0.0, None), (-INF, INF)])
def test_clamp_agrees_at_every_edge(low, high):
    for x in EDGES:
        assert_backends_agree(lambda t, low=low, high=high: t.clamp(low, high), [x])


def test_the_first_bad_element_of_a_tensor_raises_on_both():
    kind, name, message = assert_backends_agree(ops.log, [[1.0, 0.0, -1.0, NAN]])
    assert (kind, name) == ("error", "ValueError") and "log(0.0)" in message
    kind, name, message = assert_backends_agree(lambda a, b: a / b, [[1.0, 2.0, 3.0], [1.0, -0.0, 0.0]])
    assert (kind, name) == ("error", "ZeroDivisionError") and "2.0 / -0.0" in message


def test_a_tensor_full_of_nan_is_checked_quickly_and_agrees():
    values = [NAN] * 20_000 + [-INF]
    assert assert_backends_agree(ops.log, [values])[:2] == ("error", "ValueError")


VECTORS = [[1.0, NAN, 3.0], [NAN, NAN], [1.0, 3.0, 3.0], [INF, -INF], [1e300, 1e300], [-0.0, 0.0], [2.0]]


@pytest.mark.parametrize("values", VECTORS, ids=repr)
@pytest.mark.parametrize(
    "reduce",
    [
        lambda t: t.sum(),
        lambda t: t.mean(),
        lambda t: t.max(),
        lambda t: t.max(dim=0).values,
        lambda t: t.sum(dim=0, keepdim=True),
    ],
    ids=["sum", "mean", "max", "max_dim", "sum_dim"],
)
def test_reductions_agree_on_nan_inf_and_ties(reduce, values):
    assert_backends_agree(reduce, [values])


EMPTY = [[], [[]], [[], []]]  # shapes (0,), (1, 0), (2, 0)


@pytest.mark.parametrize("values", EMPTY, ids=["0", "1x0", "2x0"])
@pytest.mark.parametrize(
    "f",
    [
        lambda t: t.exp(),
        lambda t: t * 2 + 1,
        lambda t: t.sum(),
        lambda t: t.mean(),
        lambda t: t.max(),
        lambda t: t.reshape(-1),
        lambda t: t.T,
        lambda t: t.clamp(0, 1),
    ],
    ids=["exp", "arith", "sum", "mean", "max", "reshape", "T", "clamp"],
)
def test_empty_tensors_agree(f, values):
    assert_backends_agree(f, [values])


@pytest.mark.parametrize(
    "shapes",
    [((0, 3), (3,)), ((0, 3), (1, 3)), ((2, 0), (2, 1)), ((0,), (1,)), ((0, 1), (1, 4))],
    ids=repr,
)
def test_broadcasting_with_a_zero_size_agrees_with_pytorch(shapes):
    a, b = (torch.zeros(*s) for s in shapes)
    expected = {((0, 3), (3,)): (0, 3), ((0, 3), (1, 3)): (0, 3), ((2, 0), (2, 1)): (2, 0)}
    expected |= {((0,), (1,)): (0,), ((0, 1), (1, 4)): (0, 4)}
    for backend in ("python", "numpy"):
        a, b = (torch.zeros(*s, backend=backend) for s in shapes)
        assert (a + b).shape == expected[shapes]
        assert (a * b).sum().item() == 0.0


MATRICES = [
    [[1.0, NAN], [INF, 2.0]],
    [[INF, -INF], [0.0, 1.0]],
    [[1e300, 1e300], [1.0, -1.0]],
]


@pytest.mark.parametrize("m", MATRICES, ids=repr)
@pytest.mark.parametrize(
    "f",
    [
        lambda a, b: a @ b,
        lambda a, b: a @ b[0],
        lambda a, b: torch.cat([a, b], dim=1),
        lambda a, b: torch.stack([a, b]).sum(dim=0),
        lambda a, b: a[1:, ::-1] * b[0],
        lambda a, b: a.transpose(0, 1).reshape(4).take([3, 0, 0]),
        lambda a, b: torch.nn.functional.linear(a, b, b[0]),
    ],
    ids=["mm", "mv", "cat", "stack", "index", "take", "linear"],
)
def test_matrix_ops_and_views_agree_on_nan_and_inf(f, m):
    assert_backends_agree(f, [m, [[0.5, -1.0], [2.0, 0.0]]])


def test_comparisons_and_rounding_agree_on_the_edges():
    for a, b in product(EDGES, EDGES):
        assert_backends_agree(
            lambda x, y: (x > y).float() + (x == y).float() * 2 + (x <= y).float() * 4, [a, b]
        )
    assert_backends_agree(lambda t: t.round() + 0, [[0.5, 1.5, 2.5, -0.5, INF, NAN, 1e300]])


def test_a_float32_model_on_the_python_backend_holds_float32_numbers_after_training():
    """Its Values compute in float64; each op, each gradient and each optimizer update rounds to
    float32 (an update the very way numpy's float32 arrays do it, so those bits agree)."""
    import struct

    def is_float32(x: float) -> bool:
        return struct.unpack("f", struct.pack("f", x))[0] == x

    updated = {}
    for backend in ("python", "numpy"):
        w = torch.tensor([0.1, 0.2, -0.3], dtype=torch.float32, backend=backend)
        w.add_(torch.tensor([3.3, 3.3, 0.7], dtype=torch.float32, backend=backend), alpha=-0.1)
        w.mul_(0.9)
        updated[backend] = w.tolist()
    assert updated["python"] == updated["numpy"] and all(map(is_float32, updated["python"]))
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2, backend="python").float()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    x = torch.randn(4, 3, backend="python").float()
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
    numbers = [v for p in model.parameters() for t in (p, p.grad) for v in t.reshape(-1).tolist()]
    assert all(map(is_float32, numbers))
