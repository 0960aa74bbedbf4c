"""Record training: the graph at every step (or every k steps), into one folder.

    recorder = Recorder("out/run", level="tensor", every=100, steps=epochs, model=model, names={"X": X})
    for step in range(epochs):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        recorder.step(loss)        # after backward(): the picture shows this step's gradients
        optimizer.step()
    recorder.finish()              # animation.gif, loss.png, replay.html

The folder then holds `frames/step_0001.svg` (and `.png`) for every recorded step (with
`steps=` the last step too, so the last frame is the trained model), an animated GIF, the
loss curve, and `replay.html`: one self-contained page with a slider, play/pause, the arrow
keys, links to a step (`replay.html#step=901`) and the loss curve beside the graph. Every
file is written all or nothing. A new recording into the same folder first removes the frames
the last one drew (listed in `frames/.micrograd_edu_frames`), and nothing else; a run stopped
early (Ctrl-C) can still `finish()` with the frames it has. A loss or a gradient that blows up
to nan or inf is drawn as such, and the run goes on. A compiled step's replay builds no graph:
its frame is skipped with a warning (the loss still goes on the curve); run the steps to record
eagerly, `(step.__wrapped__ if recorder.will_draw(k) else step)(X, y)`, the same numbers.
"""

from __future__ import annotations

import html
import io
import json
import os
import time
import warnings
from pathlib import Path

from micrograd_edu.engine import Value
from micrograd_edu.files import WrittenFiles, write_atomically
from micrograd_edu.tensor import Tensor
from micrograd_edu.viz.graph import colours, save_graph, to_digraph, trace
from micrograd_edu.viz.install import install_hint
from micrograd_edu.viz.labels import WARNING_BORDER, WARNING_FILL, printable
from micrograd_edu.viz.plots import figure_bytes, loss_axes

GIF_MAX_WIDTH = 1600  # pixels: a GIF wider than this is scaled down, but only as far as ...
GIF_MIN_TEXT = 13.5  # ... a box's text stays this many pixels to the em (its digits 10 px high)
FRAME_TEXT = 11 * 96 / 72  # that text's em in a frame: 11 points, which dot draws at 96 dpi
HOLD_LAST = 3.0  # seconds the GIF rests on its last frame (the trained model) before it loops
FRAME_LIST = ".micrograd_edu_frames"  # in frames/: the frames this recorder drew, for the next to remove
FRAME_NAMES = r"step_\d+\.(svg|png)"


NO_GRAPH = (
    "recorder.step(loss): the loss of step {step} has no graph to draw: it came from a compiled "
    "step's replay (or was computed under no_grad()). Its loss is kept for the curve, the frame is "
    "skipped (and so are later ones like it). To draw the steps you record, run those eagerly: "
    "loss = (step.__wrapped__ if recorder.will_draw(k) else step)(X, y), with k the step's number "
    "from 1; draw(step.program) draws the program the others replay."
)


