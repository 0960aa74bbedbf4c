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

Guards (guards.py). A program fits the calls it was traced for: a call whose tensors differ in
shape, dtype, backend or requires_grad, in grad mode, or in the train()/eval() flag of a module
the step used gets a program of its own (traced on its first call); a step whose state changed
(the State: layers, parameters and their requires_grad, modules' settings, the names fn reads,
optimizers' settings and buffers) is traced again; every number read into Python during the
trace (`.item()`, a mask's positions) is checked again on replay, and a range check (BCELoss's)
is made again. A step that changes that state itself runs eagerly. What a replay cannot do runs
eagerly for good, with the reason in `repr(compiled)`: a forward whose result needs a graph, a
step that draws random numbers, keywords fn does not name, tensors inside a tuple argument, more
kinds of call than `recompile_limit`, a hook, retain_grad(). What a replay cannot see is state
hidden from the guards (an iterator's position, a number inside a long list): keep that out of
the compiled function, or call `recompile()`.

On the python backend (a tensor is a list of Values) the step's Value graph is written down as a
tape of float arithmetic and replayed as one generated function of floats (tape.py), bitwise the
eager numbers too.

The parts: program.py (the program: slots, instructions, how it prints), trace.py (the
backend's functions swapped for recording ones), lower.py (the program written out as one
function of numpy calls, and its replay), tape.py (the python backend), names.py (what fn reads
by name), guards.py (what a program is specialised to), module.py (compile(model)), and here
`compile`.
"""

from __future__ import annotations

import inspect
import random
import threading
import warnings
import weakref
from collections.abc import Callable
from typing import Any

from micrograd_edu import nn, optim
from micrograd_edu.tensor import Tensor
from micrograd_edu.tensor.backend import get_backend
from micrograd_edu.tensor.generator import default_generator
from micrograd_edu.tracing.guards import (
    SCALARS,
    guard_key,
    modules_called,
    modules_in,
    state_of,
)
from micrograd_edu.tracing.lower import _Fallback, replay
from micrograd_edu.tracing.module import OptimizedModule
from micrograd_edu.tracing.names import reachable
from micrograd_edu.tracing.program import Call, CompileError, InvalidBackend, Program, ValueRead, _Retrace
from micrograd_edu.tracing.tape import _check_captured_lists, replay_python, trace_python
from micrograd_edu.tracing.trace import trace

WARMUP = 2  # eager traces that must agree before the program is replayed


# ---- compile -----------------------------------------------------------------------------------


def _names_in(fn: Callable) -> dict[int, str]:
    """Names for the arrays of the modules and optimizers fn can reach (its globals and closure)."""
    found = reachable(fn)
    names: dict[int, str] = {}
    for name, obj in found.items():
        if isinstance(obj, nn.Module):
            for pname, p in obj.named_parameters():
                names[id(p._data)] = f"{name}.{pname}" if name else pname
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
                "changed between two calls: it was computed from the inputs without a tensor op (or drawn "
                "from a torch.Generator of fn's own), so a replay would reuse the old numbers. Compute it "
                "with tensor ops inside the compiled function. (A step without optimizer.zero_grad() adds "
                "each gradient to the last one, such an array: call zero_grad() in fn.)"
            )


RECOMPILE_LIMIT = 8  # kinds of call traced before the others run eagerly (PyTorch's recompile_limit)
_tracing = [0]  # > 0 while a trace runs: a compiled function called inside it runs as plain fn
_trace_lock = threading.Lock()  # a trace swaps the backend's functions for everyone: one at a time
_every: weakref.WeakSet = weakref.WeakSet()  # every compiled function there is, for reset()


def reset() -> None:
    """Forget every compiled function's programs (torch.compiler.reset, torch._dynamo.reset): each
    traces again at its next call, as after a change compile cannot see."""
    for compiled in list(_every):
        compiled.recompile()


def _module_called_by(fn: Callable) -> nn.Module | None:
    """The module fn calls: fn itself, or the module whose model.compile() compiled its _call_impl."""
    if isinstance(fn, nn.Module):
        return fn
    owner = getattr(fn, "__self__", None)
    return owner if isinstance(owner, nn.Module) and fn.__name__ == "_call_impl" else None


class Compiled:
    """fn, traced and replayed; `program` is the program the last call ran or traced."""

    def __init__(
        self,
        fn: Callable,
        warmup: int = WARMUP,
        recompile_limit: int | None = None,
    ) -> None:
        if warmup < 1:
            raise ValueError(f"compile's warmup is the number of agreeing traces, at least 1, got {warmup}")
        self.fn, self.warmup = fn, warmup
        self.limit = RECOMPILE_LIMIT if recompile_limit is None else recompile_limit
        module = _module_called_by(fn)
        self.__name__ = type(module).__name__ if module else getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        try:
            self.signature: inspect.Signature | None = inspect.signature(
                module.forward if module else fn  # type: ignore[attr-defined]
            )
        except (TypeError, ValueError):
            self.signature = None
        self.arg_names = list(self.signature.parameters) if self.signature else []
        self.modules = {id(m): m for m in modules_in(fn)}  # their train()/eval() flags: in the key; grows
        self.keyword_orders: dict[tuple, list[str] | None] = {}  # (len(args), keywords) -> fn's order
        self.retraces: dict[tuple, int] = {}  # key -> replays whose guard failed
        self.programs: dict[tuple, Any] = {}  # guard key -> the program replayed for it
        self.pending: dict[tuple, tuple[Any, int, int]] = {}  # key -> (last trace, agreeing, disagreeing)
        self.eager: dict[tuple, str] = {}  # guard key -> why calls with it run eagerly
        self.traces = 0
        self.replays = 0
        self.fallbacks = 0  # replays that found an inf or nan where eager checks, and ran eagerly
        self.eager_calls = 0  # calls that ran eagerly for good (see `eager`)
        self.last_program: Any = None
        self.retrace_reason = ""
        _every.add(self)

    @property
    def program(self) -> Any:
        if self.last_program is None:
            if self.eager:
                why = next(iter(self.eager.values()))
                raise RuntimeError(f"nothing to show: {self.__name__} runs eagerly ({why})")
            raise RuntimeError("nothing was traced yet: call the compiled function once first")
        return self.last_program

    def __repr__(self) -> str:
        counts = f"{self.traces} traces, {self.replays} replays, {self.eager_calls} eager calls"
        which = "some calls run" if self.programs or self.pending else "runs"
        why = f"; {which} eagerly: {next(iter(self.eager.values()))}" if self.eager else ""
        return f"<compiled {self.__name__}: {counts}{why}>"

    def recompile(self) -> None:
        """Forget every program: the next calls trace again (after changing lr, say)."""
        self.programs.clear()
        self.pending.clear()
        self.eager.clear()
        self.modules = {id(m): m for m in modules_in(self.fn)}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _tracing[0]:  # inside another compiled function's trace, which records these ops
            return self.fn(*args, **kwargs)
        if kwargs:
            positional = self._positional(args, kwargs)
            if positional is None:
                return self._eagerly(("keywords",), KEYWORDS, args, kwargs)
            args = positional
        key, backends, nested = guard_key(args, self.modules.values())
        if nested:
            return self._eagerly(("nested",), NESTED, args)
        if len(backends) > 1:
            raise CompileError(
                f"compile replays one backend at a time; the tensors are on {sorted(backends)}"
            )
        if key in self.eager:
            return self._eagerly(key, self.eager[key], args)
        python = (backends or {get_backend()}) == {"python"}
        program = self.programs.get(key)
        changed = program.state.changed() if program is not None else ""
        if program is not None and not changed:
            try:
                result = replay_python(program, args) if python else replay(program, args)
            except _Retrace as e:
                self.retrace_reason = str(e)
                del self.programs[key]
                self.retraces[key] = self.retraces.get(key, 0) + 1
                if self.retraces[key] >= GIVE_UP:  # its guard keeps failing: no program fits for long
                    return self._eagerly(key, f"{GIVE_UP} replays in a row found {e}", args)
            except _Fallback:
                self.fallbacks += 1
                return self.fn(*args)
            else:
                for m, training in program.flags_after:  # fn's own model.train() / eval(), as eager left them
                    object.__setattr__(m, "training", training)
                self.replays += 1
                self.last_program = program
                if self.retraces:
                    self.retraces.pop(key, None)  # "in a row": a replay that passed starts the count again
                return result
        elif program is not None:
            self.retrace_reason = f"{STATE_CHANGED}: {changed}"
            del self.programs[key]
            self.retraces[key] = self.retraces.get(key, 0) + 1
            if self.retraces[key] >= GIVE_UP:  # it changes at every call: no program fits for long
                return self._eagerly(key, f"{GIVE_UP} calls in a row found {self.retrace_reason}", args)
        if key not in self.pending and len(self.programs) + len(self.pending) >= self.limit:
            return self._eagerly(
                ("limit",), f"more than recompile_limit={self.limit} kinds of call traced", args
            )
        return self._trace(key, args, python)

    def _positional(self, args: tuple, kwargs: dict) -> tuple | None:
        """The call's arguments in fn's order, if its keywords name the positional parameters that
        follow `args` (worked out once per set of keywords: a call is on the replay path)."""
        shape = (len(args), tuple(kwargs))
        if shape not in self.keyword_orders:
            order = None
            if self.signature is not None:
                try:
                    bound = self.signature.bind(*args, **kwargs)
                    if not bound.kwargs:
                        order = list(self.signature.parameters)[len(args) : len(bound.args)]
                except TypeError:
                    pass
            self.keyword_orders[shape] = order if order is not None and set(order) == set(kwargs) else None
        order = self.keyword_orders[shape]
        return None if order is None else (*args, *(kwargs[name] for name in order))

    def _eagerly(self, key: tuple, why: str, args: tuple, kwargs: dict | None = None) -> Any:
        self.eager[key] = why
        self.eager_calls += 1
        return self.fn(*args, **(kwargs or {}))

    def _trace(self, key: tuple, args: tuple, python: bool) -> Any:
        names = {id(a._data): n for a, n in zip(args, self.arg_names) if isinstance(a, Tensor)}
        names.update(_names_in(self.fn))
        arg_names = [self.arg_names[i] if i < len(self.arg_names) else f"arg{i}" for i in range(len(args))]
        program: Any
        reached = modules_in(self.fn)
        entry = {id(m): m.training for m in [*self.modules.values(), *reached]}  # the flags fn starts from
        known = list({id(m): m for m in [*self.modules.values(), *reached]}.values())
        before = state_of(self.fn, known, args)
        random_state = default_generator.get_state(), random.getstate()
        with _trace_lock:
            _tracing[0] += 1
            try:
                with modules_called() as called:
                    if python:
                        program, result = trace_python(self.fn, args, names, arg_names)
                    else:
                        program, result = trace(self.fn, args, arg_names, names)
            finally:
                _tracing[0] -= 1
        self.traces += 1
        if not isinstance(program, str):  # a reason, not a program
            self.last_program = program
        for m, training in called.values():  # a module first met in the trace: its flag at its call
            entry.setdefault(id(m), training)
        for m in [*reached, *(m for m, _ in called.values())]:
            self.modules.setdefault(id(m), m)
        key = (key[0], key[1], tuple(entry[i] for i in self.modules))  # with the modules it used
        drew = (default_generator.get_state(), random.getstate()) != random_state
        why = _why_eager(program, result, drew, args)
        side_effect = before.changed(side_effects=True)
        if side_effect and not why:
            why = (
                f"it changes {side_effect} itself, which a replay would not (a Python side effect: a "
                "scheduler.step(), a counter, a list it appends to): keep that out of the compiled function"
            )
        if why:
            self.eager[key] = why
            return result
        program.state = state_of(self.fn, list(self.modules.values()), args)
        program.state.storage += [(t, a, "a parameter's storage (p.data = ...)") for t, a in program.leaves]
        if python:
            unread = program.unread(_tensors_in(self.modules.values(), program.state))
            program.state.numbers += [(t, t._floats(), UNREAD) for t in unread]
        program.flags_after = [(m, m.training) for i, m in self.modules.items() if m.training != entry[i]]
        program.held = [a for a in args if not isinstance(a, (Tensor, *SCALARS))]  # their ids are in the key
        previous, agreeing, disagreeing = self.pending.get(key), 1, 0
        if previous is not None and previous[0].key() == program.key():
            if not python and _reads_differ(previous[0], program):  # loss.item() in an if: each call's own
                self.eager[key] = READS_CHANGE
                self.pending.pop(key, None)
                return result
            try:
                (_check_captured_lists if python else _check_captured)(previous[0], program)
            except CompileError as e:  # something outside the traced ops changed: eager, saying why
                self.eager[key] = str(e)
                self.pending.pop(key, None)
                return result
            agreeing = previous[1] + 1
        elif previous is not None:
            disagreeing = previous[2] + 1
            if disagreeing >= GIVE_UP:
                self.eager[key] = DISAGREE.format(_difference(previous[0], program))
                self.pending.pop(key, None)
                return result
        if agreeing >= self.warmup:
            self.programs[key] = program
            self.pending.pop(key, None)
        else:
            self.pending[key] = (program, agreeing, disagreeing)
        return result


GIVE_UP = 3  # traces in a row that each differ from the last: the step is not the same program twice
DISAGREE = (
    f"{GIVE_UP + 1} traces in a row each came out different (the last two: {{}}): a Python number that "
    "changes at every call is baked into the ops (an lr set at each step, a clipping coefficient, "
    "Adam's step count, the classes of a batch), so no program fits"
)


READS_CHANGE = (
    "it reads numbers into Python (loss.item(), print(loss)) that differ from call to call: Python may "
    "decide something on them at each call, which a replay cannot (read them after the compiled call)"
)


def _reads_differ(old: Any, new: Any) -> bool:
    """Whether two agreeing traces read different numbers into Python: they will at every call."""
    reads = [(a, b) for a, b in zip(old.instructions, new.instructions) if isinstance(a, ValueRead)]
    return any(a.values != b.values for a, b in reads)


def _difference(old: Any, new: Any) -> str:
    """Where two traces of a step part: the first primitive that differs, with its constants."""
    for a, b in zip(old.instructions, new.instructions):
        if a.key() == b.key():
            continue
        if isinstance(a, Call) and isinstance(b, Call) and a.name == b.name:
            before, after = ([v for kind, v in c.args if kind == "const"] for c in (a, b))
            return f"{a.name} with the constants {_short(before)}, then {_short(after)}"
        return f"{_name_of(a)} where the trace before had {_name_of(b)}"
    if len(old.instructions) != len(new.instructions):
        return f"{len(old.instructions)} primitives, then {len(new.instructions)}"
    return "the tape's ops or their constants"


def _name_of(instr: Any) -> str:
    return getattr(instr, "name", type(instr).__name__)


def _short(values: list) -> str:
    text = repr(values)
    return text if len(text) <= 80 else text[:77] + "..."


KEYWORDS = (
    "a keyword argument that does not name one of fn's positional parameters (a keyword-only or an "
    "unknown one: a trace takes positional arguments)"
)
NESTED = "a tensor inside a tuple, list or dict argument: pass each tensor as an argument of its own"
STATE_CHANGED = "what the step was traced with changed"
UNREAD = "the numbers of a tensor the step reads without a graph (a target network, say)"


def _tensors_in(modules: Any, state: Any) -> list[Tensor]:
    """The tensors a step may read: its modules' parameters and buffers, the tensors fn names."""
    found = [t for m in modules for t in [*m._parameters.values(), *m._buffers.values()] if t is not None]
    return found + [t for t, _, _ in state.storage]


def _why_eager(program: Any, result: Any, drew_random_numbers: bool, args: tuple) -> str:
    """Why calls like this one must run eagerly for good, or "" if a replay can do them."""
    if any(isinstance(a, Tensor) and a.requires_grad and a.is_leaf for a in args):
        return (
            "an argument requires grad (backward gives it a .grad): a replay sets the parameters' "
            "gradients, not an argument's"
        )
    if drew_random_numbers:
        return (
            "it draws random numbers (Dropout in training mode, rand, randn, Python's random), and a "
            "replay would repeat the trace's; in eval() mode Dropout draws none, and the step replays"
        )
    if isinstance(program, str):  # the python backend's tracer says why it wrote no program
        return program
    if not program.has_backward() and _needs_graph(result):
        return (
            "its result needs the graph a later backward() walks, which a replay does not build: "
            "compile the whole training step (forward, backward, optimizer step) to replay it"
        )
    return ""


def _needs_graph(result: Any) -> bool:
    """Whether fn's result is something a later backward() would walk back through."""
    if isinstance(result, Tensor):
        return result.requires_grad
    return isinstance(result, (tuple, list)) and any(_needs_graph(r) for r in result)


MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")  # PyTorch's
BACKENDS = ("inductor", "eager", "aot_eager", "cudagraphs")  # PyTorch's usual ones: all one replay here


def _check_settings(mode: Any, backend: Any) -> None:
    """mode and backend as PyTorch checks them: a mode's name (or nothing), a backend's name."""
    if hasattr(mode, "shape") or (isinstance(mode, (list, tuple, dict, set)) and mode):
        raise TypeError(f"compile(mode=...) takes a mode's name, one of: {', '.join(MODES)}; got {mode!r}")
    if mode and mode not in MODES:  # PyTorch too reads an empty or zero mode as the default
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(MODES)}")
    if callable(backend):
        raise InvalidBackend(
            "compile(backend=<a function>): a PyTorch backend compiles an FX graph; micrograd_edu has one "
            "backend, its replay: leave backend out"
        )
    if backend is not None and not isinstance(backend, str):
        names = ", ".join(BACKENDS)
        raise TypeError(f"compile(backend=...) is a backend's name, one of {names}; got {backend!r}")
    if backend is not None and backend not in BACKENDS:
        raise InvalidBackend(
            f"Invalid backend: {backend!r}, one of {', '.join(BACKENDS)} (all the same replay here)"
        )


def compile(
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable | None = None,
    mode: str | None = None,
    options: dict | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
    warmup: int = WARMUP,
    guard_reads: bool | None = None,
) -> Any:
    """model (a training step, a function of tensors, or an nn.Module), traced with the real engine
    and then replayed as a flat program of numpy calls (or of floats, on the python backend):
    bitwise the same losses, gradients and weights.

    The first `warmup` calls run eagerly and must write the same program (an optimizer's first
    step differs from the others: its momentum buffer is made, not updated); then it replays.
    Numbers fn reads into Python (`loss.item()`) must be the same again, or it traces again.
    PyTorch's other arguments are accepted and change nothing here (the trace is always one whole
    graph per input shape); `mode` and `backend` are checked against PyTorch's names. As in
    PyTorch, `compile(mode=...)` without a model is a decorator, and `disable=True` gives the
    model back as it is."""
    _check_settings(mode, backend)
    if guard_reads is not None:
        warnings.warn(
            "compile's guard_reads is gone: every number a step reads into Python is a guard now",
            FutureWarning,
            stacklevel=2,
        )
    if model is None:  # @compile(mode=...): a decorator
        settings: dict[str, Any] = dict(fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode)
        settings.update(options=options, name=name, disable=disable, recompile_limit=recompile_limit)
        settings.update(isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return lambda model: compile(model, **settings, warmup=warmup)
    if not callable(model):
        raise TypeError(
            f"compile() compiles a function or an nn.Module (model=...), got {type(model).__name__} {model!r}"
        )
    if disable:
        return model
    if isinstance(model, nn.Module):
        return OptimizedModule(model, Compiled(model, warmup, recompile_limit))
    return Compiled(model, warmup, recompile_limit)
