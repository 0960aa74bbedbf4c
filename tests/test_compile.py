"""compile(fn): the replayed program gives bitwise the eager numbers; guards; the program's text."""

import copy
import itertools
import math

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.demo import SimpleNN


@pytest.fixture(autouse=True)
def numpy_backend():
    before = torch.get_backend()
    torch.set_backend("numpy")
    yield
    torch.set_backend(before)


def step_of(model, criterion, opt):
    """The training step the tests compile: zero_grad, the loss, backward, the update."""

    def step(X, y):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
        return loss

    return step


def train(make, compiled: bool, steps: int = 12):
    """Losses, weights and gradients after `steps` steps, eager or compiled."""
    torch.manual_seed(0)
    model, criterion, opt, X, y = make()

    step = step_of(model, criterion, opt)

    f = torch.compile(step) if compiled else step
    losses = [f(X, y).item() for _ in range(steps)]
    weights = [p.detach().tolist() for p in model.parameters()]
    grads = [p.grad.tolist() for p in model.parameters()]
    return losses, weights, grads, f


def tutorial():
    X, y = torch.datasets.xor(backend="numpy")
    model = SimpleNN()
    return model, nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5, momentum=0.9), X, y


def moons():
    X, labels = torch.datasets.moons(40, seed=1, backend="numpy")
    y = labels.float().reshape(-1, 1)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, nn.BCEWithLogitsLoss(), opt, X, y


def test_adam_changes_its_constants_every_step_so_it_stays_eager():
    """Adam's bias correction is a Python number that changes each step: no two traces agree."""

    def adam():
        model, criterion, _, X, y = moons()
        return model, criterion, optim.Adam(model.parameters(), lr=0.01), X, y

    eager, compiled = train(adam, False, 8), train(adam, True, 8)
    assert compiled[:3] == eager[:3] and compiled[3].replays == 0
    # it reads its step count (a tensor it updates in place) into Python: eager from the first trace
    assert compiled[3].traces == 1 and "that its own update in place (opt.step()) may change" in repr(
        compiled[3]
    )


@pytest.mark.parametrize("make", [tutorial, moons])
def test_replay_gives_bitwise_the_eager_numbers(make):
    eager = train(make, False)
    compiled = train(make, True)
    assert compiled[:3] == eager[:3]
    assert compiled[3].replays >= 8  # most steps were replays, not traces


def test_custom_function_backward_is_replayed():
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    def run(compiled):
        torch.manual_seed(0)
        w = torch.randn(3, requires_grad=True)
        opt = optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = Cube.apply(w * x).sum()
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        losses = [f(torch.tensor([1.0, 2.0, 0.5]) * (k + 1) / 5).item() for k in range(6)]
        return losses, w.tolist(), w.grad.tolist()

    assert run(True) == run(False)


def test_a_new_shape_traces_a_program_of_its_own():
    w = torch.tensor([1.0, 2.0], requires_grad=True)

    def loss_of(x):
        w.grad = None
        loss = (x * w).sum()
        loss.backward()
        return loss

    f = torch.compile(loss_of)
    for _ in range(3):
        f(torch.ones(3, 2))
    assert (f.traces, f.replays) == (2, 1)
    assert f(torch.ones(5, 2)).item() == 15.0  # another shape: traced, not replayed
    assert f.traces == 3
    assert f(torch.ones(3, 2)).item() == 9.0  # the first shape's program is kept
    assert f.replays == 2


def test_the_program_reads_one_primitive_a_line():
    w = torch.tensor([1.0, 2.0], requires_grad=True)

    def loss_of(x):
        loss = (x * w).tanh().sum()
        loss.backward()
        return loss

    f = torch.compile(loss_of)
    f(torch.ones(2))
    text = str(f.program)
    assert text.splitlines()[0] == "program(x):"
    assert "# forward" in text and "# backward" in text
    assert "mul(x, w)" in text.replace("c1", "w") or "mul(x, c1)" in text
    assert "tanh(t" in text and "reduce_sum(" in text
    assert text.strip().endswith(".grad = g" + text.strip().rsplit("= g", 1)[1])


