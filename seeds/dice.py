"""Fast random draws for generating a million people.

`random.choice` and `randint` cost about a microsecond each in pure Python;
these draw from one `random()` call each, which is what makes the demo
generator fast enough. Everything still comes from one seeded `Random`.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Dice:
    """Draws from a seeded `random.Random`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def chance(self, p: float) -> bool:
        return self.random() < p

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        return items[bisect(cumulative, self.random() * cumulative[-1])]

    def bits(self, n: int) -> int:
        return self.rng.getrandbits(n)
