"""Delivering one event to one endpoint: claim, sign, POST, record (docs/webhooks.md).

Guarantee, the same as the email outbox's (lib/leasing.py): a delivery is
claimed by one worker at a time, the POST happens outside any transaction,
and the delivery is marked delivered only after the receiver answered 2xx. A
worker that dies in between leaves its lease to expire, and the event is
posted again with the same `webhook-id`: at least once, exactly once to a
receiver that de-duplicates on `webhook-id`, never lost.

Outcomes of an attempt:
1. 2xx: delivered; the endpoint is no longer failing.
2. 410 Gone: the receiver says the endpoint is gone for good (Standard
   Webhooks): the delivery fails without retry and the endpoint is disabled.
3. Other 4xx but 408 and 429: the receiver refuses this event; retrying the
   same bytes would get the same answer, so it fails at once.
4. Anything else (timeouts, refused connections, TLS errors, 3xx, 408, 429,
   5xx, a URL now resolving to a private address): retried with backoff, and
   failed after ENCAISSE_WEBHOOKS_MAX_ATTEMPTS with a task for finance.
An endpoint failing without a success for ENCAISSE_WEBHOOKS_DISABLE_AFTER_DAYS
is disabled, with a task and a timeline entry.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import TaskKind
from encaisse.collab.services import activity_record, task_create
from encaisse.ledger.models import Company
from encaisse.lib import clock
from encaisse.lib.leasing import Leasing, worker_name
from encaisse.webhooks.emit import subscribers_forget
from encaisse.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from encaisse.webhooks.safety import UnsafeURL, check_url
from encaisse.webhooks.signing import headers
from encaisse.webhooks.transport import Response, post

# Longer than the connect and read timeouts together, so a live attempt keeps its claim.
LEASE = dt.timedelta(minutes=2)
# Waits before attempts 2, 3, …: the Standard Webhooks reference schedule.
BACKOFF = tuple(
    dt.timedelta(seconds=seconds)
    for seconds in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
)
LEASING = Leasing(
    model=WebhookDelivery,
    pending=DeliveryState.PENDING,
    working=DeliveryState.DELIVERING,
    lease=LEASE,
)
RESPONSE_EXCERPT = 1000

logger = logging.getLogger(__name__)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.event.payload, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_deliver(delivery_id: int) -> str:
    """Try one delivery; safe to call from any number of workers at once. Returns the outcome."""
    if not LEASING.claim(delivery_id):
        return "not_claimed"
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        # Not an attempt (nothing was sent): "redeliver" sends it once the endpoint is back on.
        WebhookDelivery.objects.filter(LEASING.held(delivery.pk, delivery.attempts)).update(
            state=DeliveryState.FAILED,
            attempts=delivery.attempts - 1,
            lease_until=None,
            last_error=_("The endpoint is disabled."),
        )
        return "endpoint_disabled"
    body = body_of(delivery)
    msg_id = str(delivery.event.public_id)
    response: Response | None = None
    error = ""
    try:
        target = check_url(endpoint.url)  # again now: the name may resolve elsewhere today
        response = post(target, body, headers(endpoint.secret, msg_id, int(time.time()), body))
    except UnsafeURL as refused:
        error = str(refused)
    except OSError as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    try:
        with transaction.atomic():
            return _record(delivery, response, error)
    except IntegrityError:
        # The endpoint (and its deliveries) was deleted while we were posting.
        if WebhookDelivery.objects.filter(pk=delivery.pk).exists():
            raise
        return "endpoint_deleted"


def _record(delivery: WebhookDelivery, response: Response | None, error: str) -> str:
    excerpt = response.body[:RESPONSE_EXCERPT] if response is not None else ""
    status = response.status if response is not None else None
    duration = response.duration_ms if response is not None else None
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        status_code=status,
        duration_ms=duration,
        response=excerpt,
        error=error,
        worker=worker_name(),
    )
    last: dict[str, Any] = {
        "last_status_code": status,
        "last_duration_ms": duration,
        "last_response": excerpt,
    }
    if status is not None and 200 <= status < 300:
        LEASING.settle(
            delivery.pk,
            delivery.attempts,
            state=DeliveryState.DELIVERED,
            delivered_at=clock.now(),
            last_error="",
            **last,
        )
        if delivery.endpoint.failing_since is not None:  # else no write: the common case
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
        return "delivered"
    if status is not None:
        error = _("The receiver answered HTTP %(status)s.") % {"status": status}
    _failing(delivery.endpoint)
    if status == 410:
        # Disabled first: the failure's task is then announced to no gone endpoint.
        endpoint_disable(endpoint=delivery.endpoint, reason=_("The receiver answered 410 Gone."))
        _fail(delivery, error, last)
        return "gone"
    if status is not None and 400 <= status < 500 and status not in {408, 429}:
        _fail(delivery, error, last)
        return "refused"
    tries = delivery.attempts - delivery.attempts_before_retry
    if tries >= settings.ENCAISSE_WEBHOOKS_MAX_ATTEMPTS:
        _fail(delivery, error, last)
        return "failed"
    LEASING.settle(
        delivery.pk,
        delivery.attempts,
        state=DeliveryState.PENDING,
        next_attempt_at=LEASING.retry_at(tries, BACKOFF),
        last_error=error,
        **last,
    )
    return "retry"


def _fail(delivery: WebhookDelivery, error: str, last: dict[str, Any]) -> None:
    """The delivery fails for good: finance gets one task per endpoint and day."""
    if not LEASING.settle(
        delivery.pk, delivery.attempts, state=DeliveryState.FAILED, last_error=error, **last
    ):
        return  # another worker took over after our lease expired: its outcome stands
    endpoint = delivery.endpoint
    with override(Company.current().language):
        task_create(
            actor=None,
            kind=TaskKind.OTHER,
            title=_("Webhook deliveries to %(url)s failed") % {"url": endpoint.url},
            details=_("Event %(type)s (%(id)s): %(error)s")
            % {"type": delivery.event.type, "id": delivery.event.public_id, "error": error},
            due_on=clock.today(),
            source_key=f"webhooks:failed:{endpoint.pk}:{clock.today().isoformat()}",
        )
    activity_record(
        verb="webhooks.delivery.failed",
        actor=None,
        payload={"endpoint": endpoint.pk, "event": str(delivery.event.public_id), "error": error},
    )


def _failing(endpoint: WebhookEndpoint) -> None:
    """Note the start of a failure streak; disable the endpoint once it lasts too long."""
    now = clock.now()
    if endpoint.failing_since is None:  # conditional: another worker may have set it first
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
    since = endpoint.failing_since or now
    limit = dt.timedelta(days=settings.ENCAISSE_WEBHOOKS_DISABLE_AFTER_DAYS)
    if now - since >= limit:
        endpoint_disable(
            endpoint=endpoint,
            reason=_("Every delivery failed for %(days)s days.")
            % {"days": settings.ENCAISSE_WEBHOOKS_DISABLE_AFTER_DAYS},
        )


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> bool:
    """Turn an endpoint off (once), with a task and a timeline entry saying why."""
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_reason=reason[:250], updated_at=clock.now()
    ):
        return False
    subscribers_forget()
    with override(Company.current().language):
        task_create(
            actor=None,
            kind=TaskKind.OTHER,
            title=_("Webhook endpoint %(url)s was disabled") % {"url": endpoint.url},
            details=reason,
            due_on=clock.today(),
            source_key=f"webhooks:disabled:{endpoint.pk}:{clock.now().isoformat()}",
        )
    activity_record(
        verb="webhooks.endpoint.disabled",
        actor=None,
        payload={"endpoint": endpoint.pk, "url": endpoint.url, "reason": reason},
    )
    return True