def test_changed_python_control_flow_is_traced_again_not_replayed():
    w = torch.tensor([1.0, 2.0])  # no graph needed: a function of tensors alone replays
    turns = itertools.cycle([True, False])  # state no guard can see: an iterator's position

    def f(x):
        return (x * w).sum() if next(turns) else (x + w).sum()

    g = torch.compile(f)
    for _ in range(4):
        g(torch.ones(2))
    assert g.replays == 0 and g.traces == 4  # the two traces never agree: it stays eager


def test_a_value_read_into_python_is_a_guard():
    w = torch.tensor([1.0, 2.0])

    def f(x):
        return x * w if x.sum().item() > 0 else x - w

    g = torch.compile(f)
    for _ in range(3):
        g(torch.ones(2))
    assert g.replays == 1
    assert g(-torch.ones(2)).tolist() == [-2.0, -3.0]  # the read differs: traced again, right branch
    assert g.traces == 3


def test_python_backend_without_backward_runs_eagerly_and_says_why():
    f = torch.compile(lambda x: x.sum())
    assert [f(torch.tensor([1.0, 2.0], backend="python")).item() for _ in range(4)] == [3.0] * 4
    assert (f.traces, f.replays, f.eager_calls) == (1, 0, 3)
    with pytest.raises(RuntimeError, match="runs eagerly .*fn must call backward"):
        print(f.program)


def test_dead_code_is_marked_in_the_program_and_left_out_of_the_replay():
    """A sum the step makes and forgets: nobody reads it, so it is marked and not replayed."""

    def run(compiled: bool):
        torch.manual_seed(0)
        model, criterion = SimpleNN(), nn.BCELoss()
        opt = optim.SGD(model.parameters(), lr=0.5)
        X, y = torch.datasets.xor(backend="numpy")

        def step(X, y):
            opt.zero_grad()
            out = model(X)
            (out * 2).sum()  # forgotten
            loss = criterion(out, y)
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        return [f(X, y).item() for _ in range(4)], f

    losses, f = run(True)
    assert losses == run(False)[0]
    marked = "; dead: nothing reads it, not replayed"
    dead = [line for line in str(f.program).splitlines() if line.endswith(marked)]
    assert any("mul(" in line for line in dead) and any("reduce_sum(" in line for line in dead)
    # and, once micrograd_edu.viz is imported (it watches every backward), the copies of the
    # intermediate gradients made for it: a replay shows nobody those
    assert all(("mul(" in line or "reduce_sum(" in line or "copy(" in line) for line in dead)
    program = next(iter(f.programs.values()))
    assert "reduce_sum" not in program.source and "linear" in program.source


def test_an_updates_temporary_goes_into_a_buffer_the_program_owns():
    """p += -lr * buf: the product is written into one buffer per shape, at every replay, and
    the weights stay bitwise the eager ones."""
    eager = train(moons, compiled=False, steps=6)
    losses, weights, grads, f = train(moons, compiled=True, steps=6)
    assert (losses, weights, grads) == eager[:3]
    program = next(iter(f.programs.values()))
    products = [line for line in program.source.splitlines() if "out=buffer" in line]
    assert len(products) == 6  # one per parameter: p += -lr * momentum buffer
    buffers = {line.split("out=")[1].split(")")[0] for line in products}
    assert len(buffers) == 5  # one per shape: (16, 2), (16,), (16, 16), (1, 16), (1,); the biases share


def test_an_op_that_can_fail_is_kept_though_nothing_reads_it():
    """A dead log still raises as eager does: an op that may raise is an effect."""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def step(x):
        opt.zero_grad()
        (x * w).log()  # its result is thrown away
        loss = (x * w).sum()
        loss.backward()
        opt.step()
        return loss

    f = torch.compile(step)
    for _ in range(4):
        f(torch.tensor([1.0, 1.0]))
    logs = [line for line in str(f.program).splitlines() if "= log(" in line]
    assert f.replays > 0 and logs and not any("dead" in line for line in logs)
    with pytest.raises(Exception) as compiled_error:
        f(torch.tensor([0.0, 1.0]))
    with pytest.raises(Exception) as eager_error:
        step(torch.tensor([0.0, 1.0]))
    assert str(compiled_error.value) == str(eager_error.value)


