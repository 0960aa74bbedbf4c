"""The engine benchmark: micrograd_edu against micrograd 0.1.0, measured in the same run.

    python benchmarks/bench_engine.py                 # full run, under 2 minutes
    python benchmarks/bench_engine.py --quick         # smoke run, under 30 seconds
    python benchmarks/bench_engine.py --json out.json # also write the results as JSON

1. Training step: micrograd's demo, an MLP 2 -> 16 -> 16 -> 1 on 100 two-moons points with
   the SVM max-margin loss and L2. One model code, run with either engine's `Value`.
2. Bytes per node: the traced memory of one forward graph divided by its node count.
3. Long chains: build and backward time of 10^5- and 10^6-op chains.

A shared 2-core machine is noisy, so the two engines take turns (interleaved blocks) and
every figure is a median of repeats; the speed-up is the median of the per-pair ratios.
The garbage collector keeps Python's default settings throughout (see README.md).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from report import exit_if_failed, largest_difference, met, print_table, save_json

RUST_PORT_MS_PER_STEP = 23.0  # from the issue: micrograd's Rust port, a comparable step, this machine
TARGET_SPEEDUP = 4.0  # at least this many times faster per step than micrograd
TARGET_BYTES_RATIO = 0.5  # at most this fraction of micrograd's bytes per node
TARGET_CHAIN_SECONDS = 10.0  # "a 10^6-op chain backprops in seconds": we read it as under 10 s
LOSS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Config:
    repeats: int  # timed blocks per engine, the engines taking turns
    steps: int  # timed training steps per block, after one untimed warm-up step
    chain_sizes: tuple[int, ...]
    chain_repeats: tuple[int, ...]  # one count per chain size
    memory_chain: int  # ops in the chain whose bytes per node are traced


FULL = Config(repeats=9, steps=4, chain_sizes=(10**5, 10**6), chain_repeats=(5, 3), memory_chain=10**4)
QUICK = Config(repeats=3, steps=1, chain_sizes=(10**5, 10**6), chain_repeats=(2, 1), memory_chain=10**4)


def load_engines() -> tuple[type, type, str]:
    """Both `Value` classes: micrograd's, and ours from this checkout (not an installed copy)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from micrograd_edu import Value as EduValue

    try:
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        sys.exit("micrograd is not installed: pip install micrograd==0.1.0 (or pip install -e '.[bench]')")
    version = metadata.version("micrograd")
    if version != "0.1.0":
        print(f"warning: micrograd {version} is installed; the figures in README.md are against 0.1.0")
    return MicrogradValue, EduValue, version


# ---- the workload: data, model and training step, written once for both engines ------------


def two_moons(n: int, noise: float = 0.1, seed: int = 0) -> list[tuple[float, float, float]]:
    """n points (x, y, label) on two interleaved half circles with Gaussian noise; labels ±1."""
    rng = random.Random(seed)
    points = []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:  # the upper moon, centred on (0, 0)
            x, y, label = math.cos(t), math.sin(t), -1.0
        else:  # the lower moon, shifted to (1, 0.5) and flipped
            x, y, label = 1.0 - math.cos(t), 0.5 - math.sin(t), 1.0
        points.append((x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise), label))
    return points


class Neuron:
    def __init__(self, value: type, nin: int, nonlin: bool, rng: random.Random) -> None:
        self.w = [value(rng.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: list) -> object:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list:
        return [*self.w, self.b]


class Layer:
    def __init__(self, value: type, nin: int, nout: int, nonlin: bool, rng: random.Random) -> None:
        self.neurons = [Neuron(value, nin, nonlin, rng) for _ in range(nout)]

    def __call__(self, x: list) -> list:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """ReLU hidden layers, a linear output layer; weights drawn from `random.Random(seed)`."""

    def __init__(self, value: type, sizes: list[int], seed: int = 1) -> None:
        rng = random.Random(seed)
        last = len(sizes) - 2
        self.layers = [Layer(value, sizes[i], sizes[i + 1], i < last, rng) for i in range(last + 1)]

    def __call__(self, x: list) -> object:
        for layer in self.layers:
            x = layer(x)
        return x[0]

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]


SIZES = [2, 16, 16, 1]
DATA = two_moons(100)


