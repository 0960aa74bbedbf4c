"""Faults: a save killed at any moment, Ctrl-C in the middle of training or a lesson, files that
are not what they seem, numbers that blew up, labels full of control characters. Each leaves
the old file or the new one and no junk, stops with one clear line, or draws what is there.

Linux (POSIX signals, /dev/urandom, /proc); elsewhere these tests are skipped.
"""

import html
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import micrograd_edu as torch
from micrograd_edu import Value, files, nn

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals, /dev and /proc as Linux has them")


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


N = 20_000  # numbers in the checkpoint the killed writer saves: ~400 kB of JSON, a few ms to write


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def checkpoint(version: int) -> dict:
    return {"version": version, "w": torch.full((N,), float(version))}


def assert_whole(path: Path) -> int:
    """The file is one complete version: every number in it is its version number."""
    state = torch.load(path)
    assert set(state["w"].tolist()) == {float(state["version"])}
    return state["version"]


def child(script: str, *args: str) -> subprocess.Popen:
    """A Python process running `script`, which prints "ready" when it starts its work."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "ready\n", process.stderr.read()
    return process


SAVE_FOREVER = f"""
import sys
import micrograd_edu as torch
path, version = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
while True:
    version += 1
    torch.save({{"version": version, "w": torch.full(({N},), float(version))}}, path)
"""


def test_a_save_killed_at_random_moments_leaves_a_whole_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "checkpoint.json"
    torch.save(checkpoint(0), path)
    draw = random.Random(0)
    version, left_behind = 0, 0
    for _ in range(20):
        writer = child(SAVE_FOREVER, str(path), str(version))
        time.sleep(draw.uniform(0.0, 0.08))
        writer.kill()  # SIGKILL: no handler, no finally, nothing tidies up
        writer.wait()
        writer.stdout.close()
        writer.stderr.close()
        found = assert_whole(path)  # the old version or a newer one, complete
        assert found >= version
        version = found
        left_behind += bool(temporaries(tmp_path))
        version += 1
        torch.save(checkpoint(version), path)  # the next save sweeps what the killed one left
        assert temporaries(tmp_path) == []
    assert assert_whole(path) == version


KILLED_WHILE_WRITING = """
import os, sys, time
import micrograd_edu as torch
def stuck(fd):
    print("ready", flush=True)
    time.sleep(60)
