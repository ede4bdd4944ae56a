"""FEC rules on small hand-written files: lettering, 416, Montant/Sens, rejections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from encaisse.ledger.models import CreditNote, Customer, Invoice, Payment
from tests.imports.helpers import ledger_counts, net_balances, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read the engine's messages in English, their source language.

    French is the default language; tests/test_translations.py checks the French catalogue.
    """
    with translation.override("en"):
        yield


HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\t"
    "CompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t"
    "ValidDate\tMontantdevise\tIdevise\n"
)


def line(journal: str, num: str, account: str, aux: str, piece: str, debit: str, credit: str,
         letter: str = "", date: str = "20260110") -> str:  # fmt: skip
    cells = [journal, "J", num, date, account, "Clients", aux, f"Client {aux}", piece, date,
             "libellé", debit, credit, letter, "", date, "", ""]  # fmt: skip
    return "\t".join(cells) + "\n"


SALES = (
    line("VT", "1", "41100000", "DUPONT", "F1", "120,00", "0", "A")
    + line("VT", "1", "70600000", "", "F1", "0", "120,00")
    + line("VT", "2", "41100000", "DUPONT", "F2", "300,00", "0", "B")
    + line("VT", "2", "70600000", "", "F2", "0", "300,00")
    + line("VT", "3", "41100000", "DUPONT", "F3", "50,00", "0")
    + line("VT", "3", "70600000", "", "F3", "0", "50,00")
    + line("VT", "4", "41100000", "DUPONT", "AV1", "0", "20,00", "B")  # credit note
    + line("VT", "4", "70900000", "", "AV1", "20,00", "0")
    + line("BQ", "5", "41100000", "DUPONT", "R1", "0", "120,00", "A")  # settles F1
    + line("BQ", "5", "51200000", "", "R1", "120,00", "0")
    + line("BQ", "6", "41100000", "DUPONT", "R2", "0", "100,00", "B")  # B: 300 − 120 open
    + line("BQ", "6", "51200000", "", "R2", "100,00", "0")
    + line("OD", "7", "41600000", "", "D1", "80,00", "0")  # doubtful, no aux
    + line("OD", "7", "41100000", "DUPONT", "D1", "0", "0,00")
    + line("OD", "7", "70600000", "", "D1", "0", "80,00")
    + line("VT", "8", "41810000", "", "FNP", "999,00", "0")  # not invoiced: ignored
    + line("VT", "8", "70600000", "", "FNP", "0", "999,00")
)


def test_lettering_settles_groups_and_keeps_the_rest_open() -> None:
    report = run("fec", HEADER + SALES, filename="fec.txt")
    assert report.status == "applied", (report.file_error, report.errors)
    f1, f2, f3 = (Invoice.objects.get(number=n) for n in ("F1", "F2", "F3"))
    assert (f1.status, f1.balance, f1.paid_on) == ("paid", Decimal("0.00"), dt.date(2026, 1, 10))
    assert (f2.status, f2.balance) == ("partially_paid", Decimal("180.00"))
    assert (f3.status, f3.balance) == ("open", Decimal("50.00"))
    assert CreditNote.objects.get().allocated == Decimal("20.00")
    assert Payment.objects.count() == 2
    assert f3.due_date == dt.date(2026, 2, 9)  # company terms: 30 days
    assert net_balances() == {"DUPONT": Decimal("230.00"), "41600000": Decimal("80.00")}
    doubtful = Customer.objects.get(external_key="41600000")
    assert doubtful.tags == ["doubtful"]
    assert not Customer.objects.filter(external_key__startswith="418").exists()


def test_montant_sens_pipe_latin1_variant() -> None:
    header = "JournalCode|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|" \
             "PieceRef|PieceDate|EcritureLib|Montant|Sens|EcritureLet\n"  # fmt: skip
    body = (
        "VT|1|20260110|411000|Clients|C1|Société Noël|F1|20260110|Facture|100,00|D|\n"
        "VT|1|20260110|706000|Ventes|||F1|20260110|Facture|100,00|C|\n"
        "BQ|2|20260115|411000|Clients|C1|Société Noël|R1|20260115|Règlement|40,00|C|\n"
        "BQ|2|20260115|512000|Banque|||R1|20260115|Règlement|40,00|D|\n"
    )
    report = run("fec", (header + body).encode("iso-8859-15"), filename="fec.txt")
    assert report.status == "applied", (report.file_error, report.errors)
    assert Customer.objects.get().name == "Société Noël"
    assert net_balances() == {"C1": Decimal("60.00")}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER + line("VT", "1", "41100000", "C1", "F1", "100", "0"), "does not balance"),
        (
            HEADER
            + line("VT", "1", "60100000", "", "F1", "100", "0")
            + line("VT", "1", "40100000", "", "F1", "0", "100"),
            "no customer lines",
        ),
        ("JournalCode\tCompteNum\tDebit\nVT\t411\t1\n", "missing column"),
    ],
)
def test_rejected_fec_files_say_why(content: str, message: str) -> None:
    report = run("fec", content, filename="fec.txt")
    assert report.status == "rejected"
    assert message in report.file_error
    assert ledger_counts() == (0, 0, 0, 0)


