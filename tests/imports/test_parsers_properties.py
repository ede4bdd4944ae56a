"""Property tests: amounts round-trip in every notation; no input makes the importer raise."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.ledger.imports import fields
from encaisse.ledger.imports.reader import detect_encoding, normalise_header
from encaisse.lib.money import format_money
from tests.imports.helpers import run

amounts = st.decimals(
    min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2
)


@given(amounts, st.sampled_from(["fr", "en"]))
def test_formatted_amounts_parse_back(value: Decimal, language: str) -> None:
    assert fields.amount(format_money(value, "EUR", language)) == value


@given(amounts, st.sampled_from(["plain", "en", "fr", "de"]))
def test_plain_notations_parse_back(value: Decimal, style: str) -> None:
    grouped = f"{value:,}"
    text = {
        "plain": str(value),
        "en": grouped,
        "fr": grouped.replace(",", " ").replace(".", ","),
        "de": grouped.replace(",", "_").replace(".", ",").replace("_", "."),
    }[style]
    assert fields.amount(text) == value


@given(st.text(max_size=30))
def test_cell_parsers_raise_only_value_error(text: str) -> None:
    for parse in (fields.amount, fields.date, fields.integer, fields.boolean, fields.siren_number,
                  fields.siret_number, fields.vat_number, fields.upper_code(3)):  # fmt: skip
        with contextlib.suppress(ValueError):
            parse(text)


@given(st.binary(max_size=4000))
def test_encoding_detection_and_headers_never_raise(data: bytes) -> None:
    assert detect_encoding(data) in {"utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"}
    normalise_header(data.decode("latin-1"))


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["customers", "invoices", "payments", "credit_notes", "fec"]),
    st.lists(st.lists(cells, min_size=1, max_size=10), max_size=6),
    st.sampled_from([";", ",", "\t", "|"]),
)
def test_random_rows_never_raise(kind: str, rows: list[list[str]], separator: str) -> None:
    header = {
        "customers": "external_key;name;siren;credit_limit;terms_days",
        "invoices": "number;customer_key;issue_date;due_date;amount",
        "payments": "external_key;customer_key;date;amount;invoice_numbers",
        "credit_notes": "number;customer_key;issue_date;amount;invoice_number",
        "fec": "JournalCode;EcritureNum;EcritureDate;CompteNum;CompAuxNum;PieceRef;PieceDate;"
        "Debit;Credit;EcritureLet",
    }[kind].replace(";", separator)
    body = "\n".join(separator.join(row) for row in rows)
    report = run(kind, header + "\n" + body)
    assert report.status in {"applied", "rejected"}
    if report.status == "rejected":
        assert report.file_error or report.errors


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=3000), st.sampled_from(["customers", "invoices", "fec"]))
def test_random_bytes_never_raise(data: bytes, kind: str) -> None:
    report = run(kind, data, dry_run=True)
    assert report.status in {"valid", "invalid"}


def _stdnum_or_error(parse: fields.Parser, text: str) -> str:
    try:
        return str(parse(text))
    except ValueError as exc:
        return f"error: {exc}"


@given(
    st.integers(min_value=0, max_value=10**13 - 1),
    st.integers(min_value=0, max_value=99),
    st.text(alphabet="0123456789FR .", max_size=16),
)
def test_identifier_fast_paths_agree_with_python_stdnum(number: int, key: int, text: str) -> None:
    from stdnum import luhn

    siren = f"{number:08d}"[-8:]
    siren += luhn.calc_check_digit(siren)  # valid by construction, or not: both are compared
    siret = f"{number:013d}"
    siret += luhn.calc_check_digit(siret)
    vat_key = int(siren + "12") % 97
    cases = [
        (fields.siren_number, fields._siren_checked, [siren, siren[:8] + "0", text]),
        (fields.siret_number, fields._siret_checked, [siret, siret[:13] + "0", text]),
        (
            fields.vat_number,
            fields._vat_checked,
            [f"FR{vat_key:02d}{siren}", f"FR{key:02d}{siren}", f"FR00000{siren[:6]}", text],
        ),
    ]
    for fast, slow, values in cases:
        for value in values:
            assert _stdnum_or_error(fast, value) == _stdnum_or_error(slow, value), value
