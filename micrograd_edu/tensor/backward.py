"""backward() on tensors: one pass over the graph of tensors, with PyTorch's rules around it.

- `run_backward` is the pass behind `Tensor.backward`, `autograd.backward` and `autograd.grad`:
  it checks that nothing the graph saved was changed in place since, lets the backend run the
  chain rule, runs the tensors' hooks, and accumulates into the leaves' `.grad` (or hands the
  gradients back, for `grad`).
- Version counters: an in-place op bumps its tensor's counter (shared with its views); an op
  that saved a tensor for its backward remembers when, so a backward through a graph whose
  saved tensors changed since raises PyTorch's error instead of giving a wrong gradient.
- `GradFn`: what `t.grad_fn` is, with `name()` and `next_functions` down to `AccumulateGrad`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from micrograd_edu.engine import topological_order
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import elementwise as ops

if TYPE_CHECKING:
    from micrograd_edu.tensor.tensor import Tensor

# ---- version counters ---------------------------------------------------------------------


class VersionCounter:
    """How many times a tensor's numbers (and its views') were changed in place, and when last."""

    __slots__ = ("version", "stamp", "op", "views", "rebased")

    def __init__(self) -> None:
        self.version, self.stamp, self.op = 0, 0, ""
        self.views = False  # shared with a view of the tensor
        self.rebased = 0  # when a recorded in-place op last made the tensor the result of a new node


class _Clock:
    """Counts in-place changes, everywhere: a node records the time it saved its tensors."""

    now = 0


clock = _Clock()


def changed_in_place(t: Tensor, op: str) -> None:
    """Note that `op` just changed t's numbers in place."""
    counter = t._counter
    if counter is None:
        counter = t._counter = VersionCounter()
    clock.now += 1
    counter.version += 1
    counter.stamp, counter.op = clock.now, op


def shared_counter(t: Tensor) -> VersionCounter:
    """t's counter, made now if it has none: a view shares it, so a change through either shows."""
    if t._counter is None:
        t._counter = VersionCounter()
    t._counter.views = True
    return t._counter


def _saves_of(entry: ops.Elementwise) -> tuple[tuple[int, ...], bool]:
    """Which inputs (and whether the output) an op's backward reads: the names its formulas use."""
    names = set(re.findall(r"\b(a|b|out)\b", " ".join(entry.derivative.formulas), flags=re.ASCII))
    return tuple(i for i, name in enumerate("ab") if name in names), "out" in names


SAVED: dict[str, tuple[tuple[int, ...], bool]] = {  # grad_fn -> (inputs its backward reads, the output?)
    "MmBackward0": ((0, 1), False),
    "AddmmBackward0": ((0, 1), False),
    "PowBackward2": ((0, 1), True),
    "RsubBackward1": ((), False),
}


def saved_by(t: Tensor) -> list[Tensor]:
    """The tensors t's backward reads (its saved tensors), found from what made it."""
    if t._op not in SAVED:
        entry = next((e for e in _ELEMENTWISE if e.grad_fn == t._op), None)
        SAVED[t._op] = _saves_of(entry) if entry is not None else ((), False)
    inputs, output = SAVED[t._op]
    saved = [t._prev[i] for i in inputs if i < len(t._prev)]
    return [*saved, t] if output else saved


_ELEMENTWISE = [e for e in vars(ops).values() if isinstance(e, ops.Elementwise)]


