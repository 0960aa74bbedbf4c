"""Saving and loading as JSON: readable, diffable, and never pickle (loading a file runs no code
from it).

    micrograd_edu.save(model.state_dict(), "model.json")      # or save(model, ...): its weights
    model.load_state_dict(micrograd_edu.load("model.json"))

    micrograd_edu.save({"epoch": 5, "model": model.state_dict(),     # a checkpoint, as PyTorch's
                        "optimizer": optimizer.state_dict(), "loss": 0.25}, "checkpoint.json")

A state_dict (names to tensors) is written a line a tensor. Anything else made of dicts,
lists, tuples, numbers, strings, None and tensors (a checkpoint, an optimizer's state_dict)
is written as that structure, a line a top-level entry, a tensor as {"tensor": {...}}. What
comes back is what went in: a tensor of any shape (empty ones too) and dtype, a tuple as a
tuple, a dict's keys as they were (1 stays the int 1, (0, 1) a tuple), a tensor's
requires_grad.

`load` reads at most MAX_BYTES (say `max_bytes=` to read more), and says what a file is when
it is not one of these: empty, cut short, binary, a PyTorch checkpoint, nested too deep.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from typing import Any

from micrograd_edu.files import write_atomically
from micrograd_edu.nn.module import Module
from micrograd_edu.tensor import Tensor, dtypes, tensor
from micrograd_edu.tensor.shape import flatten_nested

FORMAT = "micrograd_edu.state_dict"  # names to tensors
CHECKPOINT = "micrograd_edu.checkpoint"  # any structure of them
VERSION = 1
MAX_BYTES = 256 * 2**20  # what load reads at most, unless told more: a 256 MB file holds ~13M numbers
MAX_DEPTH = 100  # lists, tuples and dicts inside one another, at most (a checkpoint has 3 or 4)
KEY_TYPES = "a str, int, float, bool, None, or a tuple of them"

PYTORCH_HINT = (
    "micrograd_edu reads the JSON files its own torch.save writes, not PyTorch's pickles. To bring "
    "PyTorch weights over, write them as lists in PyTorch: json.dump({k: v.tolist() for k, v in "
    "model.state_dict().items()}, open('weights.json', 'w')), then here: "
    "model.load_state_dict(json.load(open('weights.json')))"
)


def save(obj: Any, f: str | os.PathLike | io.IOBase, **_: Any) -> None:
    """Write a model's weights, a state_dict or a checkpoint to the file `f`, all or nothing
    (or to an open file object: anything with write(), text or binary)."""
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if (
        isinstance(state, dict)
        and state
        and all(isinstance(k, str) for k in state)
        and all(isinstance(t, Tensor) for t in state.values())
    ):
        entries = [f"  {json.dumps(k)}: {json.dumps(_tensor_entry(t))}" for k, t in state.items()]
        head = f'{{"format": "{FORMAT}", "version": {VERSION}, "tensors": {{\n'
        _write(f, head + ",\n".join(entries) + "\n}}\n")  # a line a tensor
        return
    encoded = _encoded(state, "obj", 0)
    if isinstance(encoded, dict) and encoded:
        body = "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in encoded.items()) + "\n}"
    else:
        body = json.dumps(encoded)
    _write(f, f'{{"format": "{CHECKPOINT}", "version": {VERSION}, "object": {body}}}\n')


def load(
    f: str | os.PathLike | io.IOBase,
    map_location: Any = None,
    backend: str | None = None,
    weights_only: Any = None,
    max_bytes: int | None = None,
) -> Any:
    """Read what `save()` wrote, every entry checked: a state_dict of tensors, or the checkpoint's
    structure with its tensors (on `backend`, else the default one; `map_location` may only be the
    CPU, the one device here). `f` is a file name or an open file object; at most `max_bytes`
    (default MAX_BYTES) are read."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise RuntimeError(f"load: map_location={map_location!r}, but micrograd_edu has only the CPU")
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"load: max_bytes must be a whole number of bytes >= 1, got {max_bytes!r}")
    raw, name = _read(f, limit)
    doc = _parsed(raw, name)
    if isinstance(doc, dict) and isinstance(doc.get("version"), int) and doc["version"] > VERSION:
        raise ValueError(
            f"{name} was written by a newer micrograd_edu (file version {doc['version']}; this one reads "
            f"version {VERSION}): upgrade micrograd_edu to read it"
        )
    if isinstance(doc, dict) and doc.get("format") == CHECKPOINT and "object" in doc:
        return _decoded(doc["object"], name, "the file", backend, 0)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tensors"), dict):
        raise ValueError(
            f'{name} is not a micrograd_edu weights file: it lacks "format": "{FORMAT}" and "tensors"'
        )
    return {key: _tensor_of(entry, name, repr(key), backend) for key, entry in doc["tensors"].items()}


