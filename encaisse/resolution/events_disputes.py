"""Webhook events of disputes: their types and the `data` each carries (the API's shape)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from encaisse.webhooks import registry
from encaisse.webhooks.payloads import Data, customer_ref, iso, money


def dispute_data(dispute: Any) -> Data:
    return {
        "id": str(dispute.public_id),
        "customer": customer_ref(dispute),
        "reason": dispute.reason.code,
        "description": dispute.description,
        "status": dispute.status,
        "owner_id": dispute.owner_id,
        "source": dispute.source,
        "currency": dispute.currency,
        "amount": money(dispute.amount),
        "invoices": [
            {"invoice_id": line.invoice_id, "amount": money(line.amount)}
            for line in dispute.lines.all()
        ],
        "resolution": dispute.resolution,
        "credit_note_id": dispute.credit_note_id,
        "corrected_invoice_id": dispute.corrected_invoice_id,
        "resolution_note": dispute.resolution_note,
        "opened_at": iso(dispute.opened_at),
        "sla_due_on": iso(dispute.sla_due_on),
        "resolved_at": iso(dispute.resolved_at),
        "created_at": iso(dispute.created_at),
        "updated_at": iso(dispute.updated_at),
    }


registry.register(
    "dispute.opened",
    _("A dispute was opened: the dunning of its invoices stops."),
    dispute_data,
)
registry.register(
    "dispute.updated",
    _("A dispute was assigned, put in progress or given an attachment."),
    dispute_data,
)
registry.register(
    "dispute.resolved",
    _("A dispute was resolved (credit note or corrected invoice); dunning resumes."),
    dispute_data,
)
registry.register(
    "dispute.rejected",
    _("A dispute was rejected with an explanation; dunning resumes."),
    dispute_data,
)
