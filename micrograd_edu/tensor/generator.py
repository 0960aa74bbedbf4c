"""torch.Generator: PyTorch's random numbers on the CPU, recipe for recipe.

After `torch.manual_seed(s)`, PyTorch draws 32-bit numbers from a Mersenne Twister (mt19937)
seeded with s, and turns them into the numbers a program sees by fixed recipes. Python's own
`random` module is the same Mersenne Twister; here it is seeded as PyTorch seeds it, and each
recipe is written out below. So after the same seed, `rand`, `randint`, `randperm`, `uniform_`
(nn.Linear's first weights) give exactly PyTorch's numbers, and `randn` PyTorch's to the last
float32 bit or so (PyTorch computes big batches with vectorised math whose log and cos may
differ from Python's in that bit).

A recipe depends on the dtype PyTorch would use: float32 for micrograd_edu's default dtype
(PyTorch's default), float64 when float64 is asked for by name.
"""

from __future__ import annotations

import math
import operator
import os
import random
from typing import Any

from micrograd_edu.tensor import dtypes

MASK24, MASK53 = (1 << 24) - 1, (1 << 53) - 1
BATCH = 16  # randn of 16 numbers or more is made 16 at a time, from uniforms drawn first


class Generator:
    """A source of random numbers with PyTorch's seeding and recipes (torch.Generator)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._mt = random.Random()
        self.manual_seed(int.from_bytes(os.urandom(8), "little"))  # PyTorch too starts unseeded

    # ---- the state ------------------------------------------------------------------------------

    def manual_seed(self, seed: Any) -> Generator:
        """Start again from `seed`: mt19937's own seeding, from the seed's low 32 bits."""
        if isinstance(seed, bool) or not hasattr(seed, "__index__"):
            raise TypeError(f"manual_seed expected an int, got {type(seed).__name__} {seed!r}")
        n = operator.index(seed)
        if not -(2**63) <= n < 2**64:
            raise ValueError(f"Overflow when unpacking long long: manual_seed({n}) is past 64 bits")
        self._seed = n % 2**64  # as PyTorch keeps it: -1 is 2**64 - 1
        state = [self._seed & 0xFFFFFFFF]
        for i in range(1, 624):
            previous = state[-1]
            state.append((1812433253 * (previous ^ (previous >> 30)) + i) & 0xFFFFFFFF)
        self._mt.setstate((3, (*state, 624), None))
        self._next_normal: float | None = None  # Box-Muller makes two normals: the second waits here
        return self

    def seed(self) -> int:
        """Seed from the operating system's randomness; the seed used."""
        self.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> tuple:
        return self._mt.getstate(), self._next_normal, self._seed

    def set_state(self, state: tuple) -> Generator:
        self._mt.setstate(state[0])
        self._next_normal, self._seed = state[1], state[2]
        return self

    getstate, setstate = get_state, set_state  # the names of Python's random module

    # ---- PyTorch's recipes ---------------------------------------------------------------------

    def random32(self) -> int:
        return self._mt.getrandbits(32)

    def random64(self) -> int:
        return (self.random32() << 32) | self.random32()

    def random(self, float32: bool = False) -> float:
        """A uniform number in [0, 1): 24 random bits for float32, 53 for float64."""
        if float32:
            return (self.random32() & MASK24) * 2.0**-24
        return (self.random64() & MASK53) * 2.0**-53

    def uniform(self, low: float = 0.0, high: float = 1.0, float32: bool = True) -> float:
        """A uniform number in [low, high) (uniform_, nn.init): low + u * (high - low), rounded once."""
        if not float32:
            return low + self.random() * (high - low)
        low, high = dtypes.rounded(low, dtypes.float32), dtypes.rounded(high, dtypes.float32)
        span = dtypes.rounded(high - low, dtypes.float32)
        return dtypes.rounded(self.random(float32=True) * span + low, dtypes.float32)

    def normals(self, n: int, mean: float = 0.0, std: float = 1.0, float32: bool = True) -> list[float]:
        """n normal numbers (randn, normal_). Fewer than 16: one Box-Muller pair per two, each
        from two float64 uniforms, the second of a pair kept for the next call. 16 or more:
        uniforms first (of the dtype), then each block of 16 turned into normals, the ith and
        (i+8)th uniform making the ith and (i+8)th normal; a last partial block is made again
        from 16 new uniforms."""
        if n < BATCH:
            drawn = [self.gauss(mean, std) for _ in range(n)]
            return [dtypes.rounded(x, dtypes.float32) for x in drawn] if float32 else drawn
        u = [self.random(float32) for _ in range(n)]
        out = [0.0] * n
        for start in range(0, n - BATCH + 1, BATCH):
            _box_muller_16(u, out, start, float32)
        if n % BATCH:
            u[n - BATCH :] = [self.random(float32) for _ in range(BATCH)]
            _box_muller_16(u, out, n - BATCH, float32)
        drawn = [x * std + mean for x in out]
        return [dtypes.rounded(x, dtypes.float32) for x in drawn] if float32 else drawn

    def gauss(self, mean: float = 0.0, std: float = 1.0) -> float:
        """One normal number, by Box-Muller on two float64 uniforms (the pair's second is kept)."""
        if self._next_normal is not None:
            z, self._next_normal = self._next_normal, None
            return z * std + mean
        u1, u2 = self.random(), self.random()
        radius, theta = math.sqrt(-2.0 * math.log(1.0 - u2)), 2.0 * math.pi * u1
        self._next_normal = radius * math.sin(theta)
        return radius * math.cos(theta) * std + mean

    def randrange(self, low: int, high: int | None = None) -> int:
        """A whole number in [low, high) (randint): a 32-bit draw modulo the range (64 past 2**32)."""
        if high is None:
            low, high = 0, low
        span = high - low
        return low + (self.random64() if span >= 2**32 else self.random32()) % span

    def permutation(self, n: int) -> list[int]:
        """0 .. n-1 in random order (randperm): Fisher-Yates, position i swapped with i + draw % (n - i)."""
        order = list(range(n))
        for i in range(n - 1):
            j = i + self.random32() % (n - i)
            order[i], order[j] = order[j], order[i]
        return order

    def shuffle(self, items: list) -> None:
        """items in the order of a random permutation, in place."""
        items[:] = [items[i] for i in self.permutation(len(items))]

    def random_int64(self) -> int:
        """torch.empty((), dtype=torch.int64).random_(): 64 bits, kept below 2**63."""
        return self.random64() % 2**63


