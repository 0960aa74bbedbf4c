"""Checks for exercise 4, backward(): against the engine's own Value.backward() on the same
graph, and gradients worked out by hand."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import micrograd_edu
from micrograd_edu import Value
from micrograd_edu.exercises.checking import Checks, NotYet, close

CHECKS = Checks("backward")

REVERSED = "walk the order backwards, from the root down to the leaves: reversed(topological_order([root]))"


@contextlib.contextmanager
def own_backward_only() -> Iterator[None]:
    """Value.backward switched off, so that a solution cannot hand the work to the engine."""
    builtin = Value.backward

    def switched_off(self: Value, *args: object, **kwargs: object) -> None:
        raise NotYet(
            "your backward() called root.backward(), which is switched off while the checks run",
            "the point is to write the pass yourself: the order, the root's start, each node's _backward",
        )

    Value.backward = switched_off  # type: ignore[method-assign]
    try:
        yield
    finally:
        Value.backward = builtin  # type: ignore[method-assign]


def run(backward, root: Value, *gradient: float) -> None:
    with own_backward_only():
        backward(root, *gradient)


def many_ops() -> Value:
    """L = log(e^(tanh(x·w + b) - x) / (w² + 1)) + x³ - σ(b), every node named."""

    def named(v: Value, label: str) -> Value:
        v.label = label
        return v

    x, w, b = Value(0.8, label="x"), Value(-1.5, label="w"), Value(0.4, label="b")
    s = named(named(x * w, "x·w") + b, "s")
    t = named(s.tanh(), "t")
    e = named(named(t - x, "t - x").exp(), "e")
    d = named(named(w * w, "w²") + 1.0, "w² + 1")
    q = named(e / d, "q")
    cube, sig = named(x**3, "x³"), named(b.sigmoid(), "σ(b)")
    L = named(named(named(q.log(), "log q") + cube, "log q + x³") - sig, "L")
    for node in micrograd_edu.topological_order([L]):
        node.label = node.label or f"the constant {node.data:g}"
    return L


@CHECKS.check(
    "the root starts the pass with its gradient, 1",
    hints=(
        "d(root)/d(root) = 1: the pass starts by adding gradient (1 unless told otherwise) into root.grad",
        "then every node made by an op, from the root down, calls its _backward and adds the shares into "
        "its inputs' .grad",
    ),
)
def root_starts(backward):
    x = Value(2.0, label="x")
    y = x * 3.0
    run(backward, y)
    close(y.grad, 1.0, "y.grad after backward(y), for y = x · 3", hint="start with root.grad += gradient")
    close(
        x.grad,
        3.0,
        "x.grad after backward(y), for y = x · 3",
        mistakes={0.0: "nothing reached x: " + REVERSED},
    )


@CHECKS.check(
    "the chain rule through every kind of op, as Value.backward() gives",
    hints=(
        "each node made by an op: shares = node._backward(node.grad, node.data, "
        "*[k.data for k in node._prev])",
        "then add shares[i] into node._prev[i].grad, for each input i, in the reversed topological order",
    ),
)
def every_op(backward):
    theirs = many_ops()
    theirs.backward()
    mine = many_ops()
    run(backward, mine)
    for a, b in zip(micrograd_edu.topological_order([mine]), micrograd_edu.topological_order([theirs])):
        close(a.grad, b.grad, f"{a.label}.grad", mistakes={0.0: REVERSED})


@CHECKS.check(
    "a Value used twice gets a share from each use",
    hints=(
        "in x · x, the node's _backward returns two shares, both for x",
        "add each share into the input's .grad (+=): assigning (=) keeps only the last one",
    ),
)
def used_twice(backward):
    x = Value(3.0, label="x")
    run(backward, x * x)
    close(
        x.grad,
        6.0,
        "x.grad after backward(x · x) at x = 3 (d(x²)/dx = 2x)",
        mistakes={3.0: "add (+=), do not assign"},
    )


@CHECKS.check(
    "a node passes its gradient on only once it is complete",
    hints=(
        "in L = a + 3a with a = 2x, a gets a share from L and one through b = 3a: both must be in a.grad "
        "before a passes anything on to x",
        REVERSED + ": there, every node that uses a comes before a",
    ),
)
def complete_first(backward):
    x = Value(1.0, label="x")
    a = x * 2.0
    b = a * 3.0
    run(backward, a + b)
    close(
        x.grad,
        8.0,
        "x.grad after backward(a + b) with a = 2x, b = 3a (dL/dx = 2 + 6)",
        mistakes={
            0.0: REVERSED,
            2.0: "a passed its gradient on before b's share had arrived: " + REVERSED,
        },
    )


@CHECKS.check(
    "a leaf adds up the gradients of two backward() calls",
    hints=(
        "as in PyTorch, a leaf's .grad accumulates: the caller zeroes it (optimizer.zero_grad())",
        "only nodes made by an op (their _prev is not empty) start a pass from 0; "
        "leave leaves' .grad as it is",
    ),
)
def leaves_accumulate(backward):
    x = Value(1.5, label="x")
    run(backward, x * 2.0)
    run(backward, x * 5.0)
    close(
        x.grad,
        7.0,
        "x.grad after backward(x · 2), then backward(x · 5)",
        mistakes={5.0: "a leaf's .grad was reset: leaves keep theirs and add to it, as in PyTorch"},
    )


@CHECKS.check(
    "a node made by an op holds the gradient of this pass only",
    hints=(
        "call backward twice on the same z = 3 · (x · x): y = x · x must hold dz/dy = 3 both times, not 6",
        "before the pass, set .grad = 0 on every node made by an op (node._prev is not empty), "
        "never on leaves",
    ),
)
def fresh_each_pass(backward):
    x = Value(3.0, label="x")
    y = x * x
    z = y * 3.0
    run(backward, z)
    run(backward, z)
    zero_first = "the second pass added onto the first one's gradients: set nodes made by an op to 0 first"
    # without zeroing, the second pass starts from the first one's z.grad = 1 and y.grad = 3
    close(
        y.grad,
        3.0,
        "y.grad after two backward(z), for y = x · x, z = 3y",
        mistakes={6.0: zero_first, 9.0: zero_first},
    )
    close(
        x.grad,
        36.0,
        "x.grad after two backward(z) (dz/dx = 6x = 18, twice)",
        mistakes={
            54.0: zero_first,
            72.0: zero_first,
            18.0: "a leaf's .grad was reset: leaves add up, as in PyTorch",
        },
    )


@CHECKS.check(
    "the root can start from another gradient",
    hints=("backward(root, gradient) starts with root.grad += gradient: everything scales with it",),
)
def other_gradient(backward):
    theirs = many_ops()
    theirs.backward(2.5)
    mine = many_ops()
    run(backward, mine, 2.5)
    unscaled = many_ops()
    unscaled.backward()
    for a, b, c in zip(*(micrograd_edu.topological_order([r]) for r in (mine, theirs, unscaled))):
        close(
            a.grad,
            b.grad,
            f"{a.label}.grad after backward(L, 2.5)",
            mistakes={c.grad: "the root starts from `gradient`, not from 1"},
        )
