"""Due-date extensions: requested, approved or refused by finance; approval moves the reminders."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import InvoiceDunning
from encaisse.dunning.services.explain_report import dunning_report
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models import Extension, ExtensionStatus
from encaisse.resolution.services.extensions import (
    extension_approve,
    extension_refuse,
    extension_request,
)
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.resolution.helpers_promises import at

pytestmark = pytest.mark.django_db
DUE = at(0)
NEW_DUE = at(20)


def test_an_approved_extension_dates_the_next_reminder_from_the_new_due_date(
    alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(1), tick=False):
        before = dunning_report(invoice, on=at(1)).next_step
        extension = extension_request(
            actor=bob, invoice=invoice, due_on=NEW_DUE, reason="Attend le paiement de son client"
        )
        extension_approve(actor=alice, extension=extension, comment="OK une fois")
        after = dunning_report(invoice, on=at(1)).next_step
    assert before is not None and before.on == DUE + dt.timedelta(days=3)  # first reminder
    # the plan restarts from the new date: its preventive step, 5 days before
    assert after is not None and after.on == NEW_DUE - dt.timedelta(days=5)
    assert InvoiceDunning.objects.get(invoice=invoice).effective_due_on == NEW_DUE
    with time_machine.travel(at(5), tick=False):
        run_day(at(5))
    assert mail.outbox == []  # the old date's reminder is not sent
    with time_machine.travel(at(23), tick=False):
        run_day(at(23))
    (sent,) = mail.outbox
    assert invoice.number in sent.body


def test_the_decision_and_its_author_are_in_the_timeline(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(1), tick=False):
        extension = extension_request(actor=bob, invoice=invoice, due_on=NEW_DUE, reason="Travaux")
        extension_refuse(actor=alice, extension=extension, comment="Déjà deux reports")
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REFUSED and extension.decided_by == alice
    refused = Activity.objects.get(verb="resolution.extension.refused", invoice=invoice)
    assert refused.actor == alice and refused.payload["comment"] == "Déjà deux reports"
    requested = Activity.objects.get(verb="resolution.extension.requested", invoice=invoice)
    assert requested.actor == bob
    assert not InvoiceDunning.objects.filter(invoice=invoice, effective_due_on__isnull=False)


def test_a_request_is_decided_once(alice: User, ada: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(1), tick=False):
        extension = extension_request(actor=bob, invoice=invoice, due_on=NEW_DUE, reason="x")
        extension_approve(actor=alice, extension=extension)
        with pytest.raises(Conflict):
            extension_refuse(actor=ada, extension=extension, comment="non")
    assert Activity.objects.filter(verb__startswith="resolution.extension.").count() == 2


@pytest.mark.parametrize("offset", [0, -3])
def test_a_date_not_after_the_due_date_is_refused(bob: User, offset: int) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(1), tick=False), pytest.raises(ValidationFailed) as error:
        extension_request(actor=bob, invoice=invoice, due_on=at(offset), reason="x")
    assert list(error.value.errors) == ["due_on"]
    assert not Extension.objects.exists()


def test_the_current_due_date_is_the_extended_one(alice: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(1), tick=False):
        first = extension_request(actor=bob, invoice=invoice, due_on=NEW_DUE, reason="x")
        extension_approve(actor=alice, extension=first)
        with pytest.raises(ValidationFailed) as error:
            extension_request(actor=bob, invoice=invoice, due_on=at(15), reason="y")
    assert "due_on" in error.value.errors


def test_a_second_pending_request_is_refused(bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(1), tick=False):
        extension_request(actor=bob, invoice=invoice, due_on=NEW_DUE, reason="x")
        with pytest.raises(ValidationFailed) as error:
            extension_request(actor=bob, invoice=invoice, due_on=at(30), reason="y")
    assert list(error.value.errors) == [""]
    assert Extension.objects.count() == 1


def test_refusing_needs_a_comment(alice: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(1), tick=False):
        extension = extension_request(actor=bob, invoice=invoice, due_on=NEW_DUE, reason="x")
        with pytest.raises(ValidationFailed) as error:
            extension_refuse(actor=alice, extension=extension, comment="  ")
    assert list(error.value.errors) == ["comment"]
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING
