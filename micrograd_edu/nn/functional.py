"""nn.functional: every layer and loss as a plain function, `import micrograd_edu.nn.functional as F`.

Each function is written in the file of its concept, beside its module (`F.conv2d` with
`nn.Conv2d` in conv.py, `F.cross_entropy` with `nn.CrossEntropyLoss` in loss.py); this file
only gathers them under PyTorch's names. All are composed from tensor ops, so none has a
backward of its own: autograd differentiates the composition.
"""

from micrograd_edu.coverage import module_getattr
from micrograd_edu.nn.activation import (
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    tanh,
)
from micrograd_edu.nn.conv import conv2d
from micrograd_edu.nn.dropout import dropout
from micrograd_edu.nn.fold import unfold
from micrograd_edu.nn.layer_norm import layer_norm
from micrograd_edu.nn.linear import linear
from micrograd_edu.nn.loss import (
    REDUCTIONS,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from micrograd_edu.nn.normalization import batch_norm
from micrograd_edu.nn.padding import pad
from micrograd_edu.nn.pooling import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from micrograd_edu.nn.sparse import embedding, one_hot

__all__ = [
    "REDUCTIONS",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "layer_norm",
    "hardtanh",
    "huber_loss",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softmin",
    "softplus",
    "tanh",
    "unfold",
]

__getattr__ = module_getattr("torch.nn.functional", __name__)  # a PyTorch name not covered here: said so
