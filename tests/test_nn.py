"""nn: modules register what is assigned to them, print as PyTorch prints them, and the
layers and losses give PyTorch's numbers, shapes, gradients and errors, on both backends.

The repr strings below were printed by PyTorch 2.x for the same models.
"""

import math

import pytest

import micrograd_edu as torch
from micrograd_edu import nn
from micrograd_edu.nn import functional as F


class SimpleNN(nn.Module):
    """The tutorial's model."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        x = torch.sigmoid(self.fc1(x))
        return torch.sigmoid(self.fc2(x))


def flat(nested):
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def central_differences(f, xs, h=1e-6):
    """d f / d xs[i] for each i, from (f(x + h) - f(x - h)) / 2h."""
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / (2 * h))
    return grads


# ---- registration by assignment ------------------------------------------------------------


def test_parameters_and_their_names_in_pytorch_order(backend):
    model = SimpleNN()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    expected = [model.fc1.weight, model.fc1.bias, model.fc2.weight, model.fc2.bias]
    assert [id(p) for p in model.parameters()] == [id(p) for p in expected]
    assert [p.shape for p in model.parameters()] == [(4, 2), (4,), (1, 4), (1,)]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf for p in model.parameters())
    assert all(p.backend == backend for p in model.parameters())


def test_nested_sequential_names_and_a_module_own_parameters_first():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3)))
            self.scale = nn.Parameter(torch.tensor([1.0]))
            self.head = nn.Linear(3, 1)

    names = [name for name, _ in Model().named_parameters()]
    assert names == [
        "scale",
        "body.0.weight",
        "body.0.bias",
        "body.2.0.weight",
        "body.2.0.bias",
        "head.weight",
        "head.bias",
    ]
    seq = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_a_shared_parameter_or_module_is_listed_once():
    model = SimpleNN()
    model.again = model.fc1  # the same layer under a second name
    model.tied = model.fc2.weight  # the same parameter under a second name
    names = [name for name, _ in model.named_parameters()]
    assert names == ["tied", "fc1.weight", "fc1.bias", "fc2.bias"]
    assert len(list(model.parameters())) == 4
    assert [name for name, _ in model.named_modules()] == ["", "fc1", "fc2"]


def test_children_and_modules():
    model = SimpleNN()
    assert list(model.children()) == [model.fc1, model.fc2]
    assert list(model.named_children()) == [("fc1", model.fc1), ("fc2", model.fc2)]
    assert list(model.modules()) == [model, model.fc1, model.fc2]
    seq = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), nn.Linear(3, 1))
    assert [name for name, _ in seq.named_modules()] == ["", "0", "0.0", "0.1", "1"]
    assert list(seq.children()) == [seq[0], seq[1]]


def test_reassigning_an_attribute_to_a_non_module_unregisters_it():
    model = SimpleNN()
    model.fc2 = None
    assert list(model.children()) == [model.fc1]
    assert [name for name, _ in model.named_parameters()] == ["fc1.weight", "fc1.bias"]
    with pytest.raises(TypeError, match=r"cannot assign 'torch.DoubleTensor' as parameter 'bias'"):
        model.fc1.bias = torch.tensor([0.0, 0.0, 0.0, 0.0])  # a plain tensor is no parameter: PyTorch refuses
    model.fc1.bias = None  # a slot for a parameter, left empty
    assert [name for name, _ in model.named_parameters()] == ["fc1.weight"]
    del model.fc1
    assert list(model.parameters()) == []
    assert list(model.modules()) == [model]


def test_assigning_a_layer_before_super_init_says_to_call_it():
    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 1)
            super().__init__()

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)") as e:
        Early()
    assert "'fc'" in str(e.value)

    class EarlyParameter(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.tensor([1.0]))

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        EarlyParameter()


def test_a_module_without_forward_says_so_when_called():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match=r'Module \[NoForward\] is missing the required "forward"'):
        NoForward()(torch.tensor([1.0]))


# ---- gradients and modes ----------------------------------------------------------------------


def _backprop_once(model):
    X = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    model(X).sum().backward()


def test_zero_grad_sets_to_none_or_zeros(backend):
    model = SimpleNN()
    _backprop_once(model)
    assert all(p.grad is not None and any(flat(p.grad.tolist())) for p in model.parameters())
    model.zero_grad(set_to_none=False)
    for p in model.parameters():
        assert p.grad is not None and p.grad.shape == p.shape
        assert flat(p.grad.tolist()) == [0.0] * p.numel()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.zero_grad(set_to_none=False)  # nothing to zero: stays None
    assert all(p.grad is None for p in model.parameters())


def test_train_and_eval_set_the_flag_on_every_module():
    model = nn.Sequential(SimpleNN(), nn.Sequential(nn.ReLU()))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert len(list(model.modules())) == 6
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    model.train(False)
    assert not any(m.training for m in model.modules())


# ---- printing ---------------------------------------------------------------------------------


def test_repr_of_the_tutorial_model_is_pytorchs():
    assert repr(SimpleNN()) == (
        "SimpleNN(\n"
        "  (fc1): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (fc2): Linear(in_features=4, out_features=1, bias=True)\n"
        ")"
    )


def test_repr_of_sequentials_is_pytorchs():
    seq = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1, bias=False), nn.Sigmoid())
    assert repr(seq) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (1): Tanh()\n"
        "  (2): Linear(in_features=4, out_features=1, bias=False)\n"
        "  (3): Sigmoid()\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), nn.Linear(3, 1))
    assert repr(nested) == (
        "Sequential(\n"
        "  (0): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): ReLU()\n"
        "  )\n"
        "  (1): Linear(in_features=3, out_features=1, bias=True)\n"
        ")"
    )
    assert repr(nn.BCELoss()) == "BCELoss()"


def test_parameter_repr(backend):
    assert repr(nn.Parameter(torch.tensor([0.5, -0.5]))) == (
        "Parameter containing:\ntensor([ 0.5000, -0.5000], requires_grad=True)"
    )
    assert repr(nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))) == (
        "Parameter containing:\ntensor([[1., 2.],\n        [3., 4.]], requires_grad=True)"
    )
    with pytest.raises(TypeError, match="Parameter wraps a tensor, got list"):
        nn.Parameter([1.0, 2.0])


# ---- state_dict and load_state_dict ----------------------------------------------------------


def test_state_dict_keys_and_it_is_a_copy(backend):
    model = SimpleNN()
    sd = model.state_dict()
    assert list(sd) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert sd["fc1.weight"].tolist() == model.fc1.weight.tolist()
    assert not sd["fc1.weight"].requires_grad
    before = model.fc1.weight.tolist()
    sd["fc1.weight"].copy_([[9.0, 9.0]] * 4)
    assert model.fc1.weight.tolist() == before
    with torch.no_grad():
        model.fc2.bias.copy_([5.0])
    assert sd["fc2.bias"].tolist() != [5.0]


def test_load_state_dict_takes_tensors_or_nested_lists_in_place(backend):
    torch.manual_seed(1)
    source = SimpleNN()
    torch.manual_seed(2)
    model = SimpleNN()
    params = list(model.parameters())
    assert model.fc1.weight.tolist() != source.fc1.weight.tolist()
    model.load_state_dict(source.state_dict())
    assert [p.tolist() for p in model.parameters()] == [p.tolist() for p in source.parameters()]
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]

    lists = {
        "fc1.weight": [[1, 2], [3, 4], [5, 6], [7, 8]],
        "fc1.bias": [0.5, 0.25, 0.0, -1],
        "fc2.weight": [[1.0, -1.0, 2.0, -2.0]],
        "fc2.bias": [3.0],
    }
    model.load_state_dict(lists)
    assert {k: v.tolist() for k, v in model.state_dict().items()} == {
        k: [[float(x) for x in row] if isinstance(row, list) else float(row) for row in v]
        for k, v in lists.items()
    }
    assert all(p.requires_grad and p.backend == backend for p in model.parameters())


def test_load_state_dict_across_backends():
    source = SimpleNN()
    model = nn.Sequential()
    model.fc1, model.fc2 = nn.Linear(2, 4, backend="numpy"), nn.Linear(4, 1, backend="numpy")
    model.load_state_dict(source.state_dict())
    assert model.fc2.weight.backend == "numpy"
    assert model.fc2.weight.tolist() == source.fc2.weight.tolist()


def test_load_state_dict_names_missing_and_unexpected_keys_and_size_mismatches(backend):
    model = SimpleNN()
    before = [p.tolist() for p in model.parameters()]
    sd = {k: v.tolist() for k, v in model.state_dict().items()}
    del sd["fc2.bias"]
    sd["fc3.weight"] = [[1.0]]
    sd["fc1.weight"] = [[1.0, 2.0, 3.0]] * 4
    with pytest.raises(RuntimeError) as e:
        model.load_state_dict(sd)
    message = str(e.value)
    assert message.startswith("Error(s) in loading state_dict for SimpleNN")
    assert "Missing key(s) in state_dict: fc2.bias" in message
    assert "Unexpected key(s) in state_dict: fc3.weight" in message
    assert (
        "size mismatch for fc1.weight: copying a param with shape torch.Size([4, 3]) from checkpoint"
        in message
    )
    assert [p.tolist() for p in model.parameters()] == before  # nothing was loaded

    with pytest.raises(RuntimeError, match="fc1.bias: ragged nested list"):
        model.load_state_dict({**model.state_dict(), "fc1.bias": [[1.0], [2.0, 3.0]]})


def test_load_state_dict_not_strict_allows_missing_and_extra_keys_but_not_wrong_sizes():
    model = SimpleNN()
    result = model.load_state_dict({"fc2.bias": [7.0], "other": [1.0]}, strict=False)
    assert model.fc2.bias.tolist() == [7.0]
    assert result.missing_keys == ["fc1.weight", "fc1.bias", "fc2.weight"] and result.unexpected_keys == [
        "other"
    ]
    with pytest.raises(RuntimeError, match="size mismatch for fc2.bias"):
        model.load_state_dict({"fc2.bias": [7.0, 8.0]}, strict=False)


# ---- Linear --------------------------------------------------------------------------------


def test_linear_layout_and_forward(backend):
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    layer.load_state_dict({"weight": [[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]], "bias": [0.5, -0.5]})
    x = torch.tensor([[1.0, 1.0, 1.0], [2.0, 0.0, -2.0]])
    out = layer(x)
    assert out.shape == (2, 2)
    assert out.tolist() == [[6.5, -1.0], [-3.5, -3.5]]
    assert layer(torch.tensor([1.0, 1.0, 1.0])).tolist() == [6.5, -1.0]
    assert layer(torch.ones(4, 5, 3)).shape == (4, 5, 2)
    assert F.linear(x, layer.weight, layer.bias).tolist() == out.tolist()
    assert F.linear(x, layer.weight).tolist() == [[6.0, -0.5], [-4.0, -3.0]]


def test_linear_without_bias(backend):
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"
    layer.load_state_dict({"weight": [[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]})
    assert layer(torch.tensor([1.0, 1.0, 1.0])).tolist() == [6.0, 1.0]


def test_linear_initialisation_is_uniform_within_one_over_sqrt_in_features(backend):
    torch.manual_seed(0)
    in_features = 100
    layer = nn.Linear(in_features, 200)
    bound = 1 / math.sqrt(in_features)
    weights, biases = flat(layer.weight.tolist()), layer.bias.tolist()
    assert all(-bound <= w <= bound for w in weights + biases)
    mean = sum(weights) / len(weights)
    variance = sum((w - mean) ** 2 for w in weights) / len(weights)
    assert abs(mean) < 0.02 * bound
    assert variance == pytest.approx(bound**2 / 3, rel=0.03)  # the variance of U(-b, b)
    counts = [0] * 10  # and flat: each tenth of [-b, b] holds about a tenth of the weights
    for w in weights:
        counts[min(int((w + bound) / (2 * bound) * 10), 9)] += 1
    assert all(abs(c - len(weights) / 10) < 0.1 * len(weights) / 10 for c in counts)
    assert max(weights) > 0.99 * bound and min(weights) < -0.99 * bound
    assert all(-bound <= b <= bound for b in biases) and len(set(biases)) == 200


def test_the_same_seed_gives_the_same_weights_on_both_backends():
    torch.manual_seed(7)
    a = nn.Linear(3, 4, backend="python")
    torch.manual_seed(7)
    b = nn.Linear(3, 4, backend="numpy")
    c = nn.Linear(3, 4, backend="numpy")
    assert (a.weight.backend, b.weight.backend) == ("python", "numpy")
    assert a.weight.tolist() == b.weight.tolist() and a.bias.tolist() == b.bias.tolist()
    assert c.weight.tolist() != b.weight.tolist()


@pytest.mark.parametrize(
    "sizes, name",
    [
        ((0, 2), "in_features"),
        ((2, 0), "out_features"),
        ((-1, 2), "in_features"),
        ((2.0, 3), "in_features"),
        ((True, 2), "in_features"),
        (("2", 3), "in_features"),
        ((3, 1.5), "out_features"),
    ],
)
def test_linear_rejects_bad_sizes(sizes, name):
    """As PyTorch: a size of the wrong type is a TypeError, a negative one a RuntimeError; and a
    size of 0 (which PyTorch takes) is refused too; each names the setting and the value."""
    bad = sizes[name == "out_features"]
    error = ValueError if bad == 0 else RuntimeError if isinstance(bad, int) and bad < 0 else TypeError
    with pytest.raises(error, match=f"Linear: {name} must be a whole number"):
        nn.Linear(*sizes)


def test_linear_names_the_shapes_when_the_input_does_not_fit(backend):
    layer = nn.Linear(3, 2)
    with pytest.raises(
        RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)"
    ) as e:
        layer(torch.zeros(4, 5))
    assert "input of shape (4, 5) does not fit a weight of shape (2, 3)" in str(e.value) and "= 3" in str(
        e.value
    )
    with pytest.raises(RuntimeError, match=r"input of shape \(\)"):
        layer(torch.tensor(1.0))


# ---- activations and Sequential ---------------------------------------------------------------


def test_activation_modules_and_functions(backend):
    x = torch.tensor([-2.0, 0.0, 0.5])
    expected = {
        nn.Sigmoid: [1 / (1 + math.exp(2.0)), 0.5, 1 / (1 + math.exp(-0.5))],
        nn.ReLU: [0.0, 0.0, 0.5],
        nn.Tanh: [math.tanh(-2.0), 0.0, math.tanh(0.5)],
    }
    functions = {nn.Sigmoid: F.sigmoid, nn.ReLU: F.relu, nn.Tanh: F.tanh}
    for cls, values in expected.items():
        assert cls()(x).tolist() == pytest.approx(values, rel=1e-15, abs=1e-15)
        assert functions[cls](x).tolist() == pytest.approx(values, rel=1e-15, abs=1e-15)
        assert repr(cls()) == f"{cls.__name__}()"
        assert list(cls().parameters()) == []


def test_sequential_indexing_len_iteration_and_forward(backend):
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and len(nn.Sequential()) == 0
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    assert list(seq) == layers
    x = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
    assert seq(x).tolist() == layers[2](layers[1](layers[0](x))).tolist()
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(TypeError, match="Sequential takes modules, argument 1 is int 3"):
        nn.Sequential(nn.ReLU(), 3)


# ---- losses: values ----------------------------------------------------------------------------


def test_bce_loss_values_and_reductions(backend):
    p, y = torch.tensor([0.8, 0.3, 0.5]), torch.tensor([1.0, 0.0, 1.0])
    each = [-math.log(0.8), -math.log(0.7), -math.log(0.5)]
    assert nn.BCELoss(reduction="none")(p, y).tolist() == pytest.approx(each, rel=1e-14)
    assert nn.BCELoss(reduction="sum")(p, y).item() == pytest.approx(sum(each), rel=1e-14)
    assert nn.BCELoss()(p, y).item() == pytest.approx(sum(each) / 3, rel=1e-14)
    assert F.binary_cross_entropy(p, y).item() == pytest.approx(sum(each) / 3, rel=1e-14)
    assert nn.BCELoss()(p, torch.tensor([1.0, 0.0, 1.0])).item() == pytest.approx(sum(each) / 3, rel=1e-14)


def test_bce_loss_at_exactly_zero_and_one_is_clamped_at_100(backend):
    p = torch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])
    loss = nn.BCELoss(reduction="none")(p, y)
    assert loss.tolist() == pytest.approx([100.0, 100.0, 0.0, 0.0], rel=1e-12)
    total = nn.BCELoss()(p, y)
    assert total.item() == pytest.approx(50.0, rel=1e-12)
    total.backward()
    assert all(math.isfinite(g) for g in p.grad.tolist())


def test_bce_with_logits_values_and_stability(backend):
    x, y = torch.tensor([0.0, 2.0, -1.0]), torch.tensor([1.0, 0.0, 1.0])
    each = [math.log(2.0), math.log(1 + math.exp(2.0)), math.log(1 + math.e)]
    assert nn.BCEWithLogitsLoss(reduction="none")(x, y).tolist() == pytest.approx(each, rel=1e-14)
    assert nn.BCEWithLogitsLoss()(x, y).item() == pytest.approx(sum(each) / 3, rel=1e-14)
    assert nn.BCEWithLogitsLoss(reduction="sum")(x, y).item() == pytest.approx(sum(each), rel=1e-14)
    big = nn.BCEWithLogitsLoss(reduction="none")(torch.tensor([1000.0, -1000.0]), torch.tensor([0.0, 0.0]))
    assert big.tolist() == [1000.0, 0.0]
    logits = torch.tensor([0.3, -1.2])
    assert F.binary_cross_entropy_with_logits(logits, torch.tensor([1.0, 0.0])).item() == pytest.approx(
        F.binary_cross_entropy(logits.sigmoid(), torch.tensor([1.0, 0.0])).item(), rel=1e-14
    )


def test_bce_with_logits_gradient_is_sigmoid_minus_target_even_at_zero(backend):
    x = torch.tensor([0.0, 0.0, 1.5, -2.0], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0, 0.0])
    nn.BCEWithLogitsLoss(reduction="sum")(x, y).backward()
    expected = [0.5, -0.5, 1 / (1 + math.exp(-1.5)) - 1, 1 / (1 + math.exp(2.0))]
    assert x.grad.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_mse_loss_values_and_reductions(backend):
    a, b = torch.tensor([[1.0, 2.0, 3.0]]), torch.tensor([[1.0, 0.0, 5.0]])
    assert nn.MSELoss(reduction="none")(a, b).tolist() == [[0.0, 4.0, 4.0]]
    assert nn.MSELoss(reduction="sum")(a, b).item() == 8.0
    assert nn.MSELoss()(a, b).item() == pytest.approx(8 / 3, rel=1e-15)
    assert F.mse_loss(a, b).item() == pytest.approx(8 / 3, rel=1e-15)


def test_cross_entropy_values_and_reductions(backend):
    scores = [[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]
    target = [0, 2]
    each = [-row[k] + math.log(sum(math.exp(s) for s in row)) for row, k in zip(scores, target, strict=True)]
    x = torch.tensor(scores)
    assert nn.CrossEntropyLoss(reduction="none")(x, target).tolist() == pytest.approx(each, rel=1e-14)
    assert nn.CrossEntropyLoss(reduction="sum")(x, target).item() == pytest.approx(sum(each), rel=1e-14)
    mean = nn.CrossEntropyLoss()(x, torch.tensor([0, 2])).item()
    assert mean == pytest.approx(0.7869851243147051, rel=1e-14)  # PyTorch's number
    assert F.cross_entropy(x, target).item() == pytest.approx(sum(each) / 2, rel=1e-14)
    huge = F.cross_entropy(torch.tensor([[1000.0, 0.0]]), [1]).item()
    assert huge == pytest.approx(1000.0, rel=1e-14)


# ---- losses: errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [nn.BCELoss, nn.BCEWithLogitsLoss, nn.MSELoss, nn.CrossEntropyLoss])
def test_a_bad_reduction_is_refused_when_the_loss_is_made(loss):
    with pytest.raises(
        ValueError, match=f"^avg is not a valid value for reduction: {loss.__name__}: .*'avg'"
    ):
        loss(reduction="avg")


@pytest.mark.parametrize(
    "f", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.mse_loss, F.cross_entropy]
)
def test_a_bad_reduction_is_refused_by_the_functions(f):
    with pytest.raises(ValueError, match="^avg is not a valid value for reduction"):
        f(
            torch.tensor([[0.5, 0.5]]),
            torch.tensor([[0.0, 1.0]]) if f is not F.cross_entropy else [0],
            reduction="avg",
        )


@pytest.mark.parametrize("loss", [nn.BCELoss, nn.BCEWithLogitsLoss, nn.MSELoss])
def test_a_target_of_another_shape_names_both_shapes(loss, backend):
    with pytest.raises(ValueError, match=r"target shape \(4, 1\) differs from input shape \(4,\)"):
        loss()(torch.tensor([0.5, 0.5, 0.5, 0.5]), torch.tensor([[1.0], [0.0], [1.0], [0.0]]))


def test_bce_loss_refuses_a_number_outside_zero_to_one(backend):
    for bad in (1.5, -0.25):
        with pytest.raises(
            RuntimeError, match="^all elements of input should be between 0 and 1.*sigmoid.*BCEWithLogitsLoss"
        ) as e:
            nn.BCELoss()(torch.tensor([0.5, bad]), torch.tensor([1.0, 0.0]))
        assert repr(bad) in str(e.value)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.BCELoss()(torch.tensor([float("nan")]), torch.tensor([1.0]))
    for bad in (2.0, -1.0, float("nan")):  # the target too, as PyTorch checks it
        with pytest.raises(
            RuntimeError, match="^all elements of target should be between 0 and 1.*labels 0 and 1"
        ):
            nn.BCELoss()(torch.tensor([0.5, 0.5]), torch.tensor([0.0, bad]))


@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss", "CrossEntropyLoss", "BCELoss", "NLLLoss"])
def test_a_loss_class_called_with_the_tensors_says_to_make_it_first(loss):
    """nn.MSELoss(output, target): the tensors land in size_average and reduce (PyTorch's error)."""
    output, target = torch.ones(3, 2), torch.zeros(3, 2)
    with pytest.raises(RuntimeError, match=rf"ambiguous: {loss} got a tensor.*criterion = nn.{loss}\(\)"):
        getattr(nn, loss)(output, target)


@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "Tanh"])
def test_an_activation_given_a_list_says_it_takes_a_tensor(name, backend):
    for given in ([1.0, -1.0], 1.0):
        with pytest.raises(
            TypeError, match=rf"^{name.lower()}\(\): argument 'input' \(position 1\) must be Tensor, not"
        ):
            getattr(nn, name)()(given)
        with pytest.raises(TypeError, match="must be Tensor"):
            getattr(F, name.lower())(given)


