"""Plots with matplotlib: loss and accuracy curves, a 2-D decision boundary, the parameters and
their gradients. Each returns the matplotlib Figure (shown inline in a notebook); `save_figure`
writes one to a file, all or nothing, at SAVE_DPI: a plot of 8 × 4.5 inches is 1600 × 900
pixels, sharp on a projector. A nan or an inf (a loss that blew up) is drawn where it is, in
the warning colour the graph pictures use, never left out in silence."""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from pathlib import Path

from micrograd_edu.files import write_atomically
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor
from micrograd_edu.viz.install import install_hint
from micrograd_edu.viz.labels import WARNING_BORDER, WARNING_FILL, format_number, printable

SAVE_DPI = 200  # pixels per inch of a saved figure
LOSS_COLOUR = "#2563eb"
CLASS_COLOURS = ["#2563eb", "#d97706", "#16a34a", "#9333ea", "#dc2626", "#0891b2"]  # points of class k
REGION_COLOURS = ["#dbeafe", "#fde68a", "#bbf7d0", "#e9d5ff", "#fecaca", "#cffafe"]  # where a model says k
FEW = 16  # a parameter of at most this many numbers is drawn a bar per number, not as a histogram


def _pyplot():
    try:
        import matplotlib

        if not os.environ.get("DISPLAY") and "inline" not in matplotlib.get_backend():
            matplotlib.use("Agg")  # no screen: draw into files
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(f"plots need matplotlib: {install_hint('viz')}") from e
    return plt


def _few_ticks(axis, n: int = 5) -> None:
    """At most n round-numbered ticks on an axis, each label written out in full (no shared
    "1e-4" above the axis to collide with a title), so labels never run into each other."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(n, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(_tick_label))


def _tick_label(x: float, _position=None) -> str:
    """A tick's number as short as it can be: 0, 0.25, 1500, 1.2e-04."""
    x += 0.0
    if x == 0:
        return "0"
    return f"{x:.1e}" if abs(x) < 1e-2 or abs(x) >= 1e5 else f"{x:.4g}"


