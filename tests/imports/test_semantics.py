"""Dry run, valid-rows-only and re-import idempotence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from encaisse.collab.models import Activity
from encaisse.ledger.models import Allocation, Customer, ImportBatch, Invoice
from tests.imports.helpers import ledger_counts, run

pytestmark = pytest.mark.django_db

CUSTOMERS = "external_key;name;city\nC1;Dupont;Lyon\nC2;Martin;Paris\n"
INVOICES = "number;customer_key;issue_date;amount\nF1;C1;2026-01-10;100\nF2;C2;2026-01-11;200\n"
PAYMENTS = "external_key;customer_key;date;amount;invoice_numbers\nP1;C1;2026-02-01;60;F1\n"


def test_dry_run_counts_without_writing() -> None:
    report = run("customers", CUSTOMERS, dry_run=True)
    assert (report.status, report.created, report.rows) == ("valid", 2, 2)
    assert ledger_counts() == (0, 0, 0, 0)
    assert not ImportBatch.objects.exists()


def test_reimporting_the_same_files_changes_nothing() -> None:
    for kind, content in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        assert run(kind, content).status == "applied"
    before = (ledger_counts(), Allocation.objects.count(), Activity.objects.count())
    balance = Invoice.objects.get(number="F1").balance
    for kind, content in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        dry = run(kind, content, dry_run=True)
        again = run(kind, content)
        assert (dry.created, dry.updated) == (again.created, again.updated) == (0, 0)
        assert again.unchanged == dry.unchanged > 0
    assert (ledger_counts(), Allocation.objects.count(), Activity.objects.count()) == before
    assert Invoice.objects.get(number="F1").balance == balance == Decimal("40.00")


def test_changed_rows_are_updates() -> None:
    run("customers", CUSTOMERS)
    run("invoices", INVOICES)
    report = run("customers", "external_key;name;city\nC1;Dupont SA;Lyon\nC2;Martin;Paris\n")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Customer.objects.get(external_key="C1").name == "Dupont SA"
    report = run("invoices", INVOICES.replace(";100", ";150"))
    assert (report.updated, report.unchanged) == (1, 1)
    f1 = Invoice.objects.get(number="F1")
    assert (f1.amount, f1.balance) == (Decimal("150.00"), Decimal("150.00"))
    assert Customer.objects.get(external_key="C1").open_balance == Decimal("150.00")


def test_valid_rows_only_imports_the_good_rows_and_reports_the_rest() -> None:
    run("customers", CUSTOMERS)
    content = INVOICES + "F3;C9;2026-01-12;300\nF4;C1;not-a-date;10\nF1;C1;2026-01-10;100\n"
    rejected = run("invoices", content)
    assert rejected.status == "rejected" and Invoice.objects.count() == 0
    report = run("invoices", content, valid_rows_only=True)
    assert report.status == "applied"
    assert (report.created, report.error_rows) == (2, 3)
    assert [(e.line, e.column) for e in report.errors] == [
        (4, "customer_key"), (5, "issue_date"), (6, "number"),
    ]  # fmt: skip
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["F1", "F2"]
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.status, batch.valid_rows_only, len(batch.errors)) == ("applied", True, 3)


def test_valid_rows_only_never_applies_an_unreadable_file() -> None:
    report = run("customers", b"\x00\x00binary", valid_rows_only=True)
    assert report.status == "rejected" and report.file_error


def test_chunks_smaller_than_the_file_give_the_same_result(settings: object) -> None:
    settings.ENCAISSE_IMPORT_CHUNK = 2  # type: ignore[attr-defined]
    customers = "external_key;name\n" + "".join(f"C{i};Client {i}\n" for i in range(7))
    invoices = "number;customer_key;issue_date;amount\n" + "".join(
        f"F{i};C{i % 7};2026-01-10;{i + 1}\n" for i in range(15)
    )
    payments = "external_key;customer_key;date;amount;invoice_numbers\n" + "".join(
        f"P{i};C{i % 7};2026-02-01;{i + 1};F{i}|F{(i + 7) % 14}\n" for i in range(15)
    )
    assert run("customers", customers).created == 7
    assert run("invoices", invoices).created == 15
    report = run("payments", payments + "P0;C0;2026-02-01;1;F0\n", valid_rows_only=True)
    assert (report.created, report.error_rows) == (15, 1)
    assert Customer.objects.filter(open_balance__gt=0).count() <= 7
    total_invoiced = sum(range(1, 16))
    open_total = sum(Customer.objects.values_list("open_balance", flat=True))
    allocated = sum(Allocation.objects.values_list("amount", flat=True))
    assert open_total == Decimal(total_invoiced) - allocated
