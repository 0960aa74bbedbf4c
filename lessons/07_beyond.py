# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 7: Beyond the tutorial
#
# Four things the tutorial does not show, each a few lines with the same tools:
# a second derivative, a second optimizer (Adam), a harder dataset (two moons), and
# saving a trained model to a file and loading it back.

# %%
import math

import micrograd_edu as torch
from micrograd_edu import Value, grad, nn, optim
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import decision_boundary, draw, loss_axes, save_figure, save_graph

OUT = output_dir("lesson07")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## A second derivative
#
# `grad(y, [x])` returns dy/dx as a new `Value`. With `create_graph=True` the backward
# pass is *recorded* while it runs, so that Value has a graph of its own, which `grad` can
# differentiate again. For y = x³: dy/dx = 3x² = 12 and d²y/dx² = 6x = 12 at x = 2.

# %%
x = Value(2.0, label="x")
y = x**3
(dy,) = grad(y, [x], create_graph=True)
(d2y,) = grad(dy, [x])
print(f"dy/dx = {dy.data},  d2y/dx2 = {d2y.data}")

# %% [markdown]
# Here is the graph the backward pass recorded: 3 · x², added to the 0 that the
# gradient started from. It is an ordinary graph of the engine's own ops, so
# `backward()` works on it too: it leaves the second derivative, 12, in `x.grad`.

# %%
x = Value(2.0, label="x")
(dy,) = grad(x**3, [x], create_graph=True)
dy.label = "dy/dx"
dy.backward()
print(f"x.grad = {x.grad}")
dot = draw(dy, title="dy/dx for y = x³ at x = 2, recorded by grad(..., create_graph=True)")
save_graph(dot, OUT / "derivative_graph.png")
dot

# %% [markdown]
# ## Checking it: tanh
#
# d/dx tanh x = 1 − tanh²x, and d²/dx² tanh x = −2 tanh x (1 − tanh²x). We check the
# autograd second derivative against the formula and against a *central difference* of
# the first derivative: (f′(x + h) − f′(x − h)) / 2h, which needs no autograd for the
# second step. The difference is off by about h², here 1e-10.


# %%
def tanh_prime(x0: float) -> float:
    """The first derivative of tanh at x0, by autograd."""
    x = Value(x0)
    (d,) = grad(x.tanh(), [x])
    return d.data


h = 1e-5
for x0 in (-1.0, 0.5, 2.0):
    x = Value(x0)
    (d,) = grad(x.tanh(), [x], create_graph=True)
    (d2,) = grad(d, [x])
    t = math.tanh(x0)
    formula = -2 * t * (1 - t * t)
    central = (tanh_prime(x0 + h) - tanh_prime(x0 - h)) / (2 * h)
    print(f"x = {x0:+.1f}: autograd {d2.data:+.10f}  formula {formula:+.10f}  central {central:+.10f}")
    assert abs(d2.data - formula) < 1e-12 and abs(d2.data - central) < 1e-8

# %% [markdown]
# ## Two moons, on the numpy backend
#
# 200 points on two interleaved half circles: no straight line separates them. We train
# on the numpy backend (lesson 6), where a step takes about a millisecond.

# %%
torch.set_backend("numpy")
X, y = torch.data.moons(200, noise=0.1, seed=0)


def make_model():
    """2 → 16 → 16 → 1 with tanh between the layers; the sigmoid makes a probability."""
    return nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid()
    )


def train(model, optimizer, epochs=500):
    criterion = nn.BCELoss()
    losses = []
    for _ in range(epochs):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def accuracy(model):
    with torch.no_grad():
        return ((model(X) > 0.5).float() == y).float().mean().item()


print(X.shape, y.shape, "class 1:", int(y.sum().item()), "of", len(y))

# %% [markdown]
# ## Adam against SGD
#
# SGD moves every weight by lr × its gradient. Adam divides each weight's step by a
# running average of the size of its gradient, so a weight whose gradients are tiny still
# moves about lr per step, and a noisy one moves less. Both start from the same weights.

# %%
torch.manual_seed(0)
start = make_model().state_dict()

sgd_model = make_model()
sgd_model.load_state_dict(start)
sgd_losses = train(sgd_model, optim.SGD(sgd_model.parameters(), lr=0.1))

adam_model = make_model()
adam_model.load_state_dict(start)
adam_losses = train(adam_model, optim.Adam(adam_model.parameters(), lr=0.01))

