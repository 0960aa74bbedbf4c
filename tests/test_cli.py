"""The micrograd-edu command: demo, lessons, lesson N, --help and bad arguments."""

import subprocess
import sys

import pytest
from PIL import Image

from micrograd_edu.cli import main


def run(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "micrograd_edu", *args], capture_output=True, text=True, timeout=600, **kwargs
    )


def test_demo_trains_and_writes_every_picture(tmp_path):
    out = tmp_path / "demo"
    result = run(
        "demo", "--epochs", "30", "--render-every", "10", "--out", str(out), stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout and str(out) in result.stdout
    frames = sorted((out / "frames").glob("*.svg"))
    assert [f.name for f in frames] == ["step_0001.svg", "step_0011.svg", "step_0021.svg", "step_0030.svg"]
    assert "step 30 of 30" in frames[-1].read_text()  # the last frame is the trained model
    assert "Addmm" in frames[-1].read_text()  # the tensor level, by default
    assert Image.open(out / "animation.gif").n_frames == 4
    for name in ("replay.html", "loss.png", "decision_boundary.png", "histograms.png"):
        assert (out / name).stat().st_size > 1000, name


def test_demo_on_the_numpy_path_at_tensor_level(tmp_path):
    result = run(
        "demo",
        "--epochs",
        "5",
        "--render-every",
        "5",
        "--backend",
        "numpy",
        "--level",
        "tensor",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "frames" / "step_0001.svg").exists()


def test_lessons_lists_every_lesson_with_its_title():
    result = run("lessons")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith(" 1  Lesson 1: What autograd is")


def test_lesson_steps_through_without_pausing_when_asked(tmp_path):
    result = run("lesson", "1", "--no-pause", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "lesson01").is_dir()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lesson", "99"], "there is no lesson 99"),
        (["demo", "--epochs", "0"], "must be a whole number >= 1"),
        (["demo", "--backend", "jax"], "invalid choice: 'jax'"),
        (["demo", "--backend", "numpy", "--level", "scalar"], "only the python backend has"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_arguments_give_a_one_line_error_and_a_nonzero_exit(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(args))
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1]


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["lesson", "--help"]])
def test_help_everywhere(args):
    result = run(*args)
    assert result.returncode == 0 and "usage: micrograd-edu" in result.stdout


def test_demo_help_gives_every_default(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for default in ("(default: 1000)", "(default: 100)", "(default: 0)", "(default: micrograd_edu_out/demo)"):
        assert default in text
    assert "(default: tensor)" in text


def test_a_wrong_option_gets_the_commands_own_usage_and_a_suggestion(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--steps", "10"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: micrograd-edu demo")
    assert "unrecognized arguments: --steps 10 (did you mean --epochs?)" in err


def test_the_lesson_list_says_how_to_start_one(capsys):
    assert main(["lessons"]) == 0
    assert "micrograd-edu lesson N" in capsys.readouterr().out


def test_the_progress_line_counts_pictures_and_steps_apart(monkeypatch, capsys):
    """After step 1 (a 0.5 s picture and 0.1 s of training) the estimate is 999 steps of 0.1 s
    and 10 pictures of 0.5 s, not 999 times the first step's 0.6 s."""
    from types import SimpleNamespace

    from micrograd_edu import demo

    clock = iter([0.0, 0.6])
    monkeypatch.setattr(demo, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    recorder = SimpleNamespace(
        losses=[0.7], frames=[(1, None)], steps=1000, seconds_drawing=0.5, frames_planned=lambda: 11
    )
    demo.Progress(recorder).update(force=True)
    assert "step 1/1000, 1 of 11 pictures, about 105 s left" in capsys.readouterr().err
