"""Higher-order autograd, as PyTorch's torch.autograd.functional computes it: the Jacobian and
the Hessian of a function, and vector-Jacobian, Jacobian-vector and Hessian-vector products.

Everything here is reverse mode, built on `grad`: a Jacobian is one backward pass per output
element; `jvp` uses the double-vjp trick (a vjp is linear in its vector, so the vjp of a vjp
gives J v), as PyTorch's `jvp` does; `hvp` is the vjp of the gradient.

    >>> import micrograd_edu as torch
    >>> from micrograd_edu.autograd.functional import hessian
    >>> hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]))   # diag(6x)
    tensor([[ 6.,  0.],
            [ 0., 12.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from micrograd_edu.autograd.grad import grad
from micrograd_edu.grad_mode import enable_grad
from micrograd_edu.tensor import Tensor, stack


def _as_tuple(x: Any, name: str) -> tuple[tuple[Tensor, ...], bool]:
    """x as a tuple of tensors, and whether it was one already."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"{name}[{i}]" if is_tuple else name
            raise TypeError(f"{where} must be a tensor, got {type(t).__name__} {t!r}")
    return items, is_tuple


def _leaves(inputs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """Fresh leaves that require grad, with the inputs' numbers: the function is differentiated at them."""
    return tuple(t.detach().requires_grad_() for t in inputs)


def _run(func: Callable, inputs: tuple[Tensor, ...], name: str) -> tuple[tuple[Tensor, ...], bool]:
    with enable_grad():
        outputs = func(*inputs)
    return _as_tuple(outputs, f"the output of {name}'s function")


def _grads(out: Tensor, inputs: tuple[Tensor, ...], seed: Any, create_graph: bool) -> tuple[Tensor, ...]:
    """d(out)/d(input) for each input, zeros for an input the output does not depend on."""
    if not out.requires_grad:
        return tuple(x.new_zeros(x.shape) for x in inputs)
    found = grad(out, list(inputs), seed, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return tuple(x.new_zeros(x.shape) if g is None else g for g, x in zip(found, inputs))


def jacobian(func: Callable, inputs: Any, create_graph: bool = False) -> Any:
    """d func(inputs) / d inputs: for one input and one output, a tensor of shape
    output.shape + input.shape; for tuples, a tuple per output of a tuple per input."""
    ins, ins_tuple = _as_tuple(inputs, "inputs")
    xs = _leaves(ins)
    outs, outs_tuple = _run(func, xs, "jacobian")
    blocks = []
    for out in outs:
        rows: list[tuple[Tensor, ...]] = []
        flat = out.reshape(-1)
        for i in range(flat.numel()):
            rows.append(_grads(flat[i], xs, None, create_graph))
        per_input = []
        for j, x in enumerate(xs):
            if rows:
                block = stack([row[j] for row in rows]).reshape(*out.shape, *x.shape)
            else:
                block = x.new_zeros((*out.shape, *x.shape))
            per_input.append(block if create_graph else block.detach())
        blocks.append(tuple(per_input) if ins_tuple else per_input[0])
    return tuple(blocks) if outs_tuple else blocks[0]


def hessian(func: Callable, inputs: Any, create_graph: bool = False) -> Any:
    """The second derivatives of a function with one-element output: for one input of shape s, a
    tensor of shape s + s; for a tuple of inputs, a tuple (per input) of tuples (per input)."""
    ins, ins_tuple = _as_tuple(inputs, "inputs")

    def gradient(*xs: Tensor) -> Any:
        (out,), _ = _run(func, xs, "hessian")
        if out.numel() != 1:
            raise RuntimeError(
                f"hessian needs a function with a one-element output, this one gives shape {tuple(out.shape)}"
            )
        found = _grads(out.reshape(()), xs, None, True)
        return found if ins_tuple else found[0]

    return jacobian(gradient, ins if ins_tuple else ins[0], create_graph)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the outputs, and the gradient of their product with v."""
    ins, ins_tuple = _as_tuple(inputs, "inputs")
    xs = _leaves(ins)
    outs, outs_tuple = _run(func, xs, "vjp")
    vs = _vectors(v, outs, "vjp")
    total = sum(((o * w).sum() for o, w in zip(outs, vs)), start=outs[0].new_zeros(()))
    result = _grads(total, xs, None, create_graph)
    outputs = tuple(o if create_graph else o.detach() for o in outs)
    grads = tuple(g if create_graph else g.detach() for g in result)
    return (outputs if outs_tuple else outputs[0]), (grads if ins_tuple else grads[0])


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v), by the double-vjp trick: u -> uᵀ J is linear in u, so the vjp of it
    (at any u, here zeros) with v is J v. Two backward passes, as PyTorch's jvp does."""
    ins, ins_tuple = _as_tuple(inputs, "inputs")
    xs = _leaves(ins)
    vs = _vectors(v, xs, "jvp")
    outs, outs_tuple = _run(func, xs, "jvp")
    us = tuple(o.new_zeros(o.shape).requires_grad_() for o in outs)
    total = sum(((o * u).sum() for o, u in zip(outs, us)), start=outs[0].new_zeros(()))
    ujs = _grads(total, xs, None, True)
    inner = sum(((g * w).sum() for g, w in zip(ujs, vs)), start=outs[0].new_zeros(()))
    result = _grads(inner, us, None, create_graph)
    outputs = tuple(o if create_graph else o.detach() for o in outs)
    jv = tuple(g if create_graph else g.detach() for g in result)
    return (outputs if outs_tuple else outputs[0]), (jv if outs_tuple else jv[0])


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H v) for a function with one-element output (H is symmetric, so H v = vᵀ H)."""
    ins, ins_tuple = _as_tuple(inputs, "inputs")
    xs = _leaves(ins)
    (out,), _ = _run(func, xs, "hvp")
    if out.numel() != 1:
        raise RuntimeError(
            f"hvp needs a function with a one-element output, this one gives shape {tuple(out.shape)}"
        )
    vs = _vectors(v, xs, "hvp")
    gs = _grads(out.reshape(()), xs, None, True)
    inner = sum(((g * w).sum() for g, w in zip(gs, vs)), start=out.new_zeros(()))
    result = _grads(inner, xs, None, create_graph)
    hv = tuple(g if create_graph else g.detach() for g in result)
    return (out if create_graph else out.detach()), (hv if ins_tuple else hv[0])


vhp = hvp  # the Hessian is symmetric: vᵀ H = H v


def _vectors(v: Any, like: tuple[Tensor, ...], name: str) -> tuple[Tensor, ...]:
    """The vectors a product is taken with: one per tensor of `like`, of its shape (None: ones,
    allowed only for one-element tensors, as in PyTorch)."""
    if v is None:
        if any(t.numel() != 1 for t in like):
            raise RuntimeError(f"{name}: v must be given unless every tensor it multiplies has one element")
        return tuple(t.new_zeros(t.shape) + 1.0 for t in like)
    vs, _ = _as_tuple(v, "v")
    if len(vs) != len(like) or any(w.shape != t.shape for w, t in zip(vs, like)):
        want = [t.shape for t in like]
        raise ValueError(f"{name}: v must match in number and shape {want}, got {[w.shape for w in vs]}")
    return vs
