"""numpy, matplotlib, copy and pickle take tensors as they take PyTorch's."""

import copy
import pickle

import numpy as np
import pytest

import micrograd_edu as torch


def test_numpy_numbers_and_arrays_combine_with_tensors_into_tensors(backend):
    t = torch.tensor([1.0, 2.0])
    for out in (np.float64(2.0) * t, t * np.float64(2.0), np.int64(3) + t, t + np.array([1.0, 2.0])):
        assert isinstance(out, torch.Tensor) and out.backend == backend
    assert (np.array([1.0, 2.0]) + t).tolist() == [2.0, 4.0]
    assert (torch.tensor([1.5], dtype=torch.float32) + np.array([1], dtype=np.int64)).dtype is torch.float32


def test_numpy_integers_are_sizes_dims_and_indices(backend):
    assert torch.zeros(np.int64(3)).shape == (3,)
    x = torch.arange(6.0).reshape(np.int64(2), np.int32(3))
    assert x.sum(np.int64(1)).tolist() == [3.0, 12.0]
    assert x[np.int64(1), np.array([0, 2])].tolist() == [3.0, 5.0]


def test_numpy_reads_a_tensor_that_needs_no_grad_and_refuses_one_that_does(backend):
    assert np.asarray(torch.tensor([[1.0, 2.0]])).tolist() == [[1.0, 2.0]]
    assert torch.tensor([1, 2]).numpy().dtype == np.int64
    needs_grad = torch.tensor([1.0], requires_grad=True)
    for read in (np.asarray, lambda t: t.numpy()):
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
            read(needs_grad)
    assert needs_grad.detach().numpy().tolist() == [1.0]


def test_matplotlib_plots_tensors(tmp_path, backend):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = torch.linspace(-1, 1, 5)
    fig, ax = plt.subplots()
    (line,) = ax.plot(x, x**2)
    assert line.get_ydata().tolist() == [1.0, 0.25, 0.0, 0.25, 1.0]
    fig.savefig(tmp_path / "plot.png")
    plt.close(fig)


def test_deepcopy_and_pickle_copy_leaves_with_their_gradients(backend):
    w = torch.tensor([1.0, -2.0], dtype=torch.float32, requires_grad=True)
    (w * w).sum().backward()
    for copied in (copy.deepcopy(w), pickle.loads(pickle.dumps(w))):
        assert copied is not w and copied.tolist() == w.tolist() and copied.dtype is torch.float32
        assert copied.requires_grad and copied.grad.tolist() == [2.0, -4.0] and copied.backend == backend
    model = torch.nn.Linear(2, 1)
    best = copy.deepcopy(model.state_dict())  # the "keep the best weights" pattern
    with torch.no_grad():
        model.weight.mul_(0)
    assert best["weight"].tolist() != model.weight.tolist()
    clone = copy.deepcopy(model)
    assert isinstance(clone.weight, torch.nn.Parameter) and clone.weight is not model.weight
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(w * 2)
