"""The tutorial's program, run with micrograd_edu in place of torch, with pictures.

This is what `micrograd-edu demo` runs: the SimpleNN of the PyTorch autograd tutorial
learns XOR with BCELoss and SGD, and the graph of every recorded step is drawn, one box per
tensor op by default (`level="scalar"` draws every Value: about 185 boxes, for a zoomable page
more than a slide).

Stopped early with Ctrl-C, it still writes the GIF, the replay page and the plots of what it
drew so far, and then raises `Interrupted`, which says how far it got.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.files import writable_folder


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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the demo after `step` of `steps` training steps; `files` are the pictures
    written of the `frames` drawn by then (none, if a second Ctrl-C stopped that writing too)."""

    def __init__(self, step: int, steps: int, frames: int, files: dict[str, Path], out: Path) -> None:
        super().__init__(step, steps)
        self.step, self.steps, self.frames, self.files, self.out = step, steps, frames, files, out

    def __str__(self) -> str:
        where = f"interrupted at step {self.step} of {self.steps}"
        drawn = f"{self.frames} frame{'s' if self.frames != 1 else ''} drawn so far"
        if not self.frames:
            return f"{where}, before the first picture was drawn: nothing was written"
        if not self.files:
            again = "and again while the GIF and replay page were written"
            return f"{where}, {again}: the {drawn} are in {self.out}/frames/"
        return f"{where}: the GIF and replay page have the {drawn}, in {self.out}/"


def run_demo(
    out: str | Path = "micrograd_edu_out/demo",
    epochs: int = 1000,
    render_every: int = 100,
    backend: str = "python",
    level: str = "tensor",
    seed: int = 0,
    lr: float = 0.5,
    momentum: float = 0.9,
    progress: bool = True,
) -> DemoResult:
    """Train SimpleNN on XOR, recording the graph every `render_every` steps, and at the last
    step (the trained model), into `out`; then the plots."""
    from micrograd_edu.viz import Recorder, decision_boundary, histograms, save_figure

    if shutil.which("dot") is None:
        raise RuntimeError(
            "the demo draws graphs with graphviz's `dot` program, which is not installed. "
            "Install it with: apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
            "or conda install graphviz"
        )
    out = writable_folder(out, "out")
    writable_folder(out / "frames", "out")  # not a file in the way of the frames
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
        steps=epochs,
        model=model,
        names={"X": X, "y": y},
        title="SimpleNN learning XOR",
    )
    bar = Progress(recorder) if progress and sys.stderr.isatty() else None

    def pictures() -> dict[str, Path]:
        files = recorder.finish()
        files["boundary"] = save_figure(decision_boundary(model, X, y), out / "decision_boundary.png")
        step = len(recorder.losses)
        files["histograms"] = save_figure(histograms(model, step=step), out / "histograms.png")
        return files

    try:
        for _ in range(epochs):
            outputs = model(X)
            loss = criterion(outputs, y)
            optimizer.zero_grad()
            loss.backward()
            recorder.step(loss)
            optimizer.step()
            if bar:
                bar.update()
    except KeyboardInterrupt:
        if bar:
            bar.stop()
        step, drawn = len(recorder.losses), len(recorder.frames)
        try:
            files = pictures() if drawn else {}
        except KeyboardInterrupt:  # a second Ctrl-C: stop now (each file is whole, or not there)
            files = {}
        raise Interrupted(step, epochs, drawn, files, out) from None
    if bar:
        bar.close()
        bar.say("writing the GIF, the replay page and the plots ...")
    with torch.no_grad():
        predicted = (model(X) > 0.5).float()
        accuracy = (predicted == y).float().mean().item()
    return DemoResult(recorder.losses, predicted.flatten().tolist(), accuracy, pictures())


@contextlib.contextmanager
def _default_backend(backend: str):
    """New parameters go to `backend` inside the with-block."""
    previous = torch.get_backend()
    torch.set_backend(backend)
    try:
        yield
    finally:
        torch.set_backend(previous)


class Progress:
    """One line on the terminal (stderr) that says how far training and drawing have got.

    The time left is estimated from what each part has cost so far: a training step without
    its picture, and a picture, each times how many are left; so a slow first frame does not
    make a thousand steps look like minutes.
    """

    def __init__(self, recorder, width: int = 24) -> None:
        self.recorder, self.width = recorder, width
        self.started = time.perf_counter()
        self.shown = 0.0

    def update(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.shown < 0.1:
            return
        self.shown = now
        r = self.recorder
        done, total = len(r.losses), r.steps or len(r.losses)
        drawn, planned = len(r.frames), r.frames_planned() or len(r.frames)
        training = (now - self.started - r.seconds_drawing) / max(done, 1)
        drawing = r.seconds_drawing / max(drawn, 1)
        left = training * (total - done) + drawing * (planned - drawn)
        filled = round(self.width * done / max(total, 1))
        bar = "█" * filled + "·" * (self.width - filled)
        line = f"training {bar} step {done}/{total}, {drawn} of {planned} pictures, about {left:.0f} s left"
        sys.stderr.write("\r" + line + "\033[K")
        sys.stderr.flush()

    def say(self, text: str) -> None:
        """A line of news while the rest is written (it stays on the terminal)."""
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def stop(self) -> None:
        """End the line where it is (training was interrupted)."""
        sys.stderr.write("\n")
        sys.stderr.flush()

    def close(self) -> None:
        self.update(force=True)
        seconds = time.perf_counter() - self.started
        sys.stderr.write(f"\rtrained {len(self.recorder.losses)} steps in {seconds:.1f} s\033[K\n")
        sys.stderr.flush()
