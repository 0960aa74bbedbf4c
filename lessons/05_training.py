# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 5: Autograd in model training
#
# The second half of the PyTorch autograd tutorial trains a small network. Autograd does
# the same job as in lesson 1, once per step: `loss.backward()` fills the `.grad` of every
# weight, and the optimizer moves each weight a little against its gradient.
#
# The code below is the tutorial's, with `micrograd_edu` imported where the tutorial
# imports `torch`. The few lines we add are marked `# ours`.

# %%
import math

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import Recorder, decision_boundary, draw, loss_axes, save_figure, save_graph

OUT = output_dir("lesson05")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## The model
#
# Two inputs, four hidden units, one output, a sigmoid after each layer. `nn.Linear(2, 4)`
# holds a 4×2 weight and 4 biases, all `requires_grad=True`.


# %%
class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.fc2 = nn.Linear(4, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.fc1(x))
        x = self.sigmoid(self.fc2(x))
        return x


# %% [markdown]
# ## The data: XOR
#
# The label is 1 where exactly one input is 1. No straight line separates the 1s from the
# 0s, so the hidden layer is needed.

# %%
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])

torch.manual_seed(0)  # ours: the same random starting weights on every run
model = SimpleNN()
model

# %% [markdown]
# ## The training loop
#
# Each epoch: forward, loss, `zero_grad()` (gradients accumulate, so clear last step's),
# `backward()`, `step()`.

# %%
criterion = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)

losses = []  # ours
epochs = 1000
for epoch in range(epochs):
    outputs = model(X)
    loss = criterion(outputs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())  # ours: to plot the curve
    if (epoch + 1) % 100 == 0:
        print(f"Epoch [{epoch + 1}/{epochs}], Loss: {loss.item():.4f}")

# %%
with torch.no_grad():
    predicted = (model(X) > 0.5).float()
    accuracy = (predicted == y).float().mean()
    print(f"Accuracy: {accuracy.item() * 100:.2f}%")

# %% [markdown]
# ## It stalled near 0.69 = ln 2
#
# A sigmoid is almost a straight line near its middle, and the small starting weights keep
# every unit there: the network starts almost linear, with every output near 0.5. For
# XOR no linear model beats outputting 0.5 everywhere, whose BCE is −ln 0.5 = ln 2, so
# from here the gradients are tiny, and 1000 steps of lr = 0.1 do not get the weights out.

# %%
with torch.no_grad():
    print("outputs:", model(X).flatten().tolist())
print(f"ln 2 = {math.log(2):.4f}, last loss = {losses[-1]:.4f}")
largest = max(abs(g) for p in model.parameters() for g in p.grad.flatten().tolist())
print(f"largest gradient of any weight in the last step: {largest:.5f}")

# %%
fig, ax = loss_axes(losses)
ax.lines[0].set_linewidth(2.5)  # the loss curve, on top of the ln 2 line it runs along
ax.axhline(math.log(2), color="#6b7280", linestyle=":", linewidth=1.5, label="ln 2", zorder=4)
ax.legend()
ax.set_title("SGD, lr = 0.1: the loss stays near ln 2")
save_figure(fig, OUT / "loss_stalled.png")
fig

# %% [markdown]
# ## The fix: a bigger step, and momentum
#
# With `momentum=0.9` each step adds the gradient to a running *velocity* instead of
# using it alone, so many tiny gradients pointing the same way add up to a real move.
# Together with lr = 0.5 that carries the weights off the plateau. Same seed, same
# starting weights; only the optimizer changes.

# %%
torch.manual_seed(0)
model = SimpleNN()
optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

