# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 9: Handwritten digits
#
# A first real dataset: 1,797 handwritten digits, 8×8 pixels each, that scikit-learn
# ships with its package. We hand them to a model in batches with PyTorch's
# `DataLoader`, train a small network on the numpy backend in about a second, and ask it
# about images it has never seen; then a small convolutional network does better. Last,
# we open one neuron of the first network at scalar level.
#
# The code is what you would write with PyTorch: `torch.utils.data`, `nn`, `optim`.

# %%
import time

import matplotlib.pyplot as plt

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.utils.data import DataLoader, TensorDataset, random_split
from micrograd_edu.viz import draw, loss_axes, save_figure, save_graph

OUT = output_dir("lesson09")
print(f"This lesson's pictures go to {OUT}/")
torch.set_backend("numpy")  # lesson 6: the fast path, for training

# %% [markdown]
# ## The digits
#
# `torch.datasets.digits()` returns the images and their labels. X has shape
# (1797, 1, 8, 8): 1,797 images of one channel (grey), 8 rows of 8 pixels, each pixel's
# ink between 0 and 1. y holds the digits as whole numbers, int64: the class indices
# that `CrossEntropyLoss` takes.

# %%
X, y = torch.datasets.digits()
print("X:", tuple(X.shape), X.dtype, " y:", tuple(y.shape), y.dtype)
print("the first ten labels:", y[:10].tolist())

# %%
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4), dpi=100)
for ax, image, label in zip(axes.flat, X[:16], y[:16]):
    ax.imshow(image[0].tolist(), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(str(label.item()), fontsize=10)
    ax.axis("off")
fig.suptitle("the first 16 digits: 8×8 pixels, darker is more ink", fontsize=10)
fig.tight_layout()
save_figure(fig, OUT / "digits.png")
fig

# %% [markdown]
# ## Dataset, random_split, DataLoader
#
# A *dataset* is anything with a length that hands out one sample for an index:
# `TensorDataset(X, y)[i]` is the pair `(X[i], y[i])`. `random_split` cuts it at random
# into parts that share no sample: 80% to train on, 20% to test on. A model is judged on
# the test images only, which it never learns from.
#
# A `DataLoader` hands a dataset out in *batches*: it stacks 32 images into one tensor of
# shape (32, 1, 8, 8) and their labels into one of shape (32,). With `shuffle=True` each
# pass over the data (an *epoch*) visits the images in a new random order, drawn from
# the generator that `torch.manual_seed` seeds: after the same seed, the split and the
# order are the ones PyTorch would give.

# %%
torch.manual_seed(0)
train_set, test_set = random_split(TensorDataset(X, y), [0.8, 0.2])
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
test_loader = DataLoader(test_set, batch_size=256)
print(f"{len(train_set)} training images in {len(train_loader)} batches, {len(test_set)} test images")

images, labels = next(iter(train_loader))
print("one batch:", tuple(images.shape), tuple(labels.shape), labels.dtype, images.backend)

# %% [markdown]
# ## A model: two Linear layers
#
# The tutorial's `SimpleNN`, grown: 64 inputs (an image's pixels, read row by row),
# 32 hidden units with a ReLU, and 10 outputs, one *score* per digit. The largest
# score is the model's answer. `CrossEntropyLoss` turns the scores into probabilities
# (a softmax) and takes −log of the right digit's probability.


# %%
class DigitsMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = x.flatten(1)  # (N, 1, 8, 8) -> (N, 64): each image one row of 64 pixels
        return self.fc2(torch.relu(self.fc1(x)))


def accuracy(model, loader):
    """The share of the loader's images whose largest score is their label."""
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def train(model, epochs, lr=0.01):
    """Adam on the training batches; the mean loss and the test accuracy after each epoch."""
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses, accuracies = [], []
    for epoch in range(epochs):
        total = 0.0
        for images, labels in train_loader:
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
        losses.append(total / len(train_set))
        accuracies.append(accuracy(model, test_loader))
        print(f"epoch {epoch + 1:2d}: loss {losses[-1]:.4f}, test accuracy {accuracies[-1]:.3f}")
    return losses, accuracies


torch.manual_seed(0)
mlp = DigitsMLP()
print(
    f"{sum(p.numel() for p in mlp.parameters())} numbers to learn; before training, "
    f"test accuracy {accuracy(mlp, test_loader):.3f} (a guess is right 1 time in 10)"
)

# %% [markdown]
# ## Training
#
# Ten epochs: each one 45 steps of a batch of 32. Every step is the loop of lesson 5:
# forward, loss, `zero_grad()`, `backward()`, `step()`.

# %%
started = time.perf_counter()
mlp_losses, mlp_accuracies = train(mlp, epochs=10)
mlp_seconds = time.perf_counter() - started
print(f"10 epochs in {mlp_seconds:.1f} s; test accuracy {mlp_accuracies[-1]:.3f}")

# %%
fig, ax = loss_axes(mlp_losses, mlp_accuracies, title="the MLP: mean loss and test accuracy per epoch")
ax.set_xlabel("epoch")
save_figure(fig, OUT / "mlp_training.png")
fig

# %% [markdown]
# The loss falls every epoch; the test accuracy wobbles by a few images: with 359 test
# images, each one is 0.3%.
#
# ## What it gets wrong
#
# The test images the model misreads, with its answer and the true digit. Some are
# hard for a person too: at 8×8 pixels a 3 can look like an 8, and a 5 like a 9.

# %%
with torch.no_grad():
    test_images, test_labels = next(iter(DataLoader(test_set, batch_size=len(test_set))))
    predicted = mlp(test_images).argmax(dim=1)
wrong = [i for i, (p, t) in enumerate(zip(predicted.tolist(), test_labels.tolist())) if p != t]
print(f"{len(wrong)} of {len(test_set)} test images misread")

fig, axes = plt.subplots(1, 8, figsize=(8, 1.6), dpi=100)
for ax in axes:
    ax.axis("off")
for ax, i in zip(axes, wrong):
    ax.imshow(test_images[i, 0].tolist(), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"said {predicted[i].item()}, is {test_labels[i].item()}", fontsize=8)
fig.tight_layout()
save_figure(fig, OUT / "mistakes.png")
fig

# %% [markdown]
# ## A convolutional network
#
# The MLP reads an image as 64 separate numbers: move a digit one pixel to the right and
# every input changes. A *convolution* slides one small filter, 3×3 weights, over the
# whole image, so a detector of a stroke works wherever the stroke is.
# `nn.Conv2d(1, 16, 3, padding=1)` learns 16 such filters, each giving an 8×8 map of
# where its pattern is; `nn.MaxPool2d(2)` keeps the largest number of each 2×2 block
# (maps of 4×4); `nn.Flatten()` lines the 16 maps up as 256 numbers for a `Linear` layer.
# The shapes, layer by layer, for the batch we looked at:

# %%
torch.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(16 * 4 * 4, 10),
)
with torch.no_grad():
    x = images
    print(f"{'input':>9}: {tuple(x.shape)}")
    for layer in cnn:
        x = layer(x)
        print(f"{type(layer).__name__:>9}: {tuple(x.shape)}")

