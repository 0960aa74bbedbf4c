"""Devices: micrograd_edu computes on the CPU only, with PyTorch's device API around that.

`torch.device("cpu")`, `device="cpu"` wherever PyTorch takes it, `t.to("cpu")`, `t.device`,
`torch.cuda.is_available()` (False): the code a course writes to pick a GPU when there is one
runs as it is and picks the CPU. Asking for a GPU by name is a clear error.
"""

from __future__ import annotations

from typing import Any


class device:
    """Where a tensor lives: always `device(type='cpu')` here."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:
        given: Any = type
        if isinstance(given, device):
            given, index = given.type, given.index
        if not isinstance(given, str):
            kind = given.__class__.__name__
            raise TypeError(f"device() takes a string such as 'cpu', got {kind} {given!r}")
        name, _, number = given.partition(":")
        self.type: str = name
        self.index: int | None = int(number) if number.isdigit() else index
        if name not in KNOWN:
            raise RuntimeError(
                f"Expected one of cpu, cuda, mps device type at start of device string: {given!r}"
            )

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


KNOWN = ("cpu", "cuda", "mps", "meta", "xpu")


def on_cpu(where: Any, op: str) -> None:
    """Check a device argument: the CPU is fine; a GPU is an error that says what to do."""
    if where is None:
        return
    d = where if isinstance(where, device) else device(f"cuda:{where}" if isinstance(where, int) else where)
    if d.type != "cpu":
        raise RuntimeError(
            f"{op}: micrograd_edu computes on the CPU only, so there is no {d} device. Pick the device as "
            "PyTorch courses do, device = 'cuda' if torch.cuda.is_available() else 'cpu' (it is False "
            "here), or use 'cpu'."
        )
