"""The text a student reads after a check: each check's outcome, its hints, and what next.

Hints are progressive: level 1 shows the hint for the mistake a check recognised (or,
when it recognised none, the check's first hint); level k also shows the check's first
k hints, from what to look at to what to do.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from micrograd_edu.exercises.catalog import Exercise
from micrograd_edu.exercises.running import Outcome

WIDTH = 88
STATUS_WIDTH = 9  # "not yet" and the others, padded


def hints_at(outcome: Outcome, level: int) -> list[str]:
    """The hints shown at this level for a check that did not pass."""
    if level <= 1:
        first = outcome.hint or (outcome.hints[0] if outcome.hints else "")
        return [first] if first else []
    return ([outcome.hint] if outcome.hint else []) + list(outcome.hints[:level])


def has_more_hints(outcomes: Sequence[Outcome], level: int) -> bool:
    """True if a stronger level would show more, for a check that was tried (not a bare stub)."""
    return any(
        not o.passed
        and not o.message.startswith("NotImplementedError")
        and len(hints_at(o, level + 1)) > len(hints_at(o, level))
        for o in outcomes
    )


def report(
    exercise: Exercise, outcomes: Sequence[Outcome], level: int = 1, more: str = "", next_step: str = ""
) -> str:
    """The report of one exercise's checks.

    `more` is how to ask for stronger hints (shown when there are some), `next_step` what to
    do once everything passes (both differ between the command and a notebook).
    """
    lines = [f"Exercise {exercise.number}: {exercise.title}"]
    previous: Outcome | None = None
    for outcome in outcomes:
        lines.append(f"  {outcome.status:<{STATUS_WIDTH}} {outcome.title}")
        if outcome.passed:
            continue
        if previous and (outcome.status, outcome.message, outcome.hint) == (
            previous.status,
            previous.message,
            previous.hint,
        ):
            lines.append(" " * 14 + "(the same as above)")
            continue
        previous = outcome
        lines.extend(_block(outcome.message, 14))
        for i, hint in enumerate(hints_at(outcome, level)):
            lines.extend(_block(("hint: " if i == 0 else "and: ") + hint, 14, hanging=6 if i == 0 else 5))
        if outcome.output.strip():
            lines.append(" " * 14 + "your code printed:")
            lines.extend(" " * 16 + "| " + line for line in outcome.output.rstrip().splitlines()[:12])
    passed = sum(o.passed for o in outcomes)
    if passed == len(outcomes):
        lines.append(
            f"All {len(outcomes)} checks pass: exercise {exercise.number} is done." + _then(next_step)
        )
    else:
        lines.append(f"{passed} of {len(outcomes)} checks pass.")
        if more and has_more_hints(outcomes, level):
            lines.append(f"Stuck? {more}")
    return "\n".join(lines)


def summary(passed: int, total: int) -> str:
    """A short status for a list of exercises: done, or how many checks pass."""
    return "done" if passed == total else f"{passed} of {total} checks pass"


def _then(next_step: str) -> str:
    return f" {next_step}" if next_step else ""


def _block(text: str, indent: int, hanging: int = 0) -> list[str]:
    """A paragraph wrapped to the width, each line of the original kept as a line."""
    lines = []
    for k, line in enumerate(text.splitlines() or [""]):
        extra = " " * (hanging if k else 0)
        if line.startswith("    "):  # a line of code: never wrapped
            lines.append(" " * indent + extra + line)
            continue
        lines.extend(
            textwrap.wrap(
                line,
                WIDTH,
                initial_indent=" " * indent + extra,
                subsequent_indent=" " * (indent + hanging),
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
    return lines
