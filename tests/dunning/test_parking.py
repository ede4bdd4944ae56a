"""Invoices parked by their customer's status, and woken when it changes
(services.parking): the daily run does not look at them every day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.dunning.models import CustomerDunning, HoldReason, InvoiceDunning
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.dunning.services.preview import dunning_preview
from encaisse.ledger.models import Customer
from encaisse.ledger.models.customer import CustomerStatus
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def status_set(customer: Customer, status: str) -> None:
    """As an import or the admin would: the ledger knows nothing of dunning."""
    Customer.objects.filter(pk=customer.pk).update(status=status)


def test_a_status_parks_the_invoices_until_it_changes_then_they_are_chased(bob: User) -> None:
    customer = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoices = [invoice_due(customer, DUE), invoice_due(customer, at(2))]
    with time_machine.travel(at(3)):
        report = run_day(at(3))
    assert report.blocked == 2 and mail.outbox == []
    states = InvoiceDunning.objects.filter(invoice__in=invoices)
    assert {(s.reason, s.next_action_on) for s in states} == {("blocked", None)}
    assert CustomerDunning.objects.get(customer=customer).parked_status == "on_hold"
    for day in (4, 5, 6):
        with time_machine.travel(at(day)):
            report = run_day(at(day))
        assert (report.examined, report.woken) == (0, 0)  # not looked at again

    status_set(customer, CustomerStatus.ACTIVE)
    with time_machine.travel(at(7)):
        report = run_day(at(7))
    assert (report.woken, report.examined) == (1, 2)
    assert len(mail.outbox) == 1  # one grouped reminder for both invoices
    assert CustomerDunning.objects.get(customer=customer).parked_status == ""
    assert all(s.next_action_on is not None for s in states.all())


def test_a_change_between_two_stopping_statuses_parks_again_under_the_new_one(
    bob: User,
) -> None:
    customer = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    status_set(customer, CustomerStatus.AGENCY)
    with time_machine.travel(at(4)):
        report = run_day(at(4))
    assert (report.woken, report.examined, report.blocked) == (1, 1, 1)
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.next_action_on, state.reason_params["block"]) == (None, "status:agency")
    assert CustomerDunning.objects.get(customer=customer).parked_status == "agency"
    assert mail.outbox == []


def test_only_the_customers_whose_status_changed_are_woken(bob: User) -> None:
    stays = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoice_due(stays, DUE)
    changes = remindable_customer(bob, email="changes@client.test", status=CustomerStatus.AGENCY)
    woken = invoice_due(changes, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    status_set(changes, CustomerStatus.ACTIVE)
    with time_machine.travel(at(4)):
        report = run_day(at(4))
    assert (report.woken, report.examined) == (1, 1)
    assert [m.to for m in mail.outbox] == [["changes@client.test"]]
    assert InvoiceDunning.objects.get(invoice=woken).reason == "performed"
    assert CustomerDunning.objects.get(customer=stays).parked_status == "on_hold"


def test_a_released_dispute_wakes_its_invoice_whatever_the_parked_customers(
    alice: User, bob: User
) -> None:
    parked = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoice_due(parked, DUE)
    disputed_customer = remindable_customer(bob, email="other@client.test")
    disputed = invoice_due(disputed_customer, DUE)
    with time_machine.travel(at(1)):
        hold = hold_place(
            actor=alice, customer=disputed_customer, invoice=disputed, reason=HoldReason.DISPUTE
        )
    with time_machine.travel(at(3)):
        run_day(at(3))
    with time_machine.travel(at(4)):
        hold_release(actor=alice, hold=hold)
        report = run_day(at(4))
    assert (report.woken, report.examined) == (0, 1)  # only the released invoice
    assert [m.to for m in mail.outbox] == [["other@client.test"]]


def test_the_preview_shows_what_the_next_run_will_wake(bob: User) -> None:
    customer = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    with time_machine.travel(at(4)):
        assert dunning_preview(on=at(4)).groups == []
        status_set(customer, CustomerStatus.ACTIVE)
        (group,) = dunning_preview(on=at(4)).groups
    assert [d.facts.invoice_id for d in group.decisions] == [invoice.pk]
    assert group.step.offset_days == 3  # Relance 1, as the run will send it
    with time_machine.travel(at(4)):
        run_day(at(4))
    assert len(mail.outbox) == 1


def test_a_status_and_a_dispute_park_until_both_are_lifted(alice: User, bob: User) -> None:
    customer = remindable_customer(bob, status=CustomerStatus.ON_HOLD)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(1)):
        hold = hold_place(
            actor=alice, customer=customer, invoice=invoice, reason=HoldReason.DISPUTE
        )
    with time_machine.travel(at(3)):
        run_day(at(3))
    # Parked under the dispute (the invoice's own block comes first): the status
    # change wakes nothing, the dispute's release does.
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.next_action_on, state.reason_params["block"]) == (None, "dispute")
    status_set(customer, CustomerStatus.ACTIVE)
    with time_machine.travel(at(4)):
        report = run_day(at(4))
    assert (report.woken, report.examined) == (0, 0) and mail.outbox == []
    with time_machine.travel(at(5)):
        hold_release(actor=alice, hold=hold)
        run_day(at(5))
    assert len(mail.outbox) == 1
