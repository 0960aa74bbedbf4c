"""micrograd_edu.nn: PyTorch's model-building kit, small enough to read."""

from micrograd_edu.nn import functional
from micrograd_edu.nn.layers import Linear, ReLU, Sigmoid, Tanh
from micrograd_edu.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from micrograd_edu.nn.module import Module, Parameter, Sequential

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
]
