"""Checks for exercise 3, topological_order: against the engine's own (which nodes), and the
rule itself (each node after its inputs)."""

from __future__ import annotations

from collections import Counter

import micrograd_edu
from micrograd_edu import Value
from micrograd_edu.exercises.checking import Checks, NotYet, describe, expect

CHECKS = Checks("topological_order")

SEEN = "keep the nodes you have already met in a set of id(node), and skip them when you meet them again"
BY_IDENTITY = (
    "== on Values compares their numbers (as PyTorch's == compares values), so Value(2.0) == Value(2.0) is "
    "True: recognise a node by identity, with `is` or by id(node), never with == or `in` a list"
)


def diamond() -> Value:
    """x and a are each used twice, at different depths."""
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    a = x * y
    b = a + x
    return a * b


def neuron() -> Value:
    """o = tanh(x1·w1 + x2·w2 + b), then o · x1: x1 is used near the leaves and at the root."""
    x1, x2, w1, w2, b = (Value(v) for v in (2.0, 0.0, -3.0, 1.0, 6.88))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    return o * x1


def long_and_short() -> Value:
    """x reaches the root by a path of one op and by a path of five."""
    x = Value(0.5)
    deep = (((x.exp() * 2.0) + 1.0).log() - 3.0) ** 2
    return deep + x


def ordered(topological_order, root: Value) -> list[Value]:
    """The student's order, checked to be a list of exactly the nodes root depends on."""
    order = topological_order(root)
    expect(
        isinstance(order, list),
        f"topological_order returned {describe(order)}",
        "return a list of the Values",
    )
    for item in order:
        expect(isinstance(item, Value), f"the list holds {describe(item)}", "list the Value nodes themselves")
    counts = Counter(id(v) for v in order)
    expected = micrograd_edu.topological_order([root])
    twice = [v for v in order if counts[id(v)] > 1]
    if twice:
        raise NotYet(f"{twice[0]!r} is in the list {counts[id(twice[0])]} times", SEEN)
    missing = [v for v in expected if id(v) not in counts]
    if missing:
        if missing[0] is root:
            hint = "include root itself, at the end"
        elif finds_all_when_numbers_differ(topological_order, root):
            hint = BY_IDENTITY
        else:
            hint = "follow every input of every node (node._prev), all the way down to the leaves"
        raise NotYet(f"{len(missing)} of the {len(expected)} nodes are missing, such as {missing[0]!r}", hint)
    extra = len(order) - len(expected)
    expect(
        extra == 0, f"the list has {extra} node(s) that root was not computed from", "list root's graph only"
    )
    return order


def finds_all_when_numbers_differ(topological_order, root: Value) -> bool:
    """True if the student's function finds every node of the same graph with all numbers
    different: then what it missed, it took for a node that holds the same number."""
    order = micrograd_edu.topological_order([root])
    copies: dict[int, Value] = {}
    for i, node in enumerate(order):
        copies[id(node)] = Value(1000.0 + i, tuple(copies[id(k)] for k in node._prev), node._op)
    try:
        found = topological_order(copies[id(root)])
        return isinstance(found, list) and len({id(v) for v in found}) == len(order)
    except Exception:
        return False


def out_of_order(order: list[Value]) -> str:
    """A sentence about the first node listed before one of its inputs ('' if none is)."""
    position = {id(v): i for i, v in enumerate(order)}
    for i, node in enumerate(order):
        for k in node._prev:
            if position[id(k)] > i:
                return f"{node!r} (at {i}) comes before its input {k!r} (at {position[id(k)]})"
    return ""


@CHECKS.check(
    "a single Value is its own order",
    hints=("a leaf has no inputs (its _prev is ()), so the list is just [root]",),
)
def single(topological_order):
    x = Value(3.0)
    order = ordered(topological_order, x)
    expect(len(order) == 1 and order[0] is x, f"topological_order(x) is {order!r}, it should be [x]")


@CHECKS.check(
    "every node once, even one that two others use",
    hints=(
        "in x * y + x, x is met twice on the way down: it must still be listed once",
        SEEN,
    ),
)
def each_once(topological_order):
    for make in (diamond, neuron, long_and_short):
        ordered(topological_order, make())


@CHECKS.check(
    "each node after all of its inputs",
    hints=(
        "a node may be listed only once every one of its inputs is listed, even an input met late",
        "one way: visit a node's inputs first and list the node when you come back to it (push it back "
        "on the stack with a mark that its inputs are done); another: count each node's uses, and list a "
        "node, from the root down, once all of its users are listed, then reverse the list",
    ),
)
def inputs_first(topological_order):
    for make in (diamond, neuron, long_and_short):
        root = make()
        order = ordered(topological_order, root)
        problem = out_of_order(order)
        if problem:
            reversed_ok = not out_of_order(order[::-1])
            hint = "that is the reverse order: the leaves come first and the root last" if reversed_ok else ""
            raise NotYet(problem, hint)


@CHECKS.check(
    "two Values that hold the same number are two nodes",
    hints=(BY_IDENTITY,),
)
def same_numbers(topological_order):
    x, y = Value(2.0), Value(2.0)
    z = x * y  # 4.0
    root = z + Value(4.0)  # a leaf that holds the same number as z
    order = ordered(topological_order, root)
    expect(not out_of_order(order), out_of_order(order))


@CHECKS.check(
    "a chain of 50,000 ops, in a blink",
    hints=(
        "Python stops a function that calls itself about 1000 deep: walk the graph with a loop and a list "
        "used as a stack (append to push, pop to take the last)",
        "and keep what you have seen in a set: `node in some_list` looks through the whole list every time",
    ),
)
def long_chain(topological_order):
    v = Value(0.0)
    for _ in range(50_000):
        v = v + 1.0
    try:
        order = ordered(topological_order, v)
    except RecursionError:
        raise NotYet(
            "RecursionError: the graph is deeper than Python lets a function call itself",
            "walk the graph with a loop and a stack (a list) of your own instead of recursion",
        ) from None
    expect(not out_of_order(order), out_of_order(order))
