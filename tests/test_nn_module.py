"""Module's bookkeeping beyond parameters: buffers, dtypes and devices, apply, freezing,
add_module; containers; nn.init's distributions; saving a model with buffers. PyTorch's
names and reprs for the same things are compared in test_nn_torch_fixtures.py (FACTS)."""

import math

import pytest

import micrograd_edu as torch
from micrograd_edu import nn
from micrograd_edu.nn import functional as F


def flat(nested):
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def test_buffers_are_in_the_state_dict_and_loaded_back(backend):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    for _ in range(3):
        model(torch.randn(5, 3))
    state = model.state_dict()
    assert list(state) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    assert state["1.num_batches_tracked"].dtype is torch.int64 and state["1.num_batches_tracked"].item() == 3
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    fresh.load_state_dict(state)
    assert fresh[1].running_mean.tolist() == model[1].running_mean.tolist()
    assert fresh[1].num_batches_tracked.item() == 3
    x = torch.randn(2, 3)
    assert fresh.eval()(x).tolist() == model.eval()(x).tolist()


def test_a_model_with_buffers_is_saved_and_loaded_as_json(tmp_path, backend):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    model(torch.randn(3, 1, 5, 5))
    torch.save(model, tmp_path / "model.json")
    again = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    again.load_state_dict(torch.load(tmp_path / "model.json"))
    assert again[1].num_batches_tracked.dtype is torch.int64
    assert {k: v.tolist() for k, v in again.state_dict().items()} == {
        k: v.tolist() for k, v in model.state_dict().items()
    }


def test_to_float32_converts_parameters_buffers_and_grads_in_place(backend):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    params = list(model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.randn(4, 2)).sum().backward()
    assert model.to(torch.float32) is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]  # the optimizer's still
    assert all(p.dtype is torch.float32 and p.grad.dtype is torch.float32 for p in params)
    assert model[1].running_var.dtype is torch.float32
    assert model[1].num_batches_tracked.dtype is torch.int64  # an integer buffer stays as it is
    optimizer.step()
    assert model(torch.randn(4, 2, dtype=torch.float32)).dtype is torch.float32
    assert model.double()[0].weight.dtype is torch.float64
    assert model.float() is model and model.to("cpu") is model and model.cpu() is model
    assert model.to(torch.device("cpu"), torch.float64)[1].running_mean.dtype is torch.float64


def test_to_refuses_an_integer_dtype_and_another_device():
    with pytest.raises(TypeError, match=r"^nn.Module.to only accepts floating point or complex dtypes"):
        nn.Linear(2, 2).to(torch.int64)
    with pytest.raises(RuntimeError):
        nn.Linear(2, 2).to("cuda")
    with pytest.raises(RuntimeError):
        nn.Linear(2, 2).cuda()


def test_layers_take_dtype_and_backend_when_made():
    layer = nn.Conv2d(1, 2, 3, dtype=torch.float32, backend="numpy")
    assert layer.weight.dtype is torch.float32 and layer.bias.backend == "numpy"
    bn = nn.BatchNorm1d(3, dtype=torch.float32)
    assert bn.running_mean.dtype is torch.float32 and bn.num_batches_tracked.dtype is torch.int64
    assert nn.Embedding(4, 2, dtype="float32").weight.dtype is torch.float32


def test_a_parameter_keeps_its_dtype_and_refuses_integers():
    p = nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float32))
    assert p.dtype is torch.float32 and p.requires_grad
    with pytest.raises(
        RuntimeError, match="^Only Tensors of floating point and complex dtype can require gradients"
    ):
        nn.Parameter(torch.tensor([1, 2]))
    assert nn.Parameter(torch.tensor([1, 2]), requires_grad=False).dtype is torch.int64