def loss_axes(
    losses: list[float], accuracies: list[float] | None = None, title: str = "loss per training step"
):
    """The loss per step (and the accuracy on a second axis, if given); (figure, axes)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    finite = [x if math.isfinite(x) else math.nan for x in losses]  # a gap where the loss is not a number
    ax.plot(range(1, len(losses) + 1), finite, color=LOSS_COLOUR, label="loss", zorder=3)
    ok = [math.isfinite(x) for x in losses]
    alone = [i for i in range(len(ok)) if ok[i] and not any(ok[max(i - 1, 0) : i] + ok[i + 1 : i + 2])]
    ax.plot(
        [i + 1 for i in alone], [losses[i] for i in alone], "o", color=LOSS_COLOUR, markersize=3, zorder=3
    )
    _mark_nonfinite(ax, losses, "loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_xlim(1, max(len(losses), 2))
    ax.grid(alpha=0.3)
    if accuracies is not None:
        right = ax.twinx()
        right.plot(range(1, len(accuracies) + 1), accuracies, color="#16a34a", label="accuracy")
        right.set_ylabel("accuracy")
        right.set_ylim(-0.05, 1.05)
    if losses:
        ax.set_title(f"{_words(title)}   (last: {losses[-1]:.4f} at step {len(losses)})")
    else:
        ax.set_title(_words(title))
    if any(not math.isfinite(x) for x in losses):
        ax.legend(loc="upper right")
    fig.tight_layout()
    return fig, ax


def _words(words: str) -> str:
    """Words for a matplotlib title or label, shown as they are: control characters written out
    (see `printable`) and a $ kept a dollar sign (matplotlib would read $...$ as mathematics)."""
    return printable(words).replace("$", r"\$")


def _mark_nonfinite(ax, values: list[float], what: str) -> None:
    """A band in the warning colour over each run of steps (1, 2, ...) whose value is nan or inf."""
    bad = [i + 1 for i, x in enumerate(values) if not math.isfinite(x)]
    runs: list[list[int]] = []
    for step in bad:
        if runs and step == runs[-1][1] + 1:
            runs[-1][1] = step
        else:
            runs.append([step, step])
    for k, (first, last) in enumerate(runs):
        label = f"{what} nan or inf" if k == 0 else None
        ax.axvspan(
            first - 0.5, last + 0.5, color=WARNING_FILL, ec=WARNING_BORDER, lw=0.8, label=label, zorder=1
        )


def decision_boundary(model, X: Tensor, y: Tensor, resolution: int = 100):
    """The class a 2-D classifier predicts everywhere (the background), with the data on top.

    A model with one output is a binary classifier: class 1 where its output > 0.5. A model
    with one output per class predicts the class with the largest output. `y` holds the
    classes, as (n,) or (n, 1).
    """
    plt = _pyplot()
    if X.dim() != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(
            f"decision_boundary draws 2-D data: X must have shape (n, 2), n >= 1, got {tuple(X.shape)}"
        )
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"decision_boundary: resolution must be a whole number >= 2, got {resolution!r}")
    points, classes_given = X.tolist(), y.flatten().tolist()
    if len(classes_given) != len(points):
        raise ValueError(f"decision_boundary: y holds {len(classes_given)} labels for {len(points)} points")
    for i, point in enumerate(points):
        if not all(map(math.isfinite, point)):
            raise ValueError(
                f"decision_boundary: X[{i}] is {point}: a point with a nan or an inf has no place in the "
                "picture; draw the points that have one"
            )
    for i, label in enumerate(classes_given):
        if not (math.isfinite(label) and label >= 0 and label == round(label)):
            raise ValueError(f"decision_boundary: y[{i}] is {label}, but a class is a whole number >= 0")
    labels = [int(label) for label in classes_given]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad_x, pad_y = 0.15 * (max(xs) - min(xs) or 1), 0.15 * (max(ys) - min(ys) or 1)
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    grid = X.new_tensor([[a, b] for b in gy for a in gx])
    with no_grad():
        scores = model(grid)
    outputs = scores.shape[1] if scores.dim() == 2 else 1
    classes = max(max(labels) + 1, 2 if outputs == 1 else outputs)
    if outputs == 1 and classes > 2:
        raise ValueError(
            f"decision_boundary: y holds {classes} classes, but the model has one output (a binary "
            f"classifier, class 1 where the output > 0.5). Give it one output per class, e.g. "
            f"nn.Linear(hidden, {classes}) trained with nn.CrossEntropyLoss, and draw that"
        )
    rows = scores.reshape(len(grid), outputs).tolist()
    undefined = [not all(map(math.isfinite, row)) for row in rows]  # the model says nan or inf here
    if outputs == 1:
        predicted = [1 if row[0] > 0.5 else 0 for row in rows]
        rule = "background: class 1 where the model's output > 0.5"
    else:
        predicted = [max(range(outputs), key=row.__getitem__) for row in rows]
        rule = "background: the class whose output is the largest"
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(7.6, 5.6), dpi=100)
    colours = [REGION_COLOURS[k % len(REGION_COLOURS)] for k in range(classes)]
    step_x, step_y = (x1 - x0) / (resolution - 1) / 2, (y1 - y0) / (resolution - 1) / 2
    extent = (x0 - step_x, x1 + step_x, y0 - step_y, y1 + step_y)  # a cell around each grid point
    if outputs == 1:  # the output itself: a smooth line where it crosses 0.5
        # Within ±1e9 (where a huge output meets its neighbour, contour's arithmetic would overflow);
        # a gap where the output is no number.
        flat = [max(-1e9, min(1e9, row[0])) if math.isfinite(row[0]) else math.nan for row in rows]
        z = [flat[j * resolution : (j + 1) * resolution] for j in range(resolution)]
        ax.contourf(gx, gy, z, levels=[-math.inf, 0.5, math.inf], colors=colours)
        ax.contour(gx, gy, z, levels=[0.5], colors="#374151", linewidths=1)
    else:
        from matplotlib.colors import ListedColormap

        classes_at = [predicted[j * resolution : (j + 1) * resolution] for j in range(resolution)]
        ax.imshow(  # one cell per grid point: no contour can invent a band of a third class
            classes_at,
            origin="lower",
            extent=extent,
            cmap=ListedColormap(colours),
            vmin=-0.5,
            vmax=classes - 0.5,
            interpolation="nearest",
            aspect="auto",
        )
    if any(undefined):  # on top, in the warning colour: where the model's output is no number
        from matplotlib.colors import to_rgba

        warn, clear = to_rgba(WARNING_FILL), (0.0, 0.0, 0.0, 0.0)
        cells = [warn if bad else clear for bad in undefined]
        layer = [cells[j * resolution : (j + 1) * resolution] for j in range(resolution)]
        ax.imshow(layer, origin="lower", extent=extent, interpolation="nearest", aspect="auto", zorder=2)
    for k in range(classes):
        mine = [i for i, label in enumerate(labels) if label == k]
        ax.scatter(
            [xs[i] for i in mine],
            [ys[i] for i in mine],
            color=CLASS_COLOURS[k % len(CLASS_COLOURS)],
            edgecolors="k",
            s=40 if len(points) < 50 else 18,
            label=f"class {k}",
            zorder=3,
        )
    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Patch(facecolor=colours[k], edgecolor="#374151", label=f"predicted {k}") for k in range(classes)
    ]
    if any(undefined):
        handles.append(Patch(facecolor=WARNING_FILL, edgecolor=WARNING_BORDER, label="output nan or inf"))
    ax.set_xlabel("X[:, 0]")
    ax.set_ylabel("X[:, 1]")
    _few_ticks(ax.xaxis)
    _few_ticks(ax.yaxis)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, title="points: data"
    )
    ax.set_title(f"what the model predicts\n({rule})", fontsize=11)
    fig.tight_layout()
    return fig


def histograms(model, step: int | None = None):
    """Each parameter's numbers (top row) and its gradient's (bottom row, if backward() has run).

    A parameter of at most FEW numbers, such as the XOR model's, is drawn one bar per number
    (labelled by its index: too few for a histogram to show anything); a larger one, as a
    histogram. `step` names the training step in the title.
    """
    plt = _pyplot()
    named = list(model.named_parameters())
    sizes = [p.numel() for _, p in named]
    widths = [max(4, n) if n <= FEW else 8 for n in sizes]  # a bar keeps its width from panel to panel
    fig, axes = plt.subplots(
        2,
        len(named),
        figsize=(min(16.0, max(6.0, 0.42 * sum(widths) + 1.2 * len(named))), 5.6),
        dpi=100,
        squeeze=False,
        gridspec_kw={"width_ratios": widths},
    )
    for col, (name, p) in enumerate(named):
        values = p.data.flatten().tolist()
        grads = None if p.grad is None else p.grad.flatten().tolist()
        _numbers(axes[0][col], values, p.shape, "#fbbf24", name)
        if grads is None:
            axes[1][col].set_axis_off()
            axes[1][col].text(
                0.5, 0.5, f"{_words(name)}.grad is None\n(no backward() yet)", ha="center", va="center"
            )
        else:
            _numbers(axes[1][col], grads, p.shape, "#f87171", f"{name}.grad")
    when = f" at step {step}" if step is not None else ""
    fig.suptitle(f"the parameters and their gradients{when}", fontsize=13)
    fig.tight_layout()
    return fig


def _numbers(ax, values: list[float], shape: tuple[int, ...], colour: str, title: str) -> None:
    """One panel: a bar per number (few of them) or a histogram (many); a nan or an inf in the
    warning colour, a band where its bar would be (or counted in a box beside the histogram)."""
    from itertools import product

    finite = [x for x in values if math.isfinite(x)]
    if len(values) <= FEW:
        indices = [",".join(map(str, i)) for i in product(*map(range, shape))] or [""]
        heights = [x if math.isfinite(x) else 0.0 for x in values]
        ax.bar(range(len(values)), heights, color=colour, edgecolor="#374151", linewidth=0.5)
        for i, x in enumerate(values):
            if not math.isfinite(x):
                ax.axvspan(i - 0.4, i + 0.4, color=WARNING_FILL, ec=WARNING_BORDER, lw=0.8)
                where = ax.get_xaxis_transform()  # x in data, y in the panel's height
                ax.text(
                    i,
                    0.5,
                    format_number(x),
                    transform=where,
                    rotation=90,
                    ha="center",
                    va="center",
                    color=WARNING_BORDER,
                    fontsize=9,
                )
        ax.axhline(0, color="#374151", linewidth=0.8)
        ax.set_xticks(range(len(values)), indices, fontsize=8, rotation=90 if len(values) > 8 else 0)
        ax.set_xlabel("index", fontsize=9)
        _few_ticks(ax.yaxis)
        middle, half = (len(values) - 1) / 2, max(len(values), 3) / 2
        ax.set_xlim(middle - half, middle + half)  # one bar or two stand in the middle, as wide as others
    else:
        if finite:
            ax.hist(
                finite,
                bins=min(30, max(10, len(finite) // 5)),
                color=colour,
                edgecolor="#374151",
                linewidth=0.3,
            )
        if len(finite) < len(values):
            counts = Counter(format_number(x).lstrip("+") for x in values if not math.isfinite(x))
            said = ", ".join(f"{n} {word}" for word, n in sorted(counts.items()))
            box = {"facecolor": WARNING_FILL, "edgecolor": WARNING_BORDER}
            ax.text(
                0.5,
                0.5,
                f"{said}\n(not in the histogram)",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=WARNING_BORDER,
                fontsize=9,
                bbox=box,
            )
        _few_ticks(ax.xaxis, 4)
        _few_ticks(ax.yaxis, 4)
        ax.set_ylabel("how many", fontsize=9)
    ax.set_title(f"{_words(title)}\n{len(values)} number{'s' if len(values) != 1 else ''}", fontsize=10)
    ax.grid(alpha=0.3, axis="y")


def figure_bytes(fig, format: str = "png") -> bytes:
    """The figure drawn as a file's bytes (at SAVE_DPI); the figure is closed (it is done)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format, dpi=SAVE_DPI)
    _pyplot().close(fig)
    return buffer.getvalue()


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Write a figure to `path` (png, svg, pdf: from the suffix), all or nothing."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        problem = f"ends in {path.suffix!r}, not a format matplotlib writes" if fmt else "has no suffix"
        raise ValueError(
            f"save_figure: {path.name!r} {problem} to say which picture format to write: "
            f"end the file name in .png, .svg or .pdf, e.g. {path.stem}.png"
        )
    return write_atomically(path, figure_bytes(fig, fmt))
