"""Bad input gets a clear error naming line and column, and imports nothing (SPEC §1.6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from encaisse.ledger.models import ImportBatch
from tests.imports.helpers import ledger_counts, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read the engine's messages in English, their source language.

    French is the default language; tests/test_translations.py checks the French catalogue.
    """
    with translation.override("en"):
        yield


HEADER = "number;customer_key;issue_date;due_date;amount;currency\n"


@pytest.fixture
def customers() -> None:
    run("customers", "external_key;name;currency\nC1;Dupont;EUR\nC2;Smith;GBP\n")


def _errors(report: object) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in report.errors]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("F1;C1;2026-13-45;;10;", "issue_date", "not a date"),
        ("F1;C1;2026-01-10;;douze;", "amount", "not an amount"),
        ("F1;C1;2026-01-10;;0;", "amount", "greater than zero"),
        ("F1;C1;2026-01-10;;-5,00;", "amount", "greater than zero"),
        ("F1;C9;2026-01-10;;10;", "customer_key", "unknown customer"),
        ("F1;C1;2026-01-10;2026-01-01;10;", "due_date", "before the issue date"),
        ("F1;C2;2026-01-10;;10;EUR", "currency", "differs from the customer"),
        (";C1;2026-01-10;;10;", "number", "required"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_imported(
    customers: None, row: str, column: str, reason: str
) -> None:
    before = ledger_counts()
    report = run("invoices", HEADER + "F0;C1;2026-01-10;;10;\n" + row + "\n", filename="inv.csv")
    assert report.status == "rejected"
    assert _errors(report) == [(3, column)]
    assert reason in report.errors[0].reason
    assert report.errors[0].file == "inv.csv"
    assert ledger_counts() == before
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.status == "rejected"
    assert batch.errors[0]["line"] == 3 and batch.errors[0]["column"] == column


def test_every_error_is_reported_not_only_the_first(customers: None) -> None:
    report = run(
        "invoices",
        HEADER + "F1;C1;bad;;bad;\nF2;C1;2026-01-10;;10;\nF2;C1;2026-01-10;;10;\n",
        dry_run=True,
    )
    assert report.status == "invalid"
    assert _errors(report) == [(2, "issue_date"), (2, "amount"), (4, "number")]
    assert "duplicate" in report.errors[2].reason
    assert report.error_rows == 2


def test_duplicate_customer_keys_within_the_file() -> None:
    report = run("customers", "external_key,name\nC1,A\nC1,B\n")
    assert report.status == "rejected"
    assert _errors(report) == [(3, "external_key")]
    assert ledger_counts() == (0, 0, 0, 0)


def test_invalid_identifiers_and_unknown_account_manager() -> None:
    report = run(
        "customers",
        "external_key,name,siren,siret,vat_number,account_manager\n"
        "C1,A,123456789,,,\nC2,B,,12345678901234,,\nC3,C,,,FR00000000000,\nC4,D,,,,nobody\n",
    )
    assert _errors(report) == [
        (2, "siren"),
        (3, "siret"),
        (4, "vat_number"),
        (5, "account_manager"),
    ]
    assert ledger_counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\x03PK\x03\x04" * 100, "binary"),
        (bytes(range(256)) * 20, "binary"),
        (b"just one column\nhello\n", "separator"),
        (b"external_key;label\nC1;x\n", "Missing required column name"),
    ],
)
def test_unreadable_files_get_a_file_level_error(content: bytes, message: str) -> None:
    report = run("customers", content)
    assert report.status == "rejected"
    assert message in report.file_error
    assert ledger_counts() == (0, 0, 0, 0)
    assert ImportBatch.objects.get().errors[0]["reason"] == report.file_error


def test_an_invoice_amount_cannot_change_once_paid(customers: None) -> None:
    run("invoices", HEADER + "F1;C1;2026-01-10;;100;\n")
    run(
        "payments",
        "external_key;customer_key;date;amount;invoice_numbers\nP1;C1;2026-01-20;40;F1\n",
    )
    report = run("invoices", HEADER + "F1;C1;2026-01-10;;120;\n")
    assert report.status == "rejected"
    assert _errors(report) == [(2, "amount")]
    assert "already allocated" in report.errors[0].reason


def test_unknown_kind_is_an_error_not_an_exception() -> None:
    assert run("nonsense", b"a;b\n1;2\n").file_error
