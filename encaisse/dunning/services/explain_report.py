"""An invoice's dunning state and its explanation as plain typed data (SPEC §1.4).

`dunning_explain` works with the engine's and the ORM's objects; this turns
its result into values only (ids, codes, dates, decimals), which the invoice
panel renders and the REST API serialises: both show the same thing.
Sentences are the interface's (web.dunning_labels reads `reason`, `params`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from encaisse.dunning.models import DunningMessage, Hold
from encaisse.dunning.services.explain import Explanation, StepLine, dunning_explain
from encaisse.ledger.models import Invoice

# Step lines about a step the invoice has reached (what happened to it).
REACHED = frozenset({"done", "planned", "to_review"})


@dataclass(frozen=True, slots=True)
class PlanRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class HoldLine:
    id: int
    reason: str  # a HoldReason value
    invoice_id: int | None  # None: all the customer's invoices
    note: str
    starts_on: dt.date
    ends_on: dt.date | None  # None: until released
    created_by_id: int | None
    created_by_name: str


@dataclass(frozen=True, slots=True)
class ActionLine:
    """What a run decided for this invoice on one day."""

    id: int
    decided_on: dt.date
    step_name: str
    action: str
    status: str  # an ActionStatus value
    status_reason: str
    balance: Decimal  # the open balance when it was decided
    message_id: int | None
    skipped_steps: int  # earlier steps passed over by a catch-up


@dataclass(frozen=True, slots=True)
class MessageLine:
    id: int
    channel: str
    state: str  # a MessageState value
    decided_on: dt.date
    sent_at: dt.datetime | None
    step_name: str


@dataclass(frozen=True, slots=True)
class DunningReport:
    """Where an invoice stands in dunning on `on`, why, and what comes next."""

    on: dt.date
    invoice_id: int
    number: str
    currency: str
    is_open: bool
    balance: Decimal
    cover: Decimal  # the part the customer's cash on account covers
    net: Decimal  # what dunning chases
    on_account: Decimal  # the customer's cash on account, in the invoice's currency
    due_on: dt.date  # the effective due date (an extension moves it)
    original_due_on: dt.date | None
    extended: bool
    plan: PlanRef | None
    reason: str  # today's decision: a StateReason value
    params: dict[str, Any]  # its parameters (step, until, block…)
    performs_today: str  # the step the next run performs ("" if none)
    waiting_for: str  # what it waits for when no step has a date ("" if one has)
    current_step: StepLine | None  # the last step reached
    next_step: StepLine | None  # the next step, with its date
    steps: list[StepLine]
    holds: list[HoldLine]  # active on `on`
    actions: list[ActionLine]
    last_message: MessageLine | None


def _hold(hold: Hold) -> HoldLine:
    who = hold.created_by
    return HoldLine(
        hold.pk, hold.reason, hold.invoice_id, hold.note, hold.starts_on, hold.ends_on,
        hold.created_by_id, str(who) if who is not None else "",
    )  # fmt: skip


def _last_message(explanation: Explanation) -> MessageLine | None:
    ids = [a.message_id for a in explanation.actions if a.message_id is not None]
    if not ids:
        return None
    message = DunningMessage.objects.filter(pk__in=ids).order_by("-decided_on", "-id").first()
    if message is None:
        return None
    return MessageLine(
        message.pk, message.channel, message.state, message.decided_on, message.sent_at,
        message.step_name,
    )  # fmt: skip


def report_of(explanation: Explanation) -> DunningReport:
    invoice, today = explanation.invoice, explanation.today
    plan = explanation.plan
    reached = [line for line in explanation.steps if line.status in REACHED]
    return DunningReport(
        on=explanation.on,
        invoice_id=invoice.pk,
        number=invoice.number,
        currency=invoice.currency,
        is_open=invoice.is_open,
        balance=invoice.balance,
        cover=explanation.cover,
        net=explanation.net,
        on_account=explanation.on_account,
        due_on=explanation.due_on,
        original_due_on=invoice.due_date,
        extended=explanation.due_on != invoice.due_date,
        plan=PlanRef(plan.id, plan.name) if plan is not None else None,
        reason=today.reason,
        params=dict(today.params),
        performs_today=today.perform.name if today.perform is not None else "",
        waiting_for=explanation.waiting_for,
        current_step=reached[-1] if reached else None,
        next_step=explanation.next_step,
        steps=list(explanation.steps),
        holds=[_hold(h) for h in explanation.holds if h.is_active(explanation.on)],
        actions=[
            ActionLine(
                a.pk,
                a.decided_on,
                a.step_name,
                a.action,
                a.status,
                a.status_reason,
                a.balance,
                a.message_id,
                len(a.skipped),
            )
            for a in explanation.actions
        ],
        last_message=_last_message(explanation),
    )


def dunning_report(invoice: Invoice, *, on: dt.date | None = None) -> DunningReport:
    """The invoice panel's content (the caller resolved `invoice` through the
    viewer's scope, e.g. `invoices_visible_to(user)`)."""
    return report_of(dunning_explain(invoice, on=on))
