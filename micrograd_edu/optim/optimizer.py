"""Optimizer: what every optimizer shares, as torch.optim.Optimizer has it.

An optimizer keeps `param_groups`, a list of dicts: each holds some tensors under "params"
and the settings they move by ("lr", "momentum", ...; a setting a group leaves out is the
optimizer's default). It keeps a `state` for each tensor (a momentum buffer, running
averages), made at the tensor's first step.

    optimizer = optim.SGD([{"params": model.fc1.parameters()},
                           {"params": model.fc2.parameters(), "lr": 0.01}], lr=0.1, momentum=0.9)
    for group in optimizer.param_groups:       # yours to edit between steps
        group["lr"] *= 0.5

`step()` moves every tensor that has a gradient, in place and outside the graph, by the rule
the optimizer writes in `update()`; `zero_grad()` clears the gradients for the next
backward(). `state_dict()` is the settings and the state with each tensor replaced by its
index (counted over the groups in order), as in PyTorch, and `load_state_dict()` puts a
copy of them back.
"""

from __future__ import annotations

import copy
import functools
import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

from micrograd_edu.grad_mode import enable_grad, no_grad
from micrograd_edu.tensor import Tensor

ParamsT: TypeAlias = "Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]"
EXAMPLE = "(model.parameters(), lr=0.1)"  # how an optimizer is called, for the messages


