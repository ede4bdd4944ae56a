"""Property: through payments, write-offs approved, rejected and reversed, the ledger's
invariants hold (SPEC §2) and the written-off amount is exactly what approvals took out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.accounts.models import User
from encaisse.ledger.models import Allocation, Customer, Invoice
from encaisse.ledger.models.invoice import OPEN_STATUSES, InvoiceStatus
from encaisse.ledger.services.balances import balances_recompute
from encaisse.ledger.services.records import payment_record
from encaisse.lib.errors import Conflict
from encaisse.resolution.models.write_off import WriteOff, WriteOffStatus
from encaisse.resolution.services.write_off import (
    write_off_approve,
    write_off_reject,
    write_off_request,
    write_off_reverse,
)
from tests.conftest import make_customer
from tests.dunning.conftest import invoice_due
from tests.resolution.handover_helpers import DUE, at

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000.00"), places=2)
steps = st.lists(
    st.tuples(
        st.sampled_from(["pay", "approve", "reject", "reverse"]),
        money,
        st.integers(min_value=0, max_value=5),
    ),
    max_size=10,
)


def check(customer: Customer) -> None:
    invoices = list(Invoice.objects.filter(customer=customer))
    for invoice in invoices:
        allocated = Allocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"]
        assert invoice.balance == invoice.amount - (allocated or ZERO)
        assert ZERO <= invoice.balance <= invoice.amount
    customer.refresh_from_db()
    open_total = sum((i.balance for i in invoices if i.status in OPEN_STATUSES), ZERO)
    assert customer.open_balance == open_total
    written = sum((i.balance for i in invoices if i.status == InvoiceStatus.WRITTEN_OFF), ZERO)
    approved = WriteOff.objects.filter(customer=customer, status=WriteOffStatus.APPROVED)
    assert written == (approved.aggregate(s=Sum("total"))["s"] or ZERO)
    # Whatever is owed is either still open or written off: nothing vanished.
    owed = sum((i.balance for i in invoices), ZERO)
    assert owed == open_total + written
    # A full recomputation from the allocations finds the same figures.
    before = sorted(
        Invoice.objects.filter(customer=customer).values_list("pk", "balance", "status")
    )
    balances_recompute(customer_ids=[customer.pk])
    after = sorted(Invoice.objects.filter(customer=customer).values_list("pk", "balance", "status"))
    assert before == after
    customer.refresh_from_db()
    assert customer.open_balance == open_total


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(amounts=st.lists(money, min_size=1, max_size=4), plan=steps)
def test_balances_stay_consistent_through_write_offs_and_reversals(
    ada: User, alice: User, amounts: list[Decimal], plan: list[tuple[str, Decimal, int]]
) -> None:
    with transaction.atomic():
        customer = make_customer(None, "Propriété")
        for amount in amounts:
            invoice_due(customer, DUE, str(amount))
        for n, (action, amount, pick) in enumerate(plan):
            if action == "pay":
                payment_record(
                    actor=alice, customer=customer, amount=amount, date=at(n), external_key=f"P{n}"
                )
            elif action in {"approve", "reject"}:
                candidates = list(
                    Invoice.objects.filter(
                        customer=customer, status__in=OPEN_STATUSES, balance__gt=0
                    )
                    .exclude(write_off_lines__write_off__status=WriteOffStatus.REQUESTED)
                    .order_by("id")
                )
                if not candidates:
                    continue
                chosen = candidates[: pick % len(candidates) + 1]
                request = write_off_request(
                    actor=alice, customer=customer, invoices=chosen, reason="too_small"
                )
                if action == "approve":
                    write_off_approve(actor=ada, write_off=request)
                else:
                    write_off_reject(actor=ada, write_off=request)
            else:
                approved = list(
                    WriteOff.objects.filter(customer=customer, status=WriteOffStatus.APPROVED)
                )
                if approved:
                    write_off_reverse(
                        actor=ada, write_off=approved[pick % len(approved)], reason="back"
                    )
            check(customer)
        transaction.set_rollback(True)


def test_a_pending_request_whose_balance_moved_is_refused_not_half_applied(
    ada: User, alice: User
) -> None:
    customer = make_customer(None)
    first = invoice_due(customer, DUE, "100.00")
    second = invoice_due(customer, DUE, "200.00")
    request = write_off_request(
        actor=alice, customer=customer, invoices=[first, second], reason="too_small"
    )
    payment_record(
        actor=alice, customer=customer, amount=Decimal("250"), date=at(1), external_key="P"
    )
    with pytest.raises(Conflict), transaction.atomic():
        write_off_approve(actor=ada, write_off=request)
    check(customer)
    assert not Invoice.objects.filter(status=InvoiceStatus.WRITTEN_OFF).exists()
