"""Draw a compiled program: its primitives and the arrays they pass, forward, backward, update.

    step = micrograd_edu.compile(train_step)
    for _ in range(3):
        step(X, y)
    save_graph(draw(step.program), "program.png")    # draw() hands a program to draw_program

A box per primitive, coloured by its phase (forward, backward, after backward), and a box per
array, coloured as draw() colours tensors (input, parameter, constant, computed, output: what the
step leaves behind). An arrow for each array a primitive reads and each it writes; an update in
place is a dashed arrow into the array it changes, and a dotted one joins an op to the backward
function it handed back. A dead primitive (left out of the replay) is drawn grey and dashed.
The same picture for every step of a run: a program holds no numbers, only what is done to them.
"""

from __future__ import annotations

from typing import Any

from micrograd_edu.viz.graph import (
    KINDS,
    MUTED,
    _check_size,
    _dot_name,
    _graphviz,
    _heading,
    _html,
    _svg_text,
    _table,
)

PHASES = {  # phase: (fill, border, what the legend says)
    "forward": ("#eff6ff", "#1d4ed8", "forward"),
    "backward": ("#dcfce7", "#15803d", "backward"),
    "update": ("#fef3c7", "#b45309", "after backward (in place)"),
    "tape": ("#f3e8ff", "#7e22ce", "tape (the python backend's forward and backward)"),
}
DEAD = ("#ffffff", "#9ca3af", "dead: not replayed")


def draw_program(program: Any, title: str = "", dead: bool = False) -> Any:
    """The program as a graphviz.Digraph (see the module docstring); with `dead`, its dead
    primitives too, grey and dashed (else the title counts them)."""
    steps, slots = program.picture()
    shown = [k for k, step in enumerate(steps) if step.live or dead]
    vjps = {step.made_by: k for k, step in enumerate(steps) if step.made_by is not None}
    used = {s for k in shown for s in (*steps[k].reads, *steps[k].writes)}
    _check_size(len(shown) + len(used), "primitives and arrays", "a smaller step, or read print(program)")
    graphviz = _graphviz()
    dot = graphviz.Digraph(
        name=_svg_text(_dot_name("micrograd_edu program"), graphviz),
        graph_attr={"rankdir": "TB", "fontname": "Helvetica", "nodesep": "0.15", "ranksep": "0.2"},
    )
    dot.attr("node", shape="plaintext", fontname="Helvetica", fontsize="11")
    dot.attr("edge", color=MUTED, arrowsize="0.6")
    lines = (title or _title(program, steps, dead)).split("\n")
    legend = _legend([steps[k] for k in shown], slots, used)
    dot.attr(label="<" + _heading(lines, legend) + ">", labelloc="t", labeljust="l")
    for s in sorted(used):
        slot = slots[s]
        fill, border, style, _ = KINDS[slot.kind]
        head = f"<b>{_html(slot.name)}</b>"
        if slot.shape:
            head += f'  <font point-size="9">{_html(slot.shape)}</font>'
        dot.node(f"s{s}", "<" + _table([f"<tr><td>{head}</td></tr>"], fill, border, 1, style) + ">")
    updates = graphviz.Digraph(graph_attr={"rank": "sink"})  # after backward: the bottom row
    for k in shown:
        step = steps[k]
        fill, border, _ = PHASES[step.phase] if step.live else DEAD
        text = _html(step.op) if step.live else f'<font color="{MUTED}">{_html(step.op)}</font>'
        rows = [f"<tr><td>{text}</td></tr>"]
        if k in vjps:  # the backward function it hands back, run in the backward pass
            rows.append(
                f'<tr><td><font point-size="8" color="{MUTED}">→ {_html(steps[vjps[k]].op)}</font></td></tr>'
            )
        box = "<" + _table(rows, fill, border, 1, "rounded" if step.live else "dashed") + ">"
        (updates if step.phase == "update" else dot).node(f"p{k}", box)
        for s in step.reads:
            dot.edge(f"s{s}", f"p{k}")
        for s in step.writes:
            in_place = s in step.reads
            style = "dashed" if in_place else "solid"
            dot.edge(f"p{k}", f"s{s}", style=style, constraint="false" if in_place else "true")
    dot.subgraph(updates)
    return dot


def _title(program: Any, steps: list, dead: bool) -> str:
    counts = {phase: sum(1 for s in steps if s.phase == phase and s.live) for phase in PHASES}
    parts = ", ".join(f"{n} {PHASES[phase][2].split(' (')[0]}" for phase, n in counts.items() if n)
    n_dead = sum(1 for s in steps if not s.live)
    left_out = f"; {n_dead} dead{'' if dead else ' (not drawn)'}" if n_dead else ""
    head = str(program).split("\n", 1)[0].rstrip(":")
    return f"{head}\n{sum(counts.values())} primitives: {parts}{left_out}"


def _legend(steps: list, slots: dict, used: set) -> str:
    """The phases, the kinds of array and the dead primitives this picture has, and nothing else."""
    cells = [
        f'<td bgcolor="{fill}" color="{border}" border="1" style="rounded">{words}</td>'
        for phase, (fill, border, words) in PHASES.items()
        if any(s.phase == phase and s.live for s in steps)
    ]
    if any(not s.live for s in steps):
        words = f'<font color="{MUTED}">{DEAD[2]}</font>'
        cells.append(f'<td color="{DEAD[1]}" border="1" style="dashed">{words}</td>')
    kinds = {slots[s].kind for s in used}
    cells.append("<td>   arrays:</td>")
    cells += [
        f'<td bgcolor="{fill}" border="{2 if kind == "output" else 1}" color="{border}" style="{style}">'
        f"{words}</td>"
        for kind, (fill, border, style, words) in KINDS.items()
        if kind in kinds
    ]
    if any(s in step.reads for step in steps for s in step.writes):
        cells.append("<td>   - - &gt; writes in place</td>")
    if any(step.made_by is not None for step in steps):
        cells.append("<td>   → vjp: the backward function it hands back</td>")
    return '<table border="0" cellspacing="4" cellpadding="3"><tr>' + "".join(cells) + "</tr></table>"
