"""Instalment schedules: the dates and the amounts of a payment plan (pure, no models).

SPEC §1.1: the parts add up to the whole, the rounding remainder on the last.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from encaisse.lib.money import quantum

# Frequency code -> (months, days) between two instalments.
STEPS: dict[str, tuple[int, int]] = {
    "weekly": (0, 7),
    "biweekly": (0, 14),
    "monthly": (1, 0),
    "quarterly": (3, 0),
}


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months`, its day of month kept, clamped at the month's end
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def schedule_dates(first: dt.date, count: int, frequency: str) -> list[dt.date]:
    """The due dates of `count` instalments from `first`.

    Monthly steps count from the first date each time (not from the previous
    instalment), so a plan starting on the 31st falls on the 31st whenever the
    month has one.
    """
    months, days = STEPS[frequency]
    return [add_months(first, months * k) + dt.timedelta(days=days * k) for k in range(count)]


def split_instalments(total: Decimal, count: int, currency: str = "EUR") -> list[Decimal]:
    """`total` in `count` amounts: equal shares rounded down to the minor unit,
    the remainder on the last instalment.

    Rounding the share down (not half-up) keeps the last instalment at least
    as large as the others and never negative, even for tiny totals.
    """
    if count <= 0:
        raise ValueError("count must be positive")
    if total < 0:
        raise ValueError("total must not be negative")
    share = (total / count).quantize(quantum(currency), rounding=ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


@dataclass(frozen=True, slots=True)
class Line:
    sequence: int  # 0: the deposit
    due_on: dt.date
    amount: Decimal
    is_deposit: bool = False


def schedule(
    *,
    total: Decimal,
    count: int,
    frequency: str,
    first: dt.date,
    deposit: Decimal = Decimal("0"),
    deposit_on: dt.date | None = None,
    currency: str = "EUR",
) -> list[Line]:
    """The whole schedule: the deposit (if any) first, then `count` instalments
    sharing what is left of `total`."""
    lines: list[Line] = []
    if deposit > 0:
        lines.append(Line(0, deposit_on or first, deposit, is_deposit=True))
    amounts = split_instalments(total - deposit, count, currency)
    dates = schedule_dates(first, count, frequency)
    lines.extend(
        Line(k + 1, due, amount) for k, (due, amount) in enumerate(zip(dates, amounts, strict=True))
    )
    return lines


def allocate(collected: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """What `collected` pays of each instalment, oldest first (partial counted)."""
    left = max(collected, Decimal("0"))
    paid: list[Decimal] = []
    for amount in amounts:
        part = min(amount, left)
        paid.append(part)
        left -= part
    return paid