def test_an_inf_where_eager_checks_runs_that_step_eagerly_with_eager_error():
    """A replay that meets log(0) changes nothing and runs the step eagerly: the engine's error."""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (x * w).log().sum()
        loss.backward()
        opt.step()
        return loss

    f = torch.compile(step)
    for _ in range(4):
        f(torch.tensor([1.0, 1.0]))
    assert f.replays > 0
    before = w.tolist()
    with pytest.raises(Exception) as compiled_error:
        f(torch.tensor([0.0, 1.0]))
    assert f.fallbacks == 1 and w.tolist() == before
    with pytest.raises(Exception) as eager_error:
        step(torch.tensor([0.0, 1.0]))
    assert type(compiled_error.value) is type(eager_error.value)
    assert str(compiled_error.value) == str(eager_error.value)


def test_a_nan_eager_lets_through_comes_out_of_the_fallback_too():
    w = torch.tensor([1.0, 2.0], requires_grad=True)

    def step(x):
        w.grad = None
        loss = (x * w).exp().sum()
        loss.backward()
        return loss

    f = torch.compile(step)
    for _ in range(4):
        f(torch.tensor([1.0, 1.0]))
    out = f(torch.tensor([float("nan"), 1.0]))
    assert f.fallbacks == 1 and math.isnan(out.item())


# ---- the python backend: the Value graph replayed as a tape of floats ------------------------------


def python_tutorial():
    X, y = torch.datasets.xor(backend="python")
    model = SimpleNN()
    return model, nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5, momentum=0.9), X, y


def python_demo_mlp():
    """micrograd's demo: an MLP 2-16-16-1 with ReLU, on two moons, the max-margin loss."""
    X, labels = torch.datasets.moons(20, seed=1, backend="python")
    y = labels.float().reshape(-1, 1) * 2 - 1
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))

    def criterion(score, y):
        return (1 - y * score).relu().mean()

    return model, criterion, optim.SGD(model.parameters(), lr=0.05, momentum=0.9), X, y


@pytest.mark.parametrize("make", [python_tutorial, python_demo_mlp])
def test_python_backend_replay_gives_bitwise_the_eager_numbers(make):
    torch.set_backend("python")
    eager = train(make, False, 10)
    compiled = train(make, True, 10)
    assert compiled[:3] == eager[:3]
    assert compiled[3].replays == 7  # the first step (momentum buffers made) traces, then two agree


def test_python_backend_changed_input_shape_traces_again():
    torch.set_backend("python")
    torch.manual_seed(0)
    model, criterion, opt, X, y = python_tutorial()

    step = step_of(model, criterion, opt)

    f = torch.compile(step)
    for _ in range(4):
        f(X, y)
    assert (f.traces, f.replays) == (3, 1)
    f(X[:2], y[:2])
    assert (f.traces, f.replays) == (4, 1)  # a new shape: traced, not replayed
    f(X, y)
    assert (f.traces, f.replays) == (4, 2)


# ---- PyTorch's ways of calling it ------------------------------------------------------------------


