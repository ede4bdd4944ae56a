"""Why an invoice is where it is, and what happens next (SPEC §1.4, §4.2).

Every page that explains dunning — the invoice panel, the customer page,
"send a reminder now" — reads the decision the engine would take today, with
the same facts as the run and the preview (holds, cash on account, go-live
policy, minimum gap). The stored state only says what the last run did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from encaisse.dunning.engine.batch import Decider
from encaisse.dunning.engine.types import Decision, Plan, Step
from encaisse.dunning.models import DunningAction, DunningSettings, Hold, InvoiceDunning
from encaisse.dunning.services.facts import blocks_on, contact_allowed_from, to_due_row
from encaisse.dunning.services.go_live import go_live_of
from encaisse.dunning.services.plans import plan_book_load
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.net_position import cash_on_account, invoice_cover
from encaisse.lib import clock

ZERO = Decimal("0.00")
# Decisions under which no step has a date: the invoice waits for something
# else than the calendar (a hold, the cash on account, the go-live policy).
WAITING_FOR_SOMETHING = frozenset({"blocked", "covered", "go_live_held"})
# Decisions after which the plan holds nothing more for the invoice.
FINISHED = frozenset({"settled", "no_plan", "plan_complete", "escalated"})


@dataclass(frozen=True, slots=True)
class StepLine:
    """One step of the invoice's plan, as it stands for this invoice.

    status: done | planned | to_review | skipped | dropped | cancelled (what
    happened), next (what the next run does, on `on`), will_skip (the next
    run passes over it: a later step is due too), held (its date has come
    but something holds the invoice: `detail` says what), not_needed (the
    invoice no longer needs it), upcoming (its date is in the future).
    """

    name: str
    action: str
    on: dt.date
    status: str
    detail: str = ""


@dataclass(slots=True)
class Explanation:
    invoice: Invoice
    plan: Plan | None
    due_on: dt.date
    state: InvoiceDunning | None
    today: Decision
    on: dt.date
    steps: list[StepLine] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    actions: list[DunningAction] = field(default_factory=list)
    cover: Decimal = ZERO  # the part of the balance the customer's cash on account covers
    on_account: Decimal = ZERO  # the customer's cash on account, in the invoice's currency

    @property
    def net(self) -> Decimal:
        """The amount dunning chases on this invoice."""
        return self.invoice.balance - self.cover if self.invoice.is_open else ZERO

    @property
    def next_step(self) -> StepLine | None:
        """The step the engine performs next, with its date; None when the invoice
        waits for something other than a date, or has nothing left to do."""
        return next((line for line in self.steps if line.status == "next"), None)

    @property
    def waiting_for(self) -> str:
        """What the invoice waits for when no step has a date ("" if one has)."""
        reason = self.today.reason
        if reason in WAITING_FOR_SOMETHING or reason in FINISHED:
            return reason
        return ""


@dataclass(frozen=True, slots=True)
class Outlook:
    """Today's decision for one invoice, with the facts pages show beside it."""

    decision: Decision
    state: InvoiceDunning | None
    plan: Plan | None
    cover: Decimal  # the part of the balance the customer's cash on account covers
    on_account: Decimal  # the customer's cash on account, in the invoice's currency
    ceiling: int | None  # the go-live ceiling that applies to it (None: no limit)

    @property
    def net(self) -> Decimal:
        facts = self.decision.facts
        return facts.balance - self.cover if facts.is_open else ZERO


