"""PyTorch's own beginner tutorials, run unchanged with micrograd_edu standing in for torch, print
what they print under PyTorch.

Each program in fixtures/tutorials/ is plain PyTorch code (`import torch`, `from torch import
nn`, ...). Here it runs in a process of its own, behind a few lines (SHIM) that put micrograd_edu
into `sys.modules` under torch's names (`torch`, `torch.nn`, `torch.nn.functional`,
`torch.optim`, `torch.utils.data`, `torch.autograd`, ...), so its imports find micrograd_edu,
and that set PyTorch's default dtype, float32 (micrograd_edu's is float64 on purpose: a program
that prints a dtype would print another), and choose micrograd_edu's tensor backend
(`micrograd_edu.set_backend`) first: the numpy
backend for every program, and the python backend, the default, for those it runs in under 2 s
(not the polynomial fits, 2000 steps on 2000 points, nor LeNet and the 784-512-512-10 network:
SLOW_ON_PYTHON). What PyTorch printed is in fixtures/tutorials_torch.json
(fixtures/make_tutorial_fixtures.py), so torch is not needed here.

What is compared, line by line (`differences`; the lines are paired by their text, so a line
missing or extra is one difference and the lines after it still meet their counterparts):

- The text between the numbers must be the same, spaces included (PyTorch's printer pads its
  columns), once an object's address (`0x7f...`, never the same twice) is set aside.
- A whole number (a shape, a count, an index, a step, an integer tensor's element) must be
  the same whole number.
- A number with a decimal point or an exponent may differ by what float32 printing hides:
  by two units of the last digit PyTorch printed (a tensor shows four decimals, a loss
  `{loss:>7f}` six, and a value next to a rounding boundary falls on either side of it:
  0.1968 in PyTorch is 0.1969 here), or by 1e-4 of PyTorch's number (a `loss.item()` prints
  all 17 digits, and PyTorch computes in float32, micrograd_edu in float64 unless the program
  asks for float32, and in other orders of summation: after 2000 steps of a polynomial fit the
  two part in the sixth digit, 35.385395 against 35.385328), or by 1e-6 for the numbers that
  are 0 but for float32 noise (the Legendre fit's constant term is -6.7e-10 in PyTorch and
  -1.1e-9 here), whichever is the largest.

The few lines micrograd_edu prints otherwise on purpose (a composite op's grad_fn name; the
python backend's numpy() copying) are listed in ON_PURPOSE, with the reason, and left out.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fingerprint import stale
from make_tutorial_fixtures import COMMAND, case_fingerprints, programs

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "tutorials_torch.json").read_text(encoding="utf-8"))
TORCH = FIXTURE["programs"]
PROGRAMS = programs()
FINGERPRINTS = case_fingerprints()

# Each of torch's modules a tutorial imports, and the micrograd_edu module that stands in for it.
STAND_INS = {
    "torch": "micrograd_edu",
    "torch.nn": "micrograd_edu.nn",
    "torch.nn.functional": "micrograd_edu.nn.functional",
    "torch.nn.init": "micrograd_edu.nn.init",
    "torch.nn.utils": "micrograd_edu.nn.utils",
    "torch.optim": "micrograd_edu.optim",
    "torch.optim.lr_scheduler": "micrograd_edu.optim.lr_scheduler",
    "torch.utils": "micrograd_edu.utils",
    "torch.utils.data": "micrograd_edu.utils.data",
    "torch.autograd": "micrograd_edu.autograd",
    "torch.autograd.functional": "micrograd_edu.autograd.functional",
    "torch.cuda": "micrograd_edu.cuda",
}

# python -c SHIM BACKEND PROGRAM: run PROGRAM as a script, its torch imports finding micrograd_edu.
SHIM = f"""
import importlib, runpy, sys
for name, stand_in in {STAND_INS!r}.items():
    sys.modules[name] = importlib.import_module(stand_in)
