"""Running a student's code: whatever it does (raise, loop forever, exit, crash, print, not even
load), every check gets an outcome and the checking carries on. Small time limits here."""

import contextlib
import sys
import threading
import time

import pytest

import micrograd_edu as torch
from micrograd_edu.exercises import Checks, check, find_exercise
from micrograd_edu.exercises.checking import NotYet, close
from micrograd_edu.exercises.running import (
    CRASHED,
    ERROR,
    NOT_RUN,
    NOT_YET,
    OK,
    TIMEOUT,
    load_answers,
    run_checks,
)
from micrograd_edu.exercises.worker import check_file
from micrograd_edu.grad_mode import is_grad_enabled

TOPO = find_exercise(3)
GOOD = TOPO.solution.read_text()


def checks_of(*functions):
    """A Checks of these functions, each asking for `answer`."""
    checks = Checks("answer")
    for f in functions:
        checks.check(f.__name__, hints=("a hint",))(f)
    return checks.checks


def calls(answer):
    answer()


# ---- in this process, as check(n, f) runs a notebook's function -----------------------------------


def test_an_exception_is_an_error_naming_the_line_of_the_students_code():
    def answer():
        return 1 / 0

    (outcome,) = run_checks(checks_of(calls), {"answer": answer})
    assert outcome.status == ERROR
    assert "ZeroDivisionError: division by zero" in outcome.message
    assert "in answer:" in outcome.message and "return 1 / 0" in outcome.message


def test_an_endless_loop_times_out_is_stopped_and_the_next_checks_run():
    started = threading.active_count()

    def answer():
        while True:
            with contextlib.suppress(Exception):  # a student's catch-all does not stop the timeout
                time.sleep(0.001)

    def passes(answer):
        pass

    outcomes = run_checks(checks_of(calls, passes), {"answer": answer}, timeout=0.3)
    assert [o.status for o in outcomes] == [TIMEOUT, OK]
    assert "did not finish within 0.3 s" in outcomes[0].message
    deadline = time.monotonic() + 10
    while threading.active_count() > started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == started, "the check's thread was stopped"


def test_exit_and_keyboard_interrupt_in_the_students_code_are_errors_not_the_end():
    def exits():
        sys.exit(3)

    def interrupts():
        raise KeyboardInterrupt

    assert run_checks(checks_of(calls), {"answer": exits})[0].status == ERROR
    (outcome,) = run_checks(checks_of(calls), {"answer": interrupts})
    assert outcome.status == ERROR and "KeyboardInterrupt" in outcome.message


def test_a_wrong_number_is_not_yet_with_both_numbers_and_a_mistake_is_named():
    def compares(answer):
        close(answer(), 6.0, "the answer", mistakes={3.0: "only half of it"})

    (outcome,) = run_checks(checks_of(compares), {"answer": lambda: 3.0})
    assert outcome.status == NOT_YET
    assert outcome.message == "the answer is 3, it should be 6" and outcome.hint == "only half of it"


def test_a_wrong_type_is_not_yet_saying_what_came_back():
    from micrograd_edu.exercises.checking import number

    def takes_a_number(answer):
        number(answer(), "the answer")

    (outcome,) = run_checks(checks_of(takes_a_number), {"answer": lambda: torch.Value(2.0)})
    assert outcome.status == NOT_YET and "is a Value" in outcome.message and ".data" in outcome.hint
    (outcome,) = run_checks(checks_of(takes_a_number), {"answer": lambda: None})
    assert outcome.status == NOT_YET and "got NoneType None" in outcome.message


def test_a_missing_answer_is_an_error_that_says_which_name():
    (outcome,) = run_checks(checks_of(calls), {})
    assert outcome.status == ERROR and "'answer'" in outcome.message


