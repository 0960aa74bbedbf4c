"""The README's engine example runs and says what it prints."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_engine_in_ten_lines_runs_and_its_comments_are_right(capsys):
    first_block = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    scope: dict = {}
    exec(first_block, scope)
    a_grad, b_grad = map(float, capsys.readouterr().out.split())
    assert (round(a_grad, 3), b_grad) == (-2.929, 2.0)
    assert (scope["dy"].data, scope["d2y"].data) == (12.0, 12.0)


@pytest.mark.parametrize(
    "command", ["pip install -e . && micrograd-edu demo", 'pip install -e ".[dev]" && python -m pytest']
)
def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_one(command):
    assert command in README.read_text()
    if "pytest" in command:
        assert command in (README.parent / ".ci" / "run").read_text()
