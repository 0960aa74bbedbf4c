"""The README tells the truth: its examples run and print what it says, and CI runs its test command."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_engine_in_ten_lines_runs_and_its_comments_are_right(capsys):
    first_block = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    scope: dict = {}
    exec(first_block, scope)
    a_grad, b_grad = map(float, capsys.readouterr().out.split())
    assert (round(a_grad, 3), b_grad) == (-2.929, 2.0)
    assert (scope["dy"].data, scope["d2y"].data) == (12.0, 12.0)


DEMO = (
    'apt-get update -qq && apt-get install -y -qq graphviz && pip install -e ".[viz]" && micrograd-edu demo'
)
TESTS = (
    "apt-get update -qq && apt-get install -y -qq graphviz chromium && "
    'pip install -e ".[dev]" && python -m pytest'
)


def test_the_compile_example_in_the_readme_runs_and_replays(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    block = next(b for b in blocks if "@torch.compile" in b)
    exec(block, {})
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "<compiled train_step: 3 traces, 997 replays, 0 eager calls>"
    assert "model.fc1.weight[0, 1]" in out and "model.fc2.bias.grad = [" in out


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_one():
    readme = README.read_text()
    assert DEMO in readme and TESTS in readme
    assert TESTS in (README.parent / ".ci" / "run").read_text()


def test_the_tutorial_in_the_readme_runs_and_learns(capsys):
    tutorial = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[2]
    assert "import micrograd_edu as torch" in tutorial
    exec(tutorial, {})
    assert capsys.readouterr().out.strip() == "accuracy 100%"


def test_the_autograd_example_in_the_readme_runs():
    (example,) = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S) if "Softplus" in b]
    scope: dict = {}
    exec(example, scope)
    assert scope["H"].tolist() == [[3.0, 0.0], [0.0, -6.0]]  # diag(6x) at x = (0.5, -1)
