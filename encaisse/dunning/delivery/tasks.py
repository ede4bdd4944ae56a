"""Background delivery (django-tasks): sweeping the outbox."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from encaisse.dunning.delivery.outbox import deliverable, message_deliver
from encaisse.dunning.models import DunningMessage


def deliveries_process(*, limit: int | None = None) -> dict[str, int]:
    """Deliver every message that is due, until none is left (or `limit` tries).

    Several workers may run this at once: each message is claimed by one of
    them (conditional UPDATE), the others skip it.
    """
    results: dict[str, int] = {}
    tried = 0
    seen: set[int] = set()
    while limit is None or tried < limit:
        batch = [
            pk
            for pk in DunningMessage.objects.filter(deliverable())
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:100]
            if pk not in seen
        ]
        if not batch:
            break
        for pk in batch:
            seen.add(pk)
            outcome = message_deliver(pk)
            results[outcome.result] = results.get(outcome.result, 0) + 1
            tried += 1
            if limit is not None and tried >= limit:
                break
    return results


@task()
def deliver_due_messages() -> dict[str, int]:
    return deliveries_process()


@task()
def deliver_message(message_id: int) -> str:
    return message_deliver(message_id).result


def deliveries_kick() -> None:
    """Start delivering after a commit: one sweep per configured delivery worker."""
    for _ in range(settings.ENCAISSE_DELIVERY_SWEEPS):
        deliver_due_messages.enqueue()
