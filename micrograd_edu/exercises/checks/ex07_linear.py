"""Checks for exercise 7, a Linear layer: against the package's own nn.functional.linear, and
the statistics of PyTorch's initial distribution."""

from __future__ import annotations

import math

import micrograd_edu
from micrograd_edu import Tensor, nn
from micrograd_edu.exercises.checking import Checks, NotYet, close, describe, expect, tensor_of_shape
from micrograd_edu.nn.functional import linear

CHECKS = Checks("Linear")

LAYOUT = "PyTorch's layout: weight has one row per output, shape (out_features, in_features)"
TRANSPOSE = "x is (N, in_features) and weight (out_features, in_features): multiply x by weight.T"


def parts(Linear, in_features: int, out_features: int) -> tuple[nn.Module, Tensor, Tensor]:
    layer = Linear(in_features, out_features)
    expect(
        isinstance(layer, nn.Module),
        f"Linear({in_features}, {out_features}) is {describe(layer)}, not an nn.Module",
        "class Linear(nn.Module), with super().__init__() first in __init__",
    )
    for name in ("weight", "bias"):
        expect(
            isinstance(getattr(layer, name, None), Tensor),
            f"the layer's {name} is {describe(getattr(layer, name, None))}",
            f"make self.{name} in __init__: an nn.Parameter holding a tensor",
        )
    return layer, layer.weight, layer.bias


@CHECKS.check(
    "weight has shape (out_features, in_features), bias (out_features,)",
    hints=(LAYOUT, "micrograd_edu.rand(out_features, in_features) makes a tensor of that shape"),
)
def shapes(Linear):
    for n_in, n_out in [(3, 2), (5, 4), (1, 6)]:
        _, weight, bias = parts(Linear, n_in, n_out)
        hint = LAYOUT if weight.shape == (n_in, n_out) else ""
        tensor_of_shape(weight, (n_out, n_in), f"Linear({n_in}, {n_out}).weight", hint)
        tensor_of_shape(bias, (n_out,), f"Linear({n_in}, {n_out}).bias", "one bias per output")


@CHECKS.check(
    "weight and bias are parameters: model.parameters() finds them",
    hints=(
        "a Module registers what is assigned to it as an nn.Parameter; a plain tensor it does not see",
        "self.weight = nn.Parameter(some tensor): then parameters() and an optimizer find it, "
        "and it requires grad",
    ),
)
def registered(Linear):
    layer, _, _ = parts(Linear, 3, 2)
    found = dict(layer.named_parameters())
    for name in ("weight", "bias"):
        expect(
            name in found,
            f"named_parameters() gives {sorted(found)}: {name!r} is not among them",
            f"wrap it: self.{name} = nn.Parameter(...)",
        )
        expect(found[name].requires_grad, f"{name} does not require grad", "an nn.Parameter requires grad")


@CHECKS.check(
    "they start uniform in ±1/√in_features, drawn from the seeded generator",
    hints=(
        "micrograd_edu.rand gives [0, 1): stretch it to [0, 2·bound), then shift it down by bound",
        "bound = 1 / √in_features, for the bias too; and draw with micrograd_edu.rand, which "
        "micrograd_edu.manual_seed seeds (Python's random module is not)",
    ),
)
def initial(Linear):
    n_in, n_out = 100, 50
    bound = 1 / math.sqrt(n_in)
    _, weight, bias = parts(Linear, n_in, n_out)
    for name, t in (("weight", weight), ("bias", bias)):
        values = t.detach().reshape(-1).tolist()
        low, high, mean = min(values), max(values), sum(values) / len(values)
        what = f"Linear({n_in}, {n_out}).{name} runs from {low:.4g} to {high:.4g}"
        expect(
            high > low,
            f"every number of Linear({n_in}, {n_out}).{name} is {low:g}",
            "they all start equal, so every output would learn the same thing: draw them at random",
        )
        expect(low < 0, what + ": none is negative", "shift it: rand · 2·bound - bound is in [-bound, bound)")
        expect(
            high <= bound * (1 + 1e-9) and low >= -bound * (1 + 1e-9),
            what + f"; it should stay within ±{bound:g}",
            "bound = 1 / √in_features",
        )
        spread = 0.8 if name == "weight" else 0.5
        expect(
            high > spread * bound and low < -spread * bound,
            what + f"; it should fill ±{bound:g}",
            "bound = 1 / √in_features: uniform over the whole of [-bound, bound]",
        )
        expect(abs(mean) < 0.2 * bound, what + f", with a mean of {mean:.3g}: it should be near 0", "")
    micrograd_edu.manual_seed(5)
    first = parts(Linear, 4, 3)[1].tolist()
    micrograd_edu.manual_seed(5)
    again = parts(Linear, 4, 3)[1].tolist()
    expect(
        first == again,
        "after the same micrograd_edu.manual_seed(5), two Linear(4, 3) have different weights",
        "draw with micrograd_edu.rand, which micrograd_edu.manual_seed seeds (Python's random module is not)",
    )


@CHECKS.check(
    "forward(x) is x @ weightᵀ + bias",
    hints=(
        "x has one row per example: each row times weightᵀ gives that example's outputs",
        TRANSPOSE + ", then add the bias (broadcast: the same bias for every row)",
    ),
)
def forward(Linear):
    for n_in, n_out, n in [(3, 2, 5), (4, 1, 1), (2, 3, 4)]:
        layer, weight, bias = parts(Linear, n_in, n_out)
        x = micrograd_edu.randn(n, n_in)
        try:
            y = layer(x)
        except (ValueError, RuntimeError) as e:  # a shape mismatch in @ is a RuntimeError, as in PyTorch
            message = f"layer(x) for x of shape {tuple(x.shape)} raised {type(e).__name__}: {e}"
            raise NotYet(message, TRANSPOSE) from None
        what = f"Linear({n_in}, {n_out})(x) for x of shape {(n, n_in)}"
        tensor_of_shape(y, (n, n_out), what, "one row per example, one column per output")
        with micrograd_edu.no_grad():
            expected, no_bias = linear(x, weight, bias), linear(x, weight)
        close(y, expected, what, mistakes=[(no_bias, "add the bias")])


@CHECKS.check(
    "backward() reaches weight and bias",
    hints=(
        "forward must compute with self.weight and self.bias as tensors, so that the graph reaches them",
        "no .data, .detach(), .tolist() or .item() on the way: those leave the graph",
    ),
)
def gradients(Linear):
    layer, weight, bias = parts(Linear, 3, 2)
    x, c = micrograd_edu.randn(4, 3), micrograd_edu.randn(4, 2)
    (layer(x) * c).sum().backward()
    w2, b2 = weight.detach().requires_grad_(), bias.detach().requires_grad_()
    (linear(x, w2, b2) * c).sum().backward()
    for name, mine, theirs in (("weight", weight.grad, w2.grad), ("bias", bias.grad, b2.grad)):
        expect(
            mine is not None, f"{name}.grad is None after backward()", "build forward from tensor ops on it"
        )
        close(mine, theirs, f"{name}.grad after (layer(x) · c).sum().backward()")
