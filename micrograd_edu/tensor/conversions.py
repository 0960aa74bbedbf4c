"""A tensor as something else: Python numbers and lists, numpy arrays, another dtype, a
device; and what a tensor says about itself (its repr). A Tensor mixin."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.device import device, on_cpu
from micrograd_edu.tensor.dtypes import dtype
from micrograd_edu.tensor.dtypes import dtype as DType
from micrograd_edu.tensor.printing import format_tensor
from micrograd_edu.tensor.shape import Shape, nest

if TYPE_CHECKING:
    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor


class Conversions:
    """Tensor's conversions; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:  # the class that mixes this in declares the slots (mypy checks against them)
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        dtype: DType
        _data: Any
        _backend: Backend
        _prev: tuple
        requires_grad: builtins.bool

        def numel(self) -> int: ...
        def _floats(self) -> list[builtins.float]: ...
        def _new(self, flat: list[builtins.float], shape: Shape, dtype: DType | None = None) -> Tensor: ...
        def _cast(self, d: DType) -> Tensor: ...

        @property
        def grad_fn(self) -> Any: ...

    # ---- Python numbers and lists -------------------------------------------------------------

    def _python(self, x: builtins.float) -> builtins.float | builtins.int | builtins.bool:
        """An element as the Python number its dtype means."""
        kind = self.dtype.kind
        return x if kind == 2 else int(x) if kind == 1 else bool(x)

    def item(self) -> builtins.float | builtins.int | builtins.bool:
        """The one element, as a Python number (an int for an integer tensor, a bool for a bool one)."""
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar: item() needs a tensor "
                f"with one element, this one has shape {tuple(self.shape)} (sum or index it first)"
            )
        return self._python(self._floats()[0])

    def __format__(self, format_spec: str) -> str:
        """f"{loss:.4f}": a 0-d tensor formats as its number, as in PyTorch (f"{loss}" too); any
        other as its printout (a format spec for one is a TypeError, as for any Python object)."""
        if not self.shape:
            return format(self.item(), format_spec)
        return object.__format__(self, format_spec)

    def tolist(self) -> Any:
        """The elements as nested Python lists (numbers for a 0-d tensor)."""
        return nest([self._python(x) for x in self._floats()], self.shape)

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __int__(self) -> builtins.int:
        return int(self.item())

    def __index__(self) -> builtins.int:
        """An integer tensor of one element used as an index (`range(t)`, `lst[t]`), as in PyTorch."""
        if self.dtype.kind != 1 or self.numel() != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index, got "
                f"{self.dtype} of shape {tuple(self.shape)}"
            )
        return int(self.item())

    def __bool__(self) -> builtins.bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"the truth value of a tensor of shape {tuple(self.shape)} is ambiguous: use .any() or .all()"
            )
        return bool(self.item())

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """True if any element is nonzero (a 0-d bool tensor, as in PyTorch), or along `dim`."""
        if dim is None:
            return self._new([float(any(self._floats()))], (), dtypes.bool_)
        return (self != 0).sum(dim, keepdim) > 0  # type: ignore[attr-defined]

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """True if every element is nonzero (a 0-d bool tensor), or along `dim`."""
        if dim is None:
            return self._new([float(all(self._floats()))], (), dtypes.bool_)
        return (self == 0).sum(dim, keepdim) == 0  # type: ignore[attr-defined]

    # ---- numpy ------------------------------------------------------------------------------------

    def numpy(self, force: builtins.bool = False) -> Any:
        """The numbers as a numpy array of the tensor's dtype: on the numpy backend the tensor's
        own array, sharing its memory as in PyTorch; on the python backend a copy."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        import numpy as np

        if self._backend.name == "numpy" and str(getattr(self._data, "dtype", "")) == self.dtype.name:
            return self._data
        return np.array(self._floats(), dtype=np.dtype(self.dtype.name)).reshape(self.shape)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        """What np.asarray(t) and plt.plot(t) read: refused for a tensor that requires grad, as in PyTorch."""
        array = self.numpy()
        if dtype is not None:
            return array.astype(dtype, copy=bool(copy))
        return array.copy() if copy else array

    __array_priority__ = 1000  # numpy hands `array * tensor` and `np.float64(2) * tensor` to the tensor

    # ---- dtypes -------------------------------------------------------------------------------------

    def is_floating_point(self) -> builtins.bool:
        return self.dtype.is_floating_point

    def float(self) -> Tensor:
        """As float32 (PyTorch's `torch.float`)."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        """As int64: floats are cut toward zero."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """As int32: floats are cut toward zero."""
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """True where an element is nonzero."""
        return self.to(dtypes.bool_)

    def type(self, d: Any = None) -> Any:
        """Without an argument, the type's name ('torch.FloatTensor'); with a dtype, `to(dtype)`."""
        if d is None:
            names = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool"}
            return f"torch.{names[self.dtype.name]}Tensor"
        return self.to(dtypes.as_dtype(d, "type"))

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor as another dtype and/or on a device (only 'cpu' here), as in PyTorch:
        `to(torch.float32)`, `to('cpu')`, `to(device, dtype)`, `to(other_tensor)`. The same tensor
        when nothing changes; a recorded copy (ToCopyBackward0) between float dtypes."""
        target = self.dtype
        for arg in [*args, *kwargs.values()]:
            if isinstance(arg, dtype) or (
                isinstance(arg, str) and arg in {**dtypes.DTYPES, **dtypes.ALIASES}
            ):
                target = dtypes.as_dtype(arg, "to")
            elif hasattr(arg, "dtype") and hasattr(arg, "_backend"):
                target = arg.dtype
            elif isinstance(arg, (str, device)) or isinstance(arg, int) and not isinstance(arg, bool):
                on_cpu(arg, "to")
            elif isinstance(arg, bool) or arg is None:
                continue  # non_blocking=, copy=
            else:
                raise TypeError(f"to() takes a dtype, a device or a tensor, got {type(arg).__name__} {arg!r}")
        return self if target is self.dtype else self._cast(target)  # type: ignore[return-value]

    def cpu(self) -> Tensor:
        return self  # type: ignore[return-value]

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        on_cpu("cuda", "cuda()")
        return self  # type: ignore[return-value]  # (on_cpu raises)

    @property
    def device(self) -> device:
        return device("cpu")

    @property
    def is_cuda(self) -> builtins.bool:
        return False

    def element_size(self) -> builtins.int:
        return self.dtype.itemsize

    # ---- what it says about itself ----------------------------------------------------------------

    def __repr__(self) -> str:
        empty = self.numel() == 0
        text = "tensor(" + ("[]" if empty else format_tensor(self._floats(), self.shape, self.dtype))
        suffixes = [f"size={tuple(self.shape)}"] if empty and tuple(self.shape) != (0,) else []
        default = {dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_}
        if self.dtype not in default or (self.numel() == 0 and self.dtype is not dtypes.get_default_dtype()):
            suffixes.append(f"dtype={self.dtype!r}")
        if self._prev:
            suffixes.append(f"grad_fn=<{self._op}>")  # type: ignore[attr-defined]
        elif self.requires_grad:
            suffixes.append("requires_grad=True")
        line = len(text) - text.rfind("\n") + 1  # PyTorch's count of the last line's width
        for suffix in suffixes:  # each on the same line, or on a line of its own past 80 characters
            if line + len(suffix) + 2 > 80:
                text, line = text + ",\n       " + suffix, 7 + len(suffix)
            else:
                text, line = text + ", " + suffix, line + len(suffix) + 2
        return text + ")"


def cast_recorded(t: Any, target: dtype) -> bool:
    """Whether a cast to `target` is recorded (ToCopyBackward0): between floats, while recording."""
    return target.is_floating_point and t.requires_grad and grad_mode.enabled
