"""What a function reads by name, and what it calls of your code: where its numbers come from.

A replay runs none of fn's Python, so every Python number fn used is in the program as it was
(guards.py checks them again before each replay). To find them, fn's code is read: the globals it
loads, its closure's variables, the attributes of `self` a method reads, and then the same in the
functions of your own code it calls by name (a helper, a model's forward, a loss object's
__call__, `utils.reg(model)` in another file). micrograd_edu's own functions and libraries' are
not followed: they read no number of yours that a step may change.
"""

from __future__ import annotations

import dis
import sysconfig
import types
from collections.abc import Callable
from typing import Any, TypeGuard

from micrograd_edu import nn


def reachable(fn: Callable) -> dict[str, Any]:
    """What fn reads by name: the globals its code names and its closure (a module: itself)."""
    if isinstance(fn, nn.Module):
        return {"": fn}
    found = {name: value_at(container, name) for container, name in bindings(fn)}
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, nn.Module):  # a module's own method (model.compile() compiles _call_impl)
        found["self"] = owner
    return {name: obj for name, obj in found.items() if obj is not None}


def bindings(fn: Callable, seen: set | None = None) -> list[tuple[Any, str]]:
    """Where the names fn reads live: (its globals, name) for each global its code reads (in its
    lambdas and comprehensions too), (cell, name) for each variable of its closure, (its object's
    attributes, name) for each `self.name` a method reads; and the same for the functions of your
    own code it calls by name (a helper, `utils.reg(model)`, `self.helper()`), so a number they read
    is followed too (not micrograd_edu's, nor a library's)."""
    owner = getattr(fn, "__self__", None)  # a bound method: its object's attributes (self.model)
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    seen = seen if seen is not None else set()
    seen.add(code)
    read, used = _names(code)
    attributes = [(vars(owner), n) for n in used if n in vars(owner)] if hasattr(owner, "__dict__") else []
    cells = getattr(fn, "__closure__", None) or ()
    module = fn.__globals__  # type: ignore[attr-defined]
    found = attributes + [(module, n) for n in read] + list(zip(cells, code.co_freevars))
    named = [module.get(n) for n in read] + [value_at(cell, None) for cell in cells]
    called = named + [getattr(type(owner), n, None) for n in used if owner is not None]  # self.helper()
    for imported in (m for m in named if isinstance(m, types.ModuleType)):
        called += [getattr(imported, n, None) for n in used]  # utils.reg(model): utils's reg
    for helper in called:
        if your_code(helper) and helper.__code__ not in seen:
            found += bindings(helper, seen)
    return found


def your_code(f: Any) -> TypeGuard[types.FunctionType]:
    """Whether f is a Python function of the user's code: not micrograd_edu's, not a library's."""
    if not isinstance(f, types.FunctionType):
        return False
    path = f.__code__.co_filename
    return not (f.__module__ or "").startswith("micrograd_edu") and not path.startswith(_LIBRARIES)


_LIBRARIES = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def _names(code: types.CodeType) -> tuple[list[str], list[str]]:
    """The globals a function's code reads (not an attribute of the same name: `opt.step()` reads
    no global `step`), and every name it uses, attributes too (`self.model`, `utils.reg`)."""
    read: list[str] = []
    used: list[str] = []
    for c in _codes(code):
        used += c.co_names
        read += [i.argval for i in dis.get_instructions(c) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
    return list(dict.fromkeys(read)), list(dict.fromkeys(used))


def _codes(code: types.CodeType) -> list[types.CodeType]:
    """A function's code and the code of the lambdas and comprehensions inside it."""
    inner = [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return [code, *(d for c in inner for d in _codes(c))]


def value_at(container: Any, name: str | None) -> Any:
    """What a name holds now: a key of a dict (globals, a module's parameters), or a closure cell."""
    if isinstance(container, dict):
        return container.get(name)
    try:
        return container.cell_contents
    except ValueError:  # a cell not filled yet
        return None


def methods_of(obj: Any) -> list:
    """The functions of your own code on obj's class (a model's forward, a loss object's __call__)."""
    if obj is None or isinstance(obj, (type, types.FunctionType, types.ModuleType)):
        return []
    return [f for k in type(obj).__mro__ for f in vars(k).values() if your_code(f)]
