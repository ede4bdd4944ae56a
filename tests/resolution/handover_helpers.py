"""Shared set-up for the handover tests: an agency and a customer dunned for weeks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer, Invoice
from encaisse.resolution.models.handover import CollectionAgency
from encaisse.resolution.services.agency import agency_save
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def agency(actor: User, percent: str = "12.50", fixed: str = "40.00") -> CollectionAgency:
    return agency_save(
        actor=actor,
        name="Recouvre & Fils",
        email="dossiers@recouvre.test",
        fee_percent=Decimal(percent),
        fixed_fee=Decimal(fixed),
    )


def dunned_customer(owner: User, days: tuple[int, ...] = (3,)) -> tuple[Customer, list[Invoice]]:
    """A customer with two invoices due on DUE, dunned on each of `days` after DUE."""
    customer = remindable_customer(owner, "Garage Dupuis")
    invoices = [invoice_due(customer, DUE, "1000.00"), invoice_due(customer, DUE, "250.00")]
    for day in days:
        with time_machine.travel(at(day)):
            run_day(at(day))
    for invoice in invoices:
        invoice.refresh_from_db()
    return customer, invoices
