"""Guards: what a program is specialised to, and the checks a call passes before it is replayed.

A program is the arithmetic one call did. It fits another call only if that call would do the
same arithmetic on the same arrays, so before a replay:

- the key (`guard_key`): each tensor argument's backend, shape, dtype and requires_grad (and
  which arguments are the same tensor), every other argument's value, whether grad mode is on,
  and the train()/eval() flag of each module the step used (Dropout and BatchNorm do other
  arithmetic in eval mode). A call with another key gets a program of its own.
- the state (`State`, `state_of`): everything else the trace read, where it found it: each
  module's parameters (and their requires_grad), layers, buffers and settings (not
  `model.fc2 = nn.Linear(...)`, not a frozen layer), the names fn reads (not a notebook cell that
  made a new model or a new `lam`, and the numbers inside a config: a dict, a list or an object of
  yours, up to 64 entries and 3 levels down), each optimizer's groups, settings and buffers. The same State
  taken before a trace and checked after it finds a step that changes its own state (a
  `scheduler.step()` inside it): that step runs eagerly.
- the numbers read into Python during the trace (`.item()`), on replay (program.py).
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable, Iterator
from typing import Any

from micrograd_edu import nn, optim
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import Tensor
from micrograd_edu.tracing.names import bindings, methods_of, reachable, value_at

SCALARS = (int, float, str, bool, type(None))  # arguments keyed by their value (the others: identity)


def guard_key(args: tuple, modules: Any) -> tuple[tuple, set, bool]:
    """The key of a call (its tensors' backend, shape, dtype and requires_grad and which are the same
    tensor, its other arguments' values, an object by its identity, grad mode, each module's
    training flag), the backends of its
    tensors, and whether an argument holds tensors inside a tuple, list or dict: one pass."""
    key: list[tuple] = []
    backends, nested = set(), False
    first: dict[int, int] = {}  # id of a tensor's data -> the first argument holding it (step(X, X))
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            same = first.setdefault(id(a._data), i)
            key.append(("tensor", a.backend, tuple(a.shape), a.dtype, a.requires_grad, same))
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
    made: set[int] = set()  # modules made while it runs (nn.BCELoss()(p, y)): new at every call
    original, original_init = nn.Module.__call__, nn.Module.__init__

    def call(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        if id(self) not in made:
            called.setdefault(id(self), (self, self.training))
        return original(self, *args, **kwargs)

    def init(self: nn.Module) -> None:
        made.add(id(self))
        original_init(self)

    nn.Module.__call__, nn.Module.__init__ = call, init  # type: ignore[method-assign]
    try:
        yield called
    finally:
        if nn.Module.__call__ is call:  # not if something else patched it since
            nn.Module.__call__ = original  # type: ignore[method-assign]
        if nn.Module.__init__ is init:
            nn.Module.__init__ = original_init  # type: ignore[method-assign]


_MODULE_BOOKKEEPING = {  # a module's own records (the state looks into them), and its flag (in the key)
    "_parameters",
    "_buffers",
    "_modules",
    "_non_persistent",
    "training",
    "_compiled_call_impl",
}


class State:
    """What a program was traced with, each fact with what it is ("model.fc1's parameter weight"):
    the objects where the trace found them, the Python numbers it read (a module's `p`, an
    optimizer's `lr`, a global's value: baked into the program), each parameter's requires_grad,
    the sizes of the lists and dicts it saw (a step that appends to a list changes one), and on
    the python backend the numbers of the tensors its tape has as constants (a target network's). Checked
    before each replay (plain loops over lists, the cheapest check there is), and once after a
    trace against the state from before it: a step that changes its own state (scheduler.step(),
    a counter, a new attribute value) has a side effect a replay would not have."""

    def __init__(self) -> None:
        self.objects: list[tuple[Any, Any, Any, str]] = []  # (dict, key, object): the same object
        self.values: list[tuple[Any, Any, Any, str]] = []  # (dict, key, value): an equal value
        self.cells: list[tuple[Any, Any, bool, str]] = []  # (cell, content, by value)
        self.flags: list[tuple[Tensor, bool, str]] = []  # (parameter, requires_grad)
        self.sizes: list[tuple[Any, int, str]] = []  # (list or dict, its length)
        self.storage: list[tuple[Tensor, Any, str]] = []  # (tensor, the array or list it holds)
        self.elements: list[tuple[list, int, Any, str]] = []  # (list, index, number or object)
        self.numbers: list[tuple[Tensor, list, str]] = []  # (tensor, its numbers): read without a graph
        self.made_by_steps: list[tuple[Any, Any, Any, str]] = []  # an optimizer's buffers (a step makes them)

    def add(self, container: Any, key: Any, obj: Any, what: str) -> None:
        """A fact about what `container[key]` (a dict entry) holds."""
        if isinstance(obj, SCALARS):
            self.values.append((container, key, obj, what))
            return
        self.objects.append((container, key, obj, what))
        self.inside(obj, what)

    def inside(self, obj: Any, what: str, depth: int = 3) -> None:
        """Facts about what an object holds: a tensor its storage, a list or dict its length, and
        the numbers in a small list or dict or in an object of your own (a config, a scheduler, a
        loss object), and in those inside it (cfg.train.wd), a few levels down."""
        if isinstance(obj, Tensor):
            self.storage.append((obj, obj._data, what))
            return
        if isinstance(obj, (list, dict, set)):
            self.sizes.append((obj, len(obj), f"the length of {what}"))
        if depth == 0:
            return
        if isinstance(obj, list) and len(obj) <= 64:
            for i, value in enumerate(obj):
                self._entry(obj, i, value, f"{what}[{i}]", depth)
            return
        entries = obj if isinstance(obj, dict) and len(obj) <= 64 else vars(obj) if _plain_object(obj) else {}
        for key, value in entries.items():
            self._entry(entries, key, value, f"{what}[{key!r}]" if entries is obj else f"{what}.{key}", depth)

    def _entry(self, container: Any, key: Any, value: Any, what: str, depth: int) -> None:
        if (
            not isinstance(value, SCALARS)
            and not isinstance(value, (list, dict))
            and not _plain_object(value)
        ):
            return
        if type(container) is list:
            self.elements.append((container, key, value, what))
        else:
            (self.values if isinstance(value, SCALARS) else self.objects).append(
                (container, key, value, what)
            )
        if not isinstance(value, SCALARS):
            self.inside(value, what, depth - 1)

    def changed(self, side_effects: bool = False) -> str:
        """What is no longer as the trace found it, or "" (with side_effects, leaving out what a step
        legitimately makes: an optimizer's buffers)."""
        for container, n, what in self.sizes:
            if len(container) != n:
                return what
        for d, key, obj, what in self.objects:
            if d.get(key) is not obj:
                return what
        for items, i, expected, what in self.elements:  # sizes are checked first: i is in range
            now = items[i]
            if now is not expected and (type(expected) not in SCALARS or now != expected):
                return what
        for d, key, value, what in self.values:
            now = d.get(key, _MISSING)
            if now is not value and now != value and not (now != now and value != value):  # nan is nan
                return what
        for t, flag, what in self.flags:
            if t.requires_grad is not flag:
                return what
        for t, data, what in self.storage:
            if t._data is not data:
                return what
        for t, numbers, what in self.numbers:
            if t._floats() != numbers:
                return what
        for cell, content, by_value, what in self.cells:
            now = value_at(cell, None)
            if now is not content and not (by_value and now == content):
                return what
        if not side_effects:
            for d, key, obj, what in self.made_by_steps:
                if d.get(key) is not obj:
                    return what
        return ""


_MISSING = object()


def state_of(fn: Callable, modules: list, args: tuple = ()) -> State:
    """The State fn runs in: each module's parameters (and their requires_grad), layers, buffers
    and settings (Dropout's p, a loss's pos_weight); every name fn reads (a global, a closure
    variable, a bound method's attribute); each optimizer fn reaches or is given: its groups, their
    settings and parameters, its buffers."""
    state = State()
    for m in modules:
        name = type(m).__name__
        for d, kind in ((m._parameters, "parameter"), (m._modules, "layer"), (m._buffers, "buffer")):
            for key, obj in d.items():
                state.objects.append((d, key, obj, f"{name}'s {kind} {key}"))
                if kind == "parameter" and obj is not None:
                    state.flags.append((obj, obj.requires_grad, f"{name}.{key}.requires_grad"))
        attributes = vars(m)
        registered = m._parameters.keys() | m._modules.keys() | m._buffers.keys()  # kept here too: above
        for key, obj in attributes.items():  # its settings
            if key not in _MODULE_BOOKKEEPING and key not in registered:
                state.add(attributes, key, obj, f"{name}.{key}")
    optimizers = [a for a in args if isinstance(a, optim.Optimizer)]
    found = bindings(fn)
    for obj in [*modules, *(value_at(c, n) for c, n in found)]:  # what your classes' methods read
        found += [b for f in methods_of(obj) for b in bindings(f) if isinstance(b[0], dict)]
    for container, name in _unique(found):
        obj = value_at(container, name)
        if obj is None or isinstance(obj, types.ModuleType):  # a name not bound yet; an imported module
            continue
        if isinstance(container, dict):
            state.add(container, name, obj, name)
        else:
            state.cells.append((container, obj, isinstance(obj, SCALARS), name))
            state.inside(obj, name)
        if isinstance(obj, optim.Optimizer):
            optimizers.append(obj)
    for opt in {id(o): o for o in optimizers}.values():
        _optimizer_state(state, opt)
    return state


def _unique(bindings: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    return list({(id(c), n): (c, n) for c, n in bindings}.values())


def _plain_object(obj: Any) -> bool:
    """An object that holds data of its own (a scheduler, a config, a loss object of yours), not a
    function, a class, a module, a tensor or an optimizer (the state follows those otherwise), nor
    micrograd_edu's own machinery (a compiled function)."""
    if not hasattr(obj, "__dict__") or isinstance(obj, (type, types.FunctionType, types.MethodType)):
        return False
    if isinstance(obj, (Tensor, optim.Optimizer, nn.Module, types.ModuleType)):
        return False
    return not callable(obj) or not type(obj).__module__.startswith("micrograd_edu")


def _optimizer_state(state: State, opt: Any) -> None:
    what = type(opt).__name__
    attributes = vars(opt)  # load_state_dict() gives it new ones
    state.objects += [(attributes, k, attributes[k], f"{what}.{k}") for k in ("param_groups", "state")]
    state.sizes.append((opt.param_groups, len(opt.param_groups), f"{what}'s number of param groups"))
    for i, group in enumerate(opt.param_groups):
        for key, value in group.items():
            if key == "params":
                state.objects.append((group, key, value, f"{what}'s params of group {i}"))
                state.sizes.append((value, len(value), f"{what}'s number of params in group {i}"))
                state.flags += [(p, p.requires_grad, f"a requires_grad of {what}'s params") for p in value]
            else:
                state.add(group, key, value, f"{what}'s {key} (param group {i})")
    for param, buffers in opt.state.items():  # buffers made anew (opt.state[p]["momentum_buffer"] = ...)
        state.made_by_steps.append((opt.state, param, buffers, f"{what}'s state"))
        state.made_by_steps += [(buffers, k, v, f"{what}'s {k}") for k, v in buffers.items()]
