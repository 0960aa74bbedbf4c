"""Grad mode: whether the ops being run record a graph that backward() can walk.

It is on by default. Inside `no_grad()` every result is a plain leaf, as an optimizer's
update or an evaluation needs:

>>> from micrograd_edu import Value
>>> with no_grad():
...     y = Value(2.0) * 3
>>> y._prev
()

The switch is per thread, as PyTorch's is: one thread inside `no_grad()` does not stop
another from recording. This is the lowest module of the package: the engine reads it
every time it makes a node, and `micrograd_edu.autograd` offers it under PyTorch's names.
"""

from __future__ import annotations

import contextlib
import threading


class _State(threading.local):
    """The switch itself: one attribute per thread, read every time an op makes a node."""

    enabled = True


state = _State()


def is_grad_enabled() -> bool:
    """True if ops record a graph right now (False inside `no_grad()`)."""
    return state.enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Switch recording on or off: as a call, from now on; as a `with` block, inside it.

    >>> with set_grad_enabled(False):
    ...     is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled takes True or False, got {type(mode).__name__} {mode!r}")
        self.previous, self.mode = state.enabled, mode
        state.enabled = mode

    def __enter__(self) -> None:
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.previous


class no_grad(contextlib.ContextDecorator):
    """Build no graph inside this block (or function): results are plain leaves."""

    def __enter__(self) -> None:
        self.previous, state.enabled = state.enabled, False

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.previous


class enable_grad(contextlib.ContextDecorator):
    """Record a graph inside this block even where an outer `no_grad()` switched it off."""

    def __enter__(self) -> None:
        self.previous, state.enabled = state.enabled, True

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.previous


class inference_mode(no_grad):
    """PyTorch's faster no_grad for evaluation; here it is `no_grad` (`inference_mode(False)`
    records as usual)."""

    def __init__(self, mode: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode takes True or False, got {type(mode).__name__} {mode!r}")
        self.mode = mode

    def __enter__(self) -> None:
        self.previous = state.enabled
        if self.mode:
            state.enabled = False
