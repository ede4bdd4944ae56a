"""Writing the activity timeline. Every domain service calls `activity_record`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from encaisse.accounts.models import User
from encaisse.collab.models import Activity


def activity_record(
    *,
    verb: str,
    actor: User | None,
    customer_id: int | None = None,
    invoice_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Activity:
    return Activity.objects.create(
        verb=verb,
        actor=actor if actor is not None and actor.pk else None,
        customer_id=customer_id,
        invoice_id=invoice_id,
        payload=payload or {},
    )


def activities_record_many(entries: Iterable[Activity], *, batch_size: int = 2000) -> None:
    """Bulk form for imports, which write thousands of entries at once."""
    Activity.objects.bulk_create(list(entries), batch_size=batch_size)
