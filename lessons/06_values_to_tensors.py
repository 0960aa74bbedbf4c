# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 6: From Values to Tensors
#
# A `Tensor` has one API and two ways of doing its arithmetic:
#
# - the **python** path (the default): a tensor is a list of scalar `Value`s, and every
#   element of every result is a `Value` recorded by the engine of lesson 1;
# - the **numpy** path: a tensor is one numpy array, and each operation on it is a single
#   node of the graph, with a backward over whole arrays.
#
# Same model, same numbers; one you can see inside, one is fast.

# %%
import time

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import draw, save_graph

OUT = output_dir("lesson06")
print(f"This lesson's pictures go to {OUT}/")
print("the default path:", torch.get_backend())

# %% [markdown]
# ## On the python backend, a tensor is a list of Values
#
# `t._data` is the tensor's store (a private name: look, but do not build on it). Each
# element is a `Value`, with its own `data` and `grad`.

# %%
t = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
print(f"path {t.backend!r}, shape {t.shape}, stored as a {type(t._data).__name__} of {len(t._data)} items")
t._data[0]

# %% [markdown]
# After `backward()`, each element's gradient sits in its own `Value`; `t.grad` gathers
# them into a tensor. d(sum of t²)/dt = 2t:

# %%
(t * t).sum().backward()
print([v.grad for v in t._data])
t.grad

# %% [markdown]
# ## The same model, drawn both ways
#
# Lesson 5's `SimpleNN`, on one XOR point. At scalar level every multiplication and
# addition inside `fc1` and `fc2` is a box of its own.


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


torch.manual_seed(0)
model = SimpleNN()
x = torch.tensor([[0.0, 1.0]])
out = model(x)
out.backward()
dot = draw(out, model=model, names={"x": x}, title="SimpleNN on one point: one Value per box")
save_graph(dot, OUT / "forward_scalar.png")
dot

# %% [markdown]
# At tensor level the same graph has one box per tensor operation: `fc1` is one `Addmm`
# (x times the weight's transpose, plus the bias: PyTorch records nn.Linear the same way).
# A tensor's box shows its shape, its first two numbers and its first two gradients.

# %%
dot = draw(out, level="tensor", model=model, names={"x": x}, title="the same forward: one tensor per box")
save_graph(dot, OUT / "forward_tensor.png")
dot

# %% [markdown]
# ## The numpy backend
#
# `torch.set_backend("numpy")` makes numpy the default for new tensors and new layers;
# `backend=` picks the backend for a single tensor.

# %%
torch.set_backend("numpy")
a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
b = torch.tensor([[1.0, 2.0], [3.0, 4.0]], backend="python")
print(f"a: path {a.backend!r}, stored as a {type(a._data).__name__}")
print(f"b: path {b.backend!r}, stored as a {type(b._data).__name__}")

# %% [markdown]
# ## The same numbers
#
# Train two copies of the model from the same starting weights, one per path: copy the
# weights with `state_dict()` / `load_state_dict()`. The two backends round the same
# float64 arithmetic in a different order, so the losses may differ in the last digits:
# by about 1e-15, far below 1e-12.

# %%
X_XOR = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y_XOR = [[0.0], [1.0], [1.0], [0.0]]


def train(model, X, y, epochs=1000):
    """Lesson 5's loop (SGD, lr = 0.5, momentum = 0.9); every epoch's loss."""
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


torch.set_backend("python")
torch.manual_seed(0)
python_model = SimpleNN()
start = python_model.state_dict()

torch.set_backend("numpy")
numpy_model = SimpleNN()  # its own random weights, overwritten with python_model's:
numpy_model.load_state_dict(start)
print("backends:", python_model.fc1.weight.backend, numpy_model.fc1.weight.backend)
print("same starting weights:", python_model.fc1.weight.tolist() == numpy_model.fc1.weight.tolist())

