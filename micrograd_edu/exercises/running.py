"""Running checks on a student's answers: each check's outcome, never an exception.

A check's outcome is `ok`, `not yet` (the check found a wrong answer), `error` (the
student's code raised), `timeout`, `crashed` (the process running it died) or `not run`.
Each check starts from the same state (the python backend, grad mode on, seed 0), and
the caller's state is put back afterwards.

Two ways to give a check its time limit: `run_with_timeout` runs it in a thread of this
process and stops it by raising `CheckTimeout` inside that thread (how `check()` runs a
notebook's functions); `worker.py` runs a student's file in a process of its own and
ends it at the limit (how the command runs them: an endless loop, an exit() or a crash
costs the check it happened in, never the command).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import sys
import threading
import traceback
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from micrograd_edu.exercises.checking import Check, NotYet
from micrograd_edu.grad_mode import is_grad_enabled, set_grad_enabled
from micrograd_edu.tensor import get_backend, manual_seed, set_backend
from micrograd_edu.tensor.generator import default_generator as generator

OK, NOT_YET, ERROR, TIMEOUT, CRASHED, NOT_RUN = "ok", "not yet", "error", "timeout", "crashed", "not run"


@dataclass
class Outcome:
    """What one check found: its status, a message with the numbers, a hint for the mistake
    it recognised (if any), the check's own hints, and what the student's code printed."""

    title: str
    status: str
    message: str = ""
    hint: str = ""
    hints: tuple[str, ...] = ()
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.status == OK

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        return cls(**{**data, "hints": tuple(data.get("hints", ()))})


class CheckTimeout(BaseException):
    """Raised inside a check's thread when its time is up (a BaseException, so that a
    student's `except Exception:` inside a loop does not swallow it)."""


def load_answers(path: str | Path, names: tuple[str, ...]) -> dict[str, object]:
    """Run a student's file as a module and pick out the names an exercise asks for.

    The module is registered under its file's name, as an import would be, so classes and
    dataclasses defined in it work as anywhere else. Whatever the file raises, propagates.
    """
    path = Path(path)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in names if hasattr(module, name)}


def files_of(answers: Mapping[str, object]) -> set[str]:
    """The source files the answers were written in: where to look for the student's line."""
    files = set()
    for answer in answers.values():
        code = getattr(answer, "__code__", None)
        if code is not None:
            files.add(code.co_filename)
        module = sys.modules.get(getattr(answer, "__module__", "") or "")
        if module is not None and getattr(module, "__file__", None):
            files.add(str(module.__file__))
    return files


@contextlib.contextmanager
def fresh_state() -> Iterator[None]:
    """Run a check from the same state every time, and put the caller's state back after."""
    backend, random_state, grad_enabled = get_backend(), generator.getstate(), is_grad_enabled()
    set_backend("python")
    manual_seed(0)
    set_grad_enabled(True)
    try:
        yield
    finally:
        set_backend(backend)
        generator.setstate(random_state)
        set_grad_enabled(grad_enabled)


def run_check(check: Check, answers: Mapping[str, object], student_files: Collection[str] = ()) -> Outcome:
    """Run one check here and now (no time limit): its outcome, whatever the code does."""
    outcome = Outcome(check.title, OK, hints=check.hints)
    missing = [name for name in check.uses if name not in answers]
    if missing:
        outcome.status = ERROR
        outcome.message = f"there is no {missing[0]!r} in your code"
        outcome.hint = f"keep the name the stub gave it: {missing[0]}"
        return outcome
    try:
        with fresh_state():
            check.function(**{name: answers[name] for name in check.uses})
    except CheckTimeout:
        raise
    except NotYet as e:
        outcome.status, outcome.message, outcome.hint = NOT_YET, e.what, e.hint
    except BaseException as e:  # SystemExit and KeyboardInterrupt from the student's code too
        outcome.status, outcome.message = ERROR, describe_exception(e, student_files)
        outcome.hint = hint_for_exception(e)
    return outcome


def run_with_timeout(
    check: Check, answers: Mapping[str, object], timeout: float, student_files: Collection[str] = ()
) -> tuple[Outcome, bool]:
    """Run one check in a thread, stopped after `timeout` seconds.

    Returns the outcome and whether the thread really stopped: a loop of Python code
    stops at once, but code stuck inside one long C call cannot be interrupted.
    """
    result: list[Outcome] = []

    def target() -> None:
        with contextlib.suppress(CheckTimeout):  # its time was up: the outcome is a timeout
            result.append(run_check(check, answers, student_files))

    thread = threading.Thread(target=target, name=f"check: {check.title}", daemon=True)
    thread.start()
    try:
        thread.join(timeout)
    finally:
        if thread.is_alive():  # out of time, or the caller pressed Ctrl-C: stop the check
            _raise_in(thread, CheckTimeout)
            thread.join(2.0)
    if result:
        return result[0], True
    return timed_out(check, timeout), not thread.is_alive()


def timed_out(check: Check, timeout: float) -> Outcome:
    return Outcome(
        check.title,
        TIMEOUT,
        f"it did not finish within {timeout:g} s",
        "is there a loop that never ends (a condition that never changes, a node visited again and "
        "again)? Or something very slow, like searching a long list in a loop: a set is faster",
        check.hints,
    )


def describe_exception(error: BaseException, student_files: Collection[str]) -> str:
    """The exception in one line, and the line of the student's code it came from."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if f.filename in student_files]
    if mine:
        frame = mine[-1]
        text += (
            f"\n  at line {frame.lineno} of {Path(frame.filename).name}, in {frame.name}:\n      {frame.line}"
        )
    return text


def hint_for_exception(error: BaseException) -> str:
    """What a common exception from a student's code usually means."""
    if isinstance(error, NotImplementedError):
        return "not written yet: replace the `raise NotImplementedError` with your code"
    if isinstance(error, RecursionError):
        return (
            "the code calls itself too deeply (Python stops at about 1000 calls): walk the graph "
            "with a loop and a list you push to and pop from, instead of recursion"
        )
    if isinstance(error, MemoryError):
        return "your code ran out of memory: a loop that keeps adding to a list and never ends?"
    if isinstance(error, SystemExit):
        return "your code called exit(): return from the function instead"
    return ""


def _raise_in(thread: threading.Thread, exception: type[BaseException]) -> None:
    """Raise `exception` in another thread at its next line of Python (CPython's way to stop one)."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exception))


def run_checks(
    checks: Sequence[Check], answers: Mapping[str, object], timeout: float | None = None
) -> list[Outcome]:
    """Every check in this process, in order, each in a thread with its time limit.

    If a check's thread cannot be stopped, the checks after it are not run (they would run
    beside it): their outcome is `not run`.
    """
    student_files = files_of(answers)
    outcomes: list[Outcome] = []
    for i, check in enumerate(checks):
        outcome, stopped = run_with_timeout(
            check, answers, check.timeout if timeout is None else timeout, student_files
        )
        outcomes.append(outcome)
        if not stopped:
            outcome.message += "; it is still running in the background (restart the kernel to stop it)"
            outcomes.extend(
                Outcome(c.title, NOT_RUN, "not run: the check before it could not be stopped", hints=c.hints)
                for c in checks[i + 1 :]
            )
            break
    return outcomes
