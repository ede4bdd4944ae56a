"""Webhook events of handovers and write-offs, and their `data` (as the API shows them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from encaisse.webhooks.payloads import Data, customer_ref, iso, money, stamps
from encaisse.webhooks.registry import register


def handover_data(handover: Any) -> Data:
    from encaisse.resolution.selectors.handover import handover_figures

    figures = handover_figures(handover)
    return {
        "id": str(handover.public_id),
        "customer": customer_ref(handover),
        "kind": handover.kind,
        "agency_id": handover.agency_id,
        "whole_account": handover.whole_account,
        "invoice_ids": list(handover.lines.values_list("invoice_id", flat=True)),
        "handed_on": iso(handover.handed_on),
        "status": handover.status,
        "currency": handover.currency,
        "fee_percent": str(handover.fee_percent),
        "fixed_fee": money(handover.fixed_fee),
        "handed": money(figures.handed),
        "recovered": money(figures.recovered),
        "fees": money(figures.fees),
        "ended_on": iso(handover.ended_on),
        **stamps(handover),
    }


def write_off_data(write_off: Any) -> Data:
    return {
        "id": str(write_off.public_id),
        "customer": customer_ref(write_off),
        "reason": write_off.reason,
        "status": write_off.status,
        "currency": write_off.currency,
        "total": money(write_off.total),
        "lines": [
            {"invoice_id": invoice_id, "amount": money(amount)}
            for invoice_id, amount in write_off.lines.values_list("invoice_id", "amount")
        ],
        "requested_by_id": write_off.requested_by_id,
        "decided_by_id": write_off.decided_by_id,
        "decided_at": iso(write_off.decided_at),
        "reversed_at": iso(write_off.reversed_at),
        **stamps(write_off),
    }


register(
    "handover.created",
    _("A customer or some invoices were handed over to an agency or to litigation."),
    handover_data,
)
register(
    "handover.recalled", _("A handover was recalled: internal dunning resumes."), handover_data
)
register("handover.closed", _("A handover was closed by finance."), handover_data)
register("write_off.requested", _("A write-off was requested."), write_off_data)
register(
    "write_off.approved",
    _("A write-off was approved: its invoices left the open balances."),
    write_off_data,
)
register("write_off.rejected", _("A write-off request was rejected."), write_off_data)
register(
    "write_off.reversed",
    _("An approved write-off was reversed: its invoices are open again."),
    write_off_data,
)
