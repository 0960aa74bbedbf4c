"""compile's guards against what a replay cannot see: each case is a real training loop run eagerly
and compiled from the same start, on both backends, and the numbers must be bitwise the same.

A replay runs no Python: so the state a program was traced with (a parameter's requires_grad, an
optimizer's settings and buffers, a global's value, a module's settings) must be checked before each
replay; a step that changes Python state itself (scheduler.step(), a counter) must run eagerly; a
number read into Python must be read again; and what a replay cannot do must run eagerly, saying
why, never raise in the middle of a step."""

import copy
import itertools

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim

BACKENDS = ["numpy", "python"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    before = torch.get_backend()
    torch.set_backend(request.param)
    yield request.param
    torch.set_backend(before)


def twin(loop):
    """loop(compile_or_not) -> numbers: run eagerly and compiled; (eager's, compiled's, compiled fn)."""
    made = []

    def compiled(fn):
        made.append(torch.compile(fn))
        return made[-1]

    eager = loop(lambda fn: fn)
    return eager, loop(compiled), made[0]


def setup(seed=0):
    torch.manual_seed(seed)
    X, y = torch.randn(8, 3), torch.randn(8, 1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    return X, y, model


def numbers(model, losses):
    return losses, [p.tolist() for p in model.parameters()]


# ---- the state a program was traced with changes between replays: traced again -----------------


def freeze_first_layer(model, opt, data):
    model[0].requires_grad_(False)


def lower_lr(model, opt, data):
    opt.param_groups[0]["lr"] = 0.01


def new_data(model, opt, data):
    data[0] = data[0] * 2 + 1


def reload_optimizer(model, opt, data):
    opt.load_state_dict(data[2])


def add_a_group(model, opt, data):
    extra = nn.Linear(1, 1)
    data[3] = extra
    opt.add_param_group({"params": extra.parameters()})


CHANGES = [freeze_first_layer, lower_lr, new_data, reload_optimizer, add_a_group]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("passed", [False, True], ids=["from-closure", "as-arguments"])
def test_a_change_between_steps_traces_again(backend, change, passed):
    """model and optimizer reached through the closure, or passed in as arguments."""

    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        data = [X, y, None, None]

        def step(x, t):
            opt.zero_grad()
            out = model(x) if data[3] is None else data[3](model(x))
            loss = nn.functional.mse_loss(out, t)
            loss.backward()
            opt.step()
            return loss

        def step_given(model_, opt_, x, t):
            return step(x, t)

        f = compile(step_given if passed else step)
        losses = []
        for i in range(9):
            if i == 1:
                data[2] = copy.deepcopy(opt.state_dict())
            if i == 5:
                change(model, opt, data)
            x, t = data[0], data[1]
            losses.append((f(model, opt, x, t) if passed else f(x, t)).item())
        return numbers(model, losses)

    eager, compiled, f = twin(loop)
    assert compiled == eager
    assert f.replays > 0  # and it did replay, before the change and after it


def test_a_global_number_and_a_global_tensor_are_guarded(backend):
    state = {}

    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1)
        state.update(decay=0.0, X=X)
        namespace = {"model": model, "opt": opt, "nn": nn, "y": y, **state}
        exec(  # a notebook's globals: `decay` and `X` are read by name at each call
            "def step():\n"
            "    opt.zero_grad()\n"
            "    loss = nn.functional.mse_loss(model(X), y) + decay * (model[0].weight ** 2).sum()\n"
            "    loss.backward()\n"
            "    opt.step()\n"
            "    return loss\n",
            namespace,
        )
        f = compile(namespace["step"])
        losses = []
        for i in range(8):
            if i == 4:
                namespace["decay"] = 0.1
            if i == 6:
                namespace["X"] = namespace["X"] * 3
            losses.append(f().item())
        return numbers(model, losses)

    eager, compiled, f = twin(loop)
    assert compiled == eager and f.replays > 0


class Scaled(nn.Module):
    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


def test_a_modules_setting_and_the_same_tensor_twice_are_guarded(backend):
    def loop(compile):
        X, y, model = setup()
        scaled = Scaled(1.0)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, t):
            opt.zero_grad()
            loss = nn.functional.mse_loss(scaled(model(x)), t[:, :1])
            loss.backward()
            opt.step()
            return loss

        f = compile(step)
        losses = []
        for i in range(9):
            if i == 4:
                scaled.factor = 0.5  # a module's plain setting
            x = X if i < 6 else X + 1
            losses.append(f(x, X).item())  # step(X, X), then two different tensors
        return numbers(model, losses)

    eager, compiled, f = twin(loop)
    assert compiled == eager and f.replays > 0