# %% [markdown]
# The same `train` function, five epochs, and the two networks' test accuracy epoch by epoch:

# %%
started = time.perf_counter()
cnn_losses, cnn_accuracies = train(cnn, epochs=5)
cnn_seconds = time.perf_counter() - started
print(f"5 epochs in {cnn_seconds:.1f} s")
print("epoch   MLP    CNN")
for epoch, (a, b) in enumerate(zip(mlp_accuracies, cnn_accuracies), start=1):
    print(f"{epoch:5d}  {a:.3f}  {b:.3f}")
mlp_numbers, cnn_numbers = (sum(p.numel() for p in m.parameters()) for m in (mlp, cnn))
print(f"numbers to learn: MLP {mlp_numbers}, CNN {cnn_numbers}")

# %% [markdown]
# With about as many numbers to learn, the CNN gets ahead in fewer epochs: for images, a
# filter that slides is a better first guess of what matters than 64 separate weights.
# Each of its epochs costs more, though: every filter visits all 64 positions.

# %% [markdown]
# ## One neuron, opened at scalar level
#
# Each of `fc1`'s 32 neurons computes relu(w · x + b): 64 weights times 64 pixels, plus
# a bias. We copy the trained weights of one neuron into an `nn.Linear(64, 1)` on the
# python backend, where every number is a `Value` of its own, and run it on one test
# image. The neuron we pick is the one that responds most to that image.

