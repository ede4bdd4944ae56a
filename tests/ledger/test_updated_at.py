"""`updated_at` moves with every write that changes a row, and only then (the API's
"updated since" lists read it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from encaisse.ledger.models import Allocation, Customer, Invoice, Payment
from encaisse.ledger.services import (
    allocation_reverse,
    balances_recompute,
    payment_record,
)
from tests.conftest import make_customer, make_invoice
from tests.imports.helpers import run
from tests.imports.records_helpers import push

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def stamp(obj: object) -> dt.datetime:
    model = type(obj)
    return model.objects.values_list("updated_at", flat=True).get(pk=obj.pk)  # type: ignore[attr-defined]


def test_a_payment_allocated_by_the_service_stamps_what_it_changes(
    clock: time_machine.Traveller,
) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    other = make_invoice(customer, "50.00")
    assert stamp(customer) == stamp(invoice) == T0
    clock.move_to(T1)
    payment = payment_record(
        actor=None, customer=customer, amount=Decimal("100.00"), date=dt.date(2026, 3, 1),
        external_key="P1", remittance=f"Facture {invoice.number}",
    )  # fmt: skip
    assert Invoice.objects.get(pk=invoice.pk).balance == 0
    assert stamp(invoice) == stamp(payment) == stamp(customer) == T1
    assert stamp(other) == T0  # untouched


def test_a_reversal_stamps_the_allocation_it_undoes(clock: time_machine.Traveller) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    payment_record(
        actor=None, customer=customer, amount=Decimal("100.00"), date=dt.date(2026, 3, 1),
        external_key="P1", remittance=f"Facture {invoice.number}",
    )  # fmt: skip
    allocation = Allocation.objects.get()
    assert stamp(allocation) == T0
    clock.move_to(T1)
    reversal = allocation_reverse(actor=None, allocation=allocation, reason="wrong customer")
    assert stamp(allocation) == stamp(reversal) == stamp(invoice) == T1
    assert stamp(Payment.objects.get()) == stamp(customer) == T1


def test_a_partial_save_of_a_customer_stamps_it(clock: time_machine.Traveller) -> None:
    customer = make_customer(None)
    clock.move_to(T1)
    customer.name = "Renamed"
    customer.save(update_fields=["name"])
    assert stamp(customer) == T1


def test_a_recomputation_that_changes_nothing_stamps_nothing(
    clock: time_machine.Traveller,
) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    other = make_invoice(customer, "80.00")
    clock.move_to(T1)
    balances_recompute()
    assert stamp(invoice) == stamp(other) == stamp(customer) == T0
    # A drifted balance is put right, and only its row (and its customer's) is stamped.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_invoice SET balance = 1 WHERE id = %s", [invoice.pk])
        cursor.execute("UPDATE ledger_customer SET open_balance = 81 WHERE id = %s", [customer.pk])
    balances_recompute()
    assert Invoice.objects.get(pk=invoice.pk).balance == Decimal("100.00")
    assert stamp(invoice) == stamp(customer) == T1
    assert stamp(other) == T0


CUSTOMERS = "external_key;name\nC1;Dupont\nC2;Martin\n"
INVOICES = "number;customer_key;issue_date;amount\nF1;C1;2026-01-10;100,00\nF2;C2;2026-01-10;50\n"


def test_csv_imports_stamp_created_and_updated_rows_only(clock: time_machine.Traveller) -> None:
    run("customers", CUSTOMERS)
    run("invoices", INVOICES)
    f1, f2 = Invoice.objects.get(number="F1"), Invoice.objects.get(number="F2")
    assert stamp(f1) == stamp(f2) == T0
    clock.move_to(T1)
    run("invoices", INVOICES.replace("F2;C2;2026-01-10;50", "F2;C2;2026-01-11;50"))
    assert stamp(f1) == T0 and stamp(f2) == T1
    payments = "external_key;customer_key;date;amount;invoice_numbers\nP1;C1;2026-03-01;40;F1\n"
    report = run("payments", payments)
    assert report.status == "applied", report.errors
    assert stamp(f1) == stamp(Payment.objects.get()) == stamp(Allocation.objects.get()) == T1
    assert stamp(Customer.objects.get(external_key="C1")) == T1


def test_contacts_added_by_an_import_are_stamped(clock: time_machine.Traveller) -> None:
    run("customers", "external_key;name;contact_email\nC1;Dupont;a@dupont.test\n")
    contact = Customer.objects.get().contacts.get()
    assert (contact.created_at, contact.updated_at) == (T0, T0)


def test_an_api_push_stamps_what_it_changes(clock: time_machine.Traveller) -> None:
    run("customers", CUSTOMERS)
    records = [
        {"number": "F1", "customer_key": "C1", "issue_date": "2026-01-10", "amount": "100"},
        {"number": "F2", "customer_key": "C2", "issue_date": "2026-01-10", "amount": "50"},
    ]
    push("invoices", records)
    clock.move_to(T1)
    records[1]["po_reference"] = "PO-9"
    result = push("invoices", records)
    assert [r.outcome for r in result.records] == ["unchanged", "updated"]
    assert stamp(Invoice.objects.get(number="F1")) == T0
    assert stamp(Invoice.objects.get(number="F2")) == T1
