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
ordinary backward pass) and on Values (`create_graph=True`, which records the
backward pass as a graph of its own, so a gradient can be differentiated again).
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable, Iterable, Sequence
from numbers import Real

Number = int | float

_grad_enabled = True  # switched off inside `no_grad()`


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
            data = _as_float(data)
        self.data = data
        self.grad = 0.0
        if _grad_enabled:
            self._prev, self._op, self._backward = _prev, _op, _backward
        else:  # under no_grad() a result is a fresh leaf: no graph is recorded
            self._prev, self._op, self._backward = (), "", None
        self.label = label

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ---- the ops: each computes its result, and beside it stands its `_backward` ------
    # `_backward(g, out, *inputs)` gets the result's gradient g, the result and the inputs
    # (floats, or Values when the backward pass is itself recorded) and returns one
    # gradient per input: g times the local derivative, written in the comment.

    def __add__(self, other: Scalar) -> Value:
        other = _lift(other, "+")
        return Value(self.data + other.data, (self, other), "+", Value._add_backward)

    @staticmethod
    def _add_backward(g, out, a, b):  # d(a+b)/da = 1, d(a+b)/db = 1
        return g, g

    def __sub__(self, other: Scalar) -> Value:
        other = _lift(other, "-")
        return Value(self.data - other.data, (self, other), "-", Value._sub_backward)

    @staticmethod
    def _sub_backward(g, out, a, b):  # d(a-b)/da = 1, d(a-b)/db = -1
        return g, -g

    def __mul__(self, other: Scalar) -> Value:
        other = _lift(other, "*")
        return Value(self.data * other.data, (self, other), "*", Value._mul_backward)

    @staticmethod
    def _mul_backward(g, out, a, b):  # d(ab)/da = b, d(ab)/db = a
        return g * b, g * a

    def __truediv__(self, other: Scalar) -> Value:
        other = _lift(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero in {self.data!r} / {other.data!r}")
        return Value(self.data / other.data, (self, other), "/", Value._div_backward)

    @staticmethod
    def _div_backward(g, out, a, b):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
        return g / b, -g * out / b

    def __pow__(self, exponent: Scalar) -> Value:
        if isinstance(exponent, Value):
            out = _power(self.data, exponent.data)
            return Value(out, (self, exponent), "**", Value._pow_backward)
        n = _as_float(exponent, "**")
        out = _power(self.data, n)

        def _backward(g, out, a):  # d(a**n)/da = n * a**(n-1), n a constant
            return (g * n * a ** (n - 1),)

        return Value(out, (self,), f"**{n:g}", _backward)

    @staticmethod
    def _pow_backward(g, out, a, b):  # d(a**b)/da = b a**(b-1), d(a**b)/db = a**b ln a
        if a > 0:
            return g * b * a ** (b - 1), g * out * log(a)
        # ln a is undefined here; PyTorch's convention: 0 for a = 0 and b >= 0, else nan
        return g * b * a ** (b - 1), 0.0 if a == 0 and b >= 0 else math.nan

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
    def _neg_backward(g, out, a):  # d(-a)/da = -1
        return (-g,)

    def __abs__(self) -> Value:
        return Value(abs(self.data), (self,), "abs", Value._abs_backward)

    @staticmethod
    def _abs_backward(g, out, a):  # d|a|/da = sign(a), and 0 at a = 0 as in PyTorch
        return (g if a > 0 else -g if a < 0 else 0.0,)

    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) is too large for a float (exp overflows past 709.78)"
            ) from None
        return Value(e, (self,), "exp", Value._exp_backward)

    @staticmethod
    def _exp_backward(g, out, a):  # d(e**a)/da = e**a = out
        return (g * out,)

    def log(self) -> Value:
        if self.data <= 0.0:
            raise ValueError(f"log is defined for positive numbers only, got log({self.data!r})")
        return Value(math.log(self.data), (self,), "log", Value._log_backward)

    @staticmethod
    def _log_backward(g, out, a):  # d(ln a)/da = 1/a
        return (g / a,)

    def tanh(self) -> Value:
        return Value(math.tanh(self.data), (self,), "tanh", Value._tanh_backward)

    @staticmethod
    def _tanh_backward(g, out, a):  # d(tanh a)/da = 1 - tanh²a = 1 - out²
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
    def _sigmoid_backward(g, out, a):  # d(σ(a))/da = σ(a)(1 - σ(a)) = out(1 - out)
        return (g * out * (1 - out),)

    def relu(self) -> Value:
        return Value(self.data if self.data > 0.0 else 0.0, (self,), "relu", Value._relu_backward)

    @staticmethod
    def _relu_backward(g, out, a):  # d(max(a, 0))/da = 1 if a > 0 else 0
        return (g if a > 0 else 0.0,)

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
        with _collector_paused():
            _backprop(topological_order([self]), [self], [gradient], retain_graph, create_graph)

    def detach(self) -> Value:
        """The same number as a new leaf, cut off from the graph that made it."""
        return Value(self.data, label=self.label)

    def zero_grad(self) -> None:
        self.grad = 0.0


Scalar = Value | int | float


def _released(*_):
    raise RuntimeError(
        "Trying to backward through the graph a second time: backward() released this graph "
        "to free memory. Call backward(retain_graph=True) the first time if you need to "
        "backward through the same graph again."
    )


# ---- the backward pass --------------------------------------------------------------------


