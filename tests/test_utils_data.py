"""micrograd_edu.utils.data against torch.utils.data, on both backends.

The PyTorch side was computed once by PyTorch 2.13 and stored in fixtures/data_torch.json
(fixtures/make_data_fixtures.py): every batch of the unshuffled loaders of
fixtures/data_cases.py (its structure, types, dtypes, shapes and numbers) and len(loader);
for shuffled loaders and random_split what the random numbers do not decide (sizes, the
samples covered, no sample twice); the shuffled orders and split parts themselves after
`manual_seed` (micrograd_edu's generator draws PyTorch's numbers), with the draw each pass
makes for worker processes and a draw afterwards; and the errors, their kind and PyTorch's
words. Then what the fixtures cannot show: backends, graphs, other processes, numpy absent.
"""

import json
import subprocess
import sys
from pathlib import Path

import data_cases as cases
import pytest
from fingerprint import stale
from make_data_fixtures import COMMAND, case_fingerprints, run

import micrograd_edu as torch
from micrograd_edu.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TORCH = json.loads((FIXTURES / "data_torch.json").read_text())
FINGERPRINTS = case_fingerprints()
SECTIONS = {"loaders": "LOADERS", "shuffled": "SHUFFLED", "orders": "ORDERS", "errors": "DATA_ERRORS"}


def torch_fixture(section: str, name: str) -> dict:
    label = f"{SECTIONS[section]}[{name!r}]"
    problem = stale(label, TORCH[section].get(name), FINGERPRINTS[section][name], COMMAND)
    if problem:
        pytest.fail(problem, pytrace=False)
    return TORCH[section][name]


def test_every_case_has_its_fixture():
    for section, name in SECTIONS.items():
        assert list(TORCH[section]) == list(getattr(cases, name)), f"run {COMMAND}"


# ---- against PyTorch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(cases.LOADERS))
def test_a_loader_gives_pytorchs_batches(name, backend):
    """The same structure (list, tuple, dict, named tuple, str), dtypes, shapes and numbers, and len."""
    expected = torch_fixture("loaders", name)["result"]
    assert run(cases.LOADERS[name], torch) == expected


@pytest.mark.parametrize("name", list(cases.SHUFFLED))
def test_a_shuffled_loader_or_split_fixes_what_pytorchs_does(name, backend):
    """The batches' sizes, the samples covered, the parts' sizes and the warnings: not the order."""
    expected = torch_fixture("shuffled", name)["result"]
    assert run(cases.SHUFFLED[name], torch) == expected


@pytest.mark.parametrize("name", list(cases.ORDERS))
def test_after_the_same_seed_the_shuffled_order_is_pytorchs(name, backend):
    """Every pass's order, a split's parts, and the generator's state afterwards: PyTorch's own."""
    expected = torch_fixture("orders", name)["result"]
    assert run(cases.ORDERS[name], torch) == expected


def torch_words(message: str) -> str:
    """PyTorch's message up to where it names one of its own types (`<class 'torch.Tensor'>`)."""
    return message.split("<class ")[0]


@pytest.mark.parametrize("name", list(cases.DATA_ERRORS))
def test_an_argument_pytorch_refuses_is_refused_with_its_words(name, backend):
    program, same_words, ours = cases.DATA_ERRORS[name]
    expected = torch_fixture("errors", name)
    with pytest.raises(Exception) as raised:
        program(torch)
    assert type(raised.value).__name__ == (ours or expected["type"])
    message = str(raised.value.args[0])
    if same_words:
        assert message.startswith(torch_words(expected["message"])), (message, expected["message"])
    assert len(message) > len(torch_words(expected["message"])), "and says more: what to do instead"


# ---- batches ----------------------------------------------------------------------------------------------


def xy(n=10, backend=None):
    X = torch.tensor([[3.0 * i, 3.0 * i + 1, 3.0 * i + 2] for i in range(n)], backend=backend)
    return X, torch.tensor([i % 3 for i in range(n)], backend=backend)


def test_reached_as_torch_utils_data_and_imported_from_it():
    import micrograd_edu.utils.data as data

    assert torch.utils.data is data and torch.utils.data.DataLoader is DataLoader
    from micrograd_edu.utils.data import Dataset as D

    assert D is Dataset


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_batches_stay_on_the_backend_their_tensors_are_on(backend):
    other = "numpy" if backend == "python" else "python"
    torch.set_backend(other)  # the default is the other one: the tensors' own backend wins
    X, y = xy(backend=backend)
    xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert xb.backend == yb.backend == backend
    assert (xb.dtype, yb.dtype, xb.shape, yb.shape) == (torch.float64, torch.int64, (4, 3), (4,))
    numbers = next(iter(DataLoader([(0.5, 1), (1.5, 2)], batch_size=2)))  # numbers: the default backend
    assert [t.backend for t in numbers] == [other, other]


