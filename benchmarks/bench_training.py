"""The training benchmark: three programs trained to the end, on each backend and in PyTorch.

    python benchmarks/bench_training.py                 # full run, under 3 minutes
    python benchmarks/bench_training.py --quick         # smoke run, under 30 seconds
    python benchmarks/bench_training.py --json out.json # also write the results as JSON

Without PyTorch (pip install torch==2.13.0) its contenders are skipped, and the rest is run.

Each program is written once, given the library to use (`torch` or `micrograd_edu`), and run
from the same initial numbers on micrograd_edu's numpy backend and python backend
(`micrograd_edu.set_backend`) and on PyTorch on the CPU in float64, with its default
intra-op threads and with 1 thread:

1. The tutorial program the package grew from: a `SimpleNN` (Linear(2, 4), sigmoid,
   Linear(4, 1), sigmoid) learns XOR with `BCELoss` and `SGD(lr=0.5, momentum=0.9)` for
   1000 epochs, then predicts on the same four points.
2. PyTorch's "Learning PyTorch with examples", tensors and autograd: y = sin(x) on 2,000
   points in [-π, π] fitted by a + bx + cx² + dx³, 2,000 steps of plain gradient descent
   (`loss = (y_pred - y).pow(2).sum()`, `loss.backward()`, `a -= lr * a.grad` under
   `no_grad()`). The python backend runs fewer steps (its figure is per step).
3. An MLP (Linear(64, 32), ReLU, Linear(32, 10)) on scikit-learn's 8x8 digits: 1,438
   training images in DataLoader batches of 32, `CrossEntropyLoss`, `SGD(lr=0.1,
   momentum=0.9)`, 3 epochs, then the accuracy on the 359 others. The python backend runs
   a few batches (its figure is per batch).

The figure is the wall-clock time of the whole training (and the prediction), per epoch or
step. The contenders take turns, the order rotated every repeat; every figure is a median of
repeats, and a ratio is the median of the per-repeat ratios (of the time per step, where the
contenders ran different numbers of steps). The objects of both libraries are frozen out of the
cycle collector's scans (`gc.freeze()` after importing them).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_engine import machine
from report import exit_if_failed, import_torch, largest_difference, save_json, spread

EPOCHS = 1000
LR, MOMENTUM = 0.5, 0.9
SEED = 0  # the initial weights: PyTorch's distribution for Linear, drawn from random.Random(SEED)
XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]
LOSS_TOLERANCE = 1e-9  # how far the final losses of the contenders may drift apart
RELATIVE_TOLERANCE = 1e-9  # the same, relative to the loss, for the polynomial's sums of 2,000 squares
CONTENDERS = ("numpy", "torch", "torch_1thread", "python")

POINTS, POLY_LR = 2000, 1e-6  # the polynomial fit: as in PyTorch's example
DIGITS_TRAIN, BATCH, DIGITS_LR = 1438, 32, 0.1  # the MLP on the digits: 80% of the 1,797 to train on


@dataclass(frozen=True)
class Config:
    repeats: int  # whole trainings per contender, the contenders taking turns
    epochs: int  # XOR
    poly_steps: int  # the polynomial, on the numpy backend and in PyTorch
    poly_python_steps: int  # ... and on the python backend
    digits_epochs: int  # the digits MLP, on the numpy backend and in PyTorch
    digits_python_batches: int  # ... and on the python backend
    digits_accuracy: float  # the test accuracy each contender that runs every epoch must reach


FULL = Config(
    repeats=5,
    epochs=EPOCHS,
    poly_steps=2000,
    poly_python_steps=20,
    digits_epochs=3,
    digits_python_batches=3,
    digits_accuracy=0.9,
)
QUICK = Config(
    repeats=1,
    epochs=EPOCHS,
    poly_steps=200,
    poly_python_steps=4,
    digits_epochs=1,
    digits_python_batches=1,
    digits_accuracy=0.7,  # after one epoch
)


def load_libraries() -> tuple:
    """micrograd_edu from this checkout (not an installed copy), and PyTorch (None if absent)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import micrograd_edu

    return micrograd_edu, import_torch()


def contenders(with_torch: bool) -> tuple[str, ...]:
    """CONTENDERS, less PyTorch's when it is not there."""
    return tuple(name for name in CONTENDERS if with_torch or not name.startswith("torch"))


