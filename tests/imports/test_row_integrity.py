"""Rows are read whole or reported (issue 7): a line with fewer or more cells than the
header, a cut-off quoted cell, is an error naming its line and the count expected;
a row's every error is reported under the file's own column names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.ledger.models import Customer, ImportBatch, Invoice
from tests.imports.helpers import ledger_counts, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The engine's messages in English, their source language (French is tested apart)."""
    with translation.override("en"):
        yield


HEADER = "external_key;name;city\n"


def errors(report: object) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.reason) for e in report.errors]  # type: ignore[attr-defined]


def test_a_file_cut_off_in_its_last_row_is_refused_not_imported_truncated() -> None:
    content = HEADER + "C1;Dupont SA;Lyon\nC2;Énergies Four"
    report = run("customers", content, filename="cut.csv")
    assert report.status == "rejected"
    [(line, column, reason)] = errors(report)
    assert (line, column) == (3, "")
    assert reason.startswith("expected 3 cells as in the header, found 2: the line is cut off")
    assert "missing: city" in reason
    assert report.errors[0].file == "cut.csv"
    assert ledger_counts() == (0, 0, 0, 0)


def test_a_cut_off_quoted_cell_is_refused() -> None:
    report = run("customers", 'external_key;city;name\nC1;Lyon;"Dupont; Fils"\nC2;Paris;"Énergies')
    assert report.status == "rejected"
    assert errors(report)[0][:2] == (3, "")
    assert "ends inside a quoted cell" in errors(report)[0][2]
    assert ledger_counts() == (0, 0, 0, 0)


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    report = run("customers", HEADER + "C1;Dupont;Lyon\nC2;Martin, Fils;Paris;Nord\n")
    assert report.status == "rejected"
    [(line, _column, reason)] = errors(report)
    assert line == 3
    assert reason.startswith("expected 3 cells as in the header, found 4: a separator too many")


def test_quoting_errors_name_their_line_and_the_next_rows_are_still_checked() -> None:
    report = run("customers", HEADER + 'C1;"Dupont" SA;Lyon\nC2;;Paris\n', dry_run=True)
    assert [(line, column) for line, column, _r in errors(report)] == [(2, ""), (3, "name")]
    assert "badly quoted cell" in errors(report)[0][2]


def test_blank_lines_and_lines_of_separators_only_are_skipped() -> None:
    report = run("customers", HEADER + "C1;Dupont;Lyon\n\n;;\n  ;  ;\nC2;Martin;Paris\n;;\n")
    assert report.status == "applied", report.errors
    assert (report.rows, report.created) == (2, 2)


def test_valid_rows_only_skips_a_cut_off_row() -> None:
    report = run("customers", HEADER + "C1;Dupont SA;Lyon\nC2;Énergies Four", valid_rows_only=True)
    assert (report.status, report.created, report.error_rows) == ("applied", 1, 1)
    assert list(Customer.objects.values_list("name", flat=True)) == ["Dupont SA"]


def test_every_error_of_a_row_is_reported_under_the_files_own_column_names() -> None:
    run("customers", "Code client;Raison sociale\nC1;Dupont\n")
    report = run(
        "invoices",
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC\n"
        "F1;C9;31/02/2026;;douze\n"  # unknown customer, bad date, bad amount
        "F2;C9;2026-03-10;2026-03-01;10\n"  # unknown customer, due before issue
        "F3;C1;2026-03-10;;10\n",
        dry_run=True,
    )
    assert [(line, column) for line, column, _r in errors(report)] == [
        (2, "Date facture"),
        (2, "Montant TTC"),
        (2, "Code client"),
        (3, "Code client"),
        (3, "Date d'échéance"),
    ]
    assert (report.rows, report.error_rows, report.error_count) == (3, 2, 5)
    assert report.tally("invoices").created == 1


def test_no_valid_row_means_valid_rows_only_imports_nothing() -> None:
    report = run("customers", HEADER + "C1;Dupont\n", valid_rows_only=True)
    assert (report.status, report.created, report.valid_rows) == ("rejected", 0, 0)
    assert ledger_counts() == (0, 0, 0, 0)