def test_bad_amount_or_date_on_a_customer_line_names_the_line() -> None:
    content = HEADER + line("VT", "1", "41100000", "C1", "F1", "cent", "0") + line(
        "VT", "1", "70600000", "", "F1", "0", "100"
    ) + line("VT", "2", "41100000", "C1", "F2", "10", "0", date="2026-99-99") + line(
        "VT", "2", "70600000", "", "F2", "0", "10"
    )  # fmt: skip
    report = run("fec", content, filename="fec.txt")
    assert report.status == "rejected"
    assert [(e.line, e.column) for e in report.errors] == [(2, "Debit/Credit"), (4, "PieceDate")]
    assert ledger_counts() == (0, 0, 0, 0)


def test_fec_keeps_existing_customers_and_only_adds_the_doubtful_tag() -> None:
    run("customers", "external_key;name;tags\nDUPONT;Dupont SA;vip|b\n41600000;Douteux;z|a\n")
    report = run("fec", HEADER + SALES, filename="fec.txt")
    assert report.tally("customers").unchanged == 1
    assert report.tally("customers").updated == 1
    assert Customer.objects.get(external_key="DUPONT").name == "Dupont SA"
    assert Customer.objects.get(external_key="DUPONT").tags == ["vip", "b"]
    assert Customer.objects.get(external_key="41600000").tags == ["z", "a", "doubtful"]
    again = run("fec", HEADER + SALES, filename="fec.txt")
    assert again.created == again.updated == 0


def test_a_fec_holding_its_lines_twice_is_rejected_with_both_line_ranges() -> None:
    """The tester's file: every line twice still balances, and imported it doubled the
    receivables (keys #2). Each entry is reported once, where it comes back."""
    report = run("fec", HEADER + SALES + SALES, filename="twice.txt")
    assert report.status == "rejected"
    assert ledger_counts() == (0, 0, 0, 0)
    assert len(report.errors) == 8  # the eight entries of SALES
    first = report.errors[0]
    assert (first.line, first.column) == (19, "EcritureNum")
    assert first.reason == (
        "entry VT 1 of 20260110 (lines 2–3) appears again at lines 19–20: the file holds it twice"
    )
    assert report.error_rows == 17  # every line of the copy


def test_one_entry_pasted_again_is_named_and_valid_rows_only_imports_it_once() -> None:
    entry = line("VT", "9", "41100000", "MARTIN", "F9", "75,00", "0") + line(
        "VT", "9", "70600000", "", "F9", "0", "75,00"
    )
    content = HEADER + entry + SALES + entry
    report = run("fec", content, filename="fec.txt", dry_run=True)
    assert [(e.line, e.reason) for e in report.errors] == [
        (21, "entry VT 9 of 20260110 (lines 2–3) appears again at lines 21–22: "
             "the file holds it twice"),
    ]  # fmt: skip
    applied = run("fec", content, filename="fec.txt", valid_rows_only=True)
    assert applied.status == "applied"
    assert Invoice.objects.filter(number="F9").count() == 1
    assert net_balances()["MARTIN"] == Decimal("75.00")


def test_repeated_piece_references_in_different_entries_still_import() -> None:
    """One piece number on an invoice and on its payment, two invoices with one number in
    two entries, and an entry whose lines repeat inside it (a real Agrigest export has one):
    none of these is a copy of an entry."""
    content = (
        HEADER
        + line("VT", "1", "41100000", "C1", "F1", "100,00", "0")
        + line("VT", "1", "70600000", "", "F1", "0", "100,00")
        + line("VT", "2", "41100000", "C1", "F1", "100,00", "0")
        + line("VT", "2", "70600000", "", "F1", "0", "100,00")
        + line("BQ", "3", "41100000", "C1", "F1", "0", "100,00")
        + line("BQ", "3", "51200000", "", "F1", "100,00", "0")
        + line("VT", "4", "41100000", "C1", "F4", "10,00", "0")
        + line("VT", "4", "70600000", "", "F4", "0", "10,00")
        + line("VT", "4", "41100000", "C1", "F4", "10,00", "0")
        + line("VT", "4", "70600000", "", "F4", "0", "10,00")
    )
    report = run("fec", content, filename="fec.txt")
    assert report.status == "applied", (report.file_error, report.errors)
    assert Invoice.objects.count() == 4
    assert net_balances() == {"C1": Decimal("120.00")}


def test_fec_date_errors_quote_the_fec_format() -> None:
    content = HEADER + line("VT", "1", "41100000", "C1", "F1", "10", "0", date="31/02/2026") + line(
        "VT", "1", "70600000", "", "F1", "0", "10", date="31/02/2026"
    )  # fmt: skip
    report = run("fec", content, filename="fec.txt")
    assert [(e.line, e.column) for e in report.errors] == [(2, "PieceDate")]
    assert "(the FEC format is YYYYMMDD, e.g. 20260131)" in report.errors[0].reason
    with translation.override("fr"):
        french = run("fec", content, filename="fec.txt")
    assert "(format FEC\u00a0: AAAAMMJJ, par exemple 20260131)" in french.errors[0].reason


def test_fec_errors_use_the_files_own_column_names() -> None:
    header = HEADER.replace("Debit\tCredit", "DEBIT\tCREDIT").replace("CompAuxLib", "CompAuxLIB")
    bad_name = line("VT", "2", "41100000", "C2", "F2", "10", "0").replace("Client C2", "A\x0bB")
    content = header + line("VT", "1", "41100000", "C1", "F1", "dix", "0") + bad_name
    report = run("fec", content, filename="fec.txt")
    assert [(e.line, e.column) for e in report.errors] == [(2, "DEBIT/CREDIT"), (3, "CompAuxLIB")]
    assert "control character (U+000B" in report.errors[1].reason
