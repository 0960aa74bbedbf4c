"""The python backend: a step's Value graph written down as a tape of float arithmetic."""

from __future__ import annotations

import builtins
import functools
import math
from collections.abc import Callable
from typing import Any

from micrograd_edu import engine
from micrograd_edu.tensor import Tensor, dtypes
from micrograd_edu.tensor.backend import backend_for
from micrograd_edu.tracing.lower import _Fallback, _Writer
from micrograd_edu.tracing.program import IN_PLACE, Call, CompileError, Slot, Step, _shown
from micrograd_edu.tracing.trace import RETAINS, _backend_functions, run_swapped

# ---- the python backend: the scalar graph as a tape of float arithmetic ---------------------------
# On the python backend a tensor is a list of Values and the engine does backward. A trace runs the
# step eagerly and, when backward is called, writes down the Value graph it is about to walk: for each
# node in topological order its op on floats and its inputs' slots; for backward each node's
# `_backward` on floats in the engine's reverse order, added into gradient slots as `propagate` adds
# them (the same additions in the same order, each gradient starting from 0.0), so the same bits.
# The tape is written out as one Python function of local floats. What runs after backward (the
# optimizer's in-place updates on Values) is recorded as backend calls and replayed as they are.
# A replay reads the leaves' current floats (parameters' Values, the inputs' Values), runs the tape
# and hands each parameter a fresh `.grad`; the optimizer's calls then update the Values in place.

_FORWARD = {  # an op's forward on floats, as engine.Value computes it
    "+": "{0} + {1}",
    "-": "{0} - {1}",
    "*": "{0} * {1}",
    "/": "{0} / {1}",
    "neg": "-{0}",
    "abs": "abs({0})",
    "exp": "exp({0})",
    "log": "log_({0})",
    "tanh": "tanh({0})",
    "sigmoid": "sigmoid({0})",
    "relu": "0.0 if {0} <= 0.0 else {0}",
    "**": "power({0}, {1})",
}
_INLINE_BACKWARD = {  # the few commonest `_backward`s written out (calling them would cost more)
    "+": ("{g}", "{g}"),
    "-": ("{g}", "-{g}"),
    "*": ("{g} * {1}", "{g} * {0}"),
    "relu": ("{g} * ({out} > 0)",),
    "tanh": ("{g} * (1 - {out} * {out})",),
}


_OFF_THE_GRAPH = {  # backend calls whose new Values do not come from Value ops: a tape's constants
    "compare": "a comparison, a mask",
    "copy": "detach(), as softmax's stabilising max",
    "reduce_max": "max's positions, argmax",
}


def _log(x: float) -> float:
    if x <= 0.0:  # eager raises here: the replay falls back to eager, which raises
        raise ValueError("log of a number <= 0")
    return math.log(x)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _power(a: float, b: float) -> float:
    if a < 0.0 and not b.is_integer() and math.isfinite(b):
        raise ValueError("a negative base needs a whole exponent")
    return a * a if b == 2.0 else a * a * a if b == 3.0 else a**b


def _clamp(x: float, low: float, high: float) -> float:
    x = low if x < low or low != low else x
    return high if x > high or high != high else x


class Tape:
    """The Value graph of one step: leaves (read at replay), ops, and the lines that replay them."""

    def __init__(self) -> None:
        self.params: list[tuple[int, Any]] = []  # (slot, Value): a Value whose .data is read each replay
        self.inputs: list[tuple[int, int, int]] = []  # (slot, argument index, element index)
        self.constants: dict[int, float] = {}  # the other leaves' numbers in the trace (for the key)
        self.held: list[tuple[int, Any]] = []  # (slot, Value): the other leaves (a buffer, a global
        # tensor, a number), read at each replay as a parameter is: one may change in place
        self.ops: list[tuple] = []  # (slot, op, input slots, backward) in topological order
        self.grads: list[tuple[Any, list[int]]] = []  # (tensor, its elements' gradient slots)
        self.result: list[int] = []
        self.checks: list[tuple[list[int], float, float]] = []  # (slots, low, high): a range check, again
        self.labels: dict[int, str] = {}  # a leaf's slot -> the element it is ("model.fc1.weight[0, 1]")
        self.size = 0  # the Values in the graph
        self.run: Callable | None = None
        self.source = ""

    def key(self) -> tuple:
        consts = tuple((s, repr(c)) for s, c in self.constants.items())
        ops = tuple((s, op, ins, _backward_key(bw)) for s, op, ins, bw in self.ops)
        checks = tuple((tuple(slots), low, high) for slots, low, high in self.checks)
        return (tuple(s for s, _ in self.params), tuple(self.inputs), consts, ops, tuple(self.result), checks)


