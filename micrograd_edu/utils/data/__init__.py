"""micrograd_edu.utils.data: torch.utils.data's datasets, samplers and DataLoader.

    from micrograd_edu.utils.data import DataLoader, TensorDataset, random_split

    train, test = random_split(TensorDataset(X, y), [0.8, 0.2])
    for xb, yb in DataLoader(train, batch_size=32, shuffle=True):
        ...

Three ideas, a file each: a dataset answers `len(dataset)` and `dataset[i]` (dataset.py); a
sampler says in what order to visit it (sampler.py); the DataLoader fetches a batch of
samples at a time and collates them into tensors (dataloader.py, collate.py).
"""

from micrograd_edu.coverage import module_getattr
from micrograd_edu.utils.data.collate import default_collate, default_convert
from micrograd_edu.utils.data.dataloader import DataLoader, get_worker_info
from micrograd_edu.utils.data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from micrograd_edu.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
__getattr__ = module_getattr("torch.utils.data", __name__)  # a PyTorch name not covered here: said so