def _has_graph(loss: Value | Tensor) -> bool:
    return not isinstance(loss, Tensor) or bool(loss._prev) or loss.requires_grad  # a Value is a node


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
        steps: int | None = None,
    ) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number >= 1, got {every!r}")
        if level not in ("scalar", "tensor"):
            raise ValueError(f"level must be 'scalar' or 'tensor', got {level!r}")
        if steps is not None and (not isinstance(steps, int) or steps < 1):
            raise ValueError(f"steps (how many the run will take) must be a whole number >= 1, got {steps!r}")
        self.out_dir = Path(out_dir)
        self.level, self.every, self.model, self.names = level, every, model, names
        self.png, self.title, self.steps = png, title, steps
        self.losses: list[float] = []  # every step's loss, recorded or not
        self.frames: list[tuple[int, Path]] = []  # (step, svg file) of each recorded step
        self.seconds_drawing = 0.0
        self.written = WrittenFiles(self.out_dir / "frames", FRAME_LIST, FRAME_NAMES)
        self.explorer_page = ""  # the explorer of the latest recorded step, as a page (explore.py)
        self.skipped: list[int] = []  # steps to draw whose loss had no graph (a compiled replay's)

    def will_draw(self, step: int) -> bool:
        """Whether step (1, 2, ...) gets a frame: every `every`-th from the first, and the last."""
        return (step - 1) % self.every == 0 or step == self.steps

    def frames_planned(self) -> int | None:
        """How many frames the whole run will have (None if `steps` was not given)."""
        if self.steps is None:
            return None
        return len(range(1, self.steps + 1, self.every)) + ((self.steps - 1) % self.every != 0)

    def step(self, loss: Value | Tensor, **metrics: float) -> None:
        """Note this step's loss; every `every` steps (and at the last), draw its graph into a frame."""
        value = loss.data if isinstance(loss, Value) else loss.item()
        self.losses.append(value)
        step = len(self.losses)
        if not self.will_draw(step):
            return
        if not _has_graph(loss):
            if not self.skipped:
                warnings.warn(NO_GRAPH.format(step=step), stacklevel=2)
            self.skipped.append(step)
            return
        started = time.perf_counter()
        extra = "".join(f"   {k} {v:.4f}" for k, v in metrics.items())
        of = f" of {self.steps}" if self.steps else ""
        title = f"{self.title}   step {step}{of}   loss {value:.4f}{extra}".strip()
        dot = to_digraph(trace(loss, self.level, self.model, self.names), title=title)
        frame = self.out_dir / "frames" / f"step_{step:04d}.svg"
        files = [frame, frame.with_suffix(".png")] if self.png else [frame]
        if not self.frames:
            self.written.clear()  # an earlier recording's frames, which would mix with these
        self.written.add(f.name for f in files)
        try:
            for f in files:
                save_graph(dot, f)
        except BaseException:  # half a frame (its SVG but no PNG) is no frame: leave none
            for f in files:
                f.unlink(missing_ok=True)
            raise
        self.frames.append((step, frame))
        self.explorer_page = self._explorer_page(loss, title)
        self.seconds_drawing += time.perf_counter() - started

    def _explorer_page(self, loss: Value | Tensor, title: str) -> str:
        """This step's graph as an explorer page, made now: the optimizer's step changes the
        weights right after. "" if the graph is one the explorer refuses: too big, or a graph of
        Values that backward() has released (level="scalar" after loss.backward())."""
        from micrograd_edu.viz.explore import Explorer  # (explore.py draws with backward.py, which records)

        try:
            return Explorer(loss, self.model, self.names, self.level).html(title or "micrograd_edu explorer")
        except ValueError:
            return ""

    def finish(self, fps: float = 1.0) -> dict[str, Path]:
        """Write the GIF (if frames were drawn as PNG; `fps` frames a second, and a rest on the
        last), the loss curve and the replay page, of the frames drawn so far."""
        if not self.frames and self.skipped:
            raise RuntimeError(
                f"nothing was drawn: the losses of steps {self.skipped[:5]} had no graph (a compiled step's "
                "replays): run the steps to record eagerly (see the warning recorder.step gave)"
            )
        if not self.frames:
            raise RuntimeError("nothing was recorded: call recorder.step(loss) in the training loop first")
        written = {}
        if self.explorer_page:
            written["explorer"] = write_atomically(self.out_dir / "explorer.html", self.explorer_page)
        written["replay"] = write_atomically(self.out_dir / "replay.html", self._replay_page(fps))
        written["loss"] = write_atomically(self.out_dir / "loss.png", _loss_png(self.losses))
        if self.png:
            pngs = [svg.with_suffix(".png") for _, svg in self.frames]
            written["gif"] = write_atomically(self.out_dir / "animation.gif", gif_bytes(pngs, fps))
        return written

    def _replay_page(self, fps: float) -> str:
        svgs = [_inline_svg(svg.read_text()) for _, svg in self.frames]
        steps = [step for step, _ in self.frames]
        return _REPLAY.format(
            title=html.escape(printable(self.title or "micrograd_edu: training replay")),
            frames=_script_json(svgs),
            steps=json.dumps(steps),
            losses=json.dumps(self.losses),  # NaN and Infinity: JavaScript reads them as numbers
            last=len(svgs) - 1,
            explore=(
                ' <a id="explore" href="explorer.html" title="the last recorded step in the explorer: click '
                f'a box, step through backward">explore step {steps[-1]}</a>'
                if self.explorer_page
                else ""
            ),
            interval=round(1000 / fps),
            warning_fill=WARNING_FILL,
            warning_border=WARNING_BORDER,
        )


