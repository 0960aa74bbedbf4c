"""The exercises' commands, added to `micrograd-edu` by `add_commands`:

micrograd-edu exercises                  the list: number, title, done or not
micrograd-edu exercise 3                 copy exercise 3 into ./micrograd_edu_exercises/, print its path
micrograd-edu check 3                    run its checks on your file (exit 0: all pass, 1: not yet)
micrograd-edu check 3 --watch            ... again each time you save the file
micrograd-edu check --all                your progress, every exercise checked
micrograd-edu check --all --dir submissions --report class.csv
                                         a class's results, for the teacher
micrograd-edu exercise 3 --solution      (teachers) print the reference solution
micrograd-edu check 3 --solution         (teachers, CI) run the checks on the reference solution
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from micrograd_edu.exercises.catalog import Exercise, all_exercises, find_exercise
from micrograd_edu.exercises.classreport import StudentResult, class_results, find_students, write_csv
from micrograd_edu.exercises.printing import report, summary
from micrograd_edu.exercises.progress import (
    DEFAULT_FOLDER,
    NOT_STARTED,
    hand_out,
    record,
    status,
    student_file,
)
from micrograd_edu.exercises.running import Outcome
from micrograd_edu.exercises.worker import check_file

WATCH_EVERY = 0.5  # seconds between looks at a watched file


def add_commands(commands: Any) -> None:
    """Add `exercises`, `exercise` and `check` to the command's subparsers."""
    folder_help = f"your work folder (default ./{DEFAULT_FOLDER})"

    listing = commands.add_parser("exercises", help="list the exercises, with what you have done")
    listing.add_argument("--dir", default=DEFAULT_FOLDER, metavar="D", help=folder_help)
    listing.set_defaults(run=list_exercises)

    one = commands.add_parser("exercise", help="copy an exercise into your work folder and print its path")
    one.add_argument("number", type=int, help="the exercise's number, e.g. 3")
    one.add_argument("--dir", default=DEFAULT_FOLDER, metavar="D", help=folder_help)
    one.add_argument(
        "--restart", action="store_true", help="start over from the stub (your file is kept beside it)"
    )
    one.add_argument("--solution", action="store_true", help="(teachers) print the reference solution")
    one.set_defaults(run=start_exercise)

    check = commands.add_parser("check", help="run an exercise's checks on your file, with hints")
    check.add_argument("number", type=int, nargs="?", help="the exercise's number, e.g. 3")
    check.add_argument("--all", action="store_true", help="check every exercise: your progress")
    check.add_argument(
        "--dir",
        metavar="D",
        help=f"your work folder (default ./{DEFAULT_FOLDER}); with --report, "
        "a class's folder of student folders",
    )
    check.add_argument(
        "--hint", type=_positive_int, default=1, metavar="K", help="hint level: 2 and up say more"
    )
    check.add_argument("--watch", action="store_true", help="check again each time the file is saved")
    check.add_argument("--solution", action="store_true", help="(teachers, CI) check the reference solution")
    check.add_argument(
        "--report", metavar="CSV", help="with --all: write everyone's results to this CSV file"
    )
    check.add_argument(
        "--timeout", type=_positive_float, metavar="S", help="seconds each check may take (default: its own)"
    )
    check.add_argument(
        "--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="J", help="checks run at once"
    )
    check.set_defaults(run=run_check_command)


# ---- exercises, exercise N -------------------------------------------------------------------


def list_exercises(args: argparse.Namespace) -> int:
    exercises = all_exercises()
    states = [status(args.dir, e) for e in exercises]
    width = max(len(e.title) for e in exercises)
    for exercise, state in zip(exercises, states):
        print(f"{exercise.number:>2}  {exercise.title:<{width}}  {state}")
    done = states.count("done")
    print(f"\n{done} of {len(exercises)} done, in {args.dir}/. {_next_step(exercises, states)}")
    return 0


def start_exercise(args: argparse.Namespace) -> int:
    exercise = find_exercise(args.number)
    if args.solution:
        print(exercise.solution.read_text(encoding="utf-8"), end="")
        return 0
    path, what = hand_out(exercise, args.dir, restart=args.restart)
    print(f"Exercise {exercise.number}: {exercise.title}")
    print(path)
    if what != "ready":
        print(f"({what})")
    print(f"Write your code where the file says, then run: micrograd-edu check {exercise.number}")
    return 0


# ---- check -------------------------------------------------------------------------------------


def run_check_command(args: argparse.Namespace) -> int:
    _refuse_bad_combinations(args)
    try:
        if args.report:
            return _class_report(args)
        if args.all:
            return _check_all(args)
        exercise = find_exercise(args.number)
        if args.solution:
            return _check_one(exercise, exercise.solution, args, None)
        folder = args.dir or DEFAULT_FOLDER
        path = student_file(folder, exercise)
        if not path.is_file():
            raise ValueError(
                f"there is no {path}: run `micrograd-edu exercise {exercise.number}` first to get it "
                "(or give --dir the folder it is in)"
            )
        if args.watch:
            return _watch(exercise, path, args, folder)
        return _check_one(exercise, path, args, folder)
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
        return 130


