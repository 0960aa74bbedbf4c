"""The backend contract: what a tensor backend does, written down once, and which one is used.

A Tensor keeps its elements in a backend's own form (`Data`) and asks the backend for
the arithmetic; everything else (shapes, broadcasting, names, checks, the graph of
tensors) is the Tensor layer's, shared by both. Two backends implement this contract:

- `python_backend`: a tensor's data is a flat, row-major list of `Value`s. No op returns
  a backward function: the scalar engine records every element's graph itself.
- `numpy_backend`: a tensor's data is one float64 array. Each op is one node of the graph,
  with a backward function over whole arrays.

A flat list does not know its shape, so every op is told the shapes of its operands and
of its result; an array backend uses what it needs of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from micrograd_edu.tensor import dtypes, python_backend
from micrograd_edu.tensor.shape import Shape

if TYPE_CHECKING:
    from micrograd_edu.tensor.elementwise import Elementwise
    from micrograd_edu.tensor.tensor import Tensor

Data = Any  # a backend's store of a tensor's elements: list[Value], or a numpy array
Backward = Callable[..., tuple] | None
"""(g, inputs, output, parents) -> one gradient per parent (None may go to a parent that does not
require grad): how a numpy-backend node passes its gradient on. `inputs` and `output` are the
parents' and the node's data, or under create_graph the tensors themselves (so that the backward
pass is recorded). The python backend returns None: its Values do this themselves."""


class Backend(Protocol):
    """What a tensor backend offers. Ops return their result and its `Backward`."""

    name: str

    def from_floats(self, flat: list[float], shape: Shape, dtype: dtypes.dtype) -> Data:
        """A new store of these numbers, row-major, in `shape`, as `dtype` holds them."""

    def cast(self, data: Data, dtype: dtypes.dtype) -> Data:
        """An op's result as `dtype` (float32, an integer, bool): a new array, or its own fresh
        Values rounded in place."""

    def to_floats(self, data: Data) -> list[float]:
        """The numbers, row-major."""

    def outside(self, data: Data, low: float, high: float) -> list[float]:
        """The numbers not in [low, high], nan among them, row-major: what a range check reports
        (one call, so that a compiled step makes the check again where a read would be a guard)."""

    def elementwise(
        self, op: Elementwise, args: Sequence[Data], shapes: Sequence[Shape], shape: Shape, params: tuple
    ) -> tuple[Data, Backward]:
        """An op of the elementwise table on 1 or 2 operands, broadcast to `shape`; `params`
        are its constants (a power's exponent, clamp's bounds)."""

    def compare(self, op: str, a: Data, b: Data, a_shape: Shape, b_shape: Shape, shape: Shape) -> Data:
        """A bool tensor's store: True where `a op b` holds (op one of > < >= <= == != & | ^),
        broadcast; no graph."""

    def matmul(self, a: Data, b: Data, a_shape: Shape, b_shape: Shape) -> tuple[Data, Backward]:
        """(..., n, k) @ (..., k, m): a product of matrices for each of the broadcast batch dims."""

    def linear(self, x: Data, w: Data, b: Data | None, n: int, k: int, m: int) -> tuple[Data, Backward]:
        """x @ wᵀ + b, x of shape (n, k), w (m, k), b (m,) or None: PyTorch's addmm."""

    def reduce_sum(self, a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Backward]:
        """The sum over `dim` (over everything for None), laid out in `out_shape`."""

    def reduce_mean(self, a: Data, shape: Shape, dim: int | None, out_shape: Shape) -> tuple[Data, Backward]:
        """The mean over `dim` (over everything for None), laid out in `out_shape`."""

    def reduce_max(
        self, a: Data, shape: Shape, dim: int | None, out_shape: Shape
    ) -> tuple[Data, Data, Backward]:
        """The largest element over `dim` (the first on a tie), its position along `dim` (the
        flat position for None) as the data of an int64 tensor in `out_shape`, and the backward
        that routes the gradient to it. (Data, not a Python list: a compiled step replays it.)"""

    def cumsum(self, a: Data, shape: Shape, dim: int) -> tuple[Data, Backward]:
        """Running sums along `dim`."""

    def flip(self, a: Data, shape: Shape, dims: tuple[int, ...]) -> tuple[Data, Backward]:
        """The elements in reverse order along `dims`."""

    def cat(self, datas: Sequence[Data], shapes: Sequence[Shape], dim: int) -> tuple[Data, Backward]:
        """The operands joined along `dim` (each given in its shape: stack adds a size-1 dim)."""

    def gather_along(
        self, a: Data, index: Data, dim: int, a_shape: Shape, shape: Shape
    ) -> tuple[Data, Backward]:
        """torch.gather: out[..., i, ...] = a[..., index[..., i, ...], ...] along `dim`, for each
        position of `shape` (the index's; an int64 tensor's data, in range: checked before)."""

    def gather(self, a: Data, index: list[int], shape: Shape) -> tuple[Data, Backward]:
        """The elements at these flat positions, laid out in `shape` (take): a copy."""

    def select(
        self, a: Data, key: tuple, positions: Callable[[], list[int]], shape: Shape
    ) -> tuple[Data, Backward]:
        """Basic indexing by `key` (ints, slices, None, ...), whose flat positions `positions()`
        gives: a view, so that a write into the result writes into `a`."""

    def broadcast(self, a: Data, a_shape: Shape, shape: Shape) -> tuple[Data, Backward]:
        """a stretched to `shape` by broadcasting's rule (Tensor.expand)."""

    def scatter(self, values: Data, index: list[int], size: int) -> tuple[Data, Backward]:
        """`size` zeros with `values` added at these flat positions (the backward of gather)."""

    def choose(
        self, condition: Data, a: Data, b: Data, shapes: Sequence[Shape], shape: Shape
    ) -> tuple[Data, Backward]:
        """a where the condition holds, else b, all three broadcast to `shape` (torch.where)."""

    def reshape(self, a: Data, shape: Shape, new_shape: Shape) -> tuple[Data, Backward]:
        """The same elements in another shape."""

    def permute(self, a: Data, shape: Shape, dims: tuple[int, ...]) -> tuple[Data, Backward]:
        """a's dims in the order `dims` (transpose swaps two): a view."""

    def round_half_even(self, a: Data) -> Data:
        """Each element rounded half to even; no graph."""

    def copy(self, a: Data) -> Data:
        """New storage with the same numbers, outside any graph."""

    def assign(self, a: Data, b: Data) -> None:
        """a's numbers replaced by b's (same size), in place."""

    def assign_at(self, a: Data, index: list[int], b: Data) -> None:
        """b's numbers written into a at these flat positions, in place."""

    def put(self, a: Data, index: list[int], b: Data) -> tuple[Data, Backward]:
        """A new store: a with b's numbers at these flat positions (recorded item assignment)."""

    def add_scaled(self, a: Data, b: Data, alpha: float) -> None:
        """a += alpha * b, in place."""

    def scale(self, a: Data, factor: float) -> None:
        """a *= factor, in place."""

    def backprop(
        self,
        roots: Sequence[Tensor],
        seeds: Sequence[Tensor],
        order: list[Tensor],
        wanted: list[Tensor],
        retain_graph: bool,
        create_graph: bool,
        hooked: Callable,
    ) -> dict[int, Any]:
        """One backward pass from `roots` (each seeded with its tensor in `seeds`) over `order`,
        their topological order (reading each tensor's `_prev`, `_backward`, `_data`, `_hooks`);
        the gradient of each tensor in `wanted`, by id, as data its new owner may keep, or as a
        tensor with a graph under `create_graph` (a wanted tensor no gradient reached is left
        out). A non-leaf with hooks hands its finished gradient to `hooked(t, g, create_graph)`
        and goes on with what comes back. Unless `retain_graph`, the graph is released."""


BACKENDS = ("python", "numpy")
_default = "python"


def set_backend(name: str) -> None:
    """Where new tensors (and new parameters) live unless a call says otherwise."""
    global _default
    if not isinstance(name, str):
        raise TypeError(f"set_backend takes a backend's name, one of {BACKENDS}, got {name!r}")
    backend_for(name)
    _default = name


def get_backend() -> str:
    """The backend new tensors are made on: "python" (the default) or "numpy"."""
    return _default


def backend_for(name: str | None) -> Backend:
    """The backend called `name` (None: the default one); numpy is imported only when asked for."""
    name = _default if name is None else name
    if name == "python":
        return python_backend
    if name == "numpy":
        try:
            from micrograd_edu.tensor import numpy_backend
        except ImportError as e:
            raise ImportError(
                "the numpy backend needs numpy: pip install 'micrograd_edu[numpy]' (or use backend='python')"
            ) from e
        return numpy_backend
    raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