def _script_json(x) -> str:
    """JSON to put inside a <script>: a "</" in it (</script>) would end the script early."""
    return json.dumps(x).replace("</", "<\\/")


def _inline_svg(svg: str) -> str:
    """An SVG file's <svg> element alone (no XML prologue or doctype), to put in a page."""
    return svg[svg.index("<svg") :]


def gif_scale(width: int, text: float = FRAME_TEXT) -> float:
    """How much a GIF of frames `width` pixels wide is shrunk: to fit GIF_MAX_WIDTH, but never
    so far that text `text` pixels to the em falls below GIF_MIN_TEXT.

    >>> gif_scale(1200), round(gif_scale(4000), 2)
    (1.0, 0.92)
    """
    return min(1.0, max(GIF_MAX_WIDTH / width, GIF_MIN_TEXT / text))


def gif_bytes(pngs: list[Path], fps: float, hold_last: float = HOLD_LAST) -> bytes:
    """One animated GIF from PNG frames, each centred on one canvas so frames do not jump.

    `fps` frames a second, the last held `hold_last` seconds. All frames share one palette made
    from all of them, so a colour (a legend's red) is the same in every frame and the PNG's.
    """
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(f"writing the GIF needs Pillow: {install_hint('viz')}") from e
    sizes = []
    for png in pngs:
        with Image.open(png) as image:
            sizes.append(image.size)
    scale = gif_scale(max(w for w, _ in sizes))
    width, height = (round(max(size[k] for size in sizes) * scale) for k in (0, 1))
    # One image of all the frames, one under another, each centred in its slot: quantized as
    # one, all frames share a palette chosen from all of them. Below them, a band of each of
    # the pictures' own colours, 1% of the image each: the palette keeps them exact, however
    # few pixels they have (a legend's swatch) among a big graph's blended edges.
    flat = [tuple(int(c[k : k + 2], 16) for k in (1, 3, 5)) for c in colours()]
    frames_height, band = height * len(pngs), max(1, round(height * len(pngs) / 100))
    stack = Image.new("RGB", (width, frames_height + band * len(flat)), "white")
    for i, png in enumerate(pngs):
        with Image.open(png) as opened:
            image = opened.convert("RGB")
        if scale < 1:
            size = (round(image.width * scale), round(image.height * scale))
            image = image.resize(size, Image.Resampling.LANCZOS)
        stack.paste(image, ((width - image.width) // 2, i * height + (height - image.height) // 2))
    for k, colour in enumerate(flat):
        stack.paste(colour, (0, frames_height + k * band, width, frames_height + (k + 1) * band))
    quantized = stack.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    del stack
    frames = [quantized.crop((0, i * height, width, (i + 1) * height)) for i in range(len(pngs))]
    frame_ms = round(1000 / fps)
    durations = [frame_ms] * (len(frames) - 1) + [max(frame_ms, round(1000 * hold_last))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
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
 header h1 {{ font-size: 18px; margin: 0 12px 0 0; }}
 #slider {{ flex: 1; }}
 #label {{ font-size: 16px; min-width: 150px; }}
 main {{ flex: 1; display: flex; min-height: 0; }}
 #graph {{ flex: 3; padding: 8px; min-width: 0; overflow: auto; }}
 #graph.fit svg {{ max-width: 100%; max-height: calc(100vh - 70px); width: auto; height: auto; }}
 aside {{ flex: 1; padding: 8px 16px; border-left: 1px solid #ddd; min-width: 260px; max-width: 420px; }}
 aside h2 {{ font-size: 16px; margin: 8px 0; }}
 #curve text {{ font-size: 11px; fill: #374151; }}
 #now {{ font-size: 16px; }}
 .keys {{ color: #6b7280; font-size: 13px; }}
 button {{ font-size: 14px; min-width: 70px; }}
</style></head>
<body>
<header><h1>{title}</h1>
 <button id="play" title="play or pause (space)">play</button>
 <button id="zoom" title="fit the graph to the window, or show it at its actual size">actual size</button>
 <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="recorded step">
 <span id="label"></span>{explore}</header>
<main><div id="graph" class="fit"></div>
<aside><h2>loss per step</h2>
<svg id="curve" viewBox="0 0 300 210" width="100%" role="img" aria-label="the loss at every step"></svg>
<p id="now"></p>
<p class="keys">← → previous and next recorded step, Home and End the first and last,
space plays and pauses. To show a step to others, copy the address: it ends in
<code id="link">#step=1</code>.</p></aside></main>
<script>
const frames = {frames};
const steps = {steps};
const losses = {losses};
const graph = document.getElementById("graph"), slider = document.getElementById("slider");
const label = document.getElementById("label"), now = document.getElementById("now");
const curve = document.getElementById("curve"), play = document.getElementById("play");
const zoom = document.getElementById("zoom"), link = document.getElementById("link");
const ns = "http://www.w3.org/2000/svg";
const plotLeft = 48, plotRight = 278, plotTop = 10, plotBottom = 172;  // in the curve's own units
const finite = losses.filter(Number.isFinite);  // a loss that blew up (NaN, Infinity) is marked apart
const hi = finite.reduce((a, b) => Math.max(a, b), -Infinity);
const lo = finite.reduce((a, b) => Math.min(a, b), 0);
const x = s => plotLeft + (plotRight - plotLeft) * (s - 1) / Math.max(losses.length - 1, 1);
const y = v => plotBottom - (plotBottom - plotTop) * (v - lo) / ((hi - lo) || 1);
function svg(tag, attrs, text) {{
  const e = document.createElementNS(ns, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  curve.append(e);
  return e;
}}
function ticks(a, b, n) {{  // about n round numbers from a to b
  const raw = ((b - a) || 1) / n, mag = 10 ** Math.floor(Math.log10(raw)), f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag, out = [];
  for (let t = Math.ceil(a / step) * step; t <= b + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}}
for (const v of finite.length ? ticks(lo, hi, 4) : []) {{
  svg("line", {{x1: plotLeft, x2: plotRight, y1: y(v), y2: y(v), stroke: "#e5e7eb"}});
  svg("text", {{x: plotLeft - 4, y: y(v) + 4, "text-anchor": "end"}}, String(v));
}}
for (const s of ticks(1, losses.length, 4).filter(s => s >= 1)) {{
  svg("line", {{x1: x(s), x2: x(s), y1: plotBottom, y2: plotBottom + 4, stroke: "#374151"}});
  svg("text", {{x: x(s), y: plotBottom + 16, "text-anchor": "middle"}}, String(s));
}}
svg("line", {{x1: plotLeft, x2: plotRight, y1: plotBottom, y2: plotBottom, stroke: "#374151"}});
svg("line", {{x1: plotLeft, x2: plotLeft, y1: plotTop, y2: plotBottom, stroke: "#374151"}});
const middle = (plotTop + plotBottom) / 2;
svg("text", {{x: (plotLeft + plotRight) / 2, y: plotBottom + 32, "text-anchor": "middle"}}, "step");
svg("text", {{x: 12, y: middle, "text-anchor": "middle",
             transform: "rotate(-90 12 " + middle + ")"}}, "loss");
let run = [];  // the curve: a line through each run of finite losses, a band where they are not
losses.concat([NaN]).forEach((v, i) => {{
  if (Number.isFinite(v)) {{ run.push(x(i + 1) + "," + y(v)); return; }}
  if (run.length > 1) svg("polyline", {{points: run.join(" "), fill: "none", stroke: "#2563eb",
                                        "stroke-width": 1.5}});
  if (run.length === 1) {{  // a loss with no finite neighbour: a dot, as no line can show it
    const [cx, cy] = run[0].split(",");
    svg("circle", {{cx: cx, cy: cy, r: 2, fill: "#2563eb"}});
  }}
  run = [];
  if (i < losses.length) {{
    const half = (plotRight - plotLeft) / Math.max(losses.length - 1, 1) / 2;
    svg("rect", {{x: x(i + 1) - half, y: plotTop, width: Math.max(2 * half, 1), height: plotBottom - plotTop,
                 fill: "{warning_fill}"}});
  }}
}});
if (finite.length < losses.length) {{
  svg("text", {{x: plotRight, y: plotTop + 12, "text-anchor": "end", fill: "{warning_border}"}},
      "band: loss nan or inf");
}}
const marker = svg("circle", {{r: 4, fill: "#b91c1c"}});
let fit = true;
function address() {{
  return "#step=" + steps[+slider.value] + (fit ? "" : "&actual");
}}
function show(i) {{
  i = Math.max(0, Math.min(frames.length - 1, i));
  graph.innerHTML = frames[i];
  const step = steps[i];
  label.textContent = "step " + step + " of " + losses.length;
  const loss = losses[step - 1], shown = Number.isFinite(loss);
  now.textContent = "loss at step " + step + ": " + (shown ? loss.toFixed(4) : String(loss));
  marker.setAttribute("cx", x(step)); marker.setAttribute("cy", shown ? y(loss) : plotTop);
  marker.setAttribute("fill", shown ? "#b91c1c" : "{warning_border}");
  slider.value = i;
  link.textContent = address();
  history.replaceState(null, "", address());
}}
let timer = null;
function toggle() {{
  if (timer) {{ clearInterval(timer); timer = null; play.textContent = "play"; return; }}
  play.textContent = "pause";
  timer = setInterval(() => show((+slider.value + 1) % frames.length), {interval});
}}
play.onclick = toggle;
slider.oninput = () => show(+slider.value);
zoom.onclick = () => {{
  fit = graph.classList.toggle("fit");
  zoom.textContent = fit ? "actual size" : "fit";
  show(+slider.value);
}};
document.addEventListener("keydown", e => {{
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const moves = {{ArrowLeft: -1, ArrowRight: 1, ArrowUp: 1, ArrowDown: -1}};
  if (e.target === slider && e.key in moves) return;  // the slider moves itself
  if (e.key in moves) show(+slider.value + moves[e.key]);
  else if (e.key === "Home") show(0);
  else if (e.key === "End") show(frames.length - 1);
  else if (e.key === " " && e.target.tagName !== "BUTTON") toggle();
  else return;
  e.preventDefault();
}});
function fromAddress() {{  // #step=N (the recorded step at or before N) and &actual
  const hash = location.hash.slice(1).split("&");
  const asked = hash.map(p => /^step=(\\d+)$/.exec(p)).find(m => m);
  if (hash.includes("actual") === fit) {{ fit = !fit; graph.classList.toggle("fit", fit);
    zoom.textContent = fit ? "actual size" : "fit"; }}
  let i = 0;
  if (asked) steps.forEach((s, k) => {{ if (s <= +asked[1]) i = k; }});
  show(i);
}}
window.addEventListener("hashchange", fromAddress);
fromAddress();
</script></body></html>
"""
