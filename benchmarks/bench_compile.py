"""compile's payoff: the tutorial's step (SimpleNN 2-4-1 on XOR, BCELoss, SGD momentum 0.9) on
the numpy backend: eager, compiled, and the same arithmetic written by hand in numpy.

Contenders take turns in interleaved repeats (bench_tensor's `race`); a ratio is of medians
from the same run. `--quick` runs a few steps only (CI: a smoke run). Not yet measured here:
JAX jit, the python backend against micrograd 0.1.0, the 784-256-10 MLP.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from bench_tensor import race  # noqa: E402

import micrograd_edu as torch  # noqa: E402
from micrograd_edu import nn, optim  # noqa: E402
from micrograd_edu.demo import SimpleNN  # noqa: E402


def edu_maker(compiled: bool):
    def make():
        torch.set_backend("numpy")
        torch.manual_seed(0)
        X, y = torch.datasets.xor(backend="numpy")
        model, criterion = SimpleNN(), nn.BCELoss()
        opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

        def step(X, y):
            opt.zero_grad()
            loss = criterion(model(X), y)
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        return lambda: f(X, y).item()

    return make


def numpy_maker():
    """The same step by hand: sigmoid layers, clamped-log BCE, SGD with momentum."""

    def make():
        torch.set_backend("numpy")
        torch.manual_seed(0)
        X, y = (t.numpy() for t in torch.datasets.xor(backend="numpy"))
        model = SimpleNN()
        W1, b1, W2, b2 = (p.detach().numpy().copy() for p in model.parameters())
        params, bufs = [W1, b1, W2, b2], [None] * 4

        def step():
            h = 1 / (1 + np.exp(-(X @ W1.T + b1)))
            p = 1 / (1 + np.exp(-(h @ W2.T + b2)))
            lp, lq = np.log(np.clip(p, np.exp(-100), None)), np.log(np.clip(1 - p, np.exp(-100), None))
            loss = -(y * lp + (1 - y) * lq).mean()
            gp = (-(y / p) + (1 - y) / (1 - p)) / p.size
            g2 = gp * p * (1 - p)
            gh = g2 @ W2 * h * (1 - h)
            grads = (gh.T @ X, gh.sum(0), g2.T @ h, g2.sum(0))
            for i, (w, g) in enumerate(zip(params, grads)):
                bufs[i] = g.copy() if bufs[i] is None else bufs[i] * 0.9 + g
                w -= 0.5 * bufs[i]
            return float(loss)

        return step

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    repeats, steps = (3, 20) if quick else (7, 1000)
    result = race(
        {"eager": edu_maker(False), "compiled": edu_maker(True), "numpy": numpy_maker()}, repeats, steps
    )
    ms = result["median_ms_per_step"]
    print(
        f"tutorial step, {steps} steps x {repeats} repeats (ms/step): "
        + ", ".join(f"{k} {v:.4f}" for k, v in ms.items())
    )
    print(
        f"eager / numpy {ms['eager'] / ms['numpy']:.2f}x, "
        f"compiled / numpy {ms['compiled'] / ms['numpy']:.2f}x, "
        f"eager / compiled {ms['eager'] / ms['compiled']:.2f}x"
    )
    eager, compiled = result["loss_trajectory"]["eager"], result["loss_trajectory"]["compiled"]
    if eager != compiled:
        sys.exit("compiled losses differ from eager ones")


if __name__ == "__main__":
    main()
