"""Undoing an allocation: an append-only reversal that puts every derived figure back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from encaisse.collab.models import Activity
from encaisse.ledger.models import Allocation, Customer, Invoice, Payment
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.ledger.services import (
    AllocationError,
    allocation_create,
    allocation_reverse,
    balances_recompute,
    payment_record,
)
from tests.conftest import make_customer, make_invoice
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read the services' messages in English, their source language
    (French is the default; tests/test_translations.py checks the catalogue)."""
    with translation.override("en"):
        yield


D = Decimal


def pay(customer: Customer, amount: str, on: dt.date, key: str) -> Payment:
    return payment_record(
        actor=None, customer=customer, amount=D(amount), date=on, external_key=key, strategy=None
    )


def snapshot() -> list[tuple[object, ...]]:
    return [
        *Invoice.objects.order_by("pk").values_list("pk", "balance", "status", "paid_on"),
        *Payment.objects.order_by("pk").values_list("pk", "allocated"),
        *Customer.objects.order_by("pk").values_list("pk", "open_balance"),
    ]


def test_undo_reopens_the_invoice_and_puts_the_money_back_on_account(alice) -> None:  # type: ignore[no-untyped-def]
    customer = make_customer(None)
    invoice = make_invoice(customer, "120.00")
    payment = pay(customer, "150.00", dt.date(2026, 2, 1), "P1")
    allocation = allocation_create(actor=None, invoice=invoice, amount=D("120.00"), payment=payment)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (InvoiceStatus.PAID, dt.date(2026, 2, 1))

    reversal = allocation_reverse(actor=alice, allocation=allocation, reason="wrong customer")

    invoice.refresh_from_db()
    payment.refresh_from_db()
    customer.refresh_from_db()
    assert (invoice.balance, invoice.status, invoice.paid_on) == (D("120.00"), "open", None)
    assert payment.allocated == D("0.00")
    assert customer.open_balance == D("120.00")
    assert (reversal.amount, reversal.reverses_id, reversal.note) == (
        D("-120.00"),
        allocation.pk,
        "wrong customer",
    )
    assert Allocation.objects.count() == 2  # nothing deleted, nothing edited
    assert Allocation.objects.get(pk=allocation.pk).amount == D("120.00")
    activity = Activity.objects.get(verb="ledger.allocation.reversed")
    assert (activity.invoice_id, activity.actor, activity.payload["reason"]) == (
        invoice.pk,
        alice,
        "wrong customer",
    )
    before = snapshot()
    balances_recompute()
    assert snapshot() == before


def test_undoing_one_of_two_allocations_leaves_the_invoice_partially_paid() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    first = pay(customer, "30.00", dt.date(2026, 2, 1), "P1")
    second = pay(customer, "70.00", dt.date(2026, 2, 5), "P2")
    allocation_create(actor=None, invoice=invoice, amount=D("30.00"), payment=first)
    last = allocation_create(actor=None, invoice=invoice, amount=D("70.00"), payment=second)
    allocation_reverse(actor=None, allocation=last, reason="duplicate")
    invoice.refresh_from_db()
    assert (invoice.balance, invoice.status, invoice.paid_on) == (
        D("70.00"),
        "partially_paid",
        None,
    )
    before = snapshot()
    balances_recompute()
    assert snapshot() == before


def test_an_allocation_is_reversed_once_and_a_reversal_never() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    payment = pay(customer, "100.00", dt.date(2026, 2, 1), "P1")
    allocation = allocation_create(actor=None, invoice=invoice, amount=D("40.00"), payment=payment)
    reversal = allocation_reverse(actor=None, allocation=allocation, reason="oops")
    with pytest.raises(AllocationError, match="already been undone"):
        allocation_reverse(actor=None, allocation=allocation, reason="again")
    with pytest.raises(AllocationError, match="cannot be undone"):
        allocation_reverse(actor=None, allocation=reversal, reason="undo the undo")
    with pytest.raises(AllocationError, match="Say why"):
        allocation_reverse(actor=None, allocation=allocation, reason="   ")
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert (invoice.balance, payment.allocated) == (D("100.00"), D("0.00"))


def test_the_database_refuses_what_the_service_would_not_write() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    payment = pay(customer, "100.00", dt.date(2026, 2, 1), "P1")
    allocation = allocation_create(actor=None, invoice=invoice, amount=D("40.00"), payment=payment)
    fields = {"invoice": invoice, "payment": payment, "currency": "EUR"}
    for amount, reverses in ((D("-5.00"), None), (D("5.00"), allocation)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Allocation.objects.create(amount=amount, reverses=reverses, **fields)
    allocation_reverse(actor=None, allocation=allocation, reason="first")
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(amount=D("-40.00"), reverses=allocation, **fields)


def test_a_later_partial_payment_dates_the_settlement_as_balances_recompute_does() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    late = pay(customer, "60.00", dt.date(2026, 3, 10), "LATE")
    early = pay(customer, "40.00", dt.date(2026, 2, 1), "EARLY")
    allocation_create(actor=None, invoice=invoice, amount=D("60.00"), payment=late)
    allocation_create(actor=None, invoice=invoice, amount=D("40.00"), payment=early)
    invoice.refresh_from_db()
    assert invoice.paid_on == dt.date(2026, 3, 10)
    before = snapshot()
    balances_recompute()
    assert snapshot() == before


def test_an_undone_payment_does_not_date_the_settlement() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    wrong = pay(customer, "100.00", dt.date(2026, 3, 10), "WRONG")
    right = pay(customer, "100.00", dt.date(2026, 2, 1), "RIGHT")
    undone = allocation_create(actor=None, invoice=invoice, amount=D("100.00"), payment=wrong)
    allocation_reverse(actor=None, allocation=undone, reason="other customer's transfer")
    allocation_create(actor=None, invoice=invoice, amount=D("100.00"), payment=right)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", dt.date(2026, 2, 1))
    before = snapshot()
    balances_recompute()
    assert snapshot() == before


def test_a_csv_payment_after_an_undo_is_dated_by_the_live_allocations_only() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00", number="FA-1")
    wrong = pay(customer, "30.00", dt.date(2026, 3, 10), "WRONG")
    undone = allocation_create(actor=None, invoice=invoice, amount=D("30.00"), payment=wrong)
    allocation_reverse(actor=None, allocation=undone, reason="not for this invoice")
    report = run(
        "payments",
        "external_key;customer_key;date;amount;invoice_numbers\n"
        f"BANK1;{customer.external_key};2026-02-01;100,00;FA-1\n",
    )
    assert report.status == "applied", report.errors
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", dt.date(2026, 2, 1))
    before = snapshot()
    balances_recompute()
    assert snapshot() == before


def test_a_written_off_invoice_cannot_reopen() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    payment = pay(customer, "40.00", dt.date(2026, 2, 1), "P1")
    allocation = allocation_create(actor=None, invoice=invoice, amount=D("40.00"), payment=payment)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.WRITTEN_OFF)
    with pytest.raises(AllocationError, match="cannot reopen"):
        allocation_reverse(actor=None, allocation=allocation, reason="late")
    payment.refresh_from_db()
    assert payment.allocated == D("40.00")
    assert not Allocation.objects.filter(reverses__isnull=False).exists()
