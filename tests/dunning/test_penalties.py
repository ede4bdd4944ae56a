"""French late-payment penalties (SPEC §4.6) against examples worked out by hand.

Penalty = balance × rate × days late / 365, per semester segment, rounded once
(half up) at the end. Days late run from the day after the due date through
the computation date, both included.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encaisse.dunning.defaults import PENALTY_RATES
from encaisse.dunning.penalties import late_penalty, penalty_segments, rate_for
from encaisse.dunning.rendering.context import rate_table

D = Decimal
# Penalty rates = ECB main refinancing rate on 1 January / 1 July + 10 points.
TABLE = [
    (dt.date(2024, 7, 1), D("14.25")),
    (dt.date(2025, 1, 1), D("13.15")),
    (dt.date(2025, 7, 1), D("12.15")),
    (dt.date(2026, 1, 1), D("12.15")),
]


def test_a_period_inside_one_semester_uses_that_semesters_rate() -> None:
    # Due 30 Sept 2025, computed 30 Oct: 1–30 Oct = 30 days, all in H2 2025 (12.15 %).
    # 1000 × 0.1215 × 30 / 365 = 3645 / 365 = 9.98630… → 9.99
    assert penalty_segments(D("1000.00"), dt.date(2025, 9, 30), dt.date(2025, 10, 30), TABLE) == [
        (dt.date(2025, 10, 1), dt.date(2025, 10, 30), 30, D("12.15"), D("3645") / D("365"))
    ]
    penalty = late_penalty(D("1000.00"), dt.date(2025, 9, 30), dt.date(2025, 10, 30), TABLE)
    assert penalty == D("9.99")


def test_a_period_straddling_30_june_2025_charges_each_semesters_rate() -> None:
    # Due 20 June 2025, computed 10 July: 21–30 June = 10 days at 13.15 %,
    # 1–10 July = 10 days at 12.15 %.
    # 1000 × 0.1315 × 10/365 = 3.60274 + 1000 × 0.1215 × 10/365 = 3.32877 = 6.93151 → 6.93
    segments = penalty_segments(D("1000.00"), dt.date(2025, 6, 20), dt.date(2025, 7, 10), TABLE)
    assert [(s[0], s[1], s[2], s[3]) for s in segments] == [
        (dt.date(2025, 6, 21), dt.date(2025, 6, 30), 10, D("13.15")),
        (dt.date(2025, 7, 1), dt.date(2025, 7, 10), 10, D("12.15")),
    ]
    penalty = late_penalty(D("1000.00"), dt.date(2025, 6, 20), dt.date(2025, 7, 10), TABLE)
    assert penalty == D("6.93")


def test_a_period_straddling_a_year_end_changes_rate_on_1_january() -> None:
    # Due 20 Dec 2024, computed 10 Jan 2025: 21–31 Dec = 11 days at 14.25 % (H2 2024),
    # 1–10 Jan = 10 days at 13.15 % (H1 2025).
    # 1000 × 0.1425 × 11/365 = 4.29452 + 1000 × 0.1315 × 10/365 = 3.60274 = 7.89726 → 7.90
    segments = penalty_segments(D("1000.00"), dt.date(2024, 12, 20), dt.date(2025, 1, 10), TABLE)
    assert [(s[2], s[3]) for s in segments] == [(11, D("14.25")), (10, D("13.15"))]
    penalty = late_penalty(D("1000.00"), dt.date(2024, 12, 20), dt.date(2025, 1, 10), TABLE)
    assert penalty == D("7.90")


def test_a_contractual_rate_replaces_the_table_in_every_semester() -> None:
    # Same straddling period (10 + 10 days), both at the contract's 9 %:
    # 1000 × 0.09 × 20 / 365 = 1800 / 365 = 4.93151 → 4.93
    due, on = dt.date(2025, 6, 20), dt.date(2025, 7, 10)
    segments = penalty_segments(D("1000.00"), due, on, TABLE, contractual_rate=D("9"))
    assert [(s[2], s[3]) for s in segments] == [(10, D("9")), (10, D("9"))]
    assert late_penalty(D("1000.00"), due, on, TABLE, contractual_rate=D("9")) == D("4.93")


def test_a_semester_missing_from_the_table_uses_the_latest_earlier_one() -> None:
    # H1 2026 is not in this table: H2 2025's 12.15 % applies, not H1 2025's 13.15 %.
    # Due 31 Jan 2026, computed 2 March: 1 Feb–2 March = 30 days.
    # 1000 × 0.1215 × 30 / 365 = 9.98630… → 9.99
    table = [(dt.date(2025, 1, 1), D("13.15")), (dt.date(2025, 7, 1), D("12.15"))]
    assert rate_for(dt.date(2026, 1, 1), table) == D("12.15")
    penalty = late_penalty(D("1000.00"), dt.date(2026, 1, 31), dt.date(2026, 3, 2), table)
    assert penalty == D("9.99")
    # Before the table's first semester, its first rate applies.
    assert rate_for(dt.date(2024, 7, 1), table) == D("13.15")


def test_the_penalty_is_rounded_once_at_the_end_not_per_segment() -> None:
    # Due 20 June 2025, computed 10 July, 500.00:
    # 500 × 0.1315 × 10/365 = 1.80137 and 500 × 0.1215 × 10/365 = 1.66438.
    # Once: 3.46575 → 3.47. Per segment it would be 1.80 + 1.66 = 3.46.
    penalty = late_penalty(D("500.00"), dt.date(2025, 6, 20), dt.date(2025, 7, 10), TABLE)
    assert penalty == D("3.47")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        # 18.25 × 0.10 × days / 365 = 0.005 × days, exactly on the half cent:
        (1, "0.01"),  # 0.005 → 0.01 half up (half even would give 0.00)
        (5, "0.03"),  # 0.025 → 0.03 half up (half even would give 0.02)
        (2, "0.01"),  # 0.010, nothing to round
    ],
)
def test_a_half_cent_rounds_up(days: int, expected: str) -> None:
    due = dt.date(2025, 3, 1)
    on = due + dt.timedelta(days=days)
    assert late_penalty(D("18.25"), due, on, TABLE, contractual_rate=D("10")) == D(expected)


@pytest.mark.parametrize("on", [dt.date(2025, 9, 30), dt.date(2025, 9, 1)])
def test_no_day_late_means_no_penalty(on: dt.date) -> None:
    # Computed on the due date itself (or before it): no day late, nothing owed.
    assert penalty_segments(D("1000.00"), dt.date(2025, 9, 30), on, TABLE) == []
    assert late_penalty(D("1000.00"), dt.date(2025, 9, 30), on, TABLE) == D("0.00")


def test_an_empty_rate_table_is_refused() -> None:
    with pytest.raises(ValueError, match="rate table is empty"):
        late_penalty(D("1000.00"), dt.date(2025, 9, 30), dt.date(2025, 10, 30), [])


@pytest.mark.django_db
def test_the_installed_table_charges_12_15_percent_for_h2_2025_and_h1_2026() -> None:
    # SPEC §4.6: ECB MRO 2.15 % since 11 June 2025, so 12.15 % from 1 July 2025.
    table = rate_table()
    assert rate_for(dt.date(2025, 7, 1), table) == D("12.15")
    assert rate_for(dt.date(2026, 1, 1), table) == D("12.15")
    assert rate_for(dt.date(2025, 1, 1), table) == D("13.15")


DEFAULT_TABLE = [(starts_on, ecb + 10) for starts_on, ecb in PENALTY_RATES]
dates = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2028, 12, 31))
balances = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@given(balance=balances, due=dates, late=st.integers(-40, 2000))
def test_segment_days_add_up_to_the_days_late(balance: Decimal, due: dt.date, late: int) -> None:
    on = due + dt.timedelta(days=late)
    segments = penalty_segments(balance, due, on, DEFAULT_TABLE)
    assert sum(days for _first, _last, days, _rate, _amount in segments) == max(0, late)
    # Contiguous, each inside one semester.
    for (_f, last, *_), (first, *_) in itertools.pairwise(segments):
        assert first == last + dt.timedelta(days=1)
    for first, last, *_ in segments:
        assert (first.year, first.month <= 6) == (last.year, last.month <= 6)


@given(balance=balances, due=dates, late=st.integers(0, 2000), more=st.integers(0, 400))
def test_the_penalty_never_decreases_as_the_end_date_moves_later(
    balance: Decimal, due: dt.date, late: int, more: int
) -> None:
    on = due + dt.timedelta(days=late)
    later = on + dt.timedelta(days=more)
    assert late_penalty(balance, due, on, DEFAULT_TABLE) <= late_penalty(
        balance, due, later, DEFAULT_TABLE
    )