def _refuse_bad_combinations(args: argparse.Namespace) -> None:
    if args.number is None and not args.all:
        raise ValueError("check needs an exercise's number (micrograd-edu check 3) or --all")
    if args.number is not None and args.all:
        raise ValueError(f"check takes an exercise's number or --all, not both (got {args.number} and --all)")
    if args.report and not args.all:
        raise ValueError(
            "--report writes everyone's results: use it with --all (check --all --report FILE.csv)"
        )
    if args.report and args.solution:
        raise ValueError(
            "--report checks students' files; --solution checks the reference solutions: pick one"
        )
    if args.watch and (args.all or args.solution):
        raise ValueError("--watch follows one file of yours: micrograd-edu check 3 --watch")
    if (args.hint != 1 or args.watch) and args.all:
        raise ValueError("--hint and --watch are for one exercise: micrograd-edu check 3 --hint 2")


def _check_one(exercise: Exercise, path: Path, args: argparse.Namespace, folder: str | None) -> int:
    outcomes = check_file(exercise, path, args.timeout)
    if folder is not None:
        record(folder, exercise, outcomes)
    print(_report(exercise, outcomes, args.hint, students=folder is not None))
    return 0 if all(o.passed for o in outcomes) else 1


def _report(exercise: Exercise, outcomes: list[Outcome], level: int, students: bool) -> str:
    numbers = [e.number for e in all_exercises()]
    following = [n for n in numbers if n > exercise.number]
    if not students:
        next_step = ""
    elif following:
        next_step = f"Next: micrograd-edu exercise {following[0]}"
    else:
        next_step = "That was the last one: well done."
    more = f"micrograd-edu check {exercise.number} --hint {level + 1} gives stronger hints."
    return report(exercise, outcomes, level, more=more, next_step=next_step)


def _check_all(args: argparse.Namespace) -> int:
    exercises = all_exercises()
    folder = args.dir or DEFAULT_FOLDER
    if args.dir and not args.solution and not Path(args.dir).is_dir():
        raise ValueError(f"there is no folder {args.dir}: give --dir your work folder")
    paths = [e.solution if args.solution else student_file(folder, e) for e in exercises]
    width = max(len(e.title) for e in exercises)
    pool = ThreadPoolExecutor(max_workers=args.jobs)
    try:
        runs = [
            pool.submit(check_file, e, p, args.timeout) if p.is_file() else None
            for e, p in zip(exercises, paths)
        ]
        states = []
        for exercise, run in zip(exercises, runs):
            if run is None:
                state = NOT_STARTED
            else:
                outcomes = run.result()
                if not args.solution:
                    record(folder, exercise, outcomes)
                state = summary(sum(o.passed for o in outcomes), len(outcomes))
            states.append(state)
            print(f"{exercise.number:>2}  {exercise.title:<{width}}  {state}", flush=True)
    finally:
        pool.shutdown(cancel_futures=True)  # after Ctrl-C, the checks not yet started are dropped
    done = states.count("done")
    where = "reference solutions" if args.solution else f"done, in {folder}/"
    step = "" if args.solution else " " + _next_step(exercises, states)
    print(f"\n{done} of {len(exercises)} {where}.{step}")
    return 0 if done == len(exercises) else 1


def _next_step(exercises: list[Exercise], states: list[str]) -> str:
    for exercise, state in zip(exercises, states):
        if state != "done":
            command = "exercise" if state == NOT_STARTED else "check"
            return f"Next: micrograd-edu {command} {exercise.number}"
    return "All done: well done."


def _class_report(args: argparse.Namespace) -> int:
    exercises = all_exercises()
    students = find_students(args.dir or DEFAULT_FOLDER, exercises)
    totals = {e.name: len(e.checks().checks) for e in exercises}
    print(f"Checking {len(students)} student folder(s), {len(exercises)} exercises each...", flush=True)

    def show(result: StudentResult) -> None:
        notes = f"   ({'; '.join(result.notes)})" if result.notes else ""
        print(f"  {result.student:<24} {result.done(totals):>2} of {len(exercises)} done{notes}", flush=True)

    results = class_results(students, exercises, args.jobs, args.timeout, progress=show)
    path = write_csv(args.report, results, exercises)
    print(f"Wrote {path}: a row per student, and for each exercise how many of its checks pass.")
    return 0


def _watch(exercise: Exercise, path: Path, args: argparse.Namespace, folder: str) -> int:
    """Check the file, then again each time it changes, until Ctrl-C."""
    seen: bytes | None = None
    try:
        while True:
            try:
                content = path.read_bytes()
            except OSError:  # being saved, or moved away for a moment
                content = seen or b""
            if content != seen:
                seen = content
                if sys.stdout.isatty():
                    print("\033[2J\033[H", end="")  # a clean screen for each run
                _check_one(exercise, path, args, folder)
                print(f"\nWatching {path}: save it to check again, Ctrl-C to stop.", flush=True)
            time.sleep(WATCH_EVERY)
    except KeyboardInterrupt:
        print("\nstopped watching")
        return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text}")
    return value