def test_each_check_starts_from_the_same_state_and_the_callers_state_is_put_back():
    seen = []

    def changes_everything(answer):
        seen.append((torch.get_backend(), is_grad_enabled(), torch.rand(1).item()))
        torch.set_backend("numpy")
        torch.set_grad_enabled(False)
        torch.manual_seed(123)

    torch.manual_seed(7)
    before = torch.rand(1).item()
    torch.manual_seed(7)
    with torch.no_grad():
        run_checks(checks_of(changes_everything, changes_everything), {"answer": None})
        assert not is_grad_enabled()
    assert seen[0] == seen[1] and seen[0][:2] == ("python", True)
    assert torch.get_backend() == "python" and is_grad_enabled()
    assert torch.rand(1).item() == before


def test_check_in_a_notebook_takes_answers_by_position_by_name_or_from_a_namespace(capsys):
    namespace = {}
    exec(GOOD, namespace)
    topological_order = namespace["topological_order"]
    assert check(3, topological_order) is True
    assert "All 5 checks pass: exercise 3 is done. Next: exercise 4." in capsys.readouterr().out
    assert check(3, topological_order=topological_order) and check(3, namespace)
    assert check(3, lambda root: [root]) is False
    out = capsys.readouterr().out
    assert "1 of 5 checks pass" in out and "check(3, topological_order, hint=2)" in out


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "exercise 3 needs topological_order too: call check(3, topological_order)"),
        ((print, print), {}, "asks for 1 answer(s), topological_order; got 2"),
        ((), {"topo": print}, "has no answer named 'topo'"),
    ],
)
def test_check_called_wrongly_says_how_to_call_it(args, kwargs, message):
    with pytest.raises(TypeError) as e:
        check(3, *args, **kwargs)
    assert message in str(e.value)


def test_check_of_an_exercise_that_does_not_exist_names_the_ones_that_do():
    with pytest.raises(ValueError, match="there is no exercise 99; the exercises are 1 to"):
        check(99, print)


def test_hint_levels_show_more_hints_and_the_report_says_how(capsys):
    check(3, lambda root: [root, root])
    level_one = capsys.readouterr().out
    check(3, lambda root: [root, root], hint=2)
    level_two = capsys.readouterr().out
    assert len(level_two) > len(level_one) and "and: " in level_two and "and: " not in level_one


# ---- in a process of its own, as the command runs a student's file ----------------------------------


def student_file(tmp_path, source):
    path = tmp_path / TOPO.file_name
    path.write_text(source)
    return path


def test_a_file_that_passes_passes_in_its_own_process(tmp_path):
    outcomes = check_file(TOPO, student_file(tmp_path, GOOD))
    assert [o.status for o in outcomes] == [OK] * 5


def test_an_endless_loop_costs_its_check_only_and_the_rest_run_in_a_new_process(tmp_path):
    source = GOOD.replace(
        '    """Every node root depends on (root too), each once, each after all of its inputs."""\n',
        '    """The same, but stuck on a leaf of 3.0."""\n    while root.data == 3.0:\n        pass\n',
    )
    outcomes = check_file(TOPO, student_file(tmp_path, source), timeout=1.0)
    assert [o.status for o in outcomes] == [TIMEOUT, OK, OK, OK, OK]
    assert "did not finish within 1 s" in outcomes[0].message and "a loop that never ends" in outcomes[0].hint


def test_a_process_that_dies_is_a_crash_of_that_check_only(tmp_path):
    source = "import os\n" + GOOD.replace(
        '    """Every node root depends on (root too), each once, each after all of its inputs."""\n',
        '    """The same, but it dies on a leaf of 3.0."""\n    if root.data == 3.0:\n        os._exit(7)\n',
    )
    outcomes = check_file(TOPO, student_file(tmp_path, source))
    assert [o.status for o in outcomes] == [CRASHED, OK, OK, OK, OK]
    assert "exit code 7" in outcomes[0].message