def _box_muller_16(u: list[float], out: list[float], start: int, float32: bool) -> None:
    """16 uniforms from `start` made 16 normals: the ith and (i + 8)th uniform, the ith and (i + 8)th
    normal. In float32, each step is rounded to float32, as PyTorch computes it."""
    f = (lambda x: dtypes.rounded(x, dtypes.float32)) if float32 else float
    half, two_pi = BATCH // 2, f(2.0 * math.pi)
    for j in range(start, start + half):
        radius = f(math.sqrt(f(-2.0 * f(math.log(f(1.0 - u[j]))))))
        theta = f(two_pi * u[j + half])
        out[j], out[j + half] = f(radius * f(math.cos(theta))), f(radius * f(math.sin(theta)))


default_generator = Generator()  # every random number in micrograd_edu comes from here


def generator_for(g: Any, op: str) -> Generator:
    """The generator to draw from: the one given (`generator=`), or the default one manual_seed seeds."""
    if g is None:
        return default_generator
    if not isinstance(g, Generator):
        raise TypeError(f"{op}: generator must be a torch.Generator, got {type(g).__name__} {g!r}")
    return g


def check_std(s: float) -> None:
    """PyTorch's refusal of a negative (or nan) standard deviation for a normal draw."""
    if not s >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s}")
