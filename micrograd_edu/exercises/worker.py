"""Checking a student's file in a process of its own, so that nothing in it can stop the check.

`check_file` starts `python -m micrograd_edu.exercises.worker N FILE FIRST`: that process
loads the file and runs exercise N's checks from number FIRST on, and writes a line to its
standard output for each step (marked with a prefix; whatever the student's code prints
is captured and sent along with its check's outcome). The parent reads them against a
deadline for each check. At the deadline, or if the process dies, it records a timeout or
a crash for that check and starts a fresh process for the checks left: an endless loop,
an `exit()`, a crash or a file that does not even load costs one check, never the command.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from micrograd_edu.exercises.catalog import Exercise, find_exercise
from micrograd_edu.exercises.checking import Check
from micrograd_edu.exercises.running import (
    CRASHED,
    ERROR,
    TIMEOUT,
    Outcome,
    describe_exception,
    files_of,
    hint_for_exception,
    load_answers,
    run_check,
    timed_out,
)

PREFIX = "@@micrograd_edu.exercises@@ "
STARTUP_TIMEOUT = 120.0  # seconds to start Python and import the package on a busy machine
MEMORY_LIMIT = 4 * 2**30  # bytes of address space a student's code may use (Linux)
OUTPUT_LIMIT = 4000  # characters kept of what a check's code printed
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder micrograd_edu/ is in


def check_file(exercise: Exercise, path: str | os.PathLike, timeout: float | None = None) -> list[Outcome]:
    """Every check of `exercise` on the student's file at `path`, one outcome each, in order.

    `timeout` (seconds) replaces each check's own time limit when given.
    """
    path = Path(path).resolve()
    checks = exercise.checks().checks
    outcomes: list[Outcome] = []
    while len(outcomes) < len(checks):
        outcomes.extend(_run_from(exercise, path, checks, len(outcomes), timeout))
    return outcomes


def _run_from(
    exercise: Exercise, path: Path, checks: list[Check], first: int, timeout: float | None
) -> list[Outcome]:
    """Run the checks from `first` on in one process, until they are done or one fails to end."""
    pythonpath = os.pathsep.join(p for p in (str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    command = [
        sys.executable,
        "-m",
        "micrograd_edu.exercises.worker",
        str(exercise.number),
        str(path),
        str(first),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=path.parent,
        env={**os.environ, "PYTHONPATH": pythonpath, "PYTHONIOENCODING": "utf-8"},
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert process.stdout is not None and process.stderr is not None
    events: queue.Queue[dict[str, Any] | None] = queue.Queue()
    stderr: deque[str] = deque(maxlen=15)
    threading.Thread(target=_read_events, args=(process.stdout, events), daemon=True).start()
    reading_stderr = threading.Thread(target=stderr.extend, args=(process.stderr,), daemon=True)
    reading_stderr.start()

    def stopped(check: Check, event: dict[str, Any] | None, limit: float) -> Outcome:
        """A check during which the worker went silent (a timeout) or ended (a crash)."""
        if event is _TIMED_OUT:
            return timed_out(check, limit)
        process.wait()
        reading_stderr.join(5.0)
        return _crashed(check, process.returncode, "".join(stderr).rstrip())

    outcomes: list[Outcome] = []
    try:
        event = _next(events, STARTUP_TIMEOUT)
        if event is None or event["event"] != "ready":
            process.kill()
            reading_stderr.join(5.0)
            raise RuntimeError(
                f"could not start Python to run the checks ({' '.join(command)}): {''.join(stderr).strip()}"
            )
        load_time = timeout if timeout is not None else checks[first].timeout
        event = _next(events, load_time)
        if event is None or event["event"] != "loaded":
            return [
                _not_loaded(check, event, load_time) or stopped(check, event, load_time)
                for check in checks[first:]
            ]
        for check in checks[first:]:
            limit = timeout if timeout is not None else check.timeout
            event = _next(events, limit)
            if event is None or event["event"] != "done":
                outcomes.append(stopped(check, event, limit))
                return outcomes
            outcomes.append(Outcome.from_dict(event["outcome"]))
        return outcomes
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


_TIMED_OUT: dict[str, Any] = {"event": "timed out"}


def _next(events: queue.Queue[dict[str, Any] | None], timeout: float) -> dict[str, Any] | None:
    """The worker's next event; `_TIMED_OUT` after `timeout` seconds; None once it has ended."""
    try:
        return events.get(timeout=timeout)
    except queue.Empty:
        return _TIMED_OUT


