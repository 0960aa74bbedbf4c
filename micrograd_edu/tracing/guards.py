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


def guard_key(args: tuple, modules: list) -> tuple:
    """The key of a call: its tensors' backend, shape, dtype and requires_grad, its other
    arguments' values (an object by its identity), grad mode, and each module's training flag."""
    key: list[tuple] = []
    for a in args:
        if isinstance(a, Tensor):
            key.append(("tensor", a.backend, tuple(a.shape), a.dtype, a.requires_grad))
        else:
            key.append(("value", type(a), a if isinstance(a, (int, float, str, bool, type(None))) else id(a)))
    return tuple(key), grad_mode.enabled, tuple(m.training for m in modules)


def reachable(fn: Callable) -> dict[str, Any]:
    """What fn reads by name: the globals its code names and its closure (a module: itself)."""
    if isinstance(fn, nn.Module):
        return {"": fn}
    found = {name: value_at(container, name) for container, name in _bindings(fn)}
    return {name: obj for name, obj in found.items() if obj is not None}


def _bindings(fn: Callable) -> list[tuple[Any, str]]:
    """Where fn's names live: (its globals, name) for each global its code reads, (cell, name)
    for each variable of its closure."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    cells = getattr(fn, "__closure__", None) or ()
    return [(fn.__globals__, n) for n in code.co_names] + list(zip(cells, code.co_freevars))  # type: ignore[attr-defined]


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
def modules_called() -> Iterator[dict[int, Any]]:
    """Every module called while the block runs, however fn reached it (an argument, a helper
    function, an attribute): Module.__call__ notes them for as long as a trace runs."""
    called: dict[int, Any] = {}
    original = nn.Module.__call__

    def call(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        called[id(self)] = self
        return original(self, *args, **kwargs)

    nn.Module.__call__ = call  # type: ignore[method-assign]
    try:
        yield called
    finally:
        nn.Module.__call__ = original  # type: ignore[method-assign]


def state_of(fn: Callable, modules: list) -> tuple[list, list]:
    """What the program was traced with: (dict, key, object) for each module's parameters and
    layers and each global of fn's naming a module or an optimizer; (cell, object) for each
    variable of fn's closure naming one."""
    in_dicts: list[tuple[dict, str, Any]] = []
    for m in modules:
        in_dicts += [(m._parameters, k, p) for k, p in m._parameters.items()]
        in_dicts += [(m._modules, k, c) for k, c in m._modules.items()]
    in_cells = []
    for container, name in _bindings(fn):
        obj = value_at(container, name)
        if isinstance(obj, (nn.Module, optim.Optimizer)):
            if isinstance(container, dict):
                in_dicts.append((container, name, obj))
            else:
                in_cells.append((container, obj))
    return in_dicts, in_cells


def unchanged(state: tuple[list, list]) -> bool:
    """Whether every object of the state is still where the trace found it (before each replay:
    a plain loop, the cheapest check there is)."""
    in_dicts, in_cells = state
    for d, key, obj in in_dicts:
        if d.get(key) is not obj:
            return False
    return all(cell.cell_contents is obj for cell, obj in in_cells)  # few: most steps have none
