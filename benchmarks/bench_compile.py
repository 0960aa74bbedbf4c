"""compile's payoff on the numpy backend: eager, compiled, and the same step by hand in numpy.

1. The tutorial's step (SimpleNN 2-4-1 on XOR, BCELoss, SGD momentum 0.9). Two hand-written
   numpy steps: `numpy`, as a person writes it (sigmoid as 1 / (1 + e^-x)), and `numpy_same`,
   the very ops the engine runs (its overflow-free sigmoid, the clamped logs, each backward
   product), whose losses come out bitwise the engine's: "the same program in plain numpy".
2. The 784-256-10 MLP on a batch of 128 (ReLU, cross entropy, SGD), bench_tensor's problem and
   its hand-written numpy step.
3. The python backend: micrograd's demo step (MLP 2-16-16-1, ReLU, 100 two-moons points, the
   max-margin loss with L2, SGD), bench_engine's data, eager and compiled, against micrograd 0.1.0
   running bench_engine's own model of it.

Contenders take turns in interleaved repeats (bench_tensor's `race`); a ratio is of medians
from the same run. `--quick` runs a few steps only (CI: a smoke run).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from bench_engine import DATA, MLP, SIZES, load_engines, train_step  # noqa: E402
from bench_tensor import LARGE_LR, large_problem, numpy_ce_maker, race  # noqa: E402

import micrograd_edu as torch  # noqa: E402
from micrograd_edu import nn, optim  # noqa: E402
from micrograd_edu.demo import SimpleNN  # noqa: E402

TARGET_VS_MICROGRAD = 20.0  # the issue: the compiled python-backend step at least 20x micrograd 0.1.0


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


def numpy_same_maker():
    """The engine's own ops for the tutorial's step, in its order, by hand: bitwise its losses."""

    def sigmoid(a):  # the engine's: e^-|a| never overflows
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e))

    def make():
        torch.set_backend("numpy")
        torch.manual_seed(0)
        X, y = (t.numpy() for t in torch.datasets.xor(backend="numpy"))
        model = SimpleNN()
        W1, b1, W2, b2 = (p.detach().numpy().copy() for p in model.parameters())
        params, bufs, low = [W1, b1, W2, b2], [None] * 4, math.exp(-100)

        def step():
            a1 = X @ W1.T
            a1 += b1
            h = sigmoid(a1)
            a2 = h @ W2.T
            a2 += b2
            p = sigmoid(a2)
            cp = np.clip(p, low, math.inf)
            q = 1.0 - p
            cq = np.clip(q, low, math.inf)
            not_y = 1.0 - y
            loss = np.reshape((-(y * np.log(cp) + not_y * np.log(cq))).sum() / p.size, ())
            g = -np.broadcast_to(np.ones((1, 1)) / p.size, p.shape)
            gq = -((g * not_y) / cq * ((q >= low) & (q <= math.inf)))
            gp = (g * y) / cp * ((p >= low) & (p <= math.inf))
            g2 = (gq + gp) * p * (1 - p)
            gh = g2 @ W2
            grads = [None, None, g2.T @ h, g2.sum(0)]
            g1 = gh * h * (1 - h)
            grads[:2] = g1.T @ X, g1.sum(0)
            for i, (w, g) in enumerate(zip(params, grads)):
                if bufs[i] is None:
                    bufs[i] = np.array(g, order="C")
                else:
                    bufs[i] *= 0.9
                    bufs[i] += 1.0 * g
                w += -0.5 * bufs[i]
            return float(loss)

        return step

    return make


def large_makers() -> dict:
    """784-256-10, batch 128: eager, compiled, and bench_tensor's hand-written numpy step."""
    X, labels, layers = large_problem(np)

    def edu(compiled: bool):
        def make():
            torch.set_backend("numpy")
            Xt, Y = torch.tensor(X, backend="numpy"), torch.tensor(labels, backend="numpy")
            l1, l2 = nn.Linear(784, 256, backend="numpy"), nn.Linear(256, 10, backend="numpy")
            with torch.no_grad():
                for linear, (w, b) in zip((l1, l2), layers):
                    linear.weight.copy_(torch.tensor(w, backend="numpy"))
                    linear.bias.copy_(torch.tensor(b, backend="numpy"))
            model, criterion = nn.Sequential(l1, nn.ReLU(), l2), nn.CrossEntropyLoss()
            opt = optim.SGD(model.parameters(), lr=LARGE_LR)

            def step(X, Y):
                loss = criterion(model(X), Y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss

            f = torch.compile(step) if compiled else step
            return lambda: f(Xt, Y).item()

        return make

    hand = numpy_ce_maker(np, layers, X, labels, LARGE_LR)
    return {"eager": edu(False), "compiled": edu(True), "numpy": hand}


def demo_edu_maker(compiled: bool):
    """micrograd's demo step on the python backend: tensors of Values, nn.Linear layers."""

    def make():
        torch.set_backend("python")
        torch.manual_seed(1)
        X = torch.tensor([[x, y] for x, y, _ in DATA], backend="python")
        y = torch.tensor([[label] for _, _, label in DATA], backend="python")
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
        params = list(model.parameters())
        opt = optim.SGD(params, lr=0.5)

        def step(X, y):
            opt.zero_grad()
            margin = (1 - y * model(X)).relu().mean()
            loss = margin + 1e-4 * sum((p * p).sum() for p in params)
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step) if compiled else step
        for _ in range(3):  # untimed, both alike: the compiled step's traces and its code generation
            f(X, y)
        return lambda: f(X, y).item()

    return make


