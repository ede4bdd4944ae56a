"""Timeline sentences for handovers and write-offs (registered on import by web.apps)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from encaisse.resolution.models.write_off import WriteOffReason
from encaisse.web.timeline import describes, money


def _invoices(p: dict[str, Any]) -> str:
    return ", ".join(p.get("invoices") or [])


@describes("resolution.handover.created")
def _handed(p: dict[str, Any]) -> str:
    values = {"to": p["to"], "total": money(p, "total"), "invoices": _invoices(p)}
    if p.get("whole_account"):
        return _("Account handed over to %(to)s: %(total)s (%(invoices)s)") % values
    return _("Invoices handed over to %(to)s: %(total)s (%(invoices)s)") % values


@describes("resolution.handover.recalled")
def _recalled(p: dict[str, Any]) -> str:
    return _("Handover to %(to)s recalled: internal dunning resumes") % {"to": p["to"]}


@describes("resolution.handover.closed")
def _closed(p: dict[str, Any]) -> str:
    return _("Handover to %(to)s closed") % {"to": p["to"]}


@describes("resolution.agency.saved")
def _agency(p: dict[str, Any]) -> str:
    return _("Collection agency “%(name)s” saved") % {"name": p["name"]}


def _reason(p: dict[str, Any]) -> str:
    return str(dict(WriteOffReason.choices).get(p["reason"], p["reason"]))


@describes("resolution.write_off.requested")
def _requested(p: dict[str, Any]) -> str:
    values = {"total": money(p, "total"), "reason": _reason(p), "invoices": _invoices(p)}
    return _("Write-off requested: %(total)s, %(reason)s (%(invoices)s)") % values


@describes("resolution.write_off.approved")
def _approved(p: dict[str, Any]) -> str:
    values = {"total": money(p, "total"), "reason": _reason(p), "invoices": _invoices(p)}
    return _("Written off: %(total)s, %(reason)s (%(invoices)s)") % values


@describes("resolution.write_off.rejected")
def _rejected(p: dict[str, Any]) -> str:
    values = {"total": money(p, "total"), "invoices": _invoices(p)}
    return _("Write-off of %(total)s rejected (%(invoices)s)") % values


@describes("resolution.write_off.reversed")
def _reversed(p: dict[str, Any]) -> str:
    values = {"total": money(p, "total"), "invoices": _invoices(p), "why": p.get("reason", "")}
    return _("Write-off of %(total)s reversed: %(why)s (%(invoices)s)") % values


@describes("resolution.write_off.threshold_changed")
def _threshold(p: dict[str, Any]) -> str:
    return _("Write-off approval threshold changed from %(from)s to %(to)s") % {
        "from": money(p, "from"),
        "to": money(p, "to"),
    }
