"""Property: any sequence of applications, hand splits, confident runs and undos keeps the
ledger consistent (SPEC §2 invariants), and `balances_recompute` finds nothing to change."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import QuerySet
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from encaisse.ledger.matching.loader import suggestions_for, unapplied_items
from encaisse.ledger.models import Allocation, CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES, InvoiceStatus
from encaisse.ledger.services import (
    AllocationError,
    allocation_reverse,
    balances_recompute,
    cash_apply,
    cash_apply_confident,
    credit_note_record,
    payment_record,
)
from encaisse.ledger.services.cash_application import load_source
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db
D = Decimal
cents = st.integers(min_value=1, max_value=30_000).map(lambda c: D(c).scaleb(-2))


def total(allocations: QuerySet[Allocation]) -> Decimal:
    """Σ amounts in Python: SQLite's SUM over a decimal column is a float."""
    return sum((a.amount for a in allocations), D("0.00"))


def state() -> list[tuple[object, ...]]:
    return [
        *Invoice.objects.order_by("pk").values_list("pk", "balance", "status", "paid_on"),
        *Payment.objects.order_by("pk").values_list("pk", "allocated"),
        *CreditNote.objects.order_by("pk").values_list("pk", "allocated"),
        *Customer.objects.order_by("pk").values_list("pk", "open_balance"),
    ]


class CashLedger(RuleBasedStateMachine):
    """Two customers, a few invoices, payments and a credit note, all on account at first."""

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.customers = [make_customer(None), make_customer(None)]
        for n, customer in enumerate(self.customers):
            for amount in ("100.00", "250.00", "40.00"):
                make_invoice(customer, amount, due=dt.date(2026, 2, 1 + n))
            for day, amount in ((1, "150.00"), (9, "290.00")):
                payment_record(
                    actor=None, customer=customer, amount=D(amount),
                    date=dt.date(2026, 3, day + n), external_key=f"P{n}-{day}",
                    remittance=f"FACT {customer.invoices.order_by('pk').first().number}",
                    strategy=None,
                )  # fmt: skip
            credit_note_record(
                actor=None, customer=customer, number=f"AV-{customer.pk}", amount=D("40.00"),
                issue_date=dt.date(2026, 2, 20),
            )  # fmt: skip

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @rule(data=st.data())
    def apply_a_suggestion(self, data: st.DataObject) -> None:
        found = [(i, s) for i, s in suggestions_for(unapplied_items()) if s]
        if not found:
            return
        item, suggestions = data.draw(st.sampled_from(found))
        chosen = data.draw(st.sampled_from(suggestions))
        cash_apply(
            actor=None,
            source=load_source(item.kind, item.id),
            allocations=chosen.allocations,
            reason=chosen.reason,
        )

    @rule(data=st.data(), shares=st.lists(cents, min_size=1, max_size=3))
    def split_by_hand(self, data: st.DataObject, shares: list[Decimal]) -> None:
        payment = data.draw(st.sampled_from(list(Payment.objects.order_by("pk"))))
        invoices = list(Invoice.objects.filter(customer_id=payment.customer_id).order_by("pk"))
        targets = data.draw(st.permutations(invoices))[: len(shares)]
        # A refused split is refused as a whole: the invariants say nothing was written.
        with contextlib.suppress(AllocationError):
            cash_apply(
                actor=None,
                source=payment,
                allocations=[(i.pk, a) for i, a in zip(targets, shares, strict=False)],
            )

    @rule()
    def apply_all_confident(self) -> None:
        cash_apply_confident(actor=None)

    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        live = list(
            Allocation.objects.filter(reverses__isnull=True, reversal__isnull=True).order_by("pk")
        )
        if live:
            allocation = data.draw(st.sampled_from(live))
            allocation_reverse(actor=None, allocation=allocation, reason="property test")

    @invariant()
    def ledger_is_consistent(self) -> None:
        for invoice in Invoice.objects.all():
            applied = total(invoice.allocations.all())
            assert invoice.balance == invoice.amount - applied
            assert 0 <= invoice.balance <= invoice.amount
            expected = (
                InvoiceStatus.PAID
                if invoice.balance == 0
                else InvoiceStatus.OPEN
                if invoice.balance == invoice.amount
                else InvoiceStatus.PARTIALLY_PAID
            )
            assert invoice.status == expected
            assert (invoice.paid_on is not None) == (invoice.status == InvoiceStatus.PAID)
        for model in (Payment, CreditNote):
            for source in model.objects.all():
                applied = total(source.allocations.all())
                assert source.allocated == applied <= source.amount
        for customer in Customer.objects.all():
            open_ = Invoice.objects.filter(customer=customer, status__in=OPEN_STATUSES)
            assert customer.open_balance == sum((i.balance for i in open_), D("0.00"))
        before = state()
        balances_recompute()
        assert state() == before


def test_any_sequence_of_apply_split_and_undo_keeps_the_ledger_consistent() -> None:
    run_state_machine_as_test(
        CashLedger,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
