"""Stepping through a lesson in a terminal, cell by cell.

A lesson is a plain Python file in jupytext's percent format: `# %%` starts a code
cell, `# %% [markdown]` a cell of prose (each line a comment). The same file opens as
a notebook. Run as a script, a lesson hands itself to `step_through`, which prints each
cell's prose (its markdown rendered for a terminal) and code, runs the code, names the
pictures it saved, and waits for a key (Enter: next, c: carry on without pausing, q: quit).
It never waits, and exercises never ask, when standard input is not a terminal.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import math
import os
import re
import shutil
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

OUT_ENV = "MICROGRAD_EDU_OUT"  # where lessons put their pictures (default ./micrograd_edu_out)
INTERRUPTED = 130  # the exit status of a program stopped by Ctrl-C (128 + SIGINT), as shells give it


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
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ValueError(
            f"cannot make the folder {path} for the lesson's pictures ({e.strerror}): set ${OUT_ENV} (or "
            "--out) to a folder you can write to"
        ) from None
    return path


def check(answer: object, expected: object, hint: str, tol: float = 1e-6) -> None:
    """An exercise's check: prints "correct!" or "not yet: <hint>" (a hint that teaches the way
    to the answer, never the answer itself).

    Numbers, Values, tensors and lists of them are compared within `tol`. Stepping through a
    lesson in a terminal, an exercise not yet answered asks for the answer instead: a number,
    a list, a word, or a Python expression in the lesson's names (`before - 0.1 * g`), checked
    to three significant digits; Enter skips it. It never raises, so a lesson with unanswered
    exercises still runs to its end.
    """
    global _asking
    if _close(_plain(answer), _plain(expected), tol):
        print("correct!")
        return
    if answer is not None or not _asking:
        print(_wrapped(f"not yet: {hint}", indent="  "))
    if not _asking:
        return
    caller = inspect.currentframe()
    scope = caller.f_back.f_globals if caller and caller.f_back else {}
    while True:
        try:
            typed = input("your answer (3 significant digits are enough; Enter skips) > ").strip()
        except EOFError:  # Ctrl-D, or the input ran out: skip this one and ask no more
            _asking = False
            typed = ""
            print()
        if not typed:
            print(_wrapped("skipped: the exercise stays open; in a notebook, put your code in place of None"))
            return
        try:
            value = _typed_value(typed, expected, scope)
        except Exception as e:  # anything a student can type: say what went wrong, ask again
            print(
                _wrapped(
                    f"that did not read as an answer ({type(e).__name__}: {e}): type a number like 0.25, "
                    "a list like [1, 2], a word, or an expression like 2 * math.e"
                )
            )
            continue
        if _close(_plain(value), _plain(expected), tol, relative=1e-3):
            print("correct!")
            return
        print(_wrapped(f"not yet: {hint}", indent="  "))


_asking = False  # True while step_through runs a lesson in a terminal: check() asks for answers
ANSWER_FUNCTIONS = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")} | {
    "abs": abs, "round": round, "min": min, "max": max, "sum": sum, "len": len, "math": math,
}  # fmt: skip


def _typed_value(typed: str, expected: object, scope: dict) -> object:
    """What a student typed, as a value: a literal, else an expression in the lesson's names and
    math's functions, else (when a word is expected) the word itself."""
    try:
        return ast.literal_eval(typed)
    except (ValueError, SyntaxError):
        pass
    try:
        return eval(typed, {"__builtins__": ANSWER_FUNCTIONS}, scope)
    except (NameError, SyntaxError):
        if isinstance(expected, str):
            return typed.strip("'\"")
        raise


