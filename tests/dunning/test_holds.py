"""Each block of SPEC §4.2 stops reminders for what it covers, and only that."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Activity, Task, TaskKind
from encaisse.dunning.models import HoldReason, InvoiceDunning
from encaisse.dunning.services.holds import (
    extension_grant,
    hold_place,
    hold_release,
    promise_hold,
)
from encaisse.ledger.models.customer import CustomerStatus
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def test_a_dispute_blocks_the_disputed_invoice_only(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    disputed = invoice_due(customer, DUE, "500.00")
    other = invoice_due(customer, DUE, "300.00")
    with time_machine.travel(at(1)):
        hold_place(
            actor=alice, customer=customer, invoice=disputed, reason=HoldReason.DISPUTE, note="prix"
        )
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert other.number in sent.body and disputed.number not in sent.body
    state = InvoiceDunning.objects.get(invoice=disputed)
    assert state.reason == "blocked" and state.reason_params["block"] == "dispute"
    assert state.next_action_on is None  # until the dispute is resolved
    assert Activity.objects.filter(verb="dunning.hold.placed", invoice=disputed).exists()


def test_releasing_a_hold_resumes_dunning_at_the_next_run(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(1)):
        hold = hold_place(
            actor=alice, customer=customer, invoice=invoice, reason=HoldReason.DISPUTE
        )
    with time_machine.travel(at(3)):
        run_day(at(3))
    assert mail.outbox == []
    with time_machine.travel(at(6)):
        assert hold_release(actor=alice, hold=hold)
        run_day(at(6))
    (sent,) = mail.outbox
    assert invoice.number in sent.body


def test_a_promise_blocks_until_the_promised_date_plus_grace_days(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(2)):
        hold = promise_hold(actor=bob, customer=customer, promised_on=at(8))
    assert hold.ends_on == at(11)  # 3 grace days by default
    with time_machine.travel(at(3)):
        run_day(at(3))
    with time_machine.travel(at(11)):
        run_day(at(11))
    assert mail.outbox == []
    with time_machine.travel(at(12)):  # promise broken: dunning resumes, latest step only
        run_day(at(12))
    (sent,) = mail.outbox
    assert "second rappel" in sent.subject


@pytest.mark.parametrize(
    "reason", [HoldReason.CUSTOMER_HOLD, HoldReason.INSTALMENT_PLAN, HoldReason.AGENCY]
)
def test_a_customer_level_hold_blocks_every_invoice_of_the_customer(
    alice: User, bob: User, reason: str
) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    invoice_due(customer, at(-2))
    untouched = remindable_customer(bob, email="other@client.test")
    invoice_due(untouched, DUE)
    with time_machine.travel(at(1)):
        hold_place(actor=alice, customer=customer, reason=reason)
    with time_machine.travel(at(3)):
        report = run_day(at(3))
    assert report.blocked == 2
    assert [m.to for m in mail.outbox] == [["other@client.test"]]


def test_insolvency_blocks_and_asks_finance_to_declare_the_claim_within_two_months(
    alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(1)):
        hold_place(actor=alice, customer=customer, reason=HoldReason.INSOLVENCY)
    with time_machine.travel(at(3)):
        run_day(at(3))
    assert mail.outbox == []
    task = Task.objects.get(customer=customer, kind=TaskKind.DECLARE_CLAIM)
    assert task.due_on == at(1) + dt.timedelta(days=60)


def test_a_customer_whose_status_is_on_hold_is_not_reminded(bob: User) -> None:
    customer = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        report = run_day(at(3))
    assert report.blocked == 1 and mail.outbox == []
    customer.status = CustomerStatus.ACTIVE
    customer.save(update_fields=["status"])
    with time_machine.travel(at(4)):  # looked at again the next day
        run_day(at(4))
    assert len(mail.outbox) == 1


def test_an_extension_moves_the_dates_of_the_remaining_steps(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(-5)):
        run_day(at(-5))  # preventive reminder sent
    with time_machine.travel(at(-1)):
        extension_grant(actor=alice, invoice=invoice, due_on=at(20))
        run_day(at(-1))
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert state.next_action_on == at(23)  # Relance 1 at the new due date + 3
    with time_machine.travel(at(3)):
        run_day(at(3))
    assert len(mail.outbox) == 1  # only the preventive one so far
    with time_machine.travel(at(23)):
        run_day(at(23))
    assert len(mail.outbox) == 2


def test_a_hold_released_before_it_starts_to_matter_blocks_nothing(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(1)):
        hold = hold_place(actor=alice, customer=customer, reason=HoldReason.OTHER, ends_on=at(30))
        hold_release(actor=alice, hold=hold)
    with time_machine.travel(at(3)):
        run_day(at(3))
    assert len(mail.outbox) == 1


def test_a_reminder_after_an_extension_shows_the_extended_due_date(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(-1)):
        extension_grant(actor=alice, invoice=invoice, due_on=at(30))
        run_day(at(-1))
    with time_machine.travel(at(33)):
        run_day(at(33))
    (sent,) = [m for m in mail.outbox if "arrivées à échéance" in m.subject]
    assert at(30).strftime("%d/%m/%Y") in sent.body and DUE.strftime("%d/%m/%Y") not in sent.body


def test_an_extension_granted_after_the_decision_stops_the_reminder(alice: User, bob: User) -> None:
    from encaisse.dunning.delivery.tasks import deliveries_process
    from encaisse.dunning.models import DunningAction
    from encaisse.dunning.services.run import dunning_run

    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        dunning_run(run_on=at(3))  # Relance 1 decided, not yet delivered
        extension_grant(actor=alice, invoice=invoice, due_on=at(30))
        deliveries_process()
    assert mail.outbox == []
    action = DunningAction.objects.get(invoice=invoice)
    assert (action.status, action.status_reason) == ("dropped", "extended")


def test_a_second_extension_cannot_bring_the_due_date_back(alice: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(-1)):
        extension_grant(actor=alice, invoice=invoice, due_on=at(30))
        with pytest.raises(ValueError):
            extension_grant(actor=alice, invoice=invoice, due_on=at(20))
