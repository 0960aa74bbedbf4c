"""compile(fn): trace a training step once, then replay it as a flat program of array calls.

A step (forward, loss, backward, optimizer step) builds a graph of tensors every time it
runs, then throws it away. Its arithmetic is the same every time: only the numbers change.
So run it once with the real engine while writing down every primitive the numpy backend
performs, forward, backward and the optimizer's in-place updates, and from then on run just
that list on the new inputs. No Tensor, no graph, no topological sort: the same numpy calls
in the same order, so the same numbers, bit for bit.

How the writing down works: every tensor op ends in a call of the backend (`numpy_backend`),
found by name at the time of the call (`tensor._backend.elementwise(...)`). While a trace
runs, the backend's functions are swapped for recording ones, which note the call (which
arguments are arrays the program knows, which are constants) and then do it. Nothing is
hooked when no trace runs, so the eager path costs what it did.

    step = micrograd_edu.compile(train_step)
    step(X, y)             # traced (the real engine runs)
    step(X, y)             # traced again: the program must come out the same (see `warmup`)
    step(X, y)             # replayed
    print(step.program)    # one primitive a line, forward and backward

Guards. A program fits the calls it was traced for: a call whose tensors differ in shape,
dtype, backend or requires_grad gets a program of its own (traced on its first call), and
a number read into Python during the trace (`.item()`, `bool(t)`, BCELoss checking its
target) is checked again on replay; if it differs, the step is traced again. What a replay
cannot see is Python that does not touch a tensor (a counter, a schedule changing `lr`):
keep that out of the compiled function, or call `recompile()`.

On the python backend (a tensor is a list of Values) the step's Value graph is written down as a
tape of float arithmetic and replayed as one generated function of floats (see the python backend
section below), bitwise the eager numbers too.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import math
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from micrograd_edu import engine
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.backend import backend_for

WARMUP = 2  # eager traces that must agree before the program is replayed


class CompileError(RuntimeError):
    """fn cannot be compiled as it is: the message says why and what to do."""


class _Retrace(Exception):
    """A guard failed during a replay: trace again."""


# ---- the program: slots (arrays) and instructions -------------------------------------------


class Call:
    """`outs = fn(*args)`: one backend primitive; an argument is a slot (an array) or a constant."""

    def __init__(self, name: str, fn: Callable, args: tuple, outs: tuple, phase: str) -> None:
        self.name, self.fn, self.args, self.outs, self.phase = name, fn, args, outs, phase

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
    """The trace read these numbers into Python (`.item()`, BCELoss checking its input is in
    [0, 1]). Python may have decided something on them, which a replay cannot redo; so with
    `guard_reads` a replay whose numbers differ traces again; without, the read is skipped."""

    def __init__(self, a: int, values: list, phase: str, guard: bool) -> None:
        self.a, self.values, self.phase, self.guard = a, values, phase, guard

    def run(self, env: list) -> None:
        if self.guard and env[self.a].ravel().tolist() != self.values:
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
        self.captured: dict[int, Any] = {}  # slot -> the array itself (read and written in place)
        self.inputs: list[int] = []
        self.instructions: list[Any] = []
        self.grads: list[tuple[Tensor, int]] = []  # a leaf's .grad after the step
        self.result: Any = None  # how to build fn's return value from slots
        self.leaves: list[tuple[Tensor, Any]] = []  # tensors whose storage the program holds
        self.run: Callable[[list], None] | None = None  # the instructions as one function (see lower)
        self.source = ""  # that function's Python source

    def key(self) -> tuple:
        """What two traces must share for the program to be the same one."""
        return (tuple(i.key() for i in self.instructions), tuple(self.inputs), tuple(self.captured))

    def __str__(self) -> str:
        lines, phase = [], None
        heads = {"forward": "# forward", "backward": "# backward", "update": "# after backward"}
        ins = ", ".join(self.names[i] for i in self.inputs)
        lines.append(f"program({ins}):")
        for instr in self.instructions:
            if instr.phase != phase:
                phase = instr.phase
                lines.append(f"  {heads[phase]}")
            lines.append("  " + self._line(instr))
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
            outs = [n[s] for _, s in instr.outs if not n[s].startswith("vjp")]
            vjp = [n[s] for _, s in instr.outs if n[s].startswith("vjp")]
            call = f"{_call_name(instr)}({', '.join(_shown(a, n) for a in _shown_args(instr))})"
            target = ", ".join(outs) + " = " if outs else ""
            return target + call + (f"   ; backward {vjp[0]}" if vjp else "")
        if isinstance(instr, Backward):
            grads = ", ".join(n[s] for _, s in instr.outs) or "_"
            return f"{grads} = {n[instr.closure]}({n[instr.g]})"
        if isinstance(instr, Accumulate):
            return f"{n[instr.out]} = add({n[instr.a]}, {n[instr.b]})"
        if isinstance(instr, Own):
            return f"{n[instr.out]} = copy({n[instr.a]})"
        if isinstance(instr, Reshaped):
            return f"{n[instr.out]} = reshape({n[instr.a]}, {instr.shape})"
        return f"read {n[instr.a]}" + (
            "   ; guard: the same numbers" if instr.guard else "   ; not re-checked"
        )


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
        self.guard_reads = False

    def new_slot(self, array: Any, prefix: str) -> int:
        slot = len(self.arrays)
        self.arrays.append(array)
        self.slot_of[id(array)] = slot
        self.program.names.append(f"{prefix}{slot}")
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
            if self.depth:
                return fn(*args)
            spec = tuple(self.spec(a) for a in args)
            self.depth += 1
            try:
                result = fn(*args)
            finally:
                self.depth -= 1
            outs: list[tuple[int | None, int]] = []
            parts = result if isinstance(result, tuple) else (result,)
            for k, part in enumerate(parts):
                position = k if isinstance(result, tuple) else None
                if isinstance(part, self.arrays_types):
                    outs.append((position, self.new_slot(part, "t")))
                elif callable(part):
                    slot = self.new_slot(part, "vjp")
                    self.closure_of[id(part)] = slot
                    outs.append((position, slot))
            self.program.instructions.append(Call(name, fn, spec, tuple(outs), self.phase))
            return result

        return call

    def read(self, array: Any) -> list[float]:
        values = array.ravel().tolist()
        if not self.depth:
            self.program.instructions.append(
                ValueRead(self.slot(array), values, self.phase, self.guard_reads)
            )
        return values

    def backprop(self, roots, seeds, order, wanted, retain_graph, create_graph, hooked) -> dict[int, Any]:
        """numpy_backend.backprop, written down: the same backward calls and additions, in order."""
        if create_graph:
            raise CompileError(
                "compile cannot trace backward(create_graph=True): compile the step without it"
            )
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
            if t._hooks:
                raise CompileError(
                    f"compile cannot trace a tensor hook (on the output of {t._op}): remove it"
                )
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


def trace(
    fn: Callable, args: tuple, arg_names: list[str], names: dict[int, str], guard_reads: bool = False
) -> tuple[Program, Any]:
    """Run fn(*args) with the real engine, writing down its program; (program, fn's result)."""
    import numpy as np

    backend = backend_for("numpy")
    tracer = Tracer(np, backend, names)
    tracer.guard_reads = guard_reads
    for t, name in zip(args, arg_names):
        if isinstance(t, Tensor):
            tracer.input(t, name)
    originals = _backend_functions(backend)
    swapped = {name: tracer.recording(name, f) for name, f in originals.items()}
    swapped["backprop"] = backend.quiet(tracer.backprop)  # type: ignore[attr-defined]
    swapped["to_floats"] = tracer.read
    saved = {name: getattr(backend, name) for name in swapped}
    for name, f in swapped.items():
        setattr(backend, name, f)
    try:
        result = fn(*args)
    finally:
        for name, f in saved.items():
            setattr(backend, name, f)
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
    program.result = _result_spec(result, tracer)
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


# ---- lowering: the program as one Python function of plain numpy calls -------------------------
# Replaying a Call through the backend function costs more than its arithmetic on small arrays:
# the function's warning-free context, its finiteness check, a fresh backward closure, and the
# replay loop's own calls. So before the first replay the program is written out as the source of
# one Python function, a line per instruction, each slot a local variable, and compiled by Python
# (`program.source` shows it). An elementwise op becomes its numpy forward and, in backward, the
# engine's backward function (both from the backend through `elementwise_parts`, the functions eager
# runs, so the same bits); any other backend function is called without its warning wrapper (the
# whole replay runs in one warning-free context).
#
# The finiteness checks eager makes (log of 0 raises) are made once: every array eager would check
# is summed before the first instruction that writes into an array of the step's state (an
# optimizer's update). A sum that is not finite means some element is not (or the sum overflowed);
# nothing has been changed yet, so that step runs eagerly instead, and raises (or not) as eager does.

_IN_PLACE = {"scale", "add_scaled", "assign", "assign_at"}  # backend calls that write into an argument


class _Fallback(Exception):
    """An array eager checks has an inf or nan: run this step eagerly (it raises, or gives the nan)."""


class _Writer:
    """The source of the replay function: its lines and the objects they name (k0, k1, ...)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.objects: dict[str, Any] = {}

    def name(self, obj: Any, label: str = "") -> str:
        label = label or getattr(obj, "__name__", "")
        key = f"{label if label.isidentifier() else 'k'}_{len(self.objects)}"
        self.objects[key] = obj
        return key

    def arg(self, arg: tuple) -> str:
        kind, value = arg
        if kind == "slot":
            return f"s{value}"
        if kind == "seq":
            inner = "".join(self.arg(a) + ", " for a in value[1])
            return f"[{inner}]" if isinstance(value[0], list) else f"({inner})"
        if value is None or isinstance(value, (bool, int, str)):
            return repr(value)
        return self.name(value)

    def store(self, outs: tuple, call: str) -> None:
        if not outs:
            self.lines.append(call)
        elif len(outs) == 1 and outs[0][0] is None:
            self.lines.append(f"s{outs[0][1]} = {call}")
        else:
            self.lines.append(f"r = {call}")
            self.lines.extend(f"s{slot} = r[{k}]" for k, slot in outs)


def _write_call(w: _Writer, instr: Call, backend: Any, checked: list[int], elementwise: dict) -> None:
    if instr.name == "elementwise":
        op, arrays, shapes, _, params = (value for _, value in instr.args)
        ins = [f"s{a[1]}" for a in arrays[1]]
        if not (op.can_fail and op.op in ("//", "%")):  # those two check for a 0 divisor themselves
            forward, local = backend.elementwise_parts(op)
            consts = [w.arg(("const", p)) for p in params]
            out = next(s for k, s in instr.outs if k == 0)
            vjp = next((s for k, s in instr.outs if k == 1), None)
            if op.can_fail:
                checked.extend([*(a[1] for a in arrays[1]), out])
            if vjp is not None:
                elementwise[vjp] = (w.name(local, f"{op.name}_backward"), consts, ins, out, shapes)
            w.lines.append(f"s{out} = {w.name(forward, op.name)}({', '.join(ins + consts)})")
            return
    fn = getattr(instr.fn, "__wrapped__", instr.fn)  # without its warning wrapper
    w.store(instr.outs, f"{w.name(fn)}({', '.join(w.arg(a) for a in instr.args)})")


def _write_backward(w: _Writer, instr: Backward, elementwise: dict, sum_to: Callable) -> None:
    ins = "".join(f"s{i}, " for i in instr.ins)
    if instr.closure not in elementwise:  # the backend's closure, made by its forward call in this replay
        parents = w.name(instr.parents)
        w.store(instr.outs, f"s{instr.closure}(s{instr.g}, ({ins}), s{instr.out}, {parents})")
        return
    local, consts, args, out, shapes = elementwise[instr.closure]
    w.lines.append(f"r = {local}({', '.join([*consts, f's{instr.g}', f's{out}', *args])})")
    for k, slot in instr.outs:  # each gradient summed back to its input's shape, unless it has it
        same = len(shapes) == 1 or shapes[0] == shapes[1]
        w.lines.append(
            f"s{slot} = r[{k}]"
            if same
            else f"s{slot} = {w.name(sum_to)}(r[{k}], {w.arg(('const', shapes[k]))})"
        )


def _write_check(w: _Writer, checked: list[int]) -> None:
    total = " + ".join(f"s{s}.sum()" for s in dict.fromkeys(checked))
    w.lines.append(f"if not isfinite({total}):")
    w.lines.append("    raise Fallback")


def lower(program: Program) -> tuple[Callable[[list], None], str]:
    """The program as one Python function of its slots (and that function's source)."""
    import numpy as np

    backend: Any = backend_for("numpy")
    w = _Writer()
    w.objects.update(isfinite=np.isfinite, Fallback=_Fallback, array=np.array)
    loaded = [*program.captured, *program.inputs]
    w.lines.extend(f"s{slot} = env[{slot}]" for slot in loaded)
    checked: list[int] = []
    elementwise: dict[int, tuple] = {}  # an elementwise op's vjp slot -> what its backward line needs
    for instr in program.instructions:
        if isinstance(instr, Call) and instr.name in _IN_PLACE and checked:
            _write_check(w, checked)
            checked = []
        if isinstance(instr, Call):
            _write_call(w, instr, backend, checked, elementwise)
        elif isinstance(instr, Backward):
            _write_backward(w, instr, elementwise, backend.sum_to)
        elif isinstance(instr, Accumulate):
            w.lines.append(f"s{instr.out} = s{instr.a} + s{instr.b}")
        elif isinstance(instr, Own):
            w.lines.append(f"s{instr.out} = array(s{instr.a}, order='C')")
        elif isinstance(instr, Reshaped):
            w.lines.append(f"s{instr.out} = s{instr.a}.reshape({w.arg(('const', instr.shape))})")
        elif instr.guard:
            values, retrace = (
                w.name(instr.values),
                w.name(_Retrace(f"numbers read during the trace changed (slot {instr.a})")),
            )
            w.lines.append(f"if s{instr.a}.ravel().tolist() != {values}:")
            w.lines.append(f"    raise {retrace}")
    if checked:
        _write_check(w, checked)
    w.lines.extend(f"env[{slot}] = s{slot}" for slot in _result_slots(program))
    source = "def replay(env):\n" + "".join(f"    {line}\n" for line in w.lines)
    namespace = dict(w.objects)
    exec(builtins.compile(source, "<compiled program>", "exec"), namespace)
    return namespace["replay"], source


def _result_slots(program: Program) -> list[int]:
    slots = [slot for _, slot in program.grads]
    todo = [program.result]
    while todo:
        spec = todo.pop()
        if spec is None:
            continue
        if spec[0] == "tensor":
            slots.append(spec[1])
        else:
            todo.extend(spec[2])
    return list(dict.fromkeys(slots))


# ---- replay ------------------------------------------------------------------------------------


def replay(program: Program, args: tuple) -> Any:
    """Run the program on these inputs; set the leaves' .grad; fn's result as new tensors.
    Raises _Fallback (before changing anything) where eager would check an inf or nan."""
    backend = backend_for("numpy")
    if program.run is None:
        program.run, program.source = lower(program)
    return backend.quiet(_replay)(program, args, backend)  # type: ignore[attr-defined]


def _replay(program: Program, args: tuple, backend: Any) -> Any:
    env: list[Any] = [None] * len(program.names)
    for slot, array in program.captured.items():
        env[slot] = array
    slots = iter(program.inputs)
    for a in args:
        if isinstance(a, Tensor):
            env[next(slots)] = a._data
    program.run(env)  # type: ignore[misc]
    for t, slot in program.grads:
        t.grad = Tensor(env[slot], t.shape, backend, dtype=t.dtype)
    return _rebuilt(program.result, env, backend)


def _rebuilt(spec: Any, env: list, backend: Any) -> Any:
    if spec is None:
        return None
    if spec[0] == "tensor":
        _, slot, shape, dtype = spec
        return Tensor(env[slot], shape, backend, dtype=dtype)
    _, kind, parts = spec
    return kind(_rebuilt(p, env, backend) for p in parts)


# ---- compile -----------------------------------------------------------------------------------


def _guard_key(args: tuple) -> tuple:
    """What a program is specialized to: each tensor's backend, shape, dtype and requires_grad;
    every other argument's value."""
    key: list[tuple] = []
    for a in args:
        if isinstance(a, Tensor):
            key.append(("tensor", a.backend, tuple(a.shape), a.dtype, a.requires_grad))
        else:
            key.append(("value", type(a), a if isinstance(a, (int, float, str, bool, type(None))) else id(a)))
    return tuple(key)


def _names_in(fn: Callable) -> dict[int, str]:
    """Names for the arrays of the modules and optimizers fn can reach (its globals and closure)."""
    from micrograd_edu import nn, optim

    found: dict[str, Any] = {}
    code = getattr(fn, "__code__", None)
    if code is not None:
        found.update((n, fn.__globals__[n]) for n in code.co_names if n in fn.__globals__)  # type: ignore[attr-defined]
        for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
            try:
                found[name] = cell.cell_contents
            except ValueError:  # a cell not filled yet
                continue
    names: dict[int, str] = {}
    for name, obj in found.items():
        if isinstance(obj, nn.Module):
            for pname, p in obj.named_parameters():
                names[id(p._data)] = f"{name}.{pname}"
    for obj in found.values():
        if isinstance(obj, optim.Optimizer):
            for param, state in obj.state.items():
                for key, value in state.items():
                    if isinstance(value, Tensor):
                        names[id(value._data)] = f"{names.get(id(param._data), 'p')}.{key}"
    return names


def _check_captured(old: Program, new: Program) -> None:
    """An array captured from outside must be state (the same array both times) or a constant (the
    same numbers): else it was made from the inputs by something that is not a traced op."""
    import numpy as np

    for slot, array in new.captured.items():
        before = old.captured[slot]
        if before is array:
            continue
        if not (
            before.shape == array.shape
            and before.dtype == array.dtype
            and np.array_equal(before, array, equal_nan=True)
        ):
            raise CompileError(
                f"the array {new.names[slot]} (shape {array.shape}) came from outside the traced ops and "
                "changed between two calls: it was computed from the inputs without a tensor op, so a replay "
                "would reuse the old numbers. Compute it with tensor ops inside the compiled function."
            )


class Compiled:
    """fn, traced and replayed; `program` is the program the last call ran (or traced)."""

    def __init__(self, fn: Callable, warmup: int = WARMUP, guard_reads: bool = False) -> None:
        if warmup < 1:
            raise ValueError(f"compile's warmup is the number of agreeing traces, at least 1, got {warmup}")
        self.fn, self.warmup, self.guard_reads = fn, warmup, guard_reads
        self.__name__ = getattr(fn, "__name__", "compiled")
        self.__doc__ = fn.__doc__
        try:
            self.arg_names = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            self.arg_names = []
        self.programs: dict[tuple, Any] = {}  # guard key -> the program replayed for it
        self.pending: dict[tuple, tuple[Any, int]] = {}  # guard key -> (last trace, agreeing traces)
        self.traces = 0
        self.replays = 0
        self.fallbacks = 0  # replays that found an inf or nan where eager checks, and ran eagerly
        self.last_program: Any = None
        self.retrace_reason = ""

    @property
    def program(self) -> Any:
        if self.last_program is None:
            raise RuntimeError("nothing was traced yet: call the compiled function once first")
        return self.last_program

    def recompile(self) -> None:
        """Forget every program: the next calls trace again (after changing lr, say)."""
        self.programs.clear()
        self.pending.clear()

    def __call__(self, *args: Any) -> Any:
        backends = {a.backend for a in args if isinstance(a, Tensor)}
        if len(backends) > 1:
            raise CompileError(
                f"compile replays one backend at a time; the tensors are on {sorted(backends)}"
            )
        python = backends == {"python"}
        key = _guard_key(args)
        program = self.programs.get(key)
        if program is not None and all(t._data is a for t, a in program.leaves):
            try:
                result = replay_python(program, args) if python else replay(program, args)
                self.replays += 1
                return result
            except _Retrace as e:
                self.retrace_reason = str(e)
                del self.programs[key]
            except _Fallback:
                self.fallbacks += 1
                return self.fn(*args)
        elif program is not None:
            self.retrace_reason = "a parameter's storage was replaced (p.data = ...)"
            del self.programs[key]
        return self._trace(key, args)

    def _trace(self, key: tuple, args: tuple) -> Any:
        names = {id(a._data): n for a, n in zip(args, self.arg_names) if isinstance(a, Tensor)}
        names.update(_names_in(self.fn))
        arg_names = [self.arg_names[i] if i < len(self.arg_names) else f"arg{i}" for i in range(len(args))]
        python = any(isinstance(a, Tensor) and a.backend == "python" for a in args)
        program: Any
        if python:
            program, result = trace_python(self.fn, args)
        else:
            program, result = trace(self.fn, args, arg_names, names, self.guard_reads)
        self.traces += 1
        self.last_program = program
        previous = self.pending.get(key)
        agreeing = 1
        if previous is not None and previous[0].key() == program.key():
            if python:
                _check_captured_lists(previous[0], program)
            else:
                _check_captured(previous[0], program)
            agreeing = previous[1] + 1
        if agreeing >= self.warmup:
            self.programs[key] = program
            self.pending.pop(key, None)
        else:
            self.pending[key] = (program, agreeing)
        return result


def compile(fn: Callable, *, warmup: int = WARMUP, guard_reads: bool = False) -> Compiled:
    """fn (a training step, or inputs -> loss), traced with the real engine and then replayed as
    a flat program of numpy calls: bitwise the same losses, gradients and weights.

    The first `warmup` calls run eagerly and must write the same program (an optimizer's first
    step differs from the others: its momentum buffer is made, not updated); then it replays.
    With `guard_reads`, numbers fn reads into Python must be the same again, or it traces again."""
    return Compiled(fn, warmup, guard_reads)


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
    x = low if x < low else x
    return high if x > high else x


class Tape:
    """The Value graph of one step: leaves (read at replay), ops, and the lines that replay them."""

    def __init__(self) -> None:
        self.params: list[tuple[int, Any]] = []  # (slot, Value): a Value whose .data is read each replay
        self.inputs: list[tuple[int, int, int]] = []  # (slot, argument index, element index)
        self.constants: dict[int, float] = {}
        self.ops: list[tuple] = []  # (slot, op, input slots, backward) in topological order
        self.grads: list[tuple[Any, list[int]]] = []  # (tensor, its elements' gradient slots)
        self.result: list[int] = []
        self.run: Callable | None = None
        self.source = ""

    def key(self) -> tuple:
        consts = tuple((s, repr(c)) for s, c in self.constants.items())
        ops = tuple((s, op, ins, _backward_key(bw)) for s, op, ins, bw in self.ops)
        return (tuple(s for s, _ in self.params), tuple(self.inputs), consts, ops, tuple(self.result))


def _backward_key(bw: Any) -> tuple:
    if isinstance(bw, functools.partial):
        return (bw.func, bw.args)
    return (bw,)


def _record_tape(values: list, args: tuple, wanted: list, tape: Tape) -> dict[int, int]:
    """Write the graph under `values` into the tape; {id(Value): slot}."""
    order = engine.topological_order(values)
    params = {id(v) for t in wanted for v in t._data}
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
                raise CompileError(
                    f"compile cannot replay the Value op {node._op!r} yet: run this step eagerly"
                )
            tape.ops.append((slot, op, tuple(slot_of[id(k)] for k in node._prev), node._backward))
        elif id(node) in inputs:
            tape.inputs.append((slot, *inputs[id(node)]))
        elif id(node) in params:
            tape.params.append((slot, node))
        else:
            tape.constants[slot] = node.data
    tape.size = len(order)  # type: ignore[attr-defined]
    return slot_of


def lower_tape(tape: Tape, roots: list[int], seeds: list[float]) -> tuple[Callable, str]:
    """The tape as one Python function: leaves in, (gradient slots of tape.grads, result) out."""
    w = _Writer()
    w.objects.update(exp=math.exp, tanh=math.tanh, log_=_log, sigmoid=_sigmoid, power=_power, clamp=_clamp)
    lines = w.lines

    def number(x: float) -> str:  # a literal, or a name for inf and nan (which have none)
        return repr(x) if math.isfinite(x) else w.name(x, "number")

    leaves = [s for s, _ in tape.params] + [s for s, _, _ in tape.inputs]
    if leaves:
        lines.append(f"({''.join(f'v{s}, ' for s in leaves)}) = leaves")
    lines.extend(f"v{s} = {number(c)}" for s, c in tape.constants.items())
    for s, op, ins, bw in tape.ops:
        v = [f"v{i}" for i in ins]
        if op == "**n":
            lines.append(f"v{s} = power({v[0]}, {number(bw.args[0])})")
        elif op == "clamp":
            lines.append(f"v{s} = clamp({v[0]}, {number(bw.args[0])}, {number(bw.args[1])})")
        else:
            lines.append(f"v{s} = " + _FORWARD[op].format(*v))
    started: set[int] = set()

    def add(slot: int, expr: str) -> None:  # `.grad += expr`, the gradient starting from 0.0
        lines.append(f"g{slot} = {f'g{slot}' if slot in started else '0.0'} + {expr}")
        started.add(slot)

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
        self.source = ""

    def key(self) -> tuple:
        calls = tuple(i.key() for i in self.instructions)
        return (self.tape.key(), tuple(self.roots), tuple(map(repr, self.seeds)), calls, tuple(self.captured))

    def __str__(self) -> str:
        return self.source


class PythonTracer:
    """Runs fn eagerly on the python backend: the tape at backward, the backend calls after it."""

    def __init__(self, args: tuple) -> None:
        self.args = args
        self.program = PythonProgram()
        self.lists: list[Any] = []  # every slot's list, kept alive so no id is reused
        self.slot_of: dict[int, int] = {}
        self.depth = 0
        self.after_backward = False
        self.graph_slots: dict[int, int] = {}
        self.args = args

    def new_slot(self, data: Any, prefix: str) -> int:
        slot = len(self.lists)
        self.lists.append(data)
        self.slot_of[id(data)] = slot
        self.program.names.append(f"{prefix}{slot}")
        return slot

    def spec(self, arg: Any) -> tuple:
        if isinstance(arg, list) and arg and isinstance(arg[0], engine.Value):
            slot = self.slot_of.get(id(arg))
            if slot is None:
                if any(v._prev for v in arg):
                    raise CompileError(
                        "after backward the step uses numbers of this step's graph (not a parameter's or "
                        "the optimizer's): compile cannot replay that on the python backend yet"
                    )
                slot = self.new_slot(arg, "c")
                self.program.captured[slot] = arg
            return ("slot", slot)
        if isinstance(arg, (tuple, list)) and any(isinstance(a, list) for a in arg):
            return ("seq", (type(arg)(), tuple(self.spec(a) for a in arg)))
        return ("const", arg)

    def recording(self, name: str, fn: Callable) -> Callable:
        def call(*args: Any) -> Any:
            if self.depth or not self.after_backward:
                if name in _IN_PLACE and not self.depth:
                    raise CompileError(
                        f"compile (python backend) replays in-place updates only after backward; this step "
                        f"calls {name} before it"
                    )
                return fn(*args)
            spec = tuple(self.spec(a) for a in args)
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

    def backprop(self, real: Callable) -> Callable:
        def backprop(roots, seeds, order, wanted, retain_graph, create_graph, hooked):  # type: ignore[no-untyped-def]
            if self.after_backward:
                raise CompileError("compile (python backend) traces one backward per step")
            if create_graph:
                raise CompileError(
                    "compile cannot trace backward(create_graph=True): compile the step without it"
                )
            if any(t._prev and (t._hooks or t._backward is not None) for t in order):
                raise CompileError(
                    "compile (python backend) cannot trace hooks or custom Functions yet: run it eagerly"
                )
            program = self.program
            values = [v for r in roots for v in r._data]
            self.graph_slots = _record_tape(values, self.args, wanted, program.tape)
            program.roots = [self.graph_slots[id(v)] for v in values]
            program.seeds = [float(g.data) for s in seeds for g in s._data]
            new = real(roots, seeds, order, wanted, retain_graph, create_graph, hooked)
            for t in wanted:
                if id(t) in new and not t._prev:  # a leaf's .grad (others: only what an observer sees)
                    program.tape.grads.append((t, [self.graph_slots[id(v)] for v in t._data]))
                    program.grad_slots.append(self.new_slot(new[id(t)], "g"))
            self.after_backward = True
            return new

        return backprop


def trace_python(fn: Callable, args: tuple) -> tuple[PythonProgram, Any]:
    """Run fn(*args) eagerly on the python backend, writing down its tape and later calls."""
    backend = backend_for("python")
    tracer = PythonTracer(args)
    originals = _backend_functions(backend)
    swapped = {name: tracer.recording(name, f) for name, f in originals.items()}
    swapped["backprop"] = tracer.backprop(backend.backprop)
    saved = {name: getattr(backend, name) for name in swapped}
    for name, f in swapped.items():
        setattr(backend, name, f)
    try:
        result = fn(*args)
    finally:
        for name, f in saved.items():
            setattr(backend, name, f)
    program = tracer.program
    if not tracer.after_backward:
        raise CompileError("compile (python backend) compiles a training step: fn must call backward()")
    for (t, _), slot in zip(program.tape.grads, program.grad_slots):
        if t.grad is None or t.grad._data is not tracer.lists[slot]:
            raise CompileError(
                "a .grad accumulated over an earlier one (no zero_grad() in the step): compile (python "
                "backend) replays steps that start from fresh gradients; call optimizer.zero_grad() in fn"
            )
        program.leaves.append((t, t._data))
    if result is not None:
        if not isinstance(result, Tensor) or any(id(v) not in tracer.graph_slots for v in result._data):
            raise CompileError("a compiled python-backend step returns its loss tensor (or None)")
        program.tape.result = [tracer.graph_slots[id(v)] for v in result._data]
        program.result = (result.shape, result.dtype)
    return program, result


def replay_python(program: PythonProgram, args: tuple) -> Any:
    """Run the tape on the current leaves (raises _Fallback before changing anything if a float op
    fails, as eager would raise), set each parameter's .grad, then run the calls after backward."""
    tape = program.tape
    if tape.run is None:
        tape.run, tape.source = lower_tape(tape, program.roots, program.seeds)
        program.source = tape.source
    leaves = [v.data for _, v in tape.params]
    leaves += [args[i]._data[j].data for _, i, j in tape.inputs]
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
