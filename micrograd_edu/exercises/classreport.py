"""A class's results as a CSV file: a row per student, a column per exercise.

A teacher gathers the students' work folders into one folder, a subfolder per student
(its name is the student's name in the report), as they come from a learning platform's
download or a shared drive:

    submissions/
        alice/ex01_chain_rule.py, ex02_...               the files themselves, or
        bob/micrograd_edu_exercises/ex01_chain_rule.py   the work folder as it was handed in

`micrograd-edu check --all --dir submissions --report class.csv` runs every check on every
file (in processes of their own, several at a time) and writes, for each student, how many
checks of each exercise pass. A cell is empty where no file was handed in. Pointed at one
student's folder instead, it writes that student's row.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from micrograd_edu.exercises.catalog import Exercise
from micrograd_edu.exercises.progress import DEFAULT_FOLDER
from micrograd_edu.exercises.running import CRASHED, ERROR, TIMEOUT, Outcome
from micrograd_edu.exercises.worker import check_file
from micrograd_edu.files import write_atomically

SEARCH_DEPTH = 3  # how far below a student's subfolder their exercise files may be
SKIPPED = {"__pycache__", "__MACOSX", "node_modules", "venv"}


@dataclass
class StudentResult:
    student: str
    folder: Path
    passed: dict[str, int] = field(default_factory=dict)  # exercise name -> checks passed
    notes: list[str] = field(default_factory=list)

    def done(self, totals: dict[str, int]) -> int:
        return sum(1 for name, passed in self.passed.items() if passed == totals[name])


def find_students(folder: str | os.PathLike, exercises: Sequence[Exercise]) -> list[tuple[str, Path]]:
    """(student, work folder) for one student's folder, or for each subfolder of a class's."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"there is no folder {folder}: give --dir the folder the students' work is in")
    if _holds_exercises(folder, exercises):
        resolved = folder.resolve()  # named after its owner's folder if it has the default name
        return [((resolved.parent if resolved.name == DEFAULT_FOLDER else resolved).name, folder)]
    students = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and _searched(p)):
        students.append((sub.name, _work_folder(sub, exercises) or sub))
    if not students:
        raise ValueError(
            f"{folder} holds no exercise files and no student folders: point --dir at a student's work "
            "folder, or at a folder with one subfolder per student"
        )
    return students


def class_results(
    students: Sequence[tuple[str, Path]],
    exercises: Sequence[Exercise],
    jobs: int = 1,
    timeout: float | None = None,
    progress: Callable[[StudentResult], None] | None = None,
) -> list[StudentResult]:
    """Every student's results; `progress` is told of each student as soon as they are all in."""
    results = [StudentResult(name, folder) for name, folder in students]
    work = [(r, e) for r in results for e in exercises if (r.folder / e.file_name).is_file()]
    pending = {id(r): sum(1 for w in work if w[0] is r) for r in results}
    for r in results:
        if not pending[id(r)]:
            r.notes.append("no exercise files found")
            if progress:
                progress(r)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        runs = [(r, e, pool.submit(check_file, e, r.folder / e.file_name, timeout)) for r, e in work]
        for r, e, run in runs:
            outcomes = run.result()
            r.passed[e.name] = sum(o.passed for o in outcomes)
            note = _note(e, outcomes)
            if note:
                r.notes.append(note)
            pending[id(r)] -= 1
            if progress and not pending[id(r)]:
                progress(r)
    finally:
        pool.shutdown(cancel_futures=True)  # after Ctrl-C, the checks not yet started are dropped
    return results


def write_csv(
    path: str | os.PathLike, results: Sequence[StudentResult], exercises: Sequence[Exercise]
) -> Path:
    totals = {e.name: len(e.checks().checks) for e in exercises}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["student", f"done (of {len(exercises)})"]
        + [f"{e.name} (of {totals[e.name]})" for e in exercises]
        + ["notes", "folder"]
    )
    for r in results:
        cells = [str(r.passed[e.name]) if e.name in r.passed else "" for e in exercises]
        writer.writerow([r.student, str(r.done(totals)), *cells, "; ".join(r.notes), str(r.folder)])
    return write_atomically(path, out.getvalue())


def _note(exercise: Exercise, outcomes: Sequence[Outcome]) -> str:
    """What a teacher may want to look at: a file that does not load, a timeout, a crash."""
    if outcomes and all(o.status == ERROR and o.message.startswith("your file stops") for o in outcomes):
        return f"{exercise.name}: the file does not load"
    odd = [o.status for o in outcomes if o.status in (TIMEOUT, CRASHED)]
    if odd:
        kinds = ", ".join(f"{odd.count(k)} {k}" for k in (TIMEOUT, CRASHED) if k in odd)
        return f"{exercise.name}: {kinds}"
    return ""


def _holds_exercises(folder: Path, exercises: Sequence[Exercise]) -> bool:
    return any((folder / e.file_name).is_file() for e in exercises)


def _searched(folder: Path) -> bool:
    return not folder.name.startswith(".") and folder.name not in SKIPPED


def _work_folder(folder: Path, exercises: Sequence[Exercise]) -> Path | None:
    """The first folder at or below `folder` (breadth first, a few levels) with exercise files."""
    level = [folder]
    for _ in range(SEARCH_DEPTH + 1):
        for candidate in level:
            if _holds_exercises(candidate, exercises):
                return candidate
        level = [p for f in level for p in sorted(f.iterdir()) if p.is_dir() and _searched(p)]
    return None