def test_what_the_code_prints_is_kept_with_its_check(tmp_path):
    source = "def topological_order(root):\n    print('looking at', root.data)\n    return [root]\n"
    outcomes = check_file(TOPO, student_file(tmp_path, source))
    assert outcomes[0].status == OK and outcomes[0].output == "looking at 3.0\n"
    assert outcomes[1].status == NOT_YET and "looking at" in outcomes[1].output


def test_a_file_with_a_syntax_error_fails_every_check_naming_the_line(tmp_path):
    outcomes = check_file(TOPO, student_file(tmp_path, "def topological_order(root:\n    return []\n"))
    assert [o.status for o in outcomes] == [ERROR] * 5
    assert (
        "SyntaxError" in outcomes[0].message and "line 1: def topological_order(root:" in outcomes[0].message
    )
    assert "Python cannot read the file" in outcomes[0].hint


def test_a_loop_at_the_top_of_the_file_times_out_every_check(tmp_path):
    outcomes = check_file(TOPO, student_file(tmp_path, "while True:\n    pass\n"), timeout=0.5)
    assert [o.status for o in outcomes] == [TIMEOUT] * 5
    assert "did not finish loading" in outcomes[0].message and "top level" in outcomes[0].hint


def test_exit_at_the_top_of_the_file_is_reported_not_obeyed(tmp_path):
    outcomes = check_file(TOPO, student_file(tmp_path, "import sys\nprint('hello')\nsys.exit(0)\n"))
    assert [o.status for o in outcomes] == [ERROR] * 5
    assert "SystemExit" in outcomes[0].message and outcomes[0].output == "hello\n"


def test_a_file_may_import_the_students_other_files(tmp_path):
    (tmp_path / "helpers.py").write_text("def just_the_root(root):\n    return [root]\n")
    source = "from helpers import just_the_root as topological_order\n"
    assert check_file(TOPO, student_file(tmp_path, source))[0].status == OK


@pytest.mark.skipif(sys.platform != "linux", reason="the address space limit is set on Linux")
def test_the_worker_caps_the_memory_a_students_code_may_take(tmp_path):
    source = (
        "import resource\n"
        "def topological_order(root):\n"
        "    print(resource.getrlimit(resource.RLIMIT_AS)[0])\n"
        "    return [root]\n"
    )
    outcome = check_file(TOPO, student_file(tmp_path, source))[0]
    assert 0 < int(outcome.output) <= 4 * 2**30


def test_a_thread_that_cannot_be_stopped_leaves_the_later_checks_not_run():
    release = threading.Event()

    def answer():
        release.wait()  # one long C call: no line of Python to stop it at

    def passes(answer):
        pass

    try:
        outcomes = run_checks(checks_of(calls, passes), {"answer": answer}, timeout=0.2)
    finally:
        release.set()
    assert [o.status for o in outcomes] == [TIMEOUT, NOT_RUN]
    assert "still running in the background" in outcomes[0].message


def test_load_answers_picks_the_names_asked_for_and_runs_dataclasses(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("from dataclasses import dataclass\n@dataclass\nclass Box:\n    x: int = 1\ny = Box()\n")
    assert set(load_answers(path, ("Box", "y", "missing"))) == {"Box", "y"}


def test_not_yet_carries_what_was_found_and_the_hint():
    e = NotYet("found this", "do that")
    assert (str(e), e.what, e.hint) == ("found this", "found this", "do that")


def test_check_runs_in_a_notebook_kernel_and_stops_an_endless_loop_there(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    cells = [
        GOOD,
        "from micrograd_edu.exercises import check\ncheck(3, topological_order)",
        "def stuck(root):\n    while True:\n        pass\n\ncheck(3, stuck, timeout=0.5)",
        "print('the kernel is still here')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = ["".join(o.get("text", "") for o in cell.outputs) for cell in nb.cells]
    assert "All 5 checks pass: exercise 3 is done." in text[1]
    assert text[2].count("timeout") == 5 and "0 of 5 checks pass" in text[2]
    assert text[3] == "the kernel is still here\n"
