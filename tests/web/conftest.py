"""Ledger objects for bob's and carol's portfolios, shared by the web tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.http import HttpRequest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer, Invoice, Payment
from encaisse.ledger.services import contact_create, credit_note_record, payment_record
from tests.conftest import PASSWORD, make_invoice
from tests.web.dunning_samples import Messages, messages_for

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def frozen_today(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Time stands still on TODAY; files (PDFs) go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(TODAY, tick=False):
        yield


@dataclass
class Portfolio:
    customer: Customer
    invoice: Invoice
    paid_invoice: Invoice
    payment: Payment


def build_portfolio(customer: Customer, prefix: str) -> Portfolio:
    """An overdue invoice, an invoice settled by a payment, a credit note, a contact."""
    contact_create(
        actor=None,
        customer=customer,
        name=f"{prefix} Compta",
        email=f"compta@{prefix.lower()}.test",
        preferred_for_reminders=True,
    )
    invoice = make_invoice(customer, "1200.00", number=f"{prefix}-OVERDUE")
    paid = make_invoice(customer, "300.00", number=f"{prefix}-PAID", due=dt.date(2026, 2, 20))
    payment = payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("450.00"),
        date=dt.date(2026, 2, 25),
        external_key=f"{prefix}-PAY",
        bank_reference=f"VIR {prefix}-PAID",
    )
    credit_note_record(
        actor=None,
        customer=customer,
        number=f"{prefix}-AV",
        amount=Decimal("100.00"),
        issue_date=dt.date(2026, 3, 1),
        invoice=invoice,
    )
    invoice.refresh_from_db()
    paid.refresh_from_db()
    return Portfolio(customer=customer, invoice=invoice, paid_invoice=paid, payment=payment)


@pytest.fixture
def bobs(bobs_customer: Customer) -> Portfolio:
    return build_portfolio(bobs_customer, "BOB")


@pytest.fixture
def carols(carols_customer: Customer) -> Portfolio:
    return build_portfolio(carols_customer, "CAROL")


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    def as_user(user: User) -> Client:
        # django-axes needs the request that signs in: a blank one stands for it.
        assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
        return client

    return as_user


@pytest.fixture
def bob_messages(bobs: Portfolio) -> Messages:
    """A message to review, a failed one and a sent formal notice for Bob's customer."""
    return messages_for(bobs.customer, bobs.invoice)