torch = sys.modules["torch"]
torch.set_backend(sys.argv[1])
torch.set_default_dtype(torch.float32)  # PyTorch's default (micrograd_edu's is float64, on purpose)
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

# Programs run on the numpy backend only, and how long the python backend takes for them (it
# takes under 2 s for each of the others).
SLOW_ON_PYTHON = {
    "blitz_neural_networks": "LeNet's convolutions, 11 s",
    "buildmodel": "a 784-512-512-10 network, 5 s",
    "examples_nn": "polynomial fits, 2000 steps on 2000 points, minutes",
    "examples_tensors_autograd": "polynomial fits, 2000 steps on 2000 points, minutes",
}
RUNS = [(name, "numpy") for name in PROGRAMS] + [
    (name, "python") for name in PROGRAMS if name not in SLOW_ON_PYTHON
]

# The lines of PyTorch's output that micrograd_edu prints otherwise on purpose (README: "What it
# does like PyTorch, and where it differs"), by program and backend (None: either), and why.
# They are left out of the comparison; every other line must agree.
COMPOSITE = "a composite op records the ops it is made of, so its grad_fn has another name"
COPIED = "on the python backend, t.numpy() and from_numpy copy the numbers (a tensor is a list of Values)"
ON_PURPOSE = {
    ("autogradqs", None): {8: COMPOSITE, 10: COMPOSITE},  # binary_cross_entropy_with_logits
    ("blitz_neural_networks", None): {12: COMPOSITE, 13: COMPOSITE, 14: COMPOSITE, 15: COMPOSITE}
    | {23: COMPOSITE, 27: COMPOSITE},  # MSELoss, and the walk down its next_functions
    ("buildmodel", None): {15: COMPOSITE, 51: COMPOSITE},  # nn.Softmax
    ("blitz_tensors_autograd", "python"): {65: COPIED},
    ("tensorqs", "python"): {64: COPIED, 65: COPIED},
}


def on_purpose(name: str, backend: str) -> dict[int, str]:
    return ON_PURPOSE.get((name, None), {}) | ON_PURPOSE.get((name, backend), {})


ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<!\w)-?(?:nan|inf)(?!\w)"
)
RELATIVE, UNITS, ABSOLUTE = 1e-4, 2, 1e-6


def run_with_micrograd_edu(path: Path, backend: str, cwd: Path) -> subprocess.CompletedProcess:
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": pythonpath, "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [sys.executable, "-c", SHIM, backend, str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
    )


