"""Why an invoice is where it is, and what happens next (SPEC §1.4, §4.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from encaisse.dunning.engine.decide import decide
from encaisse.dunning.engine.types import Decision, Plan
from encaisse.dunning.models import DunningAction, Hold, InvoiceDunning
from encaisse.dunning.services.facts import blocks_on, contact_allowed_from, to_due_row
from encaisse.dunning.services.plans import plan_book_load
from encaisse.ledger.models import Invoice
from encaisse.lib import clock


@dataclass(frozen=True, slots=True)
class StepLine:
    """One step of the invoice's plan, as it stands for this invoice."""

    name: str
    action: str
    on: dt.date
    status: str  # done | planned | to_review | skipped | dropped | cancelled | next | upcoming
    detail: str = ""


@dataclass(slots=True)
class Explanation:
    invoice: Invoice
    plan: Plan | None
    due_on: dt.date
    state: InvoiceDunning | None
    today: Decision
    steps: list[StepLine] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    actions: list[DunningAction] = field(default_factory=list)


def dunning_explain(invoice: Invoice, *, on: dt.date | None = None) -> Explanation:
    """The plan's steps for this invoice (done, skipped, next, upcoming), the
    holds on it, its history, and the decision the engine would take today."""
    today = on or clock.today()
    state = InvoiceDunning.objects.filter(invoice=invoice).first()
    customer = invoice.customer
    row = (
        invoice.pk,
        customer.pk,
        invoice.due_date,
        state.effective_due_on if state else None,
        invoice.balance,
        invoice.status,
        state.last_offset if state else None,
        customer.risk_class,
        customer.status,
        customer.language,
        state.next_action_on if state else None,
    )
    due = to_due_row(row, blocks_on(today, customer_id=customer.pk))
    plan = plan_book_load().plan_for(customer.pk, customer.risk_class)
    allowed = contact_allowed_from([customer.pk]).get(customer.pk)
    decision = decide(due.facts, plan, today, contact_allowed_from=allowed)
    actions = list(
        DunningAction.objects.filter(invoice=invoice)
        .select_related("message")
        .order_by("decided_on", "id")
    )
    explanation = Explanation(invoice, plan, due.facts.due_on, state, decision, actions=actions)
    explanation.holds = [
        hold
        for hold in Hold.objects.filter(customer=customer).order_by("-starts_on")
        if hold.invoice_id in (None, invoice.pk)
    ]
    explanation.steps = _step_lines(explanation, today)
    return explanation


def _step_lines(explanation: Explanation, today: dt.date) -> list[StepLine]:
    if explanation.plan is None:
        return []
    by_step = {a.step_id: a for a in explanation.actions if a.step_id is not None}
    skipped_by_step = {
        entry["step"]: entry["reason"] for a in explanation.actions for entry in a.skipped
    }
    state = explanation.state
    next_id = state.next_step_id if state else None
    lines = []
    for step in explanation.plan.steps:
        on = explanation.due_on + dt.timedelta(days=step.offset_days)
        action = by_step.get(step.id)
        if action is not None:
            status = action.status
            detail = action.status_reason
            on = action.decided_on
        elif step.id in skipped_by_step:
            status, detail = "skipped", skipped_by_step[step.id]
        elif step.id == next_id and state and state.next_action_on:
            status, detail, on = "next", state.reason, state.next_action_on
        else:
            status, detail = "upcoming", ""
        lines.append(StepLine(step.name, step.action, on, status, detail))
    return lines