def _plain(x: object) -> object:
    """Numbers and nested lists of numbers, from Values and tensors."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if hasattr(x, "data") and isinstance(x.data, float):
        return x.data
    return x


def _close(a: object, b: object, tol: float, relative: float = 0.0) -> bool:
    """a equals b within tol (times |b| past 1), or within a share `relative` of |b|."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, tol, relative) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= max(tol * max(1.0, abs(b)), relative * abs(b))
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
        from micrograd_edu.viz.install import install_hint

        raise ImportError(f"making notebooks needs jupytext: {install_hint('notebooks')}") from e
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
    """Run a lesson cell by cell; returns an exit status (0, 1 if a cell failed, or 130 if
    Ctrl-C stopped it: one line says where, no traceback).

    In a terminal it waits after each cell for one key (Enter: next, c: carry on without
    pausing, q: quit), prose is wrapped to the terminal's width with its markdown rendered,
    each picture a cell saves is named, exercises ask for their answers, and the lesson ends
    with what it covered and what comes next.
    """
    global _asking
    path = Path(path)
    pause = sys.stdin.isatty() if pause is None else pause and sys.stdin.isatty()
    scope = {"__name__": "__lesson__", "__file__": str(path)}
    cells = parse_cells(path.read_text())
    prose: list[str] = []
    saved: list[Path] = []
    _asking = pause
    code = [cell for cell in cells if cell.kind == "code" and not cell.script_only]
    done, running = 0, False  # how many code cells have run; whether one is running now
    try:
        for cell in cells:
            if cell.script_only:
                continue
            if cell.kind == "markdown":
                prose.append(cell.source)
                continue
            _show(prose, cell.source)
            prose = []
            before = _files()
            running = True
            try:
                picture = _run(cell.source, scope, path)
            except BrokenPipeError:  # the output's reader has gone (head): no use going on
                raise
            except Exception:
                traceback.print_exc()
                print(f"\nThis cell of {path.name} failed; the lesson stops here.")
                return 1
            done, running = done + 1, False
            new = _new_files(before)
            saved += [f for f in new if f not in saved]
            _say_saved(new, picture)
            if pause:
                key = _key("[Enter] next cell   c: run to the end without stopping   q: quit")
                if key == "q":
                    return 0
                pause = key != "c"
                _asking = pause
        for text in prose:
            print(render_markdown(text))
        print(_summary(path, cells, saved))
        return 0
    except KeyboardInterrupt:
        sys.stdout.flush()
        where = f"in cell {done + 1}" if running else f"after cell {done}" if done else "before cell 1"
        print(f"\ninterrupted {where} of {len(code)} of {path.name}: the lesson stops here", file=sys.stderr)
        return INTERRUPTED
    finally:
        _asking = False


def width() -> int:
    """The width prose is wrapped to: the terminal's, at most 100 (80 where it cannot be told)."""
    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))


def _styled() -> bool:
    return sys.stdout.isatty()


