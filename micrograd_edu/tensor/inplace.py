"""In-place ops: change a tensor's numbers where they are, outside the graph (a Tensor mixin).

An optimizer moves weights this way (`p.add_(g, alpha=-lr)` inside `no_grad()`), so the
same tensors, and on the python backend the same Values, carry on into the next step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from micrograd_edu.engine import as_float
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor.shape import Shape

if TYPE_CHECKING:
    from micrograd_edu.tensor.backend import Backend
    from micrograd_edu.tensor.tensor import Tensor


class InPlace:
    """Tensor's in-place ops; mixed into Tensor (`tensor.py`), whose attributes they use."""

    __slots__ = ()
    if TYPE_CHECKING:
        shape: Shape
        _data: Any
        _backend: Backend
        requires_grad: bool

        def numel(self) -> int: ...
        def _new(self, flat: list[float], shape: Shape) -> Tensor: ...
        def _operand(self, other: Any, op: str) -> Tensor: ...

    def copy_(self, src: Any) -> Tensor:
        """Overwrite this tensor's numbers in place with src's (same shape), outside the graph."""
        self._backend.assign(self._data, self._in_place_operand(src, "copy_")._data)
        return self  # type: ignore[return-value]

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self += alpha * other, in place and outside the graph: how an optimizer moves a weight."""
        operand = self._in_place_operand(other, "add_")
        self._backend.add_scaled(self._data, operand._data, as_float(alpha, "add_"))
        return self  # type: ignore[return-value]

    def mul_(self, factor: float) -> Tensor:
        """self *= factor, in place and outside the graph."""
        self._check_in_place("mul_")
        self._backend.scale(self._data, as_float(factor, "mul_"))
        return self  # type: ignore[return-value]

    def zero_(self) -> Tensor:
        return self.copy_(self._new([0.0] * self.numel(), self.shape))

    def _in_place_operand(self, src: Any, op: str) -> Tensor:
        """What an in-place op reads: a tensor (or numbers) of this tensor's shape."""
        self._check_in_place(op)
        operand = self._operand(src, op)
        if operand.shape != self.shape:
            raise ValueError(
                f"{op}: cannot use a tensor of shape {operand.shape} on one of shape {self.shape}"
            )
        return operand

    def _check_in_place(self, op: str) -> None:
        if self.requires_grad and grad_mode.enabled:
            raise RuntimeError(
                f"{op}() would change a tensor that requires grad while the graph is being recorded, "
                "which would corrupt its gradients. Do it inside `with torch.no_grad():`, as an "
                "optimizer does, or through `.data`."
            )
