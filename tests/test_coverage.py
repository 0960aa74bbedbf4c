"""The PyTorch coverage page stays true, and a PyTorch name that is missing says so where it is used."""

from pathlib import Path

import pytest

import micrograd_edu as torch
from micrograd_edu import coverage

PAGE = Path(__file__).resolve().parent.parent / "docs" / "pytorch.md"


def test_the_coverage_page_is_what_the_package_has_now():
    assert PAGE.read_text(encoding="utf-8") == coverage.page(), "run: python docs/make_pytorch_coverage.py"


def test_every_name_the_page_calls_covered_is_there_and_every_other_is_not():
    for namespace in coverage.NAMESPACES:
        have, missing = coverage.covered(namespace)
        mine = coverage.ours(namespace)
        assert all(hasattr(mine, n) for n in have)
        assert not any(hasattr(mine, n) for n in missing if mine is not None)


@pytest.mark.parametrize(
    ("get", "message"),
    [
        (
            lambda: torch.fft,
            r"module 'micrograd_edu' has no attribute 'fft': PyTorch's torch.fft is not covered",
        ),
        (
            lambda: torch.tensor([1.0]).unfold,
            r"'Tensor' object has no attribute 'unfold': PyTorch's torch.Tensor",
        ),
        (lambda: torch.optim.LBFGS, r"PyTorch's torch.optim.LBFGS is not covered by micrograd_edu yet"),
        (lambda: torch.cuda.synchronize, r"torch.cuda.synchronize is not covered.*docs/pytorch.md"),
        (lambda: torch.tensr, r"has no attribute 'tensr' \(did you mean 'tensor'\?\)"),
        (lambda: torch.ones(2).sume(), r"'Tensor' object has no attribute 'sume' \(did you mean 'sum'\?\)"),
    ],
)
def test_a_missing_name_says_whether_pytorch_has_it(get, message):
    with pytest.raises(AttributeError, match=message):
        get()


def test_python_s_own_questions_get_a_plain_answer():
    assert not hasattr(torch, "__wrapped__")
    assert not hasattr(torch.tensor([1.0]), "_no_such_slot")
    assert getattr(torch.optim, "__path__", None) is not None  # a package still is one
