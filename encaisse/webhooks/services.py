"""Writes for the settings page and the API: endpoints, secrets, tests and redeliveries.

Every service checks its input itself and raises `ValidationFailed` (per field,
translated) or `Conflict`, so the web form, the API and the CLI say the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.webhooks import registry
from encaisse.webhooks.emit import event_emit, kick_after_commit, subscribers_forget
from encaisse.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, new_secret
from encaisse.webhooks.safety import UnsafeURL, check_url

URL_MAX = 500


def _checked(url: str, description: str, event_types: Sequence[str]) -> list[str]:
    """Validate the fields of an endpoint; return the event types, de-duplicated and sorted."""
    errors: dict[str, list[str]] = {}
    if not url:
        errors["url"] = [_("Enter the URL of the receiver.")]
    elif len(url) > URL_MAX:
        errors["url"] = [_("The URL is too long (500 characters at most).")]
    else:
        try:
            check_url(url)
        except UnsafeURL as refused:
            errors["url"] = [str(refused)]
    if len(description) > 200:
        errors["description"] = [_("The description is too long (200 characters at most).")]
    unknown = [t for t in event_types if t not in registry.REGISTRY or t == registry.TEST_EVENT]
    if unknown:
        errors["event_types"] = [
            _("Unknown event type: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        ]
    if errors:
        raise ValidationFailed(errors)
    return sorted(set(event_types))


@transaction.atomic
def endpoint_create(
    *,
    actor: User | None,
    url: str,
    description: str = "",
    event_types: Sequence[str] = (),
    active: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret; no event types listed means every type."""
    url = url.strip()
    types = _checked(url, description, event_types)
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        description=description,
        event_types=types,
        active=active,
        created_by=stored_actor(actor),
    )
    _record(actor, "webhooks.endpoint.created", endpoint)
    return endpoint


@transaction.atomic
def endpoint_update(
    *,
    actor: User | None,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: Sequence[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; turning an endpoint back on clears its failure streak."""
    new_url = endpoint.url if url is None else url.strip()
    new_description = endpoint.description if description is None else description
    types = _checked(
        new_url, new_description, endpoint.event_types if event_types is None else event_types
    )
    endpoint.url, endpoint.description, endpoint.event_types = new_url, new_description, types
    if active is not None and active != endpoint.active:
        endpoint.active = active
        if active:
            endpoint.disabled_reason, endpoint.failing_since = "", None
        else:
            endpoint.disabled_reason = _("Disabled by %(user)s.") % {"user": actor or _("system")}
    endpoint.updated_at = clock.now()
    endpoint.save()
    _record(actor, "webhooks.endpoint.updated", endpoint)
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: User | None, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log (the events stay for the other endpoints)."""
    _record(actor, "webhooks.endpoint.deleted", endpoint)
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, actor: User | None, endpoint: WebhookEndpoint) -> str:
    """A new secret, used from the next attempt on (retries of older events included)."""
    endpoint.secret = new_secret()
    endpoint.updated_at = clock.now()
    endpoint.save(update_fields=["secret", "updated_at"])
    _record(actor, "webhooks.endpoint.secret_rotated", endpoint)
    return endpoint.secret


@transaction.atomic
def endpoint_send_test(*, actor: User | None, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event to this endpoint alone (even if it is disabled)."""
    if not endpoint.active:
        raise Conflict(_("Turn the endpoint on before sending it a test event."))
    event_emit(
        type=registry.TEST_EVENT,
        data={"endpoint_id": endpoint.pk, "sent_by": actor.username if actor else None},
        endpoint_ids=[endpoint.pk],
    )
    _record(actor, "webhooks.endpoint.tested", endpoint)
    return WebhookDelivery.objects.filter(endpoint=endpoint).latest("id")


@transaction.atomic
def delivery_redeliver(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed event again, same `webhook-id`, with a fresh retry budget."""
    if not delivery.endpoint.active:
        raise Conflict(_("Turn the endpoint on before redelivering to it."))
    done = WebhookDelivery.objects.filter(
        pk=delivery.pk, state__in=[DeliveryState.DELIVERED, DeliveryState.FAILED]
    ).update(
        state=DeliveryState.PENDING,
        next_attempt_at=clock.now(),
        attempts_before_retry=delivery.attempts,
        lease_until=None,
    )
    if not done:
        raise Conflict(_("This delivery is already waiting to be sent."))
    _record(actor, "webhooks.delivery.redelivered", delivery.endpoint, delivery=delivery.pk)
    kick_after_commit()
    delivery.refresh_from_db()
    return delivery


def _record(actor: User | None, verb: str, endpoint: WebhookEndpoint, **extra: object) -> None:
    subscribers_forget()
    activity_record(
        verb=verb, actor=actor, payload={"endpoint": endpoint.pk, "url": endpoint.url, **extra}
    )
