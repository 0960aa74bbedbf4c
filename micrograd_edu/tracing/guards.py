"""Guards: what a program is specialised to, and the checks a call passes before it is replayed.

A program is the arithmetic one call did. It fits another call only if that call would do the
same arithmetic on the same arrays, so before a replay:

- the key (`guard_key`): each tensor argument's backend, shape, dtype and requires_grad, every
  other argument's value, whether grad mode is on, and the train()/eval() flag of each module
  the step used (Dropout and BatchNorm do other arithmetic in eval mode). A call with another
  key gets a program of its own.
- the state (`state_of`, `unchanged`): the same objects where the trace found them: each module
  the step called still holds the same parameters and layers (not `model.fc2 = nn.Linear(...)`),
  the names fn reads a module or an optimizer by still name the same one (not a notebook cell
  that made a new model), and each parameter still has the storage the program reads.
- the numbers read into Python during the trace (`.item()`), with `guard_reads` (program.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from micrograd_edu import nn, optim
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import Tensor

SCALARS = (int, float, str, bool, type(None))  # arguments keyed by their value (the others: identity)


def guard_key(args: tuple, modules: Any) -> tuple[tuple, set, bool]:
    """The key of a call (its tensors' backend, shape, dtype and requires_grad, its other arguments'
    values, an object by its identity, grad mode, each module's training flag), the backends of its
    tensors, and whether an argument holds tensors inside a tuple, list or dict: one pass."""
    key: list[tuple] = []
    backends, nested = set(), False
    for a in args:
        if isinstance(a, Tensor):
            key.append(("tensor", a.backend, tuple(a.shape), a.dtype, a.requires_grad))
            backends.add(a.backend)
        else:
            key.append(("value", type(a), a if isinstance(a, SCALARS) else id(a)))
            nested = nested or (isinstance(a, (tuple, list, dict)) and _holds_tensors(a))
    return (tuple(key), grad_mode.enabled, tuple(m.training for m in modules)), backends, nested


def _holds_tensors(container: Any) -> bool:
    items = container.values() if isinstance(container, dict) else container
    return any(
        isinstance(x, Tensor) or (isinstance(x, (tuple, list, dict)) and _holds_tensors(x)) for x in items
    )


def reachable(fn: Callable) -> dict[str, Any]:
    """What fn reads by name: the globals its code names and its closure (a module: itself)."""
    if isinstance(fn, nn.Module):
        return {"": fn}
    found = {name: value_at(container, name) for container, name in _bindings(fn)}
    return {name: obj for name, obj in found.items() if obj is not None}


def _bindings(fn: Callable) -> list[tuple[Any, str]]:
    """Where fn's names live: (its globals, name) for each global its code reads, (cell, name)
    for each variable of its closure."""
    owner = getattr(fn, "__self__", None)  # a bound method: its object's attributes (self.model)
    attributes = [(vars(owner), n) for n in vars(owner)] if hasattr(owner, "__dict__") else []
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return attributes
    cells = getattr(fn, "__closure__", None) or ()
    names = [(fn.__globals__, n) for n in code.co_names]  # type: ignore[attr-defined]
    return attributes + names + list(zip(cells, code.co_freevars))


def value_at(container: Any, name: str | None) -> Any:
    """What a name holds now: a key of a dict (globals, a module's parameters), or a closure cell."""
    if isinstance(container, dict):
        return container.get(name)
    try:
        return container.cell_contents
    except ValueError:  # a cell not filled yet
        return None


def modules_in(fn: Callable) -> list:
    """Every module fn reaches by name, and every module inside those."""
    found = [obj for obj in reachable(fn).values() if isinstance(obj, nn.Module)]
    return list({id(m): m for top in found for m in top.modules()}.values())


@contextlib.contextmanager
def modules_called() -> Iterator[dict[int, tuple[Any, bool]]]:
    """Every module called while the block runs, however fn reached it (an argument, a helper
    function, an attribute), with its training flag at its first call: Module.__call__ notes
    them for as long as a trace runs (compile traces one call at a time: not thread-safe)."""
    called: dict[int, tuple[Any, bool]] = {}
    original = nn.Module.__call__

    def call(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        called.setdefault(id(self), (self, self.training))
        return original(self, *args, **kwargs)

    nn.Module.__call__ = call  # type: ignore[method-assign]
    try:
        yield called
    finally:
        if nn.Module.__call__ is call:  # not if something else patched it since
            nn.Module.__call__ = original  # type: ignore[method-assign]


def state_of(fn: Callable, modules: list) -> tuple[list, list, list]:
    """What the program was traced with: (dict, key, object) for each module's parameters and
    layers and each global of fn's naming a module or an optimizer; (cell, object) for each
    variable of fn's closure naming one; (param group, key, value) for each optimizer's settings
    (a scheduler changing lr between steps: the traced program has the old lr in it)."""
    in_dicts: list[tuple[dict, str, Any]] = []
    for m in modules:
        in_dicts += [(m._parameters, k, p) for k, p in m._parameters.items()]
        in_dicts += [(m._modules, k, c) for k, c in m._modules.items()]
    in_cells, settings = [], []
    for container, name in _bindings(fn):
        obj = value_at(container, name)
        if isinstance(obj, (nn.Module, optim.Optimizer)):
            if isinstance(container, dict):
                in_dicts.append((container, name, obj))
            else:
                in_cells.append((container, obj))
        if isinstance(obj, optim.Optimizer):
            settings += [(g, k, v) for g in obj.param_groups for k, v in g.items() if k != "params"]
    return in_dicts, in_cells, settings


def unchanged(state: tuple[list, list, list]) -> bool:
    """Whether every object of the state is still where the trace found it, and every optimizer
    setting has its value (before each replay: plain loops, the cheapest check there is)."""
    in_dicts, in_cells, settings = state
    for d, key, obj in in_dicts:
        if d.get(key) is not obj:
            return False
    for group, key, value in settings:
        if group[key] is not value and group[key] != value:
            return False
    return all(cell.cell_contents is obj for cell, obj in in_cells)  # few: most steps have none
