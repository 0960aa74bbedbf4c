"""Every lesson runs as a script and as a notebook; notebooks stay in sync; the stepper pauses
only when it should."""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from micrograd_edu import lessons
from micrograd_edu.lessons import list_lessons, step_through, to_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = list_lessons()
NOTEBOOKS = ROOT / "notebooks"


def test_the_lessons_are_found_in_order():
    numbers = [int(p.name[:2]) for p in LESSONS]
    assert numbers == list(range(1, len(numbers) + 1)) and numbers


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_runs_as_a_script_without_pausing(lesson, tmp_path):
    run = subprocess.run(
        [sys.executable, str(lesson)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MICROGRAD_EDU_OUT": str(tmp_path)},
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    assert "|" in run.stdout  # the code was printed before it ran
    assert any(tmp_path.rglob("*.*")), "a lesson saves its pictures into its output folder"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_has_its_notebook_in_sync_and_without_outputs(lesson):
    path = NOTEBOOKS / f"{lesson.stem}.ipynb"
    assert path.exists(), f"run python notebooks/make_notebooks.py to make {path.name}"
    committed = nbformat.read(path, as_version=4)
    expected = to_notebook(lesson)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], f"{path.name} differs from {lesson.name}: run python notebooks/make_notebooks.py"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), (
        "commit notebooks without outputs"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_notebook_runs_in_a_kernel(lesson, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROGRAD_EDU_OUT", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS / f"{lesson.stem}.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/svg+xml" in o.get("data", {}) or "image/png" in o.get("data", {}) for o in outputs), (
        "graphs and plots show inline"
    )


LESSON = """# %% active="py"
print("script only")

# %% [markdown]
# # A heading
# Some prose.

# %%
x = 1 + 1
x

# %%
print("second cell")
"""


def test_the_stepper_prints_prose_and_code_runs_it_and_shows_the_last_expression(tmp_path, capsys):
    path = tmp_path / "99_tiny.py"
    path.write_text(LESSON)
    assert step_through(path, pause=False) == 0
    out = capsys.readouterr().out
    assert "script only" not in out
    assert out.index("A heading\n═") < out.index("| x = 1 + 1") < out.index("2\n") < out.index("second cell")
    assert "# A heading" not in out  # markdown is rendered, not shown raw


def test_the_stepper_waits_for_a_key_and_q_quits(tmp_path, monkeypatch, capsys):
    path = tmp_path / "99_tiny.py"
    path.write_text(LESSON)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(lessons, "_key", lambda prompt: "q")
    assert step_through(path) == 0
    assert "second cell" not in capsys.readouterr().out


def test_without_a_real_terminal_a_key_is_read_as_a_line(monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "Q\n")
    assert lessons._key("[Enter] next") == "q"
    monkeypatch.setattr("builtins.input", lambda prompt: "")
    assert lessons._key("[Enter] next") == "\n"


def test_the_stepper_never_waits_without_a_terminal(tmp_path, monkeypatch):
    path = tmp_path / "99_tiny.py"
    path.write_text(LESSON)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("it waited"))
    assert step_through(path) == 0


def test_a_failing_cell_stops_the_lesson_with_status_1(tmp_path, capsys):
    path = tmp_path / "99_bad.py"
    path.write_text("# %%\nraise ValueError('broken on purpose')\n\n# %%\nprint('never')\n")
    assert step_through(path, pause=False) == 1
    captured = capsys.readouterr()
    assert "broken on purpose" in captured.err and "never" not in captured.out


def test_check_says_correct_or_gives_the_hint(capsys):
    lessons.check(27.0000000001, 27, "the hint")
    lessons.check(None, 27, "the hint")
    assert capsys.readouterr().out.splitlines() == ["correct!", "not yet: the hint"]


