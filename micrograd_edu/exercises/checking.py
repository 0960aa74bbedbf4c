"""Writing an exercise's hidden checks: small tests of what the student's code does.

Each exercise has a module in `checks/` that holds one `Checks`: the names the student's
file must define, and the checks, in order, each with hints from gentle to specific:

    CHECKS = Checks("backward")

    @CHECKS.check(
        "a Value used twice collects a share from each use",
        hints=("a gentle hint: what to look at", "a stronger one: what to do"),
    )
    def used_twice(backward):          # its parameters name the answers it uses
        x = Value(3.0)
        backward(x * x)
        close(x.grad, 6.0, "x.grad after backward(x * x) at x = 3",
              mistakes={3.0: "only the last share arrived: add each share in (+=), do not assign"})

A check passes when it returns. It fails by raising `NotYet` with what it found (the
helpers below do, with the numbers), and a `mistakes` table turns a recognised wrong
answer into the hint for that mistake. Any other exception is the student's code raising
one, and is reported as that.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from micrograd_edu.engine import Value
from micrograd_edu.tensor import Tensor

DEFAULT_TIMEOUT = 10.0  # seconds a check may take; a training check sets its own


class NotYet(Exception):
    """A check found the answer wrong: `what` it found, and a `hint` for this very mistake."""

    def __init__(self, what: str, hint: str = "") -> None:
        super().__init__(what)
        self.what, self.hint = what, hint


@dataclass(frozen=True)
class Check:
    """One hidden test: a title a student reads, the function, its hints and its time limit."""

    title: str
    function: Callable[..., None]
    hints: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT
    uses: tuple[str, ...] = ()  # the answers it is given, by name


class Checks:
    """An exercise's checks, in the order they run, and the names of the answers they test."""

    def __init__(self, *names: str) -> None:
        if not names:
            raise ValueError("Checks needs the names the student's file defines, e.g. Checks('backward')")
        self.names: tuple[str, ...] = names
        self.checks: list[Check] = []

    def check(
        self, title: str, hints: Sequence[str], timeout: float = DEFAULT_TIMEOUT
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Add the decorated function as the next check."""
        if not hints:
            raise ValueError(f"the check {title!r} needs at least one hint")

        def add(function: Callable[..., None]) -> Callable[..., None]:
            uses = tuple(inspect.signature(function).parameters)
            unknown = [u for u in uses if u not in self.names]
            if unknown:
                raise ValueError(
                    f"the check {title!r} takes {unknown[0]!r}, which is not one of the answers {self.names}"
                )
            self.checks.append(Check(title, function, tuple(hints), timeout, uses))
            return function

        return add


# ---- the helpers a check uses: each raises NotYet with what it found ------------------------


def expect(condition: bool, what: str, hint: str = "") -> None:
    """Fail with `what` (and a hint for it) unless `condition` holds."""
    if not condition:
        raise NotYet(what, hint)


def number(x: object, what: str) -> float:
    """x as a float if it is a plain number; else a NotYet that says what it is instead."""
    if isinstance(x, Real) and not isinstance(x, bool):
        return float(x)
    if isinstance(x, Value):
        raise NotYet(f"{what} is a Value ({x!r}), not a plain number", "take its number: .data")
    if isinstance(x, Tensor):
        raise NotYet(f"{what} is a tensor, not a plain number", "take its number: .item()")
    raise NotYet(f"{what} should be a number, got {describe(x)}")


def numbers(x: object, what: str) -> list[float]:
    """x as a list of floats: a list or tuple of plain numbers, or a 1-d tensor."""
    if isinstance(x, Tensor):
        x = x.tolist()
    if not isinstance(x, (list, tuple)):
        raise NotYet(f"{what} should be a list of numbers, got {describe(x)}")
    return [number(v, f"{what}[{i}]") for i, v in enumerate(x)]


def tensor_of_shape(x: object, shape: tuple[int, ...], what: str, hint: str = "") -> Tensor:
    """x, checked to be a Tensor of this shape."""
    if not isinstance(x, Tensor):
        raise NotYet(f"{what} should be a tensor of shape {shape}, got {describe(x)}")
    if x.shape != shape:
        raise NotYet(f"{what} has shape {tuple(x.shape)}, it should have shape {shape}", hint)
    return x


def close(
    actual: object,
    expected: object,
    what: str,
    *,
    tol: float = 1e-6,
    mistakes: Mapping[Any, str] | Sequence[tuple[Any, str]] = (),
    hint: str = "",
) -> None:
    """Fail unless `actual` equals `expected` within `tol` (relative, and absolute near 0).

    Numbers, Values, tensors and nested lists are compared as numbers. `mistakes` pairs a
    known wrong answer with the hint for it: when `actual` is close to one, that is the hint.
    """
    if _close(_plain(actual), _plain(expected), tol):
        return
    pairs = mistakes.items() if isinstance(mistakes, Mapping) else mistakes
    for wrong, mistake_hint in pairs:
        if _close(_plain(actual), _plain(wrong), tol):
            hint = mistake_hint
            break
    raise NotYet(f"{what} is {_shown(actual)}, it should be {_shown(expected)}", hint)


def is_close(actual: object, expected: object, tol: float = 1e-6) -> bool:
    """True if `actual` equals `expected` within `tol`, as `close` compares them."""
    return _close(_plain(actual), _plain(expected), tol)


def central_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """(f(x + h) - f(x - h)) / 2h: the slope of f at x, from two values of f alone."""
    return (f(x + h) - f(x - h)) / (2 * h)


def shortened(message: str, lines: int = 5) -> str:
    """A long message (gradcheck's, one line per wrong entry) cut to its first lines."""
    kept = message.splitlines()
    if len(kept) <= lines + 1:
        return message
    return "\n".join(kept[:lines] + [f"  ... and {len(kept) - lines} more lines like these"])


def describe(x: object) -> str:
    """A short description of what a student's code returned, for a message."""
    text = repr(x)
    return f"{type(x).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _plain(x: object) -> object:
    if isinstance(x, Tensor):
        return x.tolist()
    if isinstance(x, Value):
        return x.data
    if isinstance(x, tuple):
        return [_plain(v) for v in x]
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def _close(a: object, b: object, tol: float) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, Real) and isinstance(b, Real):
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= tol * max(1.0, abs(b))
    return False


def _shown(x: object) -> str:
    plain = _plain(x)
    if isinstance(plain, Real) and not isinstance(plain, bool):
        return f"{float(plain):.6g}"
    if isinstance(plain, list):
        text = _nested(plain)
        return text if len(text) <= 120 else text[:117] + "..."
    return describe(x)


def _nested(x: object) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(_nested(v) for v in x) + "]"
    if isinstance(x, Real) and not isinstance(x, bool):
        return f"{float(x):.4g}"
    return repr(x)
