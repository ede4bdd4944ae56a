"""Reads of promises, extensions and holds, scoped to the viewer's portfolio."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.dunning.models import Hold
from encaisse.dunning.selectors import holds_visible_to
from encaisse.resolution.models import Extension, ExtensionStatus, Promise, PromiseStatus


def promises_visible_to(user: User) -> QuerySet[Promise]:
    promises = Promise.objects.select_related("customer", "created_by", "hold")
    owners = portfolio_owner_ids(user)
    if owners is not None:
        promises = promises.filter(customer__account_manager_id__in=owners)
    return promises


def extensions_visible_to(user: User) -> QuerySet[Extension]:
    extensions = Extension.objects.select_related(
        "customer", "invoice", "requested_by", "decided_by"
    )
    owners = portfolio_owner_ids(user)
    if owners is not None:
        extensions = extensions.filter(customer__account_manager_id__in=owners)
    return extensions


def pending_extensions(user: User) -> QuerySet[Extension]:
    """The requests waiting for finance, oldest first (the approvals queue)."""
    return (
        extensions_visible_to(user)
        .filter(status=ExtensionStatus.PENDING)
        .order_by("created_at", "id")
    )


def open_promise_of(customer_id: int) -> Promise | None:
    return Promise.objects.filter(customer_id=customer_id, status=PromiseStatus.OPEN).first()


def broken_promises_count(customer_id: int, *, since: dt.date | None = None) -> int:
    """How many promises the customer broke (since a date): a risk signal."""
    broken = Promise.objects.filter(customer_id=customer_id, status=PromiseStatus.BROKEN)
    if since is not None:
        broken = broken.filter(settled_on__gte=since)
    return broken.count()


def promise_record(customer_id: int) -> dict[str, int]:
    """Kept, broken and cancelled promises of one customer (its record)."""
    counts = {status: 0 for status in PromiseStatus.values}
    for status in Promise.objects.filter(customer_id=customer_id).values_list("status", flat=True):
        counts[status] += 1
    return counts


def active_holds(user: User, on: dt.date) -> QuerySet[Hold]:
    """Holds in force on `on` (not released, started, not ended)."""
    return (
        holds_visible_to(user)
        .filter(released_on__isnull=True, starts_on__lte=on)
        .exclude(ends_on__lt=on)
    )
