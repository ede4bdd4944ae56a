"""Timeline sentences for disputes (registered on import by WebConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from encaisse.resolution.models import DisputeResolution
from encaisse.web.timeline import describes, money


def _reason(p: dict[str, Any]) -> str:
    """The reason's label as it was, in the reader's language (kept in the payload)."""
    if (get_language() or "fr").startswith("en") and p.get("reason_label_en"):
        return str(p["reason_label_en"])
    return str(p.get("reason_label") or p.get("reason") or "")


@describes("resolution.dispute.opened")
def _opened(p: dict[str, Any]) -> str:
    values = {"reason": _reason(p), "amount": money(p, "line_amount")}
    if p.get("source") == "portal":
        return _("Dispute declared by the customer: %(reason)s, %(amount)s contested") % values
    return _("Dispute opened: %(reason)s, %(amount)s contested; reminders paused") % values


@describes("resolution.dispute.assigned")
def _assigned(p: dict[str, Any]) -> str:
    if p.get("owner"):
        return _("Dispute assigned to %(owner)s") % {"owner": p["owner"]}
    return _("Dispute given back to the finance queue")


@describes("resolution.dispute.in_progress")
def _in_progress(p: dict[str, Any]) -> str:
    return _("Dispute in progress (%(reason)s)") % {"reason": _reason(p)}


@describes("resolution.dispute.resolved")
def _resolved(p: dict[str, Any]) -> str:
    if p.get("resolution") == DisputeResolution.CREDIT_NOTE:
        if p.get("credit_note"):
            return _("Dispute resolved by credit note %(number)s; reminders resume") % {
                "number": p["credit_note"]
            }
        return _("Dispute resolved by a credit note; reminders resume")
    if p.get("corrected_invoice"):
        return _("Dispute resolved by corrected invoice %(number)s; reminders resume") % {
            "number": p["corrected_invoice"]
        }
    return _("Dispute resolved by a corrected invoice; reminders resume")


@describes("resolution.dispute.rejected")
def _rejected(p: dict[str, Any]) -> str:
    return _("Dispute rejected: “%(note)s”; reminders resume") % {"note": p["note"]}


@describes("resolution.dispute.attachment_added")
def _attached(p: dict[str, Any]) -> str:
    return _("Attachment added to the dispute: %(name)s") % {"name": p["name"]}


@describes("resolution.dispute_reason.created")
def _reason_created(p: dict[str, Any]) -> str:
    return _("Dispute reason added: %(label)s") % {"label": p["label"]}


@describes("resolution.dispute_reason.updated")
def _reason_updated(p: dict[str, Any]) -> str:
    return _("Dispute reason changed: %(label)s") % {"label": p["label"]}
