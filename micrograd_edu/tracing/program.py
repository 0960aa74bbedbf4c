"""The compiled program: its slots (arrays), its instructions, and how it prints."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from micrograd_edu.tensor import Tensor


class CompileError(RuntimeError):
    """fn cannot be compiled as it is: the message says why and what to do."""


class InvalidBackend(RuntimeError):
    """compile(backend=...) names no backend there is (PyTorch's torch._dynamo.exc.InvalidBackend)."""


class _Retrace(Exception):
    """A guard failed during a replay: trace again."""


# ---- the program: slots (arrays) and instructions -------------------------------------------


class Call:
    """`outs = fn(*args)`: one backend primitive; an argument is a slot (an array) or a constant."""

    def __init__(self, name: str, fn: Callable, args: tuple, outs: tuple, phase: str) -> None:
        self.name, self.fn, self.args, self.outs, self.phase = name, fn, args, outs, phase
        self.told: list[tuple[int | None, Any]] = []  # (position or None, numbers) given to Python: guards

    def run(self, env: list) -> None:
        result = self.fn(*[_resolve(a, env) for a in self.args])
        for position, slot in self.outs:
            env[slot] = result if position is None else result[position]

    def key(self) -> tuple:
        return ("call", self.name, _keyed(self.args), self.outs)


class Backward:
    """`grads = closure(g, ins, out)`: the backward function an earlier Call returned."""

    def __init__(self, closure: int, g: int, ins: tuple, out: int, flags: tuple, outs: tuple) -> None:
        self.closure, self.g, self.ins, self.out, self.outs = closure, g, ins, out, outs
        self.parents = tuple(SimpleNamespace(requires_grad=f) for f in flags)
        self.phase, self.flags = "backward", flags

    def run(self, env: list) -> None:
        parts = env[self.closure](env[self.g], tuple(env[i] for i in self.ins), env[self.out], self.parents)
        for k, slot in self.outs:
            env[slot] = parts[k]

    def key(self) -> tuple:
        return ("backward", self.closure, self.g, self.ins, self.out, self.flags, self.outs)


class Accumulate:
    """`out = a + b`: a gradient reaching a tensor a second time is added, as backprop adds it."""

    def __init__(self, a: int, b: int, out: int) -> None:
        self.a, self.b, self.out, self.phase = a, b, out, "backward"

    def run(self, env: list) -> None:
        env[self.out] = env[self.a] + env[self.b]

    def key(self) -> tuple:
        return ("add", self.a, self.b, self.out)


class Own:
    """`out = copy(a)`: a gradient kept in `.grad` gets storage of its own, as backprop gives it."""

    def __init__(self, a: int, out: int, np: Any) -> None:
        self.a, self.out, self.phase, self.np = a, out, "backward", np

    def run(self, env: list) -> None:
        env[self.out] = self.np.array(env[self.a], order="C")

    def key(self) -> tuple:
        return ("own", self.a, self.out)


class Reshaped:
    """`out = a.reshape(shape)`: a view made outside the backend (a Function's grad_output)."""

    def __init__(self, a: int, shape: tuple, out: int, phase: str) -> None:
        self.a, self.shape, self.out, self.phase = a, shape, out, phase

    def run(self, env: list) -> None:
        env[self.out] = env[self.a].reshape(self.shape)

    def key(self) -> tuple:
        return ("reshape", self.a, self.shape, self.out)


class ValueRead:
    """The trace read these numbers into Python (`.item()`, a mask's positions for x[x > 0]).
    Python may have decided something on them (a branch, a constant, an index), which a replay
    cannot redo: so if the numbers differ on replay, the call is traced again."""

    def __init__(self, a: int, values: list, phase: str) -> None:
        self.a, self.values, self.phase = a, values, phase

    def run(self, env: list) -> None:
        if env[self.a].ravel().tolist() != self.values:
            raise _Retrace(f"numbers read into Python during the trace changed (slot {self.a})")

    def key(self) -> tuple:
        return ("read", self.a)


def _keyed(args: tuple) -> tuple:
    """Arguments as two traces compare them: a function constant by its code, not its identity
    (a closure made afresh each call is the same closure)."""
    out: list[tuple] = []
    for kind, value in args:
        if kind == "seq":
            out.append((kind, type(value[0]), _keyed(value[1])))
        elif inspect.isfunction(value):
            out.append((kind, value.__code__))
        else:
            out.append((kind, value))
    return tuple(out)


def _resolve(arg: tuple, env: list) -> Any:
    kind, value = arg
    if kind == "slot":
        return env[value]
    if kind == "seq":
        return type(value[0])(_resolve(a, env) for a in value[1])
    return value


class Program:
    """What a trace wrote down: the slots' names, the captured arrays (parameters, optimizer state,
    constants), the inputs' slots, the instructions, and which tensors get which results."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.roles: list[str] = []  # each slot's role, as made: "" input, "c" captured, "t", "g", "vjp"
        self.layouts: list[tuple] = []  # each slot's (shape, dtype) in the trace: the size of a buffer for it
        self.captured: dict[int, Any] = {}  # slot -> the array itself (read and written in place)
        self.inputs: list[int] = []
        self.instructions: list[Any] = []
        self.grads: list[tuple[Tensor, int]] = []  # a leaf's .grad after the step
        self.result: Any = None  # how to build fn's return value from slots
        self.leaves: list[tuple[Tensor, Any]] = []  # tensors whose storage the program holds
        self.state: Any = None  # what it was traced with (guards.state_of)
        self.flags_after: list[tuple] = []  # (module, flag) fn's own train()/eval() left changed
        self.held: list = []  # the non-tensor arguments keyed by identity, kept so no id is reused
        self.run: Callable[[list], None] | None = None  # the instructions as one function (see lower)
        self.source = ""  # that function's Python source

    def key(self) -> tuple:
        """What two traces must share for the program to be the same one."""
        return (tuple(i.key() for i in self.instructions), tuple(self.inputs), tuple(self.captured))

    def has_backward(self) -> bool:
        return any(instr.phase == "backward" for instr in self.instructions)

    def result_slots(self) -> list[int]:
        """The slots the step leaves behind: the leaves' gradients and fn's result."""
        slots = [slot for _, slot in self.grads]
        todo = [self.result]
        while todo:
            spec = todo.pop()
            if spec is None:
                continue
            if spec[0] == "tensor":
                slots.append(spec[1])
            else:
                todo.extend(spec[2])
        return list(dict.fromkeys(slots))

    def live(self) -> list[bool]:
        """Dead-code elimination: which instructions the step needs. Walking from the last one
        back, an instruction is needed if it has an effect (writes into the step's state, may raise
        as eager would, or is a guard) or writes a slot something needed reads; then what it reads
        is needed too. The rest (a reshape whose view nothing uses) is left out of the replay."""
        needed, live = set(self.result_slots()), [False] * len(self.instructions)
        for k in reversed(range(len(self.instructions))):
            instr = self.instructions[k]
            if _has_effect(instr) or any(s in needed for s in _writes(instr)):
                live[k] = True
                needed.update(_reads(instr))
        return live

    def late_reads(self) -> tuple[set[int], str]:
        """Guards that come after the first update in place (loss.item() after opt.step()). A
        replay must check every guard before it changes anything: a check that failed after the
        update would trace again, and the trace would update a second time. So a read of numbers
        final before the first update is checked there (the positions of those reads, returned);
        and if a guard reads what an update may have changed (a weight after opt.step()), or a call
        after an update hands Python an answer, no replay can stand in for the step (the reason)."""
        first = next((k for k, i in enumerate(self.instructions) if _writes_in_place(i)), None)
        if first is None:
            return set(), ""
        updated = {_reads(i)[0] for i in self.instructions[first:] if _writes_in_place(i)}
        made_at = {s: k for k, i in enumerate(self.instructions) for s in _writes(i)}
        hoisted = set()
        for k, instr in enumerate(self.instructions[first:], first):
            if isinstance(instr, Call) and instr.told:
                return set(), f"it hands Python an answer ({instr.name}) after updating in place (opt.step())"
            if isinstance(instr, ValueRead):
                if instr.a in updated or made_at.get(instr.a, -1) > first:
                    return set(), (
                        "it reads numbers into Python (.item(), print) that its own update in place "
                        "(opt.step()) may change: a replay checks what Python read before it updates"
                    )
                hoisted.add(k)
        return hoisted, ""

    def picture(self) -> tuple[list[Step], dict[int, Slot]]:
        """What draw(program) shows: each instruction and each array it reads or writes."""
        steps: list[Step] = []
        made_by: dict[int, int] = {}  # a backward function's slot -> the instruction that made it
        for k, (instr, live) in enumerate(zip(self.instructions, self.live())):
            reads, writes = _reads(instr), _writes(instr)
            if isinstance(instr, Call) and instr.name in IN_PLACE:
                writes = [reads[0]]  # the array it updates
            vjps = [s for s in writes if self.roles[s] == "vjp"]
            made_by.update((s, k) for s in vjps)
            closure = instr.closure if isinstance(instr, Backward) else None
            op = _call_name(instr) if isinstance(instr, Call) else _op_of(instr, self.names)
            reads = [s for s in reads if s != closure]
            writes = [s for s in writes if s not in vjps]
            maker = None if closure is None else made_by.get(closure)
            steps.append(Step(instr.phase, op, reads, writes, live, maker))
        arrays = [s for s, role in enumerate(self.roles) if role != "vjp"]
        results = set(self.result_slots())
        return steps, {s: Slot(self.names[s], self._kind(s, results), self._shape(s)) for s in arrays}

    def _kind(self, slot: int, results: set[int]) -> str:
        """What a slot is, in the pictures' words: a captured array with a name is state (a
        parameter, an optimizer's buffer), one without (c20) a constant."""
        if slot in self.inputs:
            return "input"
        if slot in results:
            return "output"
        if slot in self.captured:
            return "constant" if self.names[slot] == f"c{slot}" else "parameter"  # state has a name
        return "intermediate"

    def _shape(self, slot: int) -> str:
        shape = self.layouts[slot][0] if slot < len(self.layouts) else None
        return "" if shape is None else str(tuple(shape)) if shape else "scalar"

    def __str__(self) -> str:
        lines, phase = [], None
        heads = {"forward": "# forward", "backward": "# backward", "update": "# after backward"}
        ins = ", ".join(self.names[i] for i in self.inputs)
        lines.append(f"program({ins}):")
        for instr, live in zip(self.instructions, self.live()):
            if instr.phase != phase:
                phase = instr.phase
                lines.append(f"  {heads[phase]}")
            dead = "" if live else "   ; dead: nothing reads it, not replayed"
            lines.append("  " + self._line(instr) + dead)
        for t, slot in self.grads:
            lines.append(f"  {self._leaf_name(t)}.grad = {self.names[slot]}")
        return "\n".join(lines)

    def _leaf_name(self, t: Tensor) -> str:
        for leaf, array in self.leaves:
            if leaf is t:
                for slot, a in self.captured.items():
                    if a is array:
                        return self.names[slot]
        return "?"

    def _line(self, instr: Any) -> str:
        n = self.names
        if isinstance(instr, Call):
            outs = [n[s] for _, s in instr.outs if self.roles[s] != "vjp"]
            vjp = [n[s] for _, s in instr.outs if self.roles[s] == "vjp"]
            call = f"{_call_name(instr)}({', '.join(_shown(a, n) for a in _shown_args(instr))})"
            target = ", ".join(outs) + " = " if outs else ""
            told = "   ; guard: Python used its answer, which must be the same" if instr.told else ""
            return target + call + (f"   ; backward {vjp[0]}" if vjp else "") + told
        if isinstance(instr, Backward):
            grads = ", ".join(n[s] for _, s in instr.outs) or "_"
            return f"{grads} = {n[instr.closure]}({n[instr.g]})"
        if isinstance(instr, Accumulate):
            return f"{n[instr.out]} = add({n[instr.a]}, {n[instr.b]})"
        if isinstance(instr, Own):
            return f"{n[instr.out]} = copy({n[instr.a]})"
        if isinstance(instr, Reshaped):
            return f"{n[instr.out]} = reshape({n[instr.a]}, {instr.shape})"
        return f"read {n[instr.a]}   ; guard: the same numbers"


IN_PLACE = {"scale", "add_scaled", "assign", "assign_at"}  # backend calls that write into an argument


@dataclass
class Step:
    """One instruction as a picture shows it: its phase, its op, the slots it reads and writes (an
    in-place update writes the array it read first), whether the replay runs it, and for a backward
    function the instruction that made it."""

    phase: str
    op: str
    reads: list[int]
    writes: list[int]
    live: bool = True
    made_by: int | None = None


@dataclass
class Slot:
    """One array of a program: its name, what it is (input, parameter, constant, intermediate,
    output) and its shape."""

    name: str
    kind: str
    shape: str


def _op_of(instr: Any, names: list[str]) -> str:
    if isinstance(instr, Backward):
        return names[instr.closure]
    return {"Accumulate": "add", "Own": "copy", "Reshaped": "reshape", "ValueRead": "read"}[
        type(instr).__name__
    ]


def _has_effect(instr: Any) -> bool:
    if isinstance(instr, Call):
        can_fail = instr.name == "elementwise" and instr.args[0][1].can_fail
        return instr.name in IN_PLACE or can_fail or bool(instr.told)
    return isinstance(instr, ValueRead)


def _writes_in_place(instr: Any) -> bool:
    return isinstance(instr, Call) and instr.name in IN_PLACE


def _writes(instr: Any) -> list[int]:
    if isinstance(instr, (Call, Backward)):
        return [slot for _, slot in instr.outs]
    return [instr.out] if hasattr(instr, "out") and not isinstance(instr, ValueRead) else []


def _reads(instr: Any) -> list[int]:
    if isinstance(instr, Call):
        return _slots_in(instr.args)
    if isinstance(instr, Backward):
        return [instr.closure, instr.g, *instr.ins, instr.out]
    if isinstance(instr, Accumulate):
        return [instr.a, instr.b]
    return [instr.a]  # Own, Reshaped, ValueRead


def _slots_in(args: tuple) -> list[int]:
    found: list[int] = []
    for kind, value in args:
        if kind == "slot":
            found.append(value)
        elif kind == "seq":
            found += _slots_in(value[1])
    return found


def _call_name(instr: Call) -> str:
    if instr.name == "elementwise":
        return instr.args[0][1].name
    return instr.name


def _shown_args(instr: Call) -> tuple:
    if instr.name == "elementwise":  # (op, arrays, shapes, shape, params): the arrays and the params
        arrays, params = instr.args[1], instr.args[4]
        return (*arrays[1][1], *(("const", p) for p in params[1]))
    return instr.args


def _shown(arg: tuple, names: list[str]) -> str:
    kind, value = arg
    if kind == "slot":
        return names[value]
    if kind == "seq":
        inner = ", ".join(_shown(a, names) for a in value[1])
        return f"[{inner}]"
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return repr(value)
