"""How simulated customers and staff respond: to reminders, to calls, to disputes.

Each answer is a pure function of the seed and stable keys, so the simulator
can ask again on a later day (or in a later run) and get the same answer:
nothing about pending reactions needs to be stored.

| behaviour    | pays after a reminder | after a formal notice | promises on a call | keeps it |
|--------------|-----------------------|-----------------------|--------------------|----------|
| prompt       | 70 %                  | 90 %                  | 80 %               | 95 %     |
| slow         | 35 %                  | 60 %                  | 65 %               | 85 %     |
| chronic_late | 15 %                  | 40 %                  | 50 %               | 60 %     |
| disputer     | 25 %                  | 40 %                  | 50 %               | 70 %     |
| defaulter    | 0 %                   | 0 %                   | 35 %               | 0 %      |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from encaisse.demo.behaviours import Behaviour
from encaisse.demo.sim.chance import chance

P, S, C, D, X = (
    Behaviour.PROMPT,
    Behaviour.SLOW,
    Behaviour.CHRONIC_LATE,
    Behaviour.DISPUTER,
    Behaviour.DEFAULTER,
)

# Chance of paying in reaction to a reminder of each action, and how many days later.
_REMINDER_REACTION: dict[str, dict[Behaviour, float]] = {
    "email": {P: 0.70, S: 0.35, C: 0.15, D: 0.25, X: 0.0},
    "letter": {P: 0.80, S: 0.45, C: 0.25, D: 0.30, X: 0.0},
    "formal_notice": {P: 0.90, S: 0.60, C: 0.40, D: 0.40, X: 0.0},
    "escalate": {P: 0.90, S: 0.70, C: 0.50, D: 0.50, X: 0.0},
}
_REACTION_DAYS = {"email": (1, 7), "letter": (2, 8), "formal_notice": (2, 8), "escalate": (1, 5)}
MAX_REACTION_DAYS = 8
_PROMISES = {P: 0.80, S: 0.65, C: 0.50, D: 0.50, X: 0.35}
_KEPT = {P: 0.95, S: 0.85, C: 0.60, D: 0.70, X: 0.0}
MAX_PROMISE_DAYS = 14
CONTESTED_SHARE = 0.3  # of a disputer's invoices, as in the generator
REVIEW_APPROVAL = 0.85


def reminder_reaction(
    seed: int, number: str, action: str, sent_on: dt.date, behaviour: Behaviour
) -> int | None:
    """Days after a reminder on which the customer pays the invoice, or None."""
    table = _REMINDER_REACTION.get(action)
    if table is None:
        return None
    rng = chance(seed, "react", number, action, sent_on)
    if rng.random() >= table[behaviour]:
        return None
    low, high = _REACTION_DAYS[action]
    return rng.randint(low, high)


def is_contested(seed: int, number: str, behaviour: Behaviour) -> bool:
    """A disputer contests some invoices: they are paid only once the dispute is settled."""
    return behaviour is Behaviour.DISPUTER and (
        chance(seed, "contest", number).random() < CONTESTED_SHARE
    )


@dataclass(frozen=True, slots=True)
class CallOutcome:
    kind: str  # "promise", "no_answer" or "dispute"
    promised_in: int = 0  # days from the call to the promised date
    pays_in: int | None = None  # days from the call to the payment; None: no payment follows


def call_outcome(seed: int, task_key: str, behaviour: Behaviour, contested: bool) -> CallOutcome:
    """What the customer says when called about the invoices of one task."""
    if contested:
        return CallOutcome("dispute")
    rng = chance(seed, "call", task_key)
    if rng.random() >= _PROMISES[behaviour]:
        return CallOutcome("no_answer")
    promised_in = rng.randint(3, MAX_PROMISE_DAYS)
    if rng.random() >= _KEPT[behaviour]:
        return CallOutcome("promise", promised_in)  # a promise that will be broken
    return CallOutcome("promise", promised_in, max(1, promised_in - rng.randint(0, 2)))


def completion_lag(seed: int, task_key: str, by_rep: bool) -> int:
    """Days between a task's due date and the day someone does it."""
    rng = chance(seed, "lag", task_key)
    if by_rep:
        return rng.choices((0, 1, 2, 4), weights=(50, 30, 15, 5))[0]
    return rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]


def review_decision(seed: int, message_key: str) -> tuple[int, bool]:
    """(days before finance reviews a message, whether it is approved)."""
    rng = chance(seed, "review", message_key)
    lag = 0 if rng.random() < 0.8 else 1
    return lag, rng.random() < REVIEW_APPROVAL


def dispute_days(seed: int, number: str) -> int:
    """How long a dispute blocks its invoice."""
    return chance(seed, "dispute", number).randint(20, 40)


def dispute_settlement(seed: int, number: str) -> tuple[int, int]:
    """(days after the dispute ends, percent of the invoice credited) of its settlement."""
    rng = chance(seed, "settle", number)
    return rng.randint(1, 5), rng.randint(10, 30)


MAX_SETTLEMENT_DAYS = 5