def test_a_compiled_model_trains_as_in_pytorch_with_the_eager_numbers():
    """model = torch.compile(model), then the usual loop: an OptimizedModule around the original."""
    X, y = torch.datasets.xor(backend="numpy")

    def run(compile_it: bool):
        torch.manual_seed(0)
        model = SimpleNN()
        if compile_it:
            model = torch.compile(model)
        criterion, opt = nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(8):
            opt.zero_grad()
            loss = criterion(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model

    eager_losses, _ = run(False)
    losses, model = run(True)
    assert losses == eager_losses
    assert isinstance(model, nn.Module) and type(model).__name__ == "OptimizedModule"
    assert [n for n, _ in model.named_parameters()][0] == "_orig_mod.fc1.weight"  # PyTorch's prefix
    assert list(model.state_dict())[0] == "_orig_mod.fc1.weight"
    assert model.fc1 is model._orig_mod.fc1
    assert repr(model).startswith("OptimizedModule(\n  (_orig_mod): SimpleNN(")
    compiled = model.forward
    assert compiled.replays == 0 and compiled.eager_calls == 7  # its output needs a graph: eager
    assert "compile the whole training step" in repr(compiled)
    assert "# forward" in str(compiled.program)  # what the trace saw, though it runs eagerly


def test_model_compile_compiles_in_place_and_the_model_stays_itself():
    """PyTorch 2.2's model.compile(): the same loop, the same numbers, no _orig_mod. prefix."""
    X, y = torch.datasets.xor(backend="numpy")

    def run(compile_it: bool):
        torch.manual_seed(0)
        model = SimpleNN()
        if compile_it:
            assert model.compile() is None
        criterion, opt = nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(6):
            opt.zero_grad()
            loss = criterion(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        with torch.no_grad():
            outs = [model(X).tolist() for _ in range(4)]
        return losses, outs, model

    eager_losses, eager_outs, _ = run(False)
    losses, outs, model = run(True)
    assert (losses, outs) == (eager_losses, eager_outs)
    compiled = model._compiled_call_impl
    assert compiled.replays == 2 and compiled.eager_calls == 5  # evaluation replays; training needs graphs
    assert repr(compiled).startswith("<compiled SimpleNN:")
    assert list(model.state_dict())[0] == "fc1.weight" and type(model) is SimpleNN
    assert "_compiled_call_impl" not in copy.deepcopy(model).__dict__  # a copy is of the model alone
    assert "fc1.weight" in str(compiled.program)


def test_a_compiled_model_replays_under_no_grad_and_not_with_grad_on():
    torch.manual_seed(0)
    model = torch.compile(SimpleNN())
    X, _ = torch.datasets.xor(backend="numpy")
    with torch.no_grad():
        outs = [model(X).tolist() for _ in range(4)]
    assert model.forward.replays == 2
    assert outs[0] == outs[-1] == SimpleNN.forward(model._orig_mod, X).tolist()
    out = model(X)  # grad mode is part of the guard: with it on, the output has its graph
    assert out.requires_grad and out.grad_fn is not None


def test_train_and_eval_are_part_of_the_guard():
    class Twice(nn.Module):
        def forward(self, x):
            return x * 2 if self.training else x * 3

    model = Twice()
    f = torch.compile(lambda x: model(x))
    x = torch.ones(2)
    assert [f(x).tolist() for _ in range(3)] == [[2.0, 2.0]] * 3 and f.replays == 1
    model.eval()
    assert f(x).tolist() == [3.0, 3.0]  # a program of its own, not the training one replayed
    model.train()
    assert f(x).tolist() == [2.0, 2.0] and f.replays == 2


def test_compile_as_a_decorator_with_and_without_settings():
    w = torch.tensor([1.0, 2.0])

    @torch.compile
    def f(x):
        return x * w

    @torch.compile(mode="reduce-overhead", fullgraph=True, dynamic=False)
    def g(x):
        return x + w

    assert [f(torch.ones(2)).tolist() for _ in range(3)][-1] == [1.0, 2.0] and f.replays == 1
    assert [g(torch.ones(2)).tolist() for _ in range(3)][-1] == [2.0, 3.0] and g.replays == 1
    assert f.__name__ == "f" and f.__wrapped__ is not None


def test_compile_checks_its_arguments_as_pytorch_does():
    from micrograd_edu.tracing import InvalidBackend

    model = SimpleNN()
    assert torch.compile(model, disable=True) is model
    with pytest.raises(RuntimeError, match="^Unrecognized mode=fastest, should be one of: default, lite, "):
        torch.compile(model, mode="fastest")
    with pytest.raises(InvalidBackend, match="^Invalid backend: 'tensorrt'"):
        torch.compile(model, backend="tensorrt")
    assert issubclass(InvalidBackend, RuntimeError)
    with pytest.raises(InvalidBackend, match="leave backend out"):
        torch.compile(model, backend=lambda gm, example_inputs: gm)
    with pytest.raises(TypeError, match=r"^compile\(\) compiles a function or an nn.Module \(model=\.\.\.\)"):
        torch.compile(3)
    with pytest.raises(TypeError, match="compile\\(backend=...\\) is a backend's name"):
        torch.compile(model, backend=1.5)
    assert torch.compile(model, mode=None, backend=None).__class__.__name__ == "OptimizedModule"
    assert torch.compile(model, backend="eager").__class__.__name__ == "OptimizedModule"


def test_a_step_with_dropout_runs_eagerly_in_training_and_replays_in_eval():
    X, y = torch.datasets.xor(backend="numpy")

    def run(compile_it: bool):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1), nn.Sigmoid())
        criterion, opt = nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5)

        step = step_of(model, criterion, opt)

        f = torch.compile(step) if compile_it else step
        return [f(X, y).item() for _ in range(5)], f, model

    eager_losses = run(False)[0]
    losses, f, model = run(True)
    assert losses == eager_losses  # each step its own dropout mask, as eager draws them
    assert f.replays == 0 and f.eager_calls == 4 and "random numbers" in repr(f)
    model.eval()
    evaluate = torch.compile(lambda X: model(X))
    with torch.no_grad():
        outs = [evaluate(X).tolist() for _ in range(4)]
    assert evaluate.replays == 2 and outs[0] == outs[-1]


