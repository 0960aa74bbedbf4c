"""Saving and loading weights as JSON: readable, diffable, and never pickle (loading a
file runs no code from it).

    micrograd_edu.save(model, "model.json")
    model.load_state_dict(micrograd_edu.load("model.json"))
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from micrograd_edu.files import write_atomically
from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor, tensor
from micrograd_edu.tensor.shape import flatten_nested

FORMAT = "micrograd_edu.state_dict"


def save(obj: Module | dict[str, Tensor], path: str | os.PathLike) -> None:
    """Write a model's (or a state_dict's) weights to `path`, all or nothing."""
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, dict) or not all(isinstance(t, Tensor) for t in state.values()):
        raise TypeError(
            f"save() takes a Module or a dict of tensors (a state_dict), got {type(obj).__name__}"
        )
    entries = [
        f"  {json.dumps(k)}: {json.dumps({'shape': list(t.shape), 'data': t.tolist()})}"
        for k, t in state.items()
    ]
    text = (
        f'{{"format": "{FORMAT}", "version": 1, "tensors": {{\n' + ",\n".join(entries) + "\n}}\n"
    )  # a line a tensor
    write_atomically(path, text)


def load(path: str | os.PathLike, backend: str | None = None) -> dict[str, Tensor]:
    """Read weights saved by `save()` as a state_dict of tensors, checking every entry."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path} is not a micrograd_edu weights file: it is not valid JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tensors"), dict):
        raise ValueError(
            f'{path} is not a micrograd_edu weights file: it lacks "format": "{FORMAT}" and "tensors"'
        )
    state = {}
    for name, entry in doc["tensors"].items():
        try:
            _, shape = flatten_nested(entry["data"])
            if list(shape) != entry["shape"]:
                raise ValueError(f"it says shape {entry['shape']} but its data has shape {list(shape)}")
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{path}: the entry {name!r} is damaged: {e}") from None
        state[name] = tensor(entry["data"], backend=backend)
    return state
