# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 3: Inside Value
#
# `Value` is the whole engine: every number autograd tracks is one. In this lesson we
# open it up: what an op records, how `backward()` orders the work, and we run the
# backward pass ourselves, in a loop, with no `backward()` at all. Then we add an op of
# our own and let `gradcheck` tell us whether we got its derivative right.

# %%
import inspect
import math

from micrograd_edu import GradcheckError, Value, gradcheck, topological_order
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import draw, print_backward, save_graph

OUT = output_dir("lesson03")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## What an op records
#
# A `Value` made by an op keeps three things besides its number: `_prev`, the inputs it
# was computed from (a tuple, in order); `_op`, the op's name; `_backward`, the function
# that holds the op's local derivative. A leaf (a Value you made yourself) has `()`, `""`
# and `None`.

# %%
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
c = a * b
print("c:", c._prev, repr(c._op), c._backward.__name__)
print("a:", a._prev, repr(a._op), a._backward)

# %% [markdown]
# ## The source: forward and backward side by side
#
# `*` computes the product, and hands `Value` the inputs, the name and `_mul_backward`:

# %%
print(inspect.getsource(Value.__mul__))
print(inspect.getsource(Value._mul_backward))

# %% [markdown]
# ## What `_backward(g, out, a, b)` returns
#
# It is given `g`, the gradient already in the result (d root / d c), the result's number
# `out` and the inputs' numbers, and returns one gradient per input: g times the local
# derivative (the chain rule). It changes nothing; the caller adds the numbers in.
# For c = a·b: dc/da = b = −3 and dc/db = a = 2.

# %%
print(c._backward(1.0, c.data, a.data, b.data))  # g = 1: the local derivatives themselves
print(c._backward(10.0, c.data, a.data, b.data))  # g = 10: ten times those
t = a.tanh()
t._backward(1.0, t.data, a.data)  # one input, so a tuple of one: 1 - tanh²(2)

# %% [markdown]
# ## A graph to work on
#
# L = tanh(x·w + b) · x. Note `x` is used twice. We build it in a function so that we
# can make fresh copies: `backward()` releases the graph it ran through (lesson 4).


# %%
def make_graph() -> Value:
    x, w, b = Value(0.8, label="x"), Value(-1.5, label="w"), Value(0.4, label="b")
    z = x * w
    z.label = "z"
    s = z + b
    s.label = "s"
    t = s.tanh()
    t.label = "t"
    L = t * x
    L.label = "L"
    return L


L = make_graph()
dot = draw(L, title="L = tanh(x·w + b) · x, before backward()")
save_graph(dot, OUT / "graph_before.png")
dot

# %% [markdown]
# ## The order of the work
#
# A node's `_backward` needs the node's *whole* gradient, so it may run only after every
# node that uses it has run. `topological_order` lists each node after all of its inputs;
# read backwards, each node comes before all of its inputs: the order backward() uses.

# %%
order = topological_order([L])
[v.label for v in order]

# %% [markdown]
# `x` comes first, and its gradient arrives in two parts (from `z` and from `L`), so it
# is finished only at the very end of the reversed order.
#
# ## The backward pass, by hand
#
# Seed the root with dL/dL = 1, then walk the reversed order; each node made by an op
# passes its gradient to its inputs. `+=`, not `=`: a Value used twice collects from both uses.


# %%
def backward_by_hand(root: Value) -> None:
    root.grad = 1.0
    for node in reversed(topological_order([root])):
        if node._prev:  # a leaf has no _backward
            grads = node._backward(node.grad, node.data, *[k.data for k in node._prev])
            for k, gk in zip(node._prev, grads):
                k.grad += gk


mine, theirs = make_graph(), make_graph()  # two fresh, identical graphs
backward_by_hand(mine)
theirs.backward()
print(f"{'node':>4}  {'by hand':>20}  {'backward()':>20}  same?")
for v, w in zip(topological_order([mine]), topological_order([theirs])):
    print(f"{v.label:>4}  {v.grad:20.16f}  {w.grad:20.16f}  {v.grad == w.grad}")

# %% [markdown]
# The same numbers to the last bit: `backward()` is this loop plus housekeeping (it sets
# computed nodes' gradients to 0 first, releases the graph afterwards, and with
# `create_graph=True` records the pass itself).
# Here is the graph with its gradients filled in.

# %%
dot = draw(theirs, title="L = tanh(x·w + b) · x, after backward()")
save_graph(dot, OUT / "graph_after.png")
dot

# %% [markdown]
# ## The chain rule, one line per input
#
# `print_backward` replays the loop above and writes each `+=` out, with the local
# derivative, the incoming gradient and their product. It changes no `.grad`, but it
# needs a graph that backward() has not released: a fresh one.

