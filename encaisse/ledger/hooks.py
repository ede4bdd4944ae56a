"""Telling other domains, after commit, that some customers' cash moved.

The ledger knows nothing of promises or instalment plans, yet a payment must
settle a promise or an instalment the moment it is recorded (SPEC §6). Domains
that care subscribe a listener at start-up (their `AppConfig.ready`); the
ledger services call `cash_moved` wherever money reaches or leaves an invoice
or the customer's account (a payment recorded, an allocation made or undone,
an import applied).

1. Customer ids gather per transaction: one import of 10 000 payments calls
   each listener once, with every customer it touched.
2. Listeners run after commit, never for a rolled-back change; a listener
   should only enqueue a task (it runs inside the request or the import).
3. A listener's failure is logged and does not reach the caller: the money is
   already committed, and the daily checks catch up on what a listener missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

CashMovedListener = Callable[[frozenset[int]], None]

_LISTENERS: list[CashMovedListener] = []
_PENDING = "_encaisse_cash_moved"
log = logging.getLogger(__name__)


def on_cash_moved(listener: CashMovedListener) -> CashMovedListener:
    """Subscribe `listener` (usable as a decorator); subscribing twice is harmless."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def cash_moved(customer_ids: Iterable[int]) -> None:
    """Record that these customers' cash moved; listeners hear it after commit."""
    ids = {pk for pk in customer_ids if pk is not None}
    if not ids or not _LISTENERS:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _notify(frozenset(ids))
        return
    pending: tuple[Callable[[], None], set[int]] | None = getattr(connection, _PENDING, None)
    if pending is not None and any(
        callback is pending[0] for _s, callback, _r in connection.run_on_commit
    ):
        pending[1].update(ids)
        return
    gathered = set(ids)

    def deliver() -> None:
        setattr(connection, _PENDING, None)
        _notify(frozenset(gathered))

    transaction.on_commit(deliver)
    setattr(connection, _PENDING, (deliver, gathered))


def _notify(ids: frozenset[int]) -> None:
    for listener in list(_LISTENERS):
        try:
            listener(ids)
        except Exception:
            log.exception("cash-moved listener %r failed for %d customers", listener, len(ids))
