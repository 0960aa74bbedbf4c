"""What the benchmarks share: ratios over repeats, the verdict on a target, the closing
table and the JSON file."""

from __future__ import annotations

import json
import statistics
from pathlib import Path


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
