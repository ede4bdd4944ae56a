"""Formatting for templates: money in the active language, dates, timeline sentences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import get_language

from encaisse.collab.models import Activity
from encaisse.collab.timeline import TimelineEntry
from encaisse.lib.cli import number
from encaisse.lib.money import format_money
from encaisse.web import timeline

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "EUR") -> str:
    """`{{ invoice.balance|money:invoice.currency }}` → "1 234,56 €" in French."""
    if amount is None or amount == "":
        return "—"
    return format_money(Decimal(amount), currency or "EUR", get_language() or "fr")


@register.filter
def count(value: int | None) -> str:
    """A count in the active language: "12 605" in French, "12,605" in English."""
    return number(value or 0)


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """A short date in the active language's format (31/01/2026, 01/31/2026)."""
    if value is None:
        return "—"
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.filter
def days_late(invoice: Any, today: dt.date) -> int:
    return int(invoice.days_late(today))


@register.filter
def sentence(activity: Activity | TimelineEntry) -> str:
    return timeline.sentence(activity)


@register.filter
def person(user: Any) -> str:
    if user is None:
        return "—"
    return str(user)  # User.__str__: the full name, else the username


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], key: str, desc_first: bool = False) -> str:
    """Query string sorting by `key`; a second click on the sorted column reverses it."""
    request = context["request"]
    form = context["form"]
    params = request.GET.copy()
    first = "-" + key if desc_first else key
    flipped = key if desc_first else "-" + key
    params["sort"] = flipped if form.current_sort == first else first
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def aria_sort(context: dict[str, Any], key: str) -> str:
    """The aria-sort value of a sortable column header."""
    current = context["form"].current_sort
    if current == key:
        return "ascending"
    if current == "-" + key:
        return "descending"
    return "none"
