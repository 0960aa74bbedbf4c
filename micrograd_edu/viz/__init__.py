"""Pictures of autograd: the recorded graph (graphviz), training recordings, and plots.

graphviz and matplotlib are imported only when a picture is made, so the rest of
micrograd_edu works where neither is installed.
"""

from micrograd_edu.viz.graph import draw, save_graph, to_digraph, trace

__all__ = ["draw", "save_graph", "to_digraph", "trace"]