os.fsync = stuck  # the data is in the temporary file, not yet renamed into place
torch.save({"version": 2, "w": torch.full((10,), 2.0)}, sys.argv[1])
"""


def test_the_next_save_removes_what_a_killed_save_left_and_nothing_else(tmp_path):
    path = tmp_path / "model.json"
    torch.save({"version": 1, "w": torch.full((10,), 1.0)}, path)
    writer = child(KILLED_WHILE_WRITING, str(path))
    writer.kill()
    writer.wait()
    writer.stdout.close()
    writer.stderr.close()
    [left] = temporaries(tmp_path)
    assert left.startswith(f".model.json.{writer.pid}-")
    assert assert_whole(path) == 1  # the old file, untouched
    old_style = tmp_path / ".model.json.abcd1234.tmp"  # from before the pid was in the name
    old_style.write_text("{")
    os.utime(old_style, (time.time() - 2 * files.STALE_AFTER,) * 2)
    fresh_old_style = tmp_path / ".model.json.wxyz5678.tmp"  # maybe an older writer, still at work
    fresh_old_style.write_text("{")
    alive = tmp_path / f".model.json.{os.getpid()}-zzzzzzzz.tmp"  # another thread's, at work now
    alive.write_text("{")
    other = tmp_path / f".other.json.{writer.pid}-qqqqqqqq.tmp"  # another file's: not this save's
    other.write_text("{")
    torch.save({"version": 3, "w": torch.full((10,), 3.0)}, path)
    assert temporaries(tmp_path) == sorted([alive.name, other.name, fresh_old_style.name])
    assert assert_whole(path) == 3


def test_threads_saving_and_loading_one_file_see_only_whole_files(tmp_path):
    path = tmp_path / "shared.json"
    torch.save(checkpoint(0), path)
    errors: list[BaseException] = []

    def save(first: int) -> None:
        try:
            for version in range(first, first + 5):
                torch.save(checkpoint(version), path)
                assert_whole(path)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=save, args=(100 * k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert assert_whole(path) % 100 == 4  # some thread's last save
    assert temporaries(tmp_path) == []


def test_a_save_into_a_folder_says_so(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder: name a file in it"):
        torch.save({"w": torch.ones(1)}, tmp_path)
    assert list(tmp_path.iterdir()) == []


# ---- files that are not what they seem ---------------------------------------------------------------


def test_a_bomb_of_brackets_is_refused_by_name_not_with_a_recursion_error(tmp_path):
    for bomb in ("[" * 100_000 + "]" * 100_000, '{"a": ' * 100_000 + "1" + "}" * 100_000):
        path = tmp_path / "bomb.json"
        path.write_text(bomb)
        with pytest.raises(ValueError, match="nested too deep") as e:
            torch.load(path)
        assert str(path) in str(e.value)


def test_nesting_deeper_than_a_checkpoint_needs_is_refused_when_saved_and_when_loaded(tmp_path):
    deep: list = []
    inner = deep
    for _ in range(300):
        inner.append([])
        inner = inner[0]
    with pytest.raises(ValueError, match="nested more than 100 lists, tuples and dicts deep"):
        torch.save(deep, tmp_path / "deep.json")
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "handmade.json"  # deep enough for the loader, not for JSON's own limit
    path.write_text(
        '{"format": "micrograd_edu.checkpoint", "version": 1, "object": ' + "[" * 300 + "]" * 300 + "}"
    )
    with pytest.raises(ValueError, match=f"{path}: .* nested more than 100"):
        torch.load(path)
    torch.save([[[1]]], path)  # a little nesting is fine
    assert torch.load(path) == [[[1]]]


def test_load_reads_at_most_max_bytes(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    torch.save({"w": torch.zeros(500)}, path)
    size = path.stat().st_size
    with pytest.raises(
        ValueError, match=rf"larger than the 1,000 bytes load reads at most \(it is {size:,} bytes\)"
    ):
        torch.load(path, max_bytes=1000)
    assert torch.load(path, max_bytes=size)["w"].shape == (500,)
    monkeypatch.setattr(torch.serialization, "MAX_BYTES", size - 1)
    with pytest.raises(
        ValueError, match=r"load\(f, max_bytes=...\), or raise micrograd_edu.serialization.MAX_BYTES"
    ):
        torch.load(path)
    for bad in (0, -1, 1.5, True, "100"):
        with pytest.raises(ValueError, match=f"max_bytes must be a whole number of bytes >= 1, got {bad!r}"):
            torch.load(path, max_bytes=bad)


def test_an_endless_stream_is_read_only_up_to_the_limit(tmp_path):
    started = time.perf_counter()
    with pytest.raises(ValueError, match="/dev/urandom is a device, not a file torch.save wrote"):
        torch.load("/dev/urandom")
    with (
        open("/dev/urandom", "rb") as stream,
        pytest.raises(ValueError, match="larger than the 10,000 bytes"),
    ):
        torch.load(stream, max_bytes=10_000)
    assert time.perf_counter() - started < 2


def test_a_pipe_by_name_is_refused_without_waiting_for_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    keep_open = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer that never finishes
    outcome: list = []

    def load() -> None:
        try:
            torch.load(fifo)
        except ValueError as e:
            outcome.append(e)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=5)
    os.close(keep_open)
    assert outcome and "is a pipe, not a file torch.save wrote" in str(outcome[0])


def test_open_files_and_streams_save_and_load(tmp_path):
    import io

    buffer = io.BytesIO()
    torch.save({"w": torch.tensor([1.0, 2.0]), 3: (4, 5)}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer)
    assert loaded["w"].tolist() == [1.0, 2.0] and loaded[3] == (4, 5)
    with open(tmp_path / "text.json", "w") as f:
        torch.save([1, 2], f)
    with open(tmp_path / "text.json") as f:
        assert torch.load(f) == [1, 2]
    for bad in (None, 3, ["model.json"]):
        with pytest.raises(TypeError, match="f must be a file name .* or an open file, got"):
            torch.save({}, bad)
        with pytest.raises(TypeError, match="f must be a file name .* or an open file, got"):
            torch.load(bad)


def pytorch_checkpoint(path: Path) -> None:
    """A file as PyTorch's torch.save writes it: a zip archive with the pickle in data.pkl."""
    try:
        import torch as real_torch
    except ImportError:  # the same layout, made by hand
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("model/data.pkl", b"\x80\x02}q\x00.")
            archive.writestr("model/version", "3\n")
        return
    real_torch.save({"w": real_torch.zeros(2)}, path)


