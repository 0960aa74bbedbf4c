"""Exercise 4: backward(), the whole backward pass (a reference solution)"""

from micrograd_edu import Value, topological_order


def backward(root: Value, gradient: float = 1.0) -> None:
    """Add gradient · d(root)/d(node) into the .grad of every node root was computed from."""
    order = topological_order([root])
    for node in order:
        if node._prev:  # made by an op: it will hold this pass's gradient only
            node.grad = 0.0
    root.grad += gradient
    for node in reversed(order):  # each node's gradient is complete when its turn comes
        if node._prev:
            shares = node._backward(node.grad, node.data, *[k.data for k in node._prev])
            for k, share in zip(node._prev, shares):
                k.grad += share  # += : a node used twice gets a share from each use
