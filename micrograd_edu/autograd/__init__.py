"""micrograd_edu.autograd: what PyTorch's torch.autograd offers, for tensors and Values.

- `grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)` and
  `backward(tensors, grad_tensors, ...)`;
- `Function`: an op with a forward and backward of your own (`ctx.save_for_backward`);
- `functional`: jacobian, hessian, vjp, jvp;
- `gradcheck` and `gradgradcheck`: backward against central differences;
- grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode`, `is_grad_enabled`
  (the switch itself lives in `micrograd_edu.grad_mode`, below the engine, which reads it).
"""

from micrograd_edu.autograd import functional
from micrograd_edu.autograd.function import Function, FunctionCtx
from micrograd_edu.autograd.grad import backward, grad
from micrograd_edu.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from micrograd_edu.coverage import module_getattr
from micrograd_edu.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "backward",
    "enable_grad",
    "grad",
    "functional",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
__getattr__ = module_getattr("torch.autograd", __name__)  # a PyTorch name not covered here: said so
