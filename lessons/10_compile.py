# %% active="py"
if __name__ == "__main__":  # run as a script: step through the cells below, pausing after each
    from micrograd_edu.lessons import step_through

    raise SystemExit(step_through(__file__))

# %% [markdown]
# # Lesson 10: Trace once, replay
#
# Every training step builds a graph of tensors, walks it backward, and throws it away.
# The next step builds the very same graph again: only the numbers in it change.
# `micrograd_edu.compile(step)` runs the step once with the real engine while writing down
# every array operation it performs (forward, backward and the optimizer's update), and
# from then on runs just that list. Three words to keep: the *trace* (the eager run that
# writes things down), the *program* (what it wrote), the *replay* (running the program).

# %%
import time

import micrograd_edu as torch
from micrograd_edu import nn, optim
from micrograd_edu.demo import SimpleNN
from micrograd_edu.lessons import check, output_dir
from micrograd_edu.viz import draw, loss_axes, save_figure, save_graph

OUT = output_dir("lesson10")
print(f"This lesson's pictures go to {OUT}/")

torch.set_backend("numpy")  # the numpy backend first; the python backend near the end


def make_step():
    """The tutorial's model, loss and optimizer, and its training step."""
    torch.manual_seed(0)
    model, criterion = SimpleNN(), nn.BCELoss()
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    def step(X, y):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
        return loss

    return model, step


X, y = torch.datasets.xor(backend="numpy")
model, step = make_step()
compiled = torch.compile(step)
losses = [compiled(X, y).item() for _ in range(5)]
print(f"traces {compiled.traces}, replays {compiled.replays}, losses {[round(v, 4) for v in losses]}")

# %% [markdown]
# ## The program
#
# Here is what the trace wrote down: one backend call a line. The forward pass is the
# model's two `linear` layers and sigmoids, then the loss; `vjp7` is the backward function
# the first sigmoid handed back; the backward pass calls them in the order backprop would;
# after backward come the optimizer's in-place updates. No `Tensor`, no graph, no sort.
# Some lines end in `dead`: BCELoss reshaped its input and read its numbers to check them,
# and nothing after reads that view; and as this lesson imports `micrograd_edu.viz`, whose
# pictures want every gradient, backward kept a copy of each intermediate one, which nobody
# reads in a replay. So the replay leaves them out. Walking back from what the step leaves
# behind (the gradients, the updated weights, the loss) and keeping only what leads there is
# *dead-code elimination*, the first thing every compiler does.

# %%
print(compiled.program)

# %% [markdown]
# The same program as a picture: each primitive a box (forward blue, backward green, the
# optimizer's updates amber along the bottom), each array it passes a name, red what the step
# leaves behind (the loss and the gradients). A program holds no numbers, so this picture is
# the same at every step of training.

# %%
dot = draw(compiled.program)
save_graph(dot, OUT / "program.png")
dot

# %% [markdown]
# ## A guard: when is the program still the right one?
#
# A program fits the calls it was traced for. `compile` keys each program on what it was
# specialised to, every tensor's shape, dtype and `requires_grad`, whether grad mode is on,
# and the `train()`/`eval()` flag of each module the step used, and checks that key before
# each replay: a call that differs gets a program of its own, traced on its first call. It
# also checks that the step still uses the same layers and parameters. That check is a
# *guard*. (A call a replay cannot do, one that draws random numbers, say, runs eagerly, and
# `print(compiled)` says why.) And before a first replay two traces must agree: the
# optimizer's first step makes its momentum buffers, the others update them, so the first
# trace is not the program of the steps after it. That is why 5 calls gave 3 traces.

# %%
X8 = torch.cat([X, X])  # 8 rows instead of 4: another shape, so another program
y8 = torch.cat([y, y])
traces_before = compiled.traces
compiled(X8, y8)
print(f"the 8-row call was traced: {compiled.traces == traces_before + 1}")
compiled(X, y)
print(f"the 4-row call still replays its own program: replays {compiled.replays}")

# %% [markdown]
# ## The same numbers, bit for bit
#
# A replay runs the same numpy functions on the same arrays in the same order as eager,
# so its losses are not just close to eager's: they are equal.

# %%
model_e, eager = make_step()
model_c, step_c = make_step()
replayed = torch.compile(step_c)
eager_losses = [eager(X, y).item() for _ in range(200)]
compiled_losses = [replayed(X, y).item() for _ in range(200)]
print(f"equal losses: {eager_losses == compiled_losses}, final loss {compiled_losses[-1]:.6f}")
fig, ax = loss_axes(eager_losses, title="eager and compiled: one curve, the numbers are equal")
steps = range(1, len(compiled_losses) + 1)
(dots,) = ax.plot(steps[::10], compiled_losses[::10], "o", color="#dc2626", markersize=4)
ax.legend([ax.lines[0], dots], ["eager", "compiled (every 10th step)"])
save_figure(fig, OUT / "eager_vs_compiled.png")
fig

