"""`torch.cuda`, as far as a CPU-only package has it: there is no GPU, and code that asks
whether there is one gets a plain no."""

from micrograd_edu.coverage import module_getattr


def is_available() -> bool:
    """False: micrograd_edu computes on the CPU."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed without a GPU (PyTorch's own call does nothing then either)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed without a GPU."""


__getattr__ = module_getattr("torch.cuda", __name__)  # a PyTorch name not covered here: said so