def _backward_key(bw: Any) -> tuple:
    if isinstance(bw, functools.partial):
        return (bw.func, bw.args)
    return (bw,)


def _element(name: str, j: int, shape: tuple) -> str:
    """The j-th element (row-major) of a tensor of this shape, by its indices: "w[1, 0]"."""
    index = []
    for size in reversed(shape):
        j, k = divmod(j, size)
        index.append(k)
    return f"{name}[{', '.join(map(str, reversed(index)))}]" if shape else name


def _record_tape(values: list, args: tuple, wanted: list, tape: Tape, names: dict, arg_names: list) -> dict:
    """Write the graph under `values` into the tape; {id(Value): slot}."""
    order = engine.topological_order(values)
    params = {
        id(v): _element(names.get(id(t._data), "p"), j, tuple(t.shape))
        for t in wanted
        for j, v in enumerate(t._data)
    }
    inputs = {
        id(v): (i, j) for i, a in enumerate(args) if isinstance(a, Tensor) for j, v in enumerate(a._data)
    }
    slot_of: dict[int, int] = {}
    for slot, node in enumerate(order):
        slot_of[id(node)] = slot
        if node._prev:
            op = node._op
            if op.startswith("**") and op != "**":
                op = "**n"
            if op not in _FORWARD and op not in ("**n", "clamp"):
                raise CompileError(f"it has the Value op {node._op!r}, which the tape cannot replay yet")
            tape.ops.append((slot, op, tuple(slot_of[id(k)] for k in node._prev), node._backward))
        elif id(node) in inputs:
            i, j = inputs[id(node)]
            tape.inputs.append((slot, i, j))
            name = arg_names[i] if i < len(arg_names) else f"arg{i}"
            tape.labels[slot] = _element(name, j, tuple(args[i].shape))
        elif id(node) in params:
            tape.params.append((slot, node))
            tape.labels[slot] = params[id(node)]
        else:
            tape.constants[slot] = node.data
            tape.held.append((slot, node))
    tape.size = len(order)
    return slot_of