def linear_weights(rng: random.Random, layers: list[tuple[str, int, int]]) -> dict[str, list]:
    """Each (name, in, out) layer drawn as nn.Linear draws it: uniform in ±1/√in_features."""
    weights = {}
    for name, n_in, n_out in layers:
        bound = 1 / n_in**0.5
        weights[f"{name}.weight"] = [[rng.uniform(-bound, bound) for _ in range(n_in)] for _ in range(n_out)]
        weights[f"{name}.bias"] = [rng.uniform(-bound, bound) for _ in range(n_out)]
    return weights


def initial_weights(seed: int = SEED) -> dict[str, list]:
    """fc1 and fc2 of the tutorial's SimpleNN."""
    return linear_weights(random.Random(seed), [("fc1", 2, 4), ("fc2", 4, 1)])


# ---- the programs: each written once, `lib` in place of torch ---------------------------------------


def tutorial(lib, weights: dict[str, list], epochs: int) -> dict:
    """The tutorial program with `lib` in place of torch; the training and prediction are timed."""
    nn, optim = lib.nn, lib.optim

    class SimpleNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 4)
            self.fc2 = nn.Linear(4, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            x = self.sigmoid(self.fc1(x))
            return self.sigmoid(self.fc2(x))

    X = lib.tensor(XOR_X)
    y = lib.tensor(XOR_Y)
    model = SimpleNN()
    model.load_state_dict({name: lib.tensor(w) for name, w in weights.items()})
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    losses = []  # every 100th epoch's loss, where the tutorial prints it

    gc.collect()  # what the previous contender left behind is not charged to this one
    start = time.perf_counter()
    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = model(X)
        loss = criterion(outputs, y)
        loss.backward()
        optimizer.step()
        if (epoch + 1) % 100 == 0:
            losses.append(loss.item())
    with lib.no_grad():
        predicted = (model(X) > 0.5).float()
        accuracy = (predicted == y).float().mean().item()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "losses": losses, "final_loss": loss.item(), "accuracy": accuracy}


def polynomial(lib, start: list[float], steps: int) -> dict:
    """PyTorch's example: fit y = sin(x) by a + bx + cx² + dx³, autograd and plain gradient descent."""
    torch = lib
    x = torch.linspace(-math.pi, math.pi, POINTS)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(value, requires_grad=True) for value in start)  # the example: torch.randn(())
    losses = []

    gc.collect()
    begin = time.perf_counter()
    for _ in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())  # the example prints it every 100th step
        loss.backward()
        with torch.no_grad():
            a -= POLY_LR * a.grad
            b -= POLY_LR * b.grad
            c -= POLY_LR * c.grad
            d -= POLY_LR * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    seconds = time.perf_counter() - begin
    return {
        "seconds": seconds,
        "steps": steps,
        "losses": losses,
        "result": [a.item(), b.item(), c.item(), d.item()],
    }


def digits_mlp(lib, data: dict, epochs: int, batches: int | None = None) -> dict:
    """An MLP on the digits with DataLoader batches: `epochs` epochs (then the test accuracy), or only
    the first `batches` batches. The training alone is timed."""
    torch, nn, optim = lib, lib.nn, lib.optim
    from_data = lib.utils.data
    train = from_data.TensorDataset(torch.tensor(data["train_x"]), torch.tensor(data["train_y"]))
    # The same shuffled order every epoch, drawn once, so that every contender sees the same batches:
    loader = from_data.DataLoader(train, batch_size=BATCH, sampler=data["order"])
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model.load_state_dict({name: torch.tensor(w) for name, w in data["weights"].items()})
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=DIGITS_LR, momentum=MOMENTUM)
    losses = []

    gc.collect()
    begin = time.perf_counter()
    every_batch = (batch for _ in range(epochs) for batch in loader)  # epoch after epoch
    for images, labels in itertools.islice(every_batch, batches):  # batches=None: all of them
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - begin
    accuracy = None
    if batches is None:
        with torch.no_grad():
            test_x, test_y = torch.tensor(data["test_x"]), torch.tensor(data["test_y"])
            accuracy = (model(test_x).argmax(dim=1) == test_y).float().mean().item()
    return {"seconds": seconds, "steps": len(losses), "losses": losses, "accuracy": accuracy}


def digits_data(mg, seed: int = SEED) -> dict:
    """The digits as lists (flat images in [0, 1], labels), split 1,438 / 359 in an order drawn from
    random.Random(seed), the training order, and the MLP's initial weights."""
    X, y = mg.datasets.digits(flat=True, backend="python")
    rows, labels = X.tolist(), y.tolist()
    rng = random.Random(seed)
    shuffled = rng.sample(range(len(rows)), len(rows))
    train, test = shuffled[:DIGITS_TRAIN], shuffled[DIGITS_TRAIN:]
    return {
        "train_x": [rows[i] for i in train],
        "train_y": [labels[i] for i in train],
        "test_x": [rows[i] for i in test],
        "test_y": [labels[i] for i in test],
        "order": rng.sample(range(DIGITS_TRAIN), DIGITS_TRAIN),
        "weights": linear_weights(rng, [("0", 64, 32), ("2", 32, 10)]),  # nn.Sequential's names
    }


