"""Exercises that check themselves: a graded path through autograd, from the chain rule to training.

In a terminal:

    micrograd-edu exercises        the list, with what you have done
    micrograd-edu exercise 3       copies exercise 3 to ./micrograd_edu_exercises/ and prints its path
    micrograd-edu check 3          runs its hidden checks on your file: what passes, and hints

In a notebook, the same checks on a function defined in the notebook:

    from micrograd_edu.exercises import check
    check(3, topological_order)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from micrograd_edu.exercises.catalog import Exercise, all_exercises, find_exercise
from micrograd_edu.exercises.checking import Check, Checks, NotYet
from micrograd_edu.exercises.printing import report
from micrograd_edu.exercises.running import Outcome, run_checks

__all__ = ["Check", "Checks", "Exercise", "NotYet", "Outcome", "all_exercises", "check", "find_exercise"]


def check(
    exercise: int, *answers: object, hint: int = 1, timeout: float | None = None, **named: object
) -> bool:
    """Run exercise `exercise`'s hidden checks on your answers, print what passed, with hints.

    Pass what the exercise asks for, in its order or by name (`check(13, make_model,
    make_optimizer, training_step)`), or a namespace to take them from (`check(3, globals())`).
    `hint=2` and up show stronger hints; `timeout` (seconds) replaces each check's time limit.
    Returns True when every check passes.
    """
    found = find_exercise(exercise)
    checks = found.checks()
    given = _answers(found, checks.names, answers, named)
    outcomes = run_checks(checks.checks, given, timeout)
    names = ", ".join(checks.names)
    numbers = [e.number for e in all_exercises()]
    following = [n for n in numbers if n > found.number]
    print(
        report(
            found,
            outcomes,
            hint,
            more=f"check({found.number}, {names}, hint={hint + 1}) shows stronger hints.",
            next_step=f"Next: exercise {following[0]}." if following else "That was the last one.",
        )
    )
    return all(o.passed for o in outcomes)


def _answers(
    exercise: Exercise, names: tuple[str, ...], answers: tuple[object, ...], named: Mapping[str, object]
) -> dict[str, object]:
    """The answers by name, from positional ones, keywords, or one namespace (a dict or module)."""
    call = f"check({exercise.number}, {', '.join(names)})"
    if len(answers) == 1 and isinstance(answers[0], (Mapping, ModuleType)) and not named:
        space = answers[0] if isinstance(answers[0], Mapping) else vars(answers[0])
        given = {name: space[name] for name in names if name in space}
    else:
        if len(answers) > len(names):
            raise TypeError(
                f"exercise {exercise.number} asks for {len(names)} answer(s), {', '.join(names)}; "
                f"got {len(answers)}: call {call}"
            )
        unknown = [k for k in named if k not in names]
        if unknown:
            raise TypeError(f"exercise {exercise.number} has no answer named {unknown[0]!r}: call {call}")
        given = {**dict(zip(names, answers)), **named}
    missing = [name for name in names if name not in given]
    if missing:
        raise TypeError(f"exercise {exercise.number} needs {', '.join(missing)} too: call {call}")
    return given