# ---- a step that changes Python state itself: it runs eagerly, saying what it changes ----------


def test_a_scheduler_step_inside_the_step_runs_eagerly(backend):
    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1)
        sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.1)

        def step(x, t):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), t)
            loss.backward()
            opt.step()
            sched.step()
            return loss

        f = compile(step)
        return numbers(model, [f(X, y).item() for _ in range(8)])

    eager, compiled, f = twin(loop)
    assert compiled == eager
    assert f.replays == 0 and "it changes sched." in repr(f)


def test_a_list_the_step_appends_to_and_a_counter_make_it_run_eagerly(backend):
    history = []
    counter = {"steps": 0}

    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, t):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), t)
            loss.backward()
            opt.step()
            history.append(loss)
            return loss

        f = compile(step)
        history.clear()
        for _ in range(5):
            f(X, y)
        return numbers(model, [h.item() for h in history])

    eager, compiled, f = twin(loop)
    assert compiled == eager and len(compiled[0]) == 5
    assert "the length of history" in repr(f)

    def counting(x):
        counter["steps"] += 1
        return (x * 2).sum()

    g = torch.compile(counting)
    for _ in range(5):
        g(torch.ones(2))
    assert counter["steps"] == 5 and g.replays == 0


# ---- numbers read into Python ---------------------------------------------------------------------


def test_a_branch_on_loss_item_is_taken_again_at_each_call(backend):
    def loop(compile):
        X, y, model = setup()
        y = y * 3
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, t):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), t)
            if loss.item() > 9.0:
                loss = loss * 0.5
            loss.backward()
            opt.step()
            return loss

        f = compile(step)
        return numbers(model, [f(X, y).item() for _ in range(8)])

    eager, compiled, f = twin(loop)
    assert compiled == eager
    if backend == "python":
        assert "it reads numbers into Python" in repr(f)


def test_bceloss_checks_its_input_again_at_each_replay(backend):
    """The range check is made again (outside() in the program), so a replay raises as eager does."""
    torch.manual_seed(0)
    w = nn.Parameter(torch.tensor([[0.5], [0.25]]))
    opt = optim.SGD([w], lr=0.01)
    y = torch.tensor([[1.0], [0.0]])

    @torch.compile
    def step(x):
        opt.zero_grad()
        loss = nn.BCELoss()((x @ w).clamp(0.0, 2.0), y)
        loss.backward()
        opt.step()
        return loss

    small = torch.tensor([[0.5, 0.5], [0.2, 0.2]])
    for _ in range(4):
        step(small)
    assert step.replays == 2
    if backend == "numpy":
        assert "outside(" in str(step.program)
    before = w.tolist()
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        step(small * 4)
    assert w.tolist() == before  # raised before the update, as eager does


# ---- what a replay cannot do runs eagerly, saying why (never an error in the middle of a step) ---


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


def hook_intermediate(h, x, model):
    h.register_hook(lambda g: g * 2)
    return h


def retain_intermediate(h, x, model):
    h.retain_grad()
    return h


def custom_function(h, x, model):
    return Square.apply(h)


def input_requires_grad(h, x, model):
    x.requires_grad_(True)
    return h


@pytest.mark.parametrize(
    "extra",
    [hook_intermediate, retain_intermediate, custom_function, input_requires_grad],
    ids=lambda e: e.__name__,
)
def test_what_a_replay_cannot_do_runs_eagerly_with_the_eager_numbers(backend, extra):
    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, t):
            opt.zero_grad()
            h = extra(model[0](x), x, model)
            loss = nn.functional.mse_loss(model[2](model[1](h)), t)
            loss.backward()
            opt.step()
            return loss

        f = compile(step)
        return numbers(model, [f(X.clone(), y).item() for _ in range(5)])

    eager, compiled, f = twin(loop)
    assert compiled == eager
    if extra is not custom_function or backend == "python":
        assert f.replays == 0 and "eagerly: it" in repr(f) or "eagerly: an argument" in repr(f)


def test_float32_on_the_python_backend_runs_eagerly():
    before = torch.get_backend()
    torch.set_backend("python")
    try:

        def loop(compile):
            X, y, model = setup()
            model.float()
            opt = optim.SGD(model.parameters(), lr=0.1)

            def step(x, t):
                opt.zero_grad()
                loss = nn.functional.mse_loss(model(x), t)
                loss.backward()
                opt.step()
                return loss

            f = compile(step)
            return numbers(model, [f(X.float(), y.float()).item() for _ in range(5)])

        eager, compiled, f = twin(loop)
        assert compiled == eager and "float32" in repr(f)
    finally:
        torch.set_backend(before)


