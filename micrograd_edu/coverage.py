"""What micrograd_edu covers of PyTorch's API, and the error a user gets for what it does not.

PyTorch's public names, namespace by namespace, are stored in `pytorch_api.json` (written by
`docs/make_pytorch_coverage.py --names` from PyTorch 2.13). A name micrograd_edu does not have
raises an AttributeError that says whether PyTorch has it (then: not covered here, and where
the list is) or not (then: the closest name that exists). `page()` is the coverage page,
docs/pytorch.md; `python -m micrograd_edu.coverage` prints it.
"""

from __future__ import annotations

import difflib
import importlib
import json
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

API_FILE = Path(__file__).with_name("pytorch_api.json")
WHERE = "docs/pytorch.md (python -m micrograd_edu.coverage prints it)"

NAMESPACES = {  # PyTorch's namespace -> micrograd_edu's
    "torch": "micrograd_edu",
    "torch.Tensor": "micrograd_edu.Tensor",
    "torch.nn": "micrograd_edu.nn",
    "torch.nn.functional": "micrograd_edu.nn.functional",
    "torch.nn.init": "micrograd_edu.nn.init",
    "torch.nn.utils": "micrograd_edu.nn.utils",
    "torch.optim": "micrograd_edu.optim",
    "torch.optim.lr_scheduler": "micrograd_edu.optim.lr_scheduler",
    "torch.utils.data": "micrograd_edu.utils.data",
    "torch.autograd": "micrograd_edu.autograd",
    "torch.cuda": "micrograd_edu.cuda",
}

DIFFERENCES = [
    "The default dtype is float64 (PyTorch's is float32): the python backend's Values are Python "
    "floats, and gradients checked by hand come out exact. float32 is there when asked for "
    "(`dtype=torch.float32`, `.float()`), on both backends, and prints and computes as float32; "
    "`torch.set_default_dtype(torch.float32)` makes it the default.",
    "Ops on two dtypes promote as PyTorch's do, and matmul (and Linear) promote too where PyTorch "
    "refuses two dtypes: with float64 the default, float32 data meets float64 weights more often.",
    "The CPU is the only device: `torch.device('cpu')`, `.to('cpu')` and `torch.cuda.is_available()` "
    "(False) work; asking for a GPU is a clear error.",
    "`log` of a number <= 0, `sqrt` of a negative, division by zero and an overflowing `exp` raise an "
    "error naming the value (PyTorch gives inf or nan).",
    "Composite ops record the ops they are made of: softmax's grad_fn is DivBackward0, not "
    "SoftmaxBackward0; the numbers and gradients are PyTorch's.",
    "`a // b` has gradient 0 (PyTorch refuses a backward through floor_divide).",
    "torch.save and torch.load write and read JSON, never pickle; saving a Module saves its state_dict.",
    "On the numpy backend, `torch.from_numpy(a)` and `t.numpy()` share memory as in PyTorch; on the "
    "python backend (a tensor is a list of Values) they copy the numbers, and `torch.as_tensor` "
    "always copies.",
]


@cache
def pytorch_names() -> dict[str, frozenset[str]]:
    """PyTorch 2.13's public names in each namespace of NAMESPACES."""
    doc = json.loads(API_FILE.read_text(encoding="utf-8"))
    return {namespace: frozenset(names) for namespace, names in doc["names"].items()}


def not_covered(namespace: str, name: str, ours: Any) -> AttributeError:
    """The AttributeError for `name` missing from micrograd_edu's `ours` (PyTorch's `namespace`)."""
    what = f"'{ours.__name__}' object" if isinstance(ours, type) else f"module '{ours.__name__}'"
    message = f"{what} has no attribute '{name}'"
    if name in pytorch_names().get(namespace, ()):
        message += (
            f": PyTorch's {namespace}.{name} is not covered by micrograd_edu yet. What is covered, and how "
            f"it differs from PyTorch: {WHERE}"
        )
    else:
        near = difflib.get_close_matches(name, [n for n in dir(ours) if not n.startswith("_")], n=1)
        if near:
            message += f" (did you mean '{near[0]}'?)"
    return AttributeError(message)


def module_getattr(namespace: str, module: str) -> Callable[[str], Any]:
    """A module's `__getattr__` (called for the names it lacks): the not-covered error."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):  # Python's own questions (__path__, __wrapped__): a plain no
            raise AttributeError(f"module '{module}' has no attribute '{name}'")
        raise not_covered(namespace, name, sys.modules[module])

    return __getattr__


def ours(namespace: str) -> Any:
    """micrograd_edu's module (or class) for PyTorch's `namespace`, or None if it has none."""
    path = NAMESPACES[namespace]
    try:
        return importlib.import_module(path)
    except ImportError:  # a class (micrograd_edu.Tensor), or a module not written yet
        parent, _, attribute = path.rpartition(".")
        try:
            return getattr(importlib.import_module(parent), attribute, None)
        except ImportError:
            return None


def covered(namespace: str) -> tuple[list[str], list[str]]:
    """PyTorch's names in `namespace` that micrograd_edu has, and those it has not."""
    mine = ours(namespace)
    names = sorted(pytorch_names()[namespace])
    have = [n for n in names if mine is not None and _has(mine, n)]
    return have, [n for n in names if n not in set(have)]


def _has(obj: Any, name: str) -> bool:
    try:
        getattr(obj, name)
    except AttributeError:
        return False
    return True


def page() -> str:
    """The coverage page: the differences on purpose, then every namespace's names, covered or not."""
    version = json.loads(API_FILE.read_text(encoding="utf-8"))["torch_version"]
    lines = [
        f"# micrograd_edu and PyTorch {version}",
        "",
        "What `import micrograd_edu as torch` gives of PyTorch's API: every public name of PyTorch "
        f"{version}, namespace by namespace, covered or not. A name that is not covered raises an "
        "AttributeError that names it and points here. This page is generated "
        "(`python docs/make_pytorch_coverage.py`) and a test checks it is up to date.",
        "",
        "Covered means micrograd_edu has the name, with PyTorch's signature and defaults, on both "
        "tensor backends, checked against numbers PyTorch computed (tests/fixtures); where it "
        "differs on purpose, it is said below.",
        "",
        "## Differences on purpose",
        "",
        *[f"- {d}" for d in DIFFERENCES],
        "",
        "## In numbers",
        "",
        "| PyTorch | micrograd_edu | covered |",
        "|---|---|---|",
    ]
    parts = {namespace: covered(namespace) for namespace in NAMESPACES}
    for namespace, (have, missing) in parts.items():
        lines.append(
            f"| `{namespace}` | `{NAMESPACES[namespace]}` | {len(have)} of {len(have) + len(missing)} |"
        )
    for namespace, (have, missing) in parts.items():
        lines += ["", f"## {namespace}", ""]
        lines += [f"Covered ({len(have)}): " + (", ".join(f"`{n}`" for n in have) or "none"), ""]
        lines += [f"Not covered ({len(missing)}): " + (", ".join(f"`{n}`" for n in missing) or "none")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(page(), end="")
