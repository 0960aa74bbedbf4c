"""The Value engine against central differences, PyTorch's rules, and bad input."""

import gc
import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_edu import GradcheckError, Value, grad, gradcheck, no_grad, zero_grad

# Inputs kept away from kinks (relu at 0) and domain edges (log and a**b near 0, x/0).
moderate = st.floats(-3.0, 3.0)
positive = st.floats(0.2, 3.0)
nonzero = st.one_of(st.floats(-3.0, -0.2), st.floats(0.2, 3.0))
away_from_zero = st.one_of(st.floats(-3.0, -0.05), st.floats(0.05, 3.0))

BINARY = {
    "a + b": (lambda a, b: a + b, moderate, moderate),
    "a - b": (lambda a, b: a - b, moderate, moderate),
    "a * b": (lambda a, b: a * b, moderate, moderate),
    "a / b": (lambda a, b: a / b, moderate, nonzero),
    "a ** b": (lambda a, b: a**b, positive, moderate),
    "2 - a + b": (lambda a, b: 2 - a + b, moderate, moderate),
    "1 / a * b": (lambda a, b: 1 / a * b, nonzero, moderate),
    "2 ** a * b": (lambda a, b: 2**a * b, moderate, moderate),
    "3 * a + b * 0.5": (lambda a, b: 3 * a + b * 0.5, moderate, moderate),
}
UNARY = {
    "-a": (lambda a: -a, moderate),
    "a ** 3": (lambda a: a**3, moderate),
    "a ** -2": (lambda a: a**-2, nonzero),
    "a ** 0.5": (lambda a: a**0.5, positive),
    "exp": (lambda a: a.exp(), moderate),
    "log": (lambda a: a.log(), positive),
    "tanh": (lambda a: a.tanh(), moderate),
    "sigmoid": (lambda a: a.sigmoid(), st.floats(-20.0, 20.0)),
    "relu": (lambda a: a.relu(), away_from_zero),
    "abs": (lambda a: abs(a), away_from_zero),
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_ops_match_central_differences(name, data):
    f, sa, sb = BINARY[name]
    assert gradcheck(f, [data.draw(sa), data.draw(sb)])


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_ops_match_central_differences(name, data):
    f, sa = UNARY[name]
    assert gradcheck(f, [data.draw(sa)])


@given(moderate, moderate, positive)
def test_a_composite_expression_matches_central_differences(x, w, b):
    assert gradcheck(lambda x, w, b: (x * w + b.log()).tanh() * x.sigmoid() / (1 + b**x), [x, w, b])


def test_gradcheck_catches_a_wrong_derivative():
    def square(a):  # d(a²)/da is 2a, not a: a student's typical slip
        return Value(a.data**2, (a,), "square", lambda g, out, a: (g * a,))

    with pytest.raises(GradcheckError, match="backward gives 1.5, central differences 3$"):
        gradcheck(square, [1.5])


def test_a_custom_op_with_three_inputs_backprops():
    def fma(a, b, c):  # a*b + c as one node, d/da = b, d/db = a, d/dc = 1
        return Value(a.data * b.data + c.data, (a, b, c), "fma", lambda g, out, a, b, c: (g * b, g * a, g))

    assert gradcheck(fma, [1.5, -2.0, 0.5])


def test_a_node_used_twice_gets_both_gradients():
    a = Value(3.0)
    b = a * a + a  # db/da = 2a + 1
    b.backward()
    assert a.grad == 7.0


def test_a_reused_intermediate_passes_its_whole_gradient_on():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c * c + c  # dd/dc = 2c + 1 = -11
    d.backward()
    assert c.grad == -11.0
    assert (a.grad, b.grad) == (-11.0 * -3.0, -11.0 * 2.0)


def test_children_are_kept_in_order():
    a, b = Value(1.0), Value(2.0)
    assert (a - b)._prev == (a, b)
    assert (2 - a)._prev[1] is a


def test_a_deep_chain_backprops_without_recursion():
    x = start = Value(0.5)
    for _ in range(200_000):
        x = x * 1.0 + 0.0
    x.backward()
    assert start.grad == 1.0


def test_gradients_accumulate_on_leaves_until_zeroed():
    w = Value(2.0)
    for _ in range(3):
        (w * 5).backward()
    assert w.grad == 15.0
    zero_grad([w])
    assert w.grad == 0.0


def test_a_second_backward_through_a_released_graph_says_what_to_do():
    x = Value(3.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_keeps_the_graph_and_gradients_add_up():
    x = Value(3.0)
    y = x * x + x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 2 * 7.0
    assert y._prev[0].grad == 1.0  # an intermediate holds its latest pass, not a sum


def test_backward_seeds_with_the_given_gradient():
    x = Value(3.0)
    (x * x).backward(gradient=0.5)
    assert x.grad == 3.0


def test_no_grad_builds_no_graph_as_block_and_as_decorator():
    x = Value(2.0)
    with no_grad():
        y = x * 3 + 1
    assert y._prev == () and y.data == 7.0

    @no_grad()
    def double(v):
        return v * 2

    assert double(x)._prev == ()
    assert (x * 2)._prev == (x, (x * 2)._prev[1])  # recording is back on afterwards


def test_no_grad_switches_recording_back_on_after_an_error():
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert Value(1.0) * 2 is not None and (Value(1.0) * 2)._prev != ()


def test_detach_cuts_the_graph():
    x = Value(2.0)
    y = (x * x).detach() * x  # the detached x² is a constant 4
    y.backward()
    assert x.grad == 4.0


def test_second_derivative_of_x_cubed_at_2_is_12():
    x = Value(2.0)
    (dy,) = grad(x**3, [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    assert (dy.data, d2y.data) == (12.0, 12.0)


def test_backward_with_create_graph_leaves_a_differentiable_grad():
    x = Value(0.7)
    x.tanh().backward(create_graph=True)
    dx = x.grad
    x.grad = 0.0
    dx.backward()
    t = math.tanh(0.7)
    assert x.grad == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)


@given(st.floats(-2.0, 2.0))
def test_second_derivatives_match_central_differences_of_the_first(x0):
    def f(x):
        return x.sigmoid() * x.exp() + x**3 / (1 + x * x)

    def first(x):
        return grad(f(x), [x], create_graph=True)[0]

    assert gradcheck(first, [x0])


def test_grad_leaves_dot_grad_untouched_and_names_unused_inputs():
    x, y = Value(1.0), Value(2.0)
    x.grad = 5.0
    (gx,) = grad(x * 3, [x])
    assert (gx.data, x.grad) == (3.0, 5.0)
    with pytest.raises(RuntimeError, match=r"inputs\[1\].*allow_unused=True"):
        grad(x * 3, [x, y])
    assert grad(x * 3, [x, y], allow_unused=True)[1] is None


def test_comparisons_are_plain_bools():
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= 1, b > 1.5, b >= a, a == 1.0, a != b) == (True,) * 6
    assert type(a < b) is bool


def test_a_graph_is_freed_by_reference_counting_not_by_the_collector():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        for _ in range(3):
            y = (x * 2).tanh() ** 2 + x.exp() / 3
            y.backward()
        del y
        assert gc.collect() == 0  # nothing was waiting in a reference cycle
    finally:
        gc.enable()


def test_gradients_are_bitwise_the_same_in_every_process():
    program = (
        "from micrograd_edu import Value\n"
        "xs = [Value(0.1 * i) for i in range(30)]\n"
        "y = sum((x * x.tanh() + x.sigmoid() for x in xs), Value(0.0))\n"
        "y.backward()\n"
        "print([x.grad.hex() for x in xs])\n"
    )
    runs = {
        subprocess.run([sys.executable, "-c", program], capture_output=True, text=True).stdout for _ in "ab"
    }
    assert len(runs) == 1 and "0x" in runs.pop()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value("3"), TypeError, "got str '3'.*float"),
        (lambda: Value(None), TypeError, "got NoneType None"),
        (lambda: Value([1, 2]), TypeError, r"got list \[1, 2\]"),
        (lambda: Value(Value(1.0)), TypeError, "got another Value"),
        (lambda: Value(1.0) + "2", TypeError, "got str '2' in \\+"),
        (lambda: Value(0.0).log(), ValueError, r"log\(0.0\)"),
        (lambda: Value(-1.0).log(), ValueError, r"log\(-1.0\)"),
        (lambda: Value(-8.0) ** 0.5, ValueError, r"\(-8.0\) \*\* 0.5 is not a real number"),
        (lambda: (-8.0) ** Value(1 / 3), ValueError, "not a real number"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"0 \*\* -1.0"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"1.0 / 0.0"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"1.0 / 0.0"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000.0\)"),
        (lambda: Value(1e300) ** 2, OverflowError, "too large"),
    ],
)
def test_bad_input_says_what_was_wrong(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_large_inputs_stay_finite_where_the_math_does():
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(800.0).sigmoid().data == 1.0
    assert Value(-1000.0).exp().data == 0.0
