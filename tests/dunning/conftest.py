"""Shared helpers for dunning tests: a customer that can be reminded, and a day of dunning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from encaisse.accounts.models import User
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import DunningMessage
from encaisse.dunning.services.run import RunReport, dunning_run
from encaisse.ledger.models import Contact, Customer, Invoice
from tests.conftest import make_customer, make_invoice


def remindable_customer(
    owner: User | None,
    name: str | None = None,
    *,
    email: str = "compta@client.test",
    **fields: object,
) -> Customer:
    """A customer with one contact who receives reminders."""
    customer = make_customer(owner, name, **fields)
    Contact.objects.create(
        customer=customer, name="Claire Compta", email=email, preferred_for_reminders=True
    )
    return customer


def invoice_due(customer: Customer, due: dt.date, amount: str = "1000.00") -> Invoice:
    return make_invoice(customer, Decimal(amount), issue=due - dt.timedelta(days=30), due=due)


def run_day(on: dt.date) -> RunReport:
    """Run the engine for `on` and deliver what it queued, as the worker would.

    Delivery runs here rather than through the task queue so that a test
    reads top to bottom; the claim/re-validate/send path is the same.
    """
    with transaction.atomic():
        report = dunning_run(run_on=on)
    deliveries_process()
    return report


def messages_to(customer: Customer) -> list[DunningMessage]:
    return list(DunningMessage.objects.filter(customer=customer).order_by("decided_on", "id"))
