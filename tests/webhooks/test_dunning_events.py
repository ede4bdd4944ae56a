"""Dunning's events: reminders sent and failed, tasks of the run, invoices overdue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.ledger.models import Contact
from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def events(type_: str) -> list[dict[str, object]]:
    return [e.payload["data"] for e in WebhookEvent.objects.filter(type=type_).order_by("id")]


def test_a_day_of_dunning_emits_sent_reminders_overdue_invoices_and_tasks(
    endpoint: WebhookEndpoint, bob: User
) -> None:
    customer = remindable_customer(bob, "Boulangerie Dupain")
    invoice = invoice_due(customer, DUE, "1200.00")
    with time_machine.travel(at(-5)):
        run_day(at(-5))
    sent = events("dunning.message.sent")
    assert len(sent) == 1 and sent[0]["state"] == "sent" and sent[0]["sent_at"]
    assert sent[0]["customer"] == {"id": customer.pk, "external_key": customer.external_key}
    for offset in (3, 10, 15):
        with time_machine.travel(at(offset)):
            run_day(at(offset))
    assert [data["id"] for data in events("invoice.overdue")] == [invoice.pk]
    assert len(events("dunning.message.sent")) == 3
    calls = events("task.created")
    assert len(calls) == 1 and calls[0]["kind"] == "call_cordial"


def test_a_reminder_that_cannot_be_delivered_emits_failed(
    endpoint: WebhookEndpoint, bob: User
) -> None:
    customer = remindable_customer(bob, "Sans Adresse")
    Contact.objects.filter(customer=customer).update(email="")
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    failed = events("dunning.message.failed")
    assert len(failed) == 1 and failed[0]["state"] == "failed" and failed[0]["error"]
