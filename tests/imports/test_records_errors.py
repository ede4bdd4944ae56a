"""`import_records` errors: all or nothing, every error with its index and field, and the
CSV import's message for the same value; a rep's scope for the customers records name."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from django.utils import translation

from encaisse.accounts.models import User
from encaisse.ledger.imports.record_cells import cell_text
from encaisse.ledger.models import Customer, ImportBatch, Invoice
from encaisse.ledger.models.imports import ImportStatus
from encaisse.ledger.selectors import customers_visible_to
from tests.conftest import make_customer, make_invoice
from tests.imports.helpers import run
from tests.imports.records_helpers import push

pytestmark = pytest.mark.django_db


def as_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """The records as the CSV file a user would upload (every key a column)."""
    columns = list(dict.fromkeys(key for record in records for key in record))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell_text(record.get(column)) for column in columns])
    return out.getvalue()


def csv_errors(kind: str, records: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """(record index, column, reason) of a dry-run CSV import of the same rows."""
    report = run(kind, as_csv(records), dry_run=True)
    return [(error.line - 2, error.column, error.reason) for error in report.errors]


BAD = {
    17: {"amount": "12,3,4"},
    250: {"issue_date": "31/02/2026"},
    251: {"customer_key": "NOPE"},
    600: {"due_date": "2025-01-01"},  # before the issue date
    999: {"amount": "-5", "po_reference": "x" * 65},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_one_bad_record_among_a_thousand_writes_nothing_and_lists_every_error(
    alice: User, language: str
) -> None:
    customer = make_customer(None)
    records: list[dict[str, Any]] = [
        {"number": f"F{n:04d}", "customer_key": customer.external_key,
         "issue_date": "2026-01-10", "amount": f"{n + 1}.50"}
        for n in range(1000)
    ]  # fmt: skip
    records[400]["number"] = records[399]["number"]  # a duplicate key
    for index, change in BAD.items():
        records[index].update(change)
    with translation.override(language):
        result = push("invoices", records, actor=alice)
        expected = csv_errors("invoices", records)
    assert not result.ok and not result.applied and result.records == []
    got = [(e.index, e.field, e.message) for e in result.errors]
    assert got == expected
    assert {e.index for e in result.errors} == {*BAD, 400}
    assert not Invoice.objects.exists()
    assert Customer.objects.get(pk=customer.pk).open_balance == 0
    rejected = ImportBatch.objects.get(pk=result.batch_id)
    assert rejected.status == ImportStatus.REJECTED and rejected.source == "api"


def test_a_rep_names_only_customers_of_the_portfolio(bob: User, carol: User) -> None:
    mine, theirs = make_customer(bob), make_customer(carol)
    make_invoice(theirs, number="CAROL-1")
    scope = customers_visible_to(bob)
    record = {"number": "F1", "issue_date": "2026-01-10", "amount": "10"}
    foreign = push("invoices", [{**record, "customer_key": theirs.external_key}], visible=scope)
    missing = push("invoices", [{**record, "customer_key": "NOPE"}], visible=scope)
    # The same error as for a customer that does not exist: existence is not revealed.
    assert [(e.field, e.message.replace(theirs.external_key, "K")) for e in foreign.errors] == [
        (e.field, e.message.replace("NOPE", "K")) for e in missing.errors
    ]
    assert foreign.errors[0].field == "customer_key"
    # An object of another portfolio cannot be reached through its key either.
    taken = push(
        "invoices",
        [{**record, "number": "CAROL-1", "customer_key": mine.external_key}],
        visible=scope,
    )
    assert [(e.field, e.code) for e in taken.errors] == [("number", "conflict")]
    assert "CAROL" in taken.errors[0].message and "Carrosserie" not in taken.errors[0].message
    assert Invoice.objects.get(external_key="CAROL-1").customer == theirs
    renamed = push(
        "customers", [{"external_key": theirs.external_key, "name": "Mine now"}], visible=scope
    )
    assert [(e.field, e.code) for e in renamed.errors] == [("external_key", "conflict")]
    assert Customer.objects.get(pk=theirs.pk).name != "Mine now"
    ok = push("invoices", [{**record, "customer_key": mine.external_key}], visible=scope)
    assert ok.ok, ok.errors


def test_update_mode_says_not_found_for_another_portfolio(bob: User, carol: User) -> None:
    theirs = make_customer(carol)
    scope = customers_visible_to(bob)
    result = push(
        "customers", [{"external_key": theirs.external_key, "name": "x"}], visible=scope,
        mode="update",
    )  # fmt: skip
    nowhere = push(
        "customers", [{"external_key": "NOPE", "name": "x"}], visible=scope, mode="update"
    )
    assert [(e.field, e.code) for e in result.errors] == [("external_key", "not_found")]
    assert [(e.field, e.code) for e in nowhere.errors] == [("external_key", "not_found")]
