"""The tensor benchmark: one training step on micrograd_edu's Tensor, against PyTorch and numpy.

    python benchmarks/bench_tensor.py                 # full run, under 3 minutes
    python benchmarks/bench_tensor.py --quick         # smoke run, under 30 seconds
    python benchmarks/bench_tensor.py --json out.json # also write the results as JSON

Without PyTorch (pip install torch==2.13.0) its contenders are skipped, and the rest is run.

1. Small MLP, numpy backend: 2 -> 16 -> 16 -> 1 on 100 two-moons points, MSE loss, SGD. The
   same step in micrograd_edu (numpy backend), in PyTorch (CPU, float64) and by hand in numpy
   (manual backprop), from the same weights; their losses must agree to 1e-10.
2. Larger MLP, numpy backend: 784 -> 256 -> 10 on a batch of 128 random inputs, cross entropy,
   SGD: micrograd_edu against PyTorch.
3. Small MLP, python backend: the same step as in 1 on the python backend (lists of Values),
   against the same model written directly with `micrograd_edu.Value`: what the Tensor
   layer adds on top of the scalar engine.

A shared 2-core machine is noisy, so the contenders take turns (interleaved blocks, the
order rotated every repeat) and every figure is a median of repeats; a ratio is the median
of the per-repeat ratios. The garbage collector keeps Python's default settings.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_engine import MLP, machine, two_moons
from report import exit_if_failed, import_torch, largest_difference, met, print_table, save_json, spread

TARGET_VS_TORCH_SMALL = 1.0  # the small step: faster than PyTorch (time ratio below 1)
TARGET_VS_NUMPY_SMALL = 3.0  # the small step: at most 3x the time of hand-written numpy
TARGET_VS_TORCH_LARGE = 1.5  # the 784-256-10 step: at most 1.5x PyTorch's time
LOSS_TOLERANCE = 1e-10

SMALL_SIZES = [2, 16, 16, 1]
SMALL_LR = 0.05
LARGE_SIZES = [784, 256, 10]
LARGE_BATCH = 128
LARGE_LR = 0.01


@dataclass(frozen=True)
class Config:
    repeats: int  # timed blocks per contender, the contenders taking turns
    small_steps: int  # timed steps per block in part 1, after one untimed warm-up step
    large_steps: int  # the same for part 2
    python_steps: int  # the same for part 3
    python_repeats: int


FULL = Config(repeats=11, small_steps=50, large_steps=10, python_steps=3, python_repeats=7)
QUICK = Config(repeats=3, small_steps=10, large_steps=3, python_steps=1, python_repeats=3)

Step = Callable[[], float]  # one training step; returns the loss before the update
Maker = Callable[[], Step]  # builds a fresh model from the shared weights, returns its step


def load_libraries() -> tuple:
    """micrograd_edu from this checkout (not an installed copy), numpy and PyTorch (None if absent)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import numpy

    import micrograd_edu

    return micrograd_edu, numpy, import_torch()


# ---- the weights and data every contender starts from --------------------------------------


def small_problem() -> tuple[list, list, list]:
    """bench_engine's two moons (labels ±1) and its seeded MLP weights, as nested lists.

    Each layer is (weight, bias) in PyTorch's layout: weight[out][in], bias[out].
    """
    data = two_moons(100)
    X = [[x, y] for x, y, _ in data]
    Y = [[label] for _, _, label in data]
    model = MLP(float, SMALL_SIZES)  # bench_engine's Neuron draws its weights as value(uniform)
    layers = [([n.w for n in layer.neurons], [n.b for n in layer.neurons]) for layer in model.layers]
    return X, Y, layers


def large_problem(np) -> tuple:
    """Random inputs in [0, 1), random class labels, and PyTorch's default initialisation."""
    rng = np.random.default_rng(0)
    X = rng.random((LARGE_BATCH, LARGE_SIZES[0]))
    labels = rng.integers(0, LARGE_SIZES[-1], LARGE_BATCH)
    layers = []
    for n_in, n_out in zip(LARGE_SIZES, LARGE_SIZES[1:]):
        bound = 1 / n_in**0.5
        layers.append((rng.uniform(-bound, bound, (n_out, n_in)), rng.uniform(-bound, bound, n_out)))
    return X, labels, layers


# ---- the contenders: each makes a fresh model and returns its training step -------------------


