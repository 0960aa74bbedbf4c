"""nn layers against independent references: convolution and pooling written as plain loops
over floats, central differences, and the other backend, for many shapes (hypothesis); a tiny
convolution drawn at scalar level; Dropout's masks; values at the domain's edges (inf, nan,
±0) giving the same numbers and gradients on both backends.

PyTorch's own numbers for fixed cases are in test_nn_torch_fixtures.py.
"""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import micrograd_edu as torch
from micrograd_edu import nn
from micrograd_edu.nn import functional as F
from micrograd_edu.viz import trace


def flat(nested):
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [nested]


def numbers(n, seed):
    """n numbers in [-2, 2], multiples of 1/64 (exact, with some ties)."""
    state = seed * 7919 + 17
    out = []
    for _ in range(n):
        state = (state * 1103515245 + 12345) % 2**31
        out.append((state % 257 - 128) / 64)
    return out


def tensor_of(shape, seed, backend, requires_grad=True):
    count = math.prod(shape)
    return (
        torch.tensor(numbers(count, seed), backend=backend)
        .reshape(shape)
        .detach()
        .requires_grad_(requires_grad)
    )


# ---- the references: the definitions, as loops over floats ---------------------------------------------


def at(x, n, c, i, j, fill):
    """x[n][c][i][j], or `fill` outside the image (padding)."""
    if 0 <= i < len(x[n][c]) and 0 <= j < len(x[n][c][0]):
        return x[n][c][i][j]
    return fill


def conv_reference(x, w, b, stride, padding, dilation, groups):
    """out[n][o][i][j] = b[o] + Σ_c Σ_ki Σ_kj x[n][g + c][i s + ki d - p][j s + kj d - p] w[o][c][ki][kj],
    g the first channel of o's group."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n_, c_, h, w_ = len(x), len(x[0]), len(x[0][0]), len(x[0][0][0])
    o_, cg, kh, kw = len(w), len(w[0]), len(w[0][0]), len(w[0][0][0])
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w_ + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = []
    for n in range(n_):
        planes = []
        for o in range(o_):
            first = (o // (o_ // groups)) * cg
            plane = []
            for i in range(oh):
                row = []
                for j in range(ow):
                    total = sum(
                        at(x, n, first + c, i * sh + ki * dh - ph, j * sw + kj * dw - pw, 0.0)
                        * w[o][c][ki][kj]
                        for c in range(cg)
                        for ki in range(kh)
                        for kj in range(kw)
                    )
                    row.append(total + (b[o] if b is not None else 0.0))
                plane.append(row)
            planes.append(plane)
        out.append(planes)
    assert c_ == cg * groups
    return out


def pool_reference(x, kernel, stride, padding, how):
    """Each window's max, or its mean over kernel height × width (padding counted, as by default)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    h, w = len(x[0][0]), len(x[0][0][0])
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    fill = -math.inf if how == "max" else 0.0
    out = []
    for n in range(len(x)):
        planes = []
        for c in range(len(x[0])):
            plane = []
            for i in range(oh):
                row = []
                for j in range(ow):
                    window = [
                        at(x, n, c, i * sh + ki - ph, j * sw + kj - pw, fill)
                        for ki in range(kh)
                        for kj in range(kw)
                    ]
                    row.append(max(window) if how == "max" else sum(window) / (kh * kw))
                plane.append(row)
            planes.append(plane)
        out.append(planes)
    return out


def central_differences(f, t, h=1e-6):
    """d f / d t[k] for each element k of t (not requiring grad), from (f(t + h) - f(t - h)) / 2h."""
    base = flat(t.tolist())
    grads = []
    for k in range(len(base)):
        up, down = list(base), list(base)
        up[k] += h
        down[k] -= h
        grads.append(
            (f(t.new_tensor(up).reshape(t.shape)) - f(t.new_tensor(down).reshape(t.shape))) / (2 * h)
        )
    return grads


