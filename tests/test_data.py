"""Datasets: the toys' shapes, labels (and their dtypes) and geometry, the same numbers for the
same seed (in any process, on either path), clear errors for bad arguments; scikit-learn's
digits, and the ImportError that names the extra when scikit-learn is missing."""

import json
import math
import os
import subprocess
import sys

import pytest

import micrograd_edu as torch
from micrograd_edu import data, datasets

SEEDED = {
    "moons": lambda **kw: datasets.moons(n=30, **kw),
    "circles": lambda **kw: datasets.circles(n=30, **kw),
    "spiral": lambda **kw: datasets.spiral(n=30, classes=3, **kw),
    "blobs": lambda **kw: datasets.blobs(n=30, centers=4, **kw),
}


def test_the_first_name_micrograd_edu_data_still_works():
    for name in ("xor", "moons", "circles", "spiral", "blobs", "digits"):
        assert getattr(data, name) is getattr(datasets, name) is getattr(torch.datasets, name)
    assert torch.data is data


def test_xor_is_the_tutorial_data(backend):
    X, y = datasets.xor()
    assert X.tolist() == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y.tolist() == [[0.0], [1.0], [1.0], [0.0]]
    assert X.dtype == y.dtype == torch.float64  # BCELoss takes float labels
    assert X.backend == y.backend == backend
    assert not X.requires_grad


@pytest.mark.parametrize("name", ["moons", "circles"])
def test_two_class_data_shapes_and_labels(name, backend):
    X, y = getattr(datasets, name)(n=21, seed=0)
    assert X.shape == (21, 2) and y.shape == (21, 1)
    assert X.dtype == y.dtype == torch.float64  # 0./1. for BCELoss
    assert X.backend == y.backend == backend
    labels = [row[0] for row in y.tolist()]
    assert labels == [float(i % 2) for i in range(21)]


@pytest.mark.parametrize("name, k, arg", [("spiral", 4, "classes"), ("blobs", 5, "centers")])
def test_many_class_data_shapes_and_labels(name, k, arg, backend):
    X, y = getattr(datasets, name)(n=23, seed=0, **{arg: k})
    assert X.shape == (23, 2) and y.shape == (23,)
    assert X.backend == y.backend == backend
    assert X.dtype == torch.float64 and y.dtype == torch.int64  # class indices, as CrossEntropyLoss takes
    assert y.tolist() == [i % k for i in range(23)] and all(type(label) is int for label in y.tolist())
    default_X, default_y = getattr(datasets, name)(seed=0)
    assert default_X.shape == (100, 2) and set(default_y.tolist()) == {0, 1, 2}


@pytest.mark.parametrize("name, k, arg", [("spiral", 3, "classes"), ("blobs", 4, "centers")])
def test_class_indices_train_with_cross_entropy(name, k, arg, backend):
    X, y = getattr(datasets, name)(n=12, seed=0, **{arg: k})
    torch.manual_seed(0)
    model = torch.nn.Linear(2, k)
    loss = torch.nn.CrossEntropyLoss()(model(X), y)
    loss.backward()
    assert loss.item() > 0 and model.weight.grad.shape == (k, 2)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = datasets.moons(n=40, noise=0.0, seed=3)
    for (a, b), (label,) in zip(X.tolist(), y.tolist()):
        if label == 0:  # the upper half of the unit circle
            assert a * a + b * b == pytest.approx(1.0) and b >= 0
        else:  # the lower half of the circle around (1, 0.5)
            assert (a - 1) ** 2 + (b - 0.5) ** 2 == pytest.approx(1.0) and b <= 0.5


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = datasets.circles(n=40, noise=0.0, factor=0.3, seed=3)
    for (a, b), (label,) in zip(X.tolist(), y.tolist()):
        assert math.hypot(a, b) == pytest.approx(0.3 if label else 1.0)


