"""The activity timeline of a customer or an invoice, as plain entries, scoped to
the viewer (SPEC §1.4, §1.5).

The web pages and the REST API read the same entries: which rows, in which
order, how many, and never a row about a customer outside the viewer's
portfolio. Turning an entry into a sentence is the interface's business
(web.timeline), from `verb` and `payload`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.collab.models import Activity

DEFAULT_LIMIT = 100


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Something that happened: who (None: the system) did what, when, about what."""

    id: int
    verb: str
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    customer_id: int | None
    invoice_id: int | None
    invoice_number: str
    payload: dict[str, Any]

    @property
    def cursor(self) -> Cursor:
        return (self.created_at, self.id)


def _scoped(activities: QuerySet[Activity], user: User, via: str) -> QuerySet[Activity]:
    owners = portfolio_owner_ids(user)
    if owners is None:
        return activities
    return activities.filter(**{f"{via}__account_manager_id__in": owners})


# A keyset cursor: the (created_at, id) of the last entry of the previous page.
# The id breaks ties between entries written in the same microsecond (a run).
Cursor = tuple[dt.datetime, int]


def _entries(
    activities: QuerySet[Activity], *, limit: int, before: Cursor | None
) -> list[TimelineEntry]:
    if before is not None:
        at, pk = before
        activities = activities.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    rows = activities.select_related("actor", "invoice").order_by("-created_at", "-id")[:limit]
    return [
        TimelineEntry(
            id=row.pk,
            verb=row.verb,
            created_at=row.created_at,
            actor_id=row.actor_id,
            actor_name=str(row.actor) if row.actor is not None else "",
            customer_id=row.customer_id,
            invoice_id=row.invoice_id,
            invoice_number=row.invoice.number if row.invoice is not None else "",
            payload=row.payload if isinstance(row.payload, dict) else {},
        )
        for row in rows
    ]


def timeline_of_customer(
    user: User, customer_id: int, *, limit: int = DEFAULT_LIMIT, before: Cursor | None = None
) -> list[TimelineEntry]:
    """The customer's timeline, latest first (`before`: the cursor of the last entry
    seen, to page back);
    empty when `user` may not see the customer."""
    activities = _scoped(Activity.objects.filter(customer_id=customer_id), user, "customer")
    return _entries(activities, limit=limit, before=before)


def timeline_of_invoice(
    user: User, invoice_id: int, *, limit: int = DEFAULT_LIMIT, before: Cursor | None = None
) -> list[TimelineEntry]:
    """The invoice's timeline, latest first; empty when `user` may not see its customer."""
    activities = _scoped(Activity.objects.filter(invoice_id=invoice_id), user, "invoice__customer")
    return _entries(activities, limit=limit, before=before)