def checkpoint_file(obj: str) -> bytes:
    return b'{"format": "micrograd_edu.checkpoint", "version": 1, "object": ' + obj.encode() + b"}"


def weights_file(entry: str) -> bytes:
    return b'{"format": "micrograd_edu.state_dict", "version": 1, "tensors": {"w": ' + entry.encode() + b"}}"


@pytest.mark.parametrize(
    "content, says",
    [
        (b"", "is empty, not a micrograd_edu weights file"),
        (b"  \n\t\n", "is empty, not a micrograd_edu weights file"),
        (bytes(range(256)) * 4, "it is a binary file, not the JSON text that torch.save writes"),
        (b'{"format": "micrograd_edu.state_dict"\x00}', "it is a binary file"),
        (b"\x80\x04\x95\x10\x00\x00\x00", "it is a Python pickle .*micrograd_edu reads the JSON files"),
        (
            b"PK\x03\x04not really a zip",
            r"it is a zip archive \(PyTorch's torch.save writes its pickles in one\)",
        ),
        (b"\x93NUMPY\x01\x00", "it is a numpy array file .*numpy.load"),
        (b"\x1f\x8b\x08\x00", "it is gzip-compressed: uncompress it first"),
        (
            b'{"format": "micrograd_edu.checkpoint", "version": 2, "object": 1}',
            "written by a newer micrograd_edu",
        ),
        (checkpoint_file("[1, 2}"), "not valid JSON"),
        (b"[" + b"1" * 5000 + b"]", "Exceeds the limit"),  # Python reads no int of 5000 digits
        (checkpoint_file('{"items": [[1]]}'), "must be .key, value. pairs"),
        (checkpoint_file('{"items": 3}'), "must be .key, value. pairs"),
        (checkpoint_file('{"items": [[[1], 2]]}'), "it has a key \\[1\\]"),
        (checkpoint_file('{"tuple": 3}'), "a tuple's items must be a list"),
        (weights_file('{"shape": "3", "data": [1]}'), "is not a list of sizes"),
        (weights_file('{"shape": [-1], "data": []}'), "is not a list of sizes"),
        (weights_file('{"shape": [0, 2], "data": [[]]}'), r"shape \[0, 2\] but its data has shape \[1, 0\]"),
        (weights_file('{"shape": [1], "dtype": "float128", "data": [1]}'), "float128"),
        (
            weights_file('{"shape": [1], "dtype": "int64", "data": [1e400]}'),
            "its data holds inf, not a whole",
        ),
        (weights_file('{"shape": [1], "dtype": "int64", "data": [1.5]}'), "its data holds 1.5, not a whole"),
        (
            weights_file('{"shape": [1], "dtype": "int64", "data": [9223372036854775808]}'),
            "from -9223372036854775808",
        ),
        (weights_file('{"shape": [1], "dtype": "int32", "data": [2147483648]}'), "to 2147483647"),
        (
            weights_file('{"shape": [2], "dtype": "bool", "data": [true, 1]}'),
            "its dtype is bool, but its data holds 1",
        ),
        (
            weights_file('{"shape": [1], "requires_grad": 1, "data": [1.0]}'),
            "its requires_grad is 1, not true",
        ),
        (
            weights_file('{"shape": [1], "dtype": "int64", "requires_grad": true, "data": [1]}'),
            "it requires grad",
        ),
    ],
)
def test_a_file_that_is_not_a_micrograd_edu_file_says_what_it_is(content, says, tmp_path):
    path = tmp_path / "weights.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=says) as e:
        torch.load(path)
    assert str(path) in str(e.value)


def test_a_pytorch_checkpoint_is_named_and_the_way_over_is_given(tmp_path):
    path = tmp_path / "model.pt"
    pytorch_checkpoint(path)
    with pytest.raises(ValueError) as e:
        torch.load(path)
    said = str(e.value)
    assert said.startswith(f"{path} is not a micrograd_edu weights file: it is a PyTorch checkpoint")
    assert "micrograd_edu reads the JSON files its own torch.save writes, not PyTorch's pickles" in said
    assert "load_state_dict" in said