def demo_micrograd_maker():
    """The same step with micrograd 0.1.0's Value (bench_engine's model and step, lr fixed at 0.5)."""
    micrograd_value = load_engines()[0]

    def make():
        model = MLP(micrograd_value, SIZES)
        params = model.parameters()
        return lambda: train_step(micrograd_value, model, params, 500 / 9)  # lr = 1 - 0.9 k / 100 = 0.5

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    repeats, steps = (3, 20) if quick else (7, 1000)
    tutorial = {
        "eager": edu_maker(False),
        "compiled": edu_maker(True),
        "numpy": numpy_maker(),
        "numpy_same": numpy_same_maker(),
    }
    print("[1/3] the tutorial's step (SimpleNN 2-4-1, XOR, BCELoss, SGD momentum 0.9)")
    result = race(tutorial, repeats, steps)
    report(result, steps, repeats, ["numpy", "numpy_same"])
    losses = result["loss_trajectory"]
    if not losses["eager"] == losses["compiled"] == losses["numpy_same"]:
        sys.exit("the compiled (or the same-ops numpy) losses differ from eager ones")
    large_steps = 10 if quick else 100
    print("[2/3] MLP 784-256-10, batch 128, cross entropy, SGD")
    result = race(large_makers(), repeats, large_steps)
    report(result, large_steps, repeats, ["numpy"])
    if result["loss_trajectory"]["eager"] != result["loss_trajectory"]["compiled"]:
        sys.exit("compiled losses differ from eager ones (784-256-10)")
    demo_steps, demo_repeats = (3, 3) if quick else (10, 7)
    print("[3/3] python backend: micrograd's demo step (MLP 2-16-16-1, 100 points, max-margin + L2, SGD)")
    demo = {
        "eager": demo_edu_maker(False),
        "compiled": demo_edu_maker(True),
        "micrograd": demo_micrograd_maker(),
    }
    result = race(demo, demo_repeats, demo_steps)
    report(result, demo_steps, demo_repeats, ["micrograd"])
    ms = result["median_ms_per_step"]
    speedup = ms["micrograd"] / ms["compiled"]
    verdict = "met" if speedup >= TARGET_VS_MICROGRAD else "not met"
    print(
        f"  compiled vs micrograd 0.1.0: {speedup:.1f}x faster (target {TARGET_VS_MICROGRAD:g}x: {verdict})"
    )
    if result["loss_trajectory"]["eager"] != result["loss_trajectory"]["compiled"]:
        sys.exit("compiled losses differ from eager ones (python backend)")


def report(result: dict, steps: int, repeats: int, floors: list[str]) -> None:
    ms = result["median_ms_per_step"]
    times = ", ".join(f"{k} {v:.4f}" for k, v in ms.items())
    print(f"  {steps} steps x {repeats} repeats (ms/step): {times}")
    for floor in floors:
        print(
            f"  eager / {floor} {ms['eager'] / ms[floor]:.2f}x, compiled / {floor} "
            f"{ms['compiled'] / ms[floor]:.2f}x"
        )
    print(f"  eager / compiled {ms['eager'] / ms['compiled']:.2f}x")


if __name__ == "__main__":
    main()