def test_register_buffer_persistent_and_none():
    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mask", torch.tensor([1.0, 0.0]))
            self.register_buffer("cache", torch.tensor([0.0]), persistent=False)
            self.register_buffer("later", None)

        def forward(self, x):
            return x * self.mask

    m = Masked()
    assert [name for name, _ in m.named_buffers()] == ["mask", "cache"]
    assert list(m.state_dict()) == ["mask"]
    m.later = torch.tensor([2.0])  # assigning to a buffer's name sets the buffer
    assert [name for name, _ in m.named_buffers()] == ["mask", "cache", "later"]
    with pytest.raises(TypeError, match=r"cannot assign 'int' as buffer 'later'"):
        m.later = 3
    assert m(torch.tensor([5.0, 7.0])).tolist() == [5.0, 0.0]
    assert list(m.parameters()) == []
    with pytest.raises(KeyError, match="attribute 'forward_scale' already exists"):
        m.forward_scale = 1.0
        m.register_buffer("forward_scale", torch.tensor([1.0]))


def test_apply_initialises_every_layer_children_first(backend):
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    seen = []

    def init_weights(m):
        seen.append(type(m).__name__)
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    assert model.apply(init_weights) is model
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]
    assert model(torch.tensor([[1.0, 2.0]])).tolist() == [[2.25]]


def test_requires_grad_false_freezes_a_layer(backend):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert model[0].requires_grad_(False) is model[0]
    model(torch.randn(4, 2)).sum().backward()
    assert model[0].weight.grad is None and model[2].weight.grad is not None
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]


def test_add_module_and_named_modules():
    model = nn.Module()
    model.add_module("encoder", nn.Linear(2, 2))
    model.register_module("head", nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    assert [name for name, _ in model.named_modules()] == ["", "encoder", "head", "head.0", "head.1"]
    assert model.get_submodule("head.1") is model.head[1]
    with pytest.raises(AttributeError, match="Sequential has no attribute `2`"):
        model.get_submodule("head.2")
    assert list(model.named_modules(prefix="net"))[1][0] == "net.encoder"
    shared = nn.Linear(1, 1)
    model.a, model.b = shared, shared
    assert [n for n, _ in model.named_modules() if n in ("a", "b")] == ["a"]
    assert [n for n, _ in model.named_modules(remove_duplicate=False) if n in ("a", "b")] == ["a", "b"]


def test_containers_register_what_they_hold(backend):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
            self.heads = nn.ModuleDict({"mean": nn.Linear(2, 1), "spread": nn.Linear(2, 1)})
            self.plain = [nn.Linear(2, 2)]  # a plain list: not registered, as in PyTorch

    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names[:2] == ["layers.0.weight", "layers.0.bias"] and "heads.spread.bias" in names
    assert len(names) == 10
    assert len(net.layers) == 3 and net.layers[-1] is list(net.layers)[2]
    assert list(net.heads) == ["mean", "spread"] and "mean" in net.heads
    with pytest.raises(IndexError, match="^index 3 is out of range"):
        net.layers[3]
    with pytest.raises(KeyError, match="mode"):
        net.heads["mode"]


def test_sequential_takes_an_ordered_dict_and_slices_keep_the_names(backend):
    from collections import OrderedDict

    model = nn.Sequential(
        OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU()), ("flat", nn.Flatten())])
    )
    assert list(model.state_dict()) == ["conv.weight", "conv.bias"]
    assert model.conv is model[0]
    head = model[1:]
    assert [name for name, _ in head.named_children()] == ["act", "flat"]
    assert model(torch.ones(1, 1, 4, 4)).shape == (1, 8)


def test_init_distributions_and_bounds(backend):
    torch.manual_seed(0)
    w = torch.empty(200, 50)
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 50)
    values = flat(w.tolist())
    assert all(-bound <= v <= bound for v in values) and max(values) > 0.99 * bound
    nn.init.xavier_normal_(w, gain=2.0)
    std = 2.0 * math.sqrt(2.0 / 250)
    assert sum(v * v for v in flat(w.tolist())) / w.numel() == pytest.approx(std**2, rel=0.05)
    nn.init.normal_(w, mean=3.0, std=0.1)
    assert sum(flat(w.tolist())) / w.numel() == pytest.approx(3.0, abs=0.01)
    nn.init.uniform_(w, -0.5, 0.25)
    assert min(flat(w.tolist())) >= -0.5 and max(flat(w.tolist())) <= 0.25
    with pytest.warns(UserWarning, match="zero-element"):
        nn.init.kaiming_normal_(torch.empty(0, 3))