# ---- the file ------------------------------------------------------------------------------------


def _write(f: Any, text: str) -> None:
    if isinstance(f, (str, os.PathLike)):
        write_atomically(f, text)
    elif hasattr(f, "write"):
        f.write(text if isinstance(f, io.TextIOBase) else text.encode())
    else:
        raise TypeError(
            f"save: f must be a file name (a str or a Path) or an open file, got {type(f).__name__} {f!r}"
        )


def _read(f: Any, limit: int) -> tuple[bytes | str, str]:
    """At most `limit` bytes of the file (one more, to tell that there is more), and its name for
    messages. Only a regular file is opened by name: a device or a pipe could go on forever."""
    too_big = (
        "{name} is larger than the {limit:,} bytes load reads at most{size}: if it is a file torch.save "
        "wrote, say how much to read, load(f, max_bytes=...), or raise "
        "micrograd_edu.serialization.MAX_BYTES"
    )
    if hasattr(f, "read"):
        name = str(getattr(f, "name", f"the {type(f).__name__}"))
        raw = f.read(limit + 1)
        if len(raw) > limit:
            raise ValueError(too_big.format(name=name, limit=limit, size=" and it is not all read yet"))
        return raw, name
    if not isinstance(f, (str, bytes, os.PathLike)):
        raise TypeError(
            f"load: f must be a file name (a str or a Path) or an open file, got {type(f).__name__} {f!r}"
        )
    name = os.fsdecode(f)
    info = os.stat(f)  # a missing file: FileNotFoundError, which names it
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{name} is a folder, not a file torch.save wrote: name the file in it")
    if not stat.S_ISREG(mode):
        kind = "a pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) else "not a regular file"
        raise ValueError(
            f"{name} is {kind}, not a file torch.save wrote: load reads files by name only when they are "
            "regular files (from a stream, pass an open file object: load(open(name, 'rb')))"
        )
    if info.st_size > limit:
        raise ValueError(too_big.format(name=name, limit=limit, size=f" (it is {info.st_size:,} bytes)"))
    with open(f, "rb") as file:
        raw = file.read(limit + 1)
    if len(raw) > limit:  # it grew while being opened
        raise ValueError(too_big.format(name=name, limit=limit, size=""))
    return raw, name


