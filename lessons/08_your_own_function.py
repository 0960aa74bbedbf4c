# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 8: Your own autograd Function, and gradients of gradients
#
# Every op so far came with its backward already written. Here you write one:
# a `torch.autograd.Function` with a `forward` and a `backward`, checked by
# gradcheck and drawn like any other op. Then we differentiate twice, and
# compute a Jacobian and a Hessian.

# %%
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import micrograd_edu as torch
from micrograd_edu.autograd import Function, gradcheck
from micrograd_edu.autograd.functional import hessian, jacobian
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import draw, save_figure, save_graph

OUT = output_dir("lesson08")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## A Function of your own: softplus
#
# softplus(x) = log(1 + eˣ), a smooth relu. Its derivative is the sigmoid:
# d/dx log(1 + eˣ) = eˣ / (1 + eˣ) = σ(x).
#
# A `Function` has two static methods. `forward(ctx, x)` computes the result
# from plain tensors (nothing is recorded inside it), and may keep what backward
# will need on `ctx`. `backward(ctx, grad_output)` gets the gradient of the
# loss with respect to the result and returns the one with respect to the input:
# the chain rule, grad_output times the local derivative.


# %%
class Softplus(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)  # backward needs x for σ(x)
        return (x.exp() + 1).log()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.sigmoid()  # dL/dx = dL/dy · σ(x)


x = torch.tensor([-2.0, 0.0, 1.5], requires_grad=True)
y = Softplus.apply(x)
print("y =", y)
y.sum().backward()
print("x.grad =", x.grad, " (σ(x) is", x.detach().sigmoid(), ")")

# %% [markdown]
# `y.grad_fn` names your Function, as PyTorch does: `<SoftplusBackward>`.
# backward() reached it like any other node and called your method.

# %%
print(y.grad_fn, "->", y.grad_fn.next_functions)

# %% [markdown]
# ## Check it: gradcheck
#
# A backward you wrote by hand can be wrong. `gradcheck` compares it with
# central differences, (f(x + h) − f(x − h)) / 2h, for every element. Ours
# passes. A plausible slip, forgetting that the derivative is σ(x) and using
# eˣ instead, fails, and the message says which element and by how much.

# %%
print("Softplus passes:", gradcheck(Softplus.apply, (x,)))


class WrongSoftplus(Softplus):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.exp()  # the slip: eˣ, not eˣ / (1 + eˣ)


try:
    gradcheck(WrongSoftplus.apply, (x,))
except torch.GradcheckError as e:
    print(e)

# %% [markdown]
# ## Draw it
#
# On the python backend every element of the output is a real Value, hung on
# one node named after the Function, whose inputs are x's Values. The picture
# shows where your op sits, and the gradients that reached each Value.

# %%
x = torch.tensor([-2.0, 1.5], requires_grad=True, backend="python")
loss = (Softplus.apply(x) * torch.tensor([1.0, 2.0])).sum()
loss.backward(retain_graph=True)
dot = draw(loss, names={"x": x}, title="softplus as a Function of your own")
save_graph(dot, OUT / "softplus_function.svg")
dot

# %% [markdown]
# ## Gradients of gradients
#
# `torch.autograd.grad(y, x, create_graph=True)` returns dy/dx *with a graph*:
# the backward pass is recorded as it runs, so its result can be
# differentiated again. For f(x) = x³ tanh(x), summed over the elements:

# %%
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
f = (x**3 * x.tanh()).sum()
(df,) = torch.autograd.grad(f, x, create_graph=True)
(d2f,) = torch.autograd.grad(df.sum(), x)
print("f'  =", df)
print("f'' =", d2f)


def by_hand(v):  # f'' of x³ tanh x, written out
    t = math.tanh(v)
    s = 1 - t * t
    return 6 * v * t + 6 * v * v * s - 2 * v**3 * t * s


print("by hand:", [round(by_hand(v), 4) for v in (0.5, -1.0, 2.0)])

# %% [markdown]
# Works with your own Function too, as long as its backward is made of ops that
# autograd can differentiate: Softplus's backward multiplies by σ(x), so the
# second derivative of softplus is σ(x)(1 − σ(x)).

# %%
x = torch.tensor([0.0, 1.0], requires_grad=True)
(g,) = torch.autograd.grad(Softplus.apply(x).sum(), x, create_graph=True)
(h,) = torch.autograd.grad(g.sum(), x)
s = x.detach().sigmoid()
print("softplus'' =", h, " σ(1 − σ) =", s * (1 - s))

# %% [markdown]
# ## The Jacobian and the Hessian
#
# For a function from n numbers to m numbers, the Jacobian holds every
# ∂outputᵢ/∂inputⱼ: one backward pass per output. The Hessian of a function to
# one number holds every second derivative: the Jacobian of its gradient.

# %%
W = torch.tensor([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0]])


def layer(v):  # R³ -> R²
    return (W @ v).tanh()


v = torch.tensor([0.5, -1.0, 2.0])
J = jacobian(layer, v)
print("J, shape", J.shape)
print(J)


def energy(v):  # R³ -> R
    return (layer(v) ** 2).sum() + (v**4).sum() / 4


H = hessian(energy, v)
print("H, shape", H.shape, "(symmetric, as a Hessian is)")
print(H)

# %% [markdown]
# Drawn as matrices, each cell a derivative (red above 0, blue below):

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), dpi=150)
panels = [
    (axes[0], J, "Jacobian of tanh(W v): ∂ out[i] / ∂ v[j]", "out"),
    (axes[1], H, "Hessian of the energy: ∂²E / ∂v[i] ∂v[j]", "v"),
]
for ax, matrix, title, row_name in panels:
    numbers = matrix.tolist()
    limit = max(abs(x) for row in numbers for x in row)
    ax.imshow(numbers, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for i, row in enumerate(numbers):
        for j, x in enumerate(row):
            color = "white" if abs(x) > 0.6 * limit else "black"
            ax.text(j, i, f"{x:.2f}", ha="center", va="center", fontsize=11, color=color)
    ax.set_title(title, fontsize=10)
    ax.set_xticks(range(len(numbers[0])), [f"v[{j}]" for j in range(len(numbers[0]))])
    ax.set_yticks(range(len(numbers)), [f"{row_name}[{i}]" for i in range(len(numbers))])
fig.tight_layout()
save_figure(fig, OUT / "jacobian_hessian.png")
fig

# %% [markdown]
# ## One rule to know: don't change what backward will need
#
# An op may keep its inputs for backward (a product needs both factors). If you
# change one of them in place before backward, autograd refuses rather than
# give a wrong gradient. This is the classic mistake of calling
# `optimizer.step()` between the forward pass and `backward()`.

# %%
w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * w).sum()
with torch.no_grad():
    w -= 0.1  # the product saved w: it is changed now
try:
    loss.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e)[:160], "...")

# %% [markdown]
# ## Exercises
#
# 1. Write a `Cube` Function (x³, derivative 3x²) and check it with gradcheck.
#    What does `gradcheck(Cube.apply, (x,))` return for a correct backward?


# %%
class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 0.0  # replace 0.0 by the local derivative


x = torch.tensor([0.5, -1.5], requires_grad=True)
answer = gradcheck(Cube.apply, (x,), raise_exception=False)
check(answer, True, "the local derivative of x³ is 3 · x²: grad_output * 3 * x**2")

# %% [markdown]
# 2. The second derivative of softplus at 0, from `grad` twice (a number).

# %%
answer = None  # torch.autograd.grad twice, as above, at x = tensor([0.0])
check(answer, 0.25, "σ(0) = 0.5, and softplus'' = σ(1 − σ) = 0.25; take .item()")