# ---- racing the contenders ------------------------------------------------------------------------------


def run(name: str, mg, torch, program: Callable[..., dict], *args) -> dict:
    """One whole training by contender `name`: a micrograd_edu backend, or PyTorch in float64."""
    if name in ("numpy", "python"):
        previous = mg.get_backend()
        mg.set_backend(name)
        try:
            return program(mg, *args)
        finally:
            mg.set_backend(previous)
    previous_dtype, previous_threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    if name == "torch_1thread":
        torch.set_num_threads(1)
    try:
        return program(torch, *args)
    finally:
        torch.set_default_dtype(previous_dtype)
        torch.set_num_threads(previous_threads)


def race(
    names: tuple[str, ...], repeats: int, one: Callable[[str], dict], warm_up: Callable[[str], dict]
) -> dict:
    """`repeats` rounds of one run per contender, the order rotated every round, after an untimed
    warm-up run each (each library's first calls, lazy set-up, are not charged)."""
    for name in names:
        warm_up(name)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            runs[name].append(one(name))
        times = ", ".join(f"{name} {runs[name][-1]['seconds']:6.2f}" for name in names)
        print(f"  repeat {r + 1}/{repeats}: {times} s")
    return {
        "runs": runs,
        "median_seconds": {name: statistics.median(x["seconds"] for x in rs) for name, rs in runs.items()},
    }


def race_xor(mg, torch, cfg: Config) -> dict:
    weights = initial_weights()
    names = contenders(torch is not None)
    result = race(
        names,
        cfg.repeats,
        lambda name: run(name, mg, torch, tutorial, weights, cfg.epochs),
        lambda name: run(name, mg, torch, tutorial, weights, 10),
    )
    reference = result["runs"][loss_reference(result["runs"])][0]["losses"]
    result["max_loss_difference"] = largest_difference(
        (x["losses"] for rs in result["runs"].values() for x in rs), reference
    )
    return result


def race_steps(
    names: tuple[str, ...], cfg: Config, one: Callable[[str], dict], warm_up: Callable[[str], dict]
) -> dict:
    """A race whose contenders run different numbers of steps: the time per step is the figure."""
    result = race(names, cfg.repeats, one, warm_up)
    result["median_seconds_per_step"] = {
        name: statistics.median(x["seconds"] / x["steps"] for x in rs) for name, rs in result["runs"].items()
    }
    reference = result["runs"][loss_reference(result["runs"])][0]["losses"]
    result["max_relative_loss_difference"] = largest_relative_difference(
        (x["losses"] for rs in result["runs"].values() for x in rs), reference
    )
    return result


def race_polynomial(mg, torch, cfg: Config) -> dict:
    rng = random.Random(SEED)
    start = [rng.gauss(0.0, 1.0) for _ in range(4)]  # a, b, c, d: as torch.randn(()) draws them
    names = contenders(torch is not None)

    def steps(name: str) -> int:
        return cfg.poly_python_steps if name == "python" else cfg.poly_steps

    result = race_steps(
        names,
        cfg,
        lambda name: run(name, mg, torch, polynomial, start, steps(name)),
        lambda name: run(name, mg, torch, polynomial, start, 2),
    )
    result["start"] = start
    return result


def race_digits(mg, torch, cfg: Config) -> dict:
    data = digits_data(mg)
    names = contenders(torch is not None)

    def batches(name: str) -> int | None:
        return cfg.digits_python_batches if name == "python" else None

    return race_steps(
        names,
        cfg,
        lambda name: run(name, mg, torch, digits_mlp, data, cfg.digits_epochs, batches(name)),
        lambda name: run(name, mg, torch, digits_mlp, data, 1, 2),
    )


def largest_relative_difference(runs, reference: list[float]) -> float:
    """The largest |a - b| / |b|, step by step, between each run's losses and the reference's first
    ones (a run of fewer steps, the python backend's, is compared over its steps); nan if any is."""
    diffs = [abs(a - b) / abs(b) for run in runs for a, b in zip(run, reference[: len(run)], strict=True)]
    return math.nan if any(math.isnan(d) for d in diffs) else max(diffs, default=0.0)


