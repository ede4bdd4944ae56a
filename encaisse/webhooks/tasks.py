"""Background delivery (django-tasks): sweeping the webhook deliveries that are due."""

from __future__ import annotations

import random

from django.conf import settings
from django_tasks import task

from encaisse.webhooks.delivery import LEASING, webhook_deliver
from encaisse.webhooks.models import WebhookDelivery


def webhooks_due() -> bool:
    return WebhookDelivery.objects.filter(LEASING.due()).exists()


def webhooks_process(*, limit: int | None = None) -> dict[str, int]:
    """Deliver everything due, until none is left (or `limit` tries).

    Several workers may run this at once: each delivery is claimed by one of
    them (conditional UPDATE), the others skip it. A delivery whose retry is
    not yet due is left to a later sweep.
    """
    results: dict[str, int] = {}
    tried = 0
    seen: set[int] = set()
    while limit is None or tried < limit:
        batch = [
            pk
            for pk in WebhookDelivery.objects.filter(LEASING.due())
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:200]
            if pk not in seen
        ]
        if not batch:
            break
        # Workers sweeping together would otherwise race for the same rows in the same
        # order; shuffled, they mostly claim different ones (order is not guaranteed anyway).
        random.shuffle(batch)
        for pk in batch:
            seen.add(pk)
            outcome = webhook_deliver(pk)
            results[outcome] = results.get(outcome, 0) + 1
            tried += 1
            if limit is not None and tried >= limit:
                break
    return results


@task()
def deliver_due_webhooks() -> dict[str, int]:
    return webhooks_process()


def webhooks_kick() -> None:
    """After a commit that wrote deliveries: one sweep per configured delivery worker."""
    for _ in range(settings.ENCAISSE_WEBHOOKS_SWEEPS):
        deliver_due_webhooks.enqueue()
