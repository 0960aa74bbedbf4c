"""Exercise 3: topological_order, the order backward() works in

backward() may pass a node's gradient on to its inputs only once that gradient is
complete: after every node that uses it has passed its own share back. So it needs the
nodes in an order where each one comes after all of its inputs (`node._prev`, a tuple;
a leaf's is empty): a topological order. Read backwards, it is the order backward()
visits the nodes in.

Write `topological_order(root)`: a list of every Value that root was computed from,
root included, each exactly once, each after all of its inputs.

What the checks try: a node that two others use (it must be in the list once), two
different Values that hold the same number (they are still two nodes), and a chain of
50,000 ops, as a long training run makes.

Check your work:  micrograd-edu check 3
In a notebook:    from micrograd_edu.exercises import check; check(3, topological_order)
"""

from micrograd_edu import Value


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on (root too), each once, each after all of its inputs."""
    raise NotImplementedError("exercise 3: write topological_order(root)")
