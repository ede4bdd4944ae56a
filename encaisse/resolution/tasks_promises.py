"""Background work for promises: settle them the moment a customer's cash moves,
and every day (registered with the resolution's daily checks)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from encaisse.ledger.hooks import on_cash_moved
from encaisse.resolution.daily import daily_job
from encaisse.resolution.models import Promise, PromiseStatus
from encaisse.resolution.services.holds import holds_release_expired
from encaisse.resolution.services.promises import promises_settle_due, promises_settle_for


@task()
def promises_check(customer_ids: list[int]) -> int:
    """Settle the open promises of these customers that their payments now cover."""
    return promises_settle_for(customer_ids)


@on_cash_moved
def _cash_moved(customer_ids: frozenset[int]) -> None:
    # Only customers with an open promise are worth a task (an import touches thousands).
    ids = sorted(customer_ids)
    waiting: list[int] = []
    for start in range(0, len(ids), 500):
        waiting += Promise.objects.filter(
            customer_id__in=ids[start : start + 500], status=PromiseStatus.OPEN
        ).values_list("customer_id", flat=True)
    if waiting:
        promises_check.enqueue(sorted(set(waiting)))


# Promises first: a broken promise releases its own hold (recorded as broken,
# not as merely expired) before the expired holds are swept.
@daily_job("promises")
def _promises_daily(on: dt.date) -> int:
    return promises_settle_due(on)


@daily_job("holds_expired")
def _holds_daily(on: dt.date) -> int:
    return holds_release_expired(on)
