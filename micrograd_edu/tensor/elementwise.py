"""The elementwise ops of the tensor layer, each stated once: one entry of this table.

An op's math lives in the engine: a `Value` method computes it for one number, and the
`_backward` beside it, registered with `@derivative`, differentiates it. An entry here adds
what tensors need on top: PyTorch's name for the node the op records (`grad_fn`) and the
numpy function that computes it for a whole array. Both backends read the entry: the
python backend runs the Value op on every element, the numpy backend runs the numpy
function and then, in backward, the engine's own backward function on whole arrays.

An entry is also the op itself: call it (`micrograd_edu.exp(t)`, which also takes a Value
or a number); its `method` is the Tensor method (`t.exp()`). Adding an op is two steps:
write it in the engine, with its `@derivative`, and add its entry here (README: "Adding an
op").
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from numbers import Real
from typing import TYPE_CHECKING, Any

from micrograd_edu import elementary as e
from micrograd_edu.derivatives import Derivative, derivative_of
from micrograd_edu.engine import Value

if TYPE_CHECKING:
    from micrograd_edu.tensor.tensor import Tensor


class Elementwise:
    """An elementwise op: its engine op, PyTorch's node name, and how each backend computes it.

    - `op`: the engine's name for it ("*", "tanh"), under which its derivative is registered;
    - `grad_fn`: the node it records on a tensor, as PyTorch names it ("TanhBackward0");
    - `value`: the op on Values, `value(a, b, *params)`, run by the python backend per element;
    - `numpy`: numpy's function for it, by name ("tanh"), or `f(np, *arrays, *params)` where
      numpy has none (numpy is handed in, so this file never imports it);
    - `can_fail`: the engine refuses some inputs (log of 0), so the numpy backend, whose
      functions quietly give inf or nan there, replays such elements to raise the same error;
    - `floating`: the result is a float even for integer inputs (exp, /), as in PyTorch.
    """

    def __init__(
        self,
        name: str,
        op: str,
        grad_fn: str,
        value: Callable[..., Value],
        numpy: str | Callable[..., Any],
        *,
        can_fail: bool = False,
        floating: bool = False,
    ) -> None:
        self.name, self.op, self.grad_fn, self.value, self.numpy = name, op, grad_fn, value, numpy
        self.can_fail, self.floating = can_fail, floating
        self.__doc__ = f"{name}(input): the elementwise op `{op}` on a tensor, a Value or a number."

        def method(tensor: Tensor) -> Tensor:
            return tensor.apply_elementwise(self)

        method.__name__, method.__doc__ = name, f"{name}(), elementwise: the engine's op `{op}`, recorded."
        self.method = method  # what Tensor lists (`exp = ops.exp.method`), so `t.exp()` is `exp(t)`

    @property
    def derivative(self) -> Derivative:
        """The engine's backward function and local derivatives for this op."""
        found = derivative_of(self.op)
        if found is None:
            raise LookupError(f"the engine has no @derivative for the op {self.op!r} (needed by {self.name})")
        return found

    def __call__(self, input: Any, *others: Any, params: tuple = (), out: Any = None) -> Any:
        """The op on a tensor (recorded; written into `out` if given), on a Value (recorded) or
        on numbers (a number)."""
        if hasattr(input, "apply_elementwise"):  # a Tensor
            result = input.apply_elementwise(self, *others, params=params)
            if out is None:
                return result
            if not hasattr(out, "written_as_out"):
                raise TypeError(f"{self.name}(): argument 'out' must be Tensor, not {type(out).__name__}")
            return out.written_as_out(result, self.name)
        if isinstance(input, Value):
            return self.value(input, *others, *params)
        if isinstance(input, Real) and not isinstance(input, bool):
            numbers = [x if isinstance(x, Value) else Value(x) for x in (input, *others)]
            return self.value(*numbers, *params).data
        raise TypeError(
            f"{self.name}() takes a tensor, a Value or a number, got {type(input).__name__} {input!r}"
        )

    def __repr__(self) -> str:
        return f"<elementwise op {self.name}>"


def _sigmoid_array(np: Any, a: Any) -> Any:  # e^-|a| never overflows: 1/(1+e) for a >= 0, e/(1+e) below
    e = np.exp(-np.abs(a))
    return np.maximum(e, a >= 0) / (1 + e)  # the numerator, 1 or e, as max(e, 1 or 0): e <= 1, nan stays


