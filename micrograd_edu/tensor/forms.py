"""The function forms of Tensor methods: `torch.add(x, y)` is `x.add(y)`, `torch.sum(x, dim=0)` is
`x.sum(dim=0)`.

PyTorch offers most tensor methods as functions of `torch` too, with the tensor first. Each
line below makes one: the function checks that its first argument is a tensor (PyTorch's
error if not) and calls the method, so the method stays the one place the op is written.
The elementwise ops of the table (`torch.exp`, `torch.sin`, ...) are functions already, of
tensors, Values and numbers alike: see `elementwise.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

from micrograd_edu.tensor.functions import cat, written_as_out
from micrograd_edu.tensor.tensor import Tensor

# The function forms whose input may be a number, the other being a tensor: torch.add(2.0, t).
TAKES_A_NUMBER = {"add", "sub", "mul", "div", "pow", "remainder", "floor_divide"}


def method_form(name: str) -> Callable[..., Any]:
    """`torch.<name>(input, *args, **kwargs)`: `input.<name>(*args, **kwargs)`."""

    def form(input: Any, *args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        if name in TAKES_A_NUMBER and isinstance(input, Real) and args and isinstance(args[0], Tensor):
            input = args[0].new_tensor(input)
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
            )
        result = getattr(input, name)(*args, **kwargs)
        return result if out is None else written_as_out(out, result, name)

    form.__name__ = form.__qualname__ = name
    form.__doc__ = f"torch.{name}(input, ...) is input.{name}(...): see Tensor.{name}."
    return form


# arithmetic
add = method_form("add")
sub = subtract = method_form("sub")
mul = multiply = method_form("mul")
div = divide = true_divide = method_form("div")
pow = method_form("pow")  # noqa: A001  (torch.pow)
square = method_form("square")
reciprocal = method_form("reciprocal")
negative = method_form("neg")
absolute = method_form("abs")
maximum = method_form("maximum")
minimum = method_form("minimum")
remainder = method_form("remainder")
floor_divide = method_form("floor_divide")
clamp = clip = method_form("clamp")
round = method_form("round")  # noqa: A001  (torch.round)
softmax = method_form("softmax")
log_softmax = method_form("log_softmax")
logsumexp = method_form("logsumexp")
masked_fill = method_form("masked_fill")
tril = method_form("tril")
triu = method_form("triu")

# products
matmul = method_form("matmul")
mm = method_form("mm")
bmm = method_form("bmm")
mv = method_form("mv")
dot = method_form("dot")
outer = ger = method_form("outer")

# reductions and orderings
sum = method_form("sum")  # noqa: A001  (torch.sum)
mean = method_form("mean")
var = method_form("var")
std = method_form("std")
prod = method_form("prod")
norm = method_form("norm")
cumsum = method_form("cumsum")
max = method_form("max")  # noqa: A001  (torch.max)
min = method_form("min")  # noqa: A001  (torch.min)
amax = method_form("amax")
amin = method_form("amin")
argmax = method_form("argmax")
argmin = method_form("argmin")
sort = method_form("sort")
argsort = method_form("argsort")
topk = method_form("topk")
all = method_form("all")  # noqa: A001  (torch.all)
any = method_form("any")  # noqa: A001  (torch.any)

# shapes
reshape = method_form("reshape")
flatten = method_form("flatten")
unflatten = method_form("unflatten")
squeeze = method_form("squeeze")
unsqueeze = method_form("unsqueeze")
permute = method_form("permute")
transpose = swapaxes = swapdims = method_form("transpose")
t = method_form("t")
flip = method_form("flip")
narrow = method_form("narrow")
split = method_form("split")
chunk = method_form("chunk")
unbind = method_form("unbind")
tile = method_form("tile")
take = method_form("take")
gather = method_form("gather")
numel = method_form("numel")
clone = method_form("clone")
detach = method_form("detach")

# comparisons
eq = method_form("eq")
ne = not_equal = method_form("ne")
gt = greater = method_form("gt")
lt = less = method_form("lt")
ge = greater_equal = method_form("ge")
le = less_equal = method_form("le")
logical_and = method_form("logical_and")
logical_or = method_form("logical_or")
logical_xor = method_form("logical_xor")
logical_not = method_form("logical_not")
isnan = method_form("isnan")
isinf = method_form("isinf")
isfinite = method_form("isfinite")
isclose = method_form("isclose")
allclose = method_form("allclose")
equal = method_form("equal")

concat = concatenate = cat


def is_tensor(obj: Any) -> bool:
    """Whether obj is a tensor (a Parameter is one too)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return method_form("is_floating_point")(input)


__all__ = [  # every form above, under each of its names
    name
    for name, value in list(globals().items())
    if getattr(value, "__module__", None) == __name__ and name != "method_form"
] + ["concat", "concatenate"]
