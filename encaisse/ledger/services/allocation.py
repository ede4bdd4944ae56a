"""Allocating payments and credit notes to invoices.

Invariants (SPEC §2), held by conditional UPDATEs and database constraints, so
that two concurrent allocations can never over-pay an invoice or over-spend a
payment: each UPDATE only matches when enough is left, and we check its row count.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.ledger.hooks import cash_moved
from encaisse.ledger.models import Allocation, CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.fields import money_sql
from encaisse.ledger.models.invoice import OPEN_STATUSES, InvoiceStatus
from encaisse.lib import clock
from encaisse.webhooks.bulk_events import invoices_paid_emit


class AllocationError(ValueError):
    """The allocation would break a ledger invariant; nothing was written."""


class Strategy(StrEnum):
    REFERENCE = "reference"
    OLDEST_FIRST = "oldest_first"
    REFERENCE_THEN_OLDEST = "reference_then_oldest"


def live_allocations() -> Q:
    """Allocations that count: neither a reversal nor reversed (see `Allocation`)."""
    return Q(reverses__isnull=True, reversal__isnull=True)


def _latest_live_date() -> Subquery:
    """The latest date of the payments and credit notes live-allocated to the outer invoice."""
    dated = (
        Allocation.objects.filter(live_allocations(), invoice_id=OuterRef("pk"))
        .annotate(on=Coalesce("payment__date", "credit_note__issue_date"))
        .order_by("-on")
        .values("on")[:1]
    )
    return Subquery(dated)


def _debit_invoice(invoice_id: int, amount: Decimal, settled_on: dt.date) -> None:
    """Lower an invoice's balance by `amount`, or fail if that would go below zero.

    In an UPDATE every expression sees the row as it was, so `balance=amount`
    below means "this allocation settles it". The settlement date is the latest
    date among the payments and credit notes applied to it, this one included
    (as `balances_recompute` and the imports derive it): a later partial payment
    completed by an earlier-dated one was settled on the later date.
    """
    settled = Greatest(Value(settled_on), Coalesce(_latest_live_date(), Value(settled_on)))
    updated = Invoice.objects.filter(
        pk=invoice_id, balance__gte=amount, status__in=OPEN_STATUSES
    ).update(
        balance=money_sql(F("balance") - amount),
        status=Case(
            When(balance=amount, then=Value(InvoiceStatus.PAID)),
            default=Value(InvoiceStatus.PARTIALLY_PAID),
        ),
        paid_on=Case(When(balance=amount, then=settled), default=Value(None)),
        updated_at=clock.now(),
    )
    if updated != 1:
        raise AllocationError(_("The amount exceeds the invoice's open balance."))
    invoices_paid_emit([invoice_id])


@transaction.atomic
def allocation_create(
    *,
    actor: User | None,
    invoice: Invoice,
    amount: Decimal,
    payment: Payment | None = None,
    credit_note: CreditNote | None = None,
    details: dict[str, Any] | None = None,
    via_cash_application: bool = False,
) -> Allocation:
    """Apply `amount` of a payment or credit note to `invoice`.

    `details` go into the timeline entry (the cash application says why).
    """
    source: Payment | CreditNote | None = payment or credit_note
    if source is None or (payment is not None and credit_note is not None):
        raise AllocationError(_("An allocation needs exactly one payment or credit note."))
    if amount <= 0:
        raise AllocationError(_("An allocation amount must be positive."))
    if source.customer_id != invoice.customer_id:
        raise AllocationError(_("The invoice belongs to another customer."))
    if source.currency != invoice.currency:
        raise AllocationError(_("The invoice and the payment are in different currencies."))

    source_model = Payment if payment is not None else CreditNote
    spent = source_model.objects.filter(
        pk=source.pk, amount__gte=money_sql(F("allocated") + amount)
    ).update(allocated=money_sql(F("allocated") + amount), updated_at=clock.now())
    if spent != 1:
        raise AllocationError(_("The amount exceeds what is left to allocate."))
    settled_on = payment.date if payment is not None else credit_note.issue_date  # type: ignore[union-attr]
    _debit_invoice(invoice.pk, amount, settled_on)
    Customer.objects.filter(pk=invoice.customer_id).update(
        open_balance=money_sql(F("open_balance") - amount), updated_at=clock.now()
    )

    allocation = Allocation.objects.create(
        invoice=invoice,
        payment=payment,
        credit_note=credit_note,
        amount=amount,
        currency=invoice.currency,
        created_by=stored_actor(actor),
        via_cash_application=via_cash_application,
    )
    invoice.refresh_from_db(fields=["balance", "status", "paid_on"])
    source.refresh_from_db(fields=["allocated"])
    cash_moved([invoice.customer_id])
    activity_record(
        verb="ledger.allocation.created",
        actor=actor,
        customer_id=invoice.customer_id,
        invoice_id=invoice.pk,
        payload={
            "amount": str(amount),
            "currency": invoice.currency,
            "source": "payment" if payment is not None else "credit_note",
            "source_ref": str(source),
            "balance_after": str(invoice.balance),
            "allocation": allocation.pk,
            **(details or {}),
        },
    )
    return allocation


def _referenced_invoices(payment: Payment) -> list[Invoice]:
    """Open invoices of the payer whose number appears as a token in the payment texts."""
    text = f"{payment.remittance} {payment.bank_reference}".upper()
    tokens = set(re.findall(r"[A-Z0-9][A-Z0-9/_.-]*[A-Z0-9]", text))
    if not tokens:
        return []
    candidates = Invoice.objects.filter(
        customer_id=payment.customer_id, status__in=OPEN_STATUSES, number__in=tokens
    )
    return list(candidates.select_for_update().order_by("due_date", "id"))


def _oldest_first(payment: Payment) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            customer_id=payment.customer_id,
            status__in=OPEN_STATUSES,
            currency=payment.currency,
            balance__gt=0,
        )
        .select_for_update()
        .order_by("due_date", "issue_date", "id")
    )


@transaction.atomic
def payment_allocate(
    *, actor: User | None, payment: Payment, strategy: Strategy = Strategy.REFERENCE_THEN_OLDEST
) -> list[Allocation]:
    """Allocate what is left of a payment: by invoice reference, oldest first, or both.

    1. Referenced invoices (by number in the remittance text) are paid in due-date order.
    2. With an oldest-first strategy, the rest goes to the oldest open invoices.
    3. Whatever remains stays on account, visible on the customer.
    """
    payment.refresh_from_db(fields=["allocated"])
    remaining = payment.unallocated
    targets: list[Invoice] = []
    if strategy in (Strategy.REFERENCE, Strategy.REFERENCE_THEN_OLDEST):
        targets.extend(_referenced_invoices(payment))
    if strategy in (Strategy.OLDEST_FIRST, Strategy.REFERENCE_THEN_OLDEST):
        seen = {invoice.pk for invoice in targets}
        targets.extend(inv for inv in _oldest_first(payment) if inv.pk not in seen)
    allocations = []
    for invoice in targets:
        if remaining <= 0:
            break
        share = min(remaining, invoice.balance)
        if share <= 0:
            continue
        allocations.append(
            allocation_create(actor=actor, invoice=invoice, amount=share, payment=payment)
        )
        remaining -= share
    return allocations
