"""torch.autograd's rules, on both backends: what is refused and what the error says, custom
Functions checked by gradcheck and drawn, grad mode per thread, storage shared as in PyTorch.
(PyTorch's numbers for the programs that work are in test_autograd_torch_fixtures.py.)"""

import threading

import pytest

import micrograd_edu as torch
from micrograd_edu import Value, nn, optim
from micrograd_edu.autograd import Function, gradcheck, gradgradcheck
from micrograd_edu.viz import trace


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x


def make_function(backward):
    class Custom(Function):
        @staticmethod
        def forward(ctx, x, k=1.0):
            return x * k

    Custom.backward = staticmethod(backward)
    return Custom


# ---- custom Functions ----------------------------------------------------------------------------


def test_a_custom_function_passes_gradcheck_and_gradgradcheck(backend):
    x = torch.tensor([[0.5, -1.2], [2.0, 0.1]], requires_grad=True)
    assert gradcheck(Square.apply, (x,))
    assert gradgradcheck(Square.apply, (x,))


def test_gradcheck_catches_a_wrong_backward_naming_the_element(backend):
    Wrong = make_function(lambda ctx, g: (g * 3, None))
    x = torch.tensor([0.5, 2.0], requires_grad=True)
    with pytest.raises(
        torch.GradcheckError, match=r"output 0\[0\] with respect to input 0\[0\]: backward gives 3"
    ):
        gradcheck(lambda t: Wrong.apply(t, 1.0), (x,))
    assert gradcheck(lambda t: Wrong.apply(t, 1.0), (x,), raise_exception=False) is False


@pytest.mark.parametrize(
    ("backward", "error", "says"),
    [
        (
            lambda ctx, g: g,
            RuntimeError,
            r"CustomBackward returned an incorrect number of gradients \(expected 2, got 1\)",
        ),
        (
            lambda ctx, g: (g, g),
            RuntimeError,
            r"gradient different than None at position 1.*was not a tensor",
        ),
        (
            lambda ctx, g: (g.sum(), None),
            RuntimeError,
            r"invalid gradient at index 0 - got \[\] but expected shape.*\[3\]",
        ),
        (lambda ctx, g: ([1.0, 2.0, 3.0], None), TypeError, r"returned list as the gradient of input 0"),
    ],
    ids=["count", "non-tensor", "shape", "kind"],
)
def test_a_wrong_backward_is_a_clear_error_naming_the_function_and_the_input(backward, error, says, backend):
    Custom = make_function(backward)
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(error, match=says):
        Custom.apply(x, 2.0).sum().backward()


def test_a_function_without_backward_says_so():
    class Half(Function):
        @staticmethod
        def forward(ctx, x):
            return x / 2

    y = Half.apply(torch.tensor([1.0], requires_grad=True))  # forward alone is fine, as in PyTorch
    with pytest.raises(NotImplementedError, match="Half has no backward"):
        y.sum().backward()


def test_save_for_backward_takes_tensors_only():
    class Keep(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x

    with pytest.raises(TypeError, match="save_for_backward takes tensors.*argument 1 is int.*ctx.k = 3"):
        Keep.apply(torch.tensor([1.0], requires_grad=True))


def test_an_output_marked_non_differentiable_gets_no_gradient(backend):
    class ArgmaxAndValue(Function):
        @staticmethod
        def forward(ctx, x):
            mask = (x == x.max()).float()
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(mask)
            return x.max() * 1.0, mask

        @staticmethod
        def backward(ctx, g_value, g_mask):
            (mask,) = ctx.saved_tensors
            return g_value * mask

    x = torch.tensor([1.0, 5.0, 2.0], requires_grad=True)
    value, mask = ArgmaxAndValue.apply(x)
    assert not mask.requires_grad and value.requires_grad
    value.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_a_function_changed_in_place_after_saving_makes_backward_refuse(backend):
    x = torch.tensor([1.0, 2.0])
    w = torch.tensor([0.5, 0.5], requires_grad=True)
    y = Square.apply(w * x)
    with torch.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_on_the_python_backend_a_functions_outputs_are_values_drawn_under_its_name():
    x = torch.tensor([0.5, -1.0], requires_grad=True, backend="python")
    y = Square.apply(x)
    assert all(isinstance(v, Value) for v in y.elements())
    titles = [node.title for node in trace(y.sum(), level="scalar").nodes]
    assert "Square" in " ".join(titles) and any(t.startswith("Square[") for t in titles)
    tensor_titles = [node.title for node in trace(y.sum(), level="tensor").nodes]
    assert any(t.startswith("Square") for t in tensor_titles)
    with pytest.raises(RuntimeError, match="whole tensors: call backward\\(\\) on a tensor"):
        y.elements()[0].backward()


# ---- in-place rules --------------------------------------------------------------------------------


def test_an_in_place_op_on_a_leaf_that_requires_grad_is_refused_while_recording(backend):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    for change in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.__setitem__(0, 3.0)):
        with pytest.raises(
            RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"
        ):
            change()
    with torch.no_grad():
        w -= 1
        w[1] = 7.0
    assert w.tolist() == [0.0, 7.0] and w.requires_grad and w.is_leaf


def test_an_optimizer_step_between_forward_and_backward_makes_backward_refuse(backend):
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.tensor([[1.0, 2.0]])).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*changed by add_\(\)"):
        loss.backward()


def test_changing_a_saved_output_in_place_is_refused_as_pytorch_does(backend):
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    y = x.tanh()  # tanh's backward reads its output
    y[0] = 2.0
    with pytest.raises(RuntimeError, match="needed by TanhBackward0"):
        y.sum().backward()