def loss_reference(runs: dict) -> str:
    """Whose first run the losses are compared with: PyTorch's, or without it the numpy backend's."""
    return "torch" if "torch" in runs else "numpy"


def ratio(result: dict, a: str, b: str, per_step: bool = False) -> dict:
    """a's time over b's (per step, if they ran different numbers): the median of the per-repeat
    ratios, and their range."""
    pairs = zip(result["runs"][a], result["runs"][b])
    if per_step:
        return spread([(x["seconds"] / x["steps"]) / (y["seconds"] / y["steps"]) for x, y in pairs])
    return spread([x["seconds"] / y["seconds"] for x, y in pairs])


# (ours, reference): the ratios reported
COMPARISONS = [("numpy", "torch"), ("numpy", "torch_1thread"), ("python", "numpy")]
STEP_COMPARISONS = [("numpy", "torch"), ("numpy", "torch_1thread"), ("python", "torch"), ("python", "numpy")]
LABELS = {
    "numpy": "micrograd_edu, numpy backend",
    "python": "micrograd_edu, python backend",
    "torch": "PyTorch (default threads)",
    "torch_1thread": "PyTorch, 1 thread",
}


def print_report(result: dict, epochs: int) -> None:
    print(
        f"Whole training ({epochs} epochs + prediction), median wall-clock seconds, final loss and accuracy:"
    )
    width = max(map(len, LABELS.values()))
    for name in result["runs"]:
        first = result["runs"][name][0]
        print(
            f"  {LABELS[name]:<{width}}  {result['median_seconds'][name]:7.3f} s  "
            f"{result['median_seconds'][name] / epochs * 1e3:7.3f} ms/epoch  "
            f"loss {first['final_loss']:.15f}  accuracy {first['accuracy']:.2f}"
        )
    print("Time ratios (median of the per-repeat ratios, and their range):")
    for a, b in comparisons(result):
        r = result["ratios"][f"{a}/{b}"]
        print(f"  {LABELS[a]} / {LABELS[b]}: {r['median']:.2f}x  ({r['min']:.2f}x to {r['max']:.2f}x)")
    diff = result["max_loss_difference"]
    verdict = "agree" if diff <= LOSS_TOLERANCE else "DISAGREE"
    reference = "PyTorch" if loss_reference(result["runs"]) == "torch" else "the numpy backend"
    print(
        f"The losses {verdict}: largest |diff| from {reference}'s first run, every 100th epoch of every run, "
        f"{diff:.1e} (tolerance {LOSS_TOLERANCE:g})."
    )
    print(f"Every run reaches accuracy 1.0: {'yes' if all_accurate(result) else 'NO'}.")


def print_step_report(result: dict, title: str, unit: str, units: str, extra: Callable[[dict], str]) -> None:
    """The report of a race of steps: each contender's steps, time per step, whole time and `extra`."""
    print(f"{title}: median wall-clock ms per {unit}, the {units} run, and the whole training:")
    width = max(map(len, LABELS.values()))
    for name, runs in result["runs"].items():
        first = runs[0]
        print(
            f"  {LABELS[name]:<{width}}  {result['median_seconds_per_step'][name] * 1e3:9.3f} ms/{unit}  "
            f"{first['steps']:5d} {units}  {result['median_seconds'][name]:7.3f} s  {extra(first)}"
        )
    print(f"Time ratios per {unit} (median of the per-repeat ratios, and their range):")
    for a, b in comparisons(result, STEP_COMPARISONS):
        r = result["ratios"][f"{a}/{b}"]
        print(f"  {LABELS[a]} / {LABELS[b]}: {r['median']:.2f}x  ({r['min']:.2f}x to {r['max']:.2f}x)")
    diff = result["max_relative_loss_difference"]
    verdict = "agree" if diff <= RELATIVE_TOLERANCE else "DISAGREE"
    reference = "PyTorch" if loss_reference(result["runs"]) == "torch" else "the numpy backend"
    print(
        f"The losses {verdict}: largest relative |diff| from {reference}'s first run, every {unit} of every "
        f"run, {diff:.1e} (tolerance {RELATIVE_TOLERANCE:g})."
    )


def comparisons(result: dict, among: list[tuple[str, str]] = COMPARISONS) -> list[tuple[str, str]]:
    """The comparisons, less those with a contender that did not run (PyTorch's, without it)."""
    return [(a, b) for a, b in among if a in result["runs"] and b in result["runs"]]


def all_accurate(result: dict) -> bool:
    return all(x["accuracy"] == 1.0 for rs in result["runs"].values() for x in rs)