def check_versions(order: Sequence[Tensor], oldest: int | None = None) -> None:
    """PyTorch's error if a tensor some node saved was changed in place after it was saved.
    `oldest` is the earliest stamp of the graph's nodes, if the caller has found it already."""
    if oldest is None:
        oldest = min((t._stamp for t in order if t._prev), default=clock.now)
    if clock.now <= oldest:
        return  # no in-place change since the graph was recorded: nothing to check
    for t in (t for t in order if t._prev):
        for p in t._prev:
            counter = p._counter
            if counter is not None and counter.rebased > t._stamp:
                raise RuntimeError(
                    f"a tensor of shape {tuple(p.shape)} that {t._op} used was changed by "
                    f"{counter.op} afterwards, "
                    "while the graph was being recorded, so the gradient through it would come out wrong: "
                    "compute a new tensor instead (y = y + 1 rather than y += 1)"
                )
        custom = getattr(t._backward, "saved_tensors_of", None)
        for s in custom(t) if custom else saved_by(t):
            counter = s._counter
            if counter is not None and counter.stamp > t._stamp:
                made = f"output 0 of {s._op}" if s._prev else "a leaf"
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: a tensor of shape {tuple(s.shape)} ({made}), needed by {t._op}, was "
                    f"changed by {counter.op} after {t._op} used it; it is at version {counter.version}. "
                    "Compute the graph again after the change, or change a copy (x = x + 1 instead of "
                    "x += 1; an optimizer's step() belongs after backward())."
                )


# ---- hooks -------------------------------------------------------------------------------------


class RemovableHandle:
    """What register_hook returns: `handle.remove()` takes the hook off again."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def run_hooks(t: Tensor, grad: Tensor) -> Tensor:
    """t's hooks, in order, each given the gradient so far; one that returns a tensor replaces it."""
    for hook in list(t._hooks or ()):
        new = hook(grad)
        if new is not None:
            if not hasattr(new, "shape") or tuple(new.shape) != tuple(t.shape):
                got = (
                    f"shape {tuple(new.shape)}" if hasattr(new, "shape") else f"{type(new).__name__} {new!r}"
                )
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} returned {got} for a gradient of shape "
                    f"{tuple(t.shape)}: a hook returns None or a tensor of the gradient's shape"
                )
            grad = new
    return grad


# ---- grad_fn ---------------------------------------------------------------------------------


class GradFn:
    """The node that made a tensor, as PyTorch shows it: `<MulBackward0>`, with its `name()` and
    `next_functions`, one (node, 0) per input: the input's GradFn, an AccumulateGrad for a leaf
    that requires grad, or None."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor: Tensor) -> None:
        self._tensor = tensor

    def name(self) -> str:
        op = self._tensor._op
        return f"torch::autograd::{op}" if op == "CopySlices" else op  # PyTorch's C++ name for it

    @property
    def next_functions(self) -> tuple[tuple[GradFn | AccumulateGrad | None, int], ...]:
        return tuple((node_of(p), 0) for p in self._tensor._prev)

    def __repr__(self) -> str:
        return f"<{self._tensor._op} object at {id(self):#x}>"  # as PyTorch prints a node


class AccumulateGrad:
    """Where a leaf's gradient ends up: added into `variable.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def node_of(t: Tensor) -> GradFn | AccumulateGrad | None:
    if t._prev:
        return GradFn(t)
    return AccumulateGrad(t) if t.requires_grad else None


# ---- the pass ----------------------------------------------------------------------------------

Observer = Callable[["Tensor", "Tensor"], None]
observers: list[Observer] = []


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Tensor],
    inputs: Sequence[Tensor] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> dict[int, Tensor]:
    """Backward from `roots`, each seeded with its gradient (same shape). With `inputs` None, add
    into every leaf's `.grad` (and a retaining tensor's); else return d(roots)/d(input) by id,
    touching no `.grad`. With `create_graph`, the gradients are recorded too."""
    backend = roots[0]._backend
    order: list[Tensor] = topological_order(list(roots))
    kept, oldest = [], clock.now  # one plain loop over the graph: this runs on every backward
    for t in order:
        if t._prev:
            oldest = t._stamp if t._stamp < oldest else oldest
            if t._retains:
                kept.append(t)
        elif t.requires_grad:
            kept.append(t)
    check_versions(order, oldest)
    if inputs is None:
        wanted = [t for t in order if t.requires_grad] if observers else kept
    else:
        kept, wanted = list(inputs), list(inputs)
    retain = create_graph if retain_graph is None else retain_graph
    new = backend.backprop(roots, seeds, order, wanted, retain, create_graph, _hooked)
    sources = tuple(t for t in order if t.requires_grad) if create_graph else ()  # what a gradient hangs on
    with contextlib.nullcontext() if create_graph else no_grad():
        results = {}
        for t in kept:
            if id(t) not in new:
                continue
            g = t._wrap_gradient(new[id(t)], True, sources) if create_graph else t._wrapping(new[id(t)])
            if not t._prev and t._hooks:  # a leaf's hooks see its gradient before it is kept
                g = run_hooks(t, g)
            results[id(t)] = g
            if inputs is None:
                t.grad = g if t.grad is None else t.grad + g
        for observe in list(observers):
            for t in wanted:
                if id(t) in new:
                    seen = results.get(id(t))
                    observe(t, seen if seen is not None else t._wrap_gradient(new[id(t)], False))
    return results


