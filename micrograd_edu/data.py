"""The toy datasets under their first name: `micrograd_edu.data.moons` is `micrograd_edu.datasets.moons`.

The lessons and exercises written before `micrograd_edu.datasets` call them this way; new
code says `datasets` (and `torch.utils.data` is the DataLoader kit, as in PyTorch).
"""

from micrograd_edu.datasets import blobs, circles, digits, moons, spiral, xor

__all__ = ["blobs", "circles", "digits", "moons", "spiral", "xor"]
