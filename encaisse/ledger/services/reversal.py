"""Undoing an allocation: an append-only reversal, never a delete or an edit.

The reversal is a new Allocation row with the negative amount and `reverses`
set (see the model), so every Σ(allocations) stays true as it is. The derived
figures move back with the same conditional UPDATEs as `allocation_create`,
each checked by its row count:

1. Claim: insert the reversal row; the unique `reverses` refuses a second one
   (two people undoing the same allocation at once: the second gets an error).
2. The payment's or credit note's `allocated` goes down (never below zero).
3. The invoice's balance goes up (never above its amount); its status becomes
   open (balance = amount) or partially paid, and its settlement date is cleared.
4. The customer's open balance goes up by the same amount.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.ledger.hooks import cash_moved
from encaisse.ledger.models import Allocation, CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.fields import money_sql
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.ledger.services.allocation import AllocationError
from encaisse.lib import clock
from encaisse.webhooks.emit import event_emit

# A paid invoice can be reopened; a cancelled or written-off one keeps its status.
REOPENABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
NOTE_LENGTH = 200


@transaction.atomic
def allocation_reverse(
    *,
    actor: User | None,
    allocation: Allocation,
    reason: str,
    payload: dict[str, Any] | None = None,
) -> Allocation:
    """Undo `allocation`: its amount returns on account and the invoice reopens.

    `payload` adds details to the timeline entry (the FEC re-lettering says
    which lettering code decided it).
    """
    reason = " ".join(reason.split())
    if not reason:
        raise AllocationError(_("Say why the allocation is undone."))
    if allocation.reverses_id is not None:
        raise AllocationError(_("A reversal cannot be undone: apply the amount again instead."))
    amount = allocation.amount
    try:
        with transaction.atomic():
            reversal = Allocation.objects.create(
                invoice_id=allocation.invoice_id,
                payment_id=allocation.payment_id,
                credit_note_id=allocation.credit_note_id,
                amount=-amount,
                currency=allocation.currency,
                reverses=allocation,
                note=reason[:NOTE_LENGTH],
                created_by=stored_actor(actor),
            )
    except IntegrityError as exc:
        raise AllocationError(_("This allocation has already been undone.")) from exc

    source_model = Payment if allocation.payment_id is not None else CreditNote
    source_id = allocation.payment_id or allocation.credit_note_id
    assert source_id is not None  # CHECK allocation_one_source
    now = clock.now()
    # The reversed allocation's representation changes too (it now has a reversal).
    Allocation.objects.filter(pk=allocation.pk).update(updated_at=now)
    returned = source_model.objects.filter(pk=source_id, allocated__gte=amount).update(
        allocated=money_sql(F("allocated") - amount), updated_at=now
    )
    if returned != 1:
        raise AllocationError(_("The payment's allocated total is lower than the allocation."))
    new_balance = money_sql(F("balance") + amount)
    reopened = Invoice.objects.filter(
        Q(amount__gte=new_balance), pk=allocation.invoice_id, status__in=REOPENABLE
    ).update(
        balance=new_balance,
        status=Case(
            When(amount=new_balance, then=Value(InvoiceStatus.OPEN)),
            default=Value(InvoiceStatus.PARTIALLY_PAID),
        ),
        paid_on=None,
        updated_at=now,
    )
    if reopened != 1:
        raise AllocationError(_("This invoice is cancelled or written off: it cannot reopen."))
    invoice = Invoice.objects.select_related("customer").get(pk=allocation.invoice_id)
    Customer.objects.filter(pk=invoice.customer_id).update(
        open_balance=money_sql(F("open_balance") + amount), updated_at=now
    )
    # A system that heard `invoice.paid` must hear that the balance is back.
    event_emit(type="invoice.updated", obj=invoice)
    source = source_model.objects.get(pk=source_id)
    activity_record(
        verb="ledger.allocation.reversed",
        actor=actor,
        customer_id=invoice.customer_id,
        invoice_id=invoice.pk,
        payload={
            "allocation": allocation.pk,
            "amount": str(amount),
            "currency": allocation.currency,
            "source": "payment" if source_model is Payment else "credit_note",
            "source_ref": str(source),
            "invoice": invoice.number,
            "balance_after": str(invoice.balance),
            "reason": reason[:NOTE_LENGTH],
            **(payload or {}),
        },
    )
    cash_moved([invoice.customer_id])
    return reversal
