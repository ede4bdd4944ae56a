"""Reading disputes, always through the customers the viewer may see (SPEC §1.5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.ledger.models import Invoice
from encaisse.ledger.selectors import invoices_visible_to, open_invoices
from encaisse.resolution.models import (
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeAttachment,
    DisputeLine,
    DisputeReason,
)


def disputes_visible_to(user: User) -> QuerySet[Dispute]:
    owners = portfolio_owner_ids(user)
    disputes = Dispute.objects.all()
    if owners is None:
        return disputes
    return disputes.filter(customer__account_manager_id__in=owners)


def attachments_visible_to(user: User) -> QuerySet[DisputeAttachment]:
    owners = portfolio_owner_ids(user)
    attachments = DisputeAttachment.objects.all()
    if owners is None:
        return attachments
    return attachments.filter(dispute__customer__account_manager_id__in=owners)


def overdue(disputes: QuerySet[Dispute], today: dt.date) -> QuerySet[Dispute]:
    """Open longer than their reason's SLA (the deadline was set when they opened)."""
    return disputes.filter(status__in=OPEN_DISPUTE_STATUSES, sla_due_on__lt=today)


@dataclass(frozen=True)
class DisputeFilters:
    status: str = ""  # "", "open" (open or in progress), or one status
    reason_id: int | None = None
    owner: str = ""  # "", "finance" (the queue), "me", or a user id
    customer_id: int | None = None
    overdue: bool = False
    invoice_ids: tuple[int, ...] = field(default_factory=tuple)


def disputes_filtered(user: User, filters: DisputeFilters, today: dt.date) -> QuerySet[Dispute]:
    found = disputes_visible_to(user)
    if filters.status == "open":
        found = found.filter(status__in=OPEN_DISPUTE_STATUSES)
    elif filters.status:
        found = found.filter(status=filters.status)
    if filters.reason_id is not None:
        found = found.filter(reason_id=filters.reason_id)
    if filters.owner == "finance":
        found = found.filter(owner__isnull=True)
    elif filters.owner == "me":
        found = found.filter(owner=user)
    elif filters.owner.isdigit():
        found = found.filter(owner_id=int(filters.owner))
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    if filters.overdue:
        found = overdue(found, today)
    return found


def open_dispute_of(invoice: Invoice) -> Dispute | None:
    """The open dispute on this invoice (at most one: the database says so)."""
    line = (
        DisputeLine.objects.filter(invoice=invoice, is_open=True)
        .select_related("dispute", "dispute__reason", "dispute__owner")
        .first()
    )
    return line.dispute if line is not None else None


def invoices_disputable(user: User, customer_id: int) -> QuerySet[Invoice]:
    """The customer's open invoices with no open dispute, for the opening form."""
    return (
        open_invoices(invoices_visible_to(user).filter(customer_id=customer_id))
        .exclude(dispute_lines__is_open=True)
        .order_by("due_date", "number")
    )


def reasons_offered() -> QuerySet[DisputeReason]:
    return DisputeReason.objects.filter(active=True).order_by("position", "code")


def blocked_amount(disputes: QuerySet[Dispute]) -> Decimal:
    """What the open disputes among `disputes` keep from dunning (their disputed amounts)."""
    total = disputes.filter(status__in=OPEN_DISPUTE_STATUSES).aggregate(total=Sum("amount"))
    return total["total"] or Decimal("0.00")
