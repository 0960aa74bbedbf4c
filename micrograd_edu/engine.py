"""The scalar autograd engine: a `Value` node, its ops, and `backward()`.

Every op computes its result and records three things on the new node: the inputs
it came from (`_prev`, in order), its name (`_op`) and a `_backward` function that
turns the result's gradient into its inputs' gradients by the chain rule:

    c = a * b            # forward:  c.data = a.data * b.data
    _mul_backward        # backward: a.grad += c.grad * b,  b.grad += c.grad * a

A `_backward` function is given the result's gradient `g`, the result `out` and the
inputs, and returns one gradient per input. It captures no node, so the graph holds
no reference cycle and frees itself by reference counting when the last name for its
output goes away. The formulas are written so that they work on plain floats (an
ordinary backward pass), on Values (`create_graph=True`, which records the backward
pass as a graph of its own, so a gradient can be differentiated again) and on whole
numpy arrays (the tensor layer's numpy backend runs these very functions).

Above each `_backward` stands `@derivative(op, ...)`: the local derivative d(out)/d(input)
for each input, written as math. It is the one statement of the op's derivative that the
rest of the package reads: the tensor layer takes the backward function from it, and the
backward walk-through prints its formulas.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial, wraps
from numbers import Real
from typing import Any

from micrograd_edu.derivatives import derivative, ln, power, sign, where
from micrograd_edu.grad_mode import state as grad_mode

Number = int | float


class Value:
    """A scalar that remembers how it was computed, so it can pass gradients back.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad      # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "_prev", "_op", "_backward", "label")

    def __init__(
        self,
        data: Number,
        _prev: tuple[Value, ...] = (),
        _op: str = "",
        _backward: Callable | None = None,
        *,
        label: str = "",
    ) -> None:
        if type(data) is not float:
            data = as_float(data)
        self.data = data
        self.grad: Any = 0.0  # a float (None: no gradient yet), a Value after create_graph=True
        if grad_mode.enabled:
            self._prev, self._op, self._backward = _prev, _op, _backward
        else:  # under no_grad() a result is a fresh leaf: no graph is recorded
            self._prev, self._op, self._backward = (), "", None
        self.label = label

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ---- the ops: each computes its result, and beside it stands its `_backward` ------
    # `_backward(g, out, *inputs)` gets the result's gradient g, the result and the inputs
    # (floats, Values or arrays) and returns one gradient per input: g times the local
    # derivative that `@derivative` writes above it.

    def __add__(self, other: Scalar) -> Value:
        other = _lift(other, "+")
        return Value(self.data + other.data, (self, other), "+", Value._add_backward)

    @staticmethod
    @derivative("+", "1", "1")
    def _add_backward(g, out, a, b):
        return g, g

    def __sub__(self, other: Scalar) -> Value:
        other = _lift(other, "-")
        return Value(self.data - other.data, (self, other), "-", Value._sub_backward)

    @staticmethod
    @derivative("-", "1", "-1")
    def _sub_backward(g, out, a, b):
        return g, -g

    def __mul__(self, other: Scalar) -> Value:
        other = _lift(other, "*")
        return Value(self.data * other.data, (self, other), "*", Value._mul_backward)

    @staticmethod
    @derivative("*", "b", "a")
    def _mul_backward(g, out, a, b):
        return g * b, g * a

    def __truediv__(self, other: Scalar) -> Value:
        other = _lift(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero in {self.data!r} / {other.data!r}")
        return Value(self.data / other.data, (self, other), "/", Value._div_backward)

    @staticmethod
    @derivative("/", "1 / b", "-a / b²")
    def _div_backward(g, out, a, b):  # -a / b² is -out / b
        return g / b, -g * out / b

    def __pow__(self, exponent: Scalar) -> Value:
        if isinstance(exponent, Value):
            out = _power(self.data, exponent.data)
            return Value(out, (self, exponent), "**", Value._pow_backward)
        n = as_float(exponent, "**")
        return Value(_power(self.data, n), (self,), f"**{n:g}", partial(Value._pow_n_backward, n))

    @staticmethod
    @derivative("**n", "n * a**(n - 1)")
    def _pow_n_backward(n, g, out, a):  # n, a constant, is filled in by partial()
        return (g * n * power(a, n - 1) if n else g * 0.0,)  # x**0 is constant: 0, as PyTorch

    @staticmethod
    @derivative("**", "b * a**(b - 1)", "out * ln(a) for a > 0")
    def _pow_backward(g, out, a, b):  # where ln a is undefined: 0 at a = 0, b >= 0 (else nan)
        return (
            g * where(b == 0, 0.0, b * power(a, b - 1)),
            g * where((a == 0) & (b >= 0), 0.0, out * ln(a)),
        )

    def __radd__(self, other: Number) -> Value:
        return _lift(other, "+") + self

    def __rsub__(self, other: Number) -> Value:
        return _lift(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        return _lift(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:
        return _lift(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        return _lift(other, "**") ** self

    # ---- unary ops ------------------------------------------------------------------

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), "neg", Value._neg_backward)

    @staticmethod
    @derivative("neg", "-1")
    def _neg_backward(g, out, a):
        return (-g,)

    def __abs__(self) -> Value:
        return Value(abs(self.data), (self,), "abs", Value._abs_backward)

    @staticmethod
    @derivative("abs", "sign(a)")
    def _abs_backward(g, out, a):  # 0 at a = 0, as in PyTorch
        return (g * sign(a),)

    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) is too large for a float (exp overflows past 709.78)"
            ) from None
        return Value(e, (self,), "exp", Value._exp_backward)

    @staticmethod
    @derivative("exp", "out")
    def _exp_backward(g, out, a):  # d(e**a)/da = e**a
        return (g * out,)

    def log(self) -> Value:
        if self.data <= 0.0:
            raise ValueError(f"log is defined for positive numbers only, got log({self.data!r})")
        return Value(math.log(self.data), (self,), "log", Value._log_backward)

    @staticmethod
    @derivative("log", "1 / a")
    def _log_backward(g, out, a):
        return (g / a,)

    def tanh(self) -> Value:
        return Value(math.tanh(self.data), (self,), "tanh", Value._tanh_backward)

    @staticmethod
    @derivative("tanh", "1 - out²")
    def _tanh_backward(g, out, a):  # 1 - tanh²(a)
        return (g * (1 - out * out),)

    def sigmoid(self) -> Value:
        x = self.data
        if x >= 0.0:  # two forms of 1 / (1 + e^-x), so that exp never overflows
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, (self,), "sigmoid", Value._sigmoid_backward)

    @staticmethod
    @derivative("sigmoid", "out * (1 - out)")
    def _sigmoid_backward(g, out, a):  # σ(a)(1 - σ(a))
        return (g * out * (1 - out),)

    def relu(self) -> Value:
        x = self.data
        return Value(0.0 if x <= 0.0 else x, (self,), "relu", Value._relu_backward)  # nan stays nan

    @staticmethod
    @derivative("relu", "1 if a > 0 else 0")
    def _relu_backward(g, out, a):  # g times a mask of True/False (1/0); at a nan output it stops g
        return (g * (out > 0),)

    def clamp(self, low: float, high: float) -> Value:
        """The number limited to [low, high]: min(max(x, low), high), so high wins if low > high
        (as in PyTorch); nan stays nan, and a nan bound gives nan. Use ±inf for a side without a limit."""
        x = self.data
        x = low if x < low or low != low else x
        x = high if x > high or high != high else x
        return Value(x, (self,), "clamp", partial(Value._clamp_backward, low, high))

    @staticmethod
    @derivative("clamp", "1 if low <= a <= high else 0")
    def _clamp_backward(low, high, g, out, a):  # the bounds are filled in by partial()
        return (g * ((a >= low) & (a <= high)),)

    # ---- comparisons: plain bools, no graph -----------------------------------------

    def __lt__(self, other: Scalar) -> bool:
        return self.data < _compared(other)

    def __le__(self, other: Scalar) -> bool:
        return self.data <= _compared(other)

    def __gt__(self, other: Scalar) -> bool:
        return self.data > _compared(other)

    def __ge__(self, other: Scalar) -> bool:
        return self.data >= _compared(other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Value, Real)):
            return self.data == _compared(other)
        return NotImplemented

    __hash__ = object.__hash__  # Values stay usable as dict keys, by identity

    def __float__(self) -> float:
        return self.data

    # ---- autograd ---------------------------------------------------------------------

    def backward(
        self, gradient: Scalar = 1.0, *, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Fill `.grad` of every node this Value was computed from with d(self)/d(node).

        Leaves accumulate (`+=`, as in PyTorch: call `zero_grad` between steps); a node made
        by an op holds the gradient of the latest pass through it. The graph's backward
        functions are released afterwards unless `retain_graph=True`.
        """
        with collector_paused():
            backpropagate(topological_order([self]), [self], [gradient], retain_graph, create_graph)

    def detach(self) -> Value:
        """The same number as a new leaf, cut off from the graph that made it."""
        return Value(self.data, label=self.label)

    def zero_grad(self) -> None:
        self.grad = 0.0


Scalar = Value | int | float


# ---- the backward pass --------------------------------------------------------------------


def released(*_: object) -> tuple:
    """The `_backward` of a node whose graph backward() has released: calling it says so."""
    raise RuntimeError(
        "Trying to backward through the graph a second time: backward() released this graph "
        "to free memory. Call backward(retain_graph=True) the first time if you need to "
        "backward through the same graph again."
    )


def topological_order(roots: Sequence[Any]) -> list[Any]:
    """Every node the roots depend on, each after all of its inputs (no recursion).

    A depth-first walk that keeps, for each node on the way down, where it is in its inputs;
    a node is placed once all its inputs are. Works on anything with `_prev`, the inputs in
    order: Values, and tensors too.
    """
    roots = _nodes(roots, "topological_order")
    order, seen = [], set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(root._prev))]
        while stack:
            node, inputs = stack[-1]
            for k in inputs:
                if id(k) not in seen:
                    seen.add(id(k))
                    stack.append((k, iter(k._prev)))
                    break
            else:  # every input is placed: so is this node
                stack.pop()
                order.append(node)
    return order


def backpropagate(
    order: list[Value],
    roots: Sequence[Value],
    seeds: Sequence[Scalar],
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Add d(roots)/d(node) into the `.grad` of every node in `order`, outputs first.

    `order` is `topological_order(roots)`; each root starts from its seed gradient. Nodes
    made by an op start from 0, so they hold this pass's gradient; leaves accumulate (a leaf
    whose `.grad` is None, "no gradient yet", starts from 0).
    """
    for node in order:
        if node._prev or node.grad is None:
            node.grad = 0.0
    for root, seed in zip(roots, seeds):
        root.grad += seed if create_graph else float(seed)
    propagate(order, create_graph, release=not (create_graph if retain_graph is None else retain_graph))


def propagate(order: list[Value], create_graph: bool = False, release: bool = True) -> None:
    """The chain rule, outputs first: each node's `_backward` turns its (finished) gradient into
    its inputs' shares, added into their `.grad`. With `release`, each backward is let go after."""
    was_enabled, grad_mode.enabled = grad_mode.enabled, create_graph
    try:
        for node in reversed(order):
            inputs, g, backward = node._prev, node.grad, node._backward
            if not inputs:
                continue
            if backward is None:
                raise TypeError(f"a Value made by {node._op!r} has inputs but no _backward function")
            if len(inputs) == 2 and not create_graph:  # the common case, by hand: 2.5x faster
                a, b = inputs
                ga, gb = backward(g, node.data, a.data, b.data)
                a.grad += ga
                b.grad += gb
            else:  # with create_graph the formulas get Values, so the pass records a graph
                out, args = (node, inputs) if create_graph else (node.data, [k.data for k in inputs])
                for k, gk in zip(inputs, backward(g, out, *args), strict=True):
                    k.grad += gk
            if release:
                node._backward = released
    finally:
        grad_mode.enabled = was_enabled


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: backward allocates a lot but makes no cycles, so each
    collection would only rescan the whole graph in vain (a third of the time, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collector_pausing(op: Callable) -> Callable:
    """`op` run with the cycle collector paused (collector_paused, as a decorator that costs a
    tenth of it): the python backend's ops, each making many Values and no cycles. Left on, the
    collector rescans the live graph every 700 new objects and moves it into the oldest
    generation, and then rescans every object the process holds: in a notebook-sized process,
    micrograd's demo step took 2.6x as long (benchmarks/bench_compile.py, "a busy process")."""

    @wraps(op)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return op(*args, **kwargs)
        gc.disable()
        try:
            return op(*args, **kwargs)
        finally:
            gc.enable()

    return run


def zero_grad(values: Iterable[Value]) -> None:
    """Set every Value's `.grad` back to 0, as before each training step."""
    for v in _nodes(values, "zero_grad"):
        v.grad = 0.0


def _nodes(xs: Any, op: str) -> list[Any]:
    """A Value (or a tensor), or any number of them, as a list; a TypeError naming `op` for anything else."""
    if hasattr(xs, "_prev"):
        return [xs]
    try:
        items = list(xs)
    except TypeError:
        raise TypeError(f"{op} takes a list of Values (or tensors), got {type(xs).__name__} {xs!r}") from None
    for i, x in enumerate(items):
        if not hasattr(x, "_prev"):
            raise TypeError(f"{op} takes Values (or tensors): item {i} is {type(x).__name__} {x!r}")
    return items


# ---- checking what comes in ---------------------------------------------------------------


def as_float(x: object, op: str = "") -> float:
    """x as a float, or a TypeError that names it (and the op it was given to)."""
    if type(x) is float:  # the common case, before the slower check for any real number
        return x
    if isinstance(x, Real) and not isinstance(x, bool):
        return float(x)
    in_op = f" in {op}" if op else ""
    if isinstance(x, Value):
        raise TypeError(
            f"Value(...) needs a plain number, got another {x!r}{in_op}; use it as it is, or x.data"
        )
    hint = " (convert it first, e.g. float(x))" if isinstance(x, str) else ""
    raise TypeError(f"a Value holds one real number, got {type(x).__name__} {x!r}{in_op}{hint}")


def _lift(x: Scalar | bool, op: str) -> Value:
    """An operand as a Value: a number becomes a constant leaf (True and False count as 1, 0)."""
    if isinstance(x, Value):
        return x
    return Value(float(x) if isinstance(x, bool) else as_float(x, op))


def _compared(x: object) -> float:
    return x.data if isinstance(x, Value) else as_float(x, "a comparison")


def _power(a: float, b: float) -> float:
    """a ** b for real numbers, with the three ways it can fail said plainly; a ** 2 and a ** 3
    as PyTorch computes them, a * a and a * a * a (a ** b may differ in the last bit)."""
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"0 ** {b!r} divides by zero")
    if a < 0.0 and not b.is_integer() and math.isfinite(b):
        raise ValueError(f"({a!r}) ** {b!r} is not a real number (a negative base needs a whole exponent)")
    try:
        out = a * a if b == 2.0 else a * a * a if b == 3.0 else a**b
    except OverflowError:
        out = math.inf
    if math.isinf(out) and math.isfinite(a):
        raise OverflowError(f"{a!r} ** {b!r} is too large for a float")
    return out