def test_cross_entropy_refuses_a_bad_class_index(backend):
    x = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
    for bad in (3, -1):
        with pytest.raises(IndexError, match=f"^Target {bad} is out of bounds. The classes are 0 .. 2"):
            F.cross_entropy(x, [0, bad])
    with pytest.raises(
        RuntimeError, match="^expected target dtype to be Long or Byte, but got Double.*y.long()"
    ):
        F.cross_entropy(x, [0, 1.5])
    with pytest.raises(
        ValueError, match=r"^Expected input batch_size \(2\) to match target batch_size \(3\)"
    ):
        F.cross_entropy(x, [0, 1, 2])
    with pytest.raises(ValueError, match=r"^Expected 1 or more dimensions \(got 0\)"):
        F.cross_entropy(torch.tensor(1.0), [0])


def test_cross_entropy_refuses_a_column_of_class_indices(backend):
    x = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
    with pytest.raises(RuntimeError, match=r"^0D or 1D target tensor expected.*reshape\(-1\)"):
        F.cross_entropy(x, torch.tensor([[0], [2]]))


# ---- losses: gradients against central differences ---------------------------------------------

GRADIENT_CASES = {
    "BCELoss": (nn.BCELoss, (3, 2), [0.2, 0.7, 0.9, 0.4, 0.55, 0.05], [1, 0, 1, 1, 0, 0]),
    "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss, (2, 3), [0.3, -1.2, 2.5, -0.4, 0.0, 1.1], [1, 0, 1, 1, 0, 0]),
    "MSELoss": (nn.MSELoss, (6,), [0.3, -1.2, 2.5, -0.4, 0.0, 1.1], [1, 0, 2, -1, 0.5, 0]),
    "CrossEntropyLoss": (nn.CrossEntropyLoss, (2, 3), [0.3, -1.2, 2.5, -0.4, 0.0, 1.1], [2, 0]),
}


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_loss_gradients_match_central_differences(case, reduction, backend):
    cls, shape, xs, ys = GRADIENT_CASES[case]
    criterion = cls(reduction=reduction)
    target = ys if cls is nn.CrossEntropyLoss else torch.tensor([float(v) for v in ys]).reshape(shape)

    def loss_of(values):
        return criterion(torch.tensor(values).reshape(shape), target)

    x = torch.tensor(xs, requires_grad=True)
    criterion(x.reshape(shape), target).backward()
    expected = central_differences(lambda v: loss_of(v).item(), xs)
    assert x.grad.tolist() == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_a_slice_of_a_sequential_is_a_sequential_and_a_bad_index_says_how_many():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    with pytest.raises(IndexError, match="index 3 is out of range for a Sequential of 3 modules"):
        model[3]


