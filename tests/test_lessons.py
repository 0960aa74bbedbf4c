"""Every lesson runs as a script and as a notebook; notebooks stay in sync; the stepper pauses
only when it should."""

import os
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
    assert out.index("# A heading") < out.index("| x = 1 + 1") < out.index("2\n") < out.index("second cell")


def test_the_stepper_waits_for_enter_and_q_quits(tmp_path, monkeypatch, capsys):
    path = tmp_path / "99_tiny.py"
    path.write_text(LESSON)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["q"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert step_through(path) == 0
    assert "second cell" not in capsys.readouterr().out


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