fixed_losses = []
for epoch in range(epochs):
    outputs = model(X)
    loss = criterion(outputs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    fixed_losses.append(loss.item())
    if (epoch + 1) % 100 == 0:
        print(f"Epoch [{epoch + 1}/{epochs}], Loss: {loss.item():.4f}")

with torch.no_grad():
    predicted = (model(X) > 0.5).float()
    accuracy = (predicted == y).float().mean()
    print(f"Accuracy: {accuracy.item() * 100:.2f}%")
assert accuracy.item() == 1.0, "every XOR point should be right after the fix"

# %%
fig, ax = loss_axes(losses)
ax.lines[0].set_linewidth(2.5)  # lr = 0.1 runs along ln 2: thick, under a dotted ln 2 line
ax.plot(range(1, epochs + 1), fixed_losses, color="#dc2626", linewidth=2)
ax.axhline(math.log(2), color="#6b7280", linestyle=":", linewidth=1.5, zorder=4)
ax.legend(["SGD, lr = 0.1 (along ln 2)", "SGD, lr = 0.5, momentum = 0.9", "ln 2"])
ax.set_title("the same model, two optimizers")
save_figure(fig, OUT / "loss_fixed.png")
fig

# %% [markdown]
# ## What the trained model says, everywhere
#
# Yellow is where the model outputs more than 0.5 (it predicts class 1), blue the rest.
# Two lines are needed to cut XOR's corners apart: that is what the four hidden units learned.

# %%
fig = decision_boundary(model, X, y)
save_figure(fig, OUT / "decision_boundary.png")
fig

# %% [markdown]
# ## Watching the graph while it trains
#
# A `Recorder` draws the graph of the loss every `every` steps, right after `backward()`,
# so each frame shows that step's gradients; told how many `steps` the run takes, it draws
# the last one too. Every box is one tensor op, named as PyTorch records it (`Addmm` is an
# `nn.Linear`, `Rsub` the 1 − p inside BCELoss): the parameters are yellow, the inputs X and
# labels y blue, with "no grad" where `X.grad` and `y.grad` are None. We record 500 steps,
# a frame every 100: drawing is slower than training. (Lesson 6 opens each box into Values.)

# %%
torch.manual_seed(0)
model = SimpleNN()
optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
names = {"X": X, "y": y}
recorder = Recorder(OUT / "recording", level="tensor", every=100, steps=500, model=model, names=names)
for step in range(1, 501):
    outputs = model(X)
    loss = criterion(outputs, y)
    optimizer.zero_grad()
    loss.backward()
    recorder.step(loss)
    optimizer.step()
    if recorder.will_draw(step):
        print(f"step {step:3}: loss {loss.item():.4f}, its graph drawn")
files = recorder.finish()
print(f"{len(recorder.frames)} frames, drawn in {recorder.seconds_drawing:.1f} s")
print("animation:  ", files["gif"])
print("replay page:", files["replay"], "(open it in a browser: a slider through the steps)")

# %% [markdown]
# The graph of the last step, 500: read it top to bottom for the forward pass (X and the
# weights in, the loss out), bottom to top for the gradients. Red means a positive gradient,
# blue a negative one, the deeper the larger.

# %%
dot = draw(loss, level="tensor", model=model, names=names, title=f"step 500, loss {loss.item():.4f}")
save_graph(dot, OUT / "graph_step500.png")
dot

# %% [markdown]
# ## What we saw
#
# - A training step is forward, loss, `zero_grad()`, `backward()`, `step()`: autograd fills
#   every weight's `.grad`, the optimizer moves the weight against it.
# - The tutorial's lr = 0.1 stalls at ln 2 (every output near 0.5); lr = 0.5 with momentum
#   0.9 gets off the plateau and learns XOR.
# - A `Recorder` draws the graph while the model trains: frames, a GIF and a replay page.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. What is the BCE loss of a model that outputs 0.5 for every XOR point?

# %%
answer = None  # a number: compute it with math.log, or with criterion(...) on a tensor of 0.5s
check(
    answer,
    math.log(2),
    "BCE of one point is -[y ln p + (1 - y) ln(1 - p)]: put p = 0.5 in, for y = 0 and for y = 1; "
    "the loss is the mean over the four points (math.log is ln)",
)

# %% [markdown]
# 2. How many numbers does SimpleNN learn?

# %%
answer = None  # count them: sum(p.numel() for p in model.parameters())
check(
    answer,
    17,
    "nn.Linear(i, o) holds an o×i weight and o biases: count fc1's and fc2's, and add them up",
)

# %% [markdown]
# 3. One step of plain SGD by hand: predict `fc2.bias` after `optimizer.step()` from its
#    value and its gradient before the step.

# %%
torch.manual_seed(0)
m = SimpleNN()
sgd = optim.SGD(m.parameters(), lr=0.1)
loss = criterion(m(X), y)
sgd.zero_grad()
loss.backward()
before, g = m.fc2.bias.item(), m.fc2.bias.grad.item()
sgd.step()
answer = None  # a formula in before and g (not m.fc2.bias.item(), that would be reading it)
check(
    answer,
    m.fc2.bias.item(),
    "SGD without momentum moves each weight against its gradient: w ← w - lr · w.grad, here with "
    "lr = 0.1; write that with before and g",
)