def test_spiral_arms_grow_out_to_radius_one():
    X, _ = datasets.spiral(n=30, classes=3, noise=0.0, seed=1)
    radii = [math.hypot(a, b) for a, b in X.tolist()]
    assert radii == pytest.approx([(i // 3 + 1) / 10 for i in range(30)], rel=1e-12)


def test_blobs_gather_around_their_centres():
    X, y = datasets.blobs(n=400, centers=4, spread=0.3, seed=2)
    for k in range(4):
        points = [p for p, label in zip(X.tolist(), y.tolist()) if label == k]
        mean = [sum(c) / len(points) for c in zip(*points)]
        centre = [2 * math.cos(math.pi * k / 2), 2 * math.sin(math.pi * k / 2)]
        assert mean == pytest.approx(centre, abs=0.1)


# ---- determinism ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(name):
    make = SEEDED[name]
    X1, y1 = make(seed=5)
    X2, y2 = make(seed=5)
    X3, _ = make(seed=6)
    assert X1.tolist() == X2.tolist() and y1.tolist() == y2.tolist()
    assert X1.tolist() != X3.tolist()


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_manual_seed_gives_the_same_numbers_and_seed_leaves_the_generator_alone(name):
    make = SEEDED[name]
    torch.manual_seed(11)
    first = make()[0].tolist()
    second = make()[0].tolist()
    torch.manual_seed(11)
    assert make()[0].tolist() == first
    assert first != second  # the generator moved on
    torch.manual_seed(11)
    make(seed=3)
    assert make()[0].tolist() == first  # seed= drew from its own generator


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_the_same_numbers_on_both_backends(name):
    make = SEEDED[name]
    Xp, yp = make(seed=9, backend="python")
    Xn, yn = make(seed=9, backend="numpy")
    assert (Xp.backend, Xn.backend) == ("python", "numpy")
    assert Xp.tolist() == Xn.tolist() and yp.tolist() == yn.tolist()


CHILD = """
import json, sys
import micrograd_edu as torch
torch.manual_seed(2024)
out = {}
for name in ("moons", "circles", "spiral", "blobs"):
    X, y = getattr(torch.datasets, name)(n=12, backend=sys.argv[1])
    out[name] = [[x.hex() for x in row] for row in X.tolist()], y.tolist()
print(json.dumps(out))
"""


def test_manual_seed_gives_the_same_numbers_in_separate_processes():
    runs = []
    for hash_seed, backend in (("1", "python"), ("2", "numpy")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", CHILD, backend], capture_output=True, text=True, env=env, check=True
        )
        runs.append(json.loads(result.stdout))
    assert runs[0] == runs[1]
    torch.manual_seed(2024)
    here = {}
    for name in ("moons", "circles", "spiral", "blobs"):
        X, y = getattr(datasets, name)(n=12)
        here[name] = [[[x.hex() for x in row] for row in X.tolist()], y.tolist()]
    assert here == runs[0]


# ---- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEEDED))
@pytest.mark.parametrize("n", [0, -3, 2.5, "10", True])
def test_a_bad_n_is_refused(name, n):
    with pytest.raises(ValueError, match=f"{name}: n must be a whole number > 0, got {n!r}"):
        getattr(datasets, name)(n=n)


@pytest.mark.parametrize("name", ["moons", "circles", "spiral"])
def test_a_negative_noise_is_refused(name):
    with pytest.raises(ValueError, match=f"{name}: the noise must be >= 0, got -0.1"):
        getattr(datasets, name)(noise=-0.1)


def test_a_negative_spread_is_refused():
    with pytest.raises(ValueError, match="blobs: the spread must be >= 0, got -0.5"):
        datasets.blobs(spread=-0.5)


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.5])
def test_circles_refuse_a_factor_outside_zero_to_one(factor):
    with pytest.raises(ValueError, match=f"circles: factor must be between 0 and 1, got {factor!r}"):
        datasets.circles(factor=factor)


@pytest.mark.parametrize("k", [0, -1, 1.5])
def test_a_bad_number_of_classes_or_centres_is_refused(k):
    with pytest.raises(ValueError, match=f"spiral: classes must be a whole number > 0, got {k!r}"):
        datasets.spiral(classes=k)
    with pytest.raises(ValueError, match=f"blobs: centers must be a whole number > 0, got {k!r}"):
        datasets.blobs(centers=k)


# ---- digits ------------------------------------------------------------------------------------------


def test_digits_are_1797_images_in_0_to_1_with_labels_0_to_9(backend):
    X, y = datasets.digits()
    assert X.shape == (1797, 1, 8, 8) and y.shape == (1797,)
    assert X.dtype == torch.float64 and y.dtype == torch.int64
    assert X.backend == y.backend == backend
    assert X.min().item() == 0.0 and X.max().item() == 1.0
    counts = [y.tolist().count(k) for k in range(10)]
    assert sum(counts) == 1797 and min(counts) >= 170  # each digit about 180 times
    assert y[:10].tolist() == list(range(10))
    first = X[0, 0].tolist()  # a 0: ink round the edge of the square, none in the middle
    assert first[4][4] == 0.0 and max(first[0]) > 0.5 and max(first[7]) > 0.5


def test_digits_flat_are_rows_of_64_the_same_numbers():
    images, y = datasets.digits()
    rows, y_flat = datasets.digits(flat=True)
    assert rows.shape == (1797, 64)
    assert rows.tolist() == images.reshape(1797, 64).tolist() and y_flat.tolist() == y.tolist()


def test_digits_are_scikit_learns_numbers_over_16():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X, y = datasets.digits(flat=True, backend="numpy")
    assert X.tolist() == (bunch.data / 16).tolist() and y.tolist() == bunch.target.tolist()


def test_without_scikit_learns_csv_file_digits_asks_load_digits(monkeypatch, tmp_path):
    """Where the CSV is not found (another scikit-learn layout), load_digits gives the same numbers."""
    import importlib.util

    real = importlib.util.find_spec("sklearn")
    elsewhere = importlib.util.spec_from_loader("sklearn", loader=None, is_package=True)
    elsewhere.submodule_search_locations = [str(tmp_path)]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: elsewhere if name == "sklearn" else real)
    X, y = datasets.digits(flat=True)
    monkeypatch.undo()
    X_csv, y_csv = datasets.digits(flat=True)
    assert X.tolist() == X_csv.tolist() and y.tolist() == y_csv.tolist()


def test_without_scikit_learn_digits_says_which_extra_to_install(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(
        ImportError, match=r"digits needs scikit-learn.*pip install 'micrograd_edu\[digits\]'"
    ):
        datasets.digits()


def test_digits_need_no_numpy_on_the_python_path():
    child = (
        "import sys, micrograd_edu as torch\n"
        "X, y = torch.datasets.digits(backend='python')\n"
        "print(tuple(X.shape), y.dtype, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(1797, 1, 8, 8) torch.int64 False"