def test_in_place_on_a_tensor_already_used_or_viewed_while_recording_says_to_compute_a_new_one(backend):
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    y = x * 2
    z = y + 3  # uses y, saving nothing of it
    y += 1
    with pytest.raises(
        RuntimeError, match=r"AddBackward0 used was changed by add_\(\) afterwards.*y = y \+ 1"
    ):
        z.sum().backward()
    v = x * 2
    with torch.no_grad():
        _ = v.reshape(2, 1)
    with pytest.raises(RuntimeError, match="has views"):
        v.mul_(2)
    assert z.requires_grad


def test_writes_through_views_show_in_the_tensor_they_came_from(backend):
    t = torch.zeros(2, 3)
    t[1].fill_(2.0)
    t.T[0].add_(5)
    t.reshape(-1)[2] = 9.0
    assert t.tolist() == [[5.0, 0.0, 9.0], [7.0, 2.0, 2.0]]
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    w.detach().zero_()
    assert w.tolist() == [0.0, 0.0] and w._version == 1


def test_item_assignment_broadcasts_and_refuses_a_value_that_does_not_fit(backend):
    t = torch.zeros(2, 3)
    t[:, 1:] = torch.tensor([1.0, 2.0])
    assert t.tolist() == [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]
    with pytest.raises(
        RuntimeError, match=r"a value of shape \(3,\) cannot be written into a selection of shape \(2,\)"
    ):
        t[0, 1:] = torch.tensor([1.0, 2.0, 3.0])


def test_value_grad_none_means_no_gradient_yet():
    x = Value(2.0)
    x.grad = None
    (x * x).backward()
    assert x.grad == 4.0


# ---- hooks --------------------------------------------------------------------------------------------


def test_hooks_are_refused_where_pytorch_refuses_them(backend):
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        torch.tensor([1.0]).register_hook(lambda g: g)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"returned shape \(\) for a gradient of shape \(2,\)"):
        (x * 2).sum().backward()


def test_a_hook_on_a_python_backend_view_is_refused_with_a_reason():
    x = torch.tensor([1.0, 2.0], requires_grad=True, backend="python")
    with pytest.raises(RuntimeError, match="holds the very Values of its input"):
        (x * 2).reshape(2, 1).register_hook(lambda g: g)


# ---- grad() ---------------------------------------------------------------------------------------------


def test_grad_names_an_unused_input_and_an_output_without_grad(backend):
    x, u = torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"inputs\[1\] \(shape \(1,\)\) was not used.*allow_unused=True"):
        torch.autograd.grad((x * 2).sum(), [x, u])
    with pytest.raises(RuntimeError, match=r"outputs\[0\] does not require grad"):
        torch.autograd.grad(torch.tensor([1.0]).sum(), [x])
    with pytest.raises(RuntimeError, match=r"shape \(2,\) needs gradient="):
        torch.autograd.grad(x * u * torch.tensor([1.0, 2.0]), [x])


def test_grad_leaves_every_dot_grad_alone(backend):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None


# ---- grad mode per thread -----------------------------------------------------------------------


def test_no_grad_in_one_thread_does_not_stop_another_from_recording(backend):
    inside, done, results = threading.Event(), threading.Event(), {}

    def quiet():
        with torch.no_grad():
            inside.set()
            done.wait(5)
            results["quiet"] = torch.is_grad_enabled()

    thread = threading.Thread(target=quiet)
    thread.start()
    inside.wait(5)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    results["here"] = torch.is_grad_enabled()
    y.backward()
    done.set()
    thread.join()
    assert results == {"quiet": False, "here": True}
    assert x.grad.tolist() == [2.0, 4.0]


def test_two_threads_train_two_models_at_once(backend):
    def train(seed, out):
        torch.manual_seed(seed)
        model = nn.Linear(2, 1, backend=backend)
        opt = optim.SGD(model.parameters(), lr=0.1)
        X, y = (
            torch.tensor([[1.0, 2.0], [0.5, -1.0]], backend=backend),
            torch.tensor([[1.0], [0.0]], backend=backend),
        )
        for _ in range(30):
            loss = ((model(X) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model(X)
        out.append(loss.item())

    alone, together = [], []
    train(1, alone)
    threads = [threading.Thread(target=train, args=(1, together)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone * 2


def test_set_grad_enabled_and_inference_mode():
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)
    with torch.inference_mode():
        assert not (torch.tensor([1.0], requires_grad=True) * 2).requires_grad
    with torch.inference_mode(False):
        assert (torch.tensor([1.0], requires_grad=True) * 2).requires_grad


def test_a_detached_tensor_in_the_same_graph_passes_no_gradient(backend):
    """w.detach() and w.data share w's storage (on the python backend, its very Values), yet
    what is computed from them is a constant: only the path through w reaches w.grad."""
    w = torch.tensor([2.0, -1.0], requires_grad=True)
    (w * w.detach() * 3 + w).sum().backward()
    assert w.grad.tolist() == [7.0, -2.0]
    w.grad = None
    (w * w.data.reshape(2) * 3 + w[0] * w.detach()[1]).sum().backward()
    assert w.grad.tolist() == [6.0 - 2 * 1.0, -3.0]  # w[0] * w.detach()[1] is broadcast, then summed twice
    d = w.detach()
    d.add_(10)  # the storage is shared: the write shows in w
    assert w.tolist() == [12.0, 9.0]
    leaf = w.detach().requires_grad_()  # a leaf of its own: its gradient is its own
    w.grad = None
    (leaf * w).sum().backward()
    assert leaf.grad.tolist() == [12.0, 9.0] and w.grad.tolist() == [12.0, 9.0]