def test_traces_that_keep_differing_name_the_primitive_that_differs(backend):
    X, y, model = setup()
    opt = optim.SGD(model.parameters(), lr=0.1)
    lrs = itertools.count(1)

    @torch.compile
    def step(x, t):
        opt.param_groups[0]["lr"] = 0.1 / next(lrs)  # a new lr at each call, inside the step
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), t)
        loss.backward()
        opt.step()
        return loss

    for _ in range(6):
        step(X, y)
    assert step.replays == 0
    assert "it changes SGD's lr" in repr(step) or "with the constants" in repr(step)


def test_a_global_read_by_a_helper_or_a_comprehension_is_guarded(backend):
    namespace = {"torch": torch}
    exec(
        "scale = 2.0\n"
        "weights = [1.0]\n"
        "def times(x):\n"
        "    return x * scale\n"
        "def f(x):\n"
        "    return sum(times(x) * w for w in weights)\n",
        namespace,
    )
    f = torch.compile(namespace["f"])
    for _ in range(3):
        assert f(torch.ones(2)).tolist() == [2.0, 2.0]
    namespace["scale"] = 3.0
    assert f(torch.ones(2)).tolist() == [3.0, 3.0]
    assert f.retrace_reason.endswith("scale") or backend == "python"  # there: no backward, eager


@pytest.mark.parametrize(
    "read", ["loss after the update", "a weight after the update", "loss before backward"]
)
def test_a_read_anywhere_in_the_step_never_updates_twice(backend, read):
    """A guard that fails after the optimizer's update in place would trace again, and the trace
    would update a second time: every guard is checked before any update, or the step is eager."""

    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, t):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), t)
            if read == "loss before backward":
                print(loss)
            loss.backward()
            opt.step()
            if read == "loss after the update":
                loss.item()
            if read == "a weight after the update":
                model[0].weight.sum().item()
            return loss

        f = compile(step)
        return numbers(model, [f(X, y).item() for _ in range(6)])

    eager, compiled, f = twin(loop)
    assert compiled == eager and f.replays == 0


def test_a_tensor_the_step_reads_and_does_not_train_may_change_in_place(backend):
    """A target network synced now and then (DQN), a scale changed in place: the replay reads their
    numbers as they are now (the python backend's tape read them once, as constants)."""

    def loop(compile):
        X, y, model = setup()
        target = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)).requires_grad_(False)
        scale = torch.ones(1)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x) * scale, target(x))
            loss.backward()
            opt.step()
            return loss

        f = compile(step)
        losses = []
        for i in range(9):
            if i % 3 == 2:
                target.load_state_dict(model.state_dict())
            if i == 4:
                scale.mul_(0.5)
            losses.append(f(X).item())
        return numbers(model, losses)

    eager, compiled, f = twin(loop)
    assert compiled == eager and f.replays > 0


HELPER_MODULE = """
ALPHA = 0.0


def reg(model):
    return ALPHA * (model[0].fc.weight ** 2).sum()
"""


