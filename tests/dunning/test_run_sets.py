"""The run decides in sets (engine.batch, raw loading and writing): the same outcome
as the engine deciding each invoice alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from encaisse.accounts.models import User
from encaisse.collab.models import Task
from encaisse.dunning.engine.decide import decide
from encaisse.dunning.engine.types import Decision
from encaisse.dunning.models import (
    CustomerDunning,
    DunningAction,
    DunningPlan,
    DunningRun,
    DunningStep,
    HoldReason,
    InvoiceDunning,
)
from encaisse.dunning.services.facts import (
    blocks_on,
    contact_allowed_from,
    due_rows,
    enrolment_cutoff,
    new_invoice_rows,
    to_due_row,
)
from encaisse.dunning.services.holds import extension_grant, hold_place
from encaisse.dunning.services.persist import outcomes_write
from encaisse.dunning.services.plans import plan_book_load
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import Company, Invoice
from encaisse.ledger.models.customer import CustomerStatus
from encaisse.ledger.services.records import payment_record
from tests.dunning.conftest import invoice_due, remindable_customer

pytestmark = pytest.mark.django_db
RUN_ON = dt.date(2026, 6, 15)
# Days overdue on RUN_ON (negative: not yet due) and balances on either side
# of the default plan's minimum balances (50.00 for the formal notice, 200.00
# for the hand-over): every step, catch-up and threshold case of the plan.
AGES = (-12, -5, -2, 0, 3, 7, 12, 16, 26, 31, 46, 90)
BALANCES = ("49.99", "50.00", "199.99", "200.00", "1234.56")


def _expected(on: dt.date) -> dict[int, Decision]:
    """What the engine decides for each due or never enrolled invoice (whatever its
    due date), one invoice at a time."""
    blocks, book = blocks_on(on), plan_book_load()
    rows = [to_due_row(row, blocks) for row in [*due_rows(on), *new_invoice_rows(dt.date.max)]]
    allowed = contact_allowed_from(row.facts.customer_id for row in rows)
    return {
        row.facts.invoice_id: decide(
            row.facts,
            book.plan_for(row.facts.customer_id, row.risk_class),
            on,
            contact_allowed_from=allowed.get(row.facts.customer_id),
        )
        for row in rows
    }


def _assert_written(expected: dict[int, Decision], on: dt.date) -> None:
    """The run wrote the engine's decision for every invoice it enrolled or found
    due. Those it left unenrolled are not due under any plan: the engine would
    only have said "wait" (or "blocked", for the customer on hold)."""
    states = InvoiceDunning.objects.in_bulk(list(expected))
    actions = {a.invoice_id: a for a in DunningAction.objects.filter(decided_on=on)}
    cutoff = enrolment_cutoff(on, plan_book_load())
    for invoice_id, decision in expected.items():
        state = states.get(invoice_id)
        if state is None:
            assert decision.facts.due_on > cutoff, invoice_id
            assert decision.reason in {"waiting", "blocked"}, invoice_id
            assert (decision.perform, decision.skipped) == (None, ())
            assert invoice_id not in actions
            continue
        next_step = decision.next_step.id if decision.next_step is not None else None
        assert (state.reason, state.next_action_on, state.next_step_id, state.last_offset) == (
            decision.reason,
            decision.next_action_on,
            next_step,
            decision.last_offset,
        ), invoice_id
        reached = decision.reached
        action = actions.get(invoice_id)
        assert (action.step_id if action else None) == (reached.id if reached else None)
        if action is not None:
            assert (action.status == "skipped") == (decision.perform is None), invoice_id
            assert action.balance == decision.facts.balance
    assert set(actions) <= set(expected)


def test_the_run_decides_every_invoice_as_the_engine_would_one_by_one(
    alice: User, bob: User
) -> None:
    customers = [remindable_customer(bob, email=f"c{n}@client.test") for n in range(4)]
    on_hold = remindable_customer(bob, email="hold@client.test", status=CustomerStatus.ON_HOLD)
    for n, age in enumerate(AGES):
        for m, balance in enumerate(BALANCES):
            customer = customers[(n + m) % len(customers)]
            invoice_due(customer, RUN_ON - dt.timedelta(days=age), balance)
        invoice_due(on_hold, RUN_ON - dt.timedelta(days=age))
    # A second plan for one customer (override), with its own threshold.
    plan = DunningPlan.objects.create(name="Grands comptes")
    DunningStep.objects.create(plan=plan, name="Courriel", offset_days=5, action="email")
    DunningStep.objects.create(
        plan=plan, name="Lettre", offset_days=20, action="letter", min_balance=Decimal("100.00")
    )
    CustomerDunning.objects.create(customer=customers[1], plan=plan)
    # Contacted yesterday: customer-facing steps wait for the minimum gap.
    CustomerDunning.objects.create(
        customer=customers[2], last_contact_on=RUN_ON - dt.timedelta(days=1)
    )
    disputed = Invoice.objects.filter(customer=customers[3]).order_by("due_date").first()
    assert disputed is not None
    with time_machine.travel(RUN_ON - dt.timedelta(days=1)):
        hold_place(actor=alice, customer=customers[3], invoice=disputed, reason=HoldReason.DISPUTE)
        payment_record(
            actor=None,
            customer=customers[0],
            amount=Decimal("60.00"),
            date=RUN_ON - dt.timedelta(days=1),
            external_key="P1",
        )
    with time_machine.travel(RUN_ON):
        expected = _expected(RUN_ON)
        report = dunning_run(run_on=RUN_ON)
    # Enrolled: every open invoice but those due more than 5 days ahead (the
    # default plan starts at J-5; the override plan starts later).
    not_yet = Invoice.objects.filter(due_date__gt=RUN_ON + dt.timedelta(days=5))
    assert report.enrolled == len(expected) - not_yet.count() > 0
    assert not_yet.count() == len(BALANCES) + 1  # the invoices 12 days from their due date
    _assert_written(expected, RUN_ON)
    # The states now exist: the next run updates those that are due.
    later = RUN_ON + dt.timedelta(days=4)
    with time_machine.travel(later):
        expected = _expected(later)
        report = dunning_run(run_on=later)
    assert report.enrolled == 0 and report.examined == len(expected) - not_yet.count() > 0
    _assert_written(expected, later)


def test_a_state_created_while_the_run_decides_gets_the_decision(alice: User, bob: User) -> None:
    """A due-date extension granted between the run's reading and its writing has
    created the state the run was about to create: the decision goes onto it."""
    invoice = invoice_due(remindable_customer(bob), RUN_ON + dt.timedelta(days=20))
    with time_machine.travel(RUN_ON):
        (decision,) = _expected(RUN_ON).values()
        extension_grant(actor=alice, invoice=invoice, due_on=RUN_ON + dt.timedelta(days=40))
        run = DunningRun.objects.create(run_on=RUN_ON)
        enrolled = [(decision, invoice.pk, invoice.customer_id, invoice.balance)]
        outcomes_write(run, [], [], {}, enrolled=enrolled)
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert state.reason == decision.reason == "waiting"
    assert state.next_action_on == decision.next_action_on
    assert state.effective_due_on == RUN_ON + dt.timedelta(days=40)  # the extension stays


def test_tasks_are_titled_in_the_company_language_whatever_the_active_one(bob: User) -> None:
    """Tasks are shared by the team: their title follows the company, not whoever
    (or whichever request's language) started the run."""
    assert Company.current().language == "fr"
    invoice_due(remindable_customer(bob), RUN_ON - dt.timedelta(days=16))  # J+15: the rep's call
    with time_machine.travel(RUN_ON), translation.override("en"):
        dunning_run(run_on=RUN_ON)
    task = Task.objects.get()
    assert task.title == "Appel du commercial – Appel de courtoisie\u00a0: 1 facture échue"


def test_an_invoice_is_enrolled_when_the_earliest_first_step_of_any_plan_comes(
    alice: User, bob: User
) -> None:
    """The default plan starts at J-5: an invoice due in 12 days gets no state, and
    gets its preventive reminder 5 days before its due date. A plan starting at
    J-10 moves the enrolment of every invoice 10 days before its due date."""
    invoice = invoice_due(remindable_customer(bob), RUN_ON + dt.timedelta(days=12))
    assert enrolment_cutoff(RUN_ON, plan_book_load()) == RUN_ON + dt.timedelta(days=5)
    with time_machine.travel(RUN_ON):
        assert dunning_run(run_on=RUN_ON).enrolled == 0
    assert not InvoiceDunning.objects.exists()
    preventive_day = RUN_ON + dt.timedelta(days=7)
    with time_machine.travel(preventive_day):
        report = dunning_run(run_on=preventive_day)
    assert (report.enrolled, report.performed) == (1, 1)
    action = DunningAction.objects.get(invoice=invoice)
    assert (action.step.offset_days, action.decided_on) == (-5, preventive_day)

    early = DunningPlan.objects.create(name="Précoce")
    DunningStep.objects.create(plan=early, name="Tôt", offset_days=-10, action="email")
    assert enrolment_cutoff(RUN_ON, plan_book_load()) == RUN_ON + dt.timedelta(days=10)