def lower_tape(tape: Tape, roots: list[int], seeds: list[float]) -> tuple[Callable, str]:
    """The tape as one Python function: leaves in, (gradient slots of tape.grads, result) out."""
    w = _Writer()
    w.objects.update(exp=math.exp, tanh=math.tanh, log_=_log, sigmoid=_sigmoid, power=_power, clamp=_clamp)
    lines = w.lines

    def number(x: float) -> str:  # a literal, or a name for inf and nan (which have none)
        return repr(x) if math.isfinite(x) else w.name(x, "number")

    leaves = [s for s, _ in tape.params] + [s for s, _, _ in tape.inputs] + [s for s, _ in tape.held]
    lines.append("# the leaves: the parameters' numbers, the inputs', the others' (read at each replay)")
    lines.extend(
        f"v{s} = leaves[{k}]  # {tape.labels.get(s) or f'now {number(tape.constants[s])}'}"
        for k, s in enumerate(leaves)
    )
    lines.append("# forward: each Value's op, on floats")
    for s, op, ins, bw in tape.ops:
        v = [f"v{i}" for i in ins]
        if op == "**n":
            lines.append(f"v{s} = power({v[0]}, {number(bw.args[0])})")
        elif op == "clamp":
            lines.append(f"v{s} = clamp({v[0]}, {number(bw.args[0])}, {number(bw.args[1])})")
        else:
            lines.append(f"v{s} = " + _FORWARD[op].format(*v))
    for slots, low, high in tape.checks:  # as eager checks them (BCELoss's input in [0, 1]): eager raises
        values = "".join(f"v{s}, " for s in slots)
        lines.append(f"if not all({number(low)} <= x <= {number(high)} for x in ({values})):")
        lines.append("    raise ValueError('a range check of the step fails')")
    started: set[int] = set()

    def add(slot: int, expr: str) -> None:  # `.grad += expr`, the gradient starting from 0.0
        lines.append(f"g{slot} = {f'g{slot}' if slot in started else '0.0'} + {expr}")
        started.add(slot)

    lines.append("# backward: each Value's _backward in the engine's order, added into its inputs' g")
    for r, seed in zip(roots, seeds):
        add(r, number(seed))
    for s, op, ins, bw in reversed(tape.ops):
        g = f"g{s}" if s in started else "0.0"
        if op in _INLINE_BACKWARD and len(_INLINE_BACKWARD[op]) == len(ins):
            parts = [p.format(*(f"v{i}" for i in ins), g=g, out=f"v{s}") for p in _INLINE_BACKWARD[op]]
            for i, p in zip(ins, parts):
                add(i, f"({p})" if op != "+" else p)
            continue
        call = f"{w.name(bw, 'backward')}({g}, v{s}, {', '.join(f'v{i}' for i in ins)})"
        if len(ins) == 1:
            add(ins[0], f"{call}[0]")
        else:
            lines.append(f"r = {call}")
            for k, i in enumerate(ins):
                add(i, f"r[{k}]")
    grads = ", ".join(
        "[" + ", ".join(f"g{s}" if s in started else "0.0" for s in slots) + "]" for _, slots in tape.grads
    )
    result = ", ".join(f"v{s}" for s in tape.result)
    lines.append(f"return [{grads}], [{result}]")
    source = "def tape(leaves):\n" + "".join(f"    {line}\n" for line in lines)
    namespace = dict(w.objects)
    exec(builtins.compile(source, "<compiled tape>", "exec"), namespace)
    return namespace["tape"], source