class Tempered(nn.Module):
    """A model whose forward reads a global of its own file (TEMPERATURE, below)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc(x) / TEMPERATURE


TEMPERATURE = 1.0


class Weighted:
    """A loss object of your own: its attribute is a number the step uses."""

    def __init__(self) -> None:
        self.gamma = 1.0

    def __call__(self, out, target):
        return self.gamma * nn.functional.mse_loss(out, target)


def test_numbers_read_by_a_models_forward_a_loss_object_a_config_or_another_file_are_guarded(
    backend, tmp_path, monkeypatch
):
    global TEMPERATURE
    (tmp_path / "helper_module_for_compile.py").write_text(HELPER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import helper_module_for_compile as helpers

    config = {"train": {"wd": 0.0}, "scales": [1.0]}

    def loop(compile):
        global TEMPERATURE
        TEMPERATURE, helpers.ALPHA = 1.0, 0.0
        config["train"]["wd"], config["scales"][0] = 0.0, 1.0
        X, y, _ = setup()
        model, criterion = nn.Sequential(Tempered()), Weighted()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, t):
            opt.zero_grad()
            loss = criterion(model(x) * config["scales"][0], t) + helpers.reg(model)
            loss = loss + config["train"]["wd"] * (model[0].fc.weight ** 2).sum()
            loss.backward()
            opt.step()
            return loss

        f = compile(step)
        losses = []
        for i in range(14):
            if i == 3:
                TEMPERATURE = 2.0
            if i == 5:
                criterion.gamma = 0.5
            if i == 7:
                config["train"]["wd"] = 0.1
            if i == 9:
                config["scales"][0] = 3.0
            if i == 11:
                helpers.ALPHA = 0.2
            losses.append(f(X, y).item())
        return numbers(model, losses)

    eager, compiled, f = twin(loop)
    TEMPERATURE = 1.0
    assert compiled == eager and f.replays > 0


def test_a_global_named_as_an_attribute_the_step_uses_is_no_guard_and_a_change_at_every_call_gives_up():
    """`for step in range(...)` beside `opt.step()`: the loop's step is not what the step reads.
    And a setting changed at every call (a trace each time, no replay) runs eagerly for good."""
    namespace = {"torch": torch, "nn": nn, "optim": optim}
    exec(
        "X, y, model = None, None, None\n"
        "def train_step(x, t):\n"
        "    opt.zero_grad()\n"
        "    loss = nn.functional.mse_loss(model(x), t)\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    return loss\n",
        namespace,
    )
    X, y, model = setup()
    namespace.update(model=model, opt=optim.SGD(model.parameters(), lr=0.1))
    f = torch.compile(namespace["train_step"])
    for step in range(6):
        namespace["step"] = step  # what the loop variable of a notebook cell does to its globals
        f(X, y)
    assert f.replays >= 4
    for i in range(6):
        namespace["opt"].param_groups[0]["lr"] = 0.1 / (i + 1)  # a new lr before every call
        f(X, y)
    assert "runs eagerly" in repr(f) and " in a row " in repr(f)


def test_a_step_that_clips_its_gradients_replays_with_the_eager_numbers(backend):
    """clip_grad_norm_ is tensor ops (PyTorch's way): its coefficient is computed at each replay,
    also when the norm grows past max_norm after the trace (a Python number would stay 1.0)."""

    def loop(compile):
        X, y, model = setup()
        opt = optim.SGD(model.parameters(), lr=0.1, maximize=True)  # ascent: the norm grows

        def step(x, t):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), t)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.9)
            opt.step()
            return loss

        f = compile(step)
        return numbers(model, [f(X, y).item() for _ in range(12)])

    eager, compiled, f = twin(loop)
    assert compiled == eager and f.replays == 10


def test_a_cross_entropy_step_and_an_argmax_accuracy_replay():
    """max's positions come from the backend as an array (not Python numbers), so the program
    recomputes them: cross entropy's stabilising max and an accuracy by argmax replay, bitwise."""
    before = torch.get_backend()
    torch.set_backend("numpy")
    try:

        def loop(compile):
            torch.manual_seed(0)
            X, labels = torch.randn(16, 3), torch.tensor([0, 1, 2, 1] * 4)
            model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 3))
            opt = optim.SGD(model.parameters(), lr=0.5)

            def step(x, t):
                opt.zero_grad()
                out = model(x)
                loss = nn.functional.cross_entropy(out, t)
                loss.backward()
                opt.step()
                return loss, (out.argmax(1) == t).float().mean()

            f = compile(step)
            results = [f(X, labels) for _ in range(8)]
            return numbers(model, [(loss.item(), accuracy.item()) for loss, accuracy in results])

        eager, compiled, f = twin(loop)
        assert compiled == eager and f.replays == 6
        assert len({accuracy for _, accuracy in compiled[0]}) > 1  # the accuracy changed as it trained
    finally:
        torch.set_backend(before)


def test_a_cross_entropy_step_over_minibatches_replays_for_every_batch():
    """The classes are picked by gather with the targets as an index array, and checked by one
    answer: a batch with other targets is the same program (it traced again at every batch)."""
    before = torch.get_backend()
    torch.set_backend("numpy")
    try:

        def loop(compile):
            torch.manual_seed(0)
            X, labels = torch.randn(32, 3), torch.randint(0, 3, (32,))
            model = nn.Linear(3, 3)
            opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
            criterion = nn.CrossEntropyLoss(ignore_index=2)

            def step(x, t):
                opt.zero_grad()
                loss = criterion(model(x), t)
                loss.backward()
                opt.step()
                return loss

            f = compile(step)
            losses = [f(X[i : i + 8], labels[i : i + 8]).item() for _ in range(3) for i in range(0, 32, 8)]
            return numbers(model, losses)

        eager, compiled, f = twin(loop)
        assert compiled == eager and f.replays == 9  # the targets and the ignored count change by batch
        with pytest.raises(IndexError, match="Target 5 is out of bounds"):
            nn.functional.cross_entropy(torch.randn(2, 3), torch.tensor([0, 5]))
    finally:
        torch.set_backend(before)