print(f"SGD  (lr = 0.1):  final loss {sgd_losses[-1]:.4f}, accuracy {accuracy(sgd_model):.3f}")
print(f"Adam (lr = 0.01): final loss {adam_losses[-1]:.4f}, accuracy {accuracy(adam_model):.3f}")

# %% [markdown]
# The y axis is logarithmic: each grid line down is ten times smaller.

# %%
fig, ax = loss_axes(sgd_losses)
ax.plot(range(1, len(adam_losses) + 1), adam_losses, color="#dc2626")
ax.set_yscale("log")
ax.legend(["SGD, lr = 0.1", "Adam, lr = 0.01"])
ax.set_title("two moons: the same model, two optimizers")
save_figure(fig, OUT / "adam_vs_sgd.png")
fig

# %% [markdown]
# SGD is not broken, only slow here: try `lr=0.5` and it gets there too. Adam's
# advantage is that its step size depends much less on the scale of the gradients.
#
# ## The decision boundary
#
# Where Adam's model says class 1 (yellow) and class 0 (blue). The boundary curves
# between the moons; a single Linear layer could only draw a straight line.

# %%
print(f"accuracy on the 200 points: {accuracy(adam_model):.3f}")
fig = decision_boundary(adam_model, X, y)
save_figure(fig, OUT / "moons_boundary.png")
fig

# %% [markdown]
# ## Saving and loading
#
# `torch.save(model, path)` writes the weights (the `state_dict`) as JSON, a line per
# tensor; `torch.load(path)` reads them back as tensors, and `load_state_dict` copies
# them into a model of the same shape. Loading runs no code from the file.

# %%
path = OUT / "moons_model.json"
torch.save(adam_model, path)
print(path.read_text()[:300], "...")

# %%
reloaded = make_model()  # new random weights...
reloaded.load_state_dict(torch.load(path))  # ...replaced by the saved ones
with torch.no_grad():
    gap = (reloaded(X) - adam_model(X)).abs().max().item()
print(f"largest difference between the two models' outputs: {gap}")
print(f"the reloaded model's accuracy: {accuracy(reloaded):.3f}")
assert gap == 0.0

# %% [markdown]
# JSON writes each float64 with enough digits to read back the very same number, so the
# reloaded model does not just predict *about* the same: it predicts exactly the same.
#
# Back to the default path:

# %%
torch.set_backend("python")
torch.get_backend()

# %% [markdown]
# ## What we saw
#
# - `grad(..., create_graph=True)` records the backward pass, so a gradient can be
#   differentiated again: second and third derivatives.
# - Adam scales each weight's step by the size of its gradients; SGD's step is the
#   gradient times lr.
# - `torch.save` and `torch.load` keep a model's weights exactly, as JSON.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. d²/dx² of exp(2x) at x = 0.

# %%
x = Value(0.0)
f = (2 * x).exp()
answer = None  # use grad twice: the first time with create_graph=True
check(
    answer,
    4.0,
    "(d,) = grad(f, [x], create_graph=True) gives df/dx as a Value with a graph of its own; "
    "grad(d, [x]) differentiates that again (take .data). By hand: differentiate exp(2x) twice "
    "by the chain rule, then put x = 0 in",
)

# %% [markdown]
# 2. The third derivative of x⁴ at x = 1.

# %%
x = Value(1.0)
f = x**4
answer = None  # three calls of grad; which ones need create_graph=True?
check(
    answer,
    24.0,
    "by hand: the power rule three times, then x = 1. With grad: every grad() whose result you "
    "will differentiate again needs create_graph=True",
)

# %% [markdown]
# 3. Adam's first step. How far does one `Adam(lr=0.01)` step move the weight below,
#    once with a gradient of 1000 and once with a gradient of 0.001?


# %%
def first_adam_step(gradient: float) -> float:
    w = torch.tensor([1.0], requires_grad=True)
    (w * gradient).sum().backward()  # so w.grad = gradient
    optim.Adam([w], lr=0.01).step()
    return 1.0 - w.item()


big, small = first_adam_step(1000.0), first_adam_step(0.001)
answer = None  # predict the two step sizes as a list [big, small]; then print(big, small)
check(
    answer,
    [0.01, 0.01],
    "at Adam's first step the running averages are m = g and v = g², and the step is about "
    "lr · m / √v: work that out for any g (SGD's step would be lr · g, a million times apart)",
    tol=1e-4,
)
