"""Plain words for the codes the dunning engine records (statuses, reasons, holds).

The engine stores codes and parameters (`reason="blocked"`, `{"block":
"promise", "until": "2026-04-02"}`); the pages show them translated, in the
reader's language, at the moment they are read.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from encaisse.dunning.models import ActionStatus, StateReason, StepAction
from encaisse.dunning.reasons import ACTION_REASONS, block_label, reason_label
from encaisse.web.timeline import iso_day


def step_status(status: str) -> str:
    """The status of one step of an invoice's plan (explain's StepLine.status)."""
    extra = {
        "next": pgettext("dunning step", "Next"),
        "upcoming": _("Upcoming"),
        "planned": _("Waiting for delivery"),
    }
    if status in extra:
        return extra[status]
    return str(dict(ActionStatus.choices).get(status, status))


def detail(code: str) -> str:
    """Why a step was skipped, dropped or cancelled, or why the next one waits."""
    if code in ACTION_REASONS:
        return reason_label(code)
    if code in StateReason.values:
        return str(StateReason(code).label)
    return code


def block(code: str) -> str:
    """A hold reason, or a customer status that stops dunning ("status:agency")."""
    return block_label(code)


def why(reason: str, params: dict[str, Any] | None) -> str:
    """The state's reason as a sentence, with its parameters."""
    p = params or {}
    if reason == StateReason.WAITING and p.get("step"):
        return _("Waiting for the next step, “%(step)s”.") % {"step": p["step"]}
    if reason == StateReason.POSTPONED_GAP and p.get("until"):
        return _(
            "“%(step)s” is postponed to %(until)s: the customer was contacted less than "
            "the minimum gap ago."
        ) % {"step": p.get("step", ""), "until": iso_day(p["until"])}
    if reason == StateReason.BLOCKED and p.get("block"):
        if p.get("until"):
            return _("Blocked (%(block)s) until %(until)s.") % {
                "block": block(str(p["block"])),
                "until": iso_day(p["until"]),
            }
        if str(p["block"]).startswith("status:"):
            return _("Blocked (%(block)s) until the customer's status changes.") % {
                "block": block(str(p["block"]))
            }
        return _("Blocked (%(block)s) until the hold is released.") % {
            "block": block(str(p["block"]))
        }
    if reason in StateReason.values:
        return str(StateReason(reason).label) + "."
    return reason


def action(code: str) -> str:
    return str(dict(StepAction.choices).get(code, code))


def offset(days: int) -> str:
    """A step's place relative to the due date."""
    if days == 0:
        return _("on the due date")
    if days > 0:
        return ngettext(
            "%(days)d day after the due date", "%(days)d days after the due date", days
        ) % {"days": days}
    return ngettext(
        "%(days)d day before the due date", "%(days)d days before the due date", -days
    ) % {"days": -days}


def short_offset(days: int) -> str:
    """J+3 / J−5, the notation credit managers use (D+3 in English)."""
    sign = "+" if days >= 0 else "−"
    return _("D%(sign)s%(days)d") % {"sign": sign, "days": abs(days)}
