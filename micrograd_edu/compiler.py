"""torch.compiler: what PyTorch keeps there for `torch.compile`. Here: `reset()`."""

from micrograd_edu.tracing import reset

__all__ = ["reset"]