def test_init_and_layers_draw_the_same_numbers_on_both_backends():
    drawn = []
    for backend in ("python", "numpy"):
        torch.manual_seed(3)
        conv = nn.Conv2d(2, 3, 3, backend=backend)
        embed = nn.Embedding(4, 2, backend=backend)
        drawn.append([conv.weight.tolist(), conv.bias.tolist(), embed.weight.tolist()])
    assert drawn[0] == drawn[1]


def test_conv2d_initialisation_is_pytorchs_distribution():
    torch.manual_seed(0)
    conv = nn.Conv2d(8, 16, 3)
    bound = 1 / math.sqrt(8 * 3 * 3)
    weights = flat(conv.weight.tolist())
    assert all(-bound <= v <= bound for v in weights + conv.bias.tolist())
    assert max(weights) > 0.98 * bound and min(weights) < -0.98 * bound


def test_clip_grad_norm_scales_all_gradients_together(backend):
    a = nn.Parameter(torch.tensor([3.0, 0.0]))
    b = nn.Parameter(torch.tensor([[4.0]]))
    (a * torch.tensor([3.0, 0.0])).sum().backward()
    (b * 4.0).sum().backward()
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0, rel=1e-15)
    assert a.grad.tolist() == pytest.approx([3 / (5 + 1e-6), 0.0], rel=1e-14)
    small = nn.Parameter(torch.tensor([0.1]))
    small.grad = torch.tensor([0.1])
    nn.utils.clip_grad_norm_(small, max_norm=1.0)  # a single tensor; under the limit: unchanged
    assert small.grad.tolist() == [0.1]
    assert nn.utils.clip_grad_norm_([nn.Parameter(torch.ones(1))], 1.0).item() == 0.0  # no gradients yet


# ---- what differs from PyTorch on purpose --------------------------------------------------------------


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss])
def test_a_regression_target_of_another_shape_is_refused_not_broadcast(loss, backend):
    """PyTorch warns and broadcasts (4,) against (4, 1) to (4, 4): a wrong loss that trains."""
    with pytest.raises(
        ValueError, match=r"target shape \(4, 1\) differs from input shape \(4,\).*broadcasts"
    ):
        loss(torch.ones(4), torch.ones(4, 1))


def test_class_indices_may_be_a_list_here(backend):
    scores = torch.tensor([[1.0, 2.0], [0.5, -1.0]])
    assert F.cross_entropy(scores, [1, 0]).item() == F.cross_entropy(scores, torch.tensor([1, 0])).item()


def test_inplace_activations_give_the_numbers_in_a_new_tensor(backend):
    x = torch.tensor([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x).tolist() == [0.0, 2.0]
    assert x.tolist() == [-1.0, 2.0]


def test_a_float_class_index_is_refused_with_what_to_do(backend):
    scores = torch.tensor([[1.0, 2.0, 0.5]])
    y = torch.tensor([2.0])
    with pytest.raises(
        RuntimeError, match=r"^expected target dtype to be Long or Byte, but got Double.*y\.long\(\)"
    ):
        nn.CrossEntropyLoss()(scores, y)
    assert nn.CrossEntropyLoss()(scores, y.long()).item() == pytest.approx(
        F.cross_entropy(scores, torch.tensor([2])).item()
    )
    assert F.cross_entropy(scores, scores.argmax(dim=1)).item() < 1.0  # argmax gives int64 indices


def test_a_conv2d_layer_on_the_wrong_input_names_the_shapes(backend):
    conv = nn.Conv2d(1, 8, 3)
    with pytest.raises(
        RuntimeError,
        match=r"^Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
        r"\[8, 8\]: conv2d takes images",
    ):
        conv(torch.ones(8, 8))
    with pytest.raises(RuntimeError, match=r"expected input\[64, 3, 8, 8\] to have 1 channels, but got 3"):
        conv(torch.ones(64, 3, 8, 8))
    with pytest.raises(
        RuntimeError, match=r"to have 1 channels, but got 64.*64 grey images.*x\.unsqueeze\(1\)"
    ):
        conv(torch.ones(64, 8, 8))  # a batch of grey images without its channel dim: one image of 64 channels