def topological_order(roots: Sequence[Value]) -> list[Value]:
    """Every node the roots depend on, each after all of its inputs (no recursion)."""
    order, seen = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            for k in reversed(node._prev):
                if id(k) not in seen:
                    stack.append((k, False))
    return order


def _backprop(
    order: list[Value],
    roots: Sequence[Value],
    seeds: Sequence[Scalar],
    retain_graph: bool | None,
    create_graph: bool,
) -> None:
    """Add d(roots)/d(node) into the `.grad` of every node in `order`, outputs first.

    Nodes made by an op start from 0, so they hold this pass's gradient; leaves accumulate.
    """
    global _grad_enabled
    for node in order:
        if node._prev:
            node.grad = 0.0
    for root, seed in zip(roots, seeds):
        root.grad += seed if create_graph else float(seed)
    release = not (create_graph if retain_graph is None else retain_graph)
    was_enabled, _grad_enabled = _grad_enabled, create_graph
    try:
        for node in reversed(order):
            inputs, g = node._prev, node.grad
            if not inputs:
                continue
            if len(inputs) == 2 and not create_graph:  # the common case, by hand: 2.5x faster
                a, b = inputs
                ga, gb = node._backward(g, node.data, a.data, b.data)
                a.grad += ga
                b.grad += gb
            else:  # with create_graph the formulas get Values, so the pass records a graph
                out, args = (node, inputs) if create_graph else (node.data, [k.data for k in inputs])
                for k, gk in zip(inputs, node._backward(g, out, *args), strict=True):
                    k.grad += gk
            if release:
                node._backward = _released
    finally:
        _grad_enabled = was_enabled


def grad(
    output: Value,
    inputs: Sequence[Value],
    *,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Value | None, ...]:
    """d(output)/d(input) for each input, as new Values, leaving every `.grad` as it was.

    With `create_graph=True` the gradients are themselves recorded, so they can be
    differentiated again:

    >>> x = Value(2.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)   # 3x² = 12
    >>> grad(dy, [x])[0].data                          # 6x  = 12
    12.0
    """
    with _collector_paused():
        order = topological_order([output])
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    try:
        with _collector_paused():
            _backprop(order, [output], [1.0], retain_graph, create_graph)
        found = {id(node): node.grad for node in order}
    finally:
        for node, g in zip(order, saved):
            node.grad = g
    result = []
    for i, x in enumerate(inputs):
        if id(x) in found:
            g = found[id(x)]
            result.append(g if isinstance(g, Value) else Value(g))
        elif allow_unused:
            result.append(None)
        else:
            raise RuntimeError(
                f"inputs[{i}] ({x!r}) was not used to compute the output (or the output was computed "
                "under no_grad()), so it has no gradient. Pass allow_unused=True to get None for it."
            )
    return tuple(result)


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cycle collector: backward allocates a lot but makes no cycles, so each
    collection would only rescan the whole graph in vain (a third of the time, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class no_grad(contextlib.ContextDecorator):
    """Build no graph inside this block (or function): results are plain leaves.

    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y._prev
    ()
    """

    def __enter__(self) -> None:
        global _grad_enabled
        self._was_enabled, _grad_enabled = _grad_enabled, False

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self._was_enabled


def is_grad_enabled() -> bool:
    return _grad_enabled


def zero_grad(values: Iterable[Value]) -> None:
    """Set every Value's `.grad` back to 0, as before each training step."""
    for v in values:
        v.grad = 0.0


# ---- the ops as functions: on a Value (or a Tensor) they record, on a number they compute ----


def exp(x):
    return x.exp() if hasattr(x, "exp") else Value(x).exp().data


def log(x):
    return x.log() if hasattr(x, "log") else Value(x).log().data


def tanh(x):
    return x.tanh() if hasattr(x, "tanh") else Value(x).tanh().data


def sigmoid(x):
    return x.sigmoid() if hasattr(x, "sigmoid") else Value(x).sigmoid().data


def relu(x):
    return x.relu() if hasattr(x, "relu") else Value(x).relu().data


# ---- checking what comes in ---------------------------------------------------------------


def _as_float(x: object, op: str = "") -> float:
    """x as a float, or a TypeError that names it (and the op it was given to)."""
    if type(x) is float:  # the common case, before the slower check for any real number
        return x
    if isinstance(x, Real) and not isinstance(x, bool):
        return float(x)
    where = f" in {op}" if op else ""
    if isinstance(x, Value):
        raise TypeError(
            f"Value(...) needs a plain number, got another {x!r}{where}; use it as it is, or x.data"
        )
    hint = " (convert it first, e.g. float(x))" if isinstance(x, str) else ""
    raise TypeError(f"a Value holds one real number, got {type(x).__name__} {x!r}{where}{hint}")


def _lift(x: Scalar, op: str) -> Value:
    return x if isinstance(x, Value) else Value(_as_float(x, op))


def _compared(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else _as_float(x, "a comparison")


def _power(a: float, b: float) -> float:
    """a ** b for real numbers, with the two ways it can fail said plainly."""
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"0 ** {b!r} divides by zero")
    if a < 0.0 and not b.is_integer():
        raise ValueError(f"({a!r}) ** {b!r} is not a real number (a negative base needs a whole exponent)")
    try:
        return a**b
    except OverflowError:
        raise OverflowError(f"{a!r} ** {b!r} is too large for a float") from None
