# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 1: What autograd is
#
# Autograd computes derivatives for you. You write an ordinary expression; as it runs,
# every operation is *recorded*, building a graph of how the result was computed. Then
# `backward()` walks that graph from the result back to the inputs, applying the chain
# rule at every node, and leaves each input's derivative in its `.grad`.
#
# This is the first part of the PyTorch autograd tutorial, with one change: we import
# `micrograd_edu` where the tutorial imports `torch`.

# %%
import micrograd_edu as torch
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import draw, save_graph

OUT = output_dir("lesson01")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## A tensor that wants its gradient
#
# `requires_grad=True` asks autograd to record every operation that uses `x`.

# %%
x = torch.tensor(2.0, requires_grad=True)
y = x**2 + 3 * x + 1
y

# %% [markdown]
# `y` knows how it was made: its `grad_fn` names the last operation. The graph was
# built as the line ran; nothing was compiled in advance.

# %%
y.grad_fn

# %% [markdown]
# ## backward() and .grad
#
# dy/dx = 2x + 3, which is 7 at x = 2. `backward()` computes it:

# %%
y.backward()
x.grad

# %% [markdown]
# ## The graph, drawn
#
# On the python backend every tensor is made of scalar `Value`s, so we can draw every
# single operation with its value (`data`) and its gradient (`grad`). Read it from left
# to right for the forward pass, right to left for the gradients.

# %%
dot = draw(y, names={"x": x}, title="y = x² + 3x + 1 at x = 2")
save_graph(dot, OUT / "graph.png")
dot

# %% [markdown]
# ## What we saw
#
# - `requires_grad=True` asks autograd to record every operation on a tensor; the graph is
#   built as the code runs, and `grad_fn` names the op that made a result.
# - `backward()` applies the chain rule from the result back to the inputs and leaves each
#   input's derivative in its `.grad`: 7 for y = x² + 3x + 1 at x = 2.
# - `draw()` shows that graph: every op with its `data` and its `grad`.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. For `x = 3`, what does autograd give as the derivative of `x * x * x`?

# %%
x = torch.tensor(3.0, requires_grad=True)
z = x * x * x
answer = None  # call z.backward() and put x.grad here
check(
    answer,
    27.0,
    "call z.backward(), then read x.grad; or by hand: the power rule gives d(x³)/dx, then put x = 3 in",
)
