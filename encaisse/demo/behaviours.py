"""How demo customers pay, and how often each behaviour occurs.

| behaviour     | share | days paid after the due date                         |
|---------------|-------|------------------------------------------------------|
| prompt        | 40 %  | −10 … +5 (mostly on time, some early)                |
| slow          | 30 %  | +3 … +40 (mode +12)                                  |
| chronic_late  | 15 %  | +25 … +120 (mode +50)                                |
| disputer      | 10 %  | like slow, but ~30 % of invoices are contested:      |
|               |       | partial payment, credit note, or left open           |
| defaulter     | 5 %   | chronic late until a default date 2–10 months ago,   |
|               |       | then pays nothing                                     |
"""

from __future__ import annotations

import random
from enum import StrEnum


class Behaviour(StrEnum):
    PROMPT = "prompt"
    SLOW = "slow"
    CHRONIC_LATE = "chronic_late"
    DISPUTER = "disputer"
    DEFAULTER = "defaulter"


DISTRIBUTION: dict[Behaviour, float] = {
    Behaviour.PROMPT: 0.40,
    Behaviour.SLOW: 0.30,
    Behaviour.CHRONIC_LATE: 0.15,
    Behaviour.DISPUTER: 0.10,
    Behaviour.DEFAULTER: 0.05,
}
_BEHAVIOURS = tuple(DISTRIBUTION)
_WEIGHTS = tuple(DISTRIBUTION.values())

RISK_CLASS = {
    Behaviour.PROMPT: "A",
    Behaviour.SLOW: "B",
    Behaviour.CHRONIC_LATE: "C",
    Behaviour.DISPUTER: "B",
    Behaviour.DEFAULTER: "D",
}

# (low, high, mode) of the days between the due date and the payment
_DELAYS: dict[Behaviour, tuple[float, float, float]] = {
    Behaviour.PROMPT: (-10, 5, 0),
    Behaviour.SLOW: (3, 40, 12),
    Behaviour.CHRONIC_LATE: (25, 120, 50),
    Behaviour.DISPUTER: (3, 45, 15),
    Behaviour.DEFAULTER: (25, 120, 60),
}


def draw_behaviour(rng: random.Random) -> Behaviour:
    return rng.choices(_BEHAVIOURS, weights=_WEIGHTS)[0]


def draw_delay(rng: random.Random, behaviour: Behaviour) -> int:
    low, high, mode = _DELAYS[behaviour]
    return round(rng.triangular(low, high, mode))


# Daily chance of paying once an invoice is past its behaviour's latest delay
# (an invoice the history left open: held back, forgotten, contested before).
_TAIL_CHANCE: dict[Behaviour, float] = {
    Behaviour.PROMPT: 0.15,
    Behaviour.SLOW: 0.08,
    Behaviour.CHRONIC_LATE: 0.04,
    Behaviour.DISPUTER: 0.03,
    Behaviour.DEFAULTER: 0.0,
}


def _triangular_cdf(x: float, low: float, high: float, mode: float) -> float:
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    if x <= mode:
        return (x - low) ** 2 / ((high - low) * (mode - low))
    return 1 - (high - x) ** 2 / ((high - low) * (high - mode))


def daily_payment_chance(behaviour: Behaviour, days_after_due: int) -> float:
    """The chance that a still-open invoice is paid on this day, left to itself.

    It is the hazard of `draw_delay`'s distribution: P(delay = d) / P(delay ≥ d),
    with the delay rounded to whole days as `draw_delay` does. Replaying day
    after day with this chance pays invoices on the same schedule as the
    generator, whatever day the replay starts. Defaulters never pay.
    """
    if behaviour is Behaviour.DEFAULTER:
        return 0.0
    low, high, mode = _DELAYS[behaviour]
    before = _triangular_cdf(days_after_due - 0.5, low, high, mode)
    if before >= 1.0:
        return _TAIL_CHANCE[behaviour]
    today = _triangular_cdf(days_after_due + 0.5, low, high, mode)
    return (today - before) / (1.0 - before)
