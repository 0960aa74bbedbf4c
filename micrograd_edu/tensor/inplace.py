"""In-place ops: change a tensor's numbers where they are, with PyTorch's rules (a Tensor mixin).

`add_ sub_ mul_ div_ copy_ zero_ fill_ clamp_`, `+= -= *= /=` and item assignment (`t[0] = 5`).

- Outside the graph (a tensor that needs no grad, or inside `no_grad()`, as an optimizer
  updates its weights) the numbers change where they are: views see the change, and the
  tensor's version counter goes up, so a graph that saved the old numbers refuses to
  backward through them (PyTorch's error) instead of giving a wrong gradient.
- On a leaf that requires grad while the graph is recorded: PyTorch's error.
- On a tensor computed by recorded ops (or changed by one that requires grad), the change is
  recorded too: the tensor carries on as the result of the op (`out += x` in a forward pass).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from micrograd_edu.engine import as_float
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.backward import VersionCounter, changed_in_place, clock
from micrograd_edu.tensor.generator import Generator, check_std, generator_for
from micrograd_edu.tensor.shape import Shape, indexed

if TYPE_CHECKING:
    from collections.abc import Callable

    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor


class InPlace:
    """Tensor's in-place ops; mixed into Tensor (`tensor.py`), whose attributes they use."""

    if not TYPE_CHECKING:  # the class that mixes this in declares the slots (mypy checks against them)
        __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        dtype: dtypes.dtype
        _data: Any
        _backend: Backend
        _prev: tuple
        _op: str
        _backward: Any
        _stamp: int
        _counter: VersionCounter | None
        requires_grad: bool

        def numel(self) -> int: ...
        def _new(self, flat: list[float], shape: Shape) -> Tensor: ...
        def _operand(self, other: Any, op: str) -> Tensor: ...
        def _wrapping(self, data: Any, requires_grad: bool = False) -> Tensor: ...
        def _carry_on_as(self, new: Tensor) -> None: ...
        def clamp(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def expand(self, *sizes: Any) -> Tensor: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self += alpha * other, in place: how an optimizer moves a weight (inside no_grad)."""
        a = alpha if type(alpha) is float else as_float(alpha, "add_")
        operand = self._operand(other, "add_")
        quiet = not self._recorded_by("add_()", operand)
        if (
            quiet and operand.shape == self.shape and self._updated_by_backend(operand.dtype)
        ):  # an optimizer's step
            self._backend.add_scaled(self._data, operand._data, a)
            changed_in_place(self, "add_()")  # type: ignore[arg-type]
            return self  # type: ignore[return-value]
        return self._in_place("add_", lambda old: old + operand * a if a != 1.0 else old + operand, operand)

    def sub_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self -= alpha * other, in place."""
        return self.add_(self._operand(other, "sub_"), -as_float(alpha, "sub_"))

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        number = isinstance(other, (int, float)) and not isinstance(other, bool)
        if number and self._updated_by_backend(self.dtype) and not self._recorded_by("mul_()"):
            self._backend.scale(self._data, float(other))  # the optimizer's case: a number
            changed_in_place(self, "mul_()")  # type: ignore[arg-type]
            return self  # type: ignore[return-value]
        operand = self._operand(other, "mul_")
        return self._in_place("mul_", lambda old: old * operand, operand)

    def _updated_by_backend(self, other: dtypes.dtype) -> bool:
        """Whether the backend's add_scaled or scale makes an update by a tensor of dtype `other`
        (an optimizer's): floats of one dtype; on the python backend float64 only (its Values
        compute in float64; a float32 update goes through the ops, which round as numpy does)."""
        if other != self.dtype or not self.dtype.is_floating_point:
            return False
        return self.dtype is dtypes.float64 or self._backend.name == "numpy"

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place."""
        operand = self._operand(other, "div_")
        return self._in_place("div_", lambda old: old / operand, operand)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Each element limited to [min, max], in place."""
        return self._in_place("clamp_", lambda old: old.clamp(min, max))

    def copy_(self, src: Any) -> Tensor:
        """Overwrite this tensor's numbers with src's (broadcast to this shape), in place."""
        operand = self._operand(src, "copy_")
        return self._in_place("copy_", lambda old: _replacing(old, operand), operand, exact=operand)

    def written_as_out(self, result: Any, op: str) -> Tensor:
        """`torch.mul(a, b, out=c)`: `result` written into this tensor, c, which is returned; c
        takes the result's shape if it has another (PyTorch resizes it, warning if c was not
        empty). Not recorded, as in PyTorch, which refuses out= where a gradient is wanted."""
        if not hasattr(result, "written_as_out"):  # not a tensor: max(x, dim) gives a pair
            raise TypeError(f"{op}(): out= is for a result that is a tensor, not a {type(result).__name__}")
        if result.requires_grad and grad_mode.enabled:
            raise RuntimeError(
                f"{op}(): functions with out=... arguments don't support automatic differentiation, but "
                "one of the arguments requires grad (write the result to a new tensor: c = torch."
                f"{op}(...), or compute it under torch.no_grad())"
            )
        if result.dtype.kind > self.dtype.kind:
            raise RuntimeError(
                f"result type {dtypes.scalar_type(result.dtype)} can't be cast to the desired output type "
                f"{dtypes.scalar_type(self.dtype)} ({op}(..., out=) of a {self.dtype!r} tensor)"
            )
        if result.shape == self.shape:
            return self.copy_(result)
        if self.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(self.shape)}, "
                f"which does not match the required output shape {list(result.shape)} ({op}(..., out=))",
                UserWarning,
                stacklevel=4,
            )
        self.data = result.detach().to(self.dtype)
        return self  # type: ignore[return-value]

    def fill_(self, value: float) -> Tensor:
        """Every element set to `value`, in place."""
        filled = self._new([as_float(value, "fill_")] * self.numel(), self.shape)
        return self._in_place("fill_", lambda old: _replacing(old, filled), exact=filled)

    def zero_(self) -> Tensor:
        """Every element set to 0, in place (as `optimizer.zero_grad(set_to_none=False)` does)."""
        return self.fill_(0.0)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Each element drawn from the normal distribution N(mean, std²), in place: PyTorch's draws
        after the same seed (`m.weight.data.normal_(0, 0.02)`, nn.init.normal_)."""
        rng = self._drawing("normal_", generator)
        check_std(std)
        numbers = rng.normals(self.numel(), mean, std, dtypes.drawn_as_float32(None, self.dtype))
        return self.copy_(self._new(numbers, self.shape))

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
        """Each element drawn uniformly from [from_, to), in place: PyTorch's draws after the same seed."""
        rng = self._drawing("uniform_", generator)
        if from_ > to:
            raise RuntimeError(
                f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
            )
        float32 = dtypes.drawn_as_float32(None, self.dtype)
        numbers = [rng.uniform(from_, to, float32) for _ in range(self.numel())]
        return self.copy_(self._new(numbers, self.shape))

    def _drawing(self, op: str, generator: Any) -> Generator:
        """The generator an in-place draw takes its numbers from (the default one unless given)."""
        if not self.dtype.is_floating_point:
            raise RuntimeError(f"\"{op}\" not implemented for '{self.dtype.name}': draw into a float tensor")
        return generator_for(generator, op)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __setitem__(self, key: Any, value: Any) -> None:
        """`t[0] = 5`, `t[:, 1] = 0`, `t[1:] = other`, `t[t < 0] = 0`: the selected elements
        replaced, in place."""
        sel_shape, positions, _ = indexed(self.shape, key)
        index = positions()
        operand = self._operand(value, "item assignment")
        expanded = _fitted(operand, sel_shape)
        if not self._recorded_by("item assignment", operand):
            self._backend.assign_at(self._data, index, expanded._data)
            changed_in_place(self, "item assignment")  # type: ignore[arg-type]
            return
        put = self._backend.put
        self._rebase(
            "item assignment",
            lambda old: old.recorded(
                "CopySlices", (old, expanded), self.shape, put, old._data, index, expanded._data
            ),
        )

    # ---- the rules -----------------------------------------------------------------------------

    def _recorded_by(self, op: str, *operands: Tensor) -> bool:
        """Whether this in-place op is recorded (True) or just writes (False); PyTorch's error for a
        leaf that requires grad while recording, and for an expanded view."""
        _writable(self, op)
        if not grad_mode.enabled:
            return False
        if self.requires_grad and not self._prev:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation: {op} would "
                "change a tensor that requires grad while the graph is being recorded, leaving no trace of "
                "it in the graph. Do it inside `with torch.no_grad():` (as an optimizer does), or compute a "
                "new tensor (w = w - 1)."
            )
        return self.requires_grad or any(t.requires_grad for t in operands)

    def _in_place(
        self,
        op: str,
        out_of_place: Callable[[Tensor], Tensor],
        *operands: Tensor,
        exact: Tensor | None = None,
    ) -> Tensor:
        """Write the op's result into this tensor, or record it (see the module docstring). `exact` is
        the result to write when it needs no arithmetic (copy_, fill_: nan * 0 would stay nan)."""
        if self._recorded_by(f"{op}()", *operands):
            self._rebase(f"{op}()", out_of_place)
            return self  # type: ignore[return-value]
        with no_grad():
            result = exact.expand(*self.shape) if exact is not None else out_of_place(self)  # type: ignore[arg-type]
        if result.shape != self.shape:
            raise RuntimeError(
                f"{op}(): the result has shape {tuple(result.shape)}, which cannot be written into a "
                f"tensor of shape {tuple(self.shape)} (an in-place op keeps the shape: broadcast the "
                "other operand to it)"
            )
        if exact is None and result.dtype.kind > self.dtype.kind:  # 1.5 added into an int64 tensor
            raise RuntimeError(
                f"result type {dtypes.scalar_type(result.dtype)} can't be cast to the desired output type "
                f"{dtypes.scalar_type(self.dtype)}: {op}() would cut the result down to this tensor's "
                f"{self.dtype!r}; compute a new tensor instead (t = t {_symbol(op)} ...)"
            )
        self._backend.assign(self._data, result._data)
        changed_in_place(self, f"{op}()")  # type: ignore[arg-type]
        return self  # type: ignore[return-value]

    def _rebase(self, op: str, out_of_place: Callable[[Tensor], Tensor]) -> None:
        """Record the op: this tensor carries on as its result, the old one hands over its graph."""
        if self._counter is not None and self._counter.views:
            raise RuntimeError(
                f"{op} on a tensor that has views (reshape, indexing, .T, .data or detach() of it), while "
                "the graph is being recorded: micrograd_edu records in-place ops only on tensors without "
                "views. Compute a new tensor instead (y = y + 1 rather than y += 1)."
            )
        old = self._wrapping(self._data, self.requires_grad)
        old._prev, old._op, old._backward, old._stamp = self._prev, self._op, self._backward, self._stamp
        changed_in_place(old, op)  # as PyTorch counts it: an op that saved the old result now refuses
        new = out_of_place(old)
        if new.shape != self.shape:
            raise RuntimeError(
                f"{op}: the result has shape {tuple(new.shape)}, not this tensor's {tuple(self.shape)}"
            )
        self._carry_on_as(new)
        self._counter = counter = VersionCounter()  # an op that used the old one refuses to backward
        counter.rebased, counter.op = clock.now, op


