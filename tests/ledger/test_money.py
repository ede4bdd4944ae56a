"""Money helpers: parsing both notations, half-up rounding, splits that add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encaisse.lib.money import format_money, parse_amount, round_money, split_evenly


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("-12,5", "-12.5"),
        ("12,50-", "-12.50"),
        ("12,50 €", "12.50"),
        ("€12.50", "12.50"),
        ("$5", "5"),
        ("-€1,234.50", "-1234.50"),
        ("12 EUR", "12"),
        ("\u00a01\u202f000,00", "1000.00"),
    ],
)
def test_parse_amount_reads_french_and_english_notation(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "abc", "1,2,3", "NaN", "inf", "1€5", "€", "€12€"])
def test_parse_amount_rejects_garbage(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(raw)


def test_round_money_rounds_half_up() -> None:
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")


@given(
    total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
    parts=st.integers(min_value=1, max_value=36),
)
def test_split_evenly_parts_add_up_to_the_whole(total: Decimal, parts: int) -> None:
    amounts = split_evenly(total, parts)
    assert sum(amounts) == total
    assert len(amounts) == parts
    assert all(a == amounts[0] for a in amounts[:-1])


def test_format_money_in_both_languages() -> None:
    assert format_money(Decimal("1234.5"), "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert format_money(Decimal("-1234.5"), "EUR", "en") == "-€1,234.50"
