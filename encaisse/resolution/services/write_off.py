"""Write-offs: requested by finance, approved by finance or an admin, reversible.

Approval rules (docs/write-offs.md):

1. Finance and admins request; sales reps and managers never request or decide.
2. Up to the company's threshold (WriteOffSettings) finance or an admin approves;
   above it, an admin only.
3. Four eyes: nobody approves their own request. The requester may reject
   (withdraw) it.

What approval does to the ledger: each invoice takes the `written_off` status,
its balance (amount − Σ allocations) untouched. Open balances and dunning read
only open and partially paid invoices, so the amount leaves them; the history
(the invoice, its allocations, this write-off) is kept. No money record is
written: a write-off is not cash, and the allocation invariants stay exactly
as they were. A reversal puts the invoices back to open / partially paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import Role, User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.models.invoice import OPEN_STATUSES, InvoiceStatus
from encaisse.ledger.services.balances import open_balances_recompute
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.resolution.models.payment_plans import PlanInvoice, PlanStatus
from encaisse.resolution.models.write_off import (
    WriteOff,
    WriteOffLine,
    WriteOffReason,
    WriteOffSettings,
    WriteOffStatus,
)
from encaisse.webhooks.emit import event_emit

TEXT_MAX = 500


class NotAllowed(PermissionDenied):
    """The user's role (or being the requester) forbids this decision: HTTP 403
    (a PermissionDenied, so the web and the API answer it as every 403)."""

    def __init__(self, message: Message) -> None:
        self.message = str(message)
        super().__init__(self.message)


def may_request(user: User) -> bool:
    return user.can_edit_ledger


def approval_refusal(user: User, write_off: WriteOff) -> Message | None:
    """Why `user` may not approve `write_off`, or None when they may."""
    if not user.can_edit_ledger:
        return _("Only finance and administrators decide write-offs.")
    if write_off.requested_by_id is not None and write_off.requested_by_id == user.pk:
        return _("Someone else must approve your own request.")
    is_admin = user.is_superuser or user.role == Role.ADMIN
    if not is_admin and write_off.total > WriteOffSettings.current().approval_threshold:
        return _("Above the approval threshold, an administrator approves.")
    return None


def rejection_refusal(user: User, write_off: WriteOff) -> Message | None:
    """Who may approve may reject; the requester may also withdraw his request."""
    if not user.can_edit_ledger:
        return _("Only finance and administrators decide write-offs.")
    if write_off.requested_by_id == user.pk:
        return None
    return approval_refusal(user, write_off)


def _text(field: str, value: str, errors: dict[str, list[Message]]) -> str:
    value = value.strip()
    if len(value) > TEXT_MAX:
        errors[field] = [_("At most 500 characters.")]
    return value


@transaction.atomic
def write_off_request(
    *,
    actor: User,
    customer: Customer,
    invoices: Sequence[Invoice],
    reason: str,
    note: str = "",
) -> WriteOff:
    """Ask to write off the whole open balance of `invoices` (one customer, one currency)."""
    if not may_request(actor):
        raise NotAllowed(_("Only finance and administrators request write-offs."))
    errors: dict[str, list[Message]] = {}
    note = _text("note", note, errors)
    if reason not in WriteOffReason.values:
        errors["reason"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(WriteOffReason.values)}
        ]
    wanted = {invoice.pk for invoice in invoices}
    chosen = list(
        Invoice.objects.filter(
            pk__in=wanted, customer=customer, status__in=OPEN_STATUSES, balance__gt=0
        )
        .select_for_update()
        .order_by("due_date", "id")
    )
    if not wanted:
        errors["invoices"] = [_("Choose the invoices to write off.")]
    elif len(chosen) != len(wanted):
        errors["invoices"] = [_("Choose open invoices of this customer.")]
    elif len({invoice.currency for invoice in chosen}) > 1:
        errors["invoices"] = [_("Write off invoices of one currency at a time.")]
    elif WriteOffLine.objects.filter(
        invoice__in=chosen, write_off__status=WriteOffStatus.REQUESTED
    ).exists():
        errors["invoices"] = [_("One of these invoices already awaits a write-off decision.")]
    elif PlanInvoice.objects.filter(
        invoice__in=chosen, plan__status__in=[PlanStatus.PROPOSED, PlanStatus.ACTIVE]
    ).exists():
        # The plan would go on calling for instalments of a debt no longer chased.
        errors["invoices"] = [
            _("One of these invoices is in an instalment plan: cancel the plan first.")
        ]
    if errors:
        raise ValidationFailed(errors)
    total = sum((invoice.balance for invoice in chosen), Decimal(0))
    write_off = WriteOff.objects.create(
        customer=customer,
        reason=reason,
        note=note,
        currency=chosen[0].currency,
        total=total,
        requested_by=stored_actor(actor),
    )
    WriteOffLine.objects.bulk_create(
        WriteOffLine(write_off=write_off, invoice=invoice, amount=invoice.balance)
        for invoice in chosen
    )
    _record(write_off, actor, "requested", {"note": note})
    return write_off


def _record(write_off: WriteOff, actor: User, verb: str, extra: dict[str, str]) -> None:
    numbers = list(write_off.lines.values_list("invoice__number", flat=True))
    only = list(write_off.lines.values_list("invoice_id", flat=True)) if len(numbers) == 1 else []
    activity_record(
        verb=f"resolution.write_off.{verb}",
        actor=actor,
        customer_id=write_off.customer_id,
        invoice_id=only[0] if only else None,
        payload={
            "write_off": str(write_off.public_id),
            "reason": write_off.reason,
            "total": str(write_off.total),
            "currency": write_off.currency,
            "invoices": numbers,
            **extra,
        },
    )
    event_emit(type=f"write_off.{verb}", obj=write_off)


def _decide(write_off: WriteOff, actor: User, status: str, comment: str) -> None:
    now = clock.now()
    decided = WriteOff.objects.filter(pk=write_off.pk, status=WriteOffStatus.REQUESTED).update(
        status=status,
        decided_by=stored_actor(actor),
        decided_at=now,
        comment=comment,
        updated_at=now,
    )
    if not decided:
        raise Conflict(_("This write-off was decided already."))
    write_off.refresh_from_db()


@transaction.atomic
def write_off_approve(*, actor: User, write_off: WriteOff, comment: str = "") -> WriteOff:
    """Approve: the invoices leave the open balances and dunning, their history stays.

    Conflict when an invoice's balance moved since the request (a payment or a
    credit note arrived): the request is then rejected and made again.
    """
    refusal = approval_refusal(actor, write_off)
    if refusal is not None:
        raise NotAllowed(refusal)
    errors: dict[str, list[Message]] = {}
    comment = _text("comment", comment, errors)
    if errors:
        raise ValidationFailed(errors)
    lines = list(write_off.lines.all())
    invoices = {
        invoice.pk: invoice
        for invoice in Invoice.objects.filter(pk__in=[line.invoice_id for line in lines])
        .select_for_update()
        .order_by("id")
    }
    for line in lines:
        invoice = invoices[line.invoice_id]
        if invoice.status not in OPEN_STATUSES or invoice.balance != line.amount:
            raise Conflict(
                _("The balance of %(number)s changed since the request: reject it and ask again.")
                % {"number": invoice.number}
            )
    _decide(write_off, actor, WriteOffStatus.APPROVED, comment)
    now = clock.now()
    changed = Invoice.objects.filter(pk__in=invoices, status__in=OPEN_STATUSES).update(
        status=InvoiceStatus.WRITTEN_OFF, updated_at=now
    )
    if changed != len(invoices):
        raise Conflict(_("An invoice of this write-off is no longer open."))
    open_balances_recompute([write_off.customer_id])
    for invoice in Invoice.objects.filter(pk__in=invoices).select_related("customer"):
        event_emit(type="invoice.updated", obj=invoice)
    _record(write_off, actor, "approved", {"comment": comment})
    return write_off


@transaction.atomic
def write_off_reject(*, actor: User, write_off: WriteOff, comment: str = "") -> WriteOff:
    refusal = rejection_refusal(actor, write_off)
    if refusal is not None:
        raise NotAllowed(refusal)
    errors: dict[str, list[Message]] = {}
    comment = _text("comment", comment, errors)
    if errors:
        raise ValidationFailed(errors)
    _decide(write_off, actor, WriteOffStatus.REJECTED, comment)
    _record(write_off, actor, "rejected", {"comment": comment})
    return write_off


@transaction.atomic
def write_off_reverse(*, actor: User, write_off: WriteOff, reason: str) -> WriteOff:
    """Undo an approved write-off (the customer paid after all, or it was a mistake).

    The invoices return to open or partially paid with the balance they kept;
    the write-off stays in the history as `reversed`, with who and why. Only an
    administrator reverses (it reopens a claim the books had closed).
    """
    if not (actor.is_superuser or actor.role == Role.ADMIN):
        raise NotAllowed(_("Only an administrator reverses a write-off."))
    errors: dict[str, list[Message]] = {}
    reason = _text("reason", reason, errors)
    if not reason:
        errors["reason"] = [_("Say why the write-off is reversed.")]
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    reversed_ = WriteOff.objects.filter(pk=write_off.pk, status=WriteOffStatus.APPROVED).update(
        status=WriteOffStatus.REVERSED,
        reversed_by=stored_actor(actor),
        reversed_at=now,
        reversal_reason=reason,
        updated_at=now,
    )
    if not reversed_:
        raise Conflict(_("Only an approved write-off can be reversed."))
    write_off.refresh_from_db()
    invoice_ids = list(write_off.lines.values_list("invoice_id", flat=True))
    reopened = Invoice.objects.filter(pk__in=invoice_ids, status=InvoiceStatus.WRITTEN_OFF).update(
        status=Case(
            When(balance=F("amount"), then=Value(InvoiceStatus.OPEN)),
            When(balance=0, then=Value(InvoiceStatus.PAID)),
            default=Value(InvoiceStatus.PARTIALLY_PAID),
        ),
        updated_at=now,
    )
    if reopened != len(invoice_ids):
        raise Conflict(_("An invoice of this write-off is no longer written off."))
    open_balances_recompute([write_off.customer_id])
    for invoice in Invoice.objects.filter(pk__in=invoice_ids).select_related("customer"):
        event_emit(type="invoice.updated", obj=invoice)
    _record(write_off, actor, "reversed", {"reason": reason})
    return write_off


@transaction.atomic
def write_off_settings_update(*, actor: User, approval_threshold: Decimal) -> WriteOffSettings:
    """Change the approval threshold: an administrator's decision (finance would set
    the bar it must clear itself)."""
    if not (actor.is_superuser or actor.role == Role.ADMIN):
        raise NotAllowed(_("Only an administrator changes the approval threshold."))
    if approval_threshold < 0:
        raise ValidationFailed.single("approval_threshold", _("The threshold cannot be negative."))
    current = WriteOffSettings.current()
    before = current.approval_threshold
    current.approval_threshold = approval_threshold
    current.updated_at = clock.now()
    current.save()
    activity_record(
        verb="resolution.write_off.threshold_changed",
        actor=actor,
        payload={"from": str(before), "to": str(approval_threshold)},
    )
    return current
