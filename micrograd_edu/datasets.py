"""Datasets to learn on: small 2-D toys made here in plain Python, and scikit-learn's 8x8 digits.

The toys return `(X, y)`, X of shape (n, 2) (float64). For the two-class sets (`xor`,
`moons`, `circles`) y has shape (n, 1) and holds 0./1. labels (float64), as BCELoss wants
them; for `spiral` and `blobs` y has shape (n,) and holds class indices 0, 1, ... k-1
(int64), as CrossEntropyLoss wants them (with a model of k outputs, which
`viz.decision_boundary` draws). Their numbers come from `seed` if given, else from the
generator that `micrograd_edu.manual_seed` seeds, so the same seed gives the same data in
every process and on both tensor backends.

`digits` is a first real dataset: 1,797 handwritten digits, 8x8 pixels each, which
scikit-learn ships inside its package (nothing is downloaded).
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import random
from pathlib import Path
from typing import Any

from micrograd_edu.tensor import Tensor, tensor
from micrograd_edu.tensor.generator import default_generator as generator


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


def digits(flat: bool = False, backend: str | None = None) -> tuple[Tensor, Tensor]:
    """scikit-learn's 1,797 handwritten digits: X the images, y their digits 0 .. 9 (int64).

    X holds each pixel's ink scaled to [0, 1] (the originals count 0 .. 16), as float64, in
    shape (1797, 1, 8, 8): one channel of 8 rows of 8, the layout nn.Conv2d takes. With
    `flat=True` each image is one row of 64 numbers, shape (1797, 64), the layout nn.Linear
    takes (the same as `X.flatten(1)`). The images come in scikit-learn's order (each
    digit about 180 times, mixed); split them with `utils.data.random_split`.

    Needs scikit-learn (`pip install 'micrograd_edu[digits]'`); works on either backend.
    """
    table = _digits_rows()
    X = tensor([[v / 16 for v in row[:64]] for row in table], backend=backend)  # ink 0 .. 16 -> 0 .. 1
    y = tensor([int(row[64]) for row in table], backend=backend)
    return (X, y) if flat else (X.reshape(-1, 1, 8, 8), y)


def _digits_rows() -> list[list[float]]:
    """The 1,797 rows of 64 pixels and a label. scikit-learn keeps them in a small CSV file in
    its package: read it directly (quick, and no numpy needed), else through load_digits."""
    found = importlib.util.find_spec("sklearn")
    if found is None:
        raise ImportError(
            "digits needs scikit-learn, which ships the 1,797 images: pip install 'micrograd_edu[digits]' "
            "(or pip install scikit-learn)"
        )
    for folder in found.submodule_search_locations or ():
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            with gzip.open(path, "rt") as lines:
                return [[float(v) for v in line.split(",")] for line in lines if line.strip()]
    from sklearn.datasets import load_digits  # type: ignore[import-untyped]

    bunch = load_digits()
    return [[*image, label] for image, label in zip(bunch.data.tolist(), bunch.target.tolist())]


def _rng(n: int, noise: float, seed: int | None, name: str, noise_name: str = "noise") -> Any:
    _check_count(n, "n", name)
    if noise < 0:
        raise ValueError(f"{name}: the {noise_name} must be >= 0, got {noise!r}")
    return generator if seed is None else random.Random(seed)


def _check_count(k: int, what: str, name: str) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
        raise ValueError(f"{name}: {what} must be a whole number > 0, got {k!r}")
