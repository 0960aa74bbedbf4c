"""Small toy datasets for 2-D classification, in plain Python (no numpy).

Each function returns `(X, y)`, X of shape (n, 2). For the two-class sets (`xor`, `moons`,
`circles`) y has shape (n, 1) and holds 0./1. labels, as BCELoss wants them; for `spiral`
and `blobs` y has shape (n,) and holds class indices 0, 1, ... k-1 (int64), as CrossEntropyLoss
wants them (with a model of k outputs, which `viz.decision_boundary` draws). The numbers
come from `seed` if given, else from the generator that `micrograd_edu.manual_seed` seeds,
so the same seed gives the same data in every process and on both tensor backends.
"""

from __future__ import annotations

import math
import random
from typing import Any

from micrograd_edu.tensor import Tensor, tensor
from micrograd_edu.tensor.creation import generator


def xor(backend: str | None = None) -> tuple[Tensor, Tensor]:
    """The tutorial's four points: the label is 1 where exactly one input is 1."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [[0.0], [1.0], [1.0], [0.0]]
    return tensor(X, backend=backend), tensor(y, backend=backend)


def moons(n: int = 100, noise: float = 0.1, seed: int | None = None, backend: str | None = None):
    """Two interleaved half circles (class 0 above, class 1 below), plus Gaussian noise."""
    rng = _rng(n, noise, seed, "moons")
    points, labels = [], []
    for i in range(n):
        label = i % 2
        t = math.pi * rng.random()
        x, y = (math.cos(t), math.sin(t)) if label == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append([float(label)])
    return tensor(points, backend=backend), tensor(labels, backend=backend)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = None, backend=None):
    """A small circle (class 1) inside a large one (class 0); `factor` is their ratio of radii."""
    rng = _rng(n, noise, seed, "circles")
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be between 0 and 1, got {factor!r}")
    points, labels = [], []
    for i in range(n):
        label = i % 2
        t, r = 2 * math.pi * rng.random(), factor if label else 1.0
        points.append([r * math.cos(t) + rng.gauss(0, noise), r * math.sin(t) + rng.gauss(0, noise)])
        labels.append([float(label)])
    return tensor(points, backend=backend), tensor(labels, backend=backend)


def spiral(n: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = None, backend=None):
    """`classes` arms winding out from the centre; y holds class indices, shape (n,)."""
    rng = _rng(n, noise, seed, "spiral")
    _check_count(classes, "classes", "spiral")
    points, labels = [], []
    for i in range(n):
        label, r = i % classes, (i // classes + 1) / math.ceil(n / classes)
        t = 4 * r + 2 * math.pi * label / classes + rng.gauss(0, noise)
        points.append([r * math.sin(t), r * math.cos(t)])
        labels.append(label)
    return tensor(points, backend=backend), tensor(labels, backend=backend)


def blobs(n: int = 100, centers: int = 3, spread: float = 0.5, seed: int | None = None, backend=None):
    """Gaussian clouds around `centers` points on a circle of radius 2; y holds class indices."""
    rng = _rng(n, spread, seed, "blobs", "spread")
    _check_count(centers, "centers", "blobs")
    points, labels = [], []
    for i in range(n):
        label = i % centers
        angle = 2 * math.pi * label / centers
        points.append(
            [2 * math.cos(angle) + rng.gauss(0, spread), 2 * math.sin(angle) + rng.gauss(0, spread)]
        )
        labels.append(label)
    return tensor(points, backend=backend), tensor(labels, backend=backend)


def _rng(n: int, noise: float, seed: int | None, name: str, noise_name: str = "noise") -> Any:
    _check_count(n, "n", name)
    if noise < 0:
        raise ValueError(f"{name}: the {noise_name} must be >= 0, got {noise!r}")
    return generator if seed is None else random.Random(seed)


def _check_count(k: int, what: str, name: str) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
        raise ValueError(f"{name}: {what} must be a whole number > 0, got {k!r}")
