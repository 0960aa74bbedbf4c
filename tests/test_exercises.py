"""The exercises: for every one, the untouched stub fails, the reference solution passes, and
plausible wrong solutions fail the check that looks for their mistake, with the hint for it.

A wrong solution is the reference solution with one edit (or, where the mistake is a whole
approach, a file of its own): the mistakes students make, kept here and never shipped.
"""

import ast
import re
import textwrap
from pathlib import Path

import pytest

from micrograd_edu.exercises import all_exercises, find_exercise
from micrograd_edu.exercises.printing import hints_at
from micrograd_edu.exercises.running import NOT_YET, OK, load_answers, run_checks

EXERCISES = all_exercises()


def answers_from(exercise, path):
    return load_answers(path, exercise.checks().names)


def outcomes_of(exercise, path, only=None):
    checks = [c for c in exercise.checks().checks if only is None or only in c.title]
    assert checks, f"exercise {exercise.number} has no check titled like {only!r}"
    return run_checks(checks, answers_from(exercise, path))


# ---- the catalog --------------------------------------------------------------------------------


def test_there_are_at_least_twelve_exercises_numbered_in_order():
    assert len(EXERCISES) >= 12
    assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    assert len({e.title for e in EXERCISES}) == len(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_each_statement_says_how_to_check_it_in_a_terminal_and_a_notebook(exercise):
    names = exercise.checks().names
    assert f"micrograd-edu check {exercise.number}" in exercise.statement
    assert f"check({exercise.number}, {', '.join(names)})" in exercise.statement
    assert len(exercise.statement.splitlines()) <= 45, "a statement is short: the stub is the exercise"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_each_check_has_a_title_and_hints_from_gentle_to_specific(exercise):
    checks = exercise.checks().checks
    assert len(checks) >= 3
    assert len({c.title for c in checks}) == len(checks)
    for check in checks:
        assert check.hints and all(h.strip() for h in check.hints), check.title


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_the_stub_defines_what_the_solution_defines_with_the_same_signatures(exercise):
    def signatures(path):
        tree = ast.parse(path.read_text())
        found = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                args = [a.arg for a in node.args.args] if isinstance(node, ast.FunctionDef) else []
                found[node.name] = args
        return found

    stub, solution = signatures(exercise.stub), signatures(exercise.solution)
    for name in exercise.checks().names:
        assert name in stub and name in solution
        assert stub[name] == solution[name]


# ---- the stub fails, the solution passes ------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_the_untouched_stub_fails_every_check_saying_it_is_not_written_yet(exercise):
    outcomes = outcomes_of(exercise, exercise.stub)
    assert outcomes and not any(o.passed for o in outcomes)
    assert all("NotImplementedError" in o.message for o in outcomes)
    assert all("not written yet" in hints_at(o, 1)[0] for o in outcomes)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_the_reference_solution_passes_every_check(exercise):
    outcomes = outcomes_of(exercise, exercise.solution)
    assert [(o.title, o.status, o.message) for o in outcomes] == [(o.title, OK, "") for o in outcomes]


# Right answers written another way than the reference: the checks test behaviour, so they pass.
ALTERNATIVES = {
    1: """
from micrograd_edu import Value

def gradients(x, w, b):
    X, W, B = Value(x), Value(w), Value(b)
    L = (W * X + B).tanh() * W
    L.backward()
    return X.grad, W.grad, B.grad
""",
    2: """
import math
from micrograd_edu import Value

def logaddexp_backward(g, out, a, b):
    m = max(a, b)
    ea, eb = math.exp(a - m), math.exp(b - m)
    return g * ea / (ea + eb), g * eb / (ea + eb)

def logaddexp(a, b):
    hi, lo = (a.data, b.data) if a.data >= b.data else (b.data, a.data)
    return Value(hi + math.log1p(math.exp(lo - hi)), (a, b), "logaddexp", logaddexp_backward)
""",
    3: """
def topological_order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in node._prev if id(k) not in seen)
    return order
""",
    4: """
def backward(root, gradient=1.0):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in node._prev)
    for node in order:
        if node._prev:
            node.grad = 0.0
    root.grad = root.grad + gradient
    for node in order[::-1]:
        if not node._prev:
            continue
        grads = node._backward(node.grad, node.data, *(k.data for k in node._prev))
        for i, k in enumerate(node._prev):
            k.grad = k.grad + grads[i]
""",
    5: """
def sum_to_shape(grad, shape):
    while grad.dim() > len(shape):
        grad = grad.sum(dim=0)
    for d in range(len(shape) - 1, -1, -1):
        if shape[d] == 1 and grad.shape[d] > 1:
            grad = grad.sum(dim=d, keepdim=True)
    return grad.reshape(shape) if shape else grad
""",
    6: """
import math

def softmax_cross_entropy(logits, target):
    m = max(logits)
    lse = m + math.log(math.fsum(math.exp(z - m) for z in logits))
    p = [math.exp(z - lse) for z in logits]
    p[target] -= 1.0
    return lse - logits[target], p
""",
    7: """
import math
import micrograd_edu as torch
from micrograd_edu import nn
from micrograd_edu.nn import functional as F

class Linear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter((torch.rand(out_features, in_features) * 2 - 1) * k)
        self.bias = nn.Parameter((torch.rand(out_features) * 2 - 1) * k)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)
""",
    8: """
import micrograd_edu as torch

class SGD:
    def __init__(self, params, lr, momentum=0.0):
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.buffers = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()

    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.detach()
            if self.momentum:
                if self.buffers[i] is not None:
                    g = self.momentum * self.buffers[i] + g
                self.buffers[i] = g
            p.data -= self.lr * g
""",
    9: """
import math
import micrograd_edu as torch

class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p in self.params:
            if p.grad is None:
                continue
            s = self.state.setdefault(p, {"t": 0, "m": p.grad * 0.0, "v": p.grad * 0.0})
            s["t"] += 1
            s["m"] = s["m"] + (1 - b1) * (p.grad - s["m"])
            s["v"] = b2 * s["v"] + (1 - b2) * p.grad ** 2
            step = self.lr / (1 - b1 ** s["t"])
            denom = s["v"] ** 0.5 / math.sqrt(1 - b2 ** s["t"]) + self.eps
            p.add_(s["m"] / denom, alpha=-step)
""",
    10: """
def binary_cross_entropy(p, y):
    tiny = 3.720075976020836e-44  # e^-100
    first = y * p.clamp(min=tiny).log()
    second = (1.0 - y) * (1.0 - p).clamp(min=tiny).log()
    return (first + second).mean() * -1
""",
    11: """
from micrograd_edu.autograd import Function

class LogAddExp(Function):
    @staticmethod
    def forward(ctx, a, b):
        hi = b + (a - b).relu()
        lo = a + b - hi
        ctx.save_for_backward(a, b)
        return hi + ((lo - hi).exp() + 1).log()

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        s = (a - b).sigmoid()
        return grad_output * s, grad_output * (1 - s)
""",
    12: """
from micrograd_edu import Value

def second_derivative(f, x):
    v = Value(x)
    f(v).backward(create_graph=True)
    d = v.grad
    if not isinstance(d, Value):
        return 0.0
    v.grad = 0.0
    d.backward()
    return float(v.grad)
""",
    13: """
from micrograd_edu import nn, optim

def make_model():
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())

def make_optimizer(model):
    return optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

def training_step(model, optimizer, X, y):
    optimizer.zero_grad()
    loss = nn.BCELoss()(model(X), y)
    loss.backward()
    optimizer.step()
    return float(loss.item())
""",
}


@pytest.mark.parametrize("number", sorted(ALTERNATIVES))
def test_a_right_answer_written_another_way_passes_too(number, tmp_path):
    exercise = find_exercise(number)
    outcomes = outcomes_of(exercise, answer_file(exercise, ALTERNATIVES[number], tmp_path))
    assert [(o.title, o.status, o.message) for o in outcomes] == [(o.title, OK, "") for o in outcomes]


def test_every_exercise_has_a_right_answer_written_another_way():
    assert set(ALTERNATIVES) == {e.number for e in EXERCISES}


# ---- plausible wrong solutions fail, with the hint for their mistake ------------------------------------

# (exercise, what the mistake is, the edit: (old, new) pairs on the solution or a whole file,
#  the check that must catch it (part of its title), words of the hint it must show)
WRONG = [
    # 1: the chain rule by hand
    (
        1,
        "w's share through u forgotten",
        [("dL_dw = dL_du * x + t", "dL_dw = t")],
        "dL/dw: w is used twice",
        "only the share from L",
    ),
    (
        1,
        "w's direct share forgotten",
        [("dL_dw = dL_du * x + t", "dL_dw = dL_du * x")],
        "dL/dw: w is used twice",
        "only the share through u",
    ),
    (1, "tanh' with a plus", [("(1 - t * t)", "(1 + t * t)")], "dL/db: back", "1 - tanh(s)², with a minus"),
    (1, "du/dx taken as x", [("dL_dx = dL_du * w", "dL_dx = dL_du * x")], "dL/dx: on", "du/dx is w"),
    (
        1,
        "numbers worked out for one point",
        "def gradients(x, w, b):\n    return (-0.3957, -1.0384, 0.2638)\n",
        "any point",
        "compute every gradient from x, w and b",
    ),
    # 2: logaddexp's backward
    (
        2,
        "g forgotten",
        [("g * math.exp(a - out), g * math.exp(b - out)", "math.exp(a - out), math.exp(b - out)")],
        "inside a bigger expression",
        "multiply by g",
    ),
    (
        2,
        "gradients swapped",
        [("g * math.exp(a - out), g * math.exp(b - out)", "g * math.exp(b - out), g * math.exp(a - out)")],
        "both inputs",
        "swapped",
    ),
    (
        2,
        "d log(s) without 1/s",
        [("g * math.exp(a - out), g * math.exp(b - out)", "g * math.exp(a), g * math.exp(b)")],
        "both inputs",
        "divide by s",
    ),
    (
        2,
        "inputs not recorded",
        [('Value(out, (a, b), "logaddexp", logaddexp_backward)', "Value(out)")],
        "both inputs",
        "no gradient reached a or b",
    ),
    (
        2,
        "the unstable formula",
        [
            (
                "out = m + math.log(math.exp(a.data - m) + math.exp(b.data - m))",
                "out = math.log(math.exp(a.data) + math.exp(b.data))",
            )
        ],
        "large",
        "subtract the larger input first",
    ),
    # 3: topological_order
    (
        3,
        "recursion",
        """
        def topological_order(root):
            order, seen = [], set()
            def visit(v):
                if id(v) not in seen:
                    seen.add(id(v))
                    for k in v._prev:
                        visit(k)
                    order.append(v)
            visit(root)
            return order
        """,
        "50,000",
        "a loop and a stack",
    ),
    (
        3,
        "nodes recognised by ==",
        """
        def topological_order(root):
            order, stack = [], [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    if node not in order:
                        order.append(node)
                elif node not in order:
                    stack.append((node, True))
                    stack.extend((k, False) for k in node._prev)
            return order
        """,
        "the same number",
        "== on Values compares their numbers",
    ),
    (
        3,
        "no memory of the nodes seen",
        """
        def topological_order(root):
            order, stack = [], [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    order.append(node)
                else:
                    stack.append((node, True))
                    stack.extend((k, False) for k in node._prev)
            return order
        """,
        "every node once",
        "already met",
    ),
    (
        3,
        "the root first",
        [("return backwards[::-1]", "return backwards")],
        "after all of its inputs",
        "reverse order",
    ),
    (
        3,
        "breadth first",
        """
        def topological_order(root):
            order, queue, seen = [], [root], {id(root)}
            while queue:
                node = queue.pop(0)
                order.append(node)
                for k in node._prev:
                    if id(k) not in seen:
                        seen.add(id(k))
                        queue.append(k)
            return order[::-1]
        """,
        "after all of its inputs",
        "only once every one of its inputs is listed",
    ),
    # 4: backward()
    (
        4,
        "gradient assigned, not added",
        [("k.grad += share", "k.grad = share")],
        "used twice",
        "add (+=), do not assign",
    ),
    (
        4,
        "the order not reversed",
        [("for node in reversed(order):", "for node in order:")],
        "complete",
        "walk the order backwards",
    ),
    (
        4,
        "leaves zeroed too",
        [("if node._prev:  # made by an op", "if True:  # made by an op")],
        "two backward() calls",
        "a leaf's .grad was reset",
    ),
    (
        4,
        "nodes made by an op not zeroed",
        [("            node.grad = 0.0\n", "            pass\n")],
        "this pass only",
        "the second pass added onto",
    ),
    (
        4,
        "the seed gradient ignored",
        [("root.grad += gradient", "root.grad += 1.0")],
        "another gradient",
        "starts from `gradient`",
    ),
    (
        4,
        "the engine's own backward",
        "def backward(root, gradient=1.0):\n    root.backward(gradient)\n",
        "starts the pass",
        "the point is to write the pass yourself",
    ),
    # 5: sum back to shape
    (
        5,
        "a stretched dimension dropped",
        [("grad.sum(dim=d, keepdim=True)", "grad.sum(dim=d)")],
        "are summed, and kept",
        "keepdim=True",
    ),
    (
        5,
        "the dimensions in front left",
        [("        grad = grad.sum(dim=0)\n", "        pass\n")],
        "put in front",
        "nothing was summed",
    ),
    (
        5,
        "the dimensions in front kept",
        [("grad = grad.sum(dim=0)\n", "grad = grad.sum(dim=0, keepdim=True)\n")],
        "put in front",
        "without keepdim",
    ),
    # 6: softmax cross-entropy
    (
        6,
        "no -1 at the target",
        [("- (1.0 if i == target else 0.0)", "- 0.0")],
        "dL/dz_i",
        "the target's entry",
    ),
    (
        6,
        "the sign of the gradient",
        [("e / total - (1.0 if i == target else 0.0)", "(1.0 if i == target else 0.0) - e / total")],
        "dL/dz_i",
        "the sign",
    ),
    (
        6,
        "the loss without its minus",
        [("loss = -(logits[target] - m - math.log(total))", "loss = logits[target] - m - math.log(total)")],
        "the loss is",
        "with the minus sign",
    ),
    (
        6,
        "no shift by the max",
        [("m = max(logits)", "m = 0.0")],
        "large logits",
        "subtract the largest logit",
    ),
    (
        6,
        "the log of a tiny p",
        [("loss = -(logits[target] - m - math.log(total))", "loss = -math.log(exps[target] / total)")],
        "large logits",
        "work the log out instead",
    ),
    # 7: a Linear layer
    (
        7,
        "weight laid out (in, out)",
        [
            ("torch.rand(out_features, in_features)", "torch.rand(in_features, out_features)"),
            ("self.weight.T", "self.weight"),
        ],
        "shape",
        "one row per output",
    ),
    (
        7,
        "plain tensors, not parameters",
        [("self.weight = nn.Parameter(", "self.weight = ("), ("self.bias = nn.Parameter(", "self.bias = (")],
        "parameters",
        "nn.Parameter",
    ),
    (
        7,
        "weights all zero",
        [
            (
                "nn.Parameter(torch.rand(out_features, in_features) * (2 * bound) - bound)",
                "nn.Parameter(torch.zeros(out_features, in_features))",
            )
        ],
        "uniform",
        "they all start equal",
    ),
    (7, "uniform in [0, bound)", [("* (2 * bound) - bound", "* bound")], "uniform", "shift it"),
    (
        7,
        "the bound 1/in_features",
        [("bound = 1 / math.sqrt(in_features)", "bound = 1 / in_features")],
        "uniform",
        "1 / √in_features",
    ),
    (
        7,
        "Python's random, unseeded by micrograd_edu",
        """
        import math, random
        from micrograd_edu import nn, tensor

        class Linear(nn.Module):
            def __init__(self, in_features, out_features):
                super().__init__()
                b = 1 / math.sqrt(in_features)
                rows = [[random.uniform(-b, b) for _ in range(in_features)] for _ in range(out_features)]
                self.weight = nn.Parameter(tensor(rows))
                self.bias = nn.Parameter(tensor([random.uniform(-b, b) for _ in range(out_features)]))

            def forward(self, x):
                return x @ self.weight.T + self.bias
        """,
        "uniform",
        "micrograd_edu.rand",
    ),
    (
        7,
        "no bias in forward",
        [("return x @ self.weight.T + self.bias", "return x @ self.weight.T")],
        "forward",
        "add the bias",
    ),
    (
        7,
        "no transpose in forward",
        [("return x @ self.weight.T + self.bias", "return x @ self.weight + self.bias")],
        "forward",
        "weight.T",
    ),
    # 8: SGD with momentum
    (
        8,
        "the buffer as a moving average",
        [
            (
                "buffer.mul_(self.momentum).add_(p.grad)",
                "buffer.mul_(self.momentum).add_(p.grad, alpha=1 - self.momentum)",
            )
        ],
        "later steps",
        "adds the whole gradient",
    ),
    (
        8,
        "a new tensor instead of in place",
        [("p.add_(direction, alpha=-self.lr)", "p = p - self.lr * direction")],
        "plain SGD",
        "did not move",
    ),
    (
        8,
        "uphill",
        [("p.add_(direction, alpha=-self.lr)", "p.add_(direction, alpha=self.lr)")],
        "plain SGD",
        "against the gradient",
    ),
    (
        8,
        "a buffer that does not last",
        [("buffer = self.buffers.get(id(p))", "buffer = None")],
        "later steps",
        "must last from one step to the next",
    ),
    (
        8,
        "no gradient not skipped",
        [("                if p.grad is None:\n                    continue\n", "")],
        "without a gradient",
        "if p.grad is None: continue",
    ),
    (8, "outside no_grad", [("with torch.no_grad():", "if True:")], "plain SGD", "inside with no_grad()"),
    (
        8,
        "zero_grad does nothing",
        [("            p.grad = None\n", "            pass\n")],
        "zero_grad",
        "p.grad = None",
    ),
    # 9: Adam
    (
        9,
        "no bias correction",
        [("self.m[key] / (1 - beta1**t)", "self.m[key]"), ("self.v[key] / (1 - beta2**t)", "self.v[key]")],
        "first step",
        "the bias correction",
    ),
    (9, "only v corrected", [("self.m[key] / (1 - beta1**t)", "self.m[key]")], "first step", "correct m too"),
    (
        9,
        "t that does not count",
        [("self.t[key] += 1", "self.t[key] = 1")],
        "ten steps",
        "t counts the steps",
    ),
    (9, "no square root", [("v_hat**0.5 + self.eps", "v_hat + self.eps")], "first step", "square root of v̂"),
    (
        9,
        "betas ignored",
        [("beta1, beta2 = self.betas", "beta1, beta2 = 0.9, 0.999")],
        "betas and eps",
        "use the betas the optimizer was given",
    ),
    (
        9,
        "one step count for all",
        [("t = self.t[key]\n", "t = max(self.t.values())\n")],
        "own m, v",
        "one of each per parameter",
    ),
    # 10: binary cross-entropy
    (
        10,
        "a small epsilon instead of e^-100",
        [("FLOOR = math.exp(-100)", "FLOOR = 1e-7")],
        "sure and wrong",
        "not at a small epsilon",
    ),
    (
        10,
        "no clamp",
        [("p.clamp(min=FLOOR).log()", "p.log()"), ("(1 - p).clamp(min=FLOOR).log()", "(1 - p).log()")],
        "sure and wrong",
        "clamp the number before its log",
    ),
    (
        10,
        "the log clamped after",
        [
            ("p.clamp(min=FLOOR).log()", "p.log().clamp(min=-100)"),
            ("(1 - p).clamp(min=FLOOR).log()", "(1 - p).log().clamp(min=-100)"),
        ],
        "sure and wrong",
        "never the log's result",
    ),
    (
        10,
        "only p clamped",
        [("(1 - p).clamp(min=FLOOR).log()", "(1 - p).log()")],
        "sure and right",
        "clamp 1 - p before its log too",
    ),
    (10, "summed, not averaged", [(").mean()", ").sum()")], "the mean", "the mean over the batch"),
    (
        10,
        "no minus in front",
        [("return -(y * log_p", "return (y * log_p")],
        "the mean",
        "the minus in front",
    ),
    # 11: a custom autograd.Function
    (
        11,
        "grad_output forgotten",
        [
            (
                "grad_output * (a - out).exp(), grad_output * (b - out).exp()",
                "(a - out).exp(), (b - out).exp()",
            )
        ],
        "grad_output is not 1",
        "multiply by grad_output",
    ),
    (
        11,
        "gradients swapped",
        [
            (
                "grad_output * (a - out).exp(), grad_output * (b - out).exp()",
                "grad_output * (b - out).exp(), grad_output * (a - out).exp()",
            )
        ],
        "both inputs",
        "swapped",
    ),
    (
        11,
        "the unstable formula",
        [("out = m + ((a - m).exp() + (b - m).exp()).log()", "out = (a.exp() + b.exp()).log()")],
        "large",
        "subtract the larger input first",
    ),
    (
        11,
        "not a Function",
        [("class LogAddExp(Function):", "class LogAddExp:")],
        "autograd.Function",
        "class LogAddExp(Function)",
    ),
    # 12: a second derivative
    (
        12,
        "no create_graph",
        [("(first,) = grad(f(v), [v], create_graph=True)", "(first,) = grad(f(v), [v])")],
        "at 1.5",
        "create_graph=True",
    ),
    (
        12,
        "no allow_unused",
        [("grad(first, [v], allow_unused=True)", "grad(first, [v])")],
        "straight line",
        "allow_unused=True",
    ),
    (
        12,
        "the first derivative",
        [("return 0.0 if second is None else second.data", "return first.data")],
        "at 1.5",
        "that is the first derivative",
    ),
    (12, "a Value, not a number", [("else second.data", "else second")], "at 1.5", "take its number: .data"),
    (
        12,
        "central differences",
        """
        from micrograd_edu import Value

        def second_derivative(f, x):
            h = 1e-4
            return (f(Value(x + h)).data - 2 * f(Value(x)).data + f(Value(x - h)).data) / h**2
        """,
        "exact to 1e-9",
        "close, but not exact",
    ),
    # 13: training to a target accuracy
    (
        13,
        "no zero_grad",
        [("    optimizer.zero_grad()  # before backward: gradients add up otherwise\n", "")],
        "fresh gradients",
        "optimizer.zero_grad() before loss.backward()",
    ),
    (13, "no step", [("    optimizer.step()\n", "")], "one training step", "the weights did not move"),
    (
        13,
        "zero_grad between backward and step",
        [
            (
                "    optimizer.zero_grad()  # before backward: gradients add up otherwise\n"
                "    loss.backward()\n",
                "    loss.backward()\n    optimizer.zero_grad()\n",
            )
        ],
        "one training step",
        "the weights did not move",
    ),
    (13, "the loss as a tensor", [("return loss.item()", "return loss")], "one training step", ".item()"),
    (
        13,
        "no sigmoid",
        [("nn.Linear(8, 1), nn.Sigmoid())", "nn.Linear(8, 1))")],
        "probabilities",
        "nn.Sigmoid()",
    ),
    (
        13,
        "a straight line",
        [
            (
                "nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())",
                "nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())",
            )
        ],
        "accuracy",
        "curved boundary",
    ),
    (
        13,
        "a learning rate too small",
        [("optim.Adam(model.parameters(), lr=0.05)", "optim.SGD(model.parameters(), lr=0.001)")],
        "accuracy",
        "hardly went down",
    ),
]


def answer_file(exercise, edit, folder: Path) -> Path:
    if isinstance(edit, str):
        source = textwrap.dedent(edit)
    else:
        source = exercise.solution.read_text()
        for old, new in edit:
            assert source.count(old) >= 1, (
                f"the reference solution of exercise {exercise.number} has no {old!r}"
            )
            source = source.replace(old, new)
    path = folder / exercise.file_name
    path.write_text(source)
    return path


@pytest.mark.parametrize(
    ("number", "mistake", "edit", "check", "hint"), WRONG, ids=[f"{w[0]:02d}-{w[1]}" for w in WRONG]
)
def test_a_plausible_wrong_solution_fails_with_the_hint_for_its_mistake(
    number, mistake, edit, check, hint, tmp_path
):
    exercise = find_exercise(number)
    (outcome,) = outcomes_of(exercise, answer_file(exercise, edit, tmp_path), only=check)
    assert outcome.status != OK, f"{mistake}: {outcome.title} passed"
    shown = " ".join(hints_at(outcome, 1))
    assert hint in shown, f"{mistake}: {outcome.status} {outcome.message!r}, hint {shown!r}"


def test_every_exercise_has_wrong_solutions_and_most_mistakes_are_recognised_by_name():
    numbers = {w[0] for w in WRONG}
    assert numbers == {e.number for e in EXERCISES}
    assert all(sum(w[0] == e.number for w in WRONG) >= 3 for e in EXERCISES)


def test_a_wrong_answer_is_reported_as_not_yet_with_the_numbers(tmp_path):
    exercise = find_exercise(4)
    edit = [("k.grad += share", "k.grad = share")]
    (outcome,) = outcomes_of(exercise, answer_file(exercise, edit, tmp_path), only="used twice")
    assert outcome.status == NOT_YET
    assert re.search(r"x\.grad .* is 3, it should be 6", outcome.message)