def _parsed(raw: bytes | str, name: str) -> Any:
    """The JSON document in the file, or an error that says what the file is instead."""
    if isinstance(raw, bytes):
        _refuse_other_formats(raw, name)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(
                f"{name} is not a micrograd_edu weights file: it is a binary file, not the JSON text that "
                "torch.save writes"
            ) from None
    else:
        text = raw
    if not text.strip():
        raise ValueError(
            f"{name} is empty, not a micrograd_edu weights file (was it cut short while it was written, "
            "or is it another file?)"
        )
    if "\x00" in text:
        raise ValueError(
            f"{name} is not a micrograd_edu weights file: it is a binary file, not the JSON text that "
            "torch.save writes"
        )
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(
            f"{name} is not a micrograd_edu weights file: its lists and dicts are nested too deep to read "
            f"(a file torch.save writes nests them at most {MAX_DEPTH} deep)"
        ) from None
    except json.JSONDecodeError as e:
        cut_short = e.pos >= len(text.rstrip()) - 1 and e.msg != "Extra data"  # "[1, 2." ends in a number
        if cut_short or e.msg.startswith("Unterminated string"):
            raise ValueError(
                f"{name} is not a micrograd_edu weights file: it is not valid JSON: it ends early (line "
                f"{e.lineno}, column {e.colno}), as a file cut short does (was it copied or saved only in "
                "part?)"
            ) from None
        raise ValueError(f"{name} is not a micrograd_edu weights file: it is not valid JSON ({e})") from None
    except ValueError as e:  # a number of thousands of digits, which Python will not read
        raise ValueError(f"{name} is not a micrograd_edu weights file: {e}") from None