def test_in_a_terminal_check_asks_for_the_answer_and_never_tells_it(monkeypatch, capsys):
    monkeypatch.setattr(lessons, "_asking", True)
    typed = iter(["26", "3 * 3**2"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(typed))
    lessons.check(None, 27.0, "the power rule")
    assert capsys.readouterr().out.splitlines() == ["not yet: the power rule", "correct!"]
    typed = iter(["0.333, -0.667"])  # three significant digits are enough
    lessons.check(None, (1 / 3, -2 / 3), "one per input")
    assert capsys.readouterr().out.strip() == "correct!"
    typed = iter(["numpy"])  # a word needs no quotes
    lessons.check(None, "numpy", "the backend")
    assert capsys.readouterr().out.strip() == "correct!"
    typed = iter(["1e-4", ""])  # small numbers are compared relatively: 1e-4 is not 1e-5
    lessons.check(None, 1e-5, "read the table", tol=1e-12)
    out = capsys.readouterr().out
    assert "not yet" in out and "skipped" in out and "1e-05" not in out and "0.00001" not in out
    typed = iter(["oops(", ""])
    lessons.check(None, 1.0, "hint")
    assert "did not read as an answer" in capsys.readouterr().out


def test_a_typed_expression_uses_the_lessons_names(monkeypatch, capsys):
    monkeypatch.setattr(lessons, "_asking", True)
    monkeypatch.setattr("builtins.input", lambda prompt: "before - 0.1 * g")
    scope = {"check": lessons.check, "before": 0.5, "g": 2.0}
    exec("check(None, 0.3, 'w - lr * grad')", scope)
    assert capsys.readouterr().out.strip() == "correct!"


def test_markdown_is_rendered_for_a_terminal():
    text = (
        "## A *heading*\n\n1. **by hand**: apply the rules of calculus, get a formula, put the number "
        "in\n\n    f'(x) = 3x²"
    )
    plain = lessons.render_markdown(text, columns=40, styled=False)
    assert plain.splitlines()[1:] == [
        "A heading",
        "─────────",
        "",
        "1. by hand: apply the rules of calculus,",
        "   get a formula, put the number in",
        "",
        "    f'(x) = 3x²",
    ]
    styled = lessons.render_markdown("`x.grad` is **by hand**", columns=80, styled=True)
    assert "\033[36mx.grad\033[0m" in styled and "\033[1mby\033[0m \033[1mhand\033[0m" in styled


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_reads_in_an_80_column_terminal(lesson, tmp_path, monkeypatch, capsys):
    """No line wider than 80 columns, no markdown marks, no exercise's expected answer shown."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("MICROGRAD_EDU_OUT", "micrograd_edu_out")  # as a student has it: relative
    monkeypatch.chdir(tmp_path)
    assert step_through(lesson, pause=False) == 0
    out = capsys.readouterr().out
    for line in out.splitlines():
        assert len(line) <= 80, line
        if not line.startswith("| "):
            assert "**" not in line and "`" not in line, line
    checks = lesson.read_text().count("\ncheck(")
    assert out.count("check(answer, …)") == checks and not re.search(r"check\(answer, (?!…)", out)
    assert "saved " in out and f"End of Lesson {int(lesson.name[:2])}" in out
    assert "(a picture: a notebook shows it here; in a terminal, open the file named above)" in out


def test_the_stepper_names_each_picture_a_cell_saves_and_ends_with_a_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MICROGRAD_EDU_OUT", "out")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "98_pictures.py"
    path.write_text(
        "# %% [markdown]\n# # Lesson 98: Pictures\n\n# %% [markdown]\n# ## One file\n\n# %%\n"
        "from micrograd_edu.lessons import output_dir\n"
        "(output_dir('lesson98') / 'a.png').write_bytes(b'png')\n\n"
        "# %% [markdown]\n# ## Many files\n\n# %%\n"
        "for i in range(6):\n    (output_dir('lesson98/frames') / f'{i}.png').write_bytes(b'png')\n"
    )
    assert step_through(path, pause=False) == 0
    out = capsys.readouterr().out
    assert "saved out/lesson98/a.png" in out
    assert "saved 6 files in out/lesson98/frames/" in out
    assert "End of Lesson 98: Pictures." in out and "It covered: One file; Many files." in out
