"""Holds that reached their end date are released, once, with a timeline entry.

The engine already ignores a hold past its `ends_on` (`Hold.is_active`); this
records the release: the hold leaves the active lists, the timeline says it
expired, and `hold.released` reaches the webhooks. The conditional UPDATE
(`released_on IS NULL`) makes a second run (or a concurrent one) do nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from encaisse.collab.services import activity_record
from encaisse.dunning.models import Hold
from encaisse.lib import clock
from encaisse.webhooks.emit import event_emit


def holds_release_expired(on: dt.date) -> int:
    """Release every hold whose end date is before `on`; returns how many."""
    released = 0
    expired = Hold.objects.filter(released_on__isnull=True, ends_on__lt=on).values_list(
        "pk", flat=True
    )
    for pk in list(expired):
        released += hold_expire(hold_id=pk)
    return released


@transaction.atomic
def hold_expire(*, hold_id: int) -> bool:
    """Record one expired hold's release (the day after its end); False if already released."""
    hold = Hold.objects.filter(pk=hold_id).first()
    if hold is None or hold.ends_on is None:
        return False
    ended = hold.ends_on + dt.timedelta(days=1)
    if not Hold.objects.filter(pk=hold_id, released_on__isnull=True).update(
        released_on=ended, updated_at=clock.now()
    ):
        return False
    hold.refresh_from_db()
    activity_record(
        verb="resolution.hold.expired",
        actor=None,
        customer_id=hold.customer_id,
        invoice_id=hold.invoice_id,
        payload={"hold": hold.pk, "reason": hold.reason, "until": hold.ends_on.isoformat()},
    )
    event_emit(type="hold.released", obj=hold)
    return True
