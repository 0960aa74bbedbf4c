"""The `micrograd-edu` command (also `python -m micrograd_edu`)."""

from __future__ import annotations

import argparse

from micrograd_edu.engine import Value


def demo() -> None:
    """One neuron, forward and backward, with every gradient printed."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    print(f"o = tanh(x1*w1 + x2*w2 + b) = {o.data:.4f}")
    for v in (x1, w1, x2, w2, b):
        print(f"  d o / d {v.label:<2} = {v.grad:+.4f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="micrograd-edu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the engine on one neuron and print its gradients")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo()