def edu_maker(mg, layers, X, Y, lr: float, loss_kind: str, backend: str) -> Maker:
    """micrograd_edu as a student writes it: nn.Sequential of Linear and ReLU, a loss, optim.SGD."""
    nn = mg.nn
    X = mg.tensor(X, backend=backend)  # converted once, outside the timed steps
    Y = mg.tensor(Y, backend=backend)

    def make() -> Step:
        modules = []
        for i, (w, b) in enumerate(layers):
            linear = nn.Linear(len(w[0]), len(w), backend=backend)
            with mg.no_grad():  # as in PyTorch: a weight changes in place only outside the graph
                linear.weight.copy_(mg.tensor(w, backend=backend))
                linear.bias.copy_(mg.tensor(b, backend=backend))
            modules += [linear, nn.ReLU()] if i < len(layers) - 1 else [linear]
        model = nn.Sequential(*modules)
        criterion = nn.MSELoss() if loss_kind == "mse" else nn.CrossEntropyLoss()
        optimizer = mg.optim.SGD(model.parameters(), lr=lr)

        def step() -> float:
            loss = criterion(model(X), Y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        return step

    return make


def torch_maker(torch, layers, X, Y, lr: float, loss_kind: str, threads: int) -> Maker:
    """The same step in PyTorch, float64 throughout, on `threads` intra-op threads."""
    nn, f64 = torch.nn, torch.float64
    X = torch.tensor(X, dtype=f64)
    Y = torch.tensor(Y, dtype=f64) if loss_kind == "mse" else torch.tensor(Y, dtype=torch.long)

    def make() -> Step:
        torch.set_num_threads(threads)  # process-wide: set again at the start of every block
        modules = []
        for i, (w, b) in enumerate(layers):
            linear = nn.Linear(len(w[0]), len(w), dtype=f64)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(w, dtype=f64))
                linear.bias.copy_(torch.tensor(b, dtype=f64))
            modules += [linear, nn.ReLU()] if i < len(layers) - 1 else [linear]
        model = nn.Sequential(*modules)
        criterion = nn.MSELoss() if loss_kind == "mse" else nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)

        def step() -> float:
            loss = criterion(model(X), Y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        return step

    return make


def numpy_maker(np, layers, X, Y, lr: float) -> Maker:
    """The small MLP's step by hand: forward, the chain rule written out, the update in place.

    There are no gradient buffers to zero: each step's gradients are fresh arrays.
    """
    X, Y = np.array(X), np.array(Y)

    def make() -> Step:
        (W1, b1), (W2, b2), (W3, b3) = [(np.array(w), np.array(b)) for w, b in layers]
        params = (W1, b1, W2, b2, W3, b3)

        def step() -> float:
            z1 = X @ W1.T + b1
            h1 = np.maximum(z1, 0.0)
            z2 = h1 @ W2.T + b2
            h2 = np.maximum(z2, 0.0)
            diff = h2 @ W3.T + b3 - Y
            loss = np.mean(diff * diff)
            g3 = diff * (2.0 / diff.size)  # d loss / d output
            g2 = (g3 @ W3) * (z2 > 0)  # d loss / d z2: back through layer 3 and the ReLU
            g1 = (g2 @ W2) * (z1 > 0)
            grads = (g1.T @ X, g1.sum(0), g2.T @ h1, g2.sum(0), g3.T @ h2, g3.sum(0))
            for p, g in zip(params, grads):
                p -= lr * g
            return float(loss)

        return step

    return make


def numpy_ce_maker(np, layers, X, labels, lr: float) -> Maker:
    """The large MLP's step by hand (784-256-10, ReLU, softmax cross entropy): the floor that
    numpy's own matrix products set for any numpy-based library."""
    X, labels = np.array(X), np.array(labels, dtype=int)
    rows = np.arange(len(labels))

    def make() -> Step:
        (W1, b1), (W2, b2) = [(np.array(w), np.array(b)) for w, b in layers]
        params = (W1, b1, W2, b2)

        def step() -> float:
            z1 = X @ W1.T + b1
            h1 = np.maximum(z1, 0.0)
            z2 = h1 @ W2.T + b2
            shifted = z2 - z2.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -log_p[rows, labels].mean()
            g2 = np.exp(log_p)  # d loss / d z2: softmax minus the one-hot, over the batch
            g2[rows, labels] -= 1.0
            g2 /= len(labels)
            g1 = (g2 @ W2) * (z1 > 0)
            grads = (g1.T @ X, g1.sum(0), g2.T @ h1, g2.sum(0))
            for p, g in zip(params, grads):
                p -= lr * g
            return float(loss)

        return step

    return make


def value_maker(mg, layers, X, Y, lr: float) -> Maker:
    """The small MLP written directly with Values: bench_engine's Neuron/Layer/MLP, MSE loss."""
    Value = mg.Value
    inputs = [[Value(a) for a in x] for x in X]  # made once, as the Tensor contender's inputs are
    targets = [y for (y,) in Y]

    def make() -> Step:
        model = MLP(Value, SMALL_SIZES)
        for layer, (w, b) in zip(model.layers, layers):
            for neuron, row, bias in zip(layer.neurons, w, b):
                for wi, x in zip(neuron.w, row):
                    wi.data = x
                neuron.b.data = bias
        params = model.parameters()

        def step() -> float:
            errors = [(model(x) - y) ** 2 for x, y in zip(inputs, targets)]
            loss = sum(errors) * (1.0 / len(errors))
            for p in params:
                p.grad = 0.0
            loss.backward()
            for p in params:
                p.data -= lr * p.grad
            return loss.data

        return step

    return make


# ---- timing: interleaved blocks ------------------------------------------------------------------


def timed_block(make: Maker, steps: int) -> tuple[float, list[float]]:
    """Seconds per step over `steps` steps of a fresh model (after one untimed warm-up step),
    and the losses of every step."""
    step = make()
    gc.collect()  # whatever the previous contender left behind is not charged to this one
    losses = [step()]
    start = time.perf_counter()
    for _ in range(steps):
        losses.append(step())
    return (time.perf_counter() - start) / steps, losses


def race(contenders: dict[str, Maker], repeats: int, steps: int) -> dict:
    """Every contender runs `repeats` blocks; in repeat r the order is rotated by r."""
    names = list(contenders)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    losses: dict[str, list[list[float]]] = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            s, block_losses = timed_block(contenders[name], steps)
            seconds[name].append(s)
            losses[name].append(block_losses)
        times = ", ".join(f"{name} {seconds[name][-1] * 1e3:8.3f}" for name in names)
        print(f"  repeat {r + 1:2}/{repeats}: {times} ms/step")
    reference = losses[names[0]][0]
    return {
        "seconds_per_step": seconds,
        "median_ms_per_step": {name: statistics.median(s) * 1e3 for name, s in seconds.items()},
        "loss_trajectory": {name: runs[0] for name, runs in losses.items()},
        "max_loss_difference": largest_difference(
            (run for runs in losses.values() for run in runs), reference
        ),
    }


def add_torch_best(result: dict) -> None:
    """PyTorch at the faster of its two thread settings in each repeat, as a contender of its own."""
    pairs = zip(result["seconds_per_step"]["torch"], result["seconds_per_step"]["torch_1thread"])
    best = [min(pair) for pair in pairs]
    result["seconds_per_step"]["torch_best"] = best
    result["median_ms_per_step"]["torch_best"] = statistics.median(best) * 1e3


def ratio(result: dict, a: str, b: str) -> dict:
    """a's time over b's: the median of the per-repeat ratios, and their range."""
    return spread([x / y for x, y in zip(result["seconds_per_step"][a], result["seconds_per_step"][b])])


# ---- the report ----------------------------------------------------------------------------------


def print_loss_check(title: str, result: dict, steps_shown: int) -> None:
    trajectories = result["loss_trajectory"]
    names = list(trajectories)
    print(f"{title} (every contender starts from the same weights):")
    for k in range(min(steps_shown, len(trajectories[names[0]]))):
        print(f"  step {k}: " + "  ".join(f"{name} {trajectories[name][k]:.15f}" for name in names))
    diff = result["max_loss_difference"]
    verdict = "agree" if diff <= LOSS_TOLERANCE else "DISAGREE"
    print(
        f"  the losses {verdict}: largest |diff| from {names[0]}'s first block, over every step of "
        f"every block, {diff:.1e} (tolerance {LOSS_TOLERANCE:g})"
    )


# (part, ours, reference, reference's label, target time ratio or None, whether the ratio must be below it).
# The targets are judged against PyTorch at its faster setting in each repeat: on a shared machine its
# default threads wait for a core that another process holds, and its step time swings tenfold.
COMPARISONS = [
    ("small_numpy", "micrograd_edu", "torch", "PyTorch, default threads", None, False),
    ("small_numpy", "micrograd_edu", "torch_1thread", "PyTorch, 1 thread", None, False),
    ("small_numpy", "micrograd_edu", "torch_best", "PyTorch, the faster", TARGET_VS_TORCH_SMALL, True),
    ("small_numpy", "micrograd_edu", "numpy", "hand numpy", TARGET_VS_NUMPY_SMALL, False),
    ("large_numpy", "micrograd_edu", "torch", "PyTorch, default threads", None, False),
    ("large_numpy", "micrograd_edu", "torch_1thread", "PyTorch, 1 thread", None, False),
    ("large_numpy", "micrograd_edu", "torch_best", "PyTorch, the faster", TARGET_VS_TORCH_LARGE, False),
    ("large_numpy", "micrograd_edu", "numpy", "hand numpy", None, False),
    ("large_numpy", "numpy", "torch_best", "PyTorch, the faster: hand numpy's own ratio", None, False),
    ("small_python", "tensor", "value", "Value", None, False),
]
PART_LABELS = {
    "small_numpy": "2-16-16-1, numpy backend",
    "large_numpy": "784-256-10, numpy backend",
    "small_python": "2-16-16-1, python backend",
}


def comparisons(with_torch: bool) -> list[tuple]:
    """COMPARISONS, less those against PyTorch when it is not there."""
    return [c for c in COMPARISONS if with_torch or not c[2].startswith("torch")]


def summary_rows(results: dict, compared: list[tuple]) -> list[list[str]]:
    rows = []
    for part, ours, ref, label, target, strict in compared:
        result = results[part]
        r = result["ratios"][f"{ours}/{ref}"]["median"]
        if target is None:
            target_text, verdict = "", ""
        else:
            target_text = f"< {target:g}x" if strict else f"<= {target:g}x"
            verdict = met(r < target if strict else r <= target)
        rows.append(
            [
                f"{PART_LABELS[part]} vs {label}",
                f"{result['median_ms_per_step'][ours]:.3f}",
                f"{result['median_ms_per_step'][ref]:.3f}",
                f"{r:.2f}x",
                target_text,
                verdict,
            ]
        )
    return rows


def threads(np, torch) -> dict:
    """What each library may use: PyTorch's intra-op threads, numpy's BLAS, the thread variables."""
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    return {
        "torch_default_threads": torch.get_num_threads() if torch else None,
        "numpy_blas": f"{blas.get('name')} {blas.get('version')}",
        "thread_variables": {k: os.environ[k] for k in names if k in os.environ},
    }


def failures(results: dict) -> list[str]:
    """What this run got wrong, whatever the machine's speed (the figures are not judged)."""
    found = []
    for part in ("small_numpy", "large_numpy", "small_python"):
        diff = results[part]["max_loss_difference"]
        if not diff <= LOSS_TOLERANCE:  # a nan difference fails too
            found.append(
                f"{PART_LABELS[part]}: the losses differ by {diff:.1e} (tolerance {LOSS_TOLERANCE:g})"
            )
    return found


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (fewer repeats and steps)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    mg, np, torch = load_libraries()
    th = threads(np, torch)
    results = {
        "machine": machine(),
        "mode": "quick" if args.quick else "full",
        "versions": {"torch": torch.__version__ if torch else None, "numpy": np.__version__},
        "threads": th,
        "config": asdict(cfg),
        "load_average_before": os.getloadavg(),
    }
    info = results["machine"]
    peers = f"PyTorch {torch.__version__} and numpy {np.__version__}" if torch else f"numpy {np.__version__}"
    torch_threads = (
        f"PyTorch: {th['torch_default_threads']} intra-op threads by default (also timed on 1); "
        if torch
        else ""
    )
    print(
        f"micrograd_edu Tensor vs {peers}, Python "
        f"{info['python']}, {info['cpus']} cores, {results['mode']} run, {info['date']}\n"
        f"{torch_threads}numpy: {th['numpy_blas']} with its default threads; thread variables set: "
        f"{th['thread_variables'] or 'none'}; load average {os.getloadavg()[0]:.2f}"
    )
    default_threads = th["torch_default_threads"]
    versus = "PyTorch vs hand numpy" if torch else "hand numpy"
    compared = comparisons(torch is not None)
    started = time.perf_counter()

    X, Y, layers = small_problem()
    print(
        f"[1/3] MLP 2-16-16-1, {len(X)} points, MSE, SGD lr={SMALL_LR}: numpy backend vs {versus}, "
        f"{cfg.repeats} interleaved blocks of 1 warm-up + {cfg.small_steps} timed steps"
    )
    small_contenders = {"micrograd_edu": edu_maker(mg, layers, X, Y, SMALL_LR, "mse", "numpy")}
    if torch:
        small_contenders["torch"] = torch_maker(torch, layers, X, Y, SMALL_LR, "mse", default_threads)
        small_contenders["torch_1thread"] = torch_maker(torch, layers, X, Y, SMALL_LR, "mse", 1)
    small_contenders["numpy"] = numpy_maker(np, layers, X, Y, SMALL_LR)
    small = race(small_contenders, cfg.repeats, cfg.small_steps)
    results["small_numpy"] = small

    LX, labels, large_layers = large_problem(np)
    large_layers = [(w.tolist(), b.tolist()) for w, b in large_layers]
    print(
        f"[2/3] MLP 784-256-10, batch {LARGE_BATCH}, cross entropy, SGD lr={LARGE_LR}: numpy backend vs "
        f"{versus}, {cfg.repeats} interleaved blocks of 1 warm-up + {cfg.large_steps} timed "
        "steps"
    )
    large_contenders = {
        "micrograd_edu": edu_maker(mg, large_layers, LX, labels, LARGE_LR, "ce", "numpy")  # int64 classes
    }
    if torch:
        large_contenders["torch"] = torch_maker(
            torch, large_layers, LX, labels, LARGE_LR, "ce", default_threads
        )
        large_contenders["torch_1thread"] = torch_maker(torch, large_layers, LX, labels, LARGE_LR, "ce", 1)
    large_contenders["numpy"] = numpy_ce_maker(np, large_layers, LX, labels, LARGE_LR)
    large = race(large_contenders, cfg.repeats, cfg.large_steps)
    results["large_numpy"] = large
    if torch:
        torch.set_num_threads(default_threads)

    print(
        f"[3/3] MLP 2-16-16-1, {len(X)} points, MSE: python-backend Tensor vs the same model in Values, "
        f"{cfg.python_repeats} interleaved blocks of 1 warm-up + {cfg.python_steps} timed steps"
    )
    results["small_python"] = race(
        {
            "tensor": edu_maker(mg, layers, X, Y, SMALL_LR, "mse", "python"),
            "value": value_maker(mg, layers, X, Y, SMALL_LR),
        },
        cfg.python_repeats,
        cfg.python_steps,
    )
    if torch:
        add_torch_best(small)
        add_torch_best(large)
    for part, ours, ref, *_ in compared:
        results[part].setdefault("ratios", {})[f"{ours}/{ref}"] = ratio(results[part], ours, ref)
    results["total_seconds"] = time.perf_counter() - started
    results["load_average_after"] = os.getloadavg()

    print()
    print_loss_check(f"[1] losses, numpy backend vs {versus}", small, steps_shown=5)
    print_loss_check(f"[2] losses, numpy backend vs {versus}", large, steps_shown=3)
    print_loss_check("[3] losses, python-backend Tensor vs Value", results["small_python"], steps_shown=3)
    print()
    header = ["step", "ours (ms)", "reference (ms)", "time ratio", "target", "met"]
    print_table(header, summary_rows(results, compared))
    ranges = "; ".join(
        f"{PART_LABELS[part].split(',')[0]} vs {label}: {r['min']:.2f}x to {r['max']:.2f}x"
        for part, ours, ref, label, *_ in compared
        for r in [results[part]["ratios"][f"{ours}/{ref}"]]
    )
    print(
        "\nTimes are medians of the interleaved blocks (ms per step). A time ratio is ours over the "
        "reference's,\nthe median of the per-repeat ratios; their ranges: "
        f"{ranges}.\nLoad average (1 min) {results['load_average_before'][0]:.2f} before, "
        f"{results['load_average_after'][0]:.2f} after. Total time {results['total_seconds']:.0f} s."
    )
    if args.json:
        save_json(args.json, results)
    exit_if_failed(failures(results))
    return results


if __name__ == "__main__":
    main()
