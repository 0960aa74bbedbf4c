"""The exercises, found by their files, in order.

Exercise N is three files of one name, `exNN_what_it_is_about.py`:

- `stubs/`      what the student gets: the statement (its docstring) and the code to fill in;
- `checks/`     the hidden checks and their hints (a module-level `CHECKS = Checks(...)`);
- `solutions/`  the reference solution, shown only with a teacher's `--solution`.

The number is in the name, the title is the first line of the stub's docstring
("Exercise 4: backward() on a Value"), so adding an exercise is adding three files.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from micrograd_edu.exercises.checking import Checks

HERE = Path(__file__).parent
NAME = re.compile(r"ex(\d\d)_\w+\.py")


@dataclass(frozen=True)
class Exercise:
    number: int
    name: str  # "ex04_backward": the file's name without .py, the same in all three folders
    title: str
    statement: str  # the stub's docstring: what the student reads at the top of the file

    @property
    def file_name(self) -> str:
        return f"{self.name}.py"

    @property
    def stub(self) -> Path:
        return HERE / "stubs" / self.file_name

    @property
    def solution(self) -> Path:
        return HERE / "solutions" / self.file_name

    @property
    def checks_file(self) -> Path:
        return HERE / "checks" / self.file_name

    def checks(self) -> Checks:
        """The hidden checks (imported on first use)."""
        module = importlib.import_module(f"micrograd_edu.exercises.checks.{self.name}")
        checks = getattr(module, "CHECKS", None)
        if not isinstance(checks, Checks):
            raise RuntimeError(f"checks/{self.file_name} must define CHECKS = Checks(...)")
        return checks


def all_exercises() -> list[Exercise]:
    """Every exercise, by number; a clear error if one of its three files is missing."""
    found = []
    for stub in sorted((HERE / "stubs").glob("ex*.py")):
        match = NAME.fullmatch(stub.name)
        if not match:
            continue
        for folder in ("checks", "solutions"):
            if not (HERE / folder / stub.name).is_file():
                raise RuntimeError(f"exercise {stub.stem} has a stub but no {folder}/{stub.name}")
        found.append(_read(int(match.group(1)), stub))
    numbers = [e.number for e in found]
    if len(set(numbers)) != len(numbers):
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        raise RuntimeError(f"two exercises have the number {twice[0]}: each needs its own")
    return found


def find_exercise(number: int) -> Exercise:
    exercises = all_exercises()
    for exercise in exercises:
        if exercise.number == number:
            return exercise
    raise ValueError(
        f"there is no exercise {number}; the exercises are {exercises[0].number} to {exercises[-1].number} "
        "(micrograd-edu exercises lists them)"
    )


def _read(number: int, stub: Path) -> Exercise:
    docstring = ast.get_docstring(ast.parse(stub.read_text(encoding="utf-8"))) or ""
    first = docstring.splitlines()[0] if docstring else ""
    prefix = f"Exercise {number}: "
    if not first.startswith(prefix):
        raise RuntimeError(
            f"stubs/{stub.name} must start with a docstring whose first line is '{prefix}<title>'"
        )
    return Exercise(number, stub.stem, first[len(prefix) :].strip(), docstring)
