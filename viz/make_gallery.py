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
        recorder = Recorder(
            tmp, level="tensor", every=100, model=model, names={"X": X, "y": y}, title="SimpleNN learning XOR"
        )
        losses = train(model, X, y, 1000, recorder)
        files = recorder.finish(fps=2)
        shrink(files["gif"], GALLERY / "training.gif", width=520)
        for step in (1, 201, 301):
            shrink(
                Path(tmp) / "frames" / f"step_{step:04d}.png",
                GALLERY / f"training_step_{step}.png",
                width=520,
            )
        screenshot(files["replay"], GALLERY / "replay.png")
    save_figure(loss_axes(losses)[0], GALLERY / "loss.png")
    save_figure(decision_boundary(model, X, y), GALLERY / "decision_boundary.png")
    save_figure(histograms(model), GALLERY / "histograms.png")
    moons_boundary()
    torch.set_backend("python")
    for path in sorted(GALLERY.iterdir()):
        print(f"{path.stat().st_size // 1024:>5} KB  {path}")


def weights(o: Value) -> list[Value]:
    """The neuron's parameters: its leaves named w1, w2 and b."""
    return [v for v in topological_order([o]) if v.label in ("w1", "w2", "b")]


def record_backward_gif(root: Value) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = record_backward(root, tmp, model=weights(root), fps=1.0)
        shrink(files[-1], GALLERY / "backward.gif", width=900)
        shrink(files[2].with_suffix(".png"), GALLERY / "backward_step.png", width=900)


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


def shrink(source: Path, target: Path, width: int) -> None:
    """Copy an image (a GIF keeps every frame) scaled down to at most `width` pixels wide."""
    image = Image.open(source)
    if image.width <= width:
        shutil.copyfile(source, target)
        return
    height = round(image.height * width / image.width)
    frames = []
    for i in range(getattr(image, "n_frames", 1)):
        image.seek(i)
        frames.append(image.convert("RGB").resize((width, height), Image.LANCZOS))
    extra = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": image.info.get("duration", 500),
        "loop": 0,
    }
    frames[0].save(target, **(extra if len(frames) > 1 else {}))


def screenshot(page: Path, target: Path) -> None:
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
            "--window-size=1400,900",
            f"--screenshot={target}",
        ]
        subprocess.run(
            [chromium, *flags, page.resolve().as_uri()], check=True, capture_output=True, timeout=120
        )


if __name__ == "__main__":
    main()
