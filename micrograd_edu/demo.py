"""The tutorial's program, run with micrograd_edu in place of torch, with pictures.

This is what `micrograd-edu demo` runs: the SimpleNN of the PyTorch autograd tutorial
learns XOR with BCELoss and SGD, and the graph of every recorded step is drawn.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import micrograd_edu as torch
from micrograd_edu import nn, optim


class SimpleNN(nn.Module):
    """The tutorial's model: 2 inputs, 4 hidden units, 1 output, sigmoids throughout."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.fc1(x))
        return self.sigmoid(self.fc2(x))


@dataclass
class DemoResult:
    losses: list[float]
    predicted: list[float]
    accuracy: float
    files: dict[str, Path]


def run_demo(
    out: str | Path = "micrograd_edu_out/demo",
    epochs: int = 1000,
    render_every: int = 100,
    backend: str = "python",
    level: str = "scalar",
    seed: int = 0,
    lr: float = 0.5,
    momentum: float = 0.9,
    progress: bool = True,
) -> DemoResult:
    """Train SimpleNN on XOR, recording the graph every `render_every` steps into `out`."""
    from micrograd_edu.viz import Recorder, decision_boundary, histograms, loss_axes, save_figure

    if shutil.which("dot") is None:
        raise RuntimeError(
            "the demo draws graphs with graphviz's `dot` program, which is not installed. "
            "Install it with: apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
            "or conda install graphviz"
        )
    out = Path(out)
    torch.manual_seed(seed)
    X, y = torch.data.xor(backend=backend)
    with _default_backend(backend):
        model = SimpleNN()
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    recorder = Recorder(
        out,
        level=level,
        every=render_every,
        model=model,
        names={"X": X, "y": y},
        title="SimpleNN learning XOR",
    )
    for _ in _progress(range(epochs), progress):
        outputs = model(X)
        loss = criterion(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)
        optimizer.step()
    with torch.no_grad():
        predicted = (model(X) > 0.5).float()
        accuracy = (predicted == y).float().mean().item()
    files = recorder.finish()
    files["loss"] = save_figure(loss_axes(recorder.losses)[0], out / "loss.png")
    files["boundary"] = save_figure(decision_boundary(model, X, y), out / "decision_boundary.png")
    files["histograms"] = save_figure(histograms(model), out / "histograms.png")
    return DemoResult(recorder.losses, predicted.flatten().tolist(), accuracy, files)


@contextlib.contextmanager
def _default_backend(backend: str):
    """New parameters go to `backend` inside the with-block."""
    previous = torch.get_backend()
    torch.set_backend(backend)
    try:
        yield
    finally:
        torch.set_backend(previous)


def _progress(steps, show: bool):
    if not show:
        return steps
    try:
        from tqdm import tqdm
    except ImportError:
        return steps
    return tqdm(steps, desc="training", unit="step")
