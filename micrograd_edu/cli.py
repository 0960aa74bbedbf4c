"""The `micrograd-edu` command (also `python -m micrograd_edu`).

micrograd-edu demo            train the tutorial's SimpleNN and draw its graph at every step
micrograd-edu lessons         list the lessons
micrograd-edu lesson 5        step through lesson 5 in this terminal
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import sys
import textwrap

from micrograd_edu.exercises.commands import add_commands as add_exercise_commands
from micrograd_edu.lessons import OUT_ENV, find_lesson, list_lessons, parse_cells, step_through


def main(argv: list[str] | None = None) -> int:
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
    demo.add_argument("--seed", type=int, default=0, help="random seed for the initial weights")
    demo.add_argument("--lr", type=float, default=0.5, help="learning rate")
    demo.add_argument("--momentum", type=float, default=0.9, help="SGD momentum")
    demo.add_argument("--out", default="micrograd_edu_out/demo", help="output folder")

    commands.add_parser("lessons", help="list the lessons", description="List the lessons.")
    lesson = commands.add_parser(
        "lesson",
        help="step through a lesson in this terminal",
        description="Step through a lesson cell by cell: Enter runs the next cell, c runs the rest "
        "without stopping, q quits.",
    )
    lesson.add_argument("number", type=int, help="the lesson's number, e.g. 5")
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
        if args.out:
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
    from micrograd_edu.demo import run_demo

    if args.level == "scalar" and args.backend == "numpy":
        raise ValueError("--level scalar draws Values, which only the python backend has: use --level tensor")
    result = run_demo(
        args.out, args.epochs, args.render_every, args.backend, args.level, args.seed, args.lr, args.momentum
    )
    losses = result.losses
    for step in sorted({1, *range(len(losses) // 4, len(losses) + 1, max(len(losses) // 4, 1))}):
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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text}")
    return value


def _title(path) -> str:
    """A lesson's first heading."""
    for cell in parse_cells(path.read_text()):
        if cell.kind == "markdown":
            return cell.source.splitlines()[0].lstrip("# ").strip()
    return path.stem
