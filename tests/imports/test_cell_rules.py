"""Cells that would harm later (issue 7): line breaks in names (they end up in email
headers), invalid contact emails (they would be stored as recipients), amounts a
spreadsheet mangled (1,5E+05) and negative credit limits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from encaisse.ledger.imports import fields
from encaisse.ledger.models import Contact, Customer
from tests.imports.helpers import ledger_counts, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The engine's messages in English, their source language (French is tested apart)."""
    with translation.override("en"):
        yield


def errors(report: object) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in report.errors]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name",
    ["Dupont\r\nBcc: victim@example.com", "Dupont\nSA", "Dupont\x0bSA", "Dupont\u2028SA",
     "Dupont\x85SA", "Du\x1bpont"],
)  # fmt: skip
def test_control_characters_in_names_are_refused(name: str) -> None:
    content = f'external_key;name;contact_name\nC1;"{name}";Claire\nC2;Martin;"{name}"\n'
    report = run("customers", content)
    assert report.status == "rejected"
    second = 3 + name.count("\n")  # a quoted line break moves the next row down
    assert errors(report) == [(2, "name"), (second, "contact_name")]
    assert "control character" in report.errors[0].reason
    assert ledger_counts() == (0, 0, 0, 0)


def test_addresses_and_comments_may_span_lines_and_keep_french_spaces() -> None:
    content = (
        'external_key;name;address\nC1;"Société\u00a0Générale";"12 rue de la Paix\r\n75002 Paris"\n'
    )
    report = run("customers", content)
    assert report.status == "applied", report.errors
    customer = Customer.objects.get()
    assert customer.name == "Société\u00a0Générale"
    assert customer.address == "12 rue de la Paix\n75002 Paris"


def test_a_c1_character_from_a_misread_export_is_kept() -> None:
    # "DORÉ" written in CP850 and read as Latin-1 (as in the Quadra corpus export).
    report = run("customers", "external_key;name\nC1;FAISAN DOR\x90\n")
    assert report.status == "applied"


@pytest.mark.parametrize(
    "email",
    ["claire", "claire@", "@client.test", "claire@@client.test", "claire dupont@client.test",
     "claire@client.test\r\nBcc: x@y.test", "claire@client..test"],
)  # fmt: skip
def test_an_invalid_contact_email_is_an_error_not_a_recipient(email: str) -> None:
    report = run("customers", f'external_key;name;contact_email\nC1;Dupont;"{email}"\n')
    assert report.status == "rejected"
    assert errors(report) == [(2, "contact_email")]
    assert not Contact.objects.exists()


def test_a_valid_contact_email_is_stored() -> None:
    report = run("customers", "Code client;Raison sociale;E-mail\nC1;Dupont;compta@dupont.fr\n")
    assert report.status == "applied"
    assert Contact.objects.get().email == "compta@dupont.fr"


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-500", "cannot be negative"),
        ("-1 000,00 €", "cannot be negative"),
        ("1E5", "scientific notation"),
        ("1,5E+05", "scientific notation"),
        ("2.5e3", "scientific notation"),
        ("1_000", "not an amount"),
        ("١٠٠", "not an amount"),
    ],
)
def test_a_negative_or_exponent_credit_limit_is_refused(cell: str, reason: str) -> None:
    report = run("customers", f'external_key;name;credit_limit\nC1;Dupont;"{cell}"\n')
    assert report.status == "rejected"
    assert errors(report) == [(2, "credit_limit")]
    assert reason in report.errors[0].reason
    assert ledger_counts() == (0, 0, 0, 0)


def test_a_credit_limit_of_zero_and_amounts_with_a_currency_code_still_import() -> None:
    report = run("customers", 'external_key;name;credit_limit\nC1;A;0\nC2;B;"12 500,00 EUR"\n')
    assert report.status == "applied", report.errors
    assert dict(Customer.objects.values_list("external_key", "credit_limit")) == {
        "C1": Decimal("0.00"),
        "C2": Decimal("12500.00"),
    }


@pytest.mark.parametrize("days", ["1_0", "٣٠", "45.0", "1e2"])
def test_payment_terms_are_plain_digits(days: str) -> None:
    report = run("customers", f"external_key;name;terms_days\nC1;A;{days}\n")
    assert errors(report) == [(2, "terms_days")]


@given(st.text(max_size=30))
def test_text_cells_never_keep_a_line_break(text: str) -> None:
    try:
        value = fields.text(200)(text)
    except ValueError:
        return
    assert "\n" not in value and "\r" not in value