def test_a_module_assigned_twice_is_one_child():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(1, 1)
            self.b = self.a

    assert len(list(Twice().children())) == 1


def test_losses_print_as_pytorch_prints_them():
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss()"


def test_bce_at_probabilities_of_exactly_0_and_1_differentiates_its_clamped_logs(backend):
    """A difference from PyTorch, on purpose: there PyTorch's gradient is (p - y) / max(p (1 - p), 1e-12),
    about ±1e12; ours is the derivative of the loss it computes, each log clamped at -100."""
    p = torch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True, backend=backend)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0], backend=backend)
    loss = nn.BCELoss(reduction="sum")(p, y)
    loss.backward()
    assert loss.item() == 200.0  # two logs of 0, each clamped at -100
    assert p.grad.tolist() == [0.0, 0.0, 1.0, -1.0]


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_is_one_addmm_op_that_equals_its_composition(backend, shape, bias):
    torch.manual_seed(3)
    layer = nn.Linear(3, 2, bias=bias)
    x = torch.randn(*shape, requires_grad=True)
    tensors = [x, *layer.parameters()]

    def numbers_and_gradients(out):
        for t in tensors:
            t.grad = None
        (out * out).sum().backward()
        return [out.flatten().tolist()] + [t.grad.flatten().tolist() for t in tensors]

    fused = layer(x)
    assert fused.shape == shape[:-1] + (2,)
    if len(shape) == 2:
        assert fused.grad_fn.name() == ("AddmmBackward0" if bias else "MmBackward0")
    rows = x.reshape(-1, 3) if len(shape) > 2 else x  # matmul is 1-d and 2-d only
    composed = (rows @ layer.weight.T + (layer.bias if bias else 0.0)).reshape(*fused.shape)
    for a, b in zip(numbers_and_gradients(fused), numbers_and_gradients(composed)):
        assert a == pytest.approx(b, rel=1e-12)


def test_linear_says_when_a_bias_does_not_fit():
    with pytest.raises(RuntimeError, match=r"a bias of shape \(3,\) does not fit a weight of shape \(2, 3\)"):
        F.linear(torch.ones(1, 3), torch.ones(2, 3), torch.ones(3))


def test_layer_norm_names_the_shape_it_expected(backend):
    with pytest.raises(
        RuntimeError, match=r"normalized_shape=\[3\], expected input with shape \[\*, 3\].*\[2, 4\]"
    ):
        nn.LayerNorm(3)(torch.ones(2, 4))
    with pytest.raises(TypeError, match="normalized_shape must be a whole number"):
        nn.LayerNorm(2.5)
    out = F.layer_norm(torch.tensor([[1.0, 3.0]]), (2,))
    assert [round(v, 4) for v in out.tolist()[0]] == [-1.0, 1.0]
