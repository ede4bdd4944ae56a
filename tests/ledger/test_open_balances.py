"""Customers' open balances, recomputed set-based: right values, and a cost that does
not grow with the ledger when a few customers change (each API push recomputes its own)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.ledger.services.balances import PER_CUSTOMER_UP_TO, open_balances_recompute
from tests.conftest import make_customer, make_invoice


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Test tables are a few rows, where a scan is as cheap as anything: ask which
            # index the planner reaches the invoices through when it may not scan.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


def _ledger(bob: User) -> tuple[Customer, Customer, Customer]:
    """Open, partially paid, paid and cancelled invoices, and a customer without any."""
    first, second, empty = make_customer(bob), make_customer(bob), make_customer(bob)
    make_invoice(first, "100.10")
    make_invoice(first, "20.05")
    partly = make_invoice(second, "50.00")
    Invoice.objects.filter(pk=partly.pk).update(
        balance=Decimal("12.34"), status=InvoiceStatus.PARTIALLY_PAID
    )
    for status in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED):
        settled = make_invoice(second, "999.00")
        Invoice.objects.filter(pk=settled.pk).update(balance=Decimal("0"), status=status)
    Customer.objects.update(open_balance=Decimal("777.00"))
    return first, second, empty


@pytest.mark.django_db
@pytest.mark.parametrize("many", [False, True], ids=["a few customers", "many customers"])
def test_open_balances_sum_the_open_and_partially_paid_invoices(
    bob: User, many: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, empty = _ledger(bob)
    if many:  # the aggregate over all invoices, as a large file import runs it
        monkeypatch.setattr("encaisse.ledger.services.balances.PER_CUSTOMER_UP_TO", 0)
    open_balances_recompute([first.pk, second.pk, empty.pk])
    balances = dict(Customer.objects.values_list("pk", "open_balance"))
    assert balances == {
        first.pk: Decimal("120.15"),
        second.pk: Decimal("12.34"),
        empty.pk: Decimal("0.00"),
    }


@pytest.mark.django_db
def test_a_customer_whose_balance_is_right_is_not_rewritten(bob: User) -> None:
    first, _second, _empty = _ledger(bob)
    open_balances_recompute([first.pk])
    before = Customer.objects.get(pk=first.pk).updated_at
    open_balances_recompute([first.pk])
    assert Customer.objects.get(pk=first.pk).updated_at == before


@pytest.mark.django_db
def test_a_few_customers_read_their_own_invoices_not_every_open_one(bob: User) -> None:
    """Without statistics (a ledger loaded by API calls) PostgreSQL reached the invoices
    through the (status, due_date) index: every open invoice of the ledger, each call."""
    first, second, _empty = _ledger(bob)
    ids = [first.pk, second.pk]
    assert len(ids) <= PER_CUSTOMER_UP_TO
    with CaptureQueriesContext(connection) as queries:
        open_balances_recompute(ids)
    (update,) = [q["sql"] for q in queries.captured_queries if "UPDATE" in q["sql"]]
    plan = _plan(update)
    assert "invoice_customer_due" in plan
    assert "invoice_status_due" not in plan
    assert "SCAN i" not in plan and "Seq Scan on ledger_invoice" not in plan