def dunning_outlook(
    customer: Customer, invoices: Sequence[Invoice], *, on: dt.date
) -> dict[int, Outlook]:
    """Today's decision for some invoices of one customer, from the same facts as
    the run: holds, cash on account, go-live policy, minimum gap (a fixed number
    of queries, whatever the number of invoices)."""
    states = InvoiceDunning.objects.in_bulk([invoice.pk for invoice in invoices])
    blocks = blocks_on(on, customer_id=customer.pk)
    plan = plan_book_load().plan_for(customer.pk, customer.risk_class)
    allowed = contact_allowed_from([customer.pk]).get(customer.pk)
    cash = cash_on_account([customer.pk])
    covers = invoice_cover(cash=cash)
    decider = Decider(on, go_live_of(DunningSettings.current()))
    outlooks = {}
    for invoice in invoices:
        state = states.get(invoice.pk)
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
        f = to_due_row(row, blocks).facts
        cover = covers.get(invoice.pk, ZERO) if invoice.is_open else ZERO
        facts = decider.facts(
            f.invoice_id,
            f.customer_id,
            f.due_on,
            f.balance,
            f.is_open,
            f.last_offset,
            f.block,
            cover,
        )
        outlooks[invoice.pk] = Outlook(
            decider.outcome(plan, facts, allowed),
            state,
            plan,
            cover,
            cash.get((customer.pk, invoice.currency), ZERO),
            decider.go_live.ceiling if facts.backlog else None,
        )
    return outlooks


def dunning_explain(invoice: Invoice, *, on: dt.date | None = None) -> Explanation:
    """The plan's steps for this invoice, the holds on it, its history, and the
    decision the engine would take today."""
    today = on or clock.today()
    customer = invoice.customer
    outlook = dunning_outlook(customer, [invoice], on=today)[invoice.pk]
    actions = list(
        DunningAction.objects.filter(invoice=invoice)
        .select_related("message")
        .order_by("decided_on", "id")
    )
    explanation = Explanation(
        invoice,
        outlook.plan,
        outlook.decision.facts.due_on,
        outlook.state,
        outlook.decision,
        today,
        actions=actions,
        cover=outlook.cover,
        on_account=outlook.on_account,
    )
    explanation.holds = [
        hold
        for hold in Hold.objects.filter(customer=customer).order_by("-starts_on")
        if hold.invoice_id in (None, invoice.pk)
    ]
    explanation.steps = _step_lines(explanation, outlook.ceiling)
    return explanation


def _step_lines(explanation: Explanation, ceiling: int | None) -> list[StepLine]:
    """Each step of the plan: what happened to it, else what today's decision says of it."""
    if explanation.plan is None:
        return []
    by_step = {a.step_id: a for a in explanation.actions if a.step_id is not None}
    skipped_by_step = {
        entry["step"]: entry["reason"] for a in explanation.actions for entry in a.skipped
    }
    lines = []
    for step in explanation.plan.steps:
        action = by_step.get(step.id)
        if action is not None:
            lines.append(
                StepLine(
                    step.name, step.action, action.decided_on, action.status, action.status_reason
                )
            )
        elif step.id in skipped_by_step:
            on = explanation.due_on + dt.timedelta(days=step.offset_days)
            lines.append(StepLine(step.name, step.action, on, "skipped", skipped_by_step[step.id]))
        else:
            lines.append(_pending_line(step, explanation, ceiling))
    return lines


def _pending_line(step: Step, explanation: Explanation, ceiling: int | None) -> StepLine:
    """A step nothing has happened to yet, read from today's decision."""
    decision, today = explanation.today, explanation.on
    on = explanation.due_on + dt.timedelta(days=step.offset_days)

    def line(status: str, detail: str = "", when: dt.date = on) -> StepLine:
        return StepLine(step.name, step.action, when, status, detail)

    if decision.perform is not None and decision.perform.id == step.id:
        return line("next", when=today)
    skip = next((s for s in decision.skipped if s.step.id == step.id), None)
    if skip is not None:
        return line("will_skip", skip.reason)
    if decision.reason in FINISHED:
        return line("not_needed", decision.reason)
    if ceiling is not None and step.offset_days > ceiling:
        return line("held", "go_live_held")
    if decision.reason in WAITING_FOR_SOMETHING:
        return line("held" if on <= today else "upcoming", decision.reason)
    upcoming = decision.next_step
    if upcoming is not None and upcoming.id == step.id and decision.next_action_on is not None:
        return line("next", decision.reason, decision.next_action_on)
    if decision.last_offset is not None and step.offset_days <= decision.last_offset:
        return line("not_needed", "caught_up")
    return line("upcoming")
