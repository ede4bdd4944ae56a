"""Turn an Activity (`verb` + `payload`) into a sentence a person can read.

Each domain registers one describer per verb; an unknown verb falls back to a
generic sentence so that a new event type never breaks a timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from encaisse.collab.models import Activity
from encaisse.collab.timeline import TimelineEntry
from encaisse.ledger.matching.sentences import reason_sentence
from encaisse.ledger.matching.types import Reason
from encaisse.lib.money import format_money

Describer = Callable[[dict[str, Any]], str]
_REGISTRY: dict[str, Describer] = {}


def describes(verb: str) -> Callable[[Describer], Describer]:
    def register(describer: Describer) -> Describer:
        _REGISTRY[verb] = describer
        return describer

    return register


def money(payload: dict[str, Any], key: str = "amount") -> str:
    raw = payload[key]  # a missing figure means a malformed payload: generic sentence
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        return str(raw)
    return format_money(amount, str(payload.get("currency") or "EUR"), get_language() or "fr")


def iso_day(raw: Any) -> str:
    """An ISO date kept in a payload, in the reader's short format (as is if it is not one)."""
    try:
        return formats.date_format(dt.date.fromisoformat(str(raw)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(raw)


def day(payload: dict[str, Any], key: str) -> str:
    return iso_day(payload[key])


def sentence(activity: Activity | TimelineEntry) -> str:
    payload = activity.payload if isinstance(activity.payload, dict) else {}
    describer = _REGISTRY.get(activity.verb)
    if describer is not None:
        try:
            return describer(payload)
        except (KeyError, TypeError, ValueError):
            pass  # a malformed payload still gets the generic sentence
    return generic(activity.verb, payload)


def generic(verb: str, payload: dict[str, Any]) -> str:
    label = verb.rsplit(".", 2)
    what = " ".join(part.replace("_", " ") for part in label[-2:])
    details = ", ".join(f"{k}: {v}" for k, v in payload.items() if not isinstance(v, dict | list))
    if details:
        return _("Event “%(what)s” (%(details)s)") % {"what": what, "details": details}
    return _("Event “%(what)s”") % {"what": what}


@describes("ledger.customer.created")
def _customer_created(p: dict[str, Any]) -> str:
    return _("Customer %(name)s created") % {"name": p["name"]}


@describes("ledger.contact.created")
def _contact_created(p: dict[str, Any]) -> str:
    if p.get("email"):
        return _("Contact %(name)s (%(email)s) added") % {"name": p["name"], "email": p["email"]}
    return _("Contact %(name)s added") % {"name": p["name"]}


@describes("ledger.invoice.created")
def _invoice_created(p: dict[str, Any]) -> str:
    return _("Invoice %(number)s issued for %(amount)s, due on %(due)s") % {
        "number": p["number"],
        "amount": money(p),
        "due": day(p, "due_date"),
    }


@describes("ledger.payment.recorded")
def _payment_recorded(p: dict[str, Any]) -> str:
    if p.get("reference"):
        return _("Payment of %(amount)s received on %(date)s (ref. %(reference)s)") % {
            "amount": money(p),
            "date": day(p, "date"),
            "reference": p["reference"],
        }
    return _("Payment of %(amount)s received on %(date)s") % {
        "amount": money(p),
        "date": day(p, "date"),
    }


@describes("ledger.credit_note.recorded")
def _credit_note_recorded(p: dict[str, Any]) -> str:
    return _("Credit note %(number)s of %(amount)s recorded") % {
        "number": p["number"],
        "amount": money(p),
    }


def _source(p: dict[str, Any]) -> str:
    if p.get("source") == "credit_note":
        return _("credit note %(ref)s") % {"ref": p.get("source_ref", "")}
    return _("payment %(ref)s") % {"ref": p.get("source_ref", "")}


@describes("ledger.allocation.created")
def _allocation_created(p: dict[str, Any]) -> str:
    if p.get("via") == "fec_lettering":
        return _(
            "Lettered in the accounting (lettering %(code)s): %(amount)s of %(source)s applied"
        ) % {"code": p["lettering"], "amount": money(p), "source": _source(p)}
    values = {
        "amount": money(p),
        "ref": p.get("source_ref", ""),
        "balance": money(p, "balance_after"),
    }
    if p.get("source") == "credit_note":
        text = _("%(amount)s of credit note %(ref)s applied; balance now %(balance)s") % values
    else:
        text = _("%(amount)s of payment %(ref)s applied; balance now %(balance)s") % values
    if isinstance(p.get("match"), dict):
        why = reason_sentence(Reason.from_payload(p["match"]), str(p.get("currency") or "EUR"))
        text = _("%(text)s (cash application: %(why)s)") % {"text": text, "why": why}
    return text


@describes("ledger.allocation.reversed")
def _allocation_reversed(p: dict[str, Any]) -> str:
    values = {"amount": money(p), "source": _source(p), "invoice": p.get("invoice", "")}
    if p.get("by") == "fec_lettering":
        return _(
            "Re-lettered from the accounting (lettering %(code)s): %(amount)s of %(source)s "
            "taken off invoice %(invoice)s and back on account"
        ) % {**values, "code": p["lettering"]}
    return _(
        "Application undone: %(amount)s of %(source)s taken off invoice %(invoice)s and back "
        "on account (reason: “%(reason)s”); balance now %(balance)s"
    ) % {**values, "reason": p["reason"], "balance": money(p, "balance_after")}


@describes("ledger.company.updated")
def _company_updated(p: dict[str, Any]) -> str:
    changes = p["changes"]
    if set(changes) == {"cash_auto_apply"}:
        # Older entries hold the new value itself, newer ones {"from", "to"}.
        value = changes["cash_auto_apply"]
        if value.get("to") if isinstance(value, dict) else value:
            return _("Automatic application of unambiguous matches after imports turned on")
        return _("Automatic application of unambiguous matches after imports turned off")
    return settings_changed(_("Company settings changed"), changes)


def settings_changed(title: str, changes: dict[str, Any]) -> str:
    """A title, then "field: old → new" for each change of a settings service."""
    parts = [
        f"{name}: {change.get('from')} → {change.get('to')}"
        for name, change in changes.items()
        if isinstance(change, dict)
    ]
    if not parts:
        return title
    return _("%(title)s (%(changes)s)") % {"title": title, "changes": "; ".join(parts)}


@describes("ledger.import.applied")
def _import_applied(p: dict[str, Any]) -> str:
    return _("Imported from %(file)s: %(created)s created, %(updated)s updated") % {
        "file": p["file"],
        "created": p.get("created", 0),
        "updated": p.get("updated", 0),
    }


@describes("collab.comment.added")
def _comment_added(p: dict[str, Any]) -> str:
    return _("Comment: “%(text)s”") % {"text": p["text"]}