def _replacing(old: Tensor, value: Tensor) -> Tensor:
    """value (broadcast to old's shape) as a result recorded from old: old's gradient is 0 there."""
    everywhere = old._new([1.0] * old.numel(), old.shape, dtypes.bool_)
    return value.expand(*old.shape).where(everywhere, old)


def _fitted(value: Tensor, shape: Shape) -> Tensor:
    """The value broadcast to the shape it is written into, as item assignment does."""
    while value.dim() > len(shape) and value.shape[0] == 1:  # x[0] = ones(1, 3): leading 1s dropped
        value = value.squeeze(0)
    try:
        return value if value.shape == shape else value.expand(*shape)
    except (ValueError, RuntimeError):
        raise RuntimeError(
            f"item assignment: a value of shape {tuple(value.shape)} cannot be written into a selection of "
            f"shape {tuple(shape)}: each of the value's dims, counted from the last, must be 1 or the "
            "selection's (broadcasting), and it cannot have more dims than the selection"
        ) from None


def _symbol(op: str) -> str:
    return {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}.get(op, "op")


def _writable(t: Any, op: str) -> None:
    """PyTorch's refusal to write into an expand()ed view: an element of it stands for several."""
    if t._strided == "expanded":
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single "
            f"memory location. Please clone() the tensor before performing the operation. ({op} into an "
            "expand()ed view, whose elements each stand for several: clone() it, or write into the "
            "tensor it was expanded from)"
        )
