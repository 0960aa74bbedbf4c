"""Plots with matplotlib: loss and accuracy curves, a 2-D decision boundary, the parameters and
their gradients. Each returns the matplotlib Figure (shown inline in a notebook); `save_figure`
writes one to a file, all or nothing, at SAVE_DPI: a plot of 8 × 4.5 inches is 1600 × 900
pixels, sharp on a projector."""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

from micrograd_edu.files import write_atomically
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor
from micrograd_edu.viz.install import install_hint

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
    ax.plot(range(1, len(losses) + 1), losses, color=LOSS_COLOUR, label="loss", zorder=3)
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
        ax.set_title(f"{title}   (last: {losses[-1]:.4f} at step {len(losses)})")
    else:
        ax.set_title(title)
    fig.tight_layout()
    return fig, ax


def decision_boundary(model, X: Tensor, y: Tensor, resolution: int = 100):
    """The class a 2-D classifier predicts everywhere (the background), with the data on top.

    A model with one output is a binary classifier: class 1 where its output > 0.5. A model
    with one output per class predicts the class with the largest output. `y` holds the
    classes, as (n,) or (n, 1).
    """
    plt = _pyplot()
    if X.dim() != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary draws 2-D data: X must have shape (n, 2), got {tuple(X.shape)}")
    points, labels = X.tolist(), [int(round(float(v))) for v in y.flatten().tolist()]
    if len(labels) != len(points):
        raise ValueError(f"decision_boundary: y holds {len(labels)} labels for {len(points)} points")
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
    if outputs == 1:
        predicted = [1 if s > 0.5 else 0 for s in scores.flatten().tolist()]
        rule = "background: class 1 where the model's output > 0.5"
    else:
        predicted = [max(range(outputs), key=row.__getitem__) for row in scores.tolist()]
        rule = "background: the class whose output is the largest"
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(7.6, 5.6), dpi=100)
    colours = [REGION_COLOURS[k % len(REGION_COLOURS)] for k in range(classes)]
    if outputs == 1:  # the output itself: a smooth line where it crosses 0.5
        flat = scores.flatten().tolist()
        z = [flat[j * resolution : (j + 1) * resolution] for j in range(resolution)]
        ax.contourf(gx, gy, z, levels=[-math.inf, 0.5, math.inf], colors=colours)
        ax.contour(gx, gy, z, levels=[0.5], colors="#374151", linewidths=1)
    else:
        from matplotlib.colors import ListedColormap

        z = [predicted[j * resolution : (j + 1) * resolution] for j in range(resolution)]
        step_x, step_y = (x1 - x0) / (resolution - 1) / 2, (y1 - y0) / (resolution - 1) / 2
        ax.imshow(  # one cell per grid point: no contour can invent a band of a third class
            z,
            origin="lower",
            extent=(x0 - step_x, x1 + step_x, y0 - step_y, y1 + step_y),
            cmap=ListedColormap(colours),
            vmin=-0.5,
            vmax=classes - 0.5,
            interpolation="nearest",
            aspect="auto",
        )
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
            axes[1][col].text(0.5, 0.5, f"{name}.grad is None\n(no backward() yet)", ha="center", va="center")
        else:
            _numbers(axes[1][col], grads, p.shape, "#f87171", f"{name}.grad")
    when = f" at step {step}" if step is not None else ""
    fig.suptitle(f"the parameters and their gradients{when}", fontsize=13)
    fig.tight_layout()
    return fig


def _numbers(ax, values: list[float], shape: tuple[int, ...], colour: str, title: str) -> None:
    """One panel: a bar per number (few of them) or a histogram (many)."""
    from itertools import product

    if len(values) <= FEW:
        indices = [",".join(map(str, i)) for i in product(*map(range, shape))] or [""]
        ax.bar(range(len(values)), values, color=colour, edgecolor="#374151", linewidth=0.5)
        ax.axhline(0, color="#374151", linewidth=0.8)
        ax.set_xticks(range(len(values)), indices, fontsize=8, rotation=90 if len(values) > 8 else 0)
        ax.set_xlabel("index", fontsize=9)
        _few_ticks(ax.yaxis)
        middle, half = (len(values) - 1) / 2, max(len(values), 3) / 2
        ax.set_xlim(middle - half, middle + half)  # one bar or two stand in the middle, as wide as others
    else:
        ax.hist(
            values, bins=min(30, max(10, len(values) // 5)), color=colour, edgecolor="#374151", linewidth=0.3
        )
        _few_ticks(ax.xaxis, 4)
        _few_ticks(ax.yaxis, 4)
        ax.set_ylabel("how many", fontsize=9)
    ax.set_title(f"{title}\n{len(values)} number{'s' if len(values) != 1 else ''}", fontsize=10)
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
