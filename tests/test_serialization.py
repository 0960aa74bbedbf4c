"""save and load: weights round-trip bit for bit through a JSON file a person can read, on
and across both backends; a damaged file is refused by name; a failed save changes nothing."""

import json
import os

import pytest

import micrograd_edu as torch
from micrograd_edu import nn
from micrograd_edu.tensor import Tensor


class SimpleNN(nn.Module):
    def __init__(self, backend=None):
        super().__init__()
        self.fc1 = nn.Linear(2, 4, backend=backend)
        self.fc2 = nn.Linear(4, 1, backend=backend)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x))))


def bits(model_or_state):
    """Every number as its exact hex spelling: equal bits, not merely equal-looking floats."""
    state = model_or_state if isinstance(model_or_state, dict) else model_or_state.state_dict()

    def hexed(x):
        return [hexed(v) for v in x] if isinstance(x, list) else x.hex()

    return {name: hexed(t.tolist()) for name, t in state.items()}


def awkward_weights(model):
    """Numbers that a careless float format would not round-trip."""
    specials = [0.1 + 0.2, -0.0, 5e-324, 1 / 3, 1e300, -2.5e-10, 123456789.12345678, 2.0**-1074 * 3]
    for i, p in enumerate(model.parameters()):
        flat = [specials[(i + j) % len(specials)] for j in range(p.numel())]
        p.data = p.new_tensor(flat).reshape(p.shape)
    return model


def test_save_then_load_round_trips_bit_for_bit(backend, tmp_path):
    torch.manual_seed(0)
    model = awkward_weights(SimpleNN())
    path = tmp_path / "model.json"
    torch.save(model, path)
    state = torch.load(path)
    assert list(state) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(isinstance(t, Tensor) and t.backend == backend for t in state.values())
    assert bits(state) == bits(model)
    torch.manual_seed(1)
    fresh = SimpleNN()
    assert bits(fresh) != bits(model)
    fresh.load_state_dict(state)
    assert bits(fresh) == bits(model)
    X = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    assert fresh(X).tolist() == model(X).tolist()


@pytest.mark.parametrize("source, target", [("python", "numpy"), ("numpy", "python")])
def test_weights_saved_on_one_path_load_into_the_other(source, target, tmp_path):
    torch.manual_seed(3)
    model = awkward_weights(SimpleNN(backend=source))
    path = tmp_path / "model.json"
    torch.save(model, str(path))
    state = torch.load(str(path), backend=target)
    assert all(t.backend == target for t in state.values())
    other = SimpleNN(backend=target)
    other.load_state_dict(state)
    assert other.fc1.weight.backend == target
    assert bits(other) == bits(model)
    again = SimpleNN(backend=target)
    again.load_state_dict(torch.load(path))  # tensors of the default (python) path
    assert bits(again) == bits(model)


def test_save_takes_a_state_dict_and_any_shape(backend, tmp_path):
    state = {
        "scalar": torch.tensor(2.5),
        "row": torch.tensor([1.0, -1.0]),
        "grid": torch.tensor([[[1.0], [2.0]], [[3.0], [4.0]]]),
        "empty": torch.zeros(0),
    }
    torch.save(state, tmp_path / "state.json")
    loaded = torch.load(tmp_path / "state.json")
    assert list(loaded) == list(state)
    assert {k: (t.shape, t.tolist()) for k, t in loaded.items()} == {
        k: (t.shape, t.tolist()) for k, t in state.items()
    }


def test_save_refuses_an_object_it_cannot_write_and_says_what_to_save(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['model'\] is a Linear: save obj\['model'\].state_dict\(\)"):
        torch.save({"model": nn.Linear(2, 1)}, tmp_path / "w.json")
    with pytest.raises(TypeError, match=r"obj\[1\] is a function"):
        torch.save([1, lambda: 0], tmp_path / "w.json")
    assert list(tmp_path.iterdir()) == []


def test_a_checkpoint_round_trips_with_its_optimizer_state(backend, tmp_path):
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.tensor([[1.0, -2.0]])).sum().backward()
    optimizer.step()
    checkpoint = {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": 0.25,
        "shape": (2, 1),
        "labels": torch.tensor([0, 2, 1]),
    }
    torch.save(checkpoint, tmp_path / "checkpoint.json")
    loaded = torch.load(tmp_path / "checkpoint.json")
    assert loaded["epoch"] == 3 and loaded["loss"] == 0.25 and loaded["shape"] == (2, 1)
    assert loaded["labels"].dtype is torch.int64 and loaded["labels"].tolist() == [0, 2, 1]
    again = torch.optim.Adam(nn.Linear(2, 1).parameters(), lr=0.5)
    again.load_state_dict(loaded["optimizer_state_dict"])  # its state is keyed by ints: kept as ints
    assert again.state_dict()["param_groups"][0]["lr"] == 0.1
    state, saved = again.state_dict()["state"], optimizer.state_dict()["state"]
    assert {k: {n: v.tolist() for n, v in s.items()} for k, s in state.items()} == {
        k: {n: v.tolist() for n, v in s.items()} for k, s in saved.items()
    }