class PythonProgram:
    """A python-backend step: the tape (forward and backward on floats), then the calls after backward."""

    def __init__(self) -> None:
        self.tape = Tape()
        self.roots: list[int] = []
        self.seeds: list[float] = []
        self.names: list[str] = []  # the update calls' slots
        self.captured: dict[int, Any] = {}  # slot -> the list of Values itself (updated in place)
        self.grad_slots: list[int] = []  # the update slot of each tape.grads tensor's .grad data
        self.instructions: list[Call] = []
        self.result: Any = None  # ("tape", shape, dtype) or None
        self.leaves: list[tuple[Tensor, Any]] = []
        self.state: Any = None  # what it was traced with (guards.state_of)
        self.flags_after: list[tuple] = []  # (module, flag) fn's own train()/eval() left changed
        self.held: list = []  # the non-tensor arguments keyed by identity, kept so no id is reused
        self.arg_names: list[str] = []
        self.grad_names: list[str] = []  # the name of each tape.grads tensor
        self.source = ""

    def has_backward(self) -> bool:
        return True  # trace_python writes a program only at backward

    def unread(self, tensors: list[Tensor]) -> list[Tensor]:
        """Those of these tensors (a module's buffers and frozen weights, a tensor fn names) the tape
        does not read as leaves: what a step computes from them without a graph (a target network's
        output) is in the tape as numbers, so their numbers must stay the same (a guard)."""
        read = {id(v) for _, v in self.tape.params} | {id(v) for _, v in self.tape.held}
        found = {id(t): t for t in tensors}.values()
        return [t for t in found if not all(id(v) in read for v in t._data)]

    def key(self) -> tuple:
        calls = tuple(i.key() for i in self.instructions)
        return (self.tape.key(), tuple(self.roots), tuple(map(repr, self.seeds)), calls, tuple(self.captured))

    def picture(self) -> tuple[list[Step], dict[int, Slot]]:
        """What draw(program) shows: the tape as one box (its leaves in, the gradients out), then
        each call after backward, as for a numpy program."""
        slots = {s: Slot(name, "intermediate", "") for s, name in enumerate(self.names)}
        slot_of = {id(data): s for s, data in self.captured.items()}
        leaves = []
        for name, (t, _) in zip(self.grad_names, self.tape.grads):
            s = slot_of.get(id(t._data))
            if s is None:  # a parameter no call after backward reads: a box of its own
                s = len(slots)
            slots[s] = Slot(name, "parameter", str(tuple(t.shape)) if t.shape else "scalar")
            leaves.append(s)
        for name in self.arg_names:
            slots[len(slots)] = Slot(name, "input", "")
            leaves.append(len(slots) - 1)
        for s in self.grad_slots:
            slots[s] = Slot(self.names[s], "output", slots[s].shape)
        for s in self.captured:
            if slots[s].kind == "intermediate":
                slots[s] = Slot(self.names[s], "parameter", "")
        tape = f"tape of {self.tape.size} Values: forward and backward on floats"
        steps = [Step("tape", tape, leaves, list(self.grad_slots))]
        for instr in self.instructions:
            reads = [v for kind, v in instr.args if kind == "slot"]
            writes = [reads[0]] if instr.name in IN_PLACE else [s for _, s in instr.outs]
            steps.append(Step("update", instr.name, reads, writes))
        return steps, slots

    def __str__(self) -> str:
        """The tape one float op a line (its leaves named), then the calls after backward."""
        if self.tape.run is None:
            self.tape.run, self.tape.source = lower_tape(self.tape, self.roots, self.seeds)
            self.source = self.tape.source
        body = self.tape.source.splitlines()[1:-1]  # the function's lines, without def and return
        lines = [f"program({', '.join(self.arg_names)}):  a tape of {self.tape.size} Values, on floats"]
        lines += ["  " + line[4:] for line in body]
        lines.append("  # after backward")
        for instr in self.instructions:
            outs = ", ".join(self.names[s] for _, s in instr.outs)
            call = f"{instr.name}({', '.join(_shown(a, self.names) for a in instr.args)})"
            lines.append(f"  {outs + ' = ' if outs else ''}{call}")
        for name, (_, slots) in zip(self.grad_names, self.tape.grads):
            more = f", ... ({len(slots)} numbers)" if len(slots) > 4 else ""
            lines.append(f"  {name}.grad = [{', '.join(f'g{s}' for s in slots[:4])}{more}]")
        return "\n".join(lines)


