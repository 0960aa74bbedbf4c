"""Shared by every test: each starts from the same default backend and random state."""

import sys
from pathlib import Path

import pytest
from hypothesis import settings

import micrograd_edu as torch
from micrograd_edu.tensor import BACKENDS
from micrograd_edu.tensor.generator import default_generator as generator

# A shared CI machine can stall any single example; hypothesis judges results, not speed.
settings.register_profile("micrograd_edu", deadline=None)
settings.load_profile("micrograd_edu")

# The PyTorch cases, written once and shared with the scripts that regenerate their fixtures.
sys.path.insert(0, str(Path(__file__).parent / "fixtures"))


@pytest.fixture(autouse=True)
def _restore_backend_and_seed():
    backend, state = torch.get_backend(), generator.getstate()
    yield
    torch.set_backend(backend)
    generator.setstate(state)


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Run the test on each tensor backend in turn, as the default (layers and tensors are made on it).

    The one way a test runs on every backend. A test for only some of them parametrizes this
    fixture, `pytest.mark.parametrize("backend", [...], indirect=True)`; a test that needs both
    at once (to compare them) names them, "python" and "numpy".
    """
    torch.set_backend(request.param)
    return request.param
