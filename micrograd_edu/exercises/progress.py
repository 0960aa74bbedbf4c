"""The student's work folder: their copy of each exercise, and what its last check found.

`micrograd-edu exercise N` copies the stub into the folder (default
./micrograd_edu_exercises/) and never overwrites a file the student has changed.
`micrograd-edu check N` notes its result in the folder's `.progress.json` beside the
file's fingerprint, so that `micrograd-edu exercises` can say what is done without
running every check again (and says "changed since" once the file is edited). A
teacher's report never reads that note: it runs the checks itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from micrograd_edu.exercises.catalog import Exercise
from micrograd_edu.exercises.printing import summary
from micrograd_edu.exercises.running import Outcome
from micrograd_edu.files import write_atomically

DEFAULT_FOLDER = "micrograd_edu_exercises"
PROGRESS_FILE = ".progress.json"
NOT_STARTED = "not started"


def student_file(folder: str | os.PathLike, exercise: Exercise) -> Path:
    return Path(folder) / exercise.file_name


def hand_out(exercise: Exercise, folder: str | os.PathLike, restart: bool = False) -> tuple[Path, str]:
    """Copy the exercise's stub into the folder; returns its path and what was done, in words.

    A file already there is kept if the student has changed it, unless `restart`, which
    first renames it to `<name>.py.~1~` (or ~2~, ...) so that nothing is lost.
    """
    path = student_file(folder, exercise)
    stub = exercise.stub.read_text(encoding="utf-8")
    if not path.exists():
        write_atomically(path, stub)
        return path, "ready"
    if path.read_text(encoding="utf-8", errors="replace") == stub:
        return path, "already there, untouched"
    if not restart:
        return path, (
            f"already there, with your work in it: kept as it is. To start over from the stub, run "
            f"micrograd-edu exercise {exercise.number} --restart (your file is kept beside it)"
        )
    backup = _free_backup_name(path)
    path.rename(backup)
    write_atomically(path, stub)
    return path, f"started over from the stub; your earlier file is kept as {backup.name}"


def record(folder: str | os.PathLike, exercise: Exercise, outcomes: Sequence[Outcome]) -> None:
    """Note what this check of the student's file found."""
    notes = _read(folder)
    notes[exercise.name] = {
        "fingerprint": _fingerprint(student_file(folder, exercise), exercise),
        "passed": sum(o.passed for o in outcomes),
        "total": len(outcomes),
    }
    write_atomically(Path(folder) / PROGRESS_FILE, json.dumps(notes, indent=1, sort_keys=True) + "\n")


def status(folder: str | os.PathLike, exercise: Exercise) -> str:
    """ "not started", "done", "3 of 5 checks pass", or "changed since its last check"."""
    path = student_file(folder, exercise)
    if not path.exists():
        return NOT_STARTED
    note = _read(folder).get(exercise.name)
    if not isinstance(note, dict) or note.get("fingerprint") != _fingerprint(path, exercise):
        if path.read_text(encoding="utf-8", errors="replace") == exercise.stub.read_text(encoding="utf-8"):
            return "handed out, not yet changed"
        return "changed since its last check"
    return summary(int(note["passed"]), int(note["total"]))


def _read(folder: str | os.PathLike) -> dict:
    try:
        notes = json.loads((Path(folder) / PROGRESS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return notes if isinstance(notes, dict) else {}


def _fingerprint(path: Path, exercise: Exercise) -> str:
    """Of the student's file and of the checks it was checked by: a change to either is news."""
    return hashlib.sha256(path.read_bytes() + b"\0" + exercise.checks_file.read_bytes()).hexdigest()


def _free_backup_name(path: Path) -> Path:
    k = 1
    while (backup := path.with_name(f"{path.name}.~{k}~")).exists():
        k += 1
    return backup
