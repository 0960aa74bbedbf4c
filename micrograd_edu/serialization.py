"""Saving and loading as JSON: readable, diffable, and never pickle (loading a file runs no code
from it).

    micrograd_edu.save(model.state_dict(), "model.json")      # or save(model, ...): its weights
    model.load_state_dict(micrograd_edu.load("model.json"))

    micrograd_edu.save({"epoch": 5, "model": model.state_dict(),     # a checkpoint, as PyTorch's
                        "optimizer": optimizer.state_dict(), "loss": 0.25}, "checkpoint.json")

A state_dict (names to tensors) is written a line a tensor. Anything else made of dicts,
lists, tuples, numbers, strings, None and tensors (a checkpoint, an optimizer's state_dict)
is written as that structure, a line a top-level entry, a tensor as {"tensor": {...}}.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from micrograd_edu.files import write_atomically
from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor, dtypes, tensor
from micrograd_edu.tensor.shape import flatten_nested

FORMAT = "micrograd_edu.state_dict"  # names to tensors
CHECKPOINT = "micrograd_edu.checkpoint"  # any structure of them


def save(obj: Any, f: str | os.PathLike, **_: Any) -> None:
    """Write a model's weights, a state_dict or a checkpoint to the file `f`, all or nothing."""
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if isinstance(state, dict) and state and all(isinstance(t, Tensor) for t in state.values()):
        entries = [f"  {json.dumps(str(k))}: {json.dumps(_tensor_entry(t))}" for k, t in state.items()]
        head = f'{{"format": "{FORMAT}", "version": 1, "tensors": {{\n'
        write_atomically(f, head + ",\n".join(entries) + "\n}}\n")  # a line a tensor
        return
    encoded = _encoded(state, "obj")
    if isinstance(encoded, dict) and encoded:
        body = "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in encoded.items()) + "\n}"
    else:
        body = json.dumps(encoded)
    write_atomically(f, f'{{"format": "{CHECKPOINT}", "version": 1, "object": {body}}}\n')


def load(
    f: str | os.PathLike, map_location: Any = None, backend: str | None = None, weights_only: Any = None
) -> Any:
    """Read what `save()` wrote, every entry checked: a state_dict of tensors, or the checkpoint's
    structure with its tensors (on `backend`, else the default one; `map_location` may only be the
    CPU, the one device here)."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise RuntimeError(f"load: map_location={map_location!r}, but micrograd_edu has only the CPU")
    try:
        doc = json.loads(Path(f).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{f} is not a micrograd_edu weights file: it is not valid JSON ({e})") from None
    if isinstance(doc, dict) and doc.get("format") == CHECKPOINT and "object" in doc:
        return _decoded(doc["object"], f, "the file", backend)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tensors"), dict):
        raise ValueError(
            f'{f} is not a micrograd_edu weights file: it lacks "format": "{FORMAT}" and "tensors"'
        )
    return {name: _tensor_of(entry, f, repr(name), backend) for name, entry in doc["tensors"].items()}


def _tensor_entry(t: Tensor) -> dict:
    entry: dict[str, Any] = {"shape": list(t.shape)}
    if t.dtype is not dtypes.float64:
        entry["dtype"] = t.dtype.name
    entry["data"] = t.tolist()
    return entry


def _tensor_of(entry: Any, f: Any, where: str, backend: str | None) -> Tensor:
    try:
        _, shape = flatten_nested(entry["data"])
        if list(shape) != entry["shape"]:
            raise ValueError(f"it says shape {entry['shape']} but its data has shape {list(shape)}")
        d = dtypes.as_dtype(entry.get("dtype", "float64"), "load")
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{f}: the entry {where} is damaged: {e}") from None
    return tensor(entry["data"], dtype=d, backend=backend)


def _encoded(x: Any, where: str) -> Any:
    """x as JSON: a tensor as {"tensor": ...}, a tuple as {"tuple": [...]}, a dict with keys that
    are not all strings as {"items": [[key, value], ...]}; an unknown object refused by name."""
    if isinstance(x, Tensor):
        return {"tensor": _tensor_entry(x)}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, (list, tuple)):
        items = [_encoded(v, f"{where}[{i}]") for i, v in enumerate(x)]
        return items if isinstance(x, list) else {"tuple": items}
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x) and not set(x) & {"tensor", "tuple", "items"}:
            return {k: _encoded(v, f"{where}[{k!r}]") for k, v in x.items()}
        return {"items": [[_encoded(k, where), _encoded(v, f"{where}[{k!r}]")] for k, v in x.items()]}
    hint = f": save {where}.state_dict()" if hasattr(x, "state_dict") else ""
    raise TypeError(
        f"save() writes tensors, numbers, strings, None, and lists, tuples and dicts of them; "
        f"{where} is a {type(x).__name__}{hint}"
    )


def _decoded(x: Any, f: Any, where: str, backend: str | None) -> Any:
    if isinstance(x, list):
        return [_decoded(v, f, f"{where}[{i}]", backend) for i, v in enumerate(x)]
    if not isinstance(x, dict):
        return x
    if set(x) == {"tensor"}:
        return _tensor_of(x["tensor"], f, where, backend)
    if set(x) == {"tuple"}:
        return tuple(_decoded(x["tuple"], f, where, backend))
    if set(x) == {"items"}:
        return {
            _decoded(k, f, where, backend): _decoded(v, f, f"{where}[{k!r}]", backend) for k, v in x["items"]
        }
    return {k: _decoded(v, f, f"{where}[{k!r}]", backend) for k, v in x.items()}