class Optimizer:
    """The base of every optimizer: parameter groups, state, step(), zero_grad(), state_dict().

    A new optimizer passes its settings as `defaults`, refuses bad ones in `check_options`
    and writes its rule for one tensor in `update`; or, as in PyTorch, writes its own step().
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        check_flags(type(self).__name__, defaults)
        self.check_options(defaults)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self.step_called = False  # a learning-rate scheduler checks that step() came first
        name = type(self).__name__
        groups = listed(params, name)
        if not groups:
            raise ValueError(
                f"optimizer got an empty parameter list: {name} needs the tensors it is to train, as in "
                f"{name}{EXAMPLE}. (A generator such as model.parameters() is empty once something has "
                "read it: call model.parameters() again for each optimizer.)"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """An optimizer's own step(), if it writes one, also notes that it was called (as this one does)."""
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls):
            cls.step = noting_the_call(vars(cls)["step"])  # type: ignore[method-assign]

    def check_options(self, options: dict[str, Any]) -> None:
        """Refuse a bad setting, of the constructor or of a parameter group (each optimizer says which)."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of tensors with settings of its own; a setting it leaves out is the default.

        >>> import micrograd_edu as torch
        >>> w, b = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
        >>> optimizer = torch.optim.SGD([w], lr=0.1)
        >>> optimizer.add_param_group({"params": b, "lr": 0.01})
        >>> [group["lr"] for group in optimizer.param_groups]
        [0.1, 0.01]
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"param_group must be a dict, but got {type(param_group)}: a parameter group is a dict such "
                "as {'params': model.fc2.parameters(), 'lr': 0.01} (and when the optimizer is given a list, "
                "either every item is a tensor or every item is such a dict)"
            )
        if "params" not in param_group:
            raise ValueError(
                f"a parameter group needs the key 'params', the tensors it holds, as in {{'params': "
                f"model.fc2.parameters(), 'lr': 0.01}}; this one has the keys {sorted(param_group)}"
            )
        given = param_group["params"]
        if isinstance(given, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead. (In a list each "
                "tensor keeps its place, its index in state_dict().)"
            )
        items = [given] if isinstance(given, Tensor) else listed(given, name)
        names = [
            item[0]
            for item in items
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
        ]
        if names:
            if len(names) != len(items):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are missing "
                    "(pass model.named_parameters() or model.parameters(), not a mix)"
                )
            param_group["param_names"] = names
            items = [item[1] for item in items]
        for i, p in enumerate(items):
            check_parameter(p, i, len(self.param_groups))
        param_group["params"] = items
        for key, default in self.defaults.items():
            param_group.setdefault(key, default)
        self.check_options(param_group)

        if len({id(p) for p in items}) != len(items):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will "
                "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information "
                "(each step would move such a tensor twice)",
                UserWarning,
                stacklevel=2,
            )
        for j, group in enumerate(self.param_groups):
            if ("param_names" in group) != ("param_names" in param_group):
                with_names = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {with_names} to the optimizer"
                )
            taken = {id(p) for p in group["params"]}
            for i, p in enumerate(items):
                if id(p) in taken:
                    raise ValueError(
                        "some parameters appear in more than one parameter group: the tensor of shape "
                        f"{tuple(p.shape)} at position {i} of the new group is already in group {j}. "
                        "Give each tensor one group (a group's settings then apply to all of it)."
                    )
        self.param_groups.append(param_group)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Move every tensor that has a gradient by the optimizer's rule, in place (the same tensors).

        `closure`, if given, recomputes the loss (with the graph recorded) and returns it; step()
        calls it first and returns what it returned.
        """
        self.step_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    state = self.state[p]
                    self.update(p, -p.grad if group.get("maximize") else p.grad, state, group)
                    if not state:  # nothing to remember (plain SGD): no entry, as in PyTorch
                        del self.state[p]
        return loss

    def update(self, p: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Move one tensor `p` against its gradient, in place: the rule of one optimizer.

        `state` is p's own dict, empty at its first step; `group` holds p's settings.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not say how to move a parameter: write its update(p, grad, "
            "state, group), or its own step()"
        )

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every gradient before the next backward(): set it to None, or else to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:  # a gradient made with create_graph=True
                        p.grad = p.grad.detach()
                    with no_grad():
                        p.grad.zero_()

    def state_dict(self) -> dict[str, Any]:
        """The settings and state as PyTorch lays them out, each tensor named by its index.

        {"state": {0: {"momentum_buffer": tensor(...)}, ...},
         "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, {"lr": 0.01, ..., "params": [2, 3]}]}

        The state's tensors are the optimizer's own (a step changes them), as in PyTorch.
        """
        index: dict[int, int] = {}  # id of a tensor -> its place, counted over the groups in order
        groups, start = [], 0
        for group in self.param_groups:
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            start += len(group["params"])
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)] if isinstance(p, Tensor) else p: dict(s) for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take the settings and state of `state_dict` (from state_dict(), of the same groups' sizes),
        copied, each tensor's state onto that tensor's backend."""
        check_optimizer_state_dict(state_dict)
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups: it has "
                f"{len(saved_groups)}, this optimizer has {len(self.param_groups)}"
            )
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                    f"group: group {i} holds {len(saved['params'])} in the state dict and "
                    f"{len(group['params'])} here"
                )
        params = {
            k: p
            for saved, group in zip(saved_groups, self.param_groups)
            for k, p in zip(saved["params"], group["params"])
        }
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, saved_state in state_dict["state"].items():
            if k in params:
                p = params[k]
                state[p] = {key: copied_onto(p, key, value, k) for key, value in saved_state.items()}
            else:
                state[k] = copy.deepcopy(saved_state)
        for saved, group in zip(saved_groups, self.param_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state, self.param_groups = state, saved_groups

    def __repr__(self) -> str:
        """Each group's settings, as PyTorch prints them."""
        blocks = [
            "\n".join(
                [f"Parameter Group {i}"] + [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
            )
            for i, group in enumerate(self.param_groups)
        ]
        return f"{type(self).__name__} (\n" + "\n\n".join(blocks) + "\n)"


def check_flags(name: str, options: dict[str, Any]) -> None:
    """The settings every PyTorch optimizer takes beside its own (they print in its repr):
    `maximize` climbs the gradient instead; `foreach` and `fused` choose how PyTorch's kernels
    loop, which gives the same numbers, so they are accepted and change nothing here;
    `differentiable` and `capturable` (for CUDA graphs) are refused if set."""
    for key in ("maximize", "differentiable", "capturable"):
        if key in options and not isinstance(options[key], bool):
            raise TypeError(f"{name}'s {key} must be True or False, got {key}={options[key]!r}")
    for key in ("foreach", "fused"):
        if options.get(key) is not None and not isinstance(options[key], bool):
            raise TypeError(f"{name}'s {key} must be None, True or False, got {key}={options[key]!r}")
    refused = {"differentiable": "step() here never records a graph", "capturable": "it is for CUDA"}
    for key, why in refused.items():
        if options.get(key):
            raise ValueError(f"{name}: {key}=True is not supported by micrograd_edu ({why}); leave it False")


def noting_the_call(step: Callable[..., Any]) -> Callable[..., Any]:
    """`step` that first notes it was called (`optimizer.step_called`), for the lr schedulers."""

    @functools.wraps(step)
    def noted(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        self.step_called = True
        return step(self, *args, **kwargs)

    return noted


# ---- what the optimizers are given, checked where it is given ----------------------------------------


def listed(params: Any, owner: str) -> list[Any]:
    """The parameters (or groups) an optimizer was given, as a list; the usual slips told plainly."""
    if isinstance(params, Tensor):
        raise TypeError(
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got a "
            f"Tensor: put it in a list, {owner}([w], lr=0.1)"
        )
    if isinstance(params, dict):
        raise TypeError(
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got a "
            f"dict: put the parameter group in a list, {owner}([{{'params': ...}}], lr=0.1)"
        )
    if callable(getattr(params, "parameters", None)):  # an nn.Module
        raise TypeError(
            f"{owner} got the model itself (a {type(params).__name__}): pass model.parameters(), the tensors "
            f"it trains, as in {owner}{EXAMPLE}"
        )
    if callable(params):
        called = getattr(params, "__name__", "it")
        raise TypeError(
            f"{owner} got the function {called} instead of the tensors it gives: call it, "
            f"{owner}(model.{called}(), lr=0.1) rather than {owner}(model.{called}, lr=0.1)"
        )
    if not isinstance(params, Iterable):
        raise TypeError(
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
            f"{type_name(params)}: pass model.parameters(), or a list of tensors, as in {owner}{EXAMPLE}"
        )
    return list(params)


def check_parameter(p: Any, i: int, group: int) -> None:
    """A parameter must be a tensor that is a leaf: the optimizer changes it where it is."""
    where = f"item {i} of parameter group {group}"
    if not isinstance(p, Tensor):
        model = callable(getattr(p, "parameters", None))
        raise TypeError(
            f"optimizer can only optimize Tensors, but one of the params is {type_name(p)} ({where}). "
            + (
                "Pass model.parameters(), not the model itself."
                if model
                else "Pass model.parameters(), or a list of tensors made with requires_grad=True."
            )
        )
    if not p.is_leaf:
        raise ValueError(
            f"can't optimize a non-leaf Tensor: {where}, {p!r}, was computed from other tensors, so a step "
            "could not change it for good. Optimize the leaves it came from (the tensors made with "
            "requires_grad=True, or model.parameters())."
        )


def check_optimizer_state_dict(state_dict: Any) -> None:
    """What load_state_dict() takes: a dict with "state" and "param_groups", as state_dict() gives."""
    if isinstance(state_dict, dict) and "state" in state_dict and "param_groups" in state_dict:
        return
    if (
        isinstance(state_dict, dict)
        and state_dict
        and all(isinstance(v, Tensor) for v in state_dict.values())
    ):
        raise ValueError(
            "load_state_dict() got a model's state_dict (names of weights, such as "
            f"{next(iter(state_dict))!r}): load it with model.load_state_dict(...); an optimizer takes "
            "what optimizer.state_dict() gave, a dict with 'state' and 'param_groups'"
        )
    found = sorted(state_dict) if isinstance(state_dict, dict) else type_name(state_dict)
    raise ValueError(
        "load_state_dict() takes what optimizer.state_dict() gave, a dict with 'state' and 'param_groups'; "
        f"got {found}"
    )


def copied_onto(p: Tensor, key: str, value: Any, index: Any) -> Any:
    """A saved piece of state, copied, a tensor onto p's backend: p's shape, or one number (a step)."""
    if not isinstance(value, Tensor):
        return copy.deepcopy(value)
    if value.shape != p.shape and value.numel() != 1:
        raise ValueError(
            f"loaded state dict does not fit: state[{index!r}][{key!r}] has shape {tuple(value.shape)}, but "
            f"the parameter {index!r} here has shape {tuple(p.shape)}. Was it saved from an optimizer of "
            "another model?"
        )
    return p.new_tensor(value.tolist())


def type_name(obj: object) -> str:
    """`float`, `micrograd_edu.nn.layers.Linear`: a type as PyTorch's messages name it."""
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def require_number(owner: str, name: str, value: Any) -> None:
    """A setting must be a number: `lr='0.1'` is refused here, by name, not deep inside step()."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return
    if isinstance(value, str) and _reads_as_a_number(value):
        hint = f": write {name}={value}, without the quotes"
    elif isinstance(value, Tensor):
        hint = f": pass {name}.item(), the number in it"
    else:
        hint = ""
    raise TypeError(f"{owner}'s {name} must be a number, got {name}={value!r} (a {type_name(value)}){hint}")


def require_at_least_zero(owner: str, name: str, value: Any, what: str) -> None:
    """PyTorch's check of a setting that must be >= 0 (`Invalid learning rate: -0.1`), and by name."""
    require_number(owner, name, value)
    if not value >= 0.0:  # nan fails too
        raise ValueError(f"Invalid {what}: {value} ({owner}'s {name} must be >= 0, got {name}={value})")


def _reads_as_a_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def lerp_(start: Tensor, end: Tensor, weight: float) -> Tensor:
    """start ← start + weight · (end - start), in place, rounded as PyTorch's lerp_ rounds it:
    from the nearer end (for weight >= 0.5, end - (1 - weight) · (end - start))."""
    if abs(weight) < 0.5:
        return start.add_(end - start, alpha=weight)
    return start.copy_(end - (end - start) * (1 - weight))