# %%
X, y = torch.tensor(X_XOR, backend="python"), torch.tensor(Y_XOR, backend="python")
python_losses = train(python_model, X, y)
X, y = torch.tensor(X_XOR, backend="numpy"), torch.tensor(Y_XOR, backend="numpy")
numpy_losses = train(numpy_model, X, y)
gap = max(abs(p - n) for p, n in zip(python_losses, numpy_losses))
print(f"final loss, python backend: {python_losses[-1]:.15f}")
print(f"final loss, numpy backend:  {numpy_losses[-1]:.15f}")
print(f"largest gap between the two over 1000 epochs: {gap:.1e}")
assert gap < 1e-12

# %% [markdown]
# ## How much faster
#
# A bigger job: 200 points of two moons and a 2 → 16 → 16 → 1 network. On the python
# path one step builds and walks about a hundred thousand Values; on the numpy backend, a
# few dozen array operations. We time 3 steps of the python backend (it is slow) and 100 of
# the numpy backend. Your numbers will differ: they depend on the machine.


# %%
def moons_model():
    return nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid()
    )


def seconds_per_step(backend, steps):
    torch.set_backend(backend)
    torch.manual_seed(0)
    model = moons_model()
    X, y = torch.data.moons(200, seed=0)
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    started = time.perf_counter()
    for _ in range(steps):
        loss = criterion(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    elapsed = (time.perf_counter() - started) / steps
    nodes = len(torch.topological_order(loss._data if backend == "python" else [loss]))
    return elapsed, nodes


python_time, python_nodes = seconds_per_step("python", steps=3)
numpy_time, numpy_nodes = seconds_per_step("numpy", steps=100)
print(f"python backend: {python_time * 1000:8.1f} ms a step, a graph of {python_nodes:,} Values")
print(f"numpy backend:  {numpy_time * 1000:8.1f} ms a step, a graph of {numpy_nodes:,} tensors")
print(f"the numpy backend is {python_time / numpy_time:.0f}x faster here")

# %% [markdown]
# Both graphs compute the same thing. The python backend pays Python's price for every one
# of its Values; the numpy backend pays it once per operation and lets numpy loop over the
# numbers in compiled code. The python backend is for seeing; the numpy backend, for training.
#
# Put the default back, so the next lesson starts where lesson 1 did:

# %%
torch.set_backend("python")
torch.get_backend()

# %% [markdown]
# ## What we saw
#
# - On the python backend a tensor is a list of `Value`s, each with its own `data` and
#   `grad`; on the numpy backend it is one array, and each op is one node.
# - Both give the same numbers (to about 1e-15); the numpy backend is much faster, the
#   python one lets you see every Value.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. Read one element's gradient straight from its `Value`.

# %%
w = torch.tensor([[2.0, -1.0]], requires_grad=True, backend="python")
(w * w).sum().backward()
answer = None  # the grad held by the Value of w's second element (look in w._data)
check(
    answer,
    -2.0,
    "w._data is a flat list of Values, one per element, row by row; w[0, 1] is the second. Its "
    ".grad holds d(w₀² + w₁²)/dw₁: work it out, or read it",
)

# %% [markdown]
# 2. On which path do this layer's weights live?

# %%
torch.set_backend("numpy")
layer = nn.Linear(3, 2)
torch.set_backend("python")
answer = None  # a string: "python" or "numpy" (layer.weight.backend tells you)
check(
    answer,
    "numpy",
    "nn.Linear draws its weights on the default path of the moment it is made; "
    "changing the default later does not move them. backend= picks one explicitly",
)

# %% [markdown]
# 3. How many Values does one matrix product of a 1×3 by a 3×1 tensor create on the
#    python backend? Count the new ones only, not the six inputs.

# %%
p = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True, backend="python")
q = torch.tensor([[4.0], [5.0], [6.0]], requires_grad=True, backend="python")
r = p @ q
answer = None  # a whole number: count the nodes of torch.topological_order(r._data) that have inputs
check(
    answer,
    5,
    "the one output element is a dot product of 3 pairs: count the multiplications, then the "
    "additions that sum their results; each is a new Value",
)