conv_settings = st.fixed_dictionaries(
    {
        "n": st.integers(1, 2),
        "groups": st.integers(1, 2),
        "per_group_in": st.integers(1, 2),
        "per_group_out": st.integers(1, 2),
        "h": st.integers(1, 6),
        "w": st.integers(1, 6),
        "kernel": st.tuples(st.integers(1, 3), st.integers(1, 3)),
        "stride": st.tuples(st.integers(1, 2), st.integers(1, 2)),
        "padding": st.tuples(st.integers(0, 2), st.integers(0, 2)),
        "dilation": st.tuples(st.integers(1, 2), st.integers(1, 2)),
        "bias": st.booleans(),
        "seed": st.integers(0, 1000),
    }
)


def conv_case(s, backend):
    cin, cout = s["groups"] * s["per_group_in"], s["groups"] * s["per_group_out"]
    (kh, kw), (ph, pw), (dh, dw) = s["kernel"], s["padding"], s["dilation"]
    assume(s["h"] + 2 * ph >= dh * (kh - 1) + 1 and s["w"] + 2 * pw >= dw * (kw - 1) + 1)
    x = tensor_of((s["n"], cin, s["h"], s["w"]), s["seed"], backend)
    weight = tensor_of((cout, s["per_group_in"], kh, kw), s["seed"] + 1, backend)
    bias = tensor_of((cout,), s["seed"] + 2, backend) if s["bias"] else None
    return x, weight, bias


@settings(max_examples=60)
@given(s=conv_settings)
def test_conv2d_is_its_definition_on_both_backends(s):
    """Every output element is bias + Σ input × kernel over its window (a loop over floats), and
    the two backends give the same numbers and gradients."""
    results = {}
    for backend in ("python", "numpy"):
        x, weight, bias = conv_case(s, backend)
        out = F.conv2d(x, weight, bias, s["stride"], s["padding"], s["dilation"], s["groups"])
        (out * out.new_tensor(numbers(out.numel(), 5)).reshape(out.shape)).sum().backward()
        grads = [t.grad.tolist() for t in (x, weight, bias) if t is not None]
        results[backend] = out.tolist(), grads
        expected = conv_reference(
            x.tolist(),
            weight.tolist(),
            None if bias is None else bias.tolist(),
            s["stride"],
            s["padding"],
            s["dilation"],
            s["groups"],
        )
        assert flat(out.tolist()) == pytest.approx(flat(expected), rel=1e-12, abs=1e-12)
    (out_p, grads_p), (out_n, grads_n) = results["python"], results["numpy"]
    assert flat(out_p) == pytest.approx(flat(out_n), rel=1e-12, abs=1e-12)
    for gp, gn in zip(grads_p, grads_n, strict=True):
        assert flat(gp) == pytest.approx(flat(gn), rel=1e-12, abs=1e-12)


@settings(max_examples=15)
@given(s=conv_settings)
def test_conv2d_gradients_are_central_differences(s):
    x, weight, bias = conv_case(s, "numpy")
    args = (s["stride"], s["padding"], s["dilation"], s["groups"])
    out = F.conv2d(x, weight, bias, *args)
    g = out.new_tensor(numbers(out.numel(), 3)).reshape(out.shape)
    (out * g).sum().backward()

    def loss(x_=None, w_=None):
        return (
            (
                F.conv2d(x.detach() if x_ is None else x_, weight.detach() if w_ is None else w_, bias, *args)
                * g
            )
            .sum()
            .item()
        )

    assert flat(x.grad.tolist()) == pytest.approx(
        central_differences(lambda t: loss(x_=t), x.detach()), abs=1e-6
    )
    assert flat(weight.grad.tolist()) == pytest.approx(
        central_differences(lambda t: loss(w_=t), weight.detach()), abs=1e-6
    )


pool_settings = st.fixed_dictionaries(
    {
        "n": st.integers(1, 2),
        "c": st.integers(1, 2),
        "h": st.integers(1, 6),
        "w": st.integers(1, 6),
        "kernel": st.tuples(st.integers(1, 3), st.integers(1, 3)),
        "stride": st.tuples(st.integers(1, 3), st.integers(1, 3)),
        "padding": st.tuples(st.integers(0, 1), st.integers(0, 1)),
        "seed": st.integers(0, 1000),
        "how": st.sampled_from(["max", "avg"]),
    }
)