def test_python_backend_program_names_its_leaves_and_reads_before_any_replay():
    torch.set_backend("python")
    model, criterion, opt, X, y = python_tutorial()

    step = step_of(model, criterion, opt)

    f = torch.compile(step)
    f(X, y)
    text = str(f.program)  # after one trace, no replay yet: written out when printed
    lines = text.splitlines()
    assert lines[0].startswith("program(X, y):  a tape of ")
    assert "# forward: each Value's op, on floats" in text and "# after backward" in text
    assert any(line.endswith("# model.fc1.weight[1, 0]") for line in lines)
    assert any(line.endswith("# X[3, 1]") for line in lines)
    assert "  model.fc2.bias.grad = [g" in text
    assert "copy(model.fc1.weight.grad)" in text  # the first step makes the momentum buffer
    assert "add_scaled(model.fc1.weight, t" in text


# ---- guards: what else a program is specialised to -------------------------------------------------


class Twice(nn.Module):
    def forward(self, x):
        return x * 2 if self.training else x * 3


def test_train_and_eval_guard_a_module_passed_as_an_argument_or_reached_through_a_helper():
    m, helper_model, x = Twice(), Twice(), torch.ones(2)

    def helper(x):
        return helper_model(x)

    f = torch.compile(lambda m, x: m(x))
    g = torch.compile(lambda x: helper(x))
    for _ in range(3):
        f(m, x), g(x)
    assert f.replays and g.replays
    m.eval()
    helper_model.eval()
    assert f(m, x).tolist() == [3.0, 3.0] and g(x).tolist() == [3.0, 3.0]


def test_a_replaced_layer_or_a_new_model_under_the_same_name_is_traced_again():
    torch.manual_seed(0)
    X, _ = torch.datasets.xor(backend="numpy")
    model = SimpleNN()
    f = torch.compile(model)
    with torch.no_grad():
        for _ in range(3):
            f(X)
        model.fc2 = nn.Linear(4, 1)
        assert f(X).tolist() == SimpleNN.forward(model, X).tolist()
    scope: dict = {}
    exec(
        "def step(X, y):\n    opt.zero_grad()\n    loss = criterion(model(X), y)\n    loss.backward()\n"
        "    opt.step()\n    return loss\n",
        scope,
    )
    X, y = torch.datasets.xor(backend="numpy")
    scope.update(model=SimpleNN(), criterion=nn.BCELoss())
    scope["opt"] = optim.SGD(scope["model"].parameters(), lr=0.5)
    step = torch.compile(scope["step"])
    for _ in range(4):
        step(X, y)
    scope["model"] = SimpleNN()  # a notebook cell run again: a new model under the same name
    scope["opt"] = optim.SGD(scope["model"].parameters(), lr=0.5)
    before = scope["model"].fc1.weight.tolist()
    step(X, y)
    assert scope["model"].fc1.weight.tolist() != before  # the new model trained, not the old one


def test_a_compiled_function_inside_another_runs_inside_its_trace():
    inner = torch.compile(lambda x: x * 2)
    outer = torch.compile(lambda x: inner(x) + 1)
    assert [outer(torch.ones(2)).tolist() for _ in range(4)] == [[3.0, 3.0]] * 4
    assert outer.replays == 2 and inner.traces == 0


