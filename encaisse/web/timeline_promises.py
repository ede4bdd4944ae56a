"""Timeline sentences for promises to pay, due-date extensions and expired holds
(registered on import by web.apps)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from encaisse.resolution.models import PromiseSource
from encaisse.web import dunning_labels
from encaisse.web.timeline import day, describes, money

_BY_CUSTOMER = PromiseSource.PORTAL.value


@describes("resolution.promise.made")
def _promise_made(p: dict[str, Any]) -> str:
    values = {"amount": money(p), "date": day(p, "promised_on")}
    if p.get("source") == _BY_CUSTOMER:
        return _("Promise to pay %(amount)s by %(date)s, made by the customer") % values
    return _("Promise to pay %(amount)s by %(date)s recorded: dunning paused") % values


@describes("resolution.promise.kept")
def _promise_kept(p: dict[str, Any]) -> str:
    return _("Promise to pay %(amount)s by %(date)s kept (%(paid)s received)") % {
        "amount": money(p),
        "date": day(p, "promised_on"),
        "paid": money(p, "paid"),
    }


@describes("resolution.promise.broken")
def _promise_broken(p: dict[str, Any]) -> str:
    return _(
        "Promise to pay %(amount)s by %(date)s broken (%(paid)s received): dunning resumes"
    ) % {
        "amount": money(p),
        "date": day(p, "promised_on"),
        "paid": money(p, "paid"),
    }


@describes("resolution.promise.cancelled")
def _promise_cancelled(p: dict[str, Any]) -> str:
    return _("Promise to pay %(amount)s by %(date)s cancelled") % {
        "amount": money(p),
        "date": day(p, "promised_on"),
    }


@describes("resolution.extension.requested")
def _extension_requested(p: dict[str, Any]) -> str:
    values = {"to": day(p, "to"), "reason": p.get("reason", "")}
    if p.get("source") == _BY_CUSTOMER:
        return _("The customer asked to move the due date to %(to)s: %(reason)s") % values
    return _("Extension of the due date to %(to)s requested: %(reason)s") % values


@describes("resolution.extension.approved")
def _extension_approved(p: dict[str, Any]) -> str:
    text = _("Extension to %(to)s approved") % {"to": day(p, "to")}
    return f"{text} — {p['comment']}" if p.get("comment") else text


@describes("resolution.extension.refused")
def _extension_refused(p: dict[str, Any]) -> str:
    text = _("Extension to %(to)s refused") % {"to": day(p, "to")}
    return f"{text} — {p['comment']}" if p.get("comment") else text


@describes("resolution.hold.expired")
def _hold_expired(p: dict[str, Any]) -> str:
    return _("Hold (%(reason)s) expired on %(until)s: dunning resumes") % {
        "reason": dunning_labels.block(p["reason"]),
        "until": day(p, "until"),
    }
