"""viz: the traced graph (counts, names, kinds, stable ids), rendering, Recorder and plots."""

import html
import io
import json
import re
import shutil

import pytest

import micrograd_edu as torch
from micrograd_edu import Value, nn, optim
from micrograd_edu.viz import Recorder, draw, save_graph, to_digraph, trace
from micrograd_edu.viz import graph as graph_module
from micrograd_edu.viz.graph import NO_GRAD, NOT_YET
from micrograd_edu.viz.labels import format_number

PIL = pytest.importorskip("PIL.Image")
pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")
# Through the `backend` fixture (conftest.py), for the pairs that exist: no Values on numpy.
PATHS_AND_LEVELS = [("python", "scalar"), ("python", "tensor"), ("numpy", "tensor")]
on_paths_and_levels = pytest.mark.parametrize(("backend", "level"), PATHS_AND_LEVELS, indirect=["backend"])


def neuron():
    """tanh(x1*w1 + x2*w2 + b), the classic one-neuron example (o = 0.7071)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc1(x).sigmoid()


def make_tiny(backend):
    """A one-layer model on one sample (and its label), on the given backend."""
    torch.set_backend(backend)
    torch.manual_seed(0)
    model = Tiny()
    X = torch.tensor([[1.0, -2.0]])
    y = torch.tensor([[1.0]])
    return model, X, y


def tiny_loss(model, X, y):
    """Mean squared error of the model on X."""
    return ((model(X) - y) ** 2).mean()


# ---- trace: counts, titles, names, kinds --------------------------------------------------------


def test_neuron_at_scalar_level():
    g = trace(neuron())
    assert (len(g.nodes), len(g.edges)) == (10, 9)
    assert [n.title for n in g.nodes] == ["x1", "w1", "*", "x2", "w2", "*", "+", "b", "+", "tanh  o"]
    assert [n.id for n in g.nodes] == [f"v{i}" for i in range(10)]
    assert ("v0", "v2") in g.edges and ("v8", "v9") in g.edges
    assert [n.kind for n in g.nodes].count("input") == 5
    assert g.nodes[-1].kind == "output"


def test_a_plain_list_of_values_marks_the_parameters():
    o = neuron()
    leaves = {v.label: v for v in torch.topological_order([o]) if not v._prev}
    g = trace(o, model=[leaves["w1"], leaves["w2"], leaves["b"]])
    kinds = {n.title: n.kind for n in g.nodes if n.title in leaves}
    assert kinds == {"x1": "input", "x2": "input", "w1": "parameter", "w2": "parameter", "b": "parameter"}


TENSOR_TITLES = ["X", "fc1.weight", "fc1.bias", "Addmm", "Sigmoid", "y", "Sub", "Pow", "Mean"]


def test_tiny_model_at_tensor_level(backend):
    model, X, y = make_tiny(backend)
    loss = tiny_loss(model, X, y)
    g = trace(loss, "tensor", model=model, names={"X": X, "y": y})
    assert (len(g.nodes), len(g.edges)) == (9, 8)
    assert [n.title for n in g.nodes] == TENSOR_TITLES
    kinds = {n.title: n.kind for n in g.nodes}
    assert kinds["fc1.weight"] == kinds["fc1.bias"] == "parameter"
    assert kinds["X"] == kinds["y"] == "input"
    assert kinds["Addmm"] == "intermediate" and kinds["Mean"] == "output"
    assert [n.shape for n in g.nodes][:5] == ["(1, 2)", "(1, 2)", "(1,)", "(1, 1)", "(1, 1)"]  # as t.shape


def test_after_backward_every_tensor_shows_the_gradient_that_reached_it(backend):
    model, X, y = make_tiny(backend)
    loss = tiny_loss(model, X, y)
    loss.backward()
    g = trace(loss, "tensor", model=model, names={"X": X, "y": y})
    shown = {n.title: n.grad for n in g.nodes}
    computed = ("Addmm", "Sigmoid", "Sub", "Pow", "Mean", "fc1.weight", "fc1.bias")
    assert all(shown[t] not in (NO_GRAD, NOT_YET) for t in computed)
    assert shown["X"] == shown["y"] == NO_GRAD  # data has no gradient: X.grad is None
    assert X.grad is None and y.grad is None


def test_before_backward_a_tensor_that_requires_grad_shows_none_yet(backend):
    model, X, y = make_tiny(backend)
    g = trace(tiny_loss(model, X, y), "tensor", model=model, names={"X": X, "y": y})
    shown = {n.title: n.grad for n in g.nodes}
    assert shown["fc1.weight"] == shown["Mean"] == NOT_YET and shown["X"] == NO_GRAD


def test_data_values_show_this_steps_gradient_not_a_sum_over_steps():
    model, X, y = make_tiny("python")
    for _ in range(3):
        model.zero_grad()
        tiny_loss(model, X, y).backward()
    once = [v.grad for v in X._data]
    tiny_loss(model, X, y).backward()
    assert [v.grad for v in X._data] == once


def test_tiny_model_at_scalar_level_on_the_python_path():
    model, X, y = make_tiny("python")
    g = trace(tiny_loss(model, X, y), "scalar", model=model, names={"X": X, "y": y})
    assert (len(g.nodes), len(g.edges)) == (15, 14)
    titles = [n.title for n in g.nodes]
    assert titles == [
        "X[0, 0]", "fc1.weight[0, 0]", "*", "X[0, 1]", "fc1.weight[0, 1]", "*", "+", "fc1.bias[0]", "+",
        "sigmoid", "y[0, 0]", "-", "**2", "1", "/",
    ]  # fmt: skip  # the mean divides by the count, as PyTorch does
    kinds = {n.title: n.kind for n in g.nodes}
    assert kinds["fc1.weight[0, 1]"] == "parameter"
    assert kinds["X[0, 1]"] == "input"
    assert kinds["1"] == "constant"
    assert kinds["sigmoid"] == "intermediate"
    assert g.nodes[-1].kind == "output"
    assert set(kinds.values()) == set(graph_module.KINDS)


def test_at_scalar_level_data_labels_and_constants_show_no_gradient():
    """The engine gives every Value a .grad, but X.grad is None: the picture agrees with the API."""
    model, X, y = make_tiny("python")
    loss = tiny_loss(model, X, y)
    loss.backward()
    g = trace(loss, "scalar", model=model, names={"X": X, "y": y})
    grads = {n.title: n.grad for n in g.nodes}
    assert grads["X[0, 0]"] == grads["X[0, 1]"] == grads["y[0, 0]"] == grads["1"] == NO_GRAD
    assert grads["fc1.weight[0, 1]"] == format_number(model.fc1.weight.grad.tolist()[0][1])
    assert all(n.shade == 0 for n in g.nodes if n.grad == NO_GRAD)
    source = to_digraph(g).source
    assert "requires_grad=False" in source  # the legend says what "no grad" means


def test_a_plain_value_graph_has_a_gradient_everywhere():
    """Without tensors there is no requires_grad: the engine gives every Value its gradient."""
    o = neuron()
    o.backward()
    assert all(n.grad not in (NO_GRAD, NOT_YET) for n in trace(o).nodes)


def test_bce_loss_names_every_box_as_a_student_would(backend):
    model, X, y = make_tiny(backend)
    loss = nn.BCELoss()(model(X), y)
    loss.backward()
    titles = [n.title for n in trace(loss, "tensor", model=model, names={"X": X, "y": y}).nodes]
    assert "1 - y" in titles and "1" in titles  # BCE's (1 - y) and the 1 of 1 - p
    assert not [t for t in titles if t.startswith("tensor") or not t]
    if backend == "python":
        scalar = [n.title for n in trace(loss, "scalar", model=model, names={"X": X, "y": y}).nodes]
        assert "(1 - y)[0, 0]" in scalar
        assert not [t for t in scalar if "tensor" in t or t == "const"]


def test_inputs_are_inputs_whether_or_not_they_require_grad():
    """Lesson 1 names x (which requires grad), lesson 3 draws labelled Values: both are inputs."""
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2 + 3 * x + 1
    y.backward()
    kinds = {n.title: n.kind for n in trace(y, names={"x": x}).nodes}
    assert kinds["x"] == "input"
    kinds = {n.title: n.kind for n in trace(neuron()).nodes}
    assert kinds["w1"] == kinds["x1"] == "input"


def test_numbers_never_print_minus_zero():
    assert format_number(-0.0) == format_number(0.0) == "0.0000"
    assert format_number(-0.5) == "-0.5000" and format_number(2e-5) == "+2.0e-05"
    x = Value(-0.0, label="x")
    assert "-0.0000" not in draw(x * 1.0).source


def test_the_legend_lists_only_what_is_drawn():
    o = neuron()  # inputs, computed Values and the output; no parameters, no constants yet
    legend = to_digraph(trace(o)).source
    assert "parameter" not in legend and "constant" not in legend and "no grad" not in legend
    assert "grad &gt; 0" not in legend  # nothing has a gradient before backward()
    o.backward()
    legend = to_digraph(trace(o, model=graph_module.topological_order([o])[:2])).source
    assert "parameter" in legend and "grad &gt; 0" in legend and "grad &lt; 0" in legend
    assert "its _backward runs" not in legend


def test_scalar_level_of_a_numpy_tensor_says_what_to_do():
    model, X, y = make_tiny("numpy")
    with pytest.raises(ValueError, match="level='tensor'.*backend='python'"):
        trace(tiny_loss(model, X, y), "scalar")


def test_bad_level_and_root():
    with pytest.raises(ValueError, match="level must be"):
        trace(neuron(), "vector")
    with pytest.raises(TypeError, match="Value or a Tensor"):
        trace(3.0)
    with pytest.raises(ValueError, match="needs a Tensor"):
        trace(neuron(), "tensor")


@on_paths_and_levels
def test_same_ids_and_edges_at_two_training_steps(backend, level):
    model, X, y = make_tiny(backend)
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    traced = []
    for _ in range(2):
        loss = tiny_loss(model, X, y)
        optimizer.zero_grad()
        loss.backward()
        traced.append(trace(loss, level, model=model, names={"X": X, "y": y}))
        optimizer.step()
    first, second = traced
    assert [(n.id, n.title, n.kind) for n in first.nodes] == [(n.id, n.title, n.kind) for n in second.nodes]
    assert first.edges == second.edges
    assert [n.data for n in first.nodes] != [n.data for n in second.nodes]  # it did train


# ---- rendering ------------------------------------------------------------------------------------


@needs_dot
def test_labels_are_escaped(tmp_path):
    nasty = 'a{b}|<c>&"d"'
    x = Value(1.0, label=nasty)
    dot = draw(x * 2, title=f"title {nasty}")
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', dot.source)  # names are DOT strings: quoted
    assert "&lt;c&gt;&amp;&quot;d&quot;" in unquoted and "<c>" not in unquoted  # labels: escaped
    svg = save_graph(dot, tmp_path / "nasty.svg").read_text()
    assert "&lt;c&gt;" in svg and "<c>" not in svg
    whole = Value(1.0, label="<b>")  # a name that looks like an HTML-like label stays a name
    save_graph(draw(whole * 2, title="<i>"), tmp_path / "html.svg")


def test_too_large_a_graph_says_how_to_draw_it():
    x = Value(1.0)
    for _ in range(graph_module.MAX_NODES // 2 + 1):
        x = x + 1.0
    with pytest.raises(ValueError, match="MAX_NODES") as error:
        trace(x)
    assert "level='tensor'" in str(error.value)


@needs_dot
def test_svg_tooltips_name_each_box_and_the_graph(tmp_path):
    model, X, y = make_tiny("python")
    loss = tiny_loss(model, X, y)
    loss.backward()
    dot = draw(loss, level="tensor", model=model, names={"X": X, "y": y}, title="tiny\nsecond line")
    svg = save_graph(dot, tmp_path / "g.svg").read_text()
    titles = re.findall(r"<title>(.*?)</title>", svg)
    assert titles[0] == "tiny" and "fc1.weight" in titles and "Addmm" in titles
    assert not [t for t in titles if re.fullmatch(r"%\d+|[vt]\d+", t)]
    assert 'xlink:title="fc1.weight (1, 2)' in svg  # the hover text holds every number


def test_save_graph_wants_a_picture_suffix(tmp_path):
    dot = draw(neuron())
    for bad in ("mine", "mine.txt"):
        with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf, e\.g\. mine\.png"):
            save_graph(dot, tmp_path / bad)
    with pytest.raises(ValueError, match="format='jpeg2'"):
        save_graph(dot, tmp_path / "mine.png", format="jpeg2")
    assert not any(tmp_path.iterdir())


@needs_dot
def test_save_graph_writes_svg_and_png_and_no_temp_files(tmp_path):
    dot = draw(neuron())
    svg = save_graph(dot, tmp_path / "g.svg")
    png = save_graph(dot, tmp_path / "g.png")
    assert svg.read_text().lstrip().startswith("<?xml")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "g.svg"]


def test_without_dot_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    dot = draw(neuron())
    with pytest.raises(RuntimeError) as error:
        save_graph(dot, tmp_path / "g.svg")
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew" in message and "conda" in message
    assert "digraph" in dot.source and "tanh" in dot.source
    assert not (tmp_path / "g.svg").exists()


def test_highlight_is_drawn():
    g = trace(neuron())
    g.nodes[2].highlight, g.nodes[0].highlight = "active", "receiving"
    source = to_digraph(g).source
    assert source.count('border="4"') == 2  # the node and its legend entry
    assert graph_module.HIGHLIGHTS["receiving"][0] in source


# ---- Recorder ---------------------------------------------------------------------------------------


def train_and_record(tmp_path, backend, level, steps=6, every=2):
    model, X, y = make_tiny(backend)
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    recorder = Recorder(tmp_path / "run", level=level, every=every, model=model, names={"X": X, "y": y})
    for _ in range(steps):
        loss = tiny_loss(model, X, y)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
        optimizer.step()
    return recorder, recorder.finish()


@needs_dot
@on_paths_and_levels
def test_recorder_on_a_short_run(tmp_path, backend, level):
    recorder, written = train_and_record(tmp_path, backend, level)
    run = tmp_path / "run"
    assert [step for step, _ in recorder.frames] == [1, 3, 5]
    frames = [f"step_{s:04d}.{ext}" for s in (1, 3, 5) for ext in ("png", "svg")]
    assert sorted(p.name for p in (run / "frames").iterdir()) == [".micrograd_edu_frames", *frames]
    assert sorted((run / "frames" / ".micrograd_edu_frames").read_text().split()) == frames  # its own
    with PIL.open(written["gif"]) as gif:
        assert gif.n_frames == 3
        sizes = set()
        for i in range(gif.n_frames):
            gif.seek(i)
            sizes.add(gif.size)
        assert len(sizes) == 1
    page = written["replay"].read_text()
    frames = json.loads(re.search(r"const frames = (.*);\n", page).group(1))
    assert len(frames) == 3 and all(f.startswith("<svg") for f in frames)
    explored = level == "tensor"  # at scalar level backward() released the Values the explorer would need
    assert page.count('href="explorer.html"') == explored and (run / "explorer.html").exists() == explored
    page = page.replace('href="explorer.html"', "")  # else self-contained: no file or network it loads
    assert "src=" not in page and "href=" not in page
    assert all(url.startswith("http://www.w3.org/") for url in re.findall(r"https?://[^\"'\s]*", page))
    assert (run / "loss.png").exists() and written["loss"] == run / "loss.png"
    assert len(recorder.losses) == 6


@needs_dot
def test_a_new_recording_replaces_the_last_ones_frames_and_only_those(tmp_path):
    train_and_record(tmp_path, "python", "tensor", steps=9, every=2)  # frames 1, 3, 5, 7, 9
    frames = tmp_path / "run" / "frames"
    (frames / "notes.txt").write_text("mine")  # the user's own files, beside the frames
    (frames / "step_9999.svg").write_text("not the recorder's: it never listed it")
    recorder, written = train_and_record(tmp_path, "python", "tensor", steps=3, every=2)  # frames 1, 3
    assert sorted(p.name for p in frames.iterdir()) == [
        ".micrograd_edu_frames", "notes.txt", "step_0001.png", "step_0001.svg", "step_0003.png",
        "step_0003.svg", "step_9999.svg",
    ]  # fmt: skip
    with PIL.open(written["gif"]) as gif:
        assert gif.n_frames == 2


@needs_dot
def test_the_last_step_is_drawn_and_the_gif_rests_on_it(tmp_path):
    model, X, y = make_tiny("python")
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    recorder = Recorder(tmp_path, level="tensor", every=4, steps=10, model=model, names={"X": X, "y": y})
    assert recorder.frames_planned() == 4
    for _ in range(10):
        loss = tiny_loss(model, X, y)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
        optimizer.step()
    written = recorder.finish()
    assert [step for step, _ in recorder.frames] == [1, 5, 9, 10]
    last = html.unescape(recorder.frames[-1][1].read_text()).replace("\xa0", " ")
    assert f"step 10 of 10   loss {recorder.losses[-1]:.4f}" in last
    with PIL.open(written["gif"]) as gif:
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
    assert durations == [1000, 1000, 1000, 3000]  # a second a frame, three on the trained model


@needs_dot
def test_the_gif_keeps_the_pictures_colours(tmp_path):
    """One palette made from every frame: the legend's red and blue, the boxes' fills stay
    what they are in the PNG (within 1/255), in every frame."""
    _, written = train_and_record(tmp_path, "python", "tensor")
    pngs = sorted((tmp_path / "run" / "frames").glob("*.png"))
    colours = [(248, 113, 113), (96, 165, 250), (253, 230, 138), (219, 234, 254), (255, 255, 255)]
    with PIL.open(written["gif"]) as gif:
        for i, path in enumerate(pngs):
            gif.seek(i)
            frame, png = gif.convert("RGB"), PIL.open(path).convert("RGB")
            assert frame.size == png.size  # small frames are not scaled
            ours, theirs = png.load(), frame.load()
            for colour in colours:
                spots = [
                    (x, y)
                    for x in range(0, png.width, 4)
                    for y in range(0, png.height, 4)
                    if ours[x, y] == colour
                ]
                assert spots, colour
                assert max(max(abs(a - b) for a, b in zip(theirs[p], colour)) for p in spots) <= 1, colour


def test_a_gif_is_shrunk_only_while_its_text_stays_readable():
    from micrograd_edu.viz.record import FRAME_TEXT, GIF_MIN_TEXT, gif_scale

    assert gif_scale(1185) == 1.0
    assert gif_scale(1700) == pytest.approx(1600 / 1700)
    assert gif_scale(4360) * FRAME_TEXT == pytest.approx(GIF_MIN_TEXT)  # the scalar level: no further


def test_recorder_errors(tmp_path):
    with pytest.raises(ValueError, match="level"):
        Recorder(tmp_path, level="vector")
    for every in (0, -1, 1.5):
        with pytest.raises(ValueError, match="every"):
            Recorder(tmp_path, every=every)
    with pytest.raises(RuntimeError, match="nothing was recorded"):
        Recorder(tmp_path).finish()
    with pytest.raises(ValueError, match="steps"):
        Recorder(tmp_path, steps=0)


# ---- plots --------------------------------------------------------------------------------------


def test_plots_return_figures_and_save(tmp_path):
    from matplotlib.figure import Figure

    from micrograd_edu.viz import decision_boundary, histograms, loss_axes, save_figure

    model, X, y = make_tiny("python")
    tiny_loss(model, X, y).backward()
    fig, _ = loss_axes([1.0, 0.5, 0.25], accuracies=[0.0, 0.5, 1.0])
    figures = [fig, decision_boundary(model, X, y, resolution=8), histograms(model)]
    assert all(isinstance(f, Figure) for f in figures)
    for name, f in zip(["loss.png", "boundary.svg", "hist.png"], figures):
        assert save_figure(f, tmp_path / name).stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boundary.svg", "hist.png", "loss.png"]


def test_plots_are_sized_for_a_projector(tmp_path):
    from micrograd_edu.viz import loss_axes, save_figure

    path = save_figure(loss_axes([0.7, 0.5, 0.1])[0], tmp_path / "loss.png")
    assert PIL.open(path).size == (1600, 900)


def test_save_figure_wants_a_picture_suffix(tmp_path):
    from micrograd_edu.viz import loss_axes, save_figure

    with pytest.raises(ValueError, match=r"has no suffix.*e\.g\. loss\.png"):
        save_figure(loss_axes([1.0])[0], tmp_path / "loss")
    assert not any(tmp_path.iterdir())


def test_few_parameters_get_a_bar_each_and_the_step_is_named():
    from micrograd_edu.viz import histograms

    model, X, y = make_tiny("python")
    tiny_loss(model, X, y).backward()
    fig = histograms(model, step=7)
    assert fig.get_suptitle() == "the parameters and their gradients at step 7"
    weight, bias = fig.axes[0], fig.axes[1]
    assert len(weight.patches) == 2 and len(bias.patches) == 1  # fc1.weight has 2 numbers, fc1.bias 1
    assert [t.get_text() for t in weight.get_xticklabels()] == ["0,0", "0,1"]
    assert all("e" not in t.get_text() or t.get_text().count("e") == 1 for t in fig.axes[2].get_yticklabels())
    assert not fig.axes[2].yaxis.get_offset_text().get_text()  # no "1e-4" above the axis


def test_the_decision_boundary_of_three_classes(backend):
    from micrograd_edu.viz import decision_boundary

    torch.manual_seed(0)
    X, y = torch.data.spiral(30, classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    fig = decision_boundary(model, X, y, resolution=10)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "class 2", "predicted 0", "predicted 1", "predicted 2"]
    assert fig.axes[0].get_xlabel() == "X[:, 0]" and "largest" in fig.axes[0].get_title()
    binary = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    with pytest.raises(ValueError, match="3 classes, but the model has one output"):
        decision_boundary(binary, X, y)


def test_install_hints_are_right_for_a_clone():
    from pathlib import Path

    from micrograd_edu.viz.install import install_hint

    root = Path(__file__).resolve().parents[1]
    assert install_hint("viz") == f'pip install -e "{root}[viz]"'  # this test runs in a clone


def test_a_big_gifs_small_swatches_keep_their_colour(tmp_path):
    """A shrunk GIF of many blended colours (a scalar-level graph) still has the legend's red
    and blue exactly: the palette keeps the pictures' own colours however few pixels they have."""
    from micrograd_edu.viz.record import gif_bytes

    red, blue = (248, 113, 113), (96, 165, 250)
    pngs = []
    for i in range(3):
        noise = [PIL.effect_noise((2400, 600), 60 + 10 * i) for _ in range(3)]
        frame = PIL.merge("RGB", noise)
        frame.paste(red, (40, 40, 70, 60))
        frame.paste(blue, (80, 40, 110, 60))
        pngs.append(tmp_path / f"{i}.png")
        frame.save(pngs[-1])
    gif = PIL.open(io.BytesIO(gif_bytes(pngs, fps=1.0)))
    for i in range(3):
        gif.seek(i)
        pixels = gif.convert("RGB")
        assert pixels.width < 2400  # shrunk to fit
        inside = {pixels.getpixel((50, 45)), pixels.getpixel((90, 45))}
        assert inside == {red, blue}