def test_a_batch_is_a_copy_and_carries_no_graph(backend):
    X, y = xy()
    X.requires_grad_()
    xb, _ = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert xb.tolist() == X[:4].tolist()
    assert xb.requires_grad  # stacked rows of a tensor that requires grad, as in PyTorch
    xb.sum().backward()
    assert X.grad[:4].tolist() == [[1.0] * 3] * 4 and X.grad[4:].tolist() == [[0.0] * 3] * 6


def test_a_loader_is_read_again_from_the_start_each_pass(backend):
    loader = DataLoader(TensorDataset(*xy()), batch_size=3)
    first = [b[1].tolist() for b in loader]
    second = [b[1].tolist() for b in loader]
    assert first == second == [[0, 1, 2], [0, 1, 2], [0, 1, 2], [0]]
    assert len(loader) == 4 and len(DataLoader(TensorDataset(*xy()), batch_size=3, drop_last=True)) == 3


def test_a_dataset_of_your_own_with_a_collate_fn_of_your_own(backend):
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return torch.tensor([float(i)]), i * i

    def pairs(samples):  # keep the samples as they are, two by two
        return [(x.item(), s) for x, s in samples]

    assert list(DataLoader(Squares(), batch_size=2, collate_fn=pairs)) == [
        [(0.0, 0), (1.0, 1)],
        [(2.0, 4), (3.0, 9)],
        [(4.0, 16)],
    ]
    x, s = next(iter(DataLoader(Squares(), batch_size=5)))
    assert x.shape == (5, 1) and s.tolist() == [0, 1, 4, 9, 16] and s.dtype == torch.int64


def test_default_collate_and_default_convert_on_their_own():
    assert default_collate([1.5, 2.5]).dtype == torch.float64
    assert default_collate([1, 2]).dtype == torch.int64
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_convert((1, "a", [2.0])) == [1, "a", [2.0]]  # nothing becomes a tensor but numpy's
    np = pytest.importorskip("numpy")
    converted = default_convert({"x": np.arange(3)})
    assert converted["x"].dtype == torch.int64 and converted["x"].tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="found <class 'numpy.str_'>|found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_a_subset_and_a_concatenation(backend):
    X, y = xy()
    part = Subset(TensorDataset(X, y), [7, 2, 5])
    assert part[0][1].item() == 1 and part.__getitems__([2, 0])[0][0].tolist() == X[5].tolist()
    assert part[[0, 1]][1].tolist() == [1, 2]  # a list index goes to the dataset in one call
    joined = part + part
    assert isinstance(joined, ConcatDataset) and len(joined) == 6 and joined[4][1].item() == 2
    assert joined[-1][0].tolist() == X[5].tolist()
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        joined[-7]


# ---- shuffling, from the seeded generator ------------------------------------------------------------


def shuffled_labels(loader) -> list[int]:
    return [i for (b,) in loader for i in b.tolist()]


def test_shuffle_gives_a_new_permutation_each_pass_and_the_same_after_the_same_seed(backend):
    loader = DataLoader(TensorDataset(torch.arange(20)), batch_size=6, shuffle=True)
    torch.manual_seed(0)
    first, second = shuffled_labels(loader), shuffled_labels(loader)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second and first != list(range(20))
    torch.manual_seed(0)
    assert shuffled_labels(loader) == first
    assert [len(b) for (b,) in loader] == [6, 6, 6, 2]


