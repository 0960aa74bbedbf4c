"""Exercise 3: topological_order, the order backward() works in (a reference solution)

This one counts, for every node, how many uses of it are still to come, and lists a node
once all of them are done: the very condition backward() needs. (The engine's own
topological_order does a depth-first walk instead; both give a valid order.)
"""

from micrograd_edu import Value


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on (root too), each once, each after all of its inputs."""
    # 1. Find every node, and count its uses: x * x uses x twice. A dict by id(), because
    #    == on Values compares their numbers, and two nodes may hold the same one.
    uses = {id(root): 0}
    stack = [root]  # a stack of our own instead of recursion: any depth works
    while stack:
        node = stack.pop()
        for k in node._prev:
            if id(k) not in uses:
                uses[id(k)] = 0
                stack.append(k)
            uses[id(k)] += 1
    # 2. From the root down: a node is ready once every node that uses it has been listed.
    backwards, ready = [], [root]
    while ready:
        node = ready.pop()
        backwards.append(node)
        for k in node._prev:
            uses[id(k)] -= 1
            if uses[id(k)] == 0:
                ready.append(k)
    return backwards[::-1]
