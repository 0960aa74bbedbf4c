# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 4: Pitfalls
#
# Seven things about autograd that surprise almost everyone once. Each one is PyTorch's
# behaviour, and `micrograd_edu` copies it, so we write the code as a PyTorch user would
# (`import micrograd_edu as torch`), watch the surprise happen, then see the fix.

# %%
import matplotlib.pyplot as plt

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import save_figure

OUT = output_dir("lesson04")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## 1. Gradients accumulate
#
# `backward()` *adds* into `.grad`; it never overwrites it. Compute the same loss twice,
# call `backward()` twice, and the gradient doubles. (The sum of x² has gradient 2x.)

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
for attempt in (1, 2):
    y = (x**2).sum()
    y.backward()
    print(f"after backward() number {attempt}: x.grad = {x.grad}")

# %% [markdown]
# Adding is what makes a Value used twice collect from both uses (lesson 3). But
# between training steps the old gradient must go:
# set `.grad = None` (what `optimizer.zero_grad()` does) or fill it with zeros in place.

# %%
x.grad = None
y = (x**2).sum()
y.backward()
print("after x.grad = None and one backward():", x.grad)
x.grad.zero_()
print("after x.grad.zero_():", x.grad)

# %% [markdown]
# ## 2. A training loop that forgets `optimizer.zero_grad()`
#
# Fit a line to five points on y = 2x + 1 with one `nn.Linear(1, 1)`. The two runs are
# identical (same seed, same data, same learning rate) except that the second one never
# calls `optimizer.zero_grad()`.

# %%
X = torch.tensor([[0.0], [0.5], [1.0], [1.5], [2.0]])
Y = 2 * X + 1


def train(zero_grad: bool, steps: int = 40) -> tuple[list[float], nn.Linear]:
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.05)
    loss_fn = nn.MSELoss()
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(X), Y)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model


good, good_model = train(zero_grad=True)
bad, bad_model = train(zero_grad=False)
print(f"with zero_grad():    loss {good[0]:.4f} -> {good[-1]:.4f}, weight.grad = {good_model.weight.grad}")
print(f"without zero_grad(): loss {bad[0]:.4f} -> {bad[-1]:.4f}, weight.grad = {bad_model.weight.grad}")

# %% [markdown]
# Without `zero_grad()`, step k moves the weights by the *sum* of all k gradients so far:
# old gradients keep pushing long after they point the wrong way. The line overshoots,
# swings back, overshoots again, and the loss jumps around instead of settling.

# %%
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
ax.semilogy(range(1, len(good) + 1), good, color="#2563eb", label="with optimizer.zero_grad()")
ax.semilogy(range(1, len(bad) + 1), bad, color="#dc2626", label="without it")
ax.set_xlabel("step")
ax.set_ylabel("MSE loss (log scale)")
ax.set_ylim(1e-3, 10)  # room below the curves for the legend
ax.set_title("fitting y = 2x + 1, with and without zero_grad()")
ax.grid(alpha=0.3, which="both")
ax.legend(loc="lower left")
fig.tight_layout()
save_figure(fig, OUT / "forgot_zero_grad.png")
fig

# %% [markdown]
# ## 3. `no_grad()`: compute without recording
#
# Inside `with torch.no_grad():` nothing is recorded: results have `requires_grad=False`
# and `grad_fn=None`, even when their inputs require grad. Use it where you want numbers,
# not gradients: evaluating a model, or updating weights (`optimizer.step()` runs under it).

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
recorded = x * 2
with torch.no_grad():
    not_recorded = x * 2
print("outside:", recorded.requires_grad, recorded.grad_fn)
print("inside: ", not_recorded.requires_grad, not_recorded.grad_fn)
try:
    not_recorded.sum().backward()
except RuntimeError as e:
    print("backward() on it:", e)

