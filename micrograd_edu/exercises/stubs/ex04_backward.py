"""Exercise 4: backward(), the whole backward pass

Now put the pieces together. Write `backward(root, gradient=1.0)`: it fills the `.grad`
of every Value that root was computed from with d(root)/d(node), times `gradient`, as
`root.backward(gradient)` does.

What you have to work with: a Value made by an op holds `_prev`, its inputs, and
`_backward`, its op's backward function, which you call as

    node._backward(node.grad, node.data, *[k.data for k in node._prev])

and which returns one gradient per input (you wrote one in exercise 2). A leaf has
`_prev == ()` and no `_backward`. The order: exercise 3's, read backwards (use yours, or
`micrograd_edu.topological_order([root])`).

Two rules, as in PyTorch: a leaf keeps the gradient it already holds and adds to it (a
second backward() adds a second gradient; zeroing is the caller's job), while a node made
by an op holds the gradient of this pass only.

`root.backward()` itself is switched off while the checks run: the point is to write it.

Check your work:  micrograd-edu check 4
In a notebook:    from micrograd_edu.exercises import check; check(4, backward)
"""

from micrograd_edu import Value, topological_order


def backward(root: Value, gradient: float = 1.0) -> None:
    """Add gradient · d(root)/d(node) into the .grad of every node root was computed from."""
    raise NotImplementedError("exercise 4: write backward(root, gradient)")
