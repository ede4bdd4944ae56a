"""The schedule of a plan: amounts that add up, dates that keep the day of the month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encaisse.lib.instalments import (
    add_months,
    allocate,
    schedule,
    schedule_dates,
    split_instalments,
)

totals = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)


@given(total=totals, count=st.integers(min_value=1, max_value=60))
def test_instalments_sum_to_the_total_remainder_on_the_last(total: Decimal, count: int) -> None:
    amounts = split_instalments(total, count)
    assert len(amounts) == count
    assert sum(amounts) == total
    assert all(amount >= 0 for amount in amounts)
    assert len(set(amounts[:-1])) <= 1  # all but the last equal
    assert amounts[-1] >= amounts[0]  # the remainder goes to the last
    assert amounts[-1] - amounts[0] < Decimal("0.01") * count
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in amounts)


@given(
    total=totals,
    count=st.integers(min_value=1, max_value=24),
    share=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.99"), places=2),
)
def test_a_deposit_and_the_instalments_sum_to_the_plan_total(
    total: Decimal, count: int, share: Decimal
) -> None:
    deposit = (total * share).quantize(Decimal("0.01"))
    lines = schedule(
        total=total, count=count, frequency="monthly", first=dt.date(2027, 1, 31), deposit=deposit
    )
    assert sum(line.amount for line in lines) == total
    assert all(line.amount >= 0 for line in lines)


def test_zero_decimal_currencies_split_in_whole_units() -> None:
    assert split_instalments(Decimal("1000"), 3, "JPY") == [333, 333, 334]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2027, 1, 31), 2, dt.date(2027, 3, 31)),
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),
        (dt.date(2027, 12, 15), 1, dt.date(2028, 1, 15)),
    ],
)
def test_monthly_steps_keep_the_day_clamped_at_month_end(
    start: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("weekly", [dt.date(2027, 1, 31), dt.date(2027, 2, 7), dt.date(2027, 2, 14)]),
        ("biweekly", [dt.date(2027, 1, 31), dt.date(2027, 2, 14), dt.date(2027, 2, 28)]),
        ("monthly", [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]),
        ("quarterly", [dt.date(2027, 1, 31), dt.date(2027, 4, 30), dt.date(2027, 7, 31)]),
    ],
)
def test_each_frequency(frequency: str, expected: list[dt.date]) -> None:
    assert schedule_dates(dt.date(2027, 1, 31), 3, frequency) == expected


@given(
    collected=st.decimals(min_value=Decimal("-10"), max_value=Decimal("2000"), places=2),
    amounts=st.lists(totals.filter(lambda d: d < 500), min_size=1, max_size=12),
)
def test_payments_fill_instalments_oldest_first(collected: Decimal, amounts: list[Decimal]) -> None:
    paid = allocate(collected, amounts)
    assert sum(paid) == min(max(collected, Decimal("0")), sum(amounts))
    assert all(Decimal("0") <= p <= a for p, a in zip(paid, amounts, strict=True))
    # Only one instalment may be partly paid, and every earlier one is paid in full.
    for k, (p, a) in enumerate(zip(paid, amounts, strict=True)):
        if p < a:
            assert all(later == 0 for later in paid[k + 1 :])
