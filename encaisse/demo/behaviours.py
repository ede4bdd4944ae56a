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
