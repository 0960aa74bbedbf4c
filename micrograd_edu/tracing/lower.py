"""Lowering and replay: the program written out as one Python function of plain numpy calls."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable
from typing import Any

from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.backend import backend_for
from micrograd_edu.tracing.program import (
    IN_PLACE,
    Accumulate,
    Backward,
    Call,
    Own,
    Program,
    Reshaped,
    _Retrace,
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
# A buffer is reused where that is safe: the product `alpha * b` of an update `a += alpha * b`
# (SGD's `p -= lr * grad`) is a temporary nobody else sees, so it goes into an array the program
# owns (`multiply(b, alpha, out=buffer)`, then the update adds it: the same two roundings, so the
# same bits); at 784-256-10 that is 1.6 MB (float64) the C library is not asked for, and gives back,
# each step.
#
# The finiteness checks eager makes (log of 0 raises) are made once: every array eager would check
# is summed before the first instruction that writes into an array of the step's state (an
# optimizer's update). A sum that is not finite means some element is not (or the sum overflowed);
# nothing has been changed yet, so that step runs eagerly instead, and raises (or not) as eager does.


class _Fallback(Exception):
    """An array eager checks has an inf or nan: run this step eagerly (it raises, or gives the nan)."""


class _Writer:
    """The source of the replay function: its lines and the objects they name (k0, k1, ...)."""

    def __init__(self, layouts: list[tuple] | None = None, np: Any = None) -> None:
        self.lines: list[str] = []
        self.objects: dict[str, Any] = {}
        self.layouts, self.np = layouts or [], np
        self.buffers: dict[tuple, str] = {}

    def buffer(self, shape: tuple, dtype: Any) -> str:
        """A buffer the program owns, one per (shape, dtype), written again at every replay."""
        if (shape, dtype) not in self.buffers:
            self.buffers[shape, dtype] = self.name(self.np.empty(shape, dtype), "buffer")
        return self.buffers[shape, dtype]

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
            call = f"{w.name(forward, op.name)}({', '.join(ins + consts)})"
            w.lines.append(f"s{out} = asarray({call})" if w.layouts[out][0] == () else f"s{out} = {call}")
            return
    fn = getattr(instr.fn, "__wrapped__", instr.fn)  # without its warning wrapper
    if instr.name == "add_scaled" and instr.args[2][0] == "const" and instr.args[2][1] != 1:  # a += alpha * b
        (_, a), (_, b), (_, alpha) = instr.args
        product = f"multiply(s{b}, {w.arg(('const', alpha))}, out={w.buffer(*w.layouts[b])})"
        w.lines.append(f"{w.name(fn)}(s{a}, {product}, 1)")
        return
    call = f"{w.name(fn)}({', '.join(w.arg(a) for a in instr.args)})"
    if not instr.told:
        return w.store(instr.outs, call)
    w.lines.append(f"r = {call}")
    w.lines.extend(f"s{slot} = r[{k}]" for k, slot in instr.outs)
    retrace = w.name(_Retrace(f"numbers {instr.name} gave Python (an argmax's indices) changed"))
    for k, numbers in instr.told:  # Python used them (to make the indices tensor): they must be the same
        w.lines.append(f"if {'r' if k is None else f'r[{k}]'} != {w.name(numbers)}:")
        w.lines.append(f"    raise {retrace}")


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


def _write_read(w: _Writer, instr: Any) -> None:
    values = w.name(instr.values)
    retrace = w.name(_Retrace(f"numbers read into Python during the trace ({instr.phase}) changed"))
    w.lines.append(f"if s{instr.a}.ravel().tolist() != {values}:")
    w.lines.append(f"    raise {retrace}")


def _write_check(w: _Writer, checked: list[int]) -> None:
    total = " + ".join(f"total(s{s}, None)" for s in dict.fromkeys(checked))
    w.lines.append(f"if not isfinite({total}):")
    w.lines.append("    raise Fallback")


def lower(program: Program) -> tuple[Callable[[list], None], str]:
    """The program as one Python function of its slots (and that function's source)."""
    import numpy as np

    backend: Any = backend_for("numpy")
    w = _Writer(program.layouts, np)
    w.objects.update(
        isfinite=np.isfinite,
        total=np.add.reduce,
        multiply=np.multiply,
        Fallback=_Fallback,
        array=np.array,
        asarray=np.asarray,
    )
    loaded = [*program.captured, *program.inputs]
    w.lines.extend(f"s{slot} = env[{slot}]" for slot in loaded)
    checked: list[int] = []
    elementwise: dict[int, tuple] = {}  # an elementwise op's vjp slot -> what its backward line needs
    hoisted, _ = program.late_reads()  # reads after the first update, checked before it
    updating, live = False, program.live()
    for k, instr in enumerate(program.instructions):
        if not live[k] or k in hoisted:
            continue
        if isinstance(instr, Call) and instr.name in IN_PLACE and not updating:
            updating = True
            if checked:
                _write_check(w, checked)
                checked = []
            for late in sorted(hoisted):
                _write_read(w, program.instructions[late])
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
        else:  # a read into Python: the same numbers again, or trace again
            _write_read(w, instr)
    if checked:
        _write_check(w, checked)
    w.lines.extend(f"env[{slot}] = s{slot}" for slot in program.result_slots())
    source = "def replay(env):\n" + "".join(f"    {line}\n" for line in w.lines or ["pass"])
    namespace = dict(w.objects)
    exec(builtins.compile(source, "<compiled program>", "exec"), namespace)
    return namespace["replay"], source


# ---- replay ------------------------------------------------------------------------------------


def replay(program: Program, args: tuple) -> Any:
    """Run the program on these inputs; set the leaves' .grad; fn's result as new tensors.
    Raises _Fallback (before changing anything) where eager would check an inf or nan."""
    backend = backend_for("numpy")
    if program.run is None:
        program.run, program.source = lower(program)
    return _quiet_replay()(program, args, backend)


@functools.cache
def _quiet_replay() -> Callable:
    """_replay in numpy's warning-free context (the wrapper made once: numpy is imported by then)."""
    return backend_for("numpy").quiet(_replay)  # type: ignore[attr-defined]


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
