"""`autograd.Function`: an op with a forward and a backward of your own, as in PyTorch.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y             # d(e^x)/dx = e^x

    y = Exp.apply(x)                           # y.grad_fn is <ExpBackward>

`apply` runs `forward` without recording (its ops are the function's business) and makes
each output a node of the graph whose backward is yours: backward() hands it the gradient of
each output and takes back one gradient per input of forward (None for a non-tensor one).

On the python backend an output's elements are real Values: each hangs on one node named after
the Function, whose inputs are the input tensors' Values, so a scalar-level picture shows where
the function sits. A Function with several outputs runs its backward once per output that
gets a gradient, with zeros for the others (backward is linear in them, so the sum is the same).
"""

from __future__ import annotations

from typing import Any

from micrograd_edu.engine import Value
from micrograd_edu.grad_mode import no_grad, set_grad_enabled
from micrograd_edu.grad_mode import state as grad_mode
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.backward import clock


class FunctionCtx:
    """What forward hands to backward: tensors saved with `save_for_backward`, which inputs need
    a gradient (`needs_input_grad`), and any attribute you set (`ctx.k = 3`)."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Tensor | None, ...] = ()
        self._non_differentiable: set[int] = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep these tensors for backward (`ctx.saved_tensors`); changing one in place after this
        makes backward() refuse, as in PyTorch."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward takes tensors (or None), argument {i} is {type(t).__name__}: keep "
                    "other things as attributes of ctx (ctx.k = 3)"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        return self._saved

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """These outputs get no gradient (an argmax, a mask): they will not require grad."""
        self._non_differentiable |= {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None (not zeros) for an output that got no gradient."""
        self.materialize_grads = bool(value)


