"""Pictures of autograd: the recorded graph (graphviz), training recordings, and plots.

graphviz and matplotlib are imported only when a picture is made, so the rest of
micrograd_edu works where neither is installed.
"""

from micrograd_edu.viz.backward import Step, backward_steps, backward_text, print_backward, record_backward
from micrograd_edu.viz.explore import Explorer, explore, save_explorer
from micrograd_edu.viz.graph import draw, save_graph, to_digraph, trace
from micrograd_edu.viz.plots import decision_boundary, histograms, loss_axes, save_figure
from micrograd_edu.viz.program import draw_program
from micrograd_edu.viz.record import Recorder

__all__ = [
    "Explorer",
    "Recorder",
    "Step",
    "backward_steps",
    "backward_text",
    "decision_boundary",
    "draw",
    "draw_program",
    "explore",
    "histograms",
    "loss_axes",
    "print_backward",
    "record_backward",
    "save_explorer",
    "save_figure",
    "save_graph",
    "to_digraph",
    "trace",
]
