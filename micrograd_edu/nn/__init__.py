"""micrograd_edu.nn: PyTorch's model-building kit, small enough to read.

One concept a file: module.py (Module, Parameter, buffers), container.py (Sequential,
ModuleList, ModuleDict), linear.py, activation.py, flatten.py, dropout.py, normalization.py
(BatchNorm), layer_norm.py, sparse.py (Embedding), fold.py (gathering windows: what conv.py and pooling.py
are built on), padding.py, loss.py; init.py and utils.py are `nn.init` and `nn.utils`.
"""

from micrograd_edu.coverage import module_getattr
from micrograd_edu.nn import functional, init, utils
from micrograd_edu.nn.activation import (
    ELU,
    GELU,
    SELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Tanh,
)
from micrograd_edu.nn.container import ModuleDict, ModuleList, Sequential
from micrograd_edu.nn.conv import Conv2d
from micrograd_edu.nn.dropout import Dropout
from micrograd_edu.nn.flatten import Flatten, Unflatten
from micrograd_edu.nn.fold import Unfold
from micrograd_edu.nn.layer_norm import LayerNorm
from micrograd_edu.nn.linear import Identity, Linear
from micrograd_edu.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from micrograd_edu.nn.module import Module, Parameter
from micrograd_edu.nn.normalization import BatchNorm1d, BatchNorm2d
from micrograd_edu.nn.pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d
from micrograd_edu.nn.sparse import Embedding

__all__ = [
    "ELU",
    "GELU",
    "SELU",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Tanh",
    "Unflatten",
    "Unfold",
    "functional",
    "init",
    "utils",
]

__getattr__ = module_getattr("torch.nn", __name__)  # a PyTorch name not covered here: said so
