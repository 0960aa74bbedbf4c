"""Plots with matplotlib: loss and accuracy curves, a 2-D decision boundary, histograms of
parameters and gradients. Each returns the matplotlib Figure (shown inline in a notebook);
`save_figure` writes one to a file, all or nothing."""

from __future__ import annotations

import io
import os
from pathlib import Path

from micrograd_edu.files import write_atomically
from micrograd_edu.grad_mode import no_grad
from micrograd_edu.tensor import Tensor


def _pyplot():
    try:
        import matplotlib

        if not os.environ.get("DISPLAY") and "inline" not in matplotlib.get_backend():
            matplotlib.use("Agg")  # no screen: draw into files
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plots need matplotlib: pip install 'micrograd_edu[viz]'") from e
    return plt


def loss_axes(losses: list[float], accuracies: list[float] | None = None):
    """The loss per step (and the accuracy on a second axis, if given)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    ax.plot(range(1, len(losses) + 1), losses, color="#2563eb", label="loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    if accuracies is not None:
        right = ax.twinx()
        right.plot(range(1, len(accuracies) + 1), accuracies, color="#16a34a", label="accuracy")
        right.set_ylabel("accuracy")
        right.set_ylim(-0.05, 1.05)
    ax.set_title("training")
    fig.tight_layout()
    return fig, ax


def decision_boundary(model, X: Tensor, y: Tensor, resolution: int = 60):
    """Where a 2-D binary classifier says 1 (output > 0.5), with the data points on top."""
    plt = _pyplot()
    points, labels = X.tolist(), [float(v) for v in y.flatten().tolist()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad = 0.5
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    grid = X.new_tensor([[a, b] for b in gy for a in gx])
    with no_grad():
        scores = model(grid).flatten().tolist()
    z = [scores[j * resolution : (j + 1) * resolution] for j in range(resolution)]
    fig, ax = plt.subplots(figsize=(4.5, 4), dpi=100)
    ax.contourf(gx, gy, z, levels=[0.0, 0.5, 1.0], colors=["#dbeafe", "#fde68a"], alpha=0.9)
    ax.contour(gx, gy, z, levels=[0.5], colors="#374151", linewidths=1)
    ax.scatter(xs, ys, c=["#b45309" if v > 0.5 else "#2563eb" for v in labels], edgecolors="k", s=30)
    ax.set_title("decision boundary (model output > 0.5)")
    fig.tight_layout()
    return fig


def histograms(model):
    """Each parameter's values and, if backward() has run, its gradient's values."""
    plt = _pyplot()
    named = list(model.named_parameters())
    fig, axes = plt.subplots(2, len(named), figsize=(2.6 * len(named), 4.2), dpi=100, squeeze=False)
    for col, (name, p) in enumerate(named):
        axes[0][col].hist(p.data.flatten().tolist(), bins=15, color="#fbbf24")
        axes[0][col].set_title(name, fontsize=9)
        grads = [] if p.grad is None else p.grad.flatten().tolist()
        axes[1][col].hist(grads, bins=15, color="#f87171")
        axes[1][col].set_title(f"{name}.grad" if grads else f"{name}.grad (none yet)", fontsize=9)
    fig.tight_layout()
    return fig


def figure_bytes(fig, format: str = "png") -> bytes:
    """The figure drawn as a file's bytes; the figure is closed (it is done)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format)
    _pyplot().close(fig)
    return buffer.getvalue()


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Write a figure to `path` (png, svg, pdf: from the suffix), all or nothing."""
    return write_atomically(path, figure_bytes(fig, Path(path).suffix.lstrip(".") or "png"))
