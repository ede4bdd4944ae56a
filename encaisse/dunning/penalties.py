"""French late-payment penalties and the fixed indemnity (SPEC §4.6).

Penalty = balance × rate × days late / 365, the rate of each semester
applying to the days late that fall in it. Days late run from the day after
the due date through the computation date, both included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from encaisse.lib.money import round_money

_DAYS_IN_YEAR = Decimal(365)


def semester_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def next_semester(start: dt.date) -> dt.date:
    return dt.date(start.year, 7, 1) if start.month == 1 else dt.date(start.year + 1, 1, 1)


def rate_for(semester: dt.date, table: Sequence[tuple[dt.date, Decimal]]) -> Decimal:
    """The table's rate for the semester starting `semester`, else the latest earlier one.

    `table` is (semester start, rate in %) sorted by date. Before the first
    row, the first row's rate applies.
    """
    if not table:
        raise ValueError("the late-penalty rate table is empty")
    rate = table[0][1]
    for starts_on, value in table:
        if starts_on > semester:
            break
        rate = value
    return rate


def penalty_segments(
    balance: Decimal,
    due_on: dt.date,
    on: dt.date,
    table: Sequence[tuple[dt.date, Decimal]],
    contractual_rate: Decimal | None = None,
) -> list[tuple[dt.date, dt.date, int, Decimal, Decimal]]:
    """(first day, last day, days, rate %, unrounded amount) per semester segment."""
    segments: list[tuple[dt.date, dt.date, int, Decimal, Decimal]] = []
    first = due_on + dt.timedelta(days=1)
    while first <= on:
        start = semester_start(first)
        last = min(on, next_semester(start) - dt.timedelta(days=1))
        days = (last - first).days + 1
        rate = contractual_rate if contractual_rate is not None else rate_for(start, table)
        amount = balance * rate / Decimal(100) * days / _DAYS_IN_YEAR
        segments.append((first, last, days, rate, amount))
        first = last + dt.timedelta(days=1)
    return segments


def late_penalty(
    balance: Decimal,
    due_on: dt.date,
    on: dt.date,
    table: Sequence[tuple[dt.date, Decimal]],
    contractual_rate: Decimal | None = None,
    currency: str = "EUR",
) -> Decimal:
    """The penalty owed on `on`, rounded once, at the end, to the cent."""
    total = sum(
        (segment[4] for segment in penalty_segments(balance, due_on, on, table, contractual_rate)),
        Decimal(0),
    )
    return round_money(total, currency)
