"""Making tensors: from data, filled with a constant, ranges, or random (from one seeded generator).

PyTorch's names and keywords: `dtype=`, `device=` (the CPU), `requires_grad=`, and ours,
`backend=` ("python" or "numpy"; the default is `get_backend()`). Random numbers come from
`default_generator`, seeded by `manual_seed`, or from the `generator=` given; both draw them as
PyTorch does (generator.py): the same seed gives PyTorch's numbers, in every process and on
both backends.
"""

from __future__ import annotations

import math
import operator
from functools import partial
from typing import Any

from micrograd_edu.tensor import dtypes
from micrograd_edu.tensor.backend import backend_for
from micrograd_edu.tensor.device import on_cpu
from micrograd_edu.tensor.dtypes import dtype
from micrograd_edu.tensor.generator import Generator, check_std, default_generator, generator_for
from micrograd_edu.tensor.shape import Shape, Size, as_int, flatten_nested, numel
from micrograd_edu.tensor.tensor import Tensor


def manual_seed(seed: int) -> Generator:
    """Seed every random draw (rand, randn, nn initialisation, shuffling, toy data), in every process."""
    if isinstance(seed, bool) or not isinstance(seed, int) and not hasattr(seed, "__index__"):
        raise TypeError(f"manual_seed takes a whole number, got {type(seed).__name__} {seed!r}")
    try:
        n = operator.index(seed)
    except TypeError as e:  # an array or a tensor of several numbers
        raise TypeError(f"manual_seed takes a whole number, got {type(seed).__name__}: {e}") from None
    return default_generator.manual_seed(n)