def svm_loss(value: type, model: MLP, params: list) -> object:
    """mean(relu(1 - y * score)) + 1e-4 * sum(p * p), over the whole data set (micrograd's demo)."""
    inputs = [[value(x), value(y)] for x, y, _ in DATA]
    scores = [model(x) for x in inputs]
    losses = [(1 + -label * score).relu() for (_, _, label), score in zip(DATA, scores)]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)


def train_step(value: type, model: MLP, params: list, k: int) -> float:
    """One full-batch SGD step: forward, zero the grads, backward, update. Returns the loss."""
    loss = svm_loss(value, model, params)
    for p in params:
        p.grad = 0.0
    loss.backward()
    lr = 1.0 - 0.9 * k / 100  # micrograd's demo schedule over its 100 steps
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def timed_block(value: type, steps: int) -> tuple[float, list[float]]:
    """Seconds per step over `steps` steps of a fresh model, and the losses of every step.

    The warm-up step is untimed, so the timed steps start as they end: with the previous
    step's graph waiting to be freed (micrograd's graph is a web of reference cycles that only
    the garbage collector frees; ours is freed by reference counting as the step returns).
    """
    model = MLP(value, SIZES)
    params = model.parameters()
    gc.collect()  # whatever the other engine left behind is not charged to this one
    losses = [train_step(value, model, params, 0)]
    start = time.perf_counter()
    for k in range(1, steps + 1):
        losses.append(train_step(value, model, params, k))
    return (time.perf_counter() - start) / steps, losses


def bench_training_step(micrograd: type, edu: type, cfg: Config) -> dict:
    seconds = {"micrograd": [], "edu": []}
    losses = {"micrograd": [], "edu": []}
    for r in range(cfg.repeats):
        order = [("micrograd", micrograd), ("edu", edu)]
        for name, value in order if r % 2 == 0 else order[::-1]:
            s, block_losses = timed_block(value, cfg.steps)
            seconds[name].append(s)
            losses[name].append(block_losses)
        print(
            f"  repeat {r + 1}/{cfg.repeats}: micrograd {seconds['micrograd'][-1] * 1e3:7.1f} ms/step, "
            f"micrograd_edu {seconds['edu'][-1] * 1e3:6.1f} ms/step"
        )
    ratios = [m / e for m, e in zip(seconds["micrograd"], seconds["edu"])]
    reference = losses["edu"][0]
    return {
        "seconds_per_step": seconds,
        "median_seconds_per_step": {k: statistics.median(v) for k, v in seconds.items()},
        "speedup_per_repeat": ratios,
        "speedup": statistics.median(ratios),
        "loss_trajectory": {"micrograd": losses["micrograd"][0], "edu": reference},
        "max_loss_difference": largest_difference(losses["micrograd"], reference),
        "edu_runs_identical": all(run == reference for run in losses["edu"]),
        "micrograd_runs_identical": all(run == losses["micrograd"][0] for run in losses["micrograd"]),
    }


# ---- memory: bytes per node ------------------------------------------------------------------


def count_nodes(root: object) -> int:
    """Nodes reachable from root, walked with a stack (micrograd's `_prev` is a set, ours a tuple)."""
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def workload_graph(value: type) -> object:
    model = MLP(value, SIZES)
    return svm_loss(value, model, model.parameters())


def chain(value: type, n: int) -> tuple[object, object]:
    """x0 * c * c * ... (n multiplications by c = 1.0000001): the leaf x0 and the output."""
    x0 = x = value(1.0)
    for _ in range(n):
        x = x * 1.0000001
    return x0, x


def bytes_per_node(value: type, build: Callable[[type], object]) -> dict:
    """Traced bytes still held once `build(value)` has returned its graph, per node."""
    gc.collect()
    tracemalloc.start()
    try:
        root = build(value)
        traced, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    nodes = count_nodes(root)
    return {"bytes": traced, "nodes": nodes, "bytes_per_node": traced / nodes}


def bench_memory(micrograd: type, edu: type, cfg: Config) -> dict:
    n = cfg.memory_chain
    graphs = {
        "MLP forward graph": workload_graph,
        f"chain 1e{round(math.log10(n))} ops": lambda value: chain(value, n)[1],
    }
    results = {}
    for graph, build in graphs.items():
        mg, ours = bytes_per_node(micrograd, build), bytes_per_node(edu, build)
        ratio = ours["bytes_per_node"] / mg["bytes_per_node"]
        results[graph] = {"micrograd": mg, "edu": ours, "ratio": ratio}
        print(
            f"  {graph}: {mg['nodes']} nodes, micrograd {mg['bytes_per_node']:.0f} B/node, "
            f"micrograd_edu {ours['bytes_per_node']:.0f} B/node"
        )
    return results