def _relu_array(np: Any, a: Any) -> Any:  # nan stays nan, as in PyTorch
    return np.maximum(a, 0.0)


def _power_n_array(np: Any, a: Any, n: Any) -> Any:  # PyTorch's own shortcuts (and 80x faster than pow)
    return a * a if n == 2 else a * a * a if n == 3 else np.power(a, n)


def _rsqrt_array(np: Any, a: Any) -> Any:
    return 1 / np.sqrt(a)


def _erf_array(np: Any, a: Any) -> Any:  # numpy has no erf: Python's, element by element
    return np.asarray(np.frompyfunc(math.erf, 1, 1)(a), dtype=a.dtype)


def _sign_array(np: Any, a: Any) -> Any:  # 0 for nan, as PyTorch (numpy's sign gives nan)
    return (a > 0).astype(a.dtype) - (a < 0)


#  name                          engine op  PyTorch's node        the op on Values  numpy
neg = Elementwise("neg", "neg", "NegBackward0", Value.__neg__, "negative")
abs = Elementwise("abs", "abs", "AbsBackward0", Value.__abs__, "abs")
exp = Elementwise("exp", "exp", "ExpBackward0", Value.exp, "exp", can_fail=True, floating=True)
log = Elementwise("log", "log", "LogBackward0", Value.log, "log", can_fail=True, floating=True)
tanh = Elementwise("tanh", "tanh", "TanhBackward0", Value.tanh, "tanh", floating=True)
sigmoid = Elementwise("sigmoid", "sigmoid", "SigmoidBackward0", Value.sigmoid, _sigmoid_array, floating=True)
relu = Elementwise("relu", "relu", "ReluBackward0", Value.relu, _relu_array)
add = Elementwise("add", "+", "AddBackward0", operator.add, "add")
sub = Elementwise("sub", "-", "SubBackward0", operator.sub, "subtract")
mul = Elementwise("mul", "*", "MulBackward0", operator.mul, "multiply")
div = Elementwise("div", "/", "DivBackward0", operator.truediv, "divide", can_fail=True, floating=True)
pow = Elementwise("pow", "**", "PowBackward1", operator.pow, "power", can_fail=True)  # tensor ** tensor
pow_n = Elementwise("pow", "**n", "PowBackward0", operator.pow, _power_n_array, can_fail=True)  # tensor ** 2
clamp = Elementwise("clamp", "clamp", "ClampBackward1", Value.clamp, "clip")  # params: (min, max)
# the rest of the math a course meets, from elementary.py
sin = Elementwise("sin", "sin", "SinBackward0", e.sin, "sin", can_fail=True, floating=True)
cos = Elementwise("cos", "cos", "CosBackward0", e.cos, "cos", can_fail=True, floating=True)
tan = Elementwise("tan", "tan", "TanBackward0", e.tan, "tan", can_fail=True, floating=True)
sqrt = Elementwise("sqrt", "sqrt", "SqrtBackward0", e.sqrt, "sqrt", can_fail=True, floating=True)
rsqrt = Elementwise("rsqrt", "rsqrt", "RsqrtBackward0", e.rsqrt, _rsqrt_array, can_fail=True, floating=True)
log1p = Elementwise("log1p", "log1p", "Log1PBackward0", e.log1p, "log1p", can_fail=True, floating=True)
expm1 = Elementwise("expm1", "expm1", "Expm1Backward0", e.expm1, "expm1", can_fail=True, floating=True)
erf = Elementwise("erf", "erf", "ErfBackward0", e.erf, _erf_array, floating=True)
sign = Elementwise("sign", "sign", "SignBackward0", e.sign, _sign_array)
maximum = Elementwise("maximum", "maximum", "MaximumBackward0", e.maximum, "maximum")
minimum = Elementwise("minimum", "minimum", "MinimumBackward0", e.minimum, "minimum")
floor_divide = Elementwise(
    "floor_divide", "//", "FloorDivideBackward0", e.floor_divide, "floor_divide", can_fail=True
)
remainder = Elementwise("remainder", "%", "RemainderBackward0", e.remainder, "remainder", can_fail=True)
