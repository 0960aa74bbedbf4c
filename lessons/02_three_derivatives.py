# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 2: Three derivatives that agree
#
# There are three ways to get the derivative of a function at a point:
#
# 1. **by hand**: apply the rules of calculus, get a formula, put the number in;
# 2. **by central differences**: nudge the input a little each way and measure the slope;
# 3. **by autograd**: record the computation, then run the chain rule backwards.
#
# We do all three for one function and watch them agree. The second one is how we know
# the third is right: it is the test every op in `micrograd_edu` has to pass.

# %%
import math
import sys

import matplotlib.pyplot as plt

from micrograd_edu import Value, gradcheck, tanh
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import draw, save_figure, save_graph

OUT = output_dir("lesson02")
print(f"This lesson's pictures go to {OUT}/")

# %% [markdown]
# ## The function
#
# f(x) = x³ − 2x + tanh(x), at x = 0.5. We write it once. `micrograd_edu.tanh` computes on
# a plain float and records on a `Value`, so the same `f` serves all three methods.


# %%
def f(x):
    return x**3 - 2 * x + tanh(x)


x0 = 0.5
f(x0), f(Value(x0))

# %% [markdown]
# ## 1. By hand
#
# Term by term: d(x³)/dx = 3x², d(2x)/dx = 2, d(tanh x)/dx = 1 − tanh²x. So
#
#     f'(x) = 3x² − 2 + 1 − tanh²x = 3x² − 1 − tanh²x


# %%
def df_by_hand(x):
    return 3 * x**2 - 1 - math.tanh(x) ** 2


by_hand = df_by_hand(x0)
by_hand

# %% [markdown]
# ## 2. By central differences
#
# Taylor: f(x ± h) = f(x) ± h f'(x) + h²/2 f''(x) ± h³/6 f'''(x) + ...
# Subtract the two and the even terms cancel:
#
#     (f(x+h) − f(x−h)) / 2h = f'(x) + h²/6 f'''(x) + ...
#
# so the error should shrink like h²: ten times smaller h, a hundred times smaller error.
# The one-sided (forward) difference (f(x+h) − f(x)) / h keeps the h/2 f''(x) term and
# shrinks only like h. Let us measure both against the exact answer.


# %%
def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


print(f"{'h':>7}  {'central difference':>19}  {'its error':>9}  {'forward error':>13}")
for k in range(1, 14):
    h = 10.0**-k
    c = central(f, x0, h)
    print(f"{h:7.0e}  {c:19.15f}  {abs(c - by_hand):9.1e}  {abs(forward(f, x0, h) - by_hand):13.1e}")

# %% [markdown]
# Down to h ≈ 1e-5 the central error drops 100× per row, as Taylor says. Then it *grows*.
# A float keeps about 16 significant digits (`sys.float_info.epsilon` ≈ 2.2e-16), so
# f(x+h) and f(x−h) each carry a rounding error near 1e-16; subtracting two nearly equal
# numbers keeps that error and dividing by 2h blows it up like 1e-16 / h.
# Truncation (h²) and rounding (ε/h) balance where h³ ≈ ε: h ≈ ε^(1/3).

# %%
hs = [10 ** (-k / 4) for k in range(4, 53)]
fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
ax.loglog(hs, [abs(central(f, x0, h) - by_hand) for h in hs], "o-", ms=3, label="central difference")
ax.loglog(hs, [abs(forward(f, x0, h) - by_hand) for h in hs], "s-", ms=3, label="forward difference")
best = sys.float_info.epsilon ** (1 / 3)
ax.axvline(best, color="gray", ls="--", lw=1, label=f"ε^(1/3) ≈ {best:.0e}")
ax.set_xlabel("step h")
ax.set_ylabel("|numeric − exact|")
ax.set_title("error of the numeric derivative of f at x = 0.5")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()
save_figure(fig, OUT / "error_vs_h.png")
fig

# %% [markdown]
# Read the picture right to left: as h shrinks the error falls along a straight line
# (slope 2 for central, slope 1 for forward), reaches a floor, then climbs with slope −1
# as rounding takes over. A smaller h is *not* always better.
#
# ## 3. By autograd
#
# Make x a `Value`, run `f`, call `backward()`, read `x.grad`.

# %%
x = Value(x0, label="x")
y = f(x)
y.backward()
x.grad

# %% [markdown]
# ## Three answers, side by side

