"""Separators, decimal comma, encodings, header spellings: all read the same ledger."""

from __future__ import annotations

import codecs
from decimal import Decimal

import pytest

from encaisse.ledger.models import Customer, Invoice
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db

ROWS = [("C1", "Société Générale d'Éclairage", "1 234,56"), ("C2", "Café Noël", "99,90")]


@pytest.mark.parametrize("separator", [";", ",", "\t", "|"])
def test_every_separator_is_detected(separator: str) -> None:
    lines = [separator.join(["external_key", "name"])]
    lines += [
        separator.join([key, f'"{name}"' if separator in name else name]) for key, name, _a in ROWS
    ]
    report = run("customers", "\n".join(lines) + "\n")
    assert (report.status, report.separator, report.created) == ("applied", separator, 2)
    assert Customer.objects.get(external_key="C1").name == ROWS[0][1]


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("latin-1", b"", "cp1252"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_are_detected(encoding: str, prefix: bytes, detected: str) -> None:
    text = "external_key;name\r\n" + "".join(f"{k};{n}\r\n" for k, n, _a in ROWS)
    report = run("customers", prefix + text.encode(encoding))
    assert (report.status, report.encoding) == ("applied", detected)
    assert Customer.objects.get(external_key="C2").name == "Café Noël"
    assert set(Customer.objects.values_list("external_key", flat=True)) == {"C1", "C2"}


def test_decimal_comma_thousands_and_french_headers() -> None:
    run("customers", "Code client;Raison sociale;Devise\nC1;Dupont;eur\n")
    report = run(
        "invoices",
        "Numéro;Code client;Date facture;Échéance;Montant TTC\n"
        'F1;C1;10/01/2026;09/02/2026;"1 234,56"\n'
        "F2;C1;2026-01-11;;1.234,50\n"
        "F3;C1;2026-01-12;;1234.5\n",
    )
    assert report.status == "applied", report.errors
    amounts = dict(Invoice.objects.values_list("number", "amount"))
    assert amounts == {"F1": Decimal("1234.56"), "F2": Decimal("1234.50"), "F3": Decimal("1234.50")}


def test_unknown_columns_are_ignored_and_missing_columns_keep_values() -> None:
    run("customers", "external_key,name,city\nC1,Dupont,Lyon\n")
    report = run("customers", "external_key,name,comment\nC1,Dupont SA,hello\n")
    assert report.updated == 1
    customer = Customer.objects.get()
    assert (customer.name, customer.city) == ("Dupont SA", "Lyon")
