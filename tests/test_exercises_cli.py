"""The exercises' commands: exercises, exercise N, check N (--hint, --watch, --solution),
check --all and a class's report; their messages and exit codes."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from micrograd_edu.cli import main
from micrograd_edu.exercises import all_exercises, find_exercise

EXERCISES = all_exercises()
LAST = EXERCISES[-1].number


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "micrograd_edu", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


def command(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def solve(folder, number, source=None):
    """Put exercise `number` into `folder`: the reference solution, or `source`."""
    exercise = find_exercise(number)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / exercise.file_name
    path.write_text(exercise.solution.read_text() if source is None else source)
    return path


# ---- exercises, exercise N -------------------------------------------------------------------------


def test_exercises_lists_every_exercise_with_what_is_done(tmp_path, capsys):
    folder = tmp_path / "work"
    code, out, _ = command(capsys, "exercises", "--dir", str(folder))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(" 1  The chain rule, by hand") and lines[0].endswith("not started")
    assert len([line for line in lines if line.endswith("not started")]) == len(EXERCISES)
    assert lines[-1] == f"0 of {len(EXERCISES)} done, in {folder}/. Next: micrograd-edu exercise 1"


def test_exercise_copies_the_stub_prints_its_path_and_then_keeps_the_students_work(tmp_path, capsys):
    folder = tmp_path / "work"
    code, out, _ = command(capsys, "exercise", "3", "--dir", str(folder))
    path = folder / "ex03_topological_order.py"
    assert code == 0 and out.splitlines()[:2] == [
        "Exercise 3: topological_order, the order backward() works in",
        str(path),
    ]
    assert path.read_text() == find_exercise(3).stub.read_text()
    assert "micrograd-edu check 3" in out
    assert "untouched" in command(capsys, "exercise", "3", "--dir", str(folder))[1]

    path.write_text("# my work\n")
    code, out, _ = command(capsys, "exercise", "3", "--dir", str(folder))
    assert code == 0 and "with your work in it: kept as it is" in out and "--restart" in out
    assert path.read_text() == "# my work\n"

    code, out, _ = command(capsys, "exercise", "3", "--dir", str(folder), "--restart")
    assert code == 0 and "ex03_topological_order.py.~1~" in out
    assert path.read_text() == find_exercise(3).stub.read_text()
    assert (folder / "ex03_topological_order.py.~1~").read_text() == "# my work\n"


def test_exercise_solution_prints_the_reference_solution_and_copies_nothing(tmp_path, capsys):
    code, out, _ = command(capsys, "exercise", "4", "--solution", "--dir", str(tmp_path / "work"))
    assert code == 0 and out == find_exercise(4).solution.read_text()
    assert not (tmp_path / "work").exists()


# ---- check N ------------------------------------------------------------------------------------------


def test_check_of_the_untouched_stub_says_not_written_yet_and_exits_1(tmp_path, capsys):
    folder = tmp_path / "work"
    command(capsys, "exercise", "2", "--dir", str(folder))
    code, out, _ = command(capsys, "check", "2", "--dir", str(folder))
    assert code == 1
    assert out.splitlines()[0] == "Exercise 2: A backward for a new op: logaddexp"
    assert "not written yet" in out and "0 of 4 checks pass." in out
    assert "Stuck?" not in out, "no stronger hints to offer before anything is written"


def test_check_of_a_wrong_answer_names_the_mistake_and_offers_stronger_hints(tmp_path, capsys):
    folder = tmp_path / "work"
    source = find_exercise(4).solution.read_text().replace("k.grad += share", "k.grad = share")
    solve(folder, 4, source)
    code, out, _ = command(capsys, "check", "4", "--dir", str(folder))
    assert code == 1
    assert "  not yet   a Value used twice gets a share from each use" in out
    assert "hint: add (+=), do not assign" in out
    assert out.splitlines()[-1] == "Stuck? micrograd-edu check 4 --hint 2 gives stronger hints."
    code, stronger, _ = command(capsys, "check", "4", "--dir", str(folder), "--hint", "2")
    assert code == 1 and "and: in x · x, the node's _backward returns two shares" in stronger


def test_check_of_a_right_answer_passes_exits_0_and_says_what_next(tmp_path, capsys):
    folder = tmp_path / "work"
    solve(folder, 5)
    code, out, _ = command(capsys, "check", "5", "--dir", str(folder))
    assert code == 0
    assert out.splitlines()[-1] == "All 4 checks pass: exercise 5 is done. Next: micrograd-edu exercise 6"
    assert "done" in command(capsys, "exercises", "--dir", str(folder))[1].splitlines()[4]


def test_the_list_says_when_a_file_changed_since_its_last_check(tmp_path, capsys):
    folder = tmp_path / "work"
    path = solve(folder, 1)
    command(capsys, "check", "1", "--dir", str(folder))
    assert command(capsys, "exercises", "--dir", str(folder))[1].splitlines()[0].endswith("done")
    path.write_text(path.read_text() + "\n# more\n")
    assert (
        command(capsys, "exercises", "--dir", str(folder))[1]
        .splitlines()[0]
        .endswith("changed since its last check")
    )


def test_check_solution_runs_the_same_checks_on_the_reference_and_exits_0(capsys):
    code, out, _ = command(capsys, "check", "8", "--solution")
    assert code == 0 and "All 7 checks pass: exercise 8 is done." in out


def test_check_all_gives_the_students_progress(tmp_path, capsys):
    folder = tmp_path / "work"
    solve(folder, 1)
    solve(folder, 3, "def topological_order(root):\n    return [root]\n")
    code, out, _ = command(capsys, "check", "--all", "--dir", str(folder))
    lines = out.splitlines()
    assert code == 1
    assert lines[0].endswith("done") and lines[1].endswith("not started")
    assert lines[2].endswith("1 of 5 checks pass")
    assert lines[-1] == f"1 of {len(EXERCISES)} done, in {folder}/. Next: micrograd-edu exercise 2"


def test_check_all_solution_passes_every_reference_solution_without_numpy(tmp_path):
    blocked = tmp_path / "blocked" / "numpy"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('numpy is blocked: the exercises need none')\n")
    result = subprocess.run(
        [sys.executable, "-m", "micrograd_edu", "check", "--all", "--solution"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(blocked.parent)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"{len(EXERCISES)} of {len(EXERCISES)} reference solutions."


def test_the_command_runs_from_any_folder_as_installed(tmp_path):
    result = run("exercise", "1", cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "micrograd_edu_exercises" / "ex01_chain_rule.py").is_file()
    result = run("check", "1", cwd=tmp_path)
    assert result.returncode == 1 and "not written yet" in result.stdout


# ---- a class's report ----------------------------------------------------------------------------------


def test_a_class_report_is_a_csv_with_a_row_per_student_and_a_column_per_exercise(tmp_path, capsys):
    submissions = tmp_path / "submissions"
    solve(submissions / "alice", 1)
    solve(submissions / "alice", 2)
    solve(
        submissions / "bob" / "micrograd_edu_exercises",
        1,
        "def gradients(x, w, b):\n    return (0.0, 0.0, 0.0)\n",
    )
    solve(submissions / "carol", 3, "while True:\n    pass\n")
    (submissions / "dave").mkdir()
    report = tmp_path / "class.csv"
    code, out, _ = command(
        capsys, "check", "--all", "--dir", str(submissions), "--report", str(report), "--timeout", "5"
    )
    assert code == 0
    assert "Checking 4 student folder(s)" in out and f"Wrote {report}" in out
    rows = list(csv.reader(report.open()))
    header = rows[0]
    assert header[:2] == ["student", f"done (of {len(EXERCISES)})"]
    assert header[2] == "ex01_chain_rule (of 5)" and header[-2:] == ["notes", "folder"]
    by_name = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert list(by_name) == ["alice", "bob", "carol", "dave"]
    assert by_name["alice"][f"done (of {len(EXERCISES)})"] == "2"
    assert (
        by_name["alice"]["ex01_chain_rule (of 5)"] == "5"
        and by_name["alice"]["ex03_topological_order (of 5)"] == ""
    )
    assert by_name["bob"]["ex01_chain_rule (of 5)"] == "1"
    assert by_name["bob"]["folder"].endswith(os.path.join("bob", "micrograd_edu_exercises"))
    assert by_name["carol"]["ex03_topological_order (of 5)"] == "0"
    assert "ex03_topological_order: 5 timeout" in by_name["carol"]["notes"]
    assert by_name["dave"]["notes"] == "no exercise files found"


def test_a_report_of_one_students_folder_has_their_row(tmp_path, capsys):
    folder = tmp_path / "erin" / "micrograd_edu_exercises"
    solve(folder, 1)
    report = tmp_path / "erin.csv"
    assert command(capsys, "check", "--all", "--dir", str(folder), "--report", str(report))[0] == 0
    rows = list(csv.reader(report.open()))
    assert len(rows) == 2 and rows[1][:3] == ["erin", "1", "5"]


# ---- watch ------------------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C is sent as SIGINT")
def test_watch_checks_again_each_time_the_file_is_saved_until_ctrl_c(tmp_path):
    folder = tmp_path / "work"
    path = solve(folder, 1, "def gradients(x, w, b):\n    return (0.0, 0.0, 0.0)\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_edu", "check", "1", "--watch", "--dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []

        def read_until(text):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                lines.append(line)
                if text in line:
                    return
            raise AssertionError("".join(lines))

        read_until("Watching")
        assert any("1 of 5 checks pass" in line for line in lines)
        path.write_text(find_exercise(1).solution.read_text())
        read_until("Watching")
        assert any("All 5 checks pass" in line for line in lines)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert "stopped watching" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C is sent as SIGINT")
def test_ctrl_c_during_check_all_stops_it_at_once_with_exit_130():
    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_edu", "check", "--all", "--solution", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        assert process.stdout.readline().startswith(" 1  The chain rule, by hand")
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the command and its workers
        out, err = process.communicate(timeout=120)
        assert process.returncode == 130 and err.strip() == "stopped"
        assert "Traceback" not in out + err
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


# ---- bad arguments: one line, exit 2 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "check needs an exercise's number (micrograd-edu check 3) or --all"),
        (["check", "99"], f"there is no exercise 99; the exercises are 1 to {LAST}"),
        (["exercise", "0"], f"there is no exercise 0; the exercises are 1 to {LAST}"),
        (["check", "3", "--all"], "not both"),
        (["check", "3", "--report", "x.csv"], "use it with --all"),
        (["check", "--all", "--report", "x.csv", "--solution"], "pick one"),
        (["check", "--all", "--watch"], "--watch follows one file of yours"),
        (["check", "3", "--solution", "--watch"], "--watch follows one file of yours"),
        (["check", "--all", "--hint", "2"], "--hint and --watch are for one exercise"),
        (["check", "3", "--hint", "0"], "must be a whole number >= 1, got 0"),
        (["check", "3", "--timeout", "0"], "must be a number of seconds > 0, got 0"),
        (["check", "3", "--jobs", "0"], "must be a whole number >= 1, got 0"),
        (["check", "three"], "invalid int value: 'three'"),
        (["check", "--all", "--dir", "no/such/folder"], "there is no folder no/such/folder"),
        (
            ["check", "--all", "--dir", "no/such/folder", "--report", "x.csv"],
            "there is no folder no/such/folder",
        ),
    ],
)
def test_bad_arguments_give_one_clear_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(args))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1]


def test_checking_a_file_that_is_not_there_says_how_to_get_it(tmp_path, capsys):
    code, _, err = command(capsys, "check", "6", "--dir", str(tmp_path))
    assert code == 2
    assert err.strip() == (
        f"micrograd-edu: error: there is no {tmp_path / 'ex06_softmax_cross_entropy.py'}: run "
        "`micrograd-edu exercise 6` first to get it (or give --dir the folder it is in)"
    )


def test_a_class_folder_with_nothing_in_it_says_what_to_point_at(tmp_path, capsys):
    code, _, err = command(
        capsys, "check", "--all", "--dir", str(tmp_path), "--report", str(tmp_path / "x.csv")
    )
    assert code == 2 and "holds no exercise files and no student folders" in err


@pytest.mark.parametrize("args", [["exercises", "--help"], ["exercise", "--help"], ["check", "--help"]])
def test_help_for_each_command(args):
    result = run(*args)
    assert result.returncode == 0 and "usage: micrograd-edu" in result.stdout


# ---- the teachers' page tells the truth ----------------------------------------------------------------


def test_the_teachers_page_example_check_runs_and_names_its_mistake():
    import re
    from pathlib import Path

    from micrograd_edu.exercises.running import run_checks

    page = (Path(__file__).resolve().parents[1] / "docs" / "exercises.md").read_text()
    example = next(b for b in re.findall(r"```python\n(.*?)```", page, re.S) if "CHECKS = Checks" in b)
    scope: dict = {}
    exec(example, scope)
    checks = scope["CHECKS"].checks
    assert [o.status for o in run_checks(checks, {"square": lambda x: x * x})] == ["ok"]
    (outcome,) = run_checks(checks, {"square": lambda x: x + x})
    assert outcome.status == "not yet" and outcome.hint == "that is 2x: x times x, not x plus x"


def test_the_teachers_page_lists_every_exercise_with_its_title():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "exercises.md").read_text()
    for exercise in EXERCISES:
        assert f"| {exercise.number:<2} | {exercise.title} |" in page, exercise.title