def _hooked(t: Tensor, g: Any, create_graph: bool) -> Any:
    """A backend hands a non-leaf's finished gradient here when the tensor has hooks."""
    grad = run_hooks(t, t._wrap_gradient(g, create_graph))
    return grad if create_graph else grad._data


def observe_backward(callback: Observer) -> Callable[[], None]:
    """Have `callback(tensor, gradient)` called for every tensor a backward pass reaches, leaves
    and intermediates alike (PyTorch keeps an intermediate's gradient only if asked to, but a
    picture of the graph wants to show it). Returns a function that stops the calls."""
    observers.append(callback)
    return lambda: observers.remove(callback) if callback in observers else None


# ---- the autograd side of a tensor (a Tensor mixin) --------------------------------------------


class Autograd:
    """Tensor's autograd: grad_fn, hooks, backward; mixed into Tensor (`tensor.py`)."""

    if not TYPE_CHECKING:  # the class that mixes this in declares the slots (mypy checks against them)
        __slots__ = ()
    if TYPE_CHECKING:
        from micrograd_edu.tensor.backend import Backend
        from micrograd_edu.tensor.shape import Shape

        shape: Shape
        _data: Any
        _backend: Backend
        _prev: tuple
        _op: str
        _counter: VersionCounter | None
        _hooks: list | None
        _aliased: bool
        _retains: bool
        dtype: Any
        requires_grad: bool
        grad: Tensor | None

        @property
        def backend(self) -> str: ...
        def numel(self) -> int: ...
        def _wrapping(self, data: Any, requires_grad: bool = False) -> Tensor: ...
        def _operand(self, other: Any, op: str) -> Tensor: ...

    @property
    def is_leaf(self) -> bool:
        """True unless an op that was recorded made this tensor (a leaf: data, or a parameter)."""
        return not self._prev

    @property
    def grad_fn(self) -> GradFn | None:
        """The node that made this tensor (`<MulBackward0>`), or None for a leaf."""
        return GradFn(self) if self._prev else None  # type: ignore[arg-type]

    @property
    def _version(self) -> int:
        """How many times this tensor (or a view of it) was changed in place, as PyTorch counts."""
        return self._counter.version if self._counter is not None else 0

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording ops on this leaf, in place."""
        if not isinstance(requires_grad, bool):
            raise TypeError(
                f"requires_grad_ takes True or False, got {type(requires_grad).__name__} {requires_grad!r}"
            )
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients (this one is {self.dtype!r}: "
                "make it a float first, t.float().requires_grad_())"
            )
        if self._prev:
            if requires_grad:
                return self  # type: ignore[return-value]  # a computed tensor requires grad already
            raise RuntimeError(
                f"requires_grad can only be changed on a leaf tensor; this one was computed by {self._op}. "
                "Use .detach() to make a leaf from it."
            )
        if requires_grad and self._aliased:  # w.detach().requires_grad_(): a leaf of its own, whose
            self._data = self._backend.copy(self._data)  # Values are its own (python backend), so
            self._aliased = False  # that its gradient and w's never meet in one Value
        self.requires_grad = requires_grad
        return self  # type: ignore[return-value]

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward(), accumulating as a leaf's does."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad() on a tensor that does not require grad: it has no gradient to keep"
            )
        self._retains = bool(self._prev)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `hook(grad)` whenever this tensor's gradient is computed; a tensor it returns
        replaces the gradient (for what flows on, and for `.grad`). Returns a handle with remove()."""
        if not callable(hook):
            raise TypeError(
                f"register_hook takes a function of the gradient, got {type(hook).__name__} {hook!r}"
            )
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._prev and self.backend == "python" and _shares_values(self):
            raise RuntimeError(
                f"register_hook on a tensor made by {self._op}: on the python backend it holds the very "
                "Values of its input, so its gradient cannot be told apart. Hook the input instead, or use "
                "the numpy backend."
            )
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Fill `.grad` of every leaf this tensor was computed from (accumulating, as in PyTorch).

        `gradient` is d(something)/d(self), needed unless self has one element; `create_graph`
        records the backward pass too (for a gradient of a gradient); `inputs` limits which
        leaves get a `.grad`."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad (element 0 of tensors does not require "
                "grad and does not have a grad_fn): none of the tensors it was computed from has "
                "requires_grad=True, or it was computed under no_grad()"
            )
        seed = seed_for(self, gradient, "backward()")  # type: ignore[arg-type]
        if inputs is None:
            run_backward([self], [seed], None, retain_graph, create_graph)  # type: ignore[list-item]
            return
        inputs = _checked_inputs(inputs)
        found = run_backward([self], [seed], list(inputs), retain_graph, create_graph)  # type: ignore[list-item]
        for t in inputs:
            if id(t) in found:
                t.grad = found[id(t)] if t.grad is None else t.grad + found[id(t)]

    def _wrap_gradient(self, data: Any, create_graph: bool, sources: tuple = ()) -> Tensor:
        """A gradient as a backend handed it (data, or a tensor under create_graph) as a tensor."""
        if hasattr(data, "_backend"):
            return data
        g = self._wrapping(data)
        if create_graph and self.backend == "python" and any(v._prev for v in data):
            g.requires_grad, g._prev, g._op = (
                True,
                sources,
                _named_after(data),
            )  # its graph lives in its Values
        return g


