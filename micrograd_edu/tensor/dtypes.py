"""dtypes: what kind of number a tensor holds, and PyTorch's rules for mixing them.

`float64` (the default here; PyTorch's default is float32, see the README), `float32`,
`int64`, `int32` and `bool`, with PyTorch's aliases (`torch.float` is float32, `double`
float64, `long` int64, `int` int32). A tensor made from Python ints is int64, from bools
bool, from floats the default dtype, as in PyTorch.

Mixing kinds follows PyTorch's type promotion: bool < integers < floats; the higher kind
wins, and within a kind the wider type, except that a 0-d tensor or a Python number does
not widen a tensor of its own kind (`float32_tensor * 2.5` stays float32).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from typing import Any


class dtype:
    """One kind of number: `torch.float32`, `torch.int64`, ..."""

    __slots__ = ("name", "is_floating_point", "itemsize", "kind")

    def __init__(self, name: str, kind: int, itemsize: int) -> None:
        self.name, self.kind, self.itemsize = name, kind, itemsize  # kind: 0 bool, 1 integer, 2 float
        self.is_floating_point = kind == 2

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> tuple:  # copies and pickles are the same object
        return _named, (self.name,)


bool_ = dtype("bool", 0, 1)
int32 = dtype("int32", 1, 4)
int64 = dtype("int64", 1, 8)
float32 = dtype("float32", 2, 4)
float64 = dtype("float64", 2, 8)

DTYPES = {"bool": bool_, "int32": int32, "int64": int64, "float32": float32, "float64": float64}
ALIASES = {"float": float32, "double": float64, "long": int64, "int": int32}  # as in PyTorch


class _Default:
    dtype = float64
    chosen = False  # set_default_dtype was called: the default is the user's, not a stand-in


_default = _Default()


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats: float64 here (PyTorch's is float32)."""
    return _default.dtype


def set_default_dtype(d: dtype) -> None:
    """Make new float tensors (and parameters) of this floating dtype, as torch.set_default_dtype."""
    if d not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default.dtype, _default.chosen = d, True


def drawn_as_float32(requested: Any, d: dtype) -> bool:
    """Whether PyTorch would draw random numbers for a tensor of dtype `d` as float32: for
    float32, and for the default float64 standing in for PyTorch's default float32 (unless
    float64 was asked for by name, or made the default with set_default_dtype)."""
    return d is float32 or (d is float64 and requested is None and not _default.chosen)


def as_dtype(d: Any, op: str = "dtype") -> dtype:
    """A dtype given as a dtype (or the name of one: "float32"), or a TypeError saying which exist."""
    if isinstance(d, dtype):
        return d
    if isinstance(d, str) and (d in DTYPES or d in ALIASES):
        return DTYPES.get(d) or ALIASES[d]
    if d is float:
        return get_default_dtype()
    if d is int:
        return int64
    if d is bool:
        return bool_
    known = ", ".join(f"torch.{n}" for n in [*DTYPES, *ALIASES])
    raise TypeError(f"{op}: {d!r} is not a dtype micrograd_edu has (it has {known})")


def inferred(values: Iterable[Any]) -> dtype:
    """The dtype PyTorch gives a tensor of these Python numbers: bool, int64, or the default float."""
    kinds = {_kind_of(v) for v in values}
    if not kinds or 2 in kinds:
        return get_default_dtype()
    return int64 if 1 in kinds else bool_


def _kind_of(v: Any) -> int:
    """0 for a bool, 1 for an integer (Python's or numpy's), 2 for anything else."""
    if isinstance(v, bool) or getattr(getattr(v, "dtype", None), "kind", "") == "b":
        return 0
    return 1 if isinstance(v, int) or _is_integer_scalar(v) else 2


def _is_integer_scalar(v: Any) -> bool:
    """A numpy integer (or anything with an integer dtype kind), as PyTorch treats it."""
    kind = getattr(getattr(v, "dtype", None), "kind", "")
    return kind in ("i", "u")


def promote(a: dtype, b: dtype) -> dtype:
    """The dtype of an op on two tensors of these dtypes (of the same standing)."""
    if a is b:
        return a
    if a.kind != b.kind:
        return a if a.kind > b.kind else b
    return a if a.itemsize >= b.itemsize else b


def result_type(a: dtype, a_dims: bool, b: dtype, b_dims: bool) -> dtype:
    """PyTorch's promotion for two operands: a tensor with dimensions outranks a 0-d tensor (or a
    number) of the same kind, so `x * torch.tensor(2.0)` keeps x's float32."""
    if a_dims != b_dims and a.kind == b.kind:
        return a if a_dims else b
    return promote(a, b)


def floating(d: dtype) -> dtype:
    """d if it is a float, else the default float dtype: what exp, log, / give an integer tensor."""
    return d if d.kind == 2 else get_default_dtype()


def rounded(x: float, d: dtype) -> float:
    """x as the given dtype stores it (a float, as the python backend's Values hold it)."""
    if d is float64:
        return x
    if d is float32:
        return struct.unpack("f", struct.pack("f", x))[0]
    if d is bool_:
        return 1.0 if x else 0.0
    if not math.isfinite(x):
        return -9223372036854775808.0  # what PyTorch (and numpy) give for nan or inf as int64
    return float(int(x))  # toward zero, as PyTorch casts floats to integers


def of_array(data: Any) -> dtype | None:
    """A numpy array's (or numpy number's) dtype as ours; None for other data."""
    name = str(getattr(data, "dtype", ""))
    if not hasattr(data, "tolist") or not name:
        return None
    if name in DTYPES:
        return DTYPES[name]
    kind = getattr(data.dtype, "kind", "")
    return {"f": float64, "i": int64, "u": int64, "b": bool_}.get(kind)


def _named(name: str) -> dtype:
    return DTYPES[name]