BOLD, ITALIC, CODE, DIM, RESET = "\033[1m", "\033[3m", "\033[36m", "\033[2m", "\033[0m"
INLINE = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`|(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])")


def render_markdown(text: str, columns: int | None = None, styled: bool | None = None) -> str:
    """The markdown of a lesson's prose as a terminal shows it: headings in bold (underlined in
    plain text), **bold**, *italic* and `code` styled (their marks dropped), paragraphs and list
    items wrapped to `columns` (list items with a hanging indent), indented code kept as it is."""
    columns = columns or width()
    styled = _styled() if styled is None else styled
    out = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.splitlines()
        if all(line.startswith("    ") for line in lines):  # a code block
            out.append("\n".join(lines))
        elif lines[0].startswith("#"):  # a heading: its first line; more lines are a paragraph
            level = len(lines[0]) - len(lines[0].lstrip("#"))
            heading = _inline(lines[0].lstrip("#").strip(), False)
            if styled:
                out.append(f"{BOLD}{heading}{RESET}")
            else:
                out.append(heading + "\n" + ("═" if level == 1 else "─") * min(len(heading), columns))
            if lines[1:]:
                out[-1] += "\n" + "\n".join(_wrap_item(item, columns, styled) for item in _items(lines[1:]))
        else:
            out.append("\n".join(_wrap_item(item, columns, styled) for item in _items(lines)))
    return "\n" + "\n\n".join(out)


def _items(lines: list[str]) -> list[str]:
    """A block's paragraph and list items, each as one line: "1. ..." and "- ..." start an item,
    indented lines continue it."""
    items: list[str] = []
    for line in lines:
        starts = re.match(r"\s*(\d+\.|[-*])\s", line)
        if not items or (starts and not line.startswith("      ")):
            items.append(line.strip())
        else:
            items[-1] += " " + line.strip()
    return items


def _wrap_item(item: str, columns: int, styled: bool) -> str:
    marker = re.match(r"(\d+\.|[-*])\s+", item)
    if marker and marker.group(1) in "-*":
        first, rest = "• ", "  "
        item = item[marker.end() :]
    elif marker:
        first, rest = marker.group(0), " " * len(marker.group(0))
        item = item[marker.end() :]
    else:
        first = rest = ""
    return _wrapped(_inline(item, styled), columns, first, rest)


def _inline(text: str, styled: bool) -> str:
    """**bold**, `code` and *italic* as terminal styles (or as plain words)."""

    def one(m: re.Match) -> str:
        bold, code, italic = m.groups()
        if not styled:
            return bold or code or italic
        style = BOLD if bold else CODE if code else ITALIC
        return "".join(
            f"{style}{word}{RESET}" if word.strip() else word
            for word in re.split(r"( )", bold or code or italic)
        )

    return INLINE.sub(one, text)


def _visible(text: str) -> int:
    return len(re.sub(r"\033\[[0-9;]*m", "", text))


def _wrapped(text: str, columns: int | None = None, first: str = "", indent: str = "") -> str:
    """Words wrapped to `columns` by their visible width (styles take none), never mid-word;
    the first line starts with `first`, the others with `indent`."""
    columns = columns or width()
    lines, line, empty = [], first, True
    for word in text.split(" "):
        if not word:
            continue
        if not empty and _visible(line) + 1 + _visible(word) > columns:
            lines.append(line)
            line, empty = indent, True
        line += word if empty else " " + word
        empty = False
    lines.append(line)
    return "\n".join(lines)


def shown_code(code: str) -> str:
    """A cell's code as the stepper prints it: each exercise's `check(answer, expected, hint)`
    is shown as `check(answer, …)`, so that reading the code does not give the answer away."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines()
    calls = [
        (node, node.value)
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "check"
    ]
    for node, call in reversed(calls):
        said = ast.unparse(call.args[0]) if call.args else "answer"
        end = node.end_lineno or node.lineno
        hidden = f"check({said}, …)  # checks your answer; the expected one stays hidden"
        lines[node.lineno - 1 : end] = [" " * node.col_offset + hidden]
    return "\n".join(lines)


def _show(prose: list[str], code: str) -> None:
    for text in prose:
        print(render_markdown(text))
    bar = f"{DIM}│{RESET} " if _styled() else "| "
    columns = width() - 2
    shown = []
    for line in shown_code(code).splitlines():
        while len(line) > columns:  # a long line goes on under a mark (the code itself is unchanged)
            cut = line.rfind(" ", 0, columns) if " " in line[:columns].strip() else columns
            cut = cut if cut > columns // 2 else columns
            shown.append(bar + line[:cut])
            line = "    ↪ " + line[cut:].lstrip()
        shown.append(bar + line)
    print("\n" + "\n".join(shown) + "\n")


def _key(prompt: str) -> str:
    """One key (lowercased) from the terminal, without Enter where the terminal allows; the
    prompt is erased afterwards, so it does not stay in the scrollback."""
    try:
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, io.UnsupportedOperation, AttributeError):  # no terminal
        try:
            answer = input(f"\n{prompt} > ").strip().lower()
        except EOFError:  # the input has run out: nothing more will come to go on with
            return "q"
        if _styled():
            print("\033[F\033[2K", end="", flush=True)  # up to the prompt's line, and clear it
        return answer[:1] or "\n"
    print(f"\n{DIM}{prompt}{RESET} ", end="", flush=True)
    try:
        tty.setcbreak(fd)
        key = sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    print("\r\033[2K\033[F", end="", flush=True)
    return key.lower()


def _files() -> dict[Path, int]:
    """Every file under the lessons' output folder, with the time it was last written."""
    root = Path(os.environ.get(OUT_ENV, "micrograd_edu_out"))
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} if root.is_dir() else {}


def _new_files(before: dict[Path, int]) -> list[Path]:
    after = _files()
    return sorted(p for p, t in after.items() if before.get(p) != t)


def _say_saved(files: list[Path], picture: bool) -> None:
    """Name the files a cell wrote: each one, or a folder of many (a recording's frames) at once."""
    counts = Counter(f.parent for f in files)
    lines, told = [], set()
    for f in files:
        if counts[f.parent] < MANY:
            lines.append(f"saved {f}")
        elif f.parent not in told:
            told.add(f.parent)
            lines.append(f"saved {counts[f.parent]} files in {f.parent}/")
    if picture:
        where = "open the file named above" if lines else "this cell saved no file of it"
        lines.append(f"(a picture: a notebook shows it here; in a terminal, {where})")
    for line in lines:
        print(_wrapped(line, indent="  "))


MANY = 4  # files written into one folder by one cell, past which the folder is named instead


def _summary(path: Path, cells: list[Cell], saved: list[Path]) -> str:
    """What a lesson covered (its sections), the pictures it saved and the next lesson."""
    title, sections = path.stem, []
    for cell in cells:
        if cell.kind == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                elif line.startswith("## ") and line[3:].strip() not in ("What we saw", "Exercises"):
                    sections.append(_inline(line[3:].strip(), False))
    lines = [f"End of {title}.", "", "It covered: " + "; ".join(sections) + "."]
    if saved:
        folders = sorted({f.parent for f in saved if f.parent.name != "frames"})
        lines.append(f"Its pictures and files are in {', '.join(str(f) + '/' for f in folders)}.")
    number = int(path.name[:2]) if path.name[:2].isdigit() else 0
    later = [p for p in list_lessons() if int(p.name[:2]) == number + 1]
    if later:
        lines.append(f"Next: micrograd-edu lesson {number + 1}")
    rule = "─" * min(width(), 60)
    body = "\n".join(_wrapped(line, indent="  ") if line else "" for line in lines)
    return f"\n{rule}\n{body}\n{rule}"


def _run(source: str, scope: dict, path: Path) -> bool:
    """Run a cell like a notebook does: the last expression's value is shown. True if that
    value is a picture (which a notebook would draw). What the cell prints is wrapped to the
    terminal's width at spaces, as the prose is."""
    tree = ast.parse(source, str(path))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    assert last is None or isinstance(last, ast.Expr)
    output = WrappedOutput(sys.stdout)
    try:
        with contextlib.redirect_stdout(output):
            exec(compile(tree, str(path), "exec"), scope)
            if last is None:
                return False
            value = eval(compile(ast.Expression(last.value), str(path), "eval"), scope)
            if _is_picture(value):
                return True
            if value is not None:
                print(repr(value))
            return False
    finally:
        output.flush()


class WrappedOutput(io.TextIOBase):
    """A stream that passes text on to `out`, each finished line wrapped to the terminal's width
    at spaces (the rest indented by two); a line still being written (a prompt) goes as it is."""

    def __init__(self, out) -> None:
        self.out, self.pending = out, ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            self.out.write(_fit(line) + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.out.write(self.pending)
            self.pending = ""
        self.out.flush()


def _fit(line: str) -> str:
    """A printed line as it fits the terminal: unchanged if it does, else broken at spaces."""
    if _visible(line) <= width() or " " not in line.strip():
        return line
    lead = line[: len(line) - len(line.lstrip(" "))]
    return _wrapped(line.strip(), width(), lead, lead + "  ")


def _is_picture(value: object) -> bool:
    return hasattr(value, "_repr_mimebundle_") or hasattr(value, "savefig") or hasattr(value, "_repr_svg_")
