"""How long the explorer takes to redraw after a change, against drawing the same graph to PNG.

    python benchmarks/bench_explore.py

The explorer's part in the kernel: a leaf changed, the graph replayed and backpropagated by the
engine, the SVG laid out again by dot (`Explorer.set_leaf`). Its peer in the same run:
`save_graph(draw(root), "graph.png")`, what a picture of the same graph costs. Two graphs: a
~20-Value expression at scalar level and the tutorial's SimpleNN (2-4-1, XOR) at tensor level
(the latter opens a new explorer each time: a tensor graph is not edited in place); then the
same model explored as a function (`explore(fn, optimizer=...)`): a weight changed, one
training step and a hundred, each ending with the new picture.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import micrograd_edu as torch
from micrograd_edu import Value, nn
from micrograd_edu.demo import SimpleNN
from micrograd_edu.viz import draw, save_graph
from micrograd_edu.viz.explore import Explorer


def expression() -> Value:
    x, y, z = Value(1.5, label="x"), Value(-2.0, label="y"), Value(0.5, label="z")
    u = x * y + z
    v = (u.tanh() * x - y / 2.0) ** 2
    out = (v.sigmoid() + (z * z).exp() - x.relu()) * u + v.log()
    out.label = "out"
    return out


def median_ms(f, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    out = expression()
    explorer = Explorer(out)
    n = len(explorer.state()["nodes"])
    values = iter(range(10_000))
    change = median_ms(lambda: explorer.set_leaf("v0", 1.0 + next(values) / 1000))
    png = median_ms(lambda: save_graph(draw(out), folder / "scalar.png"))
    print(f"scalar, {n} Values: explorer leaf change {change:.1f} ms, draw to PNG {png:.1f} ms")

    torch.manual_seed(0)
    X, y = torch.data.xor()
    model = SimpleNN()
    loss = nn.BCELoss()(model(X), y)
    loss.backward()
    names = {"X": X, "y": y}
    opened = median_ms(lambda: Explorer(loss, model=model, names=names, level="tensor"))
    png = median_ms(lambda: save_graph(draw(loss, "tensor", model, names), folder / "tensor.png"))
    print(f"SimpleNN at tensor level: explorer state {opened:.1f} ms, draw to PNG {png:.1f} ms")

    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    def fn():
        return criterion(model(X), y)

    live = Explorer(fn, model=model, names=names, level="tensor", optimizer=optimizer)
    edit = median_ms(lambda: live.set_parameter("fc1.weight", 3, 0.25 + next(values) / 1000))
    step = median_ms(lambda: live.train(1))
    hundred = median_ms(lambda: live.train(100), repeat=3)
    print(
        f"SimpleNN explore(fn): a weight changed {edit:.1f} ms, one training step {step:.1f} ms, "
        f"100 steps {hundred:.1f} ms (each: fn re-run, backward, dot layout)"
    )


if __name__ == "__main__":
    main()