def last_unit(token: str) -> float:
    """One unit of the last digit printed in `token`: 1e-4 for 0.1234, 1e-7 for 1.2345e-03, and 0
    for a number with no digit after its point ("2."), where a unit, 1, would check nothing."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.0 if decimals == 0 else 10.0 ** (int(exponent or 0) - decimals)


def same_number(ours: str, theirs: str) -> bool:
    whole = [token.lstrip("+-").isdigit() for token in (ours, theirs)]
    if any(whole):  # a shape, a count, an index, an integer tensor's element: exactly
        return all(whole) and int(ours) == int(theirs)
    a, b = float(ours), float(theirs)
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return str(a) == str(b)
    return abs(a - b) <= max(RELATIVE * abs(b), UNITS * last_unit(theirs), ABSOLUTE)


def span(start: int, stop: int) -> str:
    """Lines start..stop-1 (counted from 0) as a reader counts them."""
    if stop - start == 1:
        return f"line {start + 1}"
    return f"lines {start + 1}-{stop}" if stop > start else f"no line (before line {start + 1})"


def differences(ours: str, theirs: str, skip: set[int] | frozenset[int] = frozenset()) -> list[str]:
    """Where `ours` (micrograd_edu's output) does not print what `theirs` (PyTorch's) does, as the
    module's docstring says, one entry per line or run of lines; [] if nowhere. The lines are
    matched by their text without the numbers first, so a line missing or extra is one entry,
    and the lines after it are still compared with their counterparts. The lines numbered in
    `skip` (from 1) are left out of both, when both have as many lines."""
    mine = [ADDRESS.sub("0x", line) for line in ours.splitlines()]
    torchs = [ADDRESS.sub("0x", line) for line in theirs.splitlines()]
    if skip and len(mine) == len(torchs):
        mine, torchs = (
            [line for i, line in enumerate(lines, 1) if i not in skip] for lines in (mine, torchs)
        )
    text = difflib.SequenceMatcher(
        None,
        [NUMBER.sub("#", line) for line in torchs],
        [NUMBER.sub("#", line) for line in mine],
        autojunk=False,
    )
    found = []
    for kind, i1, i2, j1, j2 in text.get_opcodes():
        if kind != "equal":
            shown = [f"  torch:         {line}" for line in torchs[i1:i2]]
            shown += [f"  micrograd_edu: {line}" for line in mine[j1:j2]]
            found.append(f"PyTorch's {span(i1, i2)}, micrograd_edu's {span(j1, j2)}:\n" + "\n".join(shown))
            continue
        for i, j in zip(range(i1, i2), range(j1, j2)):
            pairs = zip(NUMBER.findall(mine[j]), NUMBER.findall(torchs[i]))
            if not all(same_number(a, b) for a, b in pairs):
                found.append(f"line {i + 1}:\n  torch:         {torchs[i]}\n  micrograd_edu: {mine[j]}")
    return found


def test_the_fixture_is_for_these_programs():
    problems = [stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND) for name in PROGRAMS]
    problems += [
        f"fixture {name!r} is for no program: run {COMMAND}" for name in TORCH if name not in PROGRAMS
    ]
    if any(problems):
        pytest.fail("\n".join(p for p in problems if p), pytrace=False)


@pytest.mark.parametrize(
    ("name", "backend"),
    [
        pytest.param(
            n,
            b,
            id=f"{n}-{b}",
        )
        for n, b in RUNS
    ],
)
def test_the_tutorial_prints_what_pytorch_prints(name, backend, tmp_path):
    problem = stale(repr(name), TORCH.get(name), FINGERPRINTS[name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    done = run_with_micrograd_edu(PROGRAMS[name], backend, tmp_path)
    found = differences(done.stdout, TORCH[name]["stdout"], skip=set(on_purpose(name, backend)))
    if done.returncode != 0:
        found.append(f"stopped with an error:\n{done.stderr.strip()}")
    if found:
        shown = "\n".join(found[:12]) + (f"\n... and {len(found) - 12} more" if len(found) > 12 else "")
        pytest.fail(
            f"{name} on the {backend} backend prints other things than PyTorch:\n{shown}", pytrace=False
        )


def test_the_comparison_allows_float32_printing_and_no_more():
    torch = "tensor([ 0.0027, -1.5410], grad_fn=<AddBackward0 object at 0x7fc7c8bda350>)\n99 582.650390625"
    assert (
        differences("tensor([ 0.0028, -1.5411], grad_fn=<AddBackward0 object at 0x55d1>)\n99 582.7", torch)
        == []
    )
    assert differences("tensor([ 0.0030, -1.5410], grad_fn=<AddBackward0 object at 0x1>)\n99 582.65", torch)
    assert differences("tensor([ 0.0027, -1.5410], grad_fn=<AddBackward0>)\n99 582.65", torch)  # the text
    assert differences("tensor([ 0.0027, -1.5410], grad_fn=<AddBackward0 object at 0x1>)\n98 582.65", torch)
    assert differences("tensor([ 0.0027, -1.5410], grad_fn=<AddBackward0 object at 0x1>)", torch)  # a line
    assert (
        differences("Result: y = 3.1e-09 + -2.2085 x", "Result: y = -6.71270206087371e-10 + -2.2085 x") == []
    )
    assert differences("tensor([4., 2.])", "tensor([5., 2.])") and differences("12.3", "12.0")
    assert differences("conv1.bias torch.float32", "conv2.bias torch.float32")
    assert differences("tensor([2, 3])", "tensor([2., 3.])")  # an integer tensor is not a float one
