"""The catalogue of event types: what each means and how its `data` is built.

Every domain that emits events registers its types here (later issues add
theirs with `register`); docs/webhooks.md lists them all, and a test checks
that the documentation and this registry agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from encaisse.webhooks import payloads

Builder = Callable[[Any], payloads.Data]

# Sent only by "send test event", to the one endpoint it was asked for.
TEST_EVENT = "webhook.test"


@dataclass(frozen=True, slots=True)
class EventType:
    name: str  # "<domain>.<noun>[.<noun>].<verb>", e.g. "invoice.paid"
    description: Promise
    build: Builder | None  # None: the emitter passes `data` itself

    @property
    def domain(self) -> str:
        return self.name.split(".", 1)[0]


REGISTRY: dict[str, EventType] = {}


def register(name: str, description: Promise, build: Builder | None = None) -> EventType:
    if name in REGISTRY:
        raise ValueError(f"event type {name!r} is registered twice")
    event_type = EventType(name, description, build)
    REGISTRY[name] = event_type
    return event_type


def get(name: str) -> EventType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown event type {name!r}: register it in webhooks.registry") from None


def by_domain() -> dict[str, list[EventType]]:
    """Event types grouped by their first word, in registration order (for the settings page)."""
    groups: dict[str, list[EventType]] = {}
    for event_type in REGISTRY.values():
        if event_type.name != TEST_EVENT:
            groups.setdefault(event_type.domain, []).append(event_type)
    return groups


DOMAIN_LABELS: dict[str, Promise] = {
    "customer": _("Customers"),
    "invoice": _("Invoices"),
    "payment": _("Payments"),
    "credit_note": _("Credit notes"),
    "dunning": _("Dunning"),
    "hold": _("Holds"),
    "task": _("Tasks"),
    "portal": _("Customer portal"),
    "dispute": _("Disputes"),
    "promise": _("Promises to pay"),
    "extension": _("Due-date extensions"),
    "handover": _("Handovers"),
    "write_off": _("Write-offs"),
    "payment_plan": _("Instalment plans"),
    "instalment": _("Instalments"),
}

register("customer.created", _("A customer was created."), payloads.customer_data)
register("customer.updated", _("A customer's details changed."), payloads.customer_data)
register("invoice.created", _("An invoice was created."), payloads.invoice_data)
register("invoice.updated", _("An invoice's details changed."), payloads.invoice_data)
register(
    "invoice.paid",
    _("An invoice's balance reached zero (payments or credit notes)."),
    payloads.invoice_data,
)
register(
    "invoice.overdue",
    _("An invoice became overdue: sent once, on the first day it is late."),
    payloads.invoice_data,
)
register("payment.recorded", _("A payment was recorded."), payloads.payment_data)
register("credit_note.recorded", _("A credit note was recorded."), payloads.credit_note_data)
register("dunning.message.sent", _("A reminder was delivered."), payloads.message_data)
register(
    "dunning.message.failed",
    _("A reminder could not be delivered (a task was created for finance)."),
    payloads.message_data,
)
register(
    "dunning.escalated",
    _("A customer's invoices reached the handover step: finance got a task to hand them over."),
)
register("hold.created", _("Dunning was put on hold (dispute, promise…)."), payloads.hold_data)
register("hold.released", _("A hold on dunning was released."), payloads.hold_data)
register("task.created", _("A task was created."), payloads.task_data)
register("task.completed", _("A task was completed."), payloads.task_data)
register(TEST_EVENT, _("A test event sent from the webhook settings."))