def test_a_file_cut_short_anywhere_says_it_ends_early(tmp_path):
    path = tmp_path / "model.json"
    torch.save({"fc.weight": torch.tensor([[0.25, -1.5]]), "fc.bias": torch.tensor([3.0])}, path)
    whole = path.read_bytes()
    for end in range(1, len(whole) - 3):  # the last bytes are "}}\n": cut there, the JSON still ends
        path.write_bytes(whole[:end])
        with pytest.raises(ValueError, match="it ends early") as e:
            torch.load(path)
        assert str(path) in str(e.value), end
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder, not a file torch.save wrote"):
        torch.load(folder)
    with pytest.raises(FileNotFoundError):
        torch.load(tmp_path / "missing.json")


# ---- what goes in comes out ----------------------------------------------------------------------


DTYPES = [torch.float64, torch.float32, torch.int64, torch.int32, torch.bool]
EMPTY_SHAPES = [(0,), (0, 3), (3, 0), (2, 0, 3), (1, 1, 0)]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_a_tensor_with_no_numbers_round_trips_with_its_shape_and_dtype(backend, dtype, tmp_path):
    path = tmp_path / "empty.json"
    for shape in EMPTY_SHAPES:
        t = torch.zeros(shape, dtype=dtype)
        torch.save(t, path)  # as the checkpoint's one object
        back = torch.load(path)
        assert (back.shape, back.dtype, back.backend) == (t.shape, dtype, backend), shape
        torch.save({"w": t, "b": torch.ones(2, dtype=dtype)}, path)  # in a state_dict
        back = torch.load(path)["w"]
        assert (back.shape, back.dtype) == (t.shape, dtype), shape
        torch.save({"nested": [t]}, path)
        assert torch.load(path)["nested"][0].shape == t.shape


def test_requires_grad_comes_back_as_pytorch_keeps_it(backend, tmp_path):
    path = tmp_path / "leaf.json"
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.save({"w": w, "empty": torch.zeros(0, 2, requires_grad=True), "n": torch.tensor([1])}, path)
    back = torch.load(path)
    assert back["w"].requires_grad and back["w"].is_leaf and back["empty"].requires_grad
    assert not back["n"].requires_grad
    (back["w"] * 3).sum().backward()
    assert back["w"].grad.tolist() == [3.0, 3.0]
    torch.save(nn.Linear(2, 1), path)  # a state_dict's tensors do not require grad: no such field
    assert "requires_grad" not in path.read_text()


def test_keys_come_back_as_the_types_they_were(tmp_path):
    path = tmp_path / "keys.json"
    t = torch.ones(1)
    for obj in [
        {1: t},  # all tensors, but not all names: not a state_dict
        {0: t, 1: torch.zeros(2)},
        {"a": {1: t}},
        {(0, 1): 2, 0.5: 3, True: 4, None: 5, -7: 6, "s": 7, (1, (2, "x")): 8},
        {"tensor": 1, "tuple": [2], "items": 3},  # the names the format itself uses
        [{2: "two"}, ({3: (4,)},)],
    ]:
        torch.save(obj, path)
        back = torch.load(path)
        assert _plain(back) == _plain(obj)
        assert [type(k) for k in _keys(back)] == [type(k) for k in _keys(obj)]


def _keys(x):
    if isinstance(x, dict):
        return [k for key, v in x.items() for k in (key, *_keys(v))]
    if isinstance(x, (list, tuple)):
        return [k for v in x for k in _keys(v)]
    return []


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    return ("tensor", x.tolist()) if isinstance(x, torch.Tensor) else x


@pytest.mark.parametrize("key", [torch.ones(1), frozenset({1}), object(), (1, frozenset())])
def test_a_key_that_cannot_be_written_is_refused_when_saved(key, tmp_path):
    with pytest.raises(
        TypeError, match=r"obj has a key .* of type \w+; a key save\(\) can write is a str, int"
    ):
        torch.save({key: 1}, tmp_path / "keys.json")
    assert list(tmp_path.iterdir()) == []


# ---- numbers that blew up, labels full of control characters -------------------------------------

needs_pictures = pytest.mark.skipif(
    shutil.which("dot") is None or not all(map(_importable, ("graphviz", "matplotlib", "PIL"))),
    reason="pictures need graphviz's dot, the graphviz package, matplotlib and Pillow",
)


def valid_svg(path: Path) -> str:
    """The SVG's text (what it shows, and its tooltips), after checking that it is well-formed XML."""
    ElementTree.fromstring(path.read_bytes())
    return html.unescape(path.read_text())


