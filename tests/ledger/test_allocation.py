"""Allocation services: SPEC §2 invariants under explicit, reference and oldest-first allocation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.ledger.models import Allocation, Customer, Invoice, Payment
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.ledger.services import (
    AllocationError,
    allocation_create,
    balances_recompute,
    credit_note_record,
    payment_record,
)
from encaisse.ledger.services.allocation import Strategy
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def test_partial_then_full_payment_moves_status_and_balance() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "120.00")
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("20.00"),
        date=dt.date(2026, 2, 1),
        external_key="P1",
    )
    invoice.refresh_from_db()
    assert (invoice.balance, invoice.status) == (Decimal("100.00"), InvoiceStatus.PARTIALLY_PAID)
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("100.00"),
        date=dt.date(2026, 2, 20),
        external_key="P2",
    )
    invoice.refresh_from_db()
    customer.refresh_from_db()
    assert (invoice.balance, invoice.status) == (Decimal("0.00"), InvoiceStatus.PAID)
    assert invoice.paid_on == dt.date(2026, 2, 20)
    assert customer.open_balance == Decimal("0.00")


def test_oldest_first_pays_the_earliest_due_invoice_and_keeps_the_rest_on_account() -> None:
    customer = make_customer(None)
    late = make_invoice(customer, "50.00", due=dt.date(2026, 3, 1))
    early = make_invoice(customer, "30.00", due=dt.date(2026, 2, 1))
    payment = payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("90.00"),
        date=dt.date(2026, 3, 5),
        external_key="P1",
        strategy=Strategy.OLDEST_FIRST,
    )
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.balance == 0 and late.balance == 0
    assert payment.unallocated == Decimal("10.00")


def test_reference_in_remittance_text_wins_over_age() -> None:
    customer = make_customer(None)
    older = make_invoice(customer, "40.00", due=dt.date(2026, 1, 31), number="FA-001")
    named = make_invoice(customer, "40.00", due=dt.date(2026, 2, 28), number="FA-002")
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("40.00"),
        date=dt.date(2026, 3, 1),
        external_key="P1",
        remittance="Règlement facture FA-002",
    )
    older.refresh_from_db()
    named.refresh_from_db()
    assert (older.balance, named.balance) == (Decimal("40.00"), Decimal("0.00"))


def test_reference_only_strategy_leaves_unreferenced_money_on_account() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "40.00")
    payment = payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("40.00"),
        date=dt.date(2026, 3, 1),
        external_key="P1",
        remittance="virement",
        strategy=Strategy.REFERENCE,
    )
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("40.00")
    assert payment.unallocated == Decimal("40.00")


def test_over_allocation_is_refused_and_writes_nothing() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "10.00")
    payment = payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("50.00"),
        date=dt.date(2026, 3, 1),
        external_key="P1",
        strategy=None,
    )
    with pytest.raises(AllocationError):
        allocation_create(actor=None, invoice=invoice, amount=Decimal("20.00"), payment=payment)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.balance == Decimal("10.00")
    assert payment.allocated == Decimal("0.00")
    assert not Allocation.objects.exists()


def test_allocation_to_another_customers_invoice_is_refused() -> None:
    mine, theirs = make_customer(None), make_customer(None)
    invoice = make_invoice(theirs, "10.00")
    payment = payment_record(
        actor=None,
        customer=mine,
        amount=Decimal("10.00"),
        date=dt.date(2026, 3, 1),
        external_key="P1",
        strategy=None,
    )
    with pytest.raises(AllocationError):
        allocation_create(actor=None, invoice=invoice, amount=Decimal("10.00"), payment=payment)


def test_credit_note_reduces_the_invoice_it_names() -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "100.00")
    credit_note_record(
        actor=None,
        customer=customer,
        number="AV-1",
        amount=Decimal("25.00"),
        issue_date=dt.date(2026, 1, 20),
        invoice=invoice,
    )
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("75.00")


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    invoices=st.lists(money, min_size=1, max_size=6),
    payments=st.lists(money, min_size=1, max_size=6),
)
def test_allocation_invariants_hold_for_any_amounts(
    invoices: list[Decimal], payments: list[Decimal]
) -> None:
    """Whatever the amounts: balances stay in [0, amount], nothing is over-spent,
    the incremental balances equal a recomputation from the allocations."""
    customer = make_customer(None)
    for amount in invoices:
        make_invoice(customer, amount)
    for n, amount in enumerate(payments):
        payment_record(
            actor=None,
            customer=customer,
            amount=amount,
            date=dt.date(2026, 3, 1),
            external_key=f"{customer.external_key}-P{n}",
            strategy=Strategy.OLDEST_FIRST,
        )
    rows = list(Invoice.objects.filter(customer=customer))
    for invoice in rows:
        allocated = sum((a.amount for a in invoice.allocations.all()), Decimal(0))
        assert 0 <= invoice.balance <= invoice.amount
        assert invoice.balance == invoice.amount - allocated
        assert (invoice.status == InvoiceStatus.PAID) == (invoice.balance == 0)
    for payment in Payment.objects.filter(customer=customer):
        allocated = sum((a.amount for a in payment.allocations.all()), Decimal(0))
        assert payment.allocated == allocated <= payment.amount
    # Money is conserved: what was paid either settled invoices or stays on account.
    total_paid = sum(payments, Decimal(0))
    settled = sum((i.amount - i.balance for i in rows), Decimal(0))
    on_account = sum((p.unallocated for p in Payment.objects.filter(customer=customer)), Decimal(0))
    assert settled + on_account == total_paid
    assert settled == min(total_paid, sum(invoices, Decimal(0)))
    customer.refresh_from_db()
    incremental = customer.open_balance
    balances_recompute(invoice_ids=[i.pk for i in rows], customer_ids=[customer.pk])
    customer.refresh_from_db()
    assert customer.open_balance == incremental == sum((i.balance for i in rows), Decimal(0))
    assert Customer.objects.get(pk=customer.pk).open_balance >= 0