def _checked_inputs(inputs: Any) -> list:
    """backward(inputs=...): a tensor or a sequence of them, each requiring grad (PyTorch's errors)."""
    inputs = (
        [inputs] if hasattr(inputs, "_backend") else list({id(t): t for t in inputs}.values())
    )  # each once
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in inputs:
        if not hasattr(t, "_backend"):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                "can't retain_grad on Tensor that has requires_grad=False: backward(inputs=...) names the "
                "tensors to fill .grad of, each one that requires grad"
            )
    return inputs


def seed_for(t: Tensor, gradient: Any, op: str) -> Tensor:
    """The gradient a backward pass starts from at t: 1 for one element, else the one given."""
    if gradient is None:
        if t.numel() != 1:
            raise RuntimeError(
                f"{op} on a tensor of shape {tuple(t.shape)} needs gradient=, a tensor of the same "
                "shape: only a "
                "single-element output has an implied gradient of 1. For a loss, reduce first, e.g. y.sum()"
            )
        return t._wrapping(t._backend.from_floats([1.0], t.shape, t.dtype))
    if isinstance(gradient, (str, bytes, dict, set)) or callable(gradient):
        raise TypeError(
            f"gradients can be either Tensors or None, but got {type(gradient).__name__}: {op}'s gradient= "
            f"is a tensor of the output's shape {tuple(t.shape)}, got {gradient!r}"
        )
    seed = t._operand(gradient, op)
    if seed.shape != t.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[0] has a shape of {seed.shape} and output[0] has a shape of "
            f"{t.shape} ({op}: the gradient must have the output's shape, {tuple(t.shape)})"
        )
    return seed


def _shares_values(t: Any) -> bool:
    inputs = {id(v) for p in t._prev for v in p._data}
    return any(id(v) in inputs for v in t._data)


def _named_after(values: Any) -> str:
    """PyTorch's name for the node that made most of these Values (`*` is MulBackward0)."""
    names = [v._op for v in values if v._prev]
    top = max(set(names), key=names.count)
    entry = next((e for e in _ELEMENTWISE if e.op == top or (e.op == "**n" and top.startswith("**"))), None)
    return entry.grad_fn if entry is not None else "GradientBackward"
