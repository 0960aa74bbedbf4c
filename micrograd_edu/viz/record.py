"""Record training: the graph at every step (or every k steps), into one folder.

    recorder = Recorder("out/run", model=model, names={"X": X, "y": y})
    for step in range(epochs):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)        # after backward(): the picture shows this step's gradients
        optimizer.step()
    recorder.finish()              # animation.gif, loss.png, replay.html

The folder then holds `frames/step_0001.svg` (and `.png`) for every recorded step, an
animated GIF, the loss curve, and `replay.html`: one self-contained page with a slider,
play/pause and the loss curve beside the graph. Every file is written all or nothing.
"""

from __future__ import annotations

import html
import io
import json
import os
import time
from pathlib import Path

from micrograd_edu.engine import Value
from micrograd_edu.files import write_atomically
from micrograd_edu.tensor import Tensor
from micrograd_edu.viz.graph import save_graph, to_digraph, trace
from micrograd_edu.viz.plots import figure_bytes, loss_axes

GIF_MAX_WIDTH = 1600  # pixels


class Recorder:
    """Draws the graph of a loss at each recorded training step (see the module docstring)."""

    def __init__(
        self,
        out_dir: str | os.PathLike,
        level: str = "scalar",
        every: int = 1,
        model=None,
        names: dict | None = None,
        png: bool = True,
        title: str = "",
    ) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number >= 1, got {every!r}")
        if level not in ("scalar", "tensor"):
            raise ValueError(f"level must be 'scalar' or 'tensor', got {level!r}")
        self.out_dir = Path(out_dir)
        self.level, self.every, self.model, self.names = level, every, model, names
        self.png, self.title = png, title
        self.losses: list[float] = []  # every step's loss, recorded or not
        self.frames: list[tuple[int, Path]] = []  # (step, svg file) of each recorded step
        self.seconds_drawing = 0.0

    def step(self, loss: Value | Tensor, **metrics: float) -> None:
        """Note this step's loss; every `every` steps, draw its graph into a frame."""
        value = loss.data if isinstance(loss, Value) else loss.item()
        self.losses.append(value)
        step = len(self.losses)
        if (step - 1) % self.every:
            return
        started = time.perf_counter()
        extra = "".join(f"   {k} {v:.4f}" for k, v in metrics.items())
        title = f"{self.title}   step {step}   loss {value:.4f}{extra}".strip()
        dot = to_digraph(trace(loss, self.level, self.model, self.names), title=title)
        frame = self.out_dir / "frames" / f"step_{step:04d}.svg"
        save_graph(dot, frame)
        if self.png:
            save_graph(dot, frame.with_suffix(".png"))
        self.frames.append((step, frame))
        self.seconds_drawing += time.perf_counter() - started

    def finish(self, fps: float = 4.0) -> dict[str, Path]:
        """Write the GIF (if frames were drawn as PNG), the loss curve and the replay page."""
        if not self.frames:
            raise RuntimeError("nothing was recorded: call recorder.step(loss) in the training loop first")
        written = {"replay": write_atomically(self.out_dir / "replay.html", self._replay_page(fps))}
        written["loss"] = write_atomically(self.out_dir / "loss.png", _loss_png(self.losses))
        if self.png:
            pngs = [svg.with_suffix(".png") for _, svg in self.frames]
            written["gif"] = write_atomically(self.out_dir / "animation.gif", gif_bytes(pngs, fps))
        return written

    def _replay_page(self, fps: float) -> str:
        svgs = [_inline_svg(svg.read_text()) for _, svg in self.frames]
        steps = [step for step, _ in self.frames]
        return _REPLAY.format(
            title=html.escape(self.title or "micrograd_edu: training replay"),
            frames=json.dumps(svgs),
            steps=json.dumps(steps),
            losses=json.dumps(self.losses),
            last=len(svgs) - 1,
            interval=round(1000 / fps),
        )


def _inline_svg(svg: str) -> str:
    """An SVG file's <svg> element alone (no XML prologue or doctype), to put in a page."""
    return svg[svg.index("<svg") :]