# %%
numeric = central(f, x0, 1e-5)
print(f"by hand            {by_hand:.16f}")
print(f"central, h = 1e-5  {numeric:.16f}   differs by {abs(numeric - by_hand):.1e}")
print(f"autograd           {x.grad:.16f}   differs by {abs(x.grad - by_hand):.1e}")

# %% [markdown]
# Autograd is not an approximation: it applies the same rules we applied by hand, so it
# matches the formula to the last digit or two (here exactly). Central differences agree
# to about ten digits: close enough to *test* autograd, never as good as it.
#
# ## The graph autograd recorded
#
# Each box is a `Value`: its op, its `data` and, after `backward()`, its `grad` (dy/d box).
# `2 * x` turned the constant 2 into a `Value` of its own (grey); it gets a gradient too,
# df/d2 = −x. The three arrows out of `x` are its three uses; `x.grad` is the sum of what
# comes back along them.

# %%
dot = draw(y, names={"x": x}, title="f(x) = x³ − 2x + tanh(x) at x = 0.5")
save_graph(dot, OUT / "graph.svg")
save_graph(dot, OUT / "graph.png")
dot

# %% [markdown]
# ## gradcheck: method 2 testing method 3
#
# `gradcheck(f, inputs)` runs `backward()` and central differences (h = 1e-6) for every
# input and returns True if they agree, or raises `GradcheckError` with both numbers. It
# takes functions of several inputs too.

# %%
for point in [-2.0, -0.5, 0.0, 0.5, 3.0]:
    print(f"x = {point:5}: gradcheck says {gradcheck(f, [point])}")


def g(a, b):
    return a * b.exp() + (a / b).tanh()


gradcheck(g, [1.5, -0.7])

# %% [markdown]
# ## What we saw
#
# - Three ways to a derivative: by hand, by central differences, by autograd.
# - Central differences are off by about h² until rounding takes over, near h ≈ ε^(1/3);
#   a smaller h is not always better.
# - Autograd applies the same rules we apply by hand, so it matches the formula to the last
#   digits; `gradcheck` uses central differences to test it.
#
# ## Exercises
#
# In a notebook, replace each `None` with your code and run the cell: it says `correct!` or
# gives a hint. Stepping through in a terminal, type your answer when the lesson asks: a
# number, a list, or a Python expression in the lesson's names (Enter skips).
#
# 1. By hand: what is the derivative of p(x) = x · eˣ at x = 1? (A number; `math.e` is e.)

# %%
answer = None  # a number, from your formula
check(
    answer,
    2 * math.e,
    "the product rule: d(uv)/dx = u'v + uv', with u = x and v = eˣ (whose derivative is eˣ); "
    "then put x = 1 in (math.e is e)",
)

# %% [markdown]
# 2. By autograd: the same derivative, from `Value(1.0)`. Build `p` with `*` and `.exp()`,
#    call `backward()`, read `.grad`.

# %%
answer = None  # build p from a Value, call backward(), read the gradient
check(
    answer,
    2 * math.e,
    "build p = x * x.exp() from x = Value(1.0), call p.backward() and read the gradient: it lands "
    "on x, not on p. It is the same number as in exercise 1",
)

# %% [markdown]
# 3. In the table above, which power of ten h gave the smallest central-difference error?

# %%
answer = None  # e.g. 1e-3
smallest = min((10.0**-k for k in range(1, 14)), key=lambda h: abs(central(f, x0, h) - by_hand))
check(
    answer,
    smallest,
    "read the 'its error' column of the table: it shrinks 100× per row while truncation (h²) "
    "wins, then grows again as rounding (ε/h) takes over. The h of its smallest entry is the answer",
    tol=1e-12,
)

# %% [markdown]
# 4. The forward difference at h = 1e-4 has an error of about 1e-4 (see the table). Use
#    Taylor to say why: what is |h/2 · f''(x0)| at h = 1e-4? (f''(x) = 6x − 2 tanh x (1 − tanh²x).)

# %%
answer = None  # a number: 1e-4 / 2 * abs(f''(0.5))
t = math.tanh(x0)
check(
    answer,
    1e-4 / 2 * abs(6 * x0 - 2 * t * (1 - t * t)),
    "the forward difference is f'(x) + h/2 f''(x) + ..., so its error is about h/2 · |f''(x)|: "
    "compute f''(0.5) from the formula above, with math.tanh",
)
