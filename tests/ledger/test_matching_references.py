"""Invoice numbers in free text: the normalised key and the false-positive guard."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encaisse.ledger.matching.references import (
    MIN_BARE_DIGITS,
    PREFIXES,
    lookup_numbers,
    number_key,
    reference_keys,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("FAC 00123", "F-123"),
        ("règlement f-00123", "F-123"),
        ("N° 123", "F-123"),
        ("Réf. n°123", "123"),
        ("fa123", "F-00123"),
        ("VIR SEPA DUPONT FACT FA2026-0001234", "FA2026-0001234"),
        ("FA 2026/1234", "FA2026-0001234"),
        ("FA2026 0001234", "FA2026-0001234"),
        ("190646", "190646"),
        ("INV 2024-07-42", "INV/2024/07/0042"),
    ],
)
def test_spellings_that_name_the_invoice(text: str, number: str) -> None:
    assert number_key(number) in reference_keys(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("VIR 12 JUILLET", "F-12"),  # a bare two-digit token names nothing
        ("Virement 123", "123"),  # three bare digits are not enough either
        ("Avoir AV-123", "F-123"),  # a credit note's prefix is not generic
        ("Règlement 2511,65 EUR", "2511"),  # an amount is one word, not a number
        ("24/07/2019", "2019"),  # a date neither
        ("VIR26031500001234", "F-1234"),  # a bank reference with digits inside
        ("REMISE CHEQUE DUPONT", "F-1"),
    ],
)
def test_texts_that_do_not_name_the_invoice(text: str, number: str) -> None:
    assert number_key(number) not in reference_keys(text)


def test_a_number_without_digits_is_never_a_reference() -> None:
    assert number_key("BOB-OVERDUE") is None


prefixes = st.sampled_from([*sorted(PREFIXES), ""])
separators = st.sampled_from(["", "-", " ", "/", ".", "_"])
digits = st.integers(min_value=1, max_value=10**9)


@given(
    number=digits,
    written_prefix=prefixes,
    stored_prefix=st.sampled_from(["F", "FA", "FAC", "INV", ""]),
    separator=separators,
    zeros=st.integers(min_value=0, max_value=5),
    lower=st.booleans(),
    around=st.sampled_from(["{}", "VIR SEPA {} MERCI", "Règlement {}", "{}, reste à venir"]),
)
def test_prefixes_spaces_separators_case_and_leading_zeros_are_ignored(
    number: int,
    written_prefix: str,
    stored_prefix: str,
    separator: str,
    zeros: int,
    lower: bool,
    around: str,
) -> None:
    written = f"{written_prefix}{separator if written_prefix else ''}{'0' * zeros}{number}"
    text = around.format(written.lower() if lower else written)
    key = number_key(f"{stored_prefix}-{number:05d}")
    bare = not written_prefix and len(f"{'0' * zeros}{number}") < MIN_BARE_DIGITS
    assert (key in reference_keys(text)) is not bare


@given(number=st.integers(min_value=0, max_value=999), cents=st.integers(0, 99))
def test_short_bare_numbers_and_amounts_name_nothing(number: int, cents: int) -> None:
    keys = reference_keys(f"Virement de {number},{cents:02d} EUR le {number} du mois")
    assert number_key(f"F-{number}") not in keys


@given(st.text(max_size=200))
def test_any_text_reads_without_error(text: str) -> None:
    for key in reference_keys(text):
        assert any(ch.isdigit() for ch in key)
    lookup_numbers([text])


@pytest.mark.parametrize("text", ["A㍘", "Loyer ㎡", "㋀ FA", "réglé le ㏠"])
def test_a_symbol_that_decomposes_into_digits_names_nothing(text: str) -> None:
    """ "㍘" (the telegraph symbol for hour zero) decomposes into "0点": no key."""
    assert reference_keys(text) == set()


@given(st.text(alphabet=st.characters(exclude_categories=["Nd", "No", "Nl"]), max_size=80))
def test_a_text_without_digits_names_nothing(text: str) -> None:
    assert reference_keys(text) == set()
