"""Writing events in the transaction of the change, and their deliveries with them.

1. Look up the active endpoints subscribed to the type (one small query). None:
   return at once, writing nothing, so that a company without webhooks pays
   one indexed read per service call or bulk batch, not one per row.
2. Write the event row(s), then one delivery row per subscribed endpoint, in
   bulk, in the caller's transaction: a change rolled back leaves no event,
   and a committed event always has its deliveries (fan-out here rather than
   in the worker, so the worker's only job is to claim and send).
3. After commit, kick the delivery workers (once per transaction); the
   scheduler's periodic sweep picks up anything a kick missed.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from encaisse.lib import clock
from encaisse.webhooks import registry
from encaisse.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from encaisse.webhooks.payloads import Data

BATCH = 1000


_CACHE = "_encaisse_webhook_endpoints"


def subscribers(event_type: str) -> list[int]:
    """Ids of the active endpoints that receive `event_type`."""
    return [pk for pk, types in _active_endpoints() if not types or event_type in types]


def _active_endpoints() -> list[tuple[int, list[str]]]:
    """The active endpoints, read once per transaction.

    A payment allocated to many invoices asks at each one; inside one
    transaction the first answer stands. The cache is tied to a no-op
    on-commit callback: commit and rollback both drop the callback list, so
    the next transaction (or a rolled-back savepoint's caller) reads afresh.
    """
    connection = transaction.get_connection()
    cached = getattr(connection, _CACHE, None)
    if (
        cached is not None
        and connection.in_atomic_block
        and any(callback is cached[0] for _s, callback, _r in connection.run_on_commit)
    ):
        return cached[1]
    endpoints = [
        (pk, list(types or []))
        for pk, types in WebhookEndpoint.objects.filter(active=True).values_list(
            "pk", "event_types"
        )
    ]
    if connection.in_atomic_block:

        def marker() -> None:
            """Nothing to do after commit: its presence says the cache is this transaction's."""

        transaction.on_commit(marker)
        setattr(connection, _CACHE, (marker, endpoints))
    return endpoints


def subscribers_forget() -> None:
    """After an endpoint changed: the next emission reads the endpoints again."""
    setattr(transaction.get_connection(), _CACHE, None)


def envelope(event_type: str, at: Any, data: Data) -> Data:
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


def event_emit(
    *,
    type: str,
    obj: Any = None,
    data: Data | None = None,
    key: str | None = None,
    endpoint_ids: Sequence[int] | None = None,
) -> int:
    """Emit one event (its `data` built from `obj` by the registry, or given).

    Returns the number of deliveries written: 0 when no endpoint listens, or
    when an event with the same `key` was emitted before.
    """
    return events_emit_many(
        type=type,
        objects=[obj] if data is None else None,
        datas=[data] if data is not None else None,
        keys=[key] if key is not None else None,
        endpoint_ids=endpoint_ids,
    )


def events_emit_many(
    *,
    type: str,
    objects: Iterable[Any] | None = None,
    datas: Iterable[Data] | None = None,
    keys: Iterable[str] | None = None,
    endpoint_ids: Sequence[int] | None = None,
) -> int:
    """Emit one event per object (or per `data`), in batches of bulk inserts.

    `keys`, parallel to the objects, make events unique: an event whose key
    exists already is skipped, with its deliveries. Returns the deliveries written.
    """
    event_type = registry.get(type)
    targets = list(endpoint_ids) if endpoint_ids is not None else subscribers(type)
    if not targets:
        return 0
    if datas is None:
        if event_type.build is None:
            raise ValueError(f"{type} has no payload builder: pass `data`")
        datas = map(event_type.build, objects or ())
    keyed = keys is not None
    no_keys: Iterable[str | None] = itertools.repeat(None)
    key_list: Iterable[str | None] = keys if keys is not None else no_keys
    pairs = zip(datas, key_list, strict=False)  # repeat() is endless: not strict
    written = 0
    while batch := list(itertools.islice(pairs, BATCH)):
        written += _write(type, batch, targets, keyed=keyed)
    if written:
        kick_after_commit()
    return written


def _write(
    type_: str, batch: list[tuple[Data, str | None]], targets: list[int], *, keyed: bool
) -> int:
    now = clock.now()
    events = [
        WebhookEvent(
            public_id=uuid.uuid4(), type=type_, key=key, payload=envelope(type_, now, data),
            created_at=now,
        )
        for data, key in batch
    ]  # fmt: skip
    WebhookEvent.objects.bulk_create(events, ignore_conflicts=keyed)
    # Read the ids back by our own public ids: with ignore_conflicts the database does
    # not return them, and an event skipped for its key must get no delivery.
    ids = list(
        WebhookEvent.objects.filter(public_id__in=[e.public_id for e in events]).values_list(
            "pk", flat=True
        )
    )
    deliveries = [
        WebhookDelivery(event_id=event_id, endpoint_id=endpoint_id, created_at=now,
                        next_attempt_at=now)
        for event_id in ids
        for endpoint_id in targets
    ]  # fmt: skip
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=BATCH)
    return len(deliveries)


def kick_after_commit() -> None:
    """Register one kick per transaction, however many events it emits."""
    from encaisse.webhooks.tasks import webhooks_kick  # the tasks module imports the delivery code

    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is webhooks_kick for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    if settings.ENCAISSE_WEBHOOKS_SWEEPS:
        transaction.on_commit(webhooks_kick)