def _read_events(stream: IO[str], events: queue.Queue[dict[str, Any] | None]) -> None:
    for line in stream:
        if line.startswith(PREFIX):
            events.put(json.loads(line[len(PREFIX) :]))
    events.put(None)


def _crashed(check: Check, returncode: int, stderr: str) -> Outcome:
    return Outcome(
        check.title,
        CRASHED,
        f"the Python process running your code stopped during this check (exit code {returncode})"
        + (f":\n{stderr}" if stderr else ""),
        "a crash like this comes from very deep recursion (after sys.setrecursionlimit), os._exit(), "
        "or running out of memory",
        check.hints,
    )


def _not_loaded(check: Check, event: dict[str, Any] | None, limit: float) -> Outcome | None:
    """The outcome of every check when the student's file does not load (None: the worker died)."""
    if event is not None and event["event"] == "unloadable":
        return Outcome(check.title, ERROR, event["message"], event["hint"], check.hints, event["output"])
    if event is _TIMED_OUT:
        return Outcome(
            check.title,
            TIMEOUT,
            f"your file did not finish loading within {limit:g} s, before any check could run",
            "is there a loop at the top level of the file, outside every function? Code there runs "
            "as soon as the file is loaded",
            check.hints,
        )
    return None


# ---- the worker process itself --------------------------------------------------------------


def main(argv: list[str]) -> int:
    number, path, first = int(argv[0]), Path(argv[1]).resolve(), int(argv[2])
    protocol = sys.stdout  # kept before any redirection: only the worker writes here
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C in the terminal ends the worker, not a check
    _limit_memory()
    exercise = find_exercise(number)
    checks = exercise.checks()
    sys.path.insert(0, str(path.parent))  # the student's file may import their other files
    _emit(protocol, {"event": "ready"})
    output = io.StringIO()
    try:
        with _captured(output):
            answers = load_answers(path, checks.names)
    except BaseException as e:
        message = "your file stops with an error before any check can run:\n" + describe_exception(
            e, {str(path)}
        )
        if isinstance(e, SyntaxError) and e.text:
            message += f"\n  line {e.lineno}: {e.text.strip()}"
        hint = hint_for_exception(e) or (
            "Python cannot read the file: look at the line it names (a missing bracket, quote or colon, "
            "or an indentation slip)"
            if isinstance(e, SyntaxError)
            else "run the file on its own (python FILE) to see the whole error"
        )
        _emit(protocol, {"event": "unloadable", "message": message, "hint": hint, "output": _kept(output)})
        return 0
    _emit(protocol, {"event": "loaded"})
    student_files = files_of(answers) | {str(path)}
    for check in checks.checks[first:]:
        output = io.StringIO()
        with _captured(output):
            outcome = run_check(check, answers, student_files)
        outcome.output = _kept(output)
        _emit(protocol, {"event": "done", "outcome": outcome.as_dict()})
    return 0


def _emit(protocol: IO[str], event: dict[str, Any]) -> None:
    protocol.write(PREFIX + json.dumps(event) + "\n")
    protocol.flush()


@contextlib.contextmanager
def _captured(output: io.StringIO) -> Iterator[None]:
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        yield


def _kept(output: io.StringIO) -> str:
    text = output.getvalue()
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "\n... (cut: it printed more)"


def _limit_memory() -> None:
    """Cap the address space, so that a runaway list ends in a MemoryError, not a frozen machine."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT)
    with contextlib.suppress(ValueError, OSError):  # some systems (macOS) do not allow it
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
