"""Regenerate every picture of the gallery: python viz/make_gallery.py

Writes into viz/gallery/ (the pictures viz/README.md and the main README show). Needs the
viz extra and graphviz's `dot`; with Chromium installed it also screenshots a replay page.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

import micrograd_edu as torch
from micrograd_edu import Value, nn, optim, topological_order
from micrograd_edu.demo import SimpleNN
from micrograd_edu.viz import (
    Recorder,
    decision_boundary,
    draw,
    histograms,
    loss_axes,
    record_backward,
    save_figure,
    save_graph,
)

GALLERY = Path(__file__).parent / "gallery"


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o


def tutorial(backend: str):
    """The tutorial's SimpleNN and XOR data, seeded, on the given tensor path."""
    torch.set_backend(backend)
    torch.manual_seed(0)
    return SimpleNN(), *torch.data.xor()


def train(model, X, y, steps: int, recorder: Recorder | None = None) -> list[float]:
    """The tutorial's loop (BCE, SGD with momentum), recording if asked; the losses."""
    criterion, optimizer = nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(steps):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        if recorder:
            recorder.step(loss)
        losses.append(loss.item())
        optimizer.step()
    return losses


def main() -> None:
    GALLERY.mkdir(exist_ok=True)
    o = neuron()
    o.backward()
    save_graph(draw(o, model=weights(o), title="o = tanh(x1·w1 + x2·w2 + b)"), GALLERY / "neuron.png")
    record_backward_gif(neuron())

    model, X, y = tutorial("python")
    x1, y1 = X[1:2], y[1:2]  # one sample: the scalar-level graph stays readable
    loss = nn.BCELoss()(model(x1), y1)
    loss.backward()
    names = {"x": x1, "y": y1}
    save_graph(
        draw(loss, model=model, names=names, title="SimpleNN on one XOR sample"), GALLERY / "scalar_graph.png"
    )
    loss = nn.BCELoss()(model(X), y)
    loss.backward()
    dot = draw(
        loss, level="tensor", model=model, names={"X": X, "y": y}, title="SimpleNN on XOR, tensor level"
    )
    save_graph(dot, GALLERY / "tensor_graph.png")

    with tempfile.TemporaryDirectory() as tmp:
        model, X, y = tutorial("numpy")
        names = {"X": X, "y": y}
        recorder = Recorder(
            tmp,
            level="tensor",
            every=100,
            steps=1000,
            model=model,
            names=names,
            title="SimpleNN learning XOR",
        )
        losses = train(model, X, y, 1000, recorder)
        files = recorder.finish()
        shutil.copyfile(files["gif"], GALLERY / "training.gif")
        for step in (1, 201, 1000):
            shrink(Path(tmp) / "frames" / f"step_{step:04d}.png", GALLERY / f"training_step_{step}.png", 600)
        shutil.copyfile(Path(tmp) / "frames" / "step_1000.png", GALLERY / "trained.png")
        screenshot(files["replay"], "#step=1000", GALLERY / "replay.png")
    save_figure(loss_axes(losses)[0], GALLERY / "loss.png")
    save_figure(decision_boundary(model, X, y), GALLERY / "decision_boundary.png")
    save_figure(histograms(model, step=1000), GALLERY / "histograms.png")
    moons_boundary()
    spiral_boundary()
    compiled_program()
    torch.set_backend("python")
    for path in sorted(GALLERY.iterdir()):
        print(f"{path.stat().st_size // 1024:>5} KB  {path}")


def weights(o: Value) -> list[Value]:
    """The neuron's parameters: its leaves named w1, w2 and b."""
    return [v for v in topological_order([o]) if v.label in ("w1", "w2", "b")]


def record_backward_gif(root: Value) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = record_backward(root, tmp, model=weights(root), fps=1.0)
        shutil.copyfile(files[-1], GALLERY / "backward.gif")
        shutil.copyfile(files[2].with_suffix(".png"), GALLERY / "backward_step.png")


def compiled_program() -> None:
    """The program compile(step) replays for the tutorial's step (numpy backend), drawn."""
    model, X, y = tutorial("numpy")
    criterion, optimizer = nn.BCELoss(), optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    def step(X, y):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
        return loss

    compiled = torch.compile(step)
    for _ in range(3):
        compiled(X, y)
    save_graph(draw(compiled.program), GALLERY / "program.png")


def moons_boundary() -> None:
    """A small MLP learns two moons on the numpy backend."""
    torch.manual_seed(0)
    X, y = torch.data.moons(200, noise=0.1, seed=1, backend="numpy")
    torch.set_backend("numpy")
    model = nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid()
    )
    optimizer, criterion = optim.Adam(model.parameters(), lr=0.02), nn.BCELoss()
    for _ in range(400):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    save_figure(decision_boundary(model, X, y), GALLERY / "moons.png")


def spiral_boundary() -> None:
    """Three classes, a model of three outputs and CrossEntropyLoss: the regions by argmax."""
    torch.manual_seed(0)
    torch.set_backend("numpy")
    X, y = torch.data.spiral(150, classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 3))
    optimizer, criterion = optim.Adam(model.parameters(), lr=0.02), nn.CrossEntropyLoss()
    for _ in range(600):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    save_figure(decision_boundary(model, X, y), GALLERY / "spiral.png")


def shrink(source: Path, target: Path, width: int) -> None:
    """Copy a picture scaled down to at most `width` pixels wide (a thumbnail for a table)."""
    image = Image.open(source).convert("RGB")
    if image.width <= width:
        shutil.copyfile(source, target)
        return
    image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS).save(target)


def screenshot(page: Path, hash: str, target: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no Chromium here: the replay page screenshot is left as it was")
        return
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1600,900",
            f"--screenshot={target}",
        ]
        subprocess.run(
            [chromium, *flags, page.resolve().as_uri() + hash], check=True, capture_output=True, timeout=120
        )


if __name__ == "__main__":
    main()
