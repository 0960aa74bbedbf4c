"""The micrograd-edu command refuses what it cannot use before any work starts: exit status 2
and one line that names the option and the value typed. A good value of the same kind goes
through (PyTorch's range of seeds); output piped into `head` ends quietly."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from micrograd_edu import demo as demo_module
from micrograd_edu.cli import main, reported_steps


def run(argv, capsys):
    """main(argv) in this process: its exit status (argparse's own included) and stderr's lines."""
    try:
        status = main(argv)
    except SystemExit as e:
        status = e.code
    return status, capsys.readouterr().err.strip().splitlines()


@pytest.fixture
def no_training(monkeypatch):
    """run_demo replaced by one that notes what it was asked and trains nothing."""
    calls = []

    def fake(out, epochs, render_every, backend, level, seed, lr, momentum):
        calls.append(SimpleNamespace(**locals()))
        return demo_module.DemoResult([0.5] * epochs, [0.0], 1.0, {})

    monkeypatch.setattr(demo_module, "run_demo", fake)
    return calls


NUMBERS = {  # each numeric option of `demo`, and what it refuses
    "--epochs": ["0", "-1", "abc", "1.5", "", "nan", "1e3", "inf"],
    "--render-every": ["0", "-5", "x", "2.0", "", "nan"],
    "--lr": ["nan", "inf", "-inf", "-1", "-0.001", "abc", "", "1e999", "NaN"],
    "--momentum": ["nan", "inf", "-0.5", "abc", "", "-inf"],
    "--seed": ["abc", "1.5", "", str(2**64), str(-(2**63) - 1), "1e3", "nan"],
}
BAD_NUMBERS = [(option, value) for option, values in NUMBERS.items() for value in values]


@pytest.mark.parametrize("option, value", BAD_NUMBERS, ids=lambda x: repr(x))
def test_a_bad_number_is_refused_naming_the_option_and_the_value(option, value, capsys, no_training):
    status, err = run(["demo", f"{option}={value}"], capsys)  # (--lr -inf would read as an option)
    assert status == 2
    assert err[-1].startswith(f"micrograd-edu demo: error: argument {option}: must be ")  # what it takes
    assert err[-1].endswith(f", got {value!r}")
    assert "Traceback" not in "\n".join(err)
    assert no_training == []  # refused before any training


@pytest.mark.parametrize("seed", ["-1", str(-(2**63)), str(2**64 - 1), "0", "123456789012"])
def test_every_seed_pytorch_takes_is_taken(seed, capsys, no_training):
    status, _ = run(["demo", "--seed", seed, "--out", "x"], capsys)
    assert status == 0 and no_training[0].seed == int(seed)


@pytest.mark.parametrize("lr, momentum", [("0", "0"), ("1e-300", "0.99"), ("10", "1.5")])
def test_finite_learning_rates_and_momenta_are_taken(lr, momentum, capsys, no_training):
    status, _ = run(["demo", "--lr", lr, "--momentum", momentum, "--out", "x"], capsys)
    assert status == 0 and (no_training[0].lr, no_training[0].momentum) == (float(lr), float(momentum))


def bad_folders(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    return {
        "": "--out is empty",
        " ": "--out is empty",
        str(a_file): f"--out '{a_file}' is a file, not a folder",
        str(a_file / "inside"): f"--out '{a_file / 'inside'}' is inside {a_file}, which is a file",
        "/proc/no_such_folder": "--out '/proc/no_such_folder': cannot write files in /proc",
        "/proc/no_such/deeper": "--out '/proc/no_such/deeper': cannot write files in /proc",
        "/dev/null": "--out '/dev/null' is a file, not a folder",
        "/sys/x": "--out '/sys/x': cannot write files in /sys",
    }


@pytest.mark.skipif(sys.platform != "linux", reason="/proc, /sys and /dev as Linux has them")
@pytest.mark.parametrize("command", [["demo"], ["lesson", "1", "--no-pause"]], ids=["demo", "lesson"])
def test_a_folder_that_cannot_be_written_is_refused_before_work_starts(
    command, tmp_path, capsys, no_training
):
    for out, says in bad_folders(tmp_path).items():
        status, err = run([*command, "--out", out], capsys)
        assert status == 2, out
        assert len(err) == 1 and err[0].startswith("micrograd-edu: error: "), (out, err)  # one line
        assert says in err[0], (out, err)
    assert no_training == []


def test_frames_in_the_way_of_the_frames_folder_are_refused(tmp_path, capsys, no_training):
    (tmp_path / "frames").write_text("a file where the frames go")
    status, err = run(["demo", "--out", str(tmp_path)], capsys)
    frames = tmp_path / "frames"
    assert status == 2
    assert err == [
        f"micrograd-edu: error: --out '{frames}' is a file, not a folder: name a folder to write into"
    ]


@pytest.mark.parametrize(
    "argv, says",
    [
        (["lesson", "abc"], "argument number: must be a lesson's number, such as 5 (micrograd-edu lessons"),
        (["lesson", "1.5"], "got '1.5'"),
        (["lesson", ""], "got ''"),
        (["lesson", "99"], "micrograd-edu: error: there is no lesson 99; the lessons are 1, 2"),
        (["lesson", "0"], "there is no lesson 0"),
        (["lesson", "-1"], "there is no lesson -1"),
        (["lesson", str(10**30)], f"there is no lesson {10**30}"),
        (["demo", "--backend", "jax"], "argument --backend: invalid choice: 'jax'"),
        (["demo", "--level", "vector"], "argument --level: invalid choice: 'vector'"),
        (["demo", "--backend", "numpy", "--level", "scalar"], "--level scalar draws Values"),
        (["demo", "--epocs", "3"], "unrecognized arguments: --epocs 3 (did you mean --epochs?)"),
        (["lessons", "extra"], "unrecognized arguments: extra"),
        (["fly"], "invalid choice: 'fly'"),
        ([], "the following arguments are required: command"),
    ],
)  # fmt: skip
def test_other_mistakes_get_one_line_and_status_2(argv, says, capsys, no_training):
    status, err = run(argv, capsys)
    assert status == 2 and says in err[-1], err
    assert no_training == []


@pytest.mark.parametrize("epochs", [1, 2, 3, 4, 5, 8, 1000])
def test_the_printed_steps_are_real_steps(epochs, capsys, no_training, tmp_path):
    assert main(["demo", "--epochs", str(epochs), "--out", str(tmp_path)]) == 0
    printed = [
        int(line.split()[1]) for line in capsys.readouterr().out.splitlines() if line.startswith("step")
    ]
    assert printed == reported_steps(epochs)
    assert printed[0] == 1 and printed[-1] == epochs and printed == sorted(set(printed))
    assert all(1 <= step <= epochs for step in printed) and len(printed) <= 5


def closed_pipe_run(*args):
    """The command with its stdout a pipe nobody reads any more (as after `| head -1`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "micrograd_edu", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [["lessons"], ["lesson", "1", "--no-pause"], ["demo", "--help"]])
def test_output_into_a_closed_pipe_ends_quietly(args, tmp_path):
    result = closed_pipe_run(*args, *(["--out", str(tmp_path)] if "lesson" in args else []))
    assert result.stderr == ""  # no BrokenPipeError, no traceback, no "Exception ignored"
    assert result.returncode in (0, 1)  # 1: Python's status for output cut short
