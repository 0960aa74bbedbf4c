"""torch._dynamo, as tutorials call it between experiments: `torch._dynamo.reset()`."""

from micrograd_edu.tracing import reset

__all__ = ["reset"]
