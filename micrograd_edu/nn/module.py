"""Module and Parameter: how a model keeps track of its weights, as in PyTorch.

Assigning a `Parameter` or a `Module` to an attribute registers it, so `parameters()`
finds every weight of a model without the model listing them.
"""

from __future__ import annotations

from collections.abc import Iterator

from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a model's weight: a leaf that requires grad.

    >>> from micrograd_edu import tensor
    >>> Parameter(tensor([0.5, -0.5]))
    Parameter containing:
    tensor([ 0.5000, -0.5000], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Tensor, requires_grad: bool = True) -> None:
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter wraps a tensor, got {type(data).__name__} {data!r}")
        super().__init__(data._data, data.shape, data._backend, requires_grad, dtype=data.dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """The base class of every layer and model: subclass it, assign layers in `__init__`
    (after `super().__init__()`), and write `forward`."""

    _parameters: dict[str, Parameter]  # set in __init__, past __setattr__'s registering
    _modules: dict[str, Module]
    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, (Parameter, Module)) and "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {type(value).__name__} to {name!r} before Module.__init__() runs: "
                "call super().__init__() first in your __init__"
            )
        if "_parameters" in self.__dict__:
            self._parameters.pop(name, None)
            self._modules.pop(name, None)
            if isinstance(value, Parameter):
                self._parameters[name] = value
            elif isinstance(value, Module):
                self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def __call__(self, *args, **kwargs):
        forward = getattr(self, "forward", None)
        if forward is None:
            raise TypeError(f"{type(self).__name__} has no forward(): define forward(self, x) in the class")
        return forward(*args, **kwargs)

    # ---- walking the model ----------------------------------------------------------------

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module inside it, depth first, in assignment order."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{k}" if name else k, m) for k, m in module._modules.items()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Each direct sub-module once, under the first name it was assigned to."""
        seen = set()
        for name, m in self._modules.items():
            if id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`fc1.weight`), in PyTorch's order, each once."""
        seen = set()
        for name, module in self.named_modules(prefix):
            for key, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{name}.{key}" if name else key), p

    def parameters(self) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters())

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    # ---- saving and loading weights ----------------------------------------------------------

    def state_dict(self) -> dict[str, Tensor]:
        """Each parameter's numbers under PyTorch's key names (`fc1.weight`, `fc1.bias`): copies
        (PyTorch's share the parameters' storage; a copy cannot change a model by accident)."""
        return {name: p.clone().detach() for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> None:
        """Copy weights in (tensors or nested lists), after checking every name and shape."""
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        if strict and missing:
            problems.append(f"missing keys: {', '.join(missing)}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {', '.join(unexpected)}")
        values = {}
        for name in own.keys() & state_dict.keys():
            value = state_dict[name]
            try:
                values[name] = value if isinstance(value, Tensor) else own[name].new_tensor(value)
            except (TypeError, ValueError) as e:
                problems.append(f"{name}: {e}")
                continue
            if values[name].shape != own[name].shape:
                problems.append(
                    f"size mismatch for {name}: the file has shape {tuple(values[name].shape)}, "
                    f"the model has {tuple(own[name].shape)}"
                )
        if problems:
            raise ValueError(
                f"cannot load this state_dict into {type(self).__name__}:\n  " + "\n  ".join(problems)
            )
        with no_grad():
            for name, value in values.items():
                own[name].copy_(value.tolist())

    # ---- printing --------------------------------------------------------------------------

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class Sequential(Module):
    """Modules applied one after the other: Sequential(Linear(2, 4), Sigmoid(), Linear(4, 1))."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes modules, argument {i} is {type(m).__name__} {m!r}")
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i: int | slice) -> Module:
        modules = list(self._modules.values())
        if isinstance(i, slice):
            return Sequential(*modules[i])
        if not -len(modules) <= i < len(modules):
            raise IndexError(f"index {i} is out of range for a Sequential of {len(modules)} modules")
        return modules[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())
