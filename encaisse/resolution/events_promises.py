"""Webhook event types of promises to pay and due-date extensions, with their `data`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from encaisse.webhooks.payloads import Data, customer_ref, iso, money, stamps
from encaisse.webhooks.registry import register


def promise_data(promise: Any) -> Data:
    return {
        "id": promise.pk,
        "customer": customer_ref(promise),
        "invoice_ids": sorted(promise.invoices.values_list("pk", flat=True)),
        "amount": money(promise.amount),
        "currency": promise.currency,
        "promised_on": iso(promise.promised_on),
        "grace_until": iso(promise.grace_until),
        "source": promise.source,
        "status": promise.status,
        "paid_amount": money(promise.paid_amount),
        "settled_on": iso(promise.settled_on),
        "hold_id": promise.hold_id,
        **stamps(promise),
    }


def extension_data(extension: Any) -> Data:
    return {
        "id": extension.pk,
        "customer": customer_ref(extension),
        "invoice_id": extension.invoice_id,
        "due_on": iso(extension.due_on),
        "previous_due_on": iso(extension.previous_due_on),
        "reason": extension.reason,
        "source": extension.source,
        "status": extension.status,
        "comment": extension.comment,
        "decided_at": iso(extension.decided_at),
        **stamps(extension),
    }


register("promise.created", _("A promise to pay was recorded (dunning paused)."), promise_data)
register(
    "promise.kept",
    _("A promise to pay was kept: payments covered the amount by the end of its grace."),
    promise_data,
)
register(
    "promise.broken",
    _("A promise to pay was broken: its grace ended without the payments (dunning resumes)."),
    promise_data,
)
register("promise.cancelled", _("A promise to pay was cancelled by finance."), promise_data)
register("extension.requested", _("A due-date extension was requested."), extension_data)
register(
    "extension.approved",
    _("A due-date extension was approved: the invoice's due date moved."),
    extension_data,
)
register("extension.refused", _("A due-date extension was refused."), extension_data)
