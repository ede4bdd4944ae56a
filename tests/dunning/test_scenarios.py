"""Narrative scenarios of SPEC §4.2, through the database, the daily run and delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Task, TaskKind
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import (
    ActionStatus,
    DunningAction,
    DunningMessage,
    InvoiceDunning,
    MessageState,
)
from encaisse.dunning.services.messages import message_approve, message_skip, reminder_send_now
from encaisse.dunning.services.run import RunRefused, dunning_run
from encaisse.ledger.models import Company
from encaisse.ledger.services import payment_record
from tests.conftest import make_customer
from tests.dunning.conftest import invoice_due, messages_to, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def pay(customer, amount: str, on: dt.date, reference: str = "") -> None:  # type: ignore[no-untyped-def]
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal(amount),
        date=on,
        external_key=f"P-{customer.pk}-{on}-{amount}",
        remittance=reference,
    )


def test_an_invoice_goes_through_preventive_reminders_and_a_call_then_stops_when_paid(
    bob: User,
) -> None:
    customer = remindable_customer(bob, "Boulangerie Dupain")
    invoice = invoice_due(customer, DUE, "1200.00")
    with time_machine.travel(at(-5)):
        run_day(at(-5))
    assert [m.subject for m in mail.outbox] == [
        f"{customer_company()} – échéance prochaine de vos factures"
    ]
    assert invoice.number in mail.outbox[0].body
    with time_machine.travel(at(3)):
        run_day(at(3))
    with time_machine.travel(at(10)):
        run_day(at(10))
    assert len(mail.outbox) == 3
    assert "second rappel" in mail.outbox[2].subject
    with time_machine.travel(at(15)):
        report = run_day(at(15))
    assert report.tasks == 1
    task = Task.objects.get(customer=customer)
    assert (task.kind, task.assignee) == (TaskKind.CALL_CORDIAL, bob)
    assert list(task.invoices.all()) == [invoice]
    with time_machine.travel(at(16)):
        pay(customer, "1200.00", at(16), invoice.number)
    for offset in (25, 30, 45):
        with time_machine.travel(at(offset)):
            run_day(at(offset))
    assert len(mail.outbox) == 3  # a paid invoice is never reminded
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.reason, state.next_action_on) == ("settled", None)


def customer_company() -> str:
    return Company.current().legal_name


def test_every_email_has_a_stable_message_id_and_the_customer_contact_as_recipient(
    bob: User,
) -> None:
    customer = remindable_customer(bob, email="factures@dupain.test")
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    message = DunningMessage.objects.get(customer=customer)
    assert sent.to == ["factures@dupain.test"]
    assert sent.extra_headers["Message-ID"] == message.message_id_header
    assert message.state == MessageState.SENT
    assert [a.outcome for a in message.deliveries.all()] == ["sent"]


def test_invoices_due_the_same_day_for_the_same_customer_are_one_message(bob: User) -> None:
    customer = remindable_customer(bob)
    invoices = [invoice_due(customer, DUE, amount) for amount in ("100.00", "200.00", "300.50")]
    other = invoice_due(remindable_customer(bob, email="x@other.test"), DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    assert len(mail.outbox) == 2
    (to_customer,) = [m for m in mail.outbox if m.to == ["compta@client.test"]]
    for invoice in invoices:
        assert invoice.number in to_customer.body
    assert other.number not in to_customer.body
    assert "600,50" in to_customer.body  # the total of the three open balances


def test_catch_up_sends_only_the_latest_step_and_records_the_skipped_ones(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(12)):  # first run long after the due date
        run_day(at(12))
    (sent,) = mail.outbox
    assert "second rappel" in sent.subject
    (action,) = DunningAction.objects.filter(invoice=invoice)
    assert action.step_name == "Relance 2"
    assert [entry["name"] for entry in action.skipped] == ["Rappel préventif", "Relance 1"]
    assert [entry["reason"] for entry in action.skipped] == ["too_late", "caught_up"]


def test_the_minimum_gap_postpones_the_reminder_after_a_manual_one(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(2)):
        reminder_send_now(actor=alice, customer=customer)
        deliveries_process()
    assert len(mail.outbox) == 1
    with time_machine.travel(at(3)):
        report = run_day(at(3))  # gap of 3 days: not before day 5
    assert report.postponed == 1 and len(mail.outbox) == 1
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.reason, state.next_action_on) == ("postponed_gap", at(5))
    with time_machine.travel(at(5)):
        run_day(at(5))
    assert len(mail.outbox) == 2
    assert "arrivées à échéance" in mail.outbox[1].subject  # Relance 1, late but not dropped


def test_running_the_same_date_twice_creates_nothing_new(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        first = run_day(at(3))
        again = run_day(at(3))
    assert first.created and not again.created
    assert DunningMessage.objects.count() == 1 and DunningAction.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_run_cannot_go_back_in_time(bob: User) -> None:
    invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    with pytest.raises(RunRefused):
        dunning_run(run_on=at(2))


def test_a_payment_recorded_after_the_run_drops_the_invoice_from_the_message(bob: User) -> None:
    customer = remindable_customer(bob)
    paid = invoice_due(customer, DUE, "100.00")
    still_open = invoice_due(customer, DUE, "250.00")
    with time_machine.travel(at(3)):
        dunning_run(run_on=at(3))  # decided, not yet delivered
        pay(customer, "100.00", at(3), paid.number)
        deliveries_process()
    (sent,) = mail.outbox
    assert still_open.number in sent.body and paid.number not in sent.body
    dropped = DunningAction.objects.get(invoice=paid)
    assert (dropped.status, dropped.status_reason) == (ActionStatus.DROPPED, "settled")
    assert DunningAction.objects.get(invoice=still_open).status == ActionStatus.DONE


def test_a_message_left_without_invoices_is_cancelled(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "100.00")
    with time_machine.travel(at(3)):
        dunning_run(run_on=at(3))
        pay(customer, "100.00", at(3), invoice.number)
        deliveries_process()
    assert mail.outbox == []
    message = DunningMessage.objects.get(customer=customer)
    assert message.state == MessageState.CANCELLED
    assert [a.outcome for a in message.deliveries.all()] == ["cancelled"]


def test_a_partial_payment_leaves_the_residual_to_chase(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "1000.00")
    with time_machine.travel(at(1)):
        pay(customer, "400.00", at(1), invoice.number)
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert "600,00" in sent.body and "1 000,00" not in sent.body.replace("\u202f", " ")


def test_the_template_follows_the_customer_language(bob: User) -> None:
    english = remindable_customer(bob, "Thames Ltd", language="en")
    invoice_due(english, DUE, "1234.50")
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert sent.subject.endswith("invoices now due")
    assert "Unless we are mistaken" in sent.body
    assert "€1,234.50" in sent.body


def test_a_cordial_step_is_signed_by_the_account_manager_and_answers_to_him(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert sent.reply_to == [bob.email]
    assert str(bob) in sent.body
    assert sent.from_email.startswith(str(bob))


def test_a_customer_without_an_email_contact_fails_and_finance_gets_a_task(bob: User) -> None:
    customer = make_customer(bob, "Sans Contact")
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    message = DunningMessage.objects.get(customer=customer)
    assert message.state == MessageState.FAILED
    task = Task.objects.get(customer=customer, kind=TaskKind.FIX_CONTACT)
    assert task.assignee is None and task.queue == "finance"
    assert mail.outbox == []


def test_messages_to_review_wait_for_approval(alice: User, bob: User) -> None:
    first = remindable_customer(bob, email="a@first.test")
    second = remindable_customer(bob, email="b@second.test")
    invoice_due(first, DUE, "900.00")
    invoice_due(second, DUE, "900.00")
    with time_machine.travel(at(50)):
        run_day(at(50))  # catch-up to the escalation, which the default plan reviews
    assert mail.outbox == []
    one, two = DunningMessage.objects.filter(state=MessageState.TO_REVIEW).order_by("customer")
    with time_machine.travel(at(50)):
        assert message_approve(actor=alice, message=one)
        assert message_skip(actor=alice, message=two)
        deliveries_process()
    assert [m.to for m in mail.outbox] == [["a@first.test"]]
    assert messages_to(second)[0].state == MessageState.CANCELLED
    assert Task.objects.filter(kind=TaskKind.ESCALATE).count() == 2
