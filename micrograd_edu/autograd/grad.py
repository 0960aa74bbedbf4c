"""`grad(outputs, inputs)` and `backward(tensors)`: PyTorch's torch.autograd functions, for
tensors and for Values alike.

`grad` hands the gradients back as new tensors (or Values) and leaves every `.grad` alone;
with `create_graph=True` they are recorded too, so they can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from micrograd_edu.engine import Value, backpropagate, collector_paused, topological_order
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.backward import run_backward, seed_for


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """d(outputs)/d(input) for each input, as new tensors (or Values), leaving every `.grad` alone.

    `outputs` is a tensor or a sequence of them (their gradients add up), each seeded with its
    entry of `grad_outputs` (needed unless it has one element). With `create_graph=True` the
    gradients are recorded, so they can be differentiated again:

    >>> x = Value(2.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)   # 3x² = 12
    >>> grad(dy, [x])[0].data                          # 6x  = 12
    12.0
    """
    outs, ins = _as_list(outputs, "outputs"), _as_list(inputs, "inputs")
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty: name the tensors to differentiate")
    if not outs:
        raise RuntimeError("grad() got no outputs: give the tensor (or tensors) to differentiate")
    if all(isinstance(x, Value) for x in (*outs, *ins)):
        if len(outs) != 1 or grad_outputs is not None:
            raise ValueError("grad of Values takes one output Value and no grad_outputs")
        return _value_grad(outs[0], ins, retain_graph, create_graph, allow_unused)
    _check_tensors(outs, ins)
    seeds = [
        seed_for(t, g, "grad()") for t, g in zip(outs, _as_list(grad_outputs, "grad_outputs", len(outs)))
    ]
    for i, t in enumerate(outs):
        if not t.requires_grad:
            raise RuntimeError(
                f"outputs[{i}] does not require grad and does not have a grad_fn: it was not computed from a "
                "tensor with requires_grad=True (or it was computed under no_grad())"
            )
    found = run_backward(outs, seeds, ins, retain_graph, create_graph)
    result: list[Tensor | None] = []
    for i, x in enumerate(ins):
        if id(x) in found:
            result.append(found[id(x)])
        elif allow_unused:
            result.append(None)
        else:
            raise RuntimeError(
                f"One of the differentiated Tensors appears to not have been used in the graph: inputs[{i}] "
                f"(shape {tuple(x.shape)}) was not used to compute the outputs. Pass "
                "allow_unused=True to get "
                "None for it."
            )
    return tuple(result)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
) -> None:
    """Backward from several tensors at once, adding into the leaves' `.grad` (torch.autograd.backward)."""
    outs = _as_list(tensors, "tensors")
    _check_tensors(outs, list(inputs or []))
    seeds = [
        seed_for(t, g, "backward()") for t, g in zip(outs, _as_list(grad_tensors, "grad_tensors", len(outs)))
    ]
    if inputs is None:
        run_backward(outs, seeds, None, retain_graph, create_graph)
        return
    found = run_backward(outs, seeds, list(inputs), retain_graph, create_graph)
    for t in inputs:
        if id(t) in found:
            t.grad = found[id(t)] if t.grad is None else t.grad + found[id(t)]


def _as_list(x: Any, name: str, n: int | None = None) -> list:
    """A tensor, a Value or a sequence of them as a list (None as n Nones, for the seeds)."""
    if x is None and n is not None:
        return [None] * n
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    if n is not None and len(items) != n:
        raise ValueError(f"{name} has {len(items)} entries for {n} outputs: give one per output")
    return items


def _check_tensors(outs: list, ins: list) -> None:
    for name, items in (("outputs", outs), ("inputs", ins)):
        for i, t in enumerate(items):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"{name}[{i}] must be a tensor (or all must be Values), got {type(t).__name__}"
                )
    backends = {t.backend for t in (*outs, *ins)}
    if len(backends) > 1:
        raise TypeError(
            f"grad got tensors on the {' and the '.join(sorted(backends))} backends: use one backend"
        )


def _value_grad(
    output: Value, inputs: list[Value], retain_graph: bool | None, create_graph: bool, allow_unused: bool
) -> tuple[Value | None, ...]:
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
