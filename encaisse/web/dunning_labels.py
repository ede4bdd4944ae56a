"""Plain words for the codes the dunning engine records (statuses, reasons, holds).

The engine stores codes and parameters (`reason="blocked"`, `{"block":
"promise", "until": "2026-04-02"}`); the pages show them translated, in the
reader's language, at the moment they are read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from encaisse.dunning.models import ActionStatus, StateReason, StepAction
from encaisse.dunning.reasons import ACTION_REASONS, block_label, reason_label
from encaisse.dunning.services.explain import Outlook
from encaisse.dunning.services.explain_report import DunningReport
from encaisse.dunning.services.messages import LeftOut
from encaisse.lib.money import format_money
from encaisse.web.timeline import iso_day


def _lang() -> str:
    return (get_language() or "fr")[:2]


def step_status(status: str) -> str:
    """The status of one step of an invoice's plan (explain's StepLine.status)."""
    extra = {
        "next": pgettext("dunning step", "Next"),
        "upcoming": _("Upcoming"),
        "planned": _("Waiting for delivery"),
        "will_skip": _("Will be passed over"),
        "held": _("Held"),
        "not_needed": _("Not needed"),
    }
    if status in extra:
        return extra[status]
    return str(dict(ActionStatus.choices).get(status, status))


def detail(code: str) -> str:
    """Why a step was skipped, dropped or cancelled, or why the next one waits."""
    if code in STEP_DETAILS:
        return str(STEP_DETAILS[code])
    if code in ACTION_REASONS:
        return reason_label(code)
    if code in StateReason.values:
        return str(StateReason(code).label)
    return code


# What holds a step, or why it is no longer needed (explain's StepLine.detail).
STEP_DETAILS = {
    "blocked": gettext_lazy("the invoice is blocked"),
    "covered": gettext_lazy("covered by cash on account"),
    "go_live_held": gettext_lazy("beyond the go-live limit for invoices due before go-live"),
    "settled": gettext_lazy("the invoice is settled"),
    "escalated": gettext_lazy("handed over to collection"),
    "plan_complete": gettext_lazy("the plan is complete"),
}


def explanation_why(report: DunningReport) -> str:
    """Why the invoice is where it is: today's decision, as a sentence."""
    if not report.is_open:
        return why("settled", {})
    if report.performs_today:
        return _("“%(step)s” is due: the next run performs it.") % {"step": report.performs_today}
    if report.reason == StateReason.COVERED:
        return _(
            "Not chased: the %(amount)s on the customer's account (payments or credit notes "
            "not yet applied) cover this invoice. Finance is asked to apply them."
        ) % {"amount": format_money(report.on_account, report.currency, _lang())}
    return why(report.reason, report.params)


def waiting_for(report: DunningReport) -> str:
    """The "next step" line when no step has a date: what the invoice waits for."""
    params = report.params
    reason = report.waiting_for
    if reason == "blocked":
        until = params.get("until")
        if until:
            return _("None before the block ends on %(until)s.") % {"until": iso_day(until)}
        if str(params.get("block", "")).startswith("status:"):
            return _("None until the customer's status changes.")
        return _("None until the block is lifted.")
    if reason == "covered":
        return _("None while cash on account covers the invoice.")
    if reason == "go_live_held":
        return _("None: invoices due before go-live are not chased further automatically.")
    if reason == "escalated":
        return _("None: the invoice was handed over to collection.")
    if reason == "no_plan" or report.plan is None:
        return "—"
    if reason in ("settled",):
        return "—"
    return _("None: the plan has no further step.")


def outlook_next(outlook: Outlook) -> str:
    """An invoice's next dunning step in a few words (the customer page's column)."""
    decision = outlook.decision
    reason = decision.reason
    if decision.perform is not None:
        return _("%(step)s today") % {"step": decision.perform.name}
    if reason == StateReason.BLOCKED:
        return _("blocked: %(block)s") % {"block": block(str(decision.params.get("block", "")))}
    if reason == StateReason.COVERED:
        return _("not chased: covered by cash on account")
    if reason in (StateReason.SETTLED, StateReason.NO_PLAN, StateReason.PLAN_COMPLETE):
        return str(StateReason(reason).label)
    if reason == StateReason.ESCALATED:
        return _("handed over to collection")
    if reason == StateReason.GO_LIVE_HELD:
        return _("held: due before go-live")
    if decision.next_step is not None and decision.next_action_on is not None:
        return _("%(step)s on %(date)s") % {
            "step": decision.next_step.name,
            "date": iso_day(decision.next_action_on.isoformat()),
        }
    return "—"


def held(reason: str, count: int, amount: Decimal) -> str:
    """A run's invoices whose turn came but that it does not chase, and why."""
    values = {"count": count, "amount": format_money(amount, "EUR", _lang())}
    if reason == StateReason.COVERED:
        return (
            ngettext(
                "%(count)d invoice not chased: cash on account covers it (%(amount)s open).",
                "%(count)d invoices not chased: cash on account covers them (%(amount)s open).",
                count,
            )
            % values
        )
    if reason == StateReason.GO_LIVE_HELD:
        return (
            ngettext(
                "%(count)d invoice due before go-live held by the policy (%(amount)s open).",
                "%(count)d invoices due before go-live held by the policy (%(amount)s open).",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)d invoice blocked by a dispute, promise, hold or status (%(amount)s open).",
            "%(count)d invoices blocked by a dispute, promise, hold or status (%(amount)s open).",
            count,
        )
        % values
    )


def left_out(left: LeftOut) -> str:
    """Why a manual reminder leaves an invoice out."""
    if left.reason == "blocked":
        return block(left.block)
    labels = {
        "settled": _("paid or credited"),
        "covered": _("covered by cash on account"),
        "below_threshold": _("below the minimum amount its plan chases"),
    }
    return str(labels.get(left.reason, left.reason))


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
    if reason == StateReason.GO_LIVE_HELD:
        return _(
            "Due before the go-live date: the go-live policy does not chase it further "
            "automatically."
        )
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
