"""Containers: modules that hold other modules, as PyTorch's do.

- `Sequential`: applied one after the other, `Sequential(Linear(2, 4), ReLU(), Linear(4, 1))`.
- `ModuleList`: a list of modules whose parameters the model finds (a plain list hides them).
- `ModuleDict`: the same, by name.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from micrograd_edu.nn.module import Module, printed, type_name


class Sequential(Module):
    """Modules applied one after the other: Sequential(Linear(2, 4), Sigmoid(), Linear(4, 1)),
    or Sequential(OrderedDict(fc=Linear(2, 4), act=Sigmoid())) to name them."""

    def __init__(self, *modules: Module | OrderedDict) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
            return
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"{type_name(m)} is not a Module subclass: Sequential takes modules, argument {i} is "
                    f"{type_name(m)} {m!r}"
                )
            self.add_module(str(i), m)

    def forward(self, input: Any) -> Any:
        for m in self._modules.values():
            input = m(input)  # type: ignore[misc]
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[_key_at(self, idx, type(self).__name__)]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(_key_at(self, idx, type(self).__name__), module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [_key_at(self, idx, "Sequential")]
        for key in keys:
            delattr(self, key)
        _renumber(self)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        for m in sequential:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        _insert(self, index, module)
        return self

    def pop(self, key: int) -> Module:
        module = self[key]
        del self[key]
        return module


class ModuleList(Module):
    """A list of modules, registered: `self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])`
    and `for layer in self.layers: x = layer(x)` in forward."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])  # type: ignore[arg-type]
        return self._modules[_key_at(self, idx, "ModuleList")]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(_key_at(self, idx, "ModuleList"), module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [_key_at(self, idx, "ModuleList")]
        for key in keys:
            delattr(self, key)
        _renumber(self)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend should be called with an iterable, but got {type_name(modules)}"
            )
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        _insert(self, index, module)

    def pop(self, key: int) -> Module:
        module = self[key]
        del self[key]
        return module

    def __repr__(self) -> str:
        """PyTorch's: a run of equal modules printed once, `(0-2): 3 x Linear(...)`."""
        texts = [repr(m) for m in self._modules.values()]
        lines, start = [], 0
        for i in range(1, len(texts) + 1):
            if i < len(texts) and texts[i] == texts[start]:
                continue
            count = i - start
            label = f"({start})" if count == 1 else f"({start}-{i - 1}): {count} x"
            lines.append(f"{label}: {texts[start]}" if count == 1 else f"{label} {texts[start]}")
            start = i
        return printed("ModuleList", "", [line.replace("\n", "\n  ") for line in lines])


class ModuleDict(Module):
    """Modules by name, registered: `nn.ModuleDict({"encoder": ..., "head": ...})`."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"{key} is not in this ModuleDict, which holds {list(self._modules)}")
        module = self._modules[key]
        assert module is not None
        return module

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        return self._modules.values()  # type: ignore[return-value]

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()  # type: ignore[return-value]

    def clear(self) -> None:
        for key in list(self._modules):
            delattr(self, key)

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        if isinstance(modules, Mapping):
            pairs = list(modules.items())
        elif isinstance(modules, Iterable) and not isinstance(modules, (str, Module)):
            pairs = list(modules)  # type: ignore[arg-type]
        else:
            raise TypeError(
                "ModuleDict.update should be called with an iterable of key/value pairs, but got "
                f"{type_name(modules)}"
            )
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"ModuleDict update sequence element #{i} should be a pair (name, module)")
            self.add_module(*pair)


def _key_at(container: Module, idx: Any, name: str) -> str:
    """The registered name of the module at position idx (negative counts from the end)."""
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(f"{name} indices must be integers or slices, not {type_name(idx)}") from None
    size = len(container._modules)
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of range for a {name} of {size} modules")
    return list(container._modules)[i % size]


def _renumber(container: Module) -> None:
    """After a deletion, the names go 0, 1, 2, ... again (PyTorch keeps them numbered)."""
    items = list(container._modules.items())
    if not all(k.isdigit() for k, _ in items):
        return
    for k, _ in items:
        object.__delattr__(container, k)
    container._modules.clear()
    for i, (_, m) in enumerate(items):
        container.add_module(str(i), m)


def _insert(container: Module, index: int, module: Module) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{type_name(module)} is not a Module subclass: got {module!r}, to insert at {index}")
    modules = list(container._modules.values())
    modules.insert(index, module)
    for k in list(container._modules):
        object.__delattr__(container, k)
    container._modules.clear()
    for i, m in enumerate(modules):
        container.add_module(str(i), m)