class PythonTracer:
    """Runs fn eagerly on the python backend: the tape at backward, the backend calls after it."""

    def __init__(self, args: tuple, names: dict[int, str], arg_names: list[str]) -> None:
        self.args, self.names, self.arg_names = args, names, arg_names
        self.program = PythonProgram()
        self.program.arg_names = [n for a, n in zip(args, arg_names) if isinstance(a, Tensor)]
        self.lists: list[Any] = []  # every slot's list, kept alive so no id is reused
        self.slot_of: dict[int, int] = {}
        self.depth = 0
        self.after_backward = False
        self.refused = ""  # why this step cannot be replayed, found while it ran
        self.checks: list[tuple[list, float, float]] = []  # (Values, low, high): range checks before backward
        self.graph_slots: dict[int, int] = {}

    def new_slot(self, data: Any, prefix: str) -> int:
        slot = len(self.lists)
        self.lists.append(data)
        self.slot_of[id(data)] = slot
        self.program.names.append(self.names.get(id(data), f"{prefix}{slot}"))
        return slot

    def spec(self, arg: Any) -> tuple:
        if isinstance(arg, list) and arg and isinstance(arg[0], engine.Value):
            slot = self.slot_of.get(id(arg))
            if slot is None:
                if any(v._prev for v in arg):
                    raise CompileError(
                        "it uses numbers of this step's graph after backward (not a parameter's or the "
                        "optimizer's), which the python backend's tape cannot replay yet"
                    )
                slot = self.new_slot(arg, "c")
                self.program.captured[slot] = arg
            return ("slot", slot)
        if isinstance(arg, (tuple, list)) and any(isinstance(a, list) for a in arg):
            return ("seq", (type(arg)(), tuple(self.spec(a) for a in arg)))
        return ("const", arg)

    def refuse(self, why: str) -> None:
        """This step cannot be replayed: it goes on eagerly, and compile runs it eagerly from now on
        (the first reason found is the one given)."""
        self.refused = self.refused or why

    def recording(self, name: str, fn: Callable) -> Callable:
        def call(*args: Any) -> Any:
            if self.depth or self.refused or not self.after_backward:
                if self.depth or self.refused:
                    return fn(*args)
                if name in IN_PLACE:
                    self.refuse(
                        f"it updates a tensor in place before backward ({name}: BatchNorm's running "
                        "statistics, say), which the python backend's tape cannot replay"
                    )
                if name == "outside":  # a range check: the tape makes it again
                    self.checks.append((args[0], args[1], args[2]))
                if name in _OFF_THE_GRAPH:
                    self.refuse(
                        f"it makes numbers from tensor values outside the graph ({_OFF_THE_GRAPH[name]}), "
                        "which the python backend's tape would keep from the trace as constants"
                    )
                return fn(*args)
            try:
                spec = tuple(self.spec(a) for a in args)
            except CompileError as e:
                self.refuse(str(e))
                return fn(*args)
            self.depth += 1
            try:
                result = fn(*args)
            finally:
                self.depth -= 1
            outs: list[tuple[int | None, int]] = []
            parts = result if isinstance(result, tuple) else (result,)
            for k, part in enumerate(parts):
                if isinstance(part, list):
                    outs.append((k if isinstance(result, tuple) else None, self.new_slot(part, "t")))
            self.program.instructions.append(Call(name, fn, spec, tuple(outs), "update"))
            return result

        return call

    def read(self, real: Callable) -> Callable:
        def to_floats(data: Any) -> list[float]:  # the tape cannot read them again: eager
            if not self.depth:
                self.refuse(
                    "it reads numbers into Python (.item(), tolist(), print, a branch on a tensor), which "
                    "the python backend's tape cannot check again at a replay"
                )
            return real(data)

        return to_floats

    def backprop(self, real: Callable) -> Callable:
        def backprop(roots, seeds, order, wanted, retain_graph, create_graph, hooked):  # type: ignore[no-untyped-def]
            if self.after_backward:
                self.refuse("it calls backward more than once (the python backend's tape has one backward)")
            if create_graph:
                self.refuse("it calls backward(create_graph=True), which compile cannot trace")
            if any(t._prev and (t._hooks or t._backward is not None) for t in order):
                self.refuse("it has hooks or custom Functions, which the python backend's tape cannot replay")
            if any(getattr(t, "_retains", False) for t in wanted):
                self.refuse(RETAINS)
            if any(t.dtype != dtypes.float64 for t in [*roots, *wanted]):
                self.refuse(
                    "it computes in float32: the python backend rounds each op to float32, which the "
                    "tape (of Python floats) would not"
                )
            if self.refused:
                return real(roots, seeds, order, wanted, retain_graph, create_graph, hooked)
            program = self.program
            values = [v for r in roots for v in r._data]
            try:
                self.graph_slots = _record_tape(
                    values, self.args, wanted, program.tape, self.names, self.arg_names
                )
            except CompileError as e:
                self.refuse(str(e))
                return real(roots, seeds, order, wanted, retain_graph, create_graph, hooked)
            for data, low, high in self.checks:
                if any(id(v) not in self.graph_slots for v in data):
                    self.refuse("it checks the range of numbers outside the graph backward walks")
                program.tape.checks.append(([self.graph_slots.get(id(v), 0) for v in data], low, high))
            program.roots = [self.graph_slots[id(v)] for v in values]
            program.seeds = [float(g.data) for s in seeds for g in s._data]
            new = real(roots, seeds, order, wanted, retain_graph, create_graph, hooked)
            for t in wanted:
                if id(t) in new and not t._prev:  # a leaf's .grad (others: only what an observer sees)
                    program.tape.grads.append((t, [self.graph_slots[id(v)] for v in t._data]))
                    program.grad_names.append(self.names.get(id(t._data), "p"))
                    program.grad_slots.append(self.new_slot(new[id(t)], "g"))
                    program.names[-1] = f"{program.grad_names[-1]}.grad"
            self.after_backward = True
            return new

        return backprop