# %%
print_backward(make_graph())

# %% [markdown]
# ## Explore it: click, step, change a number
#
# `explore` puts the same graph in a notebook as something to work with: click a box for its
# data, its grad, the op's local derivative and the chain-rule products that reached it; step
# through backward one node at a time (the buttons, or the arrow keys), the node at work
# outlined; type a new number into a leaf, and the kernel runs forward and backward again with
# this very engine. `save_explorer` writes the same explorer as one page that needs no kernel
# (open it from a file, a USB stick or a course page).

# %%
from micrograd_edu.viz import explore, save_explorer

page = save_explorer(make_graph(), OUT / "explorer.html")
print(f"The explorer as a page of its own: {page}")
try:
    explorer = explore(make_graph())  # the live one: it needs pip install micrograd_edu[live]
except ImportError as missing:
    explorer = missing  # the page above works without it
explorer

# %% [markdown]
# ## Adding your own op
#
# softplus(x) = ln(1 + eˣ), a smooth ReLU. Its derivative is eˣ/(1 + eˣ) = σ(x), the
# sigmoid. An op is a function that computes the number and returns a new `Value` with the
# input, a name, and a backward function in the engine's form: `(g, out, a) -> (grad_a,)`.


# %%
def _softplus_backward(g, out, a):  # d softplus(a)/da = σ(a) = 1 / (1 + e^-a)
    return (g / (1 + math.exp(-a)),)


def softplus(x: Value) -> Value:  # ln(1 + eˣ); math.exp overflows for x above about 709
    return Value(math.log1p(math.exp(x.data)), (x,), "softplus", _softplus_backward)


x = Value(1.0, label="x")
y = softplus(x)
y.backward()
print(f"softplus(1) = {y.data:.6f},  grad = {x.grad:.6f},  σ(1) = {1 / (1 + math.exp(-1)):.6f}")
gradcheck(softplus, [1.0]), gradcheck(lambda a, b: softplus(a * b) + a, [0.3, -2.0])

# %% [markdown]
# ## A wrong op, and gradcheck catching it
#
# A common slip: forget to multiply by `g`. Checked on its own, the op is the root, so
# g = 1 and the slip is invisible. Put it inside a bigger expression (g ≠ 1) and
# gradcheck reports the input and both numbers.


# %%
def _softplus_backward_forgets_g(g, out, a):
    return (1 / (1 + math.exp(-a)),)  # should be g / (1 + e^-a)


def softplus_wrong(x: Value) -> Value:
    return Value(math.log1p(math.exp(x.data)), (x,), "softplus", _softplus_backward_forgets_g)


print("alone:", gradcheck(softplus_wrong, [1.0]))
try:
    gradcheck(lambda x: 3 * softplus_wrong(x), [1.0])
except GradcheckError as e:
    print("inside 3 * softplus(x):", e)

# %% [markdown]
# The lesson: test a new op inside an expression, at a few points, never only alone.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. q = a / b with a = 6, b = 3. What does `q._backward(1.0, q.data, 6.0, 3.0)` return?
#    Work it out first, then call it to see.

# %%
q = Value(6.0) / Value(3.0)
answer = None  # a tuple of two numbers
check(
    answer,
    (1 / 3, -2 / 3),
    "one gradient per input, (for a, for b): d(a/b)/da = 1/b and d(a/b)/db = -a/b², each times "
    "g = 1; put a = 6 and b = 3 in",
)

# %% [markdown]
# 2. z = p · p at p = 3. `z._backward(1.0, 9.0, 3.0, 3.0)` returns (3.0, 3.0): both are
#    for `p`. What must `p.grad` be after `z.backward()`?

# %%
p = Value(3.0)
z = p * p
answer = None  # a number; check it with z.backward() and p.grad
check(
    answer,
    6.0,
    "both entries of the tuple are for p, and both are added into the same p.grad (that is why the "
    "loop says +=)",
)

# %% [markdown]
# 3. An op of your own: `square(x)` = x². Replace the `0.0` in `_square_backward` with
#    the gradient for `a` (remember `g`!), then run the cell.


# %%
def _square_backward(g, out, a):  # d(a²)/da = 2a
    return (0.0,)  # your code: the gradient for a


def square(x: Value) -> Value:
    return Value(x.data**2, (x,), "square", _square_backward)


x = Value(1.5)
y = 3 * square(x)  # inside an expression, so g = 3 at square's node
y.backward()
answer = x.grad
check(
    answer,
    9.0,
    "the chain rule: return a tuple of one, g times the local derivative in the comment (forget "
    "g and it is wrong inside 3 * square(x)). gradcheck(lambda v: 3 * square(v), [1.5]) tells you "
    "when it is right; in a terminal, type the x.grad your fix would give",
)
