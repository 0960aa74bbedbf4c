"""micrograd_edu.utils: as torch.utils, the data-loading kit (`micrograd_edu.utils.data`)."""

from micrograd_edu.utils import data

__all__ = ["data"]