def test_a_rejected_import_does_not_count_what_it_would_have_created() -> None:
    content = HEADER + "C1;Dupont;Lyon\nC2;Martin;Paris\nC2;Twice;Nice\n"
    report = run("customers", content)
    assert report.status == "rejected"
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    counts = ImportBatch.objects.get().counts
    assert (counts["created"], counts["entities"]) == (0, {})
    dry = run("customers", content, dry_run=True)
    assert dry.created == 2  # a review still says what the valid rows would do


def test_a_fec_line_with_missing_cells_names_its_line() -> None:
    header = "JournalCode|EcritureNum|EcritureDate|CompteNum|CompAuxNum|PieceRef|Debit|Credit\n"
    body = "VT|1|20260110|411000|C1|F1|100,00|0\nVT|1|20260110|706000||F1|0\n"
    report = run("fec", header + body, filename="fec.txt")
    assert report.status == "rejected"
    assert errors(report)[0][:2] == (3, "")
    assert "expected 8 cells" in errors(report)[0][2]
    assert ledger_counts() == (0, 0, 0, 0)


# Names without control characters (those are refused for their own reason) and as the
# importer stores them (stripped); they may hold the separator or quotes.
name = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=15
).filter(lambda text: text.strip() == text and text.isprintable())
city = st.one_of(st.just(""), name)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(name, city), min_size=1, max_size=5), st.data())
def test_any_row_truncated_anywhere_is_reported_with_its_line_or_imported_whole(
    rows: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Cut one row anywhere (the rest of the file, if any, follows on the next line): the
    import reports that row's line, or keeps its cells whole. The cuts no reader can see
    are inside the last cell when it is not quoted (a shorter value is still a value), or
    when it is quoted, right between the two quotes of an escaped quote (`"a""` reads as
    a whole quoted cell): then only that cell is shorter, never shifted into another column."""
    Customer.objects.all().delete()
    table = [("external_key", "name", "city")] + [(f"C{n}", *row) for n, row in enumerate(rows)]
    lines = [_csv_line(row) for row in table]
    victim = data.draw(st.integers(min_value=1, max_value=len(lines) - 1), label="row")
    cut = data.draw(st.integers(min_value=1, max_value=len(lines[victim]) - 1), label="cut")
    whole = lines[victim]
    lines[victim] = whole[:cut]
    report = run("customers", "\n".join(lines) + ("\n" if victim < len(lines) - 1 else ""))
    if victim + 1 in {error.line for error in report.errors}:
        assert report.status == "rejected" and ledger_counts() == (0, 0, 0, 0)
        return
    assert report.status == "applied", (lines, report.file_error, report.errors)
    stored = {key: (name, city) for key, name, city in Customer.objects.values_list(
        "external_key", "name", "city")}  # fmt: skip
    key, original_name, original_city = table[victim]
    last_cell_starts = len(_csv_line(table[victim][:2])) + 1
    quoted = whole[last_cell_starts:].startswith('"')
    inside_escaped_quote = whole[cut - 1 : cut + 1] == '""'
    invisible = cut >= last_cell_starts and (not quoted or inside_escaped_quote)
    assert invisible, (lines[victim], report.errors)
    assert stored[key][0] == original_name
    assert original_city.startswith(stored[key][1])
    for other_key, other_name, other_city in table[1:]:
        if other_key != key:
            assert stored[other_key] == (other_name, other_city)


def _csv_line(cells: tuple[str, ...]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="").writerow(cells)
    return out.getvalue()


def test_invoice_rows_are_whole_or_reported_in_payments_too() -> None:
    run("customers", "external_key;name\nC1;Dupont\n")
    run("invoices", "number;customer_key;issue_date;amount\nF1;C1;2026-01-10;100\n")
    report = run(
        "payments",
        "external_key;customer_key;date;amount;invoice_numbers\nP1;C1;2026-01-20;40",
    )
    assert report.status == "rejected"
    assert "missing: invoice_numbers" in errors(report)[0][2]
    assert Invoice.objects.get().balance == 100