def test_a_float32_state_dict_stays_float32(tmp_path):
    state = {"w": torch.tensor([0.1, 0.2], dtype=torch.float32), "n": torch.tensor([3])}
    torch.save(state, tmp_path / "w.json")
    loaded = torch.load(tmp_path / "w.json")
    assert loaded["w"].dtype is torch.float32 and loaded["w"].tolist() == state["w"].tolist()
    assert loaded["n"].dtype is torch.int64


def test_the_file_is_json_with_a_line_a_tensor(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    model.load_state_dict(
        {
            "0.weight": [[1, 2], [3, 4], [5, 6]],
            "0.bias": [0.5, 0, -1],
            "2.weight": [[1, 1, 1]],
            "2.bias": [0.25],
        }
    )
    path = tmp_path / "model.json"
    torch.save(model, path)
    text = path.read_text()
    lines = text.splitlines()
    assert lines[0] == '{"format": "micrograd_edu.state_dict", "version": 1, "tensors": {'
    assert lines[1:-1] == [
        '  "0.weight": {"shape": [3, 2], "data": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]},',
        '  "0.bias": {"shape": [3], "data": [0.5, 0.0, -1.0]},',
        '  "2.weight": {"shape": [1, 3], "data": [[1.0, 1.0, 1.0]]},',
        '  "2.bias": {"shape": [1], "data": [0.25]}',
    ]
    assert lines[-1] == "}}"
    doc = json.loads(text)
    assert doc["tensors"]["0.bias"] == {"shape": [3], "data": [0.5, 0.0, -1.0]}


def test_save_overwrites_an_existing_file(tmp_path):
    path = tmp_path / "model.json"
    torch.save({"w": torch.tensor([1.0])}, path)
    torch.save({"w": torch.tensor([2.0])}, path)
    assert torch.load(path)["w"].tolist() == [2.0]
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


# ---- damaged files --------------------------------------------------------------------------------


def test_load_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("fc1.weight = [[1, 2]]\n")
    with pytest.raises(ValueError, match="not a micrograd_edu weights file: it is not valid JSON") as e:
        torch.load(path)
    assert str(path) in str(e.value)


def test_load_refuses_a_binary_file_such_as_a_pytorch_checkpoint(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))  # a zip archive, as torch.save writes
    with pytest.raises(ValueError, match="not a micrograd_edu weights file") as e:
        torch.load(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize(
    "doc",
    [
        {"tensors": {"w": {"shape": [1], "data": [1.0]}}},
        {"format": "something else", "tensors": {}},
        {"format": "micrograd_edu.state_dict"},
        {"format": "micrograd_edu.state_dict", "tensors": [1.0]},
        [1.0, 2.0],
    ],
)
def test_load_refuses_json_without_the_format(doc, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match='lacks "format": "micrograd_edu.state_dict" and "tensors"') as e:
        torch.load(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize(
    "entry, says",
    [
        ({"shape": [2, 2], "data": [[1.0, 2.0]]}, r"it says shape \[2, 2\] but its data has shape \[1, 2\]"),
        ({"shape": [2], "data": [[1.0, 2.0]]}, r"it says shape \[2\] but its data has shape \[1, 2\]"),
        ({"shape": [2, 2], "data": [[1.0, 2.0], [3.0]]}, "ragged"),
        ({"shape": [1], "data": ["1.0"]}, "str"),
        ({"shape": [1]}, "'data'"),
        ([1.0, 2.0], "list indices"),
    ],
)
def test_load_names_the_file_and_the_damaged_entry(entry, says, tmp_path):
    path = tmp_path / "model.json"
    good = {"shape": [1], "data": [0.5]}
    doc = {
        "format": "micrograd_edu.state_dict",
        "version": 1,
        "tensors": {"fc1.bias": good, "fc2.weight": entry},
    }
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=says) as e:
        torch.load(path)
    assert str(e.value).startswith(f"{path}: the entry 'fc2.weight' is damaged")


# ---- a failed save changes nothing --------------------------------------------------------------


def _boom(*args, **kwargs):
    raise OSError("disk full (simulated)")


@pytest.mark.parametrize("where", ["tolist", "write", "fsync", "replace", "interrupt"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary_file(where, monkeypatch, tmp_path):
    path = tmp_path / "model.json"
    old = SimpleNN()
    torch.save(old, path)
    old_text = path.read_text()
    new = awkward_weights(SimpleNN())
    if where == "tolist":  # fails while the text is being made
        monkeypatch.setattr(Tensor, "tolist", _boom)
    elif where == "write":  # fails with the temporary file open
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: (os.close(fd), _boom())[1])
    elif where == "fsync":
        monkeypatch.setattr(os, "fsync", _boom)
    elif where == "replace":  # fails at the very last step, the rename
        monkeypatch.setattr(os, "replace", _boom)
    else:

        def interrupt(*args):
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt if where == "interrupt" else OSError):
        torch.save(new, path)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    assert path.read_text() == old_text
    assert bits(torch.load(path)) == bits(old)


def test_a_failed_first_save_leaves_no_file_at_all(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "fsync", _boom)
    with pytest.raises(OSError, match="disk full"):
        torch.save(SimpleNN(), tmp_path / "model.json")
    assert list(tmp_path.iterdir()) == []
