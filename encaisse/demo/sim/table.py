"""The simulator's report as a rich table: one row per day or per week."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from rich.table import Table

from encaisse.demo.simulator import DayReport, merge
from encaisse.dunning.models import DunningStep


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
    return f"{amount:,.0f}".replace(",", " ")


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
            str(r.issued),
            str(r.payments),
            euros(r.collected),
            *(str(r.contacts.get(offset, 0) or "·") for offset in offsets),
            str(r.sent),
            f"{r.staff.approved}/{r.staff.skipped}",
            str(r.staff.tasks_done),
            str(r.staff.promises),
            str(r.staff.disputes),
            euros(r.kpis.overdue),
            euros(r.kpis.receivables),
            str(r.kpis.dso),
        )
    return table