def seed() -> int:
    """Seed from the operating system's randomness; the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
    pin_memory: bool = False,
) -> Tensor:
    """A tensor from a number, nested lists, a numpy array or another tensor (always a copy).

    Its dtype is the data's, as in PyTorch: ints give int64, bools bool, floats the default
    (float64 here), a numpy array its own.

    >>> tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    tensor([[0., 1.],
            [1., 0.]], requires_grad=True)
    >>> tensor([1, 2, 3])
    tensor([1, 2, 3])
    """
    on_cpu(device, "tensor")
    if isinstance(data, Tensor):
        d = data.dtype if dtype is None else dtypes.as_dtype(dtype, "tensor")
        return _make(data._floats(), data.shape, d, requires_grad, backend)
    given = dtypes.of_array(data)
    if hasattr(data, "tolist"):  # a numpy array or scalar
        data = data.tolist()
    flat, shape, found = _flattened(data)
    d = dtypes.as_dtype(dtype, "tensor") if dtype is not None else given or found
    if d.kind == 1 and (given or found).kind == 2:  # floats made integers (ints were checked)
        bits = 8 * d.itemsize - 1
        wrong = next((v for v in flat if not -(2.0**bits) <= v < 2.0**bits), None)  # nan fails too
        if wrong is not None:
            raise RuntimeError(f"value cannot be converted to type {d.name} without overflow: {wrong}")
    return _make(flat, shape, d, requires_grad, backend)


def as_tensor(data: Any, dtype: Any = None, device: Any = None, backend: str | None = None) -> Tensor:
    """A tensor of the data: the very tensor if it already is one of that dtype (PyTorch also
    shares a numpy array's memory; here the numbers are copied)."""
    if isinstance(data, Tensor) and (dtype is None or dtypes.as_dtype(dtype) is data.dtype):
        return data
    return tensor(data, dtype=dtype, device=device, backend=backend)


def from_numpy(array: Any, backend: str | None = None) -> Tensor:
    """A tensor of a numpy array's numbers and dtype. On the numpy backend it shares the array's
    memory, as in PyTorch (a change to one shows in the other); the python backend copies the
    numbers into Values."""
    if type(array).__name__ != "ndarray" or not hasattr(array, "dtype"):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    d = dtypes.of_array(array)
    store = backend_for(backend)
    if d is not None and store.name == "numpy" and str(array.dtype) == d.name:
        return Tensor(array, tuple(array.shape), store, False, dtype=d)
    return tensor(array, backend=backend)


# ---- filled with one number -------------------------------------------------------------------


def zeros(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, backend: str | None = None
) -> Tensor:
    return full(
        shape_of(size, "zeros"),
        0.0,
        dtype=dtype or dtypes.get_default_dtype(),
        device=device,
        requires_grad=requires_grad,
        backend=backend,
    )


def ones(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, backend: str | None = None
) -> Tensor:
    return full(
        shape_of(size, "ones"),
        1.0,
        dtype=dtype or dtypes.get_default_dtype(),
        device=device,
        requires_grad=requires_grad,
        backend=backend,
    )


def empty(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, backend: str | None = None
) -> Tensor:
    """A tensor of this size (PyTorch leaves its numbers unset; here they are 0)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad, backend=backend)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """A tensor of this size, every element `fill_value` (of its dtype unless `dtype` says)."""
    shape = shape_of((size,), "full")
    value = _number(fill_value, "full", "fill_value")
    on_cpu(device, "full")
    d = dtypes.as_dtype(dtype, "full") if dtype is not None else dtypes.inferred([fill_value])
    return _make([value] * numel(shape), shape, d, requires_grad, backend)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """The n × m matrix with ones on its diagonal (m = n unless given)."""
    rows = _size(n, "eye", "n")
    cols = rows if m is None else _size(m, "eye", "m")
    _bounded(rows * cols, "eye", f"a {rows} x {cols} matrix")
    on_cpu(device, "eye")
    flat = [1.0 if i == j else 0.0 for i in range(rows) for j in range(cols)]
    return _make(flat, (rows, cols), _dtype_or_default(dtype, "eye"), requires_grad, backend)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return full_like(input, 0.0, dtype=dtype, requires_grad=requires_grad, **kwargs)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return full_like(input, 1.0, dtype=dtype, requires_grad=requires_grad, **kwargs)


def empty_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return full_like(input, 0.0, dtype=dtype, requires_grad=requires_grad, **kwargs)


def full_like(
    input: Tensor,
    fill_value: Any,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    backend: str | None = None,
) -> Tensor:
    """A tensor shaped like `input`, on its backend and of its dtype (unless given), filled."""
    _is_tensor(input, "full_like")
    d = input.dtype if dtype is None else dtypes.as_dtype(dtype, "full_like")
    return full(
        input.shape,
        fill_value,
        dtype=d,
        device=device,
        requires_grad=requires_grad,
        backend=backend or input.backend,
    )


# ---- ranges --------------------------------------------------------------------------------------


def arange(
    start: Any,
    end: Any = ...,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """start, start + step, ... up to but not including end (`arange(n)` is 0 .. n-1): int64 when
    every argument is an integer, else the default float dtype, as in PyTorch."""
    if end is ...:  # arange(n): an end given as None is refused below, as in PyTorch
        start, end = 0, start
    numbers = [_number(x, "arange", name) for x, name in ((start, "start"), (end, "end"), (step, "step"))]
    a, b, s = numbers
    if s == 0 or math.isnan(s):
        raise RuntimeError(f"step must be nonzero (arange({start!r}, {end!r}, {step!r}))")
    if not all(map(math.isfinite, numbers)):
        raise RuntimeError(
            f"unsupported range: {a} -> {b}: arange's start, end and step must be finite, got "
            f"{start!r}, {end!r}, {step!r}"
        )
    if (b - a) * s < 0:
        raise RuntimeError(
            f"upper bound and lower bound inconsistent with step sign: arange({start!r}, {end!r}, {step!r}) "
            "counts away from its end"
        )
    count = _bounded(math.ceil((b - a) / s), "arange", f"arange({start!r}, {end!r}, {step!r})")
    on_cpu(device, "arange")
    d = dtypes.as_dtype(dtype, "arange") if dtype is not None else dtypes.inferred([start, end, step])
    return _make([a + i * s for i in range(count)], (count,), d, requires_grad, backend)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """`steps` numbers from start to end, evenly spaced, both ends included. Computed as PyTorch
    does, to the last bit: from the start for the first half and from the end for the second (so
    both ends are exact), each number start + i * step in one rounding (a fused multiply-add), in
    the dtype asked for."""
    a, b = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    n = _bounded(_size(steps, "linspace", "steps"), "linspace", f"steps={steps!r}")
    on_cpu(device, "linspace")
    d = _dtype_or_default(dtype, "linspace")
    bits, f = (24, partial(dtypes.rounded, d=d)) if d is dtypes.float32 else (53, float)
    a, b = (f(a), f(b)) if d.is_floating_point else (dtypes.rounded(a, d), dtypes.rounded(b, d))
    step = f(f(b - a) / (n - 1)) if n > 1 else 0.0  # in float64 for integer dtypes
    half = max(n // 2, 1)
    flat = [_fused(i, step, a, bits) if i < half else _fused(i + 1 - n, step, b, bits) for i in range(n)]
    return _make(flat, (n,), d, requires_grad, backend)


def _fused(i: int, step: float, base: float, bits: int) -> float:
    """i * step + base, rounded once to `bits` significant bits (half to even): a fused
    multiply-add, as PyTorch's linspace computes each number."""
    if not (math.isfinite(step) and math.isfinite(base)):
        return i * step + base
    (sn, sd), (bn, bd) = step.as_integer_ratio(), base.as_integer_ratio()  # denominators: powers of 2
    num, exponent = i * sn * bd + bn * sd, -(sd.bit_length() - 1) - (bd.bit_length() - 1)
    extra = abs(num).bit_length() - bits
    if extra > 0:
        q, r = divmod(abs(num), 1 << extra)
        q += r > 1 << (extra - 1) or (r == 1 << (extra - 1) and q & 1)
        num, exponent = (q if num > 0 else -q), exponent + extra
    return math.ldexp(num, exponent)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """base ** linspace(start, end, steps)."""
    exponents = linspace(start, end, steps, dtype=dtypes.float64, backend="python").tolist()
    b = _number(base, "logspace", "base")
    d = _dtype_or_default(dtype, "logspace")
    return _make([b**e for e in exponents], (len(exponents),), d, requires_grad, backend)


# ---- random ----------------------------------------------------------------------------------------


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """Uniform on [0, 1), drawn from `generator` (default: the one manual_seed seeds)."""
    shape = shape_of(size, "rand")
    on_cpu(device, "rand")
    rng = generator_for(generator, "rand")
    d = _dtype_or_default(dtype, "rand")
    float32 = dtypes.drawn_as_float32(dtype, d)
    return _make([rng.random(float32) for _ in range(numel(shape))], shape, d, requires_grad, backend)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """Standard normal."""
    shape = shape_of(size, "randn")
    on_cpu(device, "randn")
    rng = generator_for(generator, "randn")
    d = _dtype_or_default(dtype, "randn")
    numbers = rng.normals(numel(shape), float32=dtypes.drawn_as_float32(dtype, d))
    return _make(numbers, shape, d, requires_grad, backend)


def randint(
    *args: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """Whole numbers uniform in [low, high): `randint(high, size)` or `randint(low, high, size)`; int64."""
    if size is not None:
        args = (*args, size)
    if len(args) == 2:
        args = (0, *args)
    if len(args) != 3:
        raise TypeError("randint takes (high, size) or (low, high, size), e.g. randint(0, 10, (3,))")
    low, high = (_whole(x, "randint", name) for x, name in zip(args[:2], ("low", "high")))
    if high <= low:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}: "
            "randint(low, high) draws from low up to high - 1"
        )
    shape = shape_of((args[2],), "randint")
    on_cpu(device, "randint")
    rng = generator_for(generator, "randint")
    d = dtypes.as_dtype(dtype, "randint") if dtype is not None else dtypes.int64
    return _make(
        [float(rng.randrange(low, high)) for _ in range(numel(shape))], shape, d, requires_grad, backend
    )


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """0 .. n-1 in a random order (int64)."""
    count = _bounded(_size(n, "randperm", "n"), "randperm", f"n={n!r}")
    order = generator_for(generator, "randperm").permutation(count)
    on_cpu(device, "randperm")
    d = dtypes.as_dtype(dtype, "randperm") if dtype is not None else dtypes.int64
    return _make([float(i) for i in order], (len(order),), d, requires_grad, backend)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    backend: str | None = None,
) -> Tensor:
    """Normal numbers: `normal(mean, std, size)` with numbers, or elementwise with tensors of them."""
    rng = generator_for(generator, "normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        means = mean.tolist() if isinstance(mean, Tensor) else None
        stds = std.tolist() if isinstance(std, Tensor) else None
        flat_m = flatten_nested(means)[0] if means is not None else [float(mean)] * like.numel()
        flat_s = flatten_nested(stds)[0] if stds is not None else [float(std)] * like.numel()
        check_std(min(flat_s))
        z = rng.normals(len(flat_m), float32=dtypes.drawn_as_float32(None, like.dtype))
        values = [x * s + m for x, m, s in zip(z, flat_m, flat_s)]  # as PyTorch: normal(0, 1) * std + mean
        return _make(values, like.shape, like.dtype, requires_grad, backend or like.backend)
    if size is None:
        raise TypeError("normal needs size= when mean and std are numbers, e.g. normal(0.0, 1.0, size=(3,))")
    m, s = _number(mean, "normal", "mean"), _number(std, "normal", "std")
    check_std(s)
    shape = shape_of((size,), "normal")
    d = _dtype_or_default(dtype, "normal")
    numbers = rng.normals(numel(shape), m, s, float32=dtypes.drawn_as_float32(dtype, d))
    return _make(numbers, shape, d, requires_grad, backend)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    _is_tensor(input, "rand_like")
    return rand(
        *input.shape,
        dtype=dtype or _named_dtype(input),
        requires_grad=requires_grad,
        backend=kwargs.get("backend") or input.backend,
    )


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    _is_tensor(input, "randn_like")
    return randn(
        *input.shape,
        dtype=dtype or _named_dtype(input),
        requires_grad=requires_grad,
        backend=kwargs.get("backend") or input.backend,
    )


def randint_like(
    input: Tensor, low: int = 0, high: int | None = None, dtype: Any = None, **kwargs: Any
) -> Tensor:
    _is_tensor(input, "randint_like")
    if high is None:
        low, high = 0, low
    return randint(
        low, high, input.shape, dtype=dtype or input.dtype, backend=kwargs.get("backend") or input.backend
    )


def _named_dtype(input: Tensor) -> dtype | None:
    """The dtype a *_like call asks for: the input's, or None for the default (so that the numbers
    are drawn as PyTorch draws them for its default float32)."""
    return None if input.dtype is dtypes.get_default_dtype() else input.dtype


# ---- checking what comes in --------------------------------------------------------------------


def _make(flat: list[float], shape: Shape, d: dtype, requires_grad: bool, backend: str | None) -> Tensor:
    if not isinstance(requires_grad, bool):
        raise TypeError(f"requires_grad must be True or False, got {requires_grad!r}")
    if requires_grad and not d.is_floating_point:
        raise RuntimeError(f"Only Tensors of floating point dtype can require gradients (this one is {d!r})")
    store = backend_for(backend)
    return Tensor(store.from_floats(flat, shape, d), shape, store, requires_grad, dtype=d)


def _flattened(data: Any) -> tuple[list[float], Shape, dtype]:
    """Nested lists of numbers (bools, ints, floats, numpy numbers, 0-d tensors) as floats, their
    shape, and the dtype PyTorch would infer from them."""
    flat_items: list[Any] = []
    flat, shape = flatten_nested(data, flat_items)
    huge = next((v for v in flat_items if type(v) is int and not -(2**63) <= v < 2**63), None)
    if huge is not None:
        raise ValueError(f"Overflow when unpacking long long: {huge} in the data does not fit in an int64")
    return flat, shape, dtypes.inferred(flat_items)


def _dtype_or_default(d: Any, op: str) -> dtype:
    return dtypes.get_default_dtype() if d is None else dtypes.as_dtype(d, op)


def shape_of(size: tuple, op: str) -> Shape:
    """A size given as numbers (zeros(2, 3)) or one sequence (zeros((2, 3))), each a whole number >= 0."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(_size(s, op, "size") for s in size)
    _bounded(numel(shape), op, f"size {shape}")
    return shape


MAX_ELEMENTS = 2**31  # more than a teaching machine holds as Values (about 100 bytes each) or floats


def _bounded(n: int, op: str, what: str) -> int:
    """n elements, refused if more than MAX_ELEMENTS: say so at once rather than fill the memory."""
    if n > MAX_ELEMENTS:
        raise RuntimeError(
            f"{op}: {what} asks for {n} elements, more than micrograd_edu makes at once "
            f"({MAX_ELEMENTS}, micrograd_edu.tensor.creation.MAX_ELEMENTS)"
        )
    return n


def _size(x: Any, op: str, name: str) -> int:
    """A size: a whole number >= 0 (a numpy integer or a one-element integer tensor is fine)."""
    if isinstance(x, (bool, float)):
        raise TypeError(f"{op}: {name} must be a whole number, got {type(x).__name__} {x!r}")
    try:
        n = operator.index(x)
    except TypeError:
        raise TypeError(f"{op}: {name} must be a whole number, got {type(x).__name__} {x!r}") from None
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {op}: {name} must be >= 0")
    return n


def _whole(x: Any, op: str, name: str) -> int:
    return as_int(x, op, name)


def _number(x: Any, op: str, name: str) -> float:
    """A number argument: a Python or numpy number, or a tensor of one element (PyTorch's TypeError
    for anything else, a tensor or an array of several numbers included)."""
    if isinstance(x, Tensor) and x.numel() == 1:
        x = x.item()
    if getattr(x, "ndim", 0) != 0 or isinstance(x, str) or not hasattr(x, "__float__"):
        kind = type(x).__name__
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {kind} (got {name}={x!r})")
    if isinstance(x, int) and not -(2**63) <= x < 2**64:
        raise OverflowError(f"{op}(): {name}={x} is too big to convert (past 64 bits)")
    return float(x)


def _is_tensor(x: Any, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")


# ---- PyTorch's legacy constructors: torch.Tensor([1, 2]), torch.Tensor(2, 3), torch.FloatTensor(...) ----


def legacy(args: tuple, dtype: Any = None, op: str = "Tensor") -> Tensor:
    """What `torch.Tensor(...)` (and FloatTensor, LongTensor, ...) makes: a tensor of numbers
    from a list (`Tensor([1, 2])`), or of zeros of a size (`Tensor(2, 3)`: PyTorch leaves it
    unset); of the default dtype, or the one its name says."""
    kind = dtype or dtypes.get_default_dtype()
    if not args:
        return tensor([], dtype=kind)
    if len(args) == 1 and isinstance(args[0], Size):  # torch.Tensor(x.size()): sizes, not numbers
        args = tuple(args[0])
    if all(hasattr(a, "__index__") and not isinstance(a, bool) for a in args):  # ints, numpy ints
        return zeros(*(operator.index(a) for a in args), dtype=kind)
    if len(args) == 1 and (isinstance(args[0], (list, tuple)) or hasattr(args[0], "tolist")):
        data = args[0].tolist() if hasattr(args[0], "tolist") else args[0]
        return tensor(data, dtype=kind)
    raise TypeError(
        f"{op}(): takes a list of numbers (torch.{op}([1, 2])) or sizes (torch.{op}(2, 3)), got "
        f"{', '.join(f'{type(a).__name__} {a!r}' for a in args)}: torch.tensor(3.5) makes a 0-d tensor"
    )


def FloatTensor(*args: Any) -> Tensor:  # noqa: N802  (PyTorch's names)
    return legacy(args, dtypes.float32, "FloatTensor")


def DoubleTensor(*args: Any) -> Tensor:  # noqa: N802
    return legacy(args, dtypes.float64, "DoubleTensor")


def LongTensor(*args: Any) -> Tensor:  # noqa: N802
    return legacy(args, dtypes.int64, "LongTensor")


def IntTensor(*args: Any) -> Tensor:  # noqa: N802
    return legacy(args, dtypes.int32, "IntTensor")


def BoolTensor(*args: Any) -> Tensor:  # noqa: N802
    return legacy(args, dtypes.bool_, "BoolTensor")