# %% [markdown]
# ## The payoff, measured here
#
# 1000 steps each way, the faster of three runs. (`benchmarks/bench_compile.py` measures it
# with more care, against the same step written by hand in numpy.)


# %%
# the faster of three runs of `steps` calls, in seconds per call
def seconds_per_step(f, steps=1000):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(steps):
            f(X, y)
        best = min(best, (time.perf_counter() - start) / steps)
    return best


eager_s, compiled_s = seconds_per_step(eager), seconds_per_step(replayed)
print(f"eager {eager_s * 1e3:.3f} ms/step, compiled {compiled_s * 1e3:.3f} ms/step")
print(f"compiled is {eager_s / compiled_s:.1f}x faster")

# %% [markdown]
# ## On the python backend: a tape of floats
#
# On the python backend a tensor is a list of `Value`s and the scalar engine does backward.
# There the trace writes down the Value graph itself, once, as a *tape*: each node's op on
# plain floats, then each node's `_backward` in the order the engine walks them, adding
# into gradient slots exactly as `backpropagate` adds into `.grad`. The tape becomes one
# Python function of floats: no `Value` is made, no graph, no sort. The optimizer's update
# after backward runs as recorded. The numbers are again the eager ones, bit for bit.

# %%
torch.set_backend("python")
Xp, yp = torch.datasets.xor(backend="python")
_, eager_p = make_step()
_, step_p = make_step()
replayed_p = torch.compile(step_p)
eager_p_losses = [eager_p(Xp, yp).item() for _ in range(20)]
compiled_p_losses = [replayed_p(Xp, yp).item() for _ in range(20)]
print(f"equal losses: {eager_p_losses == compiled_p_losses}; traces {replayed_p.traces}")
print("the tape's first lines:")
print("\n".join(replayed_p.program.source.splitlines()[:12]))
torch.set_backend("numpy")

# %% [markdown]
# ## `model = torch.compile(model)`, as PyTorch code writes it
#
# PyTorch code usually compiles the model, not the step. That works here too: you get an
# `OptimizedModule` around the original, with PyTorch's `_orig_mod.` in front of each
# parameter's name, and the same training loop runs. But a model's forward alone has to build
# the graph that `loss.backward()` walks afterwards, and a replay builds none. So while its
# output needs a graph, the compiled model runs eagerly (the eager numbers, the eager speed)
# and says why; under `no_grad()`, where nobody walks back, it replays. (PyTorch records the
# backward pass ahead of time for this; here the whole step is what replays.)

# %%
torch.manual_seed(0)
compiled_model = torch.compile(SimpleNN())
print([name for name, _ in compiled_model.named_parameters()][:2])
for _ in range(3):
    compiled_model(X)
with torch.no_grad():
    for _ in range(3):
        compiled_model(X)
print(compiled_model.forward)

# %% [markdown]
# ## What a replay cannot see
#
# A replay runs array operations only. Python that touches no tensor was run once, at trace
# time, and its result is baked into the program as a constant: the `-0.5` of the updates
# above is `-lr`. So before each replay compile checks the Python state the trace read: the
# names the step reads (a global, a closure variable, and those a helper function of the same
# file reads), each module's layers, settings and parameters' `requires_grad`, each
# optimizer's settings and buffers, and every number read out of a tensor (`loss.item()` in an
# `if`). Something changed: it traces again, and `compiled.retrace_reason` names it. A step
# that changes that state itself (a `scheduler.step()` inside it, a list it appends to) runs
# eagerly, saying what it changes: a replay would not. What no guard sees is state hidden
# from it (an iterator's position, a number inside a long list): keep such Python out of the
# compiled function, or call `compiled.recompile()` after changing it.
#
# **Exercise.** `scale = 2.0; f = torch.compile(lambda x: x * scale)`, called three times on
# `torch.ones(2)`: the third call replays a program with `2.0` written in it. Then
# `scale = 3.0`. What is `f(torch.ones(2))[0]` now: 2.0 or 3.0? (Then try it, and print
# `f.retrace_reason`.)

# %%
scale = 2.0
f = torch.compile(lambda x: x * scale)
for _ in range(3):
    f(torch.ones(2))
scale = 3.0
answer = None  # your answer: a number
check(answer, 3.0, "the lambda reads scale by name: is that name part of what a replay checks?")