@settings(max_examples=80)
@given(s=pool_settings)
def test_pooling_is_its_definition_on_both_backends(s):
    (kh, kw), (ph, pw) = s["kernel"], s["padding"]
    assume(2 * ph <= kh and 2 * pw <= kw and s["h"] + 2 * ph >= kh and s["w"] + 2 * pw >= kw)
    results = {}
    for backend in ("python", "numpy"):
        x = tensor_of((s["n"], s["c"], s["h"], s["w"]), s["seed"], backend)
        pool = F.max_pool2d if s["how"] == "max" else F.avg_pool2d
        out = pool(x, s["kernel"], s["stride"], s["padding"])
        (out * out.new_tensor(numbers(out.numel(), 9)).reshape(out.shape)).sum().backward()
        expected = pool_reference(x.tolist(), s["kernel"], s["stride"], s["padding"], s["how"])
        assert flat(out.tolist()) == pytest.approx(flat(expected), rel=1e-12, abs=1e-12)
        results[backend] = out.tolist(), x.grad.tolist()
    assert results["python"] == results["numpy"] or (
        flat(results["python"][1]) == pytest.approx(flat(results["numpy"][1]), rel=1e-12, abs=1e-12)
    )
    if s["how"] == "max":  # each window's gradient goes to one element, the first of its largest
        grads = flat(results["numpy"][1])
        assert sum(g != 0 for g in grads) <= len(flat(results["numpy"][0]))


def test_max_pool_gradient_goes_to_the_first_of_tied_maxima_and_nan_wins(backend):
    x = torch.tensor([[[[1.0, 1.0], [1.0, 1.0]]], [[[2.0, math.nan], [math.nan, 5.0]]]], requires_grad=True)
    out = F.max_pool2d(x, 2)
    out.sum().backward()
    assert out.reshape(-1).tolist()[0] == 1.0 and math.isnan(out.reshape(-1).tolist()[1])
    # PyTorch sends a window's gradient to its last nan; both backends here to its first (see README)
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]], [[[0.0, 1.0], [0.0, 0.0]]]]


# ---- drawing a convolution at scalar level -------------------------------------------------------------


def test_a_tiny_conv2d_draws_at_scalar_level_each_output_a_sum_of_products():
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 1, 2, backend="python")
    x = torch.tensor([[[[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]]]], backend="python", requires_grad=True)
    y = conv(x)
    assert y.shape == (1, 1, 1, 2)
    weights = {id(v) for v in conv.weight.elements()}
    inputs = {id(v) for v in x.elements()}
    for out in y.elements():  # bias + (((w x + w x) + w x) + w x)
        assert out._op == "+" and out._prev[1] is conv.bias.elements()[0]
        products, stack = [], [out._prev[0]]
        while stack:
            v = stack.pop()
            if v._op == "+":
                stack.extend(v._prev)
            else:
                products.append(v)
        assert len(products) == 4 and all(p._op == "*" for p in products)
        assert all({id(a) for a in p._prev} <= weights | inputs for p in products)
        assert all(len({id(a) for a in p._prev} & weights) == 1 for p in products)
    graph = trace(y, level="scalar", model=conv, names={"x": x})
    titles = [node.title for node in graph.nodes]
    assert titles.count("*") == 8 and "weight[0, 0, 1, 1]" in titles and "bias[0]" in titles
    assert "x[0, 0, 1, 2]" in titles
    y.sum().backward()  # and the gradient arrives at every Value
    assert conv.weight.grad.tolist() == [[[[3.0, 2.0], [-0.5, 2.0]]]]  # Σ over the two windows
    assert conv.bias.grad.tolist() == [2.0]


# ---- Dropout ------------------------------------------------------------------------------------------


