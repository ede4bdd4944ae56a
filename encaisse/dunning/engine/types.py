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
    # The part of the balance that the customer's cash on account covers
    # (ledger.net_position): never chased; the steps weigh the net amount.
    cover: Decimal = Decimal("0")
    # Due before the go-live date: the go-live policy limits its steps (GoLive).
    backlog: bool = False

    @property
    def net(self) -> Decimal:
        """What the customer still owes on this invoice once its cash on account is counted."""
        return self.balance - self.cover


# A backlog ceiling below every step: invoices due before go-live are not chased.
NO_STEP = -(10**6)


@dataclass(frozen=True, slots=True)
class GoLive:
    """How far the engine may chase invoices that fell due before the go-live date.

    `ceiling` is the offset of the last step such an invoice may reach
    automatically (NO_STEP: none); None means no limit. Whatever the ceiling,
    a formal notice or an escalation reached by a catch-up goes to review.
    """

    on: dt.date | None = None
    ceiling: int | None = None

    def is_backlog(self, due_on: dt.date) -> bool:
        return self.on is not None and due_on < self.on


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
    # A formal notice or escalation reached by a catch-up: finance reviews it,
    # whatever the step's mode.
    review: bool = False

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
            self.review,
        )

    @property
    def reached(self) -> Step | None:
        """The step recorded as reached: performed, else the last one skipped."""
        if self.perform is not None:
            return self.perform
        return self.skipped[-1].step if self.skipped else None