def trace_python(
    fn: Callable, args: tuple, names: dict[int, str], arg_names: list[str]
) -> tuple[PythonProgram | str, Any]:
    """Run fn(*args) eagerly on the python backend, writing down its tape and later calls; instead
    of a program, why there is none (fn did not call backward: the tape is written at backward)."""
    backend = backend_for("python")
    tracer = PythonTracer(args, names, arg_names)
    originals = _backend_functions(backend)
    swapped = {name: tracer.recording(name, f) for name, f in originals.items()}
    swapped["backprop"] = tracer.backprop(backend.backprop)
    swapped["to_floats"] = tracer.read(backend.to_floats)
    result = run_swapped(backend, swapped, fn, args)
    program = tracer.program
    if tracer.refused:
        return tracer.refused, result
    if not tracer.after_backward:
        return "the python backend replays training steps: fn must call backward()", result
    for (t, _), slot in zip(program.tape.grads, program.grad_slots):
        if t.grad is None or t.grad._data is not tracer.lists[slot]:
            return (
                "a .grad accumulated over an earlier one (no zero_grad() in the step): compile (python "
                "backend) replays steps that start from fresh gradients; call optimizer.zero_grad() in fn"
            ), result
        program.leaves.append((t, t._data))
    if result is not None:
        if not isinstance(result, Tensor) or any(id(v) not in tracer.graph_slots for v in result._data):
            return "a compiled python-backend step replays when it returns its loss tensor (or None)", result
        program.tape.result = [tracer.graph_slots[id(v)] for v in result._data]
        program.result = (result.shape, result.dtype)
    return program, result


@engine.collector_pausing  # as the backend's ops: the replay's Values make no cycles
def replay_python(program: PythonProgram, args: tuple) -> Any:
    """Run the tape on the current leaves (raises _Fallback before changing anything if a float op
    fails, as eager would raise), set each parameter's .grad, then run the calls after backward."""
    tape = program.tape
    if tape.run is None:
        tape.run, tape.source = lower_tape(tape, program.roots, program.seeds)
        program.source = tape.source
    leaves = [v.data for _, v in tape.params]
    leaves += [args[i]._data[j].data for _, i, j in tape.inputs]
    leaves += [v.data for _, v in tape.held]
    try:
        grads, result = tape.run(leaves)
    except (ArithmeticError, ValueError) as e:
        raise _Fallback(str(e)) from None
    env: list[Any] = [None] * len(program.names)
    for slot, data in program.captured.items():
        env[slot] = data
    backend = backend_for("python")
    for (t, _), slot, gs in zip(tape.grads, program.grad_slots, grads):
        data = [engine.Value(g) for g in gs]
        for v, g in zip(t._data, gs):
            v.grad = g
        env[slot] = data
        t.grad = Tensor(data, t.shape, backend, dtype=t.dtype)
    for instr in program.instructions:
        instr.run(env)
    if program.result is None:
        return None
    shape, dtype = program.result
    return Tensor([engine.Value(x) for x in result], shape, backend, dtype=dtype)


def _check_captured_lists(old: PythonProgram, new: PythonProgram) -> None:
    """As _check_captured, for the lists of Values the calls after backward read."""
    for slot, data in new.captured.items():
        before = old.captured[slot]
        if before is not data and [v.data for v in before] != [v.data for v in data]:
            raise CompileError(
                f"the Values {new.names[slot]} came from outside the traced step and changed between two "
                "calls: compute them with tensor ops inside the compiled function"
            )
