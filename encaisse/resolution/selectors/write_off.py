"""Write-offs as a user may see them, the decisions waiting for a user, the totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from encaisse.accounts.models import User
from encaisse.ledger.selectors import customers_visible_to
from encaisse.resolution.models.write_off import WriteOff, WriteOffStatus
from encaisse.resolution.services.write_off import approval_refusal


def write_offs_visible_to(user: User) -> QuerySet[WriteOff]:
    return (
        WriteOff.objects.filter(customer__in=customers_visible_to(user))
        .select_related("customer", "requested_by", "decided_by", "reversed_by")
        .order_by("-created_at", "-id")
    )


def write_offs_waiting(user: User) -> QuerySet[WriteOff]:
    """Requests waiting for a decision that `user` may see, oldest first (the
    approvals queue; who may decide each one: `services.write_off.approval_refusal`)."""
    return (
        write_offs_visible_to(user)
        .filter(status=WriteOffStatus.REQUESTED)
        .prefetch_related("lines__invoice")
        .order_by("created_at", "id")
    )


def write_offs_pending_for(user: User) -> list[WriteOff]:
    """Requests `user` may approve now (the finance approvals queue lists them)."""
    if not user.can_edit_ledger:
        return []
    pending = write_offs_visible_to(user).filter(status=WriteOffStatus.REQUESTED)
    return [w for w in pending.order_by("created_at", "id") if approval_refusal(user, w) is None]


def write_off_totals(queryset: QuerySet[WriteOff]) -> list[dict[str, Any]]:
    """Count and amount per status and reason, per currency (the list page's summary)."""
    return list(
        queryset.order_by()
        .values("status", "reason", "currency")
        .annotate(count=Count("id"), total=Sum("total"))
        .order_by("status", "reason", "currency")
    )


def written_off_total(customer_id: int) -> Decimal:
    """What the approved (not reversed) write-offs of a customer took out of its balance."""
    found = WriteOff.objects.filter(
        customer_id=customer_id, status=WriteOffStatus.APPROVED
    ).aggregate(total=Sum("total"))["total"]
    return found or Decimal("0.00")
