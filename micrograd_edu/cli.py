"""The `micrograd-edu` command (also `python -m micrograd_edu`).

micrograd-edu demo            train the tutorial's SimpleNN and draw its graph at every step
micrograd-edu lessons         list the lessons
micrograd-edu lesson 5        step through lesson 5 in this terminal

A mistake in what was typed gets one line that names the option and the value, and exit
status 2, before any work starts; Ctrl-C gets one line and status 130; output piped into
`head` stops quietly when `head` has read enough.
"""

from __future__ import annotations

import argparse
import difflib
import io
import math
import os
import re
import shutil
import sys
import textwrap

from micrograd_edu.exercises.commands import add_commands as add_exercise_commands
from micrograd_edu.files import writable_folder
from micrograd_edu.lessons import INTERRUPTED, OUT_ENV, find_lesson, list_lessons, parse_cells, step_through


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` (default: the command line); its exit status."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, so that a closed pipe is noticed here, not at exit
        return status
    except KeyboardInterrupt:
        print("\nmicrograd-edu: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # what reads the output (head) has had enough: stop quietly
        _discard_stdout()
        return 1


def _discard_stdout() -> None:
    """Send what is still to be written to stdout nowhere, so that Python's flush at exit does not
    complain of the closed pipe (the recipe of the Python docs' note on SIGPIPE)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # not a real file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="micrograd-edu", description="Automatic differentiation you can read, run and watch."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    demo = commands.add_parser(
        "demo",
        help="train the tutorial's SimpleNN on XOR and draw its graph",
        description="Train the PyTorch tutorial's SimpleNN on XOR with micrograd_edu, drawing the graph of "
        "every K-th step and of the last: frames, a GIF, a replay page and plots.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    demo.add_argument("--epochs", type=_positive, default=1000, help="training steps")
    demo.add_argument("--render-every", type=_positive, default=100, metavar="K", help="draw every K-th step")
    demo.add_argument("--backend", choices=["python", "numpy"], default="python", help="tensor backend")
    demo.add_argument(
        "--level",
        choices=["tensor", "scalar"],
        default="tensor",
        help="tensor: a box per tensor op (about 20, slide-sized); scalar: a box per Value (about 185, "
        "python backend only: open replay.html and zoom in)",
    )
    demo.add_argument("--seed", type=_seed, default=0, help="random seed for the initial weights")
    demo.add_argument("--lr", type=_non_negative, default=0.5, help="learning rate")
    demo.add_argument("--momentum", type=_non_negative, default=0.9, help="SGD momentum")
    demo.add_argument("--out", default="micrograd_edu_out/demo", help="output folder")

    commands.add_parser("lessons", help="list the lessons", description="List the lessons.")
    lesson = commands.add_parser(
        "lesson",
        help="step through a lesson in this terminal",
        description="Step through a lesson cell by cell: Enter runs the next cell, c runs the rest "
        "without stopping, q quits.",
    )
    lesson.add_argument("number", type=_lesson_number, help="the lesson's number, e.g. 5")
    lesson.add_argument("--no-pause", action="store_true", help="run straight through, without waiting")
    lesson.add_argument(
        "--out", help=f"folder for the lesson's pictures (default ${OUT_ENV} or ./micrograd_edu_out)"
    )
    add_exercise_commands(commands)  # exercises, exercise N, check N: micrograd_edu/exercises/commands.py

    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, with its own usage line
        which = commands.choices.get(args.command, parser)
        which.error(f"unrecognized arguments: {' '.join(unknown)}{_did_you_mean(unknown[0], which)}")
    try:
        if hasattr(args, "run"):  # a command added by add_exercise_commands
            return args.run(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "lessons":
            for path in list_lessons():
                print(f"{int(path.name[:2]):>2}  {_title(path)}")
            print("\nStart one with: micrograd-edu lesson N   (Enter: next cell, c: run to the end, q: quit)")
            return 0
        path = find_lesson(args.number)
        if args.out is not None:
            writable_folder(args.out, "--out")
            os.environ[OUT_ENV] = args.out
        return step_through(path, pause=not args.no_pause)
    except (ValueError, RuntimeError, ImportError) as e:
        print(f"micrograd-edu: error: {e}", file=sys.stderr)
        return 2


def _did_you_mean(word: str, parser: argparse.ArgumentParser) -> str:
    """A hint for a misspelt option, ` (did you mean --epochs?)`, or nothing."""
    options = re.findall(r"--[\w-]+", parser.format_help())
    close = difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.5)
    return f" (did you mean {close[0]}?)" if close else ""


def _demo(args: argparse.Namespace) -> int:
    from micrograd_edu.demo import Interrupted, run_demo

    if args.level == "scalar" and args.backend == "numpy":
        raise ValueError("--level scalar draws Values, which only the python backend has: use --level tensor")
    writable_folder(args.out, "--out")
    writable_folder(os.path.join(args.out, "frames"), "--out")
    try:
        result = run_demo(
            args.out,
            args.epochs,
            args.render_every,
            args.backend,
            args.level,
            args.seed,
            args.lr,
            args.momentum,
        )
    except Interrupted as stop:
        print(f"micrograd-edu: {stop}", file=sys.stderr)
        return INTERRUPTED
    losses = result.losses
    for step in reported_steps(len(losses)):
        print(f"step {step:>5}   loss {losses[step - 1]:.4f}")
    print(f"predictions {result.predicted}   accuracy {result.accuracy:.0%}")
    print(f"\nThe pictures are in {args.out}/:")
    for name, path in result.files.items():
        print(f"  {name:<11} {path}")
    print(f"  {'frames':<11} {args.out}/frames/ (one per recorded step; the last is step {len(losses)})")
    if args.level == "scalar":
        note = (
            "At --level scalar every Value is a box: open replay.html and press 'actual size' to read "
            "them, or use --level tensor for pictures that fit a slide."
        )
        print("\n" + textwrap.fill(note, width=min(100, shutil.get_terminal_size().columns)))
    return 0


def reported_steps(n: int) -> list[int]:
    """The steps whose loss the demo prints: the first, and each quarter of the way to the last.

    >>> reported_steps(1000), reported_steps(3), reported_steps(1)
    ([1, 250, 500, 750, 1000], [1, 2, 3], [1])
    """
    return sorted({1, *(max(1, n * k // 4) for k in range(1, 5))}) if n else []


# Each option's type: argparse says "argument --lr: <the message>", so the message names the value.


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0 (and not nan or inf), got {text!r}")
    return value


SEEDS = (-(2**63), 2**64 - 1)  # what PyTorch's manual_seed takes


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not SEEDS[0] <= value <= SEEDS[1]:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from {SEEDS[0]} to {SEEDS[1]} (what PyTorch's manual_seed takes), "
            f"got {text!r}"
        )
    return value


def _lesson_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a lesson's number, such as 5 (micrograd-edu lessons lists them), got {text!r}"
        ) from None


def _title(path) -> str:
    """A lesson's first heading."""
    for cell in parse_cells(path.read_text()):
        if cell.kind == "markdown":
            return cell.source.splitlines()[0].lstrip("# ").strip()
    return path.stem
