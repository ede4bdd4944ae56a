"""Reads for the settings page and the API: endpoints and their delivery log."""

from __future__ import annotations

from django.db.models import QuerySet

from encaisse.accounts.models import User
from encaisse.webhooks import registry
from encaisse.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def may_manage_webhooks(user: User) -> bool:
    """Admin and finance configure webhooks: the events carry the whole ledger."""
    return bool(user.is_authenticated and user.is_active and user.sees_whole_ledger)


def endpoints_visible_to(user: User) -> QuerySet[WebhookEndpoint]:
    if not may_manage_webhooks(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.all()


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first, with each event."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .order_by("-created_at", "-id")
    )


def attempts_of(delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery=delivery).order_by("number")


def deliveries_visible_to(user: User) -> QuerySet[WebhookDelivery]:
    """Every delivery of the endpoints `user` may manage (to look one up by id)."""
    return WebhookDelivery.objects.filter(endpoint__in=endpoints_visible_to(user)).select_related(
        "event", "endpoint"
    )


def event_types_available() -> list[registry.EventType]:
    """The types an endpoint may subscribe to (the test event is not one)."""
    return [t for t in registry.REGISTRY.values() if t.name != registry.TEST_EVENT]