def test_dropout_zeroes_about_p_and_scales_the_rest_in_training(backend):
    torch.manual_seed(1)
    x = torch.ones(40, 50, requires_grad=True)
    layer = nn.Dropout(0.3)
    out = layer(x)
    kept = [v for v in flat(out.tolist()) if v != 0.0]
    assert all(v == pytest.approx(1 / 0.7, rel=1e-15) for v in kept)
    assert abs(1 - len(kept) / 2000 - 0.3) < 0.04
    out.sum().backward()
    assert flat(x.grad.tolist()) == flat(out.tolist())  # the gradient is the mask / (1 - p)
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.3, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_drops_the_same_elements_on_both_backends():
    masks = []
    for backend in ("python", "numpy"):
        torch.manual_seed(5)
        masks.append(F.dropout(torch.ones(6, 7, backend=backend), 0.5).tolist())
    assert masks[0] == masks[1]
    torch.manual_seed(5)
    assert F.dropout(torch.ones(6, 7), 0.5).tolist() == masks[0]  # the seed decides the mask


def test_train_and_eval_switch_dropout_and_batchnorm_inside_a_model(backend):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    x = torch.randn(8, 3)
    model.train()
    a, b = model(x), model(x)
    assert a.tolist() != b.tolist()  # another mask each time
    assert model[1].num_batches_tracked.item() == 2
    model.eval()
    assert model(x).tolist() == model(x).tolist()
    assert model[1].num_batches_tracked.item() == 2  # eval mode leaves the statistics alone


# ---- the edges of the domain: the same on both backends ------------------------------------------------

EDGES = [-math.inf, -1000.0, -40.0, -1.0, -0.0, 0.0, 1.0, 40.0, 1000.0, math.inf, math.nan]
ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "softplus": F.softplus,
    "logsigmoid": F.logsigmoid,
    "hardtanh": F.hardtanh,
    "relu6": F.relu6,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
}


def outcome(f, values, backend):
    x = torch.tensor(values, requires_grad=True, backend=backend)
    try:
        y = f(x)
        y.sum().backward()
    except (ArithmeticError, ValueError) as e:
        return type(e).__name__
    return y.tolist(), x.grad.tolist()


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_at_the_edges_agree_on_both_backends(name):
    """inf, nan, ±0 and huge numbers: both backends give the same numbers and gradients (or the
    same error); and nothing overflows in a branch that is not taken."""
    f = ACTIVATIONS[name]
    python, numpy = outcome(f, EDGES, "python"), outcome(f, EDGES, "numpy")
    assert not isinstance(python, str) and not isinstance(numpy, str), (python, numpy)
    for ours, theirs in zip(python, numpy, strict=True):  # math's and numpy's tanh may differ in the last bit
        assert ours == pytest.approx(theirs, rel=1e-15, abs=1e-300, nan_ok=True)
    finite = [v for v in EDGES if math.isfinite(v)]
    values, grads = outcome(f, finite, "numpy")
    assert all(math.isfinite(v) for v in values + grads), (values, grads)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_classification_losses_at_huge_scores_stay_finite(loss, backend):
    scores = torch.tensor([[1000.0, -1000.0, 0.0], [-1e300, 0.0, 1e300]], requires_grad=True)
    f = getattr(F, loss)
    out = f(scores if loss == "cross_entropy" else F.log_softmax(scores, dim=1), torch.tensor([0, 2]))
    out.backward()
    assert math.isfinite(out.item()) and all(math.isfinite(g) for g in flat(scores.grad.tolist()))


def test_padding_idx_row_gets_no_gradient_on_the_python_backend_too(backend):
    torch.manual_seed(0)
    embed = nn.Embedding(4, 2, padding_idx=2)
    assert embed.weight[2].tolist() == [0.0, 0.0]
    with torch.no_grad():
        embed.weight[2] = torch.tensor([3.0, 4.0])  # the row may be set; it is still not trained
    out = embed(torch.tensor([[2, 1], [2, 2]]))
    assert out[0, 0].tolist() == [3.0, 4.0]
    out.sum().backward()
    assert embed.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