def failures(results: dict) -> list[str]:
    """What this run got wrong, whatever the machine's speed (the figures are not judged)."""
    training, found = results["training"], []
    diff = training["max_loss_difference"]
    if not diff <= LOSS_TOLERANCE:  # a nan difference fails too
        found.append(f"the contenders' losses differ by {diff:.1e} (tolerance {LOSS_TOLERANCE:g})")
    if not all_accurate(training):
        found.append("a run did not reach accuracy 1.0")
    for key in ("polynomial", "digits"):
        diff = results[key]["max_relative_loss_difference"]
        if not diff <= RELATIVE_TOLERANCE:
            found.append(
                f"the {key} contenders' losses differ by {diff:.1e} "
                f"(relative tolerance {RELATIVE_TOLERANCE:g})"
            )
    least = results["config"]["digits_accuracy"]
    for name, runs in results["digits"]["runs"].items():
        if name != "python" and not all(x["accuracy"] >= least for x in runs):
            found.append(f"{LABELS[name]} read fewer than {least:.0%} of the test digits right")
    return found


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (one repeat, fewer steps)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    mg, torch = load_libraries()
    # The cycle collector would rescan PyTorch's ~160,000 objects at every full collection while the
    # python backend builds its graphs (2.7x its time on the digits, measured): what exists now, both
    # libraries, is frozen out of its scans, as if each contender ran in a process of its own.
    gc.freeze()
    results = {
        "machine": machine(),
        "mode": "quick" if args.quick else "full",
        "versions": {"torch": torch.__version__ if torch else None},
        "torch_default_threads": torch.get_num_threads() if torch else None,
        "config": asdict(cfg),
        "seed": SEED,
        "load_average_before": os.getloadavg(),
    }
    info = results["machine"]
    versus = f"micrograd_edu vs PyTorch {torch.__version__}" if torch else "micrograd_edu (PyTorch skipped)"
    torch_threads = f"PyTorch default threads {results['torch_default_threads']}, " if torch else ""
    print(
        f"Three training programs: {versus}\nPython {info['python']}, "
        f"{info['cpus']} cores, {torch_threads}"
        f"{results['mode']} run, {info['date']}, load average {os.getloadavg()[0]:.2f}\n"
        f"{cfg.repeats} interleaved repeats of each whole training\n"
    )
    started = time.perf_counter()
    print(
        f"1. The tutorial program (SimpleNN 2-4-1, XOR, BCELoss, SGD lr={LR} momentum={MOMENTUM}, "
        f"{cfg.epochs} epochs)"
    )
    training = race_xor(mg, torch, cfg)
    training["ratios"] = {f"{a}/{b}": ratio(training, a, b) for a, b in comparisons(training)}
    results["training"] = training
    print(
        f"2. The polynomial fit (sin on {POINTS} points, a + bx + cx² + dx³, lr={POLY_LR:g}, "
        f"{cfg.poly_steps} steps; {cfg.poly_python_steps} on the python backend)"
    )
    results["polynomial"] = race_polynomial(mg, torch, cfg)
    print(
        f"3. The digits MLP (64-32-10, {DIGITS_TRAIN} images in batches of {BATCH}, SGD lr={DIGITS_LR} "
        f"momentum={MOMENTUM}, {cfg.digits_epochs} epochs; {cfg.digits_python_batches} batches on the python "
        "backend)"
    )
    results["digits"] = race_digits(mg, torch, cfg)
    for key in ("polynomial", "digits"):
        result = results[key]
        result["ratios"] = {
            f"{a}/{b}": ratio(result, a, b, per_step=True) for a, b in comparisons(result, STEP_COMPARISONS)
        }
    results["total_seconds"] = time.perf_counter() - started
    results["load_average_after"] = os.getloadavg()
    print()
    print_report(training, cfg.epochs)
    print()
    print_step_report(
        results["polynomial"], "The polynomial fit", "step", "steps", lambda x: f"loss {x['losses'][-1]:.6g}"
    )
    print()
    print_step_report(
        results["digits"],
        "The digits MLP",
        "batch",
        "batches",
        lambda x: (
            f"last loss {x['losses'][-1]:.4f}"
            + ("" if x["accuracy"] is None else f", test accuracy {x['accuracy']:.3f}")
        ),
    )
    print(
        f"Load average (1 min) {results['load_average_before'][0]:.2f} before, "
        f"{results['load_average_after'][0]:.2f} after. Total time {results['total_seconds']:.0f} s."
    )
    if args.json:
        save_json(args.json, results)
    exit_if_failed(failures(results))
    return results


if __name__ == "__main__":
    main()
