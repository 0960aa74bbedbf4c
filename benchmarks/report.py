"""What the benchmarks share: the verdict on a target, and the table they end with."""

from __future__ import annotations


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
