"""Tracing: the numpy backend's functions swapped for recording ones while a step runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from micrograd_edu import engine
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.backend import backend_for
from micrograd_edu.tracing.program import (
    Accumulate,
    Backward,
    Call,
    CompileError,
    Own,
    Program,
    Reshaped,
    ValueRead,
)

# ---- tracing: the backend's functions swapped for recording ones ----------------------------------


class Tracer:
    """Writes a Program while fn runs with the real engine."""

    def __init__(self, np: Any, backend: Any, names: dict[int, str]) -> None:
        self.np, self.backend, self.known_names = np, backend, names
        self.arrays_types = (np.ndarray, np.generic)  # a full reduction gives a numpy scalar
        self.program = Program()
        self.arrays: list[Any] = []  # every slot's array: kept alive, so no id is reused
        self.slot_of: dict[int, int] = {}
        self.closure_of: dict[int, int] = {}  # id(backward closure) -> its slot
        self.depth = 0  # > 0 inside a recorded call: what it calls inside is its own business
        self.phase = "forward"
        self.wanted: list[Tensor] = []
        self.refused = ""  # why a replay cannot stand in for this step, found while it ran
        self.real_backprop: Callable | None = None

    def new_slot(self, array: Any, prefix: str) -> int:
        slot = len(self.arrays)
        self.arrays.append(array)
        self.slot_of[id(array)] = slot
        self.program.names.append(f"{prefix}{slot}")
        self.program.roles.append(prefix)
        self.program.layouts.append((getattr(array, "shape", None), getattr(array, "dtype", None)))
        return slot

    def input(self, t: Tensor, name: str) -> None:
        slot = self.new_slot(t._data, "")
        self.program.names[slot] = name
        self.program.inputs.append(slot)

    def slot(self, array: Any) -> int:
        """The slot of an array: known, a view of a known one, or captured from outside."""
        slot = self.slot_of.get(id(array))
        if slot is not None:
            return slot
        base = getattr(array, "base", None)
        if base is not None and id(base) in self.slot_of and base.size == array.size:
            slot = self.new_slot(array, "t")
            self.program.instructions.append(Reshaped(self.slot_of[id(base)], array.shape, slot, self.phase))
            return slot
        slot = self.new_slot(array, "c")
        self.program.names[slot] = self.known_names.get(id(array), f"c{slot}")
        self.program.captured[slot] = array
        return slot

    def spec(self, arg: Any) -> tuple:
        if isinstance(arg, self.arrays_types):
            return ("slot", self.slot(arg))
        if isinstance(arg, (tuple, list)) and any(isinstance(a, self.arrays_types) for a in arg):
            return ("seq", (type(arg)(), tuple(self.spec(a) for a in arg)))
        return ("const", arg)

    def recording(self, name: str, fn: Callable) -> Callable:
        def call(*args: Any) -> Any:
            if self.depth or self.refused:
                return fn(*args)
            spec = tuple(self.spec(a) for a in args)
            self.depth += 1
            try:
                result = fn(*args)
            finally:
                self.depth -= 1
            outs: list[tuple[int | None, int]] = []
            told: list[tuple[int | None, Any]] = []  # numbers it hands to Python (reduce_max's positions)
            parts = result if isinstance(result, tuple) else (result,)
            for k, part in enumerate(parts):
                position = k if isinstance(result, tuple) else None
                if isinstance(part, self.arrays_types):
                    outs.append((position, self.new_slot(part, "t")))
                elif callable(part):
                    slot = self.new_slot(part, "vjp")
                    self.closure_of[id(part)] = slot
                    outs.append((position, slot))
                elif isinstance(part, list):
                    told.append((position, list(part)))
            call = Call(name, fn, spec, tuple(outs), self.phase)
            call.told = told  # what Python made of them (an argmax's indices) is baked in: a guard
            self.program.instructions.append(call)
            return result

        return call

    def read(self, array: Any) -> list[float]:
        """A read into Python, written down: a guard (a branch on `loss.item()`, a mask's positions)."""
        values = array.ravel().tolist()
        if not self.depth and not self.refused:
            self.program.instructions.append(ValueRead(self.slot(array), values, self.phase))
        return values

    def refuse(self, why: str) -> None:
        """A replay cannot stand in for this step: it goes on eagerly (the first reason found)."""
        self.refused = self.refused or why

    def backprop(self, roots, seeds, order, wanted, retain_graph, create_graph, hooked) -> dict[int, Any]:
        """numpy_backend.backprop, written down: the same backward calls and additions, in order."""
        if create_graph:
            self.refuse(
                "it calls backward(create_graph=True) (or autograd.grad with it): compile cannot trace it"
            )
        if any(t._hooks for t in order if t._prev):
            self.refuse(
                "it hooks an intermediate tensor (register_hook), and a replay would not call the hook"
            )
        if self.refused:
            return self.real_backprop(roots, seeds, order, wanted, retain_graph, create_graph, hooked)  # type: ignore[misc]
        self.phase = "backward"
        self.wanted.extend(wanted)
        instrs, grads = self.program.instructions, {}  # type: ignore[var-annotated]
        for r, s in zip(roots, seeds):
            g = self.backend.cast(s._data, r.dtype)
            grads[id(r)] = self._add(grads[id(r)], g) if id(r) in grads else g
        handed_out: set[int] = set()
        for t in reversed(order):
            g = grads.get(id(t))
            if g is None or not t._prev:
                continue
            handed_out.add(id(g))
            prev, backward = t._prev, t._backward
            ins = tuple(p._data for p in prev)
            closure = self.closure_of.get(id(backward))
            if closure is not None:  # the backend's own closure: one opaque call, replayed as one
                g_slot, in_slots, out_slot = (
                    self.slot(g),
                    tuple(self.slot(a) for a in ins),
                    self.slot(t._data),
                )
                self.depth += 1
                try:
                    parts = backward(g, ins, t._data, prev)
                finally:
                    self.depth -= 1
                outs = tuple(
                    (k, self.new_slot(gp, "g"))
                    for k, gp in enumerate(parts)
                    if gp is not None and prev[k].requires_grad
                )
                flags = tuple(p.requires_grad for p in prev)
                instrs.append(Backward(closure, g_slot, in_slots, out_slot, flags, outs))
            else:  # a custom Function's backward: its ops are recorded as it runs them
                parts = backward(g, ins, t._data, prev)
            for parent, gp in zip(prev, parts):
                if gp is not None and parent.requires_grad:
                    grads[id(parent)] = self._add(grads[id(parent)], gp) if id(parent) in grads else gp
            if not retain_graph:
                t._backward = engine.released
        self.phase = "update"
        return {id(t): self._own(grads[id(t)], handed_out) for t in wanted if id(t) in grads}

    def _add(self, a: Any, b: Any) -> Any:
        out = a + b
        self.program.instructions.append(Accumulate(self.slot(a), self.slot(b), self.new_slot(out, "g")))
        return out

    def _own(self, g: Any, handed_out: set[int]) -> Any:
        if id(g) in handed_out or not (g.flags.owndata and g.flags.writeable and g.flags.c_contiguous):
            a = self.slot(g)
            g = self.np.array(g, order="C")
            self.program.instructions.append(Own(a, self.new_slot(g, "g"), self.np))
        handed_out.add(id(g))
        return g


RETAINS = "it keeps an intermediate tensor's gradient (retain_grad()), which a replay has no tensor for"
_NOT_RECORDED = {"quiet", "from_floats", "backprop", "to_floats"}


def _backend_functions(backend: Any) -> dict[str, Callable]:
    """The backend's primitives: its public functions (what tensors call it by)."""
    return {
        name: f
        for name, f in vars(backend).items()
        if callable(f)
        and not name.startswith("_")
        and getattr(f, "__module__", None) == backend.__name__
        and name not in _NOT_RECORDED
        and not isinstance(f, type)
    }


def run_swapped(backend: Any, swapped: dict[str, Callable], fn: Callable, args: tuple) -> Any:
    """fn(*args) with these of the backend's functions swapped for recording ones, and the
    backend's own put back however fn ends: how both backends' traces watch a step."""
    saved = {name: getattr(backend, name) for name in swapped}
    for name, f in swapped.items():
        setattr(backend, name, f)
    try:
        return fn(*args)
    finally:
        for name, f in saved.items():
            setattr(backend, name, f)


def trace(
    fn: Callable, args: tuple, arg_names: list[str], names: dict[int, str]
) -> tuple[Program | str, Any]:
    """Run fn(*args) with the real engine, writing down its program; (program, fn's result), or
    instead of a program why a replay cannot stand in for fn."""
    import numpy as np

    backend = backend_for("numpy")
    tracer = Tracer(np, backend, names)
    tracer.real_backprop = backend.backprop
    for t, name in zip(args, arg_names):
        if isinstance(t, Tensor):
            tracer.input(t, name)
    originals = _backend_functions(backend)
    swapped = {name: tracer.recording(name, f) for name, f in originals.items()}
    swapped["backprop"] = backend.quiet(tracer.backprop)  # type: ignore[attr-defined]
    swapped["to_floats"] = tracer.read
    result = run_swapped(backend, swapped, fn, args)
    if any(getattr(t, "_retains", False) for t in tracer.wanted):
        tracer.refuse(RETAINS)
    tracer.refuse(tracer.program.late_reads()[1])
    if tracer.refused:
        return tracer.refused, result
    program = tracer.program
    for t in tracer.wanted:
        grad = t.grad
        if (
            grad is not None
            and id(grad._data) in tracer.slot_of
            and tracer.slot_of[id(grad._data)] not in program.captured
        ):
            program.grads.append((t, tracer.slot_of[id(grad._data)]))
        if id(t._data) in tracer.slot_of:
            program.leaves.append((t, t._data))
    try:
        program.result = _result_spec(result, tracer)
    except CompileError as e:  # fn ran: its result is fine, it is only no result a replay can build
        return str(e), result
    return program, result


def _result_spec(result: Any, tracer: Tracer) -> Any:
    if result is None:
        return None
    if isinstance(result, Tensor):
        return ("tensor", tracer.slot(result._data), result.shape, result.dtype)
    if isinstance(result, (tuple, list)):
        return ("seq", type(result), [_result_spec(r, tracer) for r in result])
    raise CompileError(
        f"a compiled function returns tensors (or a tuple of them, or None), not {type(result).__name__}: "
        "return the loss tensor and call .item() on it after the call"
    )
