"""Deterministic randomness for the simulator.

Every draw comes from its own `Random`, seeded from the simulation seed and
stable business keys (invoice numbers, customer keys, dates), never from
database ids or from the order in which rows come back. So the same seed
gives the same history on SQLite and PostgreSQL, in one run or in several.
"""

from __future__ import annotations

import datetime as dt
import math
import random


def chance(seed: int, *parts: str | int | dt.date) -> random.Random:
    key = ":".join(str(part) for part in ("sim", seed, *parts))
    return random.Random(key)  # str seeds hash with SHA-512: stable across processes


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