def test_a_value_with_no_gradient_yet_says_so():
    x = Value(2.0, label="x")
    x.grad = None  # the engine's "no gradient yet"
    nodes = {n.title: n for n in trace(x * 3).nodes}
    assert nodes["x"].grad == NOT_YET and nodes["x"].shade == 0
    assert "not computed yet" in nodes["x"].tooltip


def test_a_small_constant_tensor_is_called_by_its_numbers(backend):
    x = torch.tensor([-2.0, 1.5], requires_grad=True)
    loss = (x * torch.tensor([1.0, 2.0])).sum()
    assert "[1, 2]" in [n.title for n in trace(loss, "tensor", names={"x": x}).nodes]
    if backend == "python":
        titles = [n.title for n in trace(loss, names={"x": x}).nodes]
        assert "1" in titles and "2" in titles and not [t for t in titles if "constant" in t]


class _Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid()


def test_a_custom_function_is_one_box_with_no_numbers_of_its_own():
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    y = _Softplus.apply(x).sum()
    y.backward()
    graph = trace(y, level="scalar")
    hub = [node for node in graph.nodes if node.title == "_Softplus.apply"]
    assert len(hub) == 1 and hub[0].data == "" and hub[0].shade == 0.0
    assert "backward on tensors" in to_digraph(graph).source
    outputs = [node for node in graph.nodes if node.title.startswith("_Softplus[")]
    assert [node.grad for node in outputs] == [format_number(1.0)] * 2


def test_the_backward_walkthrough_says_it_cannot_step_through_a_custom_function():
    from micrograd_edu.viz import backward_steps

    x = torch.tensor([0.5, -1.0], requires_grad=True)
    with pytest.raises(ValueError, match="custom autograd.Function _Softplus"):
        backward_steps(_Softplus.apply(x).sum())
