"""optim: the optimizers and learning-rate schedulers of torch.optim, under PyTorch's names.

    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)

Each optimizer is a file: its update rule in its docstring, written out in its `update()`;
`optimizer.py` holds what they share (parameter groups, state, zero_grad, state_dict).
"""

from micrograd_edu.coverage import module_getattr
from micrograd_edu.optim import lr_scheduler
from micrograd_edu.optim.adagrad import Adagrad
from micrograd_edu.optim.adam import Adam
from micrograd_edu.optim.adamw import AdamW
from micrograd_edu.optim.optimizer import Optimizer
from micrograd_edu.optim.rmsprop import RMSprop
from micrograd_edu.optim.sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
__getattr__ = module_getattr("torch.optim", __name__)  # a PyTorch name not covered here: said so
