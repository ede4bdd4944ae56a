"""CSV templates (issue 7): one per kind on the "Import a file" page, the documented header
and an example row, in the user's language and CSV conventions; each imports back."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from encaisse.accounts.models import User
from encaisse.ledger.imports.reader import normalise_header
from encaisse.ledger.imports.samples import csv_template
from encaisse.ledger.imports.schema import SCHEMAS
from encaisse.ledger.models import CreditNote, Customer, Invoice, Payment
from tests.demo.test_csv import documented_columns
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "imports.md"
KINDS = ("customers", "invoices", "credit_notes", "payments")  # the order they import in


def download(client: Client, user: User, kind: str, language: str) -> tuple[Any, str]:
    """The template as `user` downloads it with the interface in `language`."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(reverse("import_template", args=[kind]))
    content = b"".join(response.streaming_content).decode("utf-8")
    return response, content


def french_documented_headers() -> dict[str, list[str]]:
    """The "French template header" cell of each row of the `### x.csv` tables."""
    tables: dict[str, list[str]] = {}
    current = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = line[4:].strip()
            tables[current] = []
        elif current and line.startswith("|") and not line.startswith(("| column", "|---")):
            cell = re.split(r"(?<!\\)\|", line)[4]  # a pipe in a cell is written \|
            tables[current].extend(name.strip().strip("`") for name in cell.split(","))
    return tables


@pytest.mark.parametrize("kind", KINDS)
def test_the_english_template_is_the_documented_header(kind: str) -> None:
    with translation.override("en"):
        header, example = csv_template(kind)
    assert tuple(header) == documented_columns()[f"{kind}.csv"]
    assert len(example) == len(header)


@pytest.mark.parametrize("kind", KINDS)
def test_the_french_template_header_is_documented_and_read_back(kind: str) -> None:
    with translation.override("fr"):
        header, _example = csv_template(kind)
    assert header == french_documented_headers()[f"{kind}.csv"]
    for column, french in zip(SCHEMAS[kind].columns, header, strict=True):
        assert normalise_header(french) in (column.name, *column.aliases), (column.name, french)


def test_no_alias_means_two_columns() -> None:
    for kind, schema in SCHEMAS.items():
        seen: dict[str, str] = {}
        for column in schema.columns:
            for name in {column.name, *column.aliases}:
                assert seen.setdefault(name, column.name) == column.name, (kind, name)


@pytest.mark.parametrize(("language", "separator"), [("fr", ";"), ("en", ",")])
def test_the_downloaded_templates_import_back(
    client: Client, alice: User, language: str, separator: str
) -> None:
    for kind in KINDS:
        response, content = download(client, alice, kind, language)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert content.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=separator))
        assert len(rows) == 2 and len(rows[0]) == len(rows[1]) == len(SCHEMAS[kind].columns)
        report = run(kind, content.encode("utf-8"), filename=f"{kind}.csv")
        assert report.status == "applied", (kind, report.file_error, report.errors)
        assert report.created == 1
    assert Customer.objects.get().name == "Atelier Dupont SARL"
    invoice = Invoice.objects.get()
    assert (invoice.amount, invoice.balance, invoice.status) == (1200, 0, "paid")
    assert CreditNote.objects.get().allocated == 120
    assert Payment.objects.get().allocated == 1080


def test_the_french_template_follows_french_conventions(client: Client, alice: User) -> None:
    response, content = download(client, alice, "invoices", "fr")
    header, example = content.lstrip("\ufeff").splitlines()
    assert header.startswith("Identifiant;N° facture;Code client;Date facture;Date d'échéance;")
    assert ";15/01/2026;31/03/2026;1200,00;1000,00;EUR;" in example
    assert "factures" in response["Content-Disposition"]
    _response, english = download(client, alice, "invoices", "en")
    assert ",2026-01-15,2026-03-31,1200.00,1000.00,EUR," in english


def test_the_import_page_links_every_template(client: Client, alice: User) -> None:
    client.force_login(alice)
    page = client.get(reverse("import_new")).content.decode()
    for kind in KINDS:
        assert reverse("import_template", args=[kind]) in page
    assert reverse("import_template", args=["fec"]) not in page
    assert client.get(reverse("import_template", args=["fec"])).status_code == 404
