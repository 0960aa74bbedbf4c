"""What the benchmarks share: ratios over repeats, the verdict on a target, the closing
table, the JSON file, PyTorch as an optional peer, and the checks that decide the exit status."""

from __future__ import annotations

import json
import math
import statistics
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

TORCH_PIN = "torch==2.13.0"  # the PyTorch the figures in README.md were measured against


def spread(per_repeat: list[float]) -> dict:
    """The median of the per-repeat ratios, and their range."""
    return {"median": statistics.median(per_repeat), "min": min(per_repeat), "max": max(per_repeat)}


def save_json(path: str, results: dict) -> None:
    Path(path).write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results written to {path}")


def met(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns sized to their longest cell: the first left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        cells = (cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths)))
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def import_torch() -> ModuleType | None:
    """PyTorch, or None when it cannot be imported: one line says so, and its contenders are skipped."""
    try:
        import torch
    except ImportError as error:
        reason = (
            "is not installed" if getattr(error, "name", None) == "torch" else f"cannot be imported ({error})"
        )
        print(
            f"PyTorch {reason}: the PyTorch contenders are skipped (to include them: pip install {TORCH_PIN})"
        )
        return None
    return torch


def largest_difference(runs: Iterable[Sequence[float]], reference: Sequence[float]) -> float:
    """The largest |a - b|, step by step, between every run's losses and the reference's.

    nan if any difference is nan (a diverged run), which max() alone would pass over; a run of
    another length than the reference is an error, not a shorter comparison.
    """
    diffs = [abs(a - b) for run in runs for a, b in zip(run, reference, strict=True)]
    return math.nan if any(math.isnan(d) for d in diffs) else max(diffs, default=0.0)


def exit_if_failed(failures: list[str]) -> None:
    """Exit with status 1, naming each failure, if the run got something wrong.

    Only correctness is checked (losses that agree, gradients, accuracy): the figures and their
    targets are reported, never judged here, so a slow or busy machine cannot fail a run.
    """
    if failures:
        print("\nFAILED:\n" + "\n".join(f"  - {failure}" for failure in failures))
        sys.exit(1)
