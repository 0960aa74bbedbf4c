"""Stepping through a lesson in a terminal, cell by cell.

A lesson is a plain Python file in jupytext's percent format: `# %%` starts a code
cell, `# %% [markdown]` a cell of prose (each line a comment). The same file opens as
a notebook. Run as a script, a lesson hands itself to `step_through`, which prints each
cell's prose and code, runs the code, and waits for Enter (q quits, c carries on
without pausing). It never waits when standard input is not a terminal.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

OUT_ENV = "MICROGRAD_EDU_OUT"  # where lessons put their pictures (default ./micrograd_edu_out)


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    script_only: bool = False  # `active="py"`: runs in the script, a raw cell in the notebook


def lessons_dir() -> Path:
    """The lesson files: shipped inside the package, or beside it in a source checkout."""
    inside = Path(__file__).parent / "_lessons"
    return inside if inside.is_dir() else Path(__file__).resolve().parents[1] / "lessons"


def list_lessons() -> list[Path]:
    return sorted(lessons_dir().glob("[0-9][0-9]_*.py"))


def find_lesson(number: int) -> Path:
    for path in list_lessons():
        if int(path.name[:2]) == number:
            return path
    numbers = ", ".join(str(int(p.name[:2])) for p in list_lessons())
    raise ValueError(f"there is no lesson {number}; the lessons are {numbers}")


def output_dir(name: str) -> Path:
    """The folder a lesson's pictures go to: $MICROGRAD_EDU_OUT/<name>, created if needed."""
    path = Path(os.environ.get(OUT_ENV, "micrograd_edu_out")) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(answer: object, expected: object, hint: str, tol: float = 1e-6) -> None:
    """An exercise's check: prints "correct!" or "not yet: <hint>".

    Numbers, Values, tensors and lists of them are compared within `tol`. It never raises,
    so a lesson with unanswered exercises still runs to its end.
    """
    print("correct!" if _close(_plain(answer), _plain(expected), tol) else f"not yet: {hint}")


def _plain(x: object) -> object:
    """Numbers and nested lists of numbers, from Values and tensors."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if hasattr(x, "data") and isinstance(x.data, float):
        return x.data
    return x


def _close(a: object, b: object, tol: float) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= tol * max(1.0, abs(b))
    return a == b


def parse_cells(text: str) -> list[Cell]:
    """Split a percent-format file into cells (anything before the first `# %%` is skipped)."""
    cells: list[Cell] = []
    for block in re.split(r"^# %%", text, flags=re.M)[1:]:
        header, _, body = block.partition("\n")
        if "[markdown]" in header:
            prose = [
                line[2:] if line.startswith("# ") else line.lstrip("#") for line in body.strip().splitlines()
            ]
            cells.append(Cell("markdown", "\n".join(prose)))
        else:
            cells.append(Cell("code", body.strip("\n"), script_only='active="py"' in header))
    return cells


def to_notebook(path: str | os.PathLike):
    """A lesson as a classroom notebook (nbformat), without outputs and without the
    script-only cell; cell ids are numbered, so regenerating changes nothing."""
    try:
        import jupytext
    except ImportError as e:
        raise ImportError("making notebooks needs jupytext: pip install 'micrograd_edu[notebooks]'") from e
    nb = jupytext.read(path)
    nb.cells = [c for c in nb.cells if c.metadata.get("active") != "py"]
    for i, cell in enumerate(nb.cells):
        cell.id, cell.metadata = f"cell-{i:02d}", {}
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return nb


def step_through(path: str | os.PathLike, pause: bool | None = None) -> int:
    """Run a lesson cell by cell; returns an exit status (0, or 1 if a cell failed)."""
    path = Path(path)
    pause = sys.stdin.isatty() if pause is None else pause and sys.stdin.isatty()
    scope = {"__name__": "__lesson__", "__file__": str(path)}
    prose: list[str] = []
    for cell in parse_cells(path.read_text()):
        if cell.script_only:
            continue
        if cell.kind == "markdown":
            prose.append(cell.source)
            continue
        _show(prose, cell.source)
        prose = []
        try:
            _run(cell.source, scope, path)
        except Exception:
            traceback.print_exc()
            print(f"\nThis cell of {path.name} failed; the lesson stops here.")
            return 1
        if pause:
            answer = input("\n[Enter] next   c: carry on without pausing   q: quit > ").strip().lower()
            if answer == "q":
                return 0
            pause = answer != "c"
    for text in prose:
        print(_styled_prose(text))
    return 0


def _show(prose: list[str], code: str) -> None:
    for text in prose:
        print(_styled_prose(text))
    bar = "\033[2m│\033[0m " if sys.stdout.isatty() else "| "
    print("\n" + "\n".join(bar + line for line in code.splitlines()) + "\n")


def _styled_prose(text: str) -> str:
    if not sys.stdout.isatty():
        return "\n" + text
    return "\n" + "\n".join(
        f"\033[1m{line}\033[0m" if line.startswith("#") else line for line in text.splitlines()
    )


def _run(source: str, scope: dict, path: Path) -> None:
    """Run a cell like a notebook does: the last expression's value is shown."""
    tree = ast.parse(source, str(path))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    assert last is None or isinstance(last, ast.Expr)
    exec(compile(tree, str(path), "exec"), scope)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), str(path), "eval"), scope)
        if _is_picture(value):
            print("(a picture: it shows inline in the notebook; the lesson also saved it to a file)")
        elif value is not None:
            print(repr(value))


def _is_picture(value: object) -> bool:
    return hasattr(value, "_repr_mimebundle_") or hasattr(value, "savefig") or hasattr(value, "_repr_svg_")
