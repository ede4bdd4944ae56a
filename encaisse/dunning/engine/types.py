"""The plain values the engine works on (loaded from the database by the services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Step actions that reach the customer, hence count as a contact for the minimum gap
# (values of models.plans.StepAction; the engine imports no Django model).
CUSTOMER_FACING = frozenset({"email", "letter", "formal_notice", "escalate"})


@dataclass(frozen=True, slots=True)
class Step:
    id: int
    name: str
    offset_days: int
    action: str
    mode: str = "automatic"
    min_balance: Decimal = Decimal("0")
    template_code: str = ""

    @property
    def customer_facing(self) -> bool:
        return self.action in CUSTOMER_FACING


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    name: str
    steps: tuple[Step, ...]  # sorted by offset_days

    def __post_init__(self) -> None:
        offsets = [step.offset_days for step in self.steps]
        if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
            raise ValueError("plan steps must have distinct offsets, in increasing order")


@dataclass(frozen=True, slots=True)
class Block:
    """Why an invoice must not be chased now, and until when (None: until released)."""

    reason: str
    until: dt.date | None
    hold_id: int | None = None


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    invoice_id: int
    customer_id: int
    due_on: dt.date  # the effective due date (an extension replaces the invoice's)
    balance: Decimal
    is_open: bool
    last_offset: int | None = None
    block: Block | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    step: Step
    reason: str  # "caught_up" | "below_threshold"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one invoice on one date, and when to look at it again."""

    facts: InvoiceFacts
    reason: str  # a StateReason value
    perform: Step | None = None
    skipped: tuple[Skip, ...] = ()
    last_offset: int | None = None
    next_step: Step | None = None
    next_action_on: dt.date | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def for_facts(self, facts: InvoiceFacts) -> Decision:
        """The same outcome for another invoice in the same situation (engine.batch).

        The parameters dict is shared, not copied: decisions are never mutated.
        """
        return Decision(
            facts,
            self.reason,
            self.perform,
            self.skipped,
            self.last_offset,
            self.next_step,
            self.next_action_on,
            self.params,
        )

    @property
    def reached(self) -> Step | None:
        """The step recorded as reached: performed, else the last one skipped."""
        if self.perform is not None:
            return self.perform
        return self.skipped[-1].step if self.skipped else None
