"""Module and Parameter: how a model keeps track of its weights, as in PyTorch.

Assigning a `Parameter` or a `Module` to an attribute registers it, so `parameters()`
finds every weight of a model without the model listing them. A buffer (`register_buffer`)
is a tensor the model keeps but does not train, such as BatchNorm's running mean: it is
saved in the `state_dict` and converted by `.to()` with the parameters.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor, dtypes
from micrograd_edu.tensor.device import device as Device
from micrograd_edu.tensor.device import on_cpu


class Parameter(Tensor):
    """A tensor that is a model's weight: a leaf that requires grad (it shares `data`'s numbers).

    >>> from micrograd_edu import tensor
    >>> Parameter(tensor([0.5, -0.5]))
    Parameter containing:
    tensor([ 0.5000, -0.5000], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Tensor, requires_grad: bool = True) -> None:
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter wraps a tensor, got {type(data).__name__} {data!r}")
        if requires_grad and not data.is_floating_point():
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients: a Parameter of "
                f"{data.dtype!r} cannot be trained (make it from floats, or pass requires_grad=False)"
            )
        super().__init__(data._data, data.shape, data._backend, requires_grad, dtype=data.dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
"""What load_state_dict returns (PyTorch's `_IncompatibleKeys`): the names it did not find."""


class Module:
    """The base class of every layer and model: subclass it, assign layers in `__init__`
    (after `super().__init__()`), and write `forward`."""

    _parameters: dict[str, Parameter | None]  # set in __init__, past __setattr__'s registering
    _buffers: dict[str, Tensor | None]
    _non_persistent: set[str]  # buffers left out of the state_dict
    _modules: dict[str, Module | None]
    training: bool

    def __init__(self) -> None:
        for name, value in (("_parameters", {}), ("_buffers", {}), ("_non_persistent", set())):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ---- registering what is assigned -------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        registries = self.__dict__.get("_parameters"), self.__dict__.get("_modules")
        if isinstance(value, (Parameter, Module)) and registries[0] is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} to {name!r} before Module.__init__() runs: "
                "call super().__init__() first in your __init__"
            )
        if registries[0] is not None:
            if isinstance(value, Parameter):
                self._forget(name)
                self._parameters[name] = value
            elif isinstance(value, Module):
                self._forget(name)
                self._modules[name] = value
            elif name in self._parameters and value is not None:
                raise TypeError(
                    f"cannot assign '{type_name(value)}' as parameter '{name}' (torch.nn.Parameter or None "
                    f"expected): wrap it, self.{name} = nn.Parameter(...), or delete the parameter first"
                )
            elif name in self._modules and value is not None:
                raise TypeError(
                    f"cannot assign '{type_name(value)}' as child module '{name}' (torch.nn.Module or None "
                    "expected)"
                )
            elif name in self._buffers:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign '{type_name(value)}' as buffer '{name}' (torch.Tensor or None "
                        "expected)"
                    )
                self._buffers[name] = value
            elif name in self._parameters:
                self._parameters[name] = None
            elif name in self._modules:
                self._modules[name] = None
        object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent.discard(name)

    def __delattr__(self, name: str) -> None:
        if "_parameters" in self.__dict__:
            self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: a slot for one, such as a Linear's missing bias) by name."""
        self._check_name(name, "parameter", Parameter)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type_name(param)}' object to parameter '{name}' (torch.nn.Parameter "
                "or None "
                "required)"
            )
        self._forget(name)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Keep a tensor that is not trained (a running mean, a mask) with the model: moved by
        `.to()`, and saved in the `state_dict` unless `persistent=False`."""
        self._check_name(name, "buffer", Tensor)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type_name(tensor)}' object to buffer '{name}' (torch Tensor or None "
                "required): a buffer is a tensor the module keeps, such as torch.zeros(3)"
            )
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module by name: what assigning `self.name = module` does."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"{type_name(module)} is not a Module subclass: {name!r} must be a layer such as "
                f"nn.Linear(2, 3), got {module!r}"
            )
        self._check_name(name, "module", Module)
        self._forget(name)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_name(self, name: object, kind: str, registered: type) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {kind} before Module.__init__() call: call super().__init__()"
            )
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type_name(name)} {name!r}")
        if "." in name:
            raise KeyError(
                f'{kind} name can\'t contain ".", got: {name} (a dot joins the names of nested modules)'
            )
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string "": give it a name')
        taken = name in self.__dict__ and not (name in self._parameters or name in self._buffers)
        if taken and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        compiled = self.__dict__.get("_compiled_call_impl")  # set by model.compile()
        if compiled is not None:
            return compiled(*args, **kwargs)
        return self._call_impl(*args, **kwargs)

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        """The call itself: forward (what model.compile() compiles)."""
        forward = getattr(self, "forward", None)
        if forward is None:
            raise NotImplementedError(
                f'Module [{type(self).__name__}] is missing the required "forward" function: define '
                "forward(self, x) in the class"
            )
        return forward(*args, **kwargs)

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """Compile this module's calls in place, as PyTorch's `model.compile()`: `model(x)` then
        runs `compile()`'s replay, and the model stays itself (no `_orig_mod.` in its state_dict
        keys, as `model = torch.compile(model)` gives). The arguments are compile()'s."""
        from micrograd_edu.tracing import compile  # compile sits above nn: imported when called

        self.__dict__["_compiled_call_impl"] = compile(self._call_impl, *args, **kwargs)

    def __getstate__(self) -> dict:  # a copy or a pickle of the model leaves its compiled call out
        state = self.__dict__.copy()
        state.pop("_compiled_call_impl", None)
        return state

    # ---- walking the model ----------------------------------------------------------------

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every module inside it, depth first, in assignment order (each once,
        under the first name it was found by, unless remove_duplicate=False)."""
        seen = set() if memo is None else memo
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{k}" if name else k, m) for k, m in module._modules.items() if m is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Each direct sub-module once, under the first name it was assigned to."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def _named(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        """The tensors of one registry (_parameters or _buffers) of every module, with dotted names."""
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        seen = set()
        for name, module in modules:
            for key, t in getattr(module, registry).items():
                if t is None or (remove_duplicate and id(t) in seen):
                    continue
                seen.add(id(t))
                yield (f"{name}.{key}" if name else key), t

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`fc1.weight`), in PyTorch's order, each once."""
        return self._named("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name (`bn.running_mean`), each once."""
        return self._named("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path, `model.get_submodule("features.0")`."""
        module: Module = self
        for i, part in enumerate(target.split(".") if target else []):
            child = module._modules.get(part)
            if child is None:
                where = ".".join(target.split(".")[:i]) or "the model"
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}` (looked in {where})")
            module = child
        return module

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """fn(module) for every sub-module, children before their parent (as PyTorch does: a way to
        initialise every layer, `model.apply(init_weights)`); returns self."""
        order, stack = [], [(self, False)]
        while stack:  # children first: a module is done after all of its children
            module, children_done = stack.pop()
            if children_done:
                order.append(module)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        for module in order:
            fn(module)
        return self

    # ---- training state ----------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses the batch's statistics), or with False
        evaluation mode, for this module and every one inside it."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {type(mode).__name__} {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradients on or off for every parameter (freezing a layer: requires_grad_(False))."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # ---- dtypes and devices ------------------------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Every floating parameter and buffer (and gradient) as another dtype, `model.to(torch.float32)`,
        and/or on a device (only the CPU here: `model.to("cpu")`). The parameters stay the same
        objects, so an optimizer made before still holds them; returns self."""
        target = None
        for arg in [*args, *kwargs.values()]:
            if isinstance(arg, (dtypes.dtype, Tensor)):
                target = arg if isinstance(arg, dtypes.dtype) else arg.dtype
            elif isinstance(arg, (str, Device)) or (isinstance(arg, int) and not isinstance(arg, bool)):
                on_cpu(arg, "Module.to")
            elif not isinstance(arg, bool) and arg is not None:  # non_blocking=, memory_format=
                raise TypeError(
                    f"to() received an invalid combination of arguments: {type_name(arg)} {arg!r} is neither "
                    "a dtype nor a device (e.g. model.to(torch.float32) or model.to('cpu'))"
                )
        if target is None:
            return self
        if not target.is_floating_point:
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={target!r}"
            )
        for module in self.modules():
            for p in module._parameters.values():
                if p is not None and p.is_floating_point():
                    retype_in_place(p, target)
                    if p.grad is not None:
                        p.grad = p.grad.to(target)
            for name, b in module._buffers.items():
                if b is not None and b.is_floating_point():
                    module._buffers[name] = converted = b.to(target)
                    object.__setattr__(module, name, converted)
        return self

    def float(self) -> Module:
        """Every floating parameter and buffer as float32 (PyTorch's default dtype)."""
        return self.to(dtypes.float32)

    def double(self) -> Module:
        """Every floating parameter and buffer as float64."""
        return self.to(dtypes.float64)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        on_cpu("cuda", "Module.cuda()")
        return self

    # ---- saving and loading weights ----------------------------------------------------------

    def state_dict(self, destination: dict | None = None, prefix: str = "", keep_vars: bool = False) -> dict:
        """Each parameter's and persistent buffer's numbers under PyTorch's key names (`fc1.weight`,
        `bn.running_mean`), module by module. Copies (PyTorch's share the model's storage; a copy
        cannot change a model by accident), or with keep_vars=True the tensors themselves."""
        out: dict = {} if destination is None else destination
        for name, module in self.named_modules(prefix=prefix, remove_duplicate=False):
            dotted = f"{name}." if name else ""
            entries: list[tuple[str, Tensor | None]] = [*module._parameters.items()]
            entries += [(k, b) for k, b in module._buffers.items() if k not in module._non_persistent]
            for key, t in entries:
                if t is not None:
                    out[dotted + key] = t if keep_vars else t.detach().clone()
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> IncompatibleKeys:
        """Copy weights and buffers in (tensors or nested lists), after checking every name and shape;
        returns the missing and unexpected keys (strict=False lets them be)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict)}: load_state_dict takes what "
                "state_dict() (or torch.load of its file) gives"
            )
        if not isinstance(strict, bool):
            raise TypeError(f"load_state_dict(): strict must be True or False, got {strict!r}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        if strict and missing:
            problems.append(f"Missing key(s) in state_dict: {', '.join(missing)}")
        if strict and unexpected:
            problems.append(f"Unexpected key(s) in state_dict: {', '.join(unexpected)}")
        values = {}
        for name in [k for k in own if k in state_dict]:
            value = state_dict[name]
            try:
                values[name] = value if isinstance(value, Tensor) else own[name].new_tensor(value)
            except (TypeError, ValueError) as e:
                problems.append(f"{name}: {e}")
                continue
            if values[name].shape != own[name].shape:
                problems.append(
                    f"size mismatch for {name}: copying a param with shape {values[name].shape} from "
                    f"checkpoint, the shape in current model is {own[name].shape}"
                )
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n  " + "\n  ".join(problems)
            )
        with no_grad():
            for name, value in values.items():
                own[name].copy_(value.tolist())
        return IncompatibleKeys(missing, unexpected)

    # ---- printing --------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings printed between the parentheses: Linear(in_features=2, ...)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): {indented(repr(m))}" for name, m in self._modules.items()]
        return printed(type(self).__name__, self.extra_repr(), lines)


def printed(name: str, extra: str, lines: list[str]) -> str:
    """A module as PyTorch prints it: Name(settings), then one line per child, indented."""
    if not lines:
        return f"{name}({extra})"
    head = f"{name}({extra}" if "\n" not in extra else f"{name}(\n  {indented(extra)}"
    return head + "\n  " + "\n  ".join(lines) + "\n)"


def indented(text: str) -> str:
    return text.replace("\n", "\n  ")


def type_name(obj: object) -> str:
    """A value's type as PyTorch's messages name it: 'int', 'torch.DoubleTensor'."""
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__name__


def retype_in_place(t: Tensor, d: dtypes.dtype) -> None:
    """t's numbers as dtype `d`, the tensor staying the same object (PyTorch's `t.data = t.data.to(d)`)."""
    t.data = t.data.to(d)
