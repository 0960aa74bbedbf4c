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
tape of float arithmetic and replayed as one generated function of floats (tape.py), bitwise the
eager numbers too.

The parts: program.py (the program: slots, instructions, how it prints), trace.py (the
backend's functions swapped for recording ones), lower.py (the program written out as one
function of numpy calls, and its replay), tape.py (the python backend), and here `compile`
and its guards.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from micrograd_edu.tensor import Tensor
from micrograd_edu.tracing.lower import _Fallback, replay
from micrograd_edu.tracing.program import CompileError, Program, _Retrace
from micrograd_edu.tracing.tape import _check_captured_lists, replay_python, trace_python
from micrograd_edu.tracing.trace import trace

WARMUP = 2  # eager traces that must agree before the program is replayed


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
