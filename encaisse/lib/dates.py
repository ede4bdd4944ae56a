"""Date helpers: payment terms, parsing the date formats our files use."""

from __future__ import annotations

import calendar
import datetime as dt

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


def parse_date(raw: str, formats: tuple[str, ...] = DATE_FORMATS) -> dt.date:
    """Parse the first format that matches; raise ValueError naming the value."""
    text = raw.strip()
    if not text:
        raise ValueError("empty date")
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {raw!r}")


def end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date_for(issue_date: dt.date, *, days: int, end_of_month_rule: bool) -> dt.date:
    """Due date under French payment terms.

    "30 jours" = issue + 30 days; "45 jours fin de mois" = issue + 45 days, then
    the end of that month (the common reading of L441-10).
    """
    due = issue_date + dt.timedelta(days=days)
    return end_of_month(due) if end_of_month_rule else due
