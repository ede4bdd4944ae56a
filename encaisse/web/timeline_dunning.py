"""Timeline sentences for dunning and task events (registered on import by web.timeline)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from encaisse.collab.models import TaskKind
from encaisse.dunning.models import Channel
from encaisse.web import dunning_labels
from encaisse.web.timeline import day, describes, money, settings_changed


def _count(p: dict[str, Any]) -> int:
    return len(p.get("invoices") or [])


def _sent(channel: str) -> None:
    label = dict(Channel.choices)[channel]

    @describes(f"dunning.{channel}.sent")
    def sentence(p: dict[str, Any]) -> str:
        values = {
            "what": label,
            "step": p["step"],
            "total": money(p, "total"),
            "count": _count(p),
        }
        count = values["count"]
        if p.get("recipients"):
            values["to"] = ", ".join(p["recipients"])
            return (
                ngettext(
                    "Sent: %(what)s “%(step)s” to %(to)s, %(count)d invoice, %(total)s",
                    "Sent: %(what)s “%(step)s” to %(to)s, %(count)d invoices, %(total)s",
                    count,
                )
                % values
            )
        return (
            ngettext(
                "Sent: %(what)s “%(step)s”, %(count)d invoice, %(total)s",
                "Sent: %(what)s “%(step)s”, %(count)d invoices, %(total)s",
                count,
            )
            % values
        )


for _channel in Channel.values:
    _sent(_channel)


@describes("dunning.manual.requested")
def _manual(p: dict[str, Any]) -> str:
    count = _count(p)
    if p.get("gap_override"):
        return ngettext(
            "Manual reminder requested for %(count)d invoice, overriding the minimum gap: "
            "“%(reason)s”",
            "Manual reminder requested for %(count)d invoices, overriding the minimum gap: "
            "“%(reason)s”",
            count,
        ) % {"count": count, "reason": p["gap_override"]}
    return ngettext(
        "Manual reminder requested for %(count)d invoice",
        "Manual reminder requested for %(count)d invoices",
        count,
    ) % {"count": count}


@describes("dunning.message.approved")
def _approved(p: dict[str, Any]) -> str:
    return _("“%(step)s” approved for sending") % {"step": p["step"]}


@describes("dunning.message.skipped")
def _skipped(p: dict[str, Any]) -> str:
    return _("“%(step)s” skipped at review: it will not go out") % {"step": p["step"]}


@describes("dunning.message.retried")
def _retried(p: dict[str, Any]) -> str:
    return _("Delivery of “%(step)s” tried again") % {"step": p["step"]}


@describes("dunning.message.cancelled")
def _cancelled(p: dict[str, Any]) -> str:
    return _("“%(step)s” cancelled: no invoice was left to chase") % {"step": p["step"]}


@describes("dunning.message.failed")
def _failed(p: dict[str, Any]) -> str:
    return _("“%(step)s” could not be delivered: %(error)s") % {
        "step": p["step"],
        "error": p.get("error", ""),
    }


@describes("dunning.task.created")
def _task(p: dict[str, Any]) -> str:
    kind = dict(TaskKind.choices).get(p.get("kind", ""), p.get("kind", ""))
    count = _count(p)
    return ngettext(
        "%(kind)s planned by “%(step)s” for %(count)d invoice",
        "%(kind)s planned by “%(step)s” for %(count)d invoices",
        count,
    ) % {"kind": kind, "step": p["step"], "count": count}


@describes("dunning.hold.placed")
def _hold_placed(p: dict[str, Any]) -> str:
    values = {"reason": dunning_labels.block(p["reason"])}
    if p.get("until"):
        values["until"] = day(p, "until")
        return _("Dunning on hold (%(reason)s) until %(until)s") % values
    return _("Dunning on hold (%(reason)s) until released") % values


@describes("dunning.hold.released")
def _hold_released(p: dict[str, Any]) -> str:
    return _("Hold released (%(reason)s): dunning resumes") % {
        "reason": dunning_labels.block(p["reason"])
    }


@describes("dunning.extension.granted")
def _extension(p: dict[str, Any]) -> str:
    return _("Due date extended from %(from)s to %(to)s") % {
        "from": day(p, "from"),
        "to": day(p, "to"),
    }


@describes("dunning.plan.assigned")
def _plan_assigned(p: dict[str, Any]) -> str:
    if p.get("name"):
        return _("Dunning plan set to “%(plan)s”") % {"plan": p["name"]}
    return _("Dunning plan back to the rule (risk class, else the default plan)")


@describes("collab.task.created")
def _collab_task(p: dict[str, Any]) -> str:
    return _("Task: %(title)s") % {"title": p["title"]}


@describes("collab.task.completed")
def _collab_task_done(p: dict[str, Any]) -> str:
    if p.get("outcome"):
        return _("Task done: %(outcome)s") % {"outcome": p["outcome"]}
    return _("Task done")


@describes("dunning.settings.updated")
def _settings_updated(p: dict[str, Any]) -> str:
    return settings_changed(_("Dunning settings changed"), p["changes"])
