"""draw(step.program): the picture of a compiled program, on both backends."""

import shutil

import pytest

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.demo import SimpleNN
from micrograd_edu.viz import draw, save_graph

pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")


def compiled_tutorial(backend: str):
    torch.set_backend(backend)
    torch.manual_seed(0)
    X, y = torch.datasets.xor(backend=backend)
    model, criterion = SimpleNN(), nn.BCELoss()
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    def step(X, y):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
        return loss

    compiled = torch.compile(step)
    for _ in range(3):
        compiled(X, y)
    return compiled


@pytest.fixture(autouse=True)
def restore_backend():
    before = torch.get_backend()
    yield
    torch.set_backend(before)


def test_a_numpy_program_draws_each_live_primitive_and_array_it_passes():
    program = compiled_tutorial("numpy").program
    steps, slots = program.picture()
    source = draw(program).source
    live = [s for s in steps if s.live]
    assert sum(1 for s in live if s.phase == "update") == 12  # SGD momentum: 3 calls x 4 parameters
    assert source.count("→ vjp") == 1 + sum(1 for s in steps if s.made_by is not None)  # and the legend
    for name in ("model.fc1.weight", "model.fc2.bias.momentum_buffer", "linear", "sigmoid", "add_scaled"):
        assert f">{name}<" in source
    assert ">copy<" not in source  # dead (the copies made for viz's observer): left out, counted in the title
    n_dead = len(steps) - len(live)
    counts = "17 forward, 16 backward, 12 after backward"  # forward: BCELoss checks input and target
    assert f"{len(live)} primitives: {counts}; {n_dead} dead (not drawn)" in source
    assert source.count("style=dashed") >= 12  # each update in place, into the array it changes


def test_dead_primitives_are_drawn_when_asked():
    from micrograd_edu.viz.program import draw_program

    program = compiled_tutorial("numpy").program
    source = draw_program(program, dead=True).source
    assert ">copy<" in source and "dead: not replayed" in source


def test_a_python_program_draws_its_tape_as_one_box():
    program = compiled_tutorial("python").program
    source = draw(program).source
    assert "tape of 191 Values: forward and backward on floats" in source
    assert ">model.fc1.weight.grad<" in source and ">X<" in source
    assert "13 primitives: 12 after backward, 1 tape" in source


@needs_dot
def test_the_picture_renders(tmp_path):
    path = save_graph(draw(compiled_tutorial("numpy").program), tmp_path / "program.png")
    assert path.stat().st_size > 10_000


def test_the_recorder_draws_the_steps_run_eagerly_and_skips_replays_saying_how(tmp_path):
    from micrograd_edu.viz import Recorder

    def losses_of(record: bool):
        compiled = compiled_tutorial("numpy")  # 3 calls made: traces
        X, y = torch.datasets.xor(backend="numpy")
        recorder = Recorder(tmp_path / "run", level="tensor", every=2, steps=8, png=False)
        out = []
        for k in range(1, 9):
            step = compiled.__wrapped__ if record and recorder.will_draw(k) else compiled
            loss = step(X, y)
            recorder.step(loss)
            out.append(loss.item())
        return out, recorder, compiled

    with pytest.warns(UserWarning, match="has no graph to draw: it came from a compiled step's replay"):
        plain, recorder, compiled = losses_of(record=False)
    assert recorder.skipped == [1, 3, 5, 7, 8] and not recorder.frames and compiled.replays == 8
    drawn, recorder, compiled = losses_of(record=True)  # the recorded steps eager: no warning
    assert drawn == plain  # eager steps between replays change nothing: the same arrays, updated
    assert [step for step, _ in recorder.frames] == [1, 3, 5, 7, 8] and compiled.replays == 3


def test_a_recording_of_replays_only_says_why_nothing_was_drawn(tmp_path):
    from micrograd_edu.viz import Recorder

    compiled = compiled_tutorial("numpy")
    X, y = torch.datasets.xor(backend="numpy")
    recorder = Recorder(tmp_path / "run", level="tensor", png=False)
    with pytest.warns(UserWarning, match="no graph to draw"):
        recorder.step(compiled(X, y))
    with pytest.raises(RuntimeError, match=r"nothing was drawn: the losses of steps \[1\] had no graph"):
        recorder.finish()