def _refuse_other_formats(raw: bytes, name: str) -> None:
    """Say what a file is when its first bytes tell: PyTorch's checkpoints, pickles, numpy's, gzip."""
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                pytorch = any(n.endswith("data.pkl") for n in archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            pytorch = False
        if pytorch:
            problem = "a PyTorch checkpoint (a pickle in a zip archive, as PyTorch's torch.save writes): "
        else:
            problem = "a zip archive (PyTorch's torch.save writes its pickles in one): "
        problem += PYTORCH_HINT
    elif raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        problem = f"a Python pickle (as PyTorch's older torch.save and pickle.dump write): {PYTORCH_HINT}"
    elif raw.startswith(b"\x93NUMPY"):
        problem = "a numpy array file (np.save writes them): read it with numpy.load"
    elif raw.startswith(b"\x1f\x8b"):
        problem = "gzip-compressed: uncompress it first (gunzip), then load it"
    else:
        return
    raise ValueError(f"{name} is not a micrograd_edu weights file: it is {problem}")


# ---- tensors and structures ----------------------------------------------------------------------


def _tensor_entry(t: Tensor) -> dict:
    entry: dict[str, Any] = {"shape": list(t.shape)}
    if t.dtype is not dtypes.float64:
        entry["dtype"] = t.dtype.name
    if t.requires_grad:  # as PyTorch's pickles keep it (a state_dict's tensors never do)
        entry["requires_grad"] = True
    entry["data"] = t.tolist()
    return entry


def _tensor_of(entry: Any, f: Any, where: str, backend: str | None) -> Tensor:
    try:
        shape = entry["shape"]
        if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
            raise ValueError(f"its shape {shape!r} is not a list of sizes")
        items: list = []
        _, found = flatten_nested(entry["data"], items)
        # The data of an empty tensor stops at its first 0: zeros(2, 0, 3).tolist() is [[], []].
        written = shape[: shape.index(0) + 1] if 0 in shape else shape
        if list(found) != written:
            raise ValueError(f"it says shape {shape} but its data has shape {list(found)}")
        d = dtypes.as_dtype(entry.get("dtype", "float64"), "load")
        if not d.is_floating_point:
            _check_whole(items, d)
        requires_grad = entry.get("requires_grad", False)
        if not isinstance(requires_grad, bool):
            raise ValueError(f"its requires_grad is {requires_grad!r}, not true or false")
        if requires_grad and not d.is_floating_point:
            raise ValueError(
                f"it requires grad, which a tensor of {d.name} cannot (only floating point ones)"
            )
        t = tensor(entry["data"], dtype=d, backend=backend)
        t = t.reshape(shape) if 0 in shape else t
        return t.requires_grad_() if requires_grad else t
    except (KeyError, TypeError, ValueError, OverflowError, RuntimeError) as e:
        raise ValueError(f"{f}: the entry {where} is damaged: {e}") from None


def _check_whole(items: list, d: dtypes.dtype) -> None:
    """The numbers of a bool or integer tensor are bools, or whole numbers that its dtype holds."""
    if d.kind == 0:
        wrong = next((x for x in items if not isinstance(x, bool)), None)
        if wrong is not None:
            raise ValueError(f"its dtype is bool, but its data holds {wrong!r}")
        return
    low, high = -(2 ** (8 * d.itemsize - 1)), 2 ** (8 * d.itemsize - 1) - 1
    wrong = next(
        (x for x in items if isinstance(x, bool) or not isinstance(x, int) or not low <= x <= high), None
    )
    if wrong is not None:
        raise ValueError(
            f"its dtype is {d.name}, but its data holds {wrong!r}, not a whole number from {low} to {high}"
        )


def _encoded(x: Any, where: str, depth: int) -> Any:
    """x as JSON: a tensor as {"tensor": ...}, a tuple as {"tuple": [...]}, a dict with keys that
    are not all strings as {"items": [[key, value], ...]}; an unknown object refused by name."""
    if isinstance(x, Tensor):
        return {"tensor": _tensor_entry(x)}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if depth >= MAX_DEPTH and isinstance(x, (list, tuple, dict)):
        raise ValueError(
            f"save: obj is nested more than {MAX_DEPTH} lists, tuples and dicts deep (at "
            f"{where if len(where) < 60 else where[:56] + ' ...'}), more than a checkpoint needs or load "
            "reads back: flatten the structure"
        )
    if isinstance(x, (list, tuple)):
        items = [_encoded(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(x)]
        return items if isinstance(x, list) else {"tuple": items}
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x) and not set(x) & {"tensor", "tuple", "items"}:
            return {k: _encoded(v, f"{where}[{k!r}]", depth + 1) for k, v in x.items()}
        return {"items": [[_key(k, where), _encoded(v, f"{where}[{k!r}]", depth + 1)] for k, v in x.items()]}
    hint = f": save {where}.state_dict()" if hasattr(x, "state_dict") else ""
    raise TypeError(
        f"save() writes tensors, numbers, strings, None, and lists, tuples and dicts of them; "
        f"{where} is a {type(x).__name__}{hint}"
    )


def _key(k: Any, where: str) -> Any:
    """A dict's key as JSON, read back as the same key: a str, number, bool, None or tuple of them."""
    if k is None or isinstance(k, (bool, int, float, str)):
        return k
    if isinstance(k, tuple):
        return {"tuple": [_key(part, where) for part in k]}
    raise TypeError(
        f"save: {where} has a key {k!r} of type {type(k).__name__}; a key save() can write is {KEY_TYPES}"
    )


def _decoded(x: Any, f: Any, where: str, backend: str | None, depth: int) -> Any:
    if not isinstance(x, (list, dict)):
        return x
    if depth > MAX_DEPTH + 1:
        raise ValueError(
            f"{f}: {where} is nested more than {MAX_DEPTH} lists and dicts deep: not a file torch.save wrote"
        )
    if isinstance(x, list):
        return [_decoded(v, f, f"{where}[{i}]", backend, depth + 1) for i, v in enumerate(x)]
    if set(x) == {"tensor"}:
        return _tensor_of(x["tensor"], f, where, backend)
    if set(x) == {"tuple"}:
        if not isinstance(x["tuple"], list):
            raise ValueError(f"{f}: the entry {where} is damaged: a tuple's items must be a list")
        return tuple(_decoded(x["tuple"], f, where, backend, depth + 1))
    if set(x) == {"items"}:
        pairs = x["items"]
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise ValueError(f"{f}: the entry {where} is damaged: a dict's items must be [key, value] pairs")
        out = {}
        for k, v in pairs:
            key = _decoded(k, f, where, backend, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise ValueError(
                    f"{f}: the entry {where} is damaged: it has a key {key!r}, and a key is {KEY_TYPES}"
                ) from None
            out[key] = _decoded(v, f, f"{where}[{key!r}]", backend, depth + 1)
        return out
    return {k: _decoded(v, f, f"{where}[{k!r}]", backend, depth + 1) for k, v in x.items()}