# %% [markdown]
# ## 4. `detach()`: the same numbers, cut off from the graph
#
# `x.detach()` is a new leaf with x's numbers; no gradient flows back through it. In
# y = x · x.detach() the detached factor is a constant, so dy/dx is x, not 2x.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x_const = x.detach()
print("detached:", x_const, x_const.requires_grad, x_const.grad_fn)
(x * x_const).sum().backward()
print("d/dx of sum(x · x.detach()) =", x.grad, "  (d/dx of sum(x · x) would be 2x)")

# %% [markdown]
# ## 5. `backward()` twice through the same graph
#
# To save memory, `backward()` releases the graph it ran through. A second call fails,
# and the message says what to do.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**2).sum()
y.backward()
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", e)

# %% [markdown]
# With `retain_graph=True` the first call keeps the graph, so a second call works; and,
# pitfall 1 again, it adds to `.grad`.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**2).sum()
y.backward(retain_graph=True)
print("after the first: ", x.grad)
y.backward()
print("after the second:", x.grad)

# %% [markdown]
# ## 6. `.grad` of a non-leaf is None, unless you ask
#
# Only leaves (tensors you made, like weights) keep `.grad`; a tensor computed on the way
# (`h` below) passes its gradient on and keeps nothing. `h.retain_grad()` before
# `backward()` asks it to keep its gradient.

# %%
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
loss = (h * h).sum()
loss.backward()
print("h.is_leaf:", h.is_leaf, "  h.grad:", h.grad)

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
h.retain_grad()
loss = (h * h).sum()
loss.backward()
print("with retain_grad(), h.grad:", h.grad, "  (d sum(h²)/dh = 2h)")

# %% [markdown]
# ## 7. `backward()` on a tensor of several numbers needs `gradient=`
#
# A gradient is the slope of *one* number. With several outputs, autograd needs one
# weight per output: `v.backward(gradient=g)` gives the gradient of sum(g · v).
# A loss is one number, which is why `loss.backward()` needs no argument.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
v = x**2
try:
    v.backward()
except RuntimeError as e:
    print("RuntimeError:", e)

g = torch.tensor([1.0, 10.0, 100.0])
v.backward(gradient=g)
print("v.backward(gradient=g):  x.grad =", x.grad)
x.grad = None
(x**2 * g).sum().backward()
print("(v * g).sum().backward(): x.grad =", x.grad)

# %% [markdown]
# ## What we saw
#
# - Gradients accumulate: zero them between steps (`optimizer.zero_grad()`).
# - `no_grad()` computes without recording; `detach()` cuts a tensor off the graph.
# - `backward()` releases the graph (`retain_graph=True` keeps it); a non-leaf keeps no
#   `.grad` unless asked (`retain_grad()`); several outputs need `gradient=`.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. w = 3 and loss = w · w. A loop computes the loss and calls `backward()` three times,
#    never zeroing. What is `w.grad` at the end? (Work it out, then run the loop to see.)

# %%
w = torch.tensor(3.0, requires_grad=True)
answer = None  # a number
check(
    answer,
    18.0,
    "each backward() adds d(w·w)/dw into w.grad, and nothing clears it in between: how much each "
    "time, and how many times?",
)

# %% [markdown]
# 2. x = 2 and y = (x³).detach() · x. What does `y.backward()` put in `x.grad`?

# %%
x = torch.tensor(2.0, requires_grad=True)
answer = None  # a number
check(
    answer,
    8.0,
    "as far as autograd knows, the detached factor is a constant c (the value of x³), and d(c·x)/dx = c",
)

# %% [markdown]
# 3. x = [1, 2, 3] and v = x². What is `x.grad` after `v.backward(gradient=torch.tensor([1.0, 0.0, 2.0]))`?

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
answer = None  # a list of three numbers
check(
    answer,
    [2.0, 0.0, 12.0],
    "gradient=g means 'the gradient of sum(g · v)': element i gets g[i] · dv[i]/dx[i], and "
    "dv[i]/dx[i] is the derivative of x[i]²",
)