class Function:
    """Subclass it with `forward(ctx, ...)` and `backward(ctx, *grad_outputs)` staticmethods, and
    call `YourFunction.apply(...)` (see the module docstring)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function needs forward(ctx, ...) written as a @staticmethod")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function needs backward(ctx, *grad_outputs) written as a @staticmethod")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        name = f"{cls.__name__}Backward"
        if cls.forward is Function.forward:
            raise NotImplementedError(f"{cls.__name__} has no forward(ctx, ...): write one, a @staticmethod")
        inputs = [a for a in args if isinstance(a, Tensor)]
        if inputs and len({t.backend for t in inputs}) > 1:
            raise TypeError(f"{cls.__name__}.apply got tensors on both backends: use one backend")
        ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        outputs = result if isinstance(result, tuple) else (result,)
        if not (grad_mode.enabled and any(t.requires_grad for t in inputs)):
            return result
        node = FunctionBackward(cls, name, ctx, args, outputs)
        made = tuple(
            node.attach(out, k, inputs)
            if isinstance(out, Tensor) and id(out) not in ctx._non_differentiable
            else out
            for k, out in enumerate(outputs)
        )
        return made if isinstance(result, tuple) else made[0]


class FunctionBackward:
    """The node a Function's output hangs on: it runs the user's backward and checks what comes back."""

    def __init__(self, cls: type[Function], name: str, ctx: FunctionCtx, args: tuple, outputs: tuple) -> None:
        self.cls, self.name, self.ctx, self.args = cls, name, ctx, args
        self.shapes = [out.shape if isinstance(out, Tensor) else None for out in outputs]

    def attach(self, out: Tensor, k: int, inputs: list[Tensor]) -> Tensor:
        """Make output k a node of the graph (a copy, if forward returned an input as it is)."""
        if any(out is t or _shares_elements(out, t) for t in inputs):
            with no_grad():
                out = out.clone()
        parents = tuple(inputs)
        out.requires_grad = True
        out._prev, out._op, out._stamp = parents, self.name, clock.now
        out._backward = _OutputBackward(self, k)
        if out.backend == "python":
            hub = Value(
                0.0, tuple(v for t in parents if t.requires_grad for v in t.elements()), self.cls.__name__
            )
            hub._backward = _hub_pass
            for i, v in enumerate(out.elements()):
                v._prev, v._op, v._backward = (hub,), f"{self.cls.__name__}[{i}]", _in_tensor_pass
        return out

    def gradients(self, k: int, grad: Tensor, create_graph: bool) -> list[Tensor | None]:
        """The user's backward for a gradient at output k (zeros, or None, at the others): one
        gradient per tensor input of forward, checked."""
        grads = [
            grad
            if i == k
            else grad.new_zeros(shape)
            if self.ctx.materialize_grads and shape is not None
            else None
            for i, shape in enumerate(self.shapes)
        ]
        if self.cls.backward is Function.backward:
            raise NotImplementedError(
                f"{self.cls.__name__} has no backward(ctx, *grad_outputs): write one, a @staticmethod"
            )
        with set_grad_enabled(create_graph):
            result = self.cls.backward(self.ctx, *grads)
        returned = result if isinstance(result, tuple) else (result,)
        if len(returned) != len(self.args):
            raise RuntimeError(
                f"function {self.name} returned an incorrect number of gradients (expected {len(self.args)}, "
                f"got {len(returned)}): backward returns one per input of forward, None for a non-tensor one"
            )
        out: list[Tensor | None] = []
        for i, (arg, g) in enumerate(zip(self.args, returned)):
            if not isinstance(arg, Tensor):
                if g is not None:
                    raise RuntimeError(
                        f"function {self.name} returned a gradient different than None at position {i}, but "
                        f"the corresponding forward input ({type(arg).__name__} {arg!r}) was not a tensor"
                    )
                continue
            if g is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor) or g.backend != arg.backend:
                got = f"a tensor on the {g.backend} backend" if isinstance(g, Tensor) else type(g).__name__
                raise TypeError(
                    f"function {self.name} returned {got} as the gradient of input {i}: return a tensor on "
                    f"the {arg.backend} backend (or None)"
                )
            if g.shape != arg.shape:
                raise RuntimeError(
                    f"Function {self.name} returned an invalid gradient at index {i} - got {list(g.shape)} "
                    f"but expected shape compatible with {list(arg.shape)} (the shape of that input)"
                )
            out.append(g)
        return out

    def saved_tensors_of(self, t: Tensor) -> list[Tensor]:
        return [s for s in self.ctx._saved if s is not None]


class _OutputBackward:
    """The backward of one output of a Function: what a backend calls when that output's
    gradient is known."""

    def __init__(self, node: FunctionBackward, k: int) -> None:
        self.node, self.k = node, k

    def saved_tensors_of(self, t: Tensor) -> list[Tensor]:
        return self.node.saved_tensors_of(t)

    def __call__(self, g: Any, ins: Any, out: Any, parents: tuple) -> tuple:
        """The numpy backend's call: g an array (or a tensor, under create_graph)."""
        create_graph = isinstance(g, Tensor)
        grad = g if create_graph else Tensor(g.reshape(out.shape), tuple(out.shape), parents[0]._backend)
        grads = self.node.gradients(self.k, grad, create_graph)
        return tuple(None if x is None else (x if create_graph else x._data) for x in grads)

    def run(self, t: Tensor, create_graph: bool, release: bool) -> None:
        """The python backend's call: add the inputs' gradients into their Values."""
        values = t.elements()
        grad = Tensor(
            [v.grad if isinstance(v.grad, Value) else Value(v.grad) for v in values], t.shape, t._backend
        )
        grad.requires_grad = create_graph  # under create_graph its Values carry the graph: keep recording
        for parent, g in zip(t._prev, self.node.gradients(self.k, grad, create_graph)):
            if g is None or not parent.requires_grad:
                continue
            for v, w in zip(parent.elements(), g.elements()):
                v.grad = v.grad + (w if create_graph else w.data)


def _shares_elements(a: Tensor, b: Tensor) -> bool:
    if a.backend != "python":
        return False
    ids = {id(v) for v in b.elements()}
    return any(id(v) in ids for v in a.elements())


def is_function_hub(v: Value) -> bool:
    """Whether v is the one Value a custom Function hangs its outputs on (python backend): it
    has no number of its own, as the Function's backward works on whole tensors."""
    return v._backward is _hub_pass


def made_by_function(v: Value) -> bool:
    """Whether v is one of a custom Function's Values (its hub or an output element)."""
    return v._backward is _hub_pass or v._backward is _in_tensor_pass


def _hub_pass(*_: object) -> tuple:
    return _in_tensor_pass()


def _in_tensor_pass(*_: object) -> tuple:
    raise RuntimeError(
        "this Value is part of a custom autograd.Function, whose backward works on whole tensors: "
        "call backward() on a tensor (loss.backward()), not on one of its Values"
    )