def test_the_shuffled_order_is_the_same_on_both_backends_and_in_another_process():
    orders = []
    for backend in ("python", "numpy"):
        torch.manual_seed(3)
        orders.append(
            shuffled_labels(DataLoader(TensorDataset(torch.arange(9, backend=backend)), shuffle=True))
        )
    child = (
        "import micrograd_edu as torch\n"
        "from micrograd_edu.utils.data import DataLoader, TensorDataset\n"
        "torch.manual_seed(3)\n"
        "print([b.item() for (b,) in DataLoader(TensorDataset(torch.arange(9)), shuffle=True)])\n"
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout
    assert orders[0] == orders[1] == json.loads(out)


def test_a_generator_of_its_own_leaves_the_package_generator_alone(backend):
    dataset = TensorDataset(torch.arange(10))
    torch.manual_seed(5)
    before = torch.rand(3).tolist()
    torch.manual_seed(5)
    a = shuffled_labels(DataLoader(dataset, shuffle=True, generator=torch.Generator().manual_seed(1)))
    assert torch.rand(3).tolist() == before  # the loader drew from its own generator
    assert a == shuffled_labels(DataLoader(dataset, shuffle=True, generator=torch.Generator().manual_seed(1)))
    parts = random_split(range(10), [0.5, 0.5], generator=torch.Generator().manual_seed(2))
    again = random_split(range(10), [0.5, 0.5], generator=torch.Generator().manual_seed(2))
    assert [p.indices for p in parts] == [p.indices for p in again]


def test_random_split_draws_randperms_order(backend):
    """random_split cuts torch.randperm(n) as PyTorch does, from the same generator."""
    torch.manual_seed(7)
    order = torch.randperm(10).tolist()
    torch.manual_seed(7)
    train, test = random_split(list(range(10)), [7, 3])
    assert train.indices + test.indices == order
    assert [train[i] for i in range(7)] == order[:7]


def test_the_samplers(backend):
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    torch.manual_seed(0)
    drawn = list(SubsetRandomSampler([10, 20, 30]))
    assert sorted(drawn) == [10, 20, 30]
    assert len(RandomSampler(range(5), replacement=True, num_samples=50)) == 50
    assert set(RandomSampler(range(3), replacement=True, num_samples=60)) == {0, 1, 2}
    sampler = BatchSampler(RandomSampler(range(7)), batch_size=3, drop_last=False)
    assert [len(b) for b in sampler] == [3, 3, 1] and len(sampler) == 3
    loader = DataLoader(TensorDataset(torch.arange(7)), batch_sampler=sampler)
    assert len(loader) == 3 and sorted(shuffled_labels(loader)) == list(range(7))


# ---- what PyTorch accepts and does nothing with here, and what it refuses ------------------------


def test_workers_are_accepted_and_the_samples_are_fetched_here(backend):
    seen = []

    class Noting(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            seen.append((i, get_worker_info()))
            return i

    loader = DataLoader(Noting(), batch_size=2, num_workers=2, persistent_workers=True, pin_memory=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]
    assert seen == [(0, None), (1, None), (2, None), (3, None)] and loader.prefetch_factor == 2
    assert "no worker processes" in DataLoader.__doc__ and "in this process" in sys.modules[
        DataLoader.__module__
    ].__doc__.replace("\n", " ")


@pytest.mark.parametrize(
    "program, message",
    [
        (lambda: random_split(range(10), [12, -2]), "lengths must be whole numbers >= 0.*got -2 at index 1"),
        (lambda: random_split(range(4), [0.5, 0.3]), r"sum to 0.8, the dataset has 4 samples \(fractions"),
        (
            lambda: DataLoader(range(3), shuffle=True, generator=0),
            "generator must be a torch.Generator.*got int 0",
        ),
        (lambda: RandomSampler(range(3), generator="seed"), "generator must be a torch.Generator"),
        (lambda: TensorDataset(), "TensorDataset needs at least one tensor"),
        (lambda: TensorDataset(torch.tensor(1.0)), "tensor 0 is a 0-d tensor"),
        (lambda: TensorDataset(torch.zeros(3), torch.zeros(4)), "their first dimensions are 3, 4"),
    ],
)
def test_what_else_is_refused_says_what_was_wrong(program, message):
    with pytest.raises((ValueError, TypeError, AssertionError), match=message):
        program()


def test_a_pytorch_name_not_covered_here_says_so():
    with pytest.raises(AttributeError, match=r"PyTorch's torch.utils.data.IterableDataset is not covered"):
        _ = torch.utils.data.IterableDataset
    with pytest.raises(AttributeError, match=r"did you mean 'DataLoader'"):
        _ = torch.utils.data.DataLoder


def test_a_split_of_length_zero_warns_as_in_pytorch():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = random_split(range(3), [1.0, 0.0])
    assert [len(p) for p in parts] == [3, 0]


def test_the_data_kit_needs_no_numpy_on_the_python_path():
    child = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numpy' or name.startswith('numpy.'):\n"
        "            raise ImportError('numpy is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import micrograd_edu as torch\n"
        "from micrograd_edu.utils.data import DataLoader, TensorDataset, random_split\n"
        "torch.manual_seed(0)\n"
        "train, test = random_split(TensorDataset(torch.rand(10, 2), torch.arange(10)), [0.8, 0.2])\n"
        "shapes = [tuple(x.shape) for x, y in DataLoader(train, batch_size=3, shuffle=True)]\n"
        "print(shapes, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[(3, 2), (3, 2), (2, 2)] False"
