"""The training benchmark: the tutorial program, trained to the end, on each backend and in PyTorch.

    python benchmarks/bench_training.py                 # full run, under 3 minutes
    python benchmarks/bench_training.py --quick         # smoke run, under 30 seconds
    python benchmarks/bench_training.py --json out.json # also write the results as JSON

Without PyTorch (pip install torch==2.13.0) its contenders are skipped, and the rest is run.

The program is the one the package grew from: a `SimpleNN` (Linear(2, 4), sigmoid,
Linear(4, 1), sigmoid) learns XOR with `BCELoss` and `SGD(lr=0.5, momentum=0.9)` for
1000 epochs, then predicts on the same four points. It is written once, given the library
to use (`torch` or `micrograd_edu`), and run from the same initial weights on:

- micrograd_edu's numpy backend and python backend (`micrograd_edu.set_backend`),
- PyTorch on the CPU in float64, with its default intra-op threads and with 1 thread.

The figure is the wall-clock time of the whole training (the 1000 epochs and the final
prediction). The contenders take turns, the order rotated every repeat; every figure is a
median of repeats, and a ratio is the median of the per-repeat ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
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
CONTENDERS = ("numpy", "torch", "torch_1thread", "python")


@dataclass(frozen=True)
class Config:
    repeats: int  # whole trainings per contender, the contenders taking turns
    epochs: int


FULL = Config(repeats=5, epochs=EPOCHS)
QUICK = Config(repeats=1, epochs=EPOCHS)


def load_libraries() -> tuple:
    """micrograd_edu from this checkout (not an installed copy), and PyTorch (None if absent)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import micrograd_edu

    return micrograd_edu, import_torch()


def contenders(with_torch: bool) -> tuple[str, ...]:
    """CONTENDERS, less PyTorch's when it is not there."""
    return tuple(name for name in CONTENDERS if with_torch or not name.startswith("torch"))


def initial_weights(seed: int = SEED) -> dict[str, list]:
    """fc1 and fc2 drawn as nn.Linear draws them: uniform in ±1/√in_features."""
    rng = random.Random(seed)
    weights = {}
    for name, n_in, n_out in (("fc1", 2, 4), ("fc2", 4, 1)):
        bound = 1 / n_in**0.5
        weights[f"{name}.weight"] = [[rng.uniform(-bound, bound) for _ in range(n_in)] for _ in range(n_out)]
        weights[f"{name}.bias"] = [rng.uniform(-bound, bound) for _ in range(n_out)]
    return weights


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


def run(name: str, mg, torch, weights: dict, epochs: int) -> dict:
    """One whole training by contender `name`: a micrograd_edu path, or PyTorch in float64."""
    if name in ("numpy", "python"):
        previous = mg.get_backend()
        mg.set_backend(name)
        try:
            return tutorial(mg, weights, epochs)
        finally:
            mg.set_backend(previous)
    previous_dtype, previous_threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    if name == "torch_1thread":
        torch.set_num_threads(1)
    try:
        return tutorial(torch, weights, epochs)
    finally:
        torch.set_default_dtype(previous_dtype)
        torch.set_num_threads(previous_threads)


def race(mg, torch, cfg: Config) -> dict:
    weights = initial_weights()
    names = contenders(torch is not None)
    for name in names:  # untimed: each library's first calls (lazy set-up) are not charged
        run(name, mg, torch, weights, 10)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for r in range(cfg.repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            runs[name].append(run(name, mg, torch, weights, cfg.epochs))
        times = ", ".join(f"{name} {runs[name][-1]['seconds']:6.2f}" for name in names)
        print(f"  repeat {r + 1}/{cfg.repeats}: {times} s")
    reference = runs[loss_reference(runs)][0]["losses"]
    return {
        "runs": runs,
        "median_seconds": {name: statistics.median(x["seconds"] for x in rs) for name, rs in runs.items()},
        "max_loss_difference": largest_difference(
            (x["losses"] for rs in runs.values() for x in rs), reference
        ),
    }


def loss_reference(runs: dict) -> str:
    """Whose first run the losses are compared with: PyTorch's, or without it the numpy backend's."""
    return "torch" if "torch" in runs else "numpy"


def ratio(result: dict, a: str, b: str) -> dict:
    """a's time over b's: the median of the per-repeat ratios, and their range."""
    return spread([x["seconds"] / y["seconds"] for x, y in zip(result["runs"][a], result["runs"][b])])


# (ours, reference): the ratios reported
COMPARISONS = [("numpy", "torch"), ("numpy", "torch_1thread"), ("python", "numpy")]
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


def comparisons(result: dict) -> list[tuple[str, str]]:
    """COMPARISONS, less those with a contender that did not run (PyTorch's, without it)."""
    return [(a, b) for a, b in COMPARISONS if a in result["runs"] and b in result["runs"]]


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
    return found


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (one repeat)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    mg, torch = load_libraries()
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
        f"The tutorial program (SimpleNN 2-4-1, XOR, BCELoss, SGD lr={LR} momentum={MOMENTUM}, "
        f"{cfg.epochs} epochs): {versus}\nPython {info['python']}, "
        f"{info['cpus']} cores, {torch_threads}"
        f"{results['mode']} run, {info['date']}, load average {os.getloadavg()[0]:.2f}\n"
        f"{cfg.repeats} interleaved repeats of each whole training"
    )
    started = time.perf_counter()
    training = race(mg, torch, cfg)
    training["ratios"] = {f"{a}/{b}": ratio(training, a, b) for a, b in comparisons(training)}
    results["training"] = training
    results["total_seconds"] = time.perf_counter() - started
    results["load_average_after"] = os.getloadavg()
    print()
    print_report(training, cfg.epochs)
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
