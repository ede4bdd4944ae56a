"""Timeline sentences for instalment plans (registered on import by web.apps)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from encaisse.web.timeline import day, describes, money


def _comment(p: dict[str, Any]) -> str:
    # French quotes with their no-break spaces, whatever the language.
    return f" — «\u00a0{p['comment']}\u00a0»" if p.get("comment") else ""


@describes("resolution.payment_plan.proposed")
def _proposed(p: dict[str, Any]) -> str:
    return _("Instalment plan of %(total)s proposed") % {"total": money(p, "total")}


@describes("resolution.payment_plan.activated")
def _activated(p: dict[str, Any]) -> str:
    return _("Instalment plan active: its invoices are held from dunning") + _comment(p)


@describes("resolution.payment_plan.refused")
def _refused(p: dict[str, Any]) -> str:
    return _("Instalment plan refused") + _comment(p)


@describes("resolution.payment_plan.cancelled")
def _cancelled(p: dict[str, Any]) -> str:
    return _("Instalment plan cancelled: dunning resumes") + _comment(p)


@describes("resolution.payment_plan.completed")
def _completed(p: dict[str, Any]) -> str:
    return _("Instalment plan completed: every instalment paid")


@describes("resolution.payment_plan.defaulted")
def _defaulted(p: dict[str, Any]) -> str:
    return _("Instalment plan in default: dunning resumes on the remaining balance")


@describes("resolution.payment_plan.instalment_paid")
def _paid(p: dict[str, Any]) -> str:
    return _("Instalment %(number)s paid (%(amount)s)") % {
        "number": p["instalment"],
        "amount": money(p, "amount"),
    }


@describes("resolution.payment_plan.instalment_missed")
def _missed(p: dict[str, Any]) -> str:
    return _("Instalment %(number)s due on %(day)s missed") % {
        "number": p["instalment"],
        "day": day(p, "due"),
    }
