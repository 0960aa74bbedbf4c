"""compile(module): a Module around the original whose call is compiled, as PyTorch's OptimizedModule."""

from __future__ import annotations

from typing import Any

from micrograd_edu import nn


class OptimizedModule(nn.Module):
    """What `compile(model)` gives, as in PyTorch: a Module holding the original as `_orig_mod`
    (so its parameters and state_dict keys start with `_orig_mod.`), whose call is compiled.
    Attributes it does not have itself are the original's (`compiled.fc1`, `compiled.weight`).

    A model's forward alone builds the graph that `loss.backward()` walks later, and a replay
    builds none: so while its output needs a graph, the model runs eagerly (the same numbers, no
    speed-up), and replays under `no_grad()` (evaluation). Compile the whole training step to
    replay forward, backward and update together."""

    def __init__(self, mod: nn.Module, compiled: Any) -> None:
        super().__init__()
        self._orig_mod = mod
        self.forward = compiled  # as PyTorch's: the compiled call of the original (print it for counts)

    def __getattr__(self, name: str) -> Any:  # only for what normal lookup does not find
        if name in ("_orig_mod", "forward", "__setstate__", "__getstate__"):
            raise AttributeError(name)
        return getattr(self._orig_mod, name)