# %%
image, label = test_set[0]
with torch.no_grad():
    responses = torch.relu(mlp.fc1(image.reshape(1, 64)))[0]
k = responses.argmax().item()
print(f"test image 0 is a {label.item()}; fc1's neuron {k} responds most: {responses[k].item():.4f}")

torch.set_backend("python")
neuron = nn.Linear(64, 1)
neuron.load_state_dict({"weight": mlp.fc1.weight[k : k + 1], "bias": mlp.fc1.bias[k : k + 1]})
pixels = torch.tensor(image.reshape(1, 64).tolist())
out = torch.relu(neuron(pixels))
out.backward()
print(
    f"the same neuron on the python backend: {out.item():.4f}, "
    f"{len(torch.topological_order(out.elements()))} Values"
)

# %% [markdown]
# The graph: 64 `*` boxes (a weight times a pixel), a chain of `+` boxes that adds them
# up one by one, the bias, the ReLU. It is long, so we save it as an SVG: open it in a
# browser, zoom in at its right end, and hover over a box for its numbers. Each weight's
# gradient is its pixel (d out / d w = x while the ReLU lets the sum through), so the
# weights on blank pixels get 0.

# %%
dot = draw(
    out, model=neuron, names={"x": pixels}, title=f"fc1's neuron {k} on a test image of a {label.item()}"
)
save_graph(dot, OUT / "neuron.svg")
dot

# %% [markdown]
# The same 64 products as pictures: the image, the neuron's weights (red above 0, blue
# below: the ink it looks for, and the ink that speaks against it) and their products,
# whose sum (plus the bias) is what the neuron says.

# %%
weights = neuron.weight.reshape(8, 8).tolist()
products = (neuron.weight * pixels).reshape(8, 8).tolist()
fig, axes = plt.subplots(1, 3, figsize=(8, 2.9), dpi=100)
limit = max(abs(w) for row in weights for w in row)
panels = [
    (image[0].tolist(), "gray_r", 0, 1, f"the image (a {label.item()})"),
    (weights, "RdBu_r", -limit, limit, f"neuron {k}'s 64 weights"),
    (products, "RdBu_r", -limit, limit, "weight × pixel"),
]
for ax, numbers, cmap, low, high, title in zip(axes, *zip(*panels)):
    ax.imshow(numbers, cmap=cmap, vmin=low, vmax=high)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
fig.tight_layout()
save_figure(fig, OUT / "neuron_weights.png")
fig

# %% [markdown]
# Back to the default path:

# %%
torch.set_backend("python")
torch.get_backend()

# %% [markdown]
# ## What we saw
#
# - A `Dataset` hands out samples, `random_split` keeps test images apart, and a
#   `DataLoader` stacks them into batches, shuffled anew each epoch.
# - Two `Linear` layers learn the digits in about a second on the numpy backend, and
#   read about 96 of 100 unseen images right.
# - A convolution learns small filters that slide over the image; with about as many
#   numbers as the MLP, the CNN gets further in fewer epochs.
# - One neuron is 64 products and a sum: the python backend draws every one of them,
#   with the gradient each weight gets.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. How many batches does one epoch have with `batch_size=100` and `drop_last=True`?

# %%
answer = None  # predict it from len(train_set); then check with len(DataLoader(...))
check(
    answer,
    len(train_set) // 100,
    "a batch holds batch_size images; drop_last=True leaves out a last batch that would be "
    "shorter than the others: divide len(train_set) by 100 and keep the whole part",
)

# %% [markdown]
# 2. The gradient of the neuron's output with respect to its weight on pixel 60,
#    `neuron.weight.grad[0, 60]`: predict it without reading it.

# %%
answer = None  # an expression in pixels (out > 0 here, so the ReLU passes the gradient on)
check(
    answer,
    neuron.weight.grad[0, 60].item(),
    "out = relu(w₀x₀ + ... + w₆₃x₆₃ + b); while it is above 0, d out / d w₆₀ is what w₆₀ "
    "multiplies: read that pixel from pixels[0, 60]",
)

# %% [markdown]
# 3. How many numbers does `nn.Conv2d(1, 16, 3)` learn?

# %%
answer = None  # count them, then check: sum(p.numel() for p in nn.Conv2d(1, 16, 3).parameters())
check(
    answer,
    16 * 3 * 3 + 16,
    "each of its 16 filters has 3×3 weights for its one input channel, and one bias",
)