def test_keywords_nested_tensors_and_many_kinds_of_call():
    f = torch.compile(lambda a, b: a * b)
    assert [f(torch.ones(1), b=torch.ones(1)).item() for _ in range(3)] == [1.0] * 3 and f.replays == 1
    g = torch.compile(lambda pair: pair[0] + pair[1])
    assert g((torch.ones(1), torch.ones(1))).item() == 2.0
    assert "a tensor inside a tuple" in repr(g) and g.eager_calls == 1
    h = torch.compile(lambda x: x + 1, recompile_limit=2)
    for n in range(1, 5):  # four shapes: two programs, then eager
        h(torch.ones(n))
    assert len(h.pending) + len(h.programs) == 2 and "recompile_limit=2" in repr(h)


def test_a_step_without_tensor_arguments():
    w = torch.tensor([1.0, 2.0])
    f = torch.compile(lambda: (w * 2).sum())
    assert [f().item() for _ in range(4)] == [6.0] * 4 and f.replays == 2
    g = torch.compile(lambda: None)
    assert [g() for _ in range(3)] == [None] * 3


def test_a_compiled_module_names_its_inputs_after_forward():
    torch.manual_seed(0)
    X, _ = torch.datasets.xor(backend="numpy")
    model = torch.compile(SimpleNN())
    with torch.no_grad():
        for _ in range(3):
            model(X)
    assert str(model.forward.program).startswith("program(x):")


def test_an_elementwise_op_on_a_0d_tensor_gives_writable_data():
    s = torch.tensor(0.5).sigmoid()
    s.add_(1.0)
    assert s.item() == pytest.approx(1.6224593312018545)


def test_models_passed_in_turn_and_a_step_that_sets_train_or_eval_itself_replay():
    """The key is the flags fn starts from; fn's own model.train()/eval() is redone after a replay."""
    m1, m2, x = Twice(), Twice(), torch.ones(2)
    f = torch.compile(lambda m, x: m(x))
    for _ in range(5):
        f(m1, x), f(m2, x)
    assert (f.traces, f.replays) == (5, 5)  # two per model, one more as m2 joins the key's modules
    model = Twice()

    def train_step(x):
        model.train()
        return model(x)

    def evaluate(x):
        model.eval()
        return model(x)

    step, check = torch.compile(train_step), torch.compile(evaluate)
    outs = [(step(x).tolist(), model.training, check(x).tolist(), model.training) for _ in range(5)]
    assert outs == [([2.0, 2.0], True, [3.0, 3.0], False)] * 5
    assert (step.replays, check.replays) == (2, 3)  # step's first call began in train mode, the rest in eval


def test_a_bound_methods_new_model_and_a_layer_changed_without_a_call_trace_again():
    torch.manual_seed(0)

    class Trainer:
        def __init__(self):
            self.model = nn.Linear(2, 2)
            self.opt = optim.SGD(self.model.parameters(), lr=0.1)

        def train_step(self, x):
            self.opt.zero_grad()
            loss = self.model(x).sum()
            loss.backward()
            self.opt.step()
            return loss

    t, x = Trainer(), torch.ones(1, 2)
    step = torch.compile(t.train_step)
    for _ in range(4):
        step(x)
    t.model = nn.Linear(2, 2)
    t.opt = optim.SGD(t.model.parameters(), lr=0.1)
    before = t.model.weight.tolist()
    step(x)
    assert t.model.weight.tolist() != before  # the new self.model trained
    seq = nn.Sequential(nn.Linear(2, 2))
    f = torch.compile(lambda x: seq.forward(x))  # forward called directly: no Module.__call__
    with torch.no_grad():
        for _ in range(3):
            f(x)
        seq._modules["0"] = nn.Linear(2, 2)
        assert f(x).tolist() == seq.forward(x).tolist()
    lin = nn.Linear(2, 2)
    g = torch.compile(lambda x: torch.nn.functional.linear(x, lin.weight, lin.bias))
    with torch.no_grad():
        for _ in range(3):
            g(x)
        lin.weight = nn.Parameter(torch.zeros(2, 2))
        assert g(x).tolist() == lin(x).tolist()


