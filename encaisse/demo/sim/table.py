"""The simulator's report as a rich table: one row per day or per week."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.table import Table

from encaisse.demo.simulator import DayReport, merge
from encaisse.dunning.models import DunningStep
from encaisse.lib.cli import number


def step_names() -> dict[int, str]:
    """Step name by offset, over every plan (the default plan's name wins on a shared offset)."""
    names: dict[int, str] = {}
    steps = DunningStep.objects.order_by("offset_days", "-plan__is_default", "pk")
    for offset, name in steps.values_list("offset_days", "name"):
        names.setdefault(offset, name)
    return names


def weeks(reports: Sequence[DayReport]) -> list[DayReport]:
    return [merge(reports[start : start + 7]) for start in range(0, len(reports), 7)]


def step_label(offset: int) -> str:
    return f"J{offset:+d}".replace("-", "−")


def euros(amount: Decimal) -> str:
    """Whole euros in the active language's number format ("12 345" / "12,345")."""
    return number(amount, 0)


def figures(total: DayReport) -> str:
    """What a replay did, each figure with its noun in the right number:
    "1 facture émise, 3 paiements, …"."""
    staff = total.staff
    return ", ".join(
        [
            ngettext("%(count)s invoice issued", "%(count)s invoices issued", total.issued)
            % {"count": number(total.issued)},
            ngettext("%(count)s payment", "%(count)s payments", total.payments)
            % {"count": number(total.payments)},
            ngettext("%(count)s message sent", "%(count)s messages sent", total.sent)
            % {"count": number(total.sent)},
            ngettext("%(count)s task done", "%(count)s tasks done", staff.tasks_done)
            % {"count": number(staff.tasks_done)},
            ngettext("%(count)s promise", "%(count)s promises", staff.promises)
            % {"count": number(staff.promises)},
            ngettext("%(count)s dispute", "%(count)s disputes", staff.disputes)
            % {"count": number(staff.disputes)},
        ]
    )


def done_in(seconds: float) -> str:
    return _("Done in %(seconds)s s.") % {"seconds": number(Decimal(f"{seconds:.1f}"), 1)}


def dso_change(first: DayReport, last: DayReport) -> str:
    """ "DSO 48,2 → 45,1 jours" (the number of the noun follows the last figure)."""
    start, end = first.kpis.dso, last.kpis.dso
    return ngettext("DSO %(from)s → %(to)s day", "DSO %(from)s → %(to)s days", int(end)) % {
        "from": number(start, 1),
        "to": number(end, 1),
    }


def kpi_table(reports: Sequence[DayReport], offsets: Sequence[int]) -> Table:
    table = Table(title=_("Simulated days"), header_style="bold", show_lines=False)
    table.add_column(_("Day"), no_wrap=True)
    for header in (_("Inv."), _("Paym."), _("Collected €")):
        table.add_column(header, justify="right")
    for offset in offsets:
        table.add_column(step_label(offset), justify="right")
    for header in (_("Sent"), _("Appr./skip."), _("Tasks"), _("Prom."), _("Disp.")):
        table.add_column(header, justify="right")
    for header in (_("Overdue €"), _("AR €"), _("DSO")):
        table.add_column(header, justify="right")
    for r in reports:
        day = r.day.isoformat() if r.day == r.last_day else f"{r.day:%m-%d}→{r.last_day:%m-%d}"
        table.add_row(
            day,
            number(r.issued),
            number(r.payments),
            euros(r.collected),
            *(number(r.contacts[offset]) if r.contacts.get(offset) else "·" for offset in offsets),
            number(r.sent),
            f"{number(r.staff.approved)}/{number(r.staff.skipped)}",
            number(r.staff.tasks_done),
            number(r.staff.promises),
            number(r.staff.disputes),
            euros(r.kpis.overdue),
            euros(r.kpis.receivables),
            number(r.kpis.dso, 1),
        )
    return table
