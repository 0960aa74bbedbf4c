"""micrograd_edu.autograd: what PyTorch's torch.autograd offers, for Values and tensors.

- grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`, `is_grad_enabled` (the switch
  itself lives in `micrograd_edu.grad_mode`, below the engine, which reads it);
- `grad(output, inputs)`: gradients as new Values, with `create_graph` for higher orders;
- `gradcheck`: backward() against central differences.
"""

from micrograd_edu.autograd.grad import grad
from micrograd_edu.autograd.gradcheck import GradcheckError, gradcheck
from micrograd_edu.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "GradcheckError",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