def test_a_module_argument_is_kept_alive_so_its_key_cannot_match_a_new_one():
    x = torch.ones(1, 2)
    f = torch.compile(lambda m, x: m(x))
    with torch.no_grad():
        a = nn.Linear(2, 2)
        for _ in range(3):
            f(a, x)
    program = next(iter(f.programs.values()))
    assert any(held is a for held in program.held)


def test_a_reduction_on_a_0d_result_gives_writable_data():
    s = torch.tensor([1.0, 2.0]).sum()
    s.add_(1).mul_(2)
    assert s.item() == 8.0


@pytest.mark.parametrize("backend", ["numpy", "python"])
def test_a_scheduler_changing_lr_between_replays_is_a_guard(backend):
    torch.set_backend(backend)
    X, y = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0], [2.0]])

    def run(compiled: bool):
        torch.manual_seed(0)
        model = nn.Linear(2, 1)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scheduler = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.1)

        def step(X, y):
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        losses = []
        for _ in range(12):
            losses.append(f(X, y).item())
            scheduler.step()
        return losses, f

    eager, (compiled, f) = run(False)[0], run(True)
    assert compiled == eager and f.replays > 0


def test_an_argmax_whose_answer_changes_is_a_guard():
    """Accuracy on a fixed batch while the model changes: the same answers for a while, then not."""
    X, y = torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]]), torch.tensor([1, 1, 0])

    def run(compiled: bool):
        torch.manual_seed(0)
        model = nn.Linear(2, 2)

        def accuracy(X, y):
            with torch.no_grad():
                return (model(X).argmax(1) == y).sum()

        f = torch.compile(accuracy) if compiled else accuracy
        out = []
        for i in range(8):
            out.append(f(X, y).item())
            if i >= 3:
                with torch.no_grad():
                    model.weight.add_(torch.tensor([[1.5, -1.5], [-1.5, 1.5]]) * (1 if i % 2 else -1))
        return out, f

    eager, (compiled, f) = run(False)[0], run(True)
    assert compiled == eager and f.replays > 0 and len(set(eager)) == 2


def test_batchnorm_in_training_on_the_python_backend_runs_eagerly_and_says_why():
    torch.set_backend("python")
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(2)
    X, y = torch.tensor([[1.0, 2.0], [3.0, 5.0]]), torch.tensor([[0.5, 0.5], [1.0, 1.0]])
    opt = optim.SGD(bn.parameters(), lr=0.1)

    def step(X, y):
        opt.zero_grad()
        loss = ((bn(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    f = torch.compile(step)
    assert len([f(X, y).item() for _ in range(3)]) == 3
    assert f.replays == 0 and "updates a tensor in place before backward" in repr(f)


def test_reset_forgets_every_program_as_pytorchs_does():
    f = torch.compile(lambda x: x * 2)
    for _ in range(3):
        f(torch.ones(2))
    assert f.programs
    torch.compiler.reset()
    assert not f.programs and not f.pending
    torch._dynamo.reset()  # the older name tutorials use
    f(torch.ones(2))
    assert f.traces == 3


def test_a_mask_made_inside_a_python_backend_step_is_not_baked_in():
    torch.set_backend("python")

    def run(compiled: bool):
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        opt = optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = ((x > 0).float() * x * w).sum()
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        xs = [torch.tensor([1.0, 1.0])] * 3 + [torch.tensor([-1.0, 1.0])] * 2  # the same mask, then not
        return [f(x).item() for x in xs], f

    eager, (compiled, f) = run(False)[0], run(True)
    assert compiled == eager and "a comparison, a mask" in repr(f)


def test_a_boolean_mask_read_into_positions_is_a_guard():
    def run(compiled: bool):
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        opt = optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (x * w)[x > 0].sum()
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        xs = [torch.tensor([1.0, 1.0])] * 3 + [torch.tensor([-1.0, 1.0])] * 2
        return [f(x).item() for x in xs], f

    eager, (compiled, f) = run(False)[0], run(True)
    assert compiled == eager and f.replays >= 1
