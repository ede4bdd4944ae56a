"""Bounded search for 2 or 3 open invoices whose balances sum exactly to an amount.

1. Only the `MAX_CANDIDATES` oldest invoices are searched (the caller passes them
   oldest first): a customer who pays a batch of invoices pays old ones.
2. Pairs: one pass with a table balance → positions, O(K).
3. Triples: for each pair (i, j), a lookup of the third balance among the
   positions after j, O(K²) steps; `MAX_STEPS` caps the loop whatever K is.
4. Results are position tuples in ascending order, smaller combinations first,
   then the oldest (lexicographic order of positions): (0, 1) before (0, 2)
   before (1, 2).

With K = 30 a search is at most 435 pair steps: a few microseconds of dict
lookups, so 10 000 payments cost well under a second here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

MAX_SIZE = 3
MAX_CANDIDATES = 30
MAX_STEPS = 5_000


def combinations_summing_to(
    target: int,
    balances: Sequence[int],
    *,
    max_size: int = MAX_SIZE,
    limit: int | None = None,
    max_steps: int = MAX_STEPS,
) -> list[tuple[int, ...]]:
    """Positions of 2..max_size distinct balances (in cents, > 0) summing to `target`.

    At most `limit` results (None: all), found within `max_steps` pair steps.
    """
    found: list[tuple[int, ...]] = []
    if target <= 0 or len(balances) < 2 or max_size < 2:
        return found
    where: dict[int, list[int]] = defaultdict(list)
    for position, balance in enumerate(balances):
        where[balance].append(position)

    def full() -> bool:
        return limit is not None and len(found) >= limit

    for i, balance in enumerate(balances):
        for j in where.get(target - balance, ()):
            if j > i:
                found.append((i, j))
                if full():
                    return found
    if max_size < 3:
        return found
    steps = 0
    for i in range(len(balances)):
        for j in range(i + 1, len(balances)):
            steps += 1
            if steps > max_steps:
                return found
            rest = target - balances[i] - balances[j]
            if rest <= 0:
                continue
            for k in where.get(rest, ()):
                if k > j:
                    found.append((i, j, k))
                    if full():
                        return found
    return found