def valid_png(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        image.verify()
        assert image.format == "PNG"


def drawn(dot, folder: Path, name: str = "graph") -> str:
    """Render `dot` as an SVG and a PNG, both checked; the SVG's text."""
    from micrograd_edu.viz import save_graph

    save_graph(dot, folder / f"{name}.png")
    valid_png(folder / f"{name}.png")
    return valid_svg(save_graph(dot, folder / f"{name}.svg"))


@needs_pictures
def test_an_overflow_is_drawn_as_inf_in_boxes_marked_as_a_warning(tmp_path):
    from micrograd_edu.viz import draw
    from micrograd_edu.viz.labels import WARNING_BORDER, WARNING_FILL

    x = Value(1e308, label="x")
    y = x * x * 10  # x * x overflows to inf; its gradient is inf too
    y.label = "y"
    y.backward()
    svg = drawn(draw(y), tmp_path)
    assert "+inf" in svg and "nan or inf" in svg  # the number, and the legend line
    assert WARNING_FILL in svg and WARNING_BORDER in svg
    z = Value(math.nan, label="z") * Value(2.0, label="w") + Value(-math.inf)
    z.backward()
    svg = drawn(draw(z, title="nan, inf and -inf"), tmp_path, "nan")
    assert "nan" in svg and "-inf" in svg


@needs_pictures
@pytest.mark.parametrize("backend", ["python", "numpy"], indirect=True)
def test_a_tensor_graph_with_nan_gradients_draws(backend, tmp_path):
    from micrograd_edu.viz import draw

    layer = nn.Linear(2, 3)
    layer.weight.data = torch.tensor([[1e308, 1.0], [math.nan, 0.5], [2.0, 3.0]])
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    loss = (layer(X) * 10).sum()
    loss.backward()
    svg = drawn(draw(loss, level="tensor", model=layer, names={"X": X}), tmp_path)
    assert "nan or inf" in svg
    assert re.search(r"(\+inf|nan)", svg)


@needs_pictures
def test_the_backward_walkthrough_draws_an_overflow(tmp_path):
    from micrograd_edu.viz import backward_text, record_backward

    x, w = Value(1e308, label="x"), Value(2.0, label="w")
    out = x * w * Value(0.0, label="c")
    out.label = "out"
    assert "inf" in backward_text(out)
    written = record_backward(out, tmp_path)
    for frame in written[:-1]:
        assert "nan or inf" in valid_svg(frame)
        valid_png(frame.with_suffix(".png"))
    assert written[-1].name == "backward.gif"


@needs_pictures
def test_a_run_whose_gradients_explode_is_recorded_to_its_end(tmp_path):
    from micrograd_edu.viz import Recorder

    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    X, y = torch.tensor([[1.0, 2.0], [3.0, -1.0]]), torch.tensor([[1.0], [0.0]])
    optimizer = torch.optim.SGD(model.parameters(), lr=1e154)  # the second step overflows
    recorder = Recorder(tmp_path, level="tensor", every=1, steps=5, model=model, names={"X": X})
    for _ in range(5):
        error = model(X) - y
        loss = (error * error).mean()  # (** 2 raises OverflowError where * gives inf)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
        optimizer.step()
    assert len(recorder.frames) == 5 and not math.isfinite(recorder.losses[-1])
    written = recorder.finish()
    valid_png(written["loss"])
    assert "nan or inf" in valid_svg(recorder.frames[-1][1])
    from PIL import Image

    with Image.open(written["gif"]) as gif:
        assert gif.n_frames == 5
    page = written["replay"].read_text()
    assert "NaN" in page or "Infinity" in page  # numbers JavaScript reads (the page draws a band there)


@needs_pictures
def test_plots_of_numbers_that_blew_up_mark_them(tmp_path):
    from micrograd_edu.viz import decision_boundary, histograms, loss_axes, save_figure

    losses = [0.7, 0.6, math.nan, math.inf, 0.5, -math.inf]
    valid_png(save_figure(loss_axes(losses)[0], tmp_path / "loss.png"))
    valid_png(save_figure(loss_axes([math.nan] * 3, title="a $ sign\x07")[0], tmp_path / "nan.png"))
    small, large = nn.Linear(2, 1), nn.Linear(30, 1)
    small.weight.data = torch.tensor([[math.nan, math.inf]])
    numbers = [0.1] * 30
    numbers[3], numbers[7] = math.nan, -math.inf
    large.weight.data = torch.tensor([numbers])
    for model in (small, large):
        model(torch.ones(1, model.in_features)).sum().backward()
        valid_png(save_figure(histograms(model, step=3), tmp_path / "histograms.png"))
    X, y = torch.tensor([[0.0, 0.0], [1.0, 1.0]]), torch.tensor([0.0, 1.0])
    valid_png(save_figure(decision_boundary(small, X, y), tmp_path / "boundary.png"))
    with pytest.raises(ValueError, match=r"X\[1\] is \[1.0, nan\]: a point with a nan or an inf"):
        decision_boundary(small, torch.tensor([[0.0, 0.0], [1.0, math.nan]]), y)
    with pytest.raises(ValueError, match=r"y\[0\] is -1.0, but a class is a whole number >= 0"):
        decision_boundary(small, X, torch.tensor([-1.0, 1.0]))
    with pytest.raises(ValueError, match="resolution must be a whole number >= 2, got 1"):
        decision_boundary(small, X, y, resolution=1)


NASTY = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\ud800", "\ufffe"]  # drawn as escapes
TYPED = [
    '"',
    "'",
    "\\",
    "\\N",
    "\\G",
    "\\\\",
    "<",
    ">",
    "<b>x</b>",
    "{",
    "}",
    "|",
    "[",
    "]",
    "]x",
    ":",
    "&amp;",
    "a\\",
    "é 👍",
    " ",
]


@needs_pictures
@pytest.mark.parametrize("text", NASTY + TYPED, ids=repr)
def test_any_label_draws_as_typed(text, tmp_path):
    from micrograd_edu.viz import draw
    from micrograd_edu.viz.labels import printable

    a = Value(1.0, label=f"a{text}b")
    out = a * Value(2.0, label=text)
    out.label = text
    out.backward()
    drawn(draw(out, title=f"title {text} end"), tmp_path)
    svg = (tmp_path / "graph.svg").read_text()

    def shown_in(pattern: str) -> list[str]:  # graphviz writes a run of spaces with no-break spaces
        return [html.unescape(t).replace("\xa0", " ") for t in re.findall(pattern, svg)]

    texts = shown_in(r"<text[^>]*>([^<]*)</text>")
    assert printable(f"a{text}b") in texts  # its box's title, as typed (control characters: \x07)
    if text != "\n":  # a title's newline starts a second line of it
        assert f"title {printable(text)} end" in texts
    tooltips = [tip.split("\n")[0] for tip in shown_in(r'xlink:title="([^"]*)"')]
    assert printable(f"a{text}b") in tooltips  # the tooltip says it too, exactly
    X = torch.tensor([[1.0, 2.0]])
    layer = nn.Linear(2, 1)
    loss = layer(X).sum()
    loss.backward()
    drawn(draw(loss, level="tensor", model=layer, names={text: X}, title=text), tmp_path, "tensor")


@needs_pictures
def test_ctrl_c_while_a_frame_is_drawn_leaves_no_half_frame(tmp_path, monkeypatch):
    from micrograd_edu.viz import Recorder, record

    model = nn.Linear(2, 1)
    X = torch.tensor([[1.0, 2.0]])
    recorder = Recorder(tmp_path, level="tensor", every=1, model=model)
    for _ in range(2):
        model(X).sum().backward()
        recorder.step(model(X).sum())
    real = record.save_graph

    def interrupted_at_the_png(dot, path):
        if path.suffix == ".png":
            raise KeyboardInterrupt
        return real(dot, path)

    monkeypatch.setattr(record, "save_graph", interrupted_at_the_png)
    with pytest.raises(KeyboardInterrupt):
        recorder.step(model(X).sum())
    monkeypatch.undo()
    frames = sorted(p.name for p in (tmp_path / "frames").glob("step_*"))
    assert frames == ["step_0001.png", "step_0001.svg", "step_0002.png", "step_0002.svg"]  # no step_0003.svg
    assert temporaries(tmp_path / "frames") == []
    from PIL import Image

    with Image.open(recorder.finish()["gif"]) as gif:  # what was drawn still makes a GIF
        assert gif.n_frames == 2


# ---- Ctrl-C ------------------------------------------------------------------------------------------


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@needs_pictures
def test_ctrl_c_during_the_demo_writes_what_was_drawn_and_says_so_in_one_line(tmp_path):
    from PIL import Image

    out = tmp_path / "demo"
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "micrograd_edu",
            "demo",
            "--epochs",
            "300",
            "--render-every",
            "10",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    listing = out / "frames" / ".micrograd_edu_frames"  # lists a frame before it is drawn: once it
    wait_for(
        lambda: listing.exists() and "step_0011" in listing.read_text()
    )  # lists the 2nd, the 1st is whole
    demo.send_signal(signal.SIGINT)
    stdout, stderr = demo.communicate(timeout=60)
    assert demo.returncode == 130
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    frames = sorted((out / "frames").glob("step_*.svg"))
    said = re.fullmatch(
        r"micrograd-edu: interrupted at step (\d+) of 300: the GIF and replay page have the (\d+) frames? "
        r"drawn so far, in (.*)/\n",
        stderr,
    )
    assert said and said[3] == str(out) and int(said[2]) == len(frames) >= 1, stderr
    assert (
        sorted(p.with_suffix(".svg") for p in (out / "frames").glob("step_*.png")) == frames
    )  # whole frames
    with Image.open(out / "animation.gif") as gif:
        assert gif.n_frames == len(frames)
    page = (out / "replay.html").read_text()
    assert page.count("<svg") == len(frames) + 1  # each frame, and the loss curve's
    for name in ("loss.png", "decision_boundary.png", "histograms.png"):
        valid_png(out / name)
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []


def interrupt_at(monkeypatch, step: int) -> None:
    """Ctrl-C as the training loop records step `step` (before it is drawn)."""
    from micrograd_edu.viz import Recorder

    real = Recorder.step

    def step_or_stop(self, loss, **metrics):
        if len(self.losses) + 1 == step:
            raise KeyboardInterrupt
        return real(self, loss, **metrics)

    monkeypatch.setattr(Recorder, "step", step_or_stop)


@needs_pictures
def test_a_second_ctrl_c_while_the_gif_is_written_stops_at_once_and_leaves_no_junk(tmp_path, monkeypatch):
    from micrograd_edu.demo import Interrupted, run_demo
    from micrograd_edu.viz import record

    interrupt_at(monkeypatch, 25)

    def second_ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(record, "gif_bytes", second_ctrl_c)
    with pytest.raises(Interrupted) as stop:
        run_demo(tmp_path, epochs=100, render_every=10, progress=False)
    assert (stop.value.step, stop.value.frames, stop.value.files) == (24, 3, {})
    assert str(stop.value) == (
        "interrupted at step 24 of 100, and again while the GIF and replay page were written: "
        f"the 3 frames drawn so far are in {tmp_path}/frames/"
    )
    assert not (tmp_path / "animation.gif").exists()
    assert [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")] == []


@needs_pictures
def test_ctrl_c_before_the_first_picture_writes_nothing(tmp_path, monkeypatch):
    from micrograd_edu.demo import Interrupted, run_demo

    interrupt_at(monkeypatch, 1)
    out = tmp_path / "demo"
    with pytest.raises(Interrupted, match="before the first picture was drawn: nothing was written"):
        run_demo(out, epochs=10, progress=False)
    assert not out.exists()


LESSON = """# %% [markdown]
# # A lesson that is stopped
# %%
print("first")
# %%
raise KeyboardInterrupt  # Ctrl-C, while this cell runs
# %%
print("never")
"""


def test_ctrl_c_in_a_lesson_stops_it_with_one_line(tmp_path, capsys):
    from micrograd_edu.lessons import step_through

    path = tmp_path / "01_stopped.py"
    path.write_text(LESSON)
    assert step_through(path, pause=False) == 130
    out, err = capsys.readouterr()
    assert "first" in out and "never" not in out
    assert err.strip() == "interrupted in cell 2 of 3 of 01_stopped.py: the lesson stops here"


def test_ctrl_c_during_a_real_lesson_exits_130_without_a_traceback(tmp_path):
    lesson = subprocess.Popen(
        [sys.executable, "-m", "micrograd_edu", "lesson", "5", "--no-pause", "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(20):  # well into the lesson: its first cells have run
        lesson.stdout.readline()
    lesson.send_signal(signal.SIGINT)
    _, stderr = lesson.communicate(timeout=60)
    assert lesson.returncode == 130
    assert re.fullmatch(
        r"\ninterrupted (in|after|before) cell \d+ of \d+ of 05_training.py: the lesson stops here\n", stderr
    ), stderr
