"""`grad(output, inputs)`: gradients handed back as new Values, leaving every `.grad` alone."""

from __future__ import annotations

from collections.abc import Sequence

from micrograd_edu.engine import Value, backpropagate, collector_paused, topological_order


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
    with collector_paused():
        order = topological_order([output])
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    try:
        with collector_paused():
            backpropagate(order, [output], [1.0], retain_graph, create_graph)
        found = {id(node): node.grad for node in order}
    finally:
        for node, g in zip(order, saved):
            node.grad = g
    result: list[Value | None] = []
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