def gif_bytes(pngs: list[Path], fps: float) -> bytes:
    """One animated GIF from PNG frames, each centred on one canvas so frames do not jump."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("writing the GIF needs Pillow: pip install 'micrograd_edu[viz]'") from e
    images = [Image.open(p).convert("RGB") for p in pngs]
    width, height = max(i.width for i in images), max(i.height for i in images)
    scale = min(1.0, GIF_MAX_WIDTH / width)  # a big graph's GIF stays small enough to share
    if scale < 1:
        images = [
            i.resize((round(i.width * scale), round(i.height * scale)), Image.Resampling.LANCZOS)
            for i in images
        ]
        width, height = round(width * scale), round(height * scale)
    canvases = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
        canvases.append(canvas)
    out = io.BytesIO()
    duration = round(1000 / fps)
    canvases[0].save(out, "GIF", save_all=True, append_images=canvases[1:], duration=duration, loop=0)
    return out.getvalue()


def _loss_png(losses: list[float]) -> bytes:
    fig, _ = loss_axes(losses)
    return figure_bytes(fig)


_REPLAY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
 body {{ font-family: Helvetica, Arial, sans-serif; margin: 0; height: 100vh;
        display: flex; flex-direction: column; }}
 header {{ padding: 8px 16px; display: flex; gap: 12px; align-items: center; border-bottom: 1px solid #ddd; }}
 header h1 {{ font-size: 16px; margin: 0 12px 0 0; }}
 #slider {{ flex: 1; }}
 main {{ flex: 1; display: flex; min-height: 0; }}
 #graph {{ flex: 3; padding: 8px; min-width: 0; overflow: auto; }}
 #graph.fit svg {{ max-width: 100%; max-height: calc(100vh - 70px); width: auto; height: auto; }}
 aside {{ flex: 1; padding: 8px 16px; border-left: 1px solid #ddd; min-width: 220px; }}
 button {{ font-size: 14px; min-width: 70px; }}
</style></head>
<body>
<header><h1>{title}</h1><button id="play">play</button>
 <button id="zoom" title="fit the graph to the window, or show it at its actual size">actual size</button>
 <input id="slider" type="range" min="0" max="{last}" value="0"><span id="label"></span></header>
<main><div id="graph" class="fit"></div>
<aside><h2 style="font-size:14px">loss <span id="range" style="font-weight:normal"></span></h2>
<svg id="curve" viewBox="0 0 220 140" width="100%"></svg>
<p id="now"></p></aside></main>
<script>
const frames = {frames};
const steps = {steps};
const losses = {losses};
const graph = document.getElementById("graph"), slider = document.getElementById("slider");
const label = document.getElementById("label"), now = document.getElementById("now");
const curve = document.getElementById("curve"), play = document.getElementById("play");
const lo = Math.min(...losses), hi = Math.max(...losses);
document.getElementById("range").textContent = "(from " + hi.toFixed(4) + " down to " + lo.toFixed(4) + ")";
const x = i => 10 + 200 * i / Math.max(losses.length - 1, 1);
const y = v => 130 - 120 * (v - lo) / ((hi - lo) || 1);
const ns = "http://www.w3.org/2000/svg";
const line = document.createElementNS(ns, "polyline");
line.setAttribute("points", losses.map((v, i) => x(i) + "," + y(v)).join(" "));
line.setAttribute("fill", "none"); line.setAttribute("stroke", "#2563eb");
line.setAttribute("stroke-width", "1.5");
const dot = document.createElementNS(ns, "circle");
dot.setAttribute("r", "4"); dot.setAttribute("fill", "#b91c1c");
curve.append(line, dot);
function show(i) {{
  graph.innerHTML = frames[i];
  const step = steps[i];
  label.textContent = "step " + step + " of " + losses.length;
  now.textContent = "loss at step " + step + ": " + losses[step - 1].toFixed(4);
  dot.setAttribute("cx", x(step - 1)); dot.setAttribute("cy", y(losses[step - 1]));
  slider.value = i;
}}
let timer = null;
play.onclick = () => {{
  if (timer) {{ clearInterval(timer); timer = null; play.textContent = "play"; return; }}
  play.textContent = "pause";
  timer = setInterval(() => show((+slider.value + 1) % frames.length), {interval});
}};
slider.oninput = () => show(+slider.value);
const zoom = document.getElementById("zoom");
zoom.onclick = () => {{
  const fit = graph.classList.toggle("fit");
  zoom.textContent = fit ? "actual size" : "fit";
}};
if (location.hash === "#actual") zoom.onclick();
show(0);
</script></body></html>
"""