# ---- long chains -----------------------------------------------------------------------------


def bench_chain_edu(edu: type, n: int, repeats: int) -> dict:
    build_s, backward_s, grads_ok = [], [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        x0, out = chain(edu, n)
        built = time.perf_counter()
        out.backward()
        done = time.perf_counter()
        build_s.append(built - start)
        backward_s.append(done - built)
        expected = 1.0000001**n  # d(out)/d(x0): the product of the n constants
        grads_ok.append(math.isclose(x0.grad, expected, rel_tol=1e-9))
        if not grads_ok[-1]:
            print(f"  WARNING: chain {n}: x0.grad = {x0.grad!r}, expected {expected!r}")
        del x0, out
    print(
        f"  micrograd_edu, {n:>7} ops: build {statistics.median(build_s):6.2f} s, "
        f"backward {statistics.median(backward_s):6.2f} s (median of {repeats})"
    )
    return {
        "ops": n,
        "nodes": 2 * n + 1,  # each op also lifts its constant into a leaf Value
        "build_seconds": build_s,
        "backward_seconds": backward_s,
        "median_build_seconds": statistics.median(build_s),
        "median_backward_seconds": statistics.median(backward_s),
        "gradient_correct": all(grads_ok),
    }


def bench_chain_micrograd(micrograd: type, n: int) -> dict:
    """micrograd's topological sort recurses once per node, so a long chain overflows the stack."""
    gc.collect()
    start = time.perf_counter()
    _, out = chain(micrograd, n)
    build = time.perf_counter() - start
    try:
        out.backward()
        outcome = "ok"
    except RecursionError:
        outcome = f"RecursionError (recursion limit {sys.getrecursionlimit()})"
    del out
    gc.collect()
    print(f"  micrograd,     {n:>7} ops: build {build:6.2f} s, backward: {outcome}")
    return {"ops": n, "build_seconds": build, "backward": outcome}


# ---- the report --------------------------------------------------------------------------------


def summary_rows(results: dict) -> list[list[str]]:
    step, memory, chains = results["training_step"], results["bytes_per_node"], results["chains"]
    mg_ms = step["median_seconds_per_step"]["micrograd"] * 1e3
    edu_ms = step["median_seconds_per_step"]["edu"] * 1e3
    rows = [
        [
            "MLP training step (ms/step)",
            f"{mg_ms:.1f}",
            f"{edu_ms:.1f}",
            f"{step['speedup']:.1f}x faster",
            f">= {TARGET_SPEEDUP:g}x faster",
            met(step["speedup"] >= TARGET_SPEEDUP),
        ],
    ]
    for graph, m in memory.items():
        rows.append(
            [
                f"bytes/node, {graph}",
                f"{m['micrograd']['bytes_per_node']:.0f}",
                f"{m['edu']['bytes_per_node']:.0f}",
                f"{m['ratio']:.2f}x the bytes",
                f"<= {TARGET_BYTES_RATIO:g}x",
                met(m["ratio"] <= TARGET_BYTES_RATIO),
            ]
        )
    mg_chain = chains["micrograd"]
    for c in chains["edu"]:
        n = c["ops"]
        mg_build = f"{mg_chain['build_seconds']:.2f}" if mg_chain["ops"] == n else "not tried"
        mg_backward = mg_chain["backward"].split(" (")[0] if mg_chain["ops"] == n else "not tried"
        is_target = n == max(x["ops"] for x in chains["edu"])
        backward = c["median_backward_seconds"]
        rows.append(
            [
                f"chain 1e{round(math.log10(n))} ops, build (s)",
                mg_build,
                f"{c['median_build_seconds']:.2f}",
                "",
                "",
                "",
            ]
        )
        rows.append(
            [
                f"chain 1e{round(math.log10(n))} ops, backward (s)",
                mg_backward,
                f"{backward:.2f}",
                "",
                f"< {TARGET_CHAIN_SECONDS:g} s" if is_target else "",
                met(backward < TARGET_CHAIN_SECONDS and c["gradient_correct"]) if is_target else "",
            ]
        )
    rows.append(
        [
            "stretch: vs compiled Rust port (ms/step)",
            f"{RUST_PORT_MS_PER_STEP:g} (Rust)",
            f"{edu_ms:.1f}",
            f"{edu_ms / RUST_PORT_MS_PER_STEP:.1f}x slower",
            "reference",
            "",
        ]
    )
    return rows


def print_loss_check(step: dict) -> None:
    mg, edu = step["loss_trajectory"]["micrograd"], step["loss_trajectory"]["edu"]
    print("Loss trajectory, first block (both engines start from the same seeded weights):")
    for k, (a, b) in enumerate(zip(mg, edu)):
        print(f"  step {k}: micrograd {a:.15f}  micrograd_edu {b:.15f}  |diff| {abs(a - b):.1e}")
    diff = step["max_loss_difference"]
    verdict = "agree" if diff <= LOSS_TOLERANCE else "DISAGREE"
    print(f"  the engines {verdict}: largest |diff| in any block {diff:.1e} (tolerance {LOSS_TOLERANCE:g})")
    if not step["edu_runs_identical"]:
        print("  note: micrograd_edu's blocks were not bit-identical to each other")
    if not step["micrograd_runs_identical"]:
        print("  note: micrograd's blocks differ in the last bits from each other (children in a set)")


def failures(results: dict) -> list[str]:
    """What this run got wrong, whatever the machine's speed (the figures are not judged)."""
    found = []
    diff = results["training_step"]["max_loss_difference"]
    if not diff <= LOSS_TOLERANCE:  # a nan difference fails too
        found.append(
            f"training step: the engines' losses differ by {diff:.1e} (tolerance {LOSS_TOLERANCE:g})"
        )
    for c in results["chains"]["edu"]:
        if not c["gradient_correct"]:
            found.append(f"chain of {c['ops']} ops: x0.grad is not 1.0000001 ** {c['ops']}")
    return found


def machine() -> dict:
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (fewer repeats)")
    parser.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    micrograd, edu, version = load_engines()
    results = {
        "machine": machine(),
        "mode": "quick" if args.quick else "full",
        "micrograd_version": version,
        "config": asdict(cfg),
    }
    info = results["machine"]
    print(
        f"micrograd_edu vs micrograd {version}, Python {info['python']}, {info['cpus']} cores, "
        f"{results['mode']} run, {info['date']}"
    )
    started = time.perf_counter()

    print(
        f"[1/3] MLP {'-'.join(map(str, SIZES))} training step on {len(DATA)} points: "
        f"{cfg.repeats} interleaved blocks of 1 warm-up + {cfg.steps} timed steps per engine"
    )
    results["training_step"] = bench_training_step(micrograd, edu, cfg)

    print("[2/3] bytes per node (tracemalloc)")
    results["bytes_per_node"] = bench_memory(micrograd, edu, cfg)

    print("[3/3] long chains: x = x * 1.0000001")
    results["chains"] = {
        "micrograd": bench_chain_micrograd(micrograd, cfg.chain_sizes[0]),
        "edu": [bench_chain_edu(edu, n, r) for n, r in zip(cfg.chain_sizes, cfg.chain_repeats)],
    }
    results["total_seconds"] = time.perf_counter() - started

    print()
    print_loss_check(results["training_step"])
    print()
    print_table(
        ["metric", "micrograd 0.1.0", "micrograd_edu", "ratio", "target", "met"], summary_rows(results)
    )
    speedups = results["training_step"]["speedup_per_repeat"]
    print(
        f"\nStep times are medians of {cfg.repeats} interleaved blocks; the speed-up is the median of "
        f"the per-block ratios (they ranged {min(speedups):.1f}x to {max(speedups):.1f}x).\n"
        f"Chain times are medians of {', '.join(map(str, cfg.chain_repeats))} runs; micrograd is tried "
        f"on the shortest chain only. The Rust figure is quoted from the issue, not measured here.\n"
        f"Total time {results['total_seconds']:.0f} s."
    )
    if args.json:
        save_json(args.json, results)
    exit_if_failed(failures(results))
    return results


if __name__ == "__main__":
    main()
