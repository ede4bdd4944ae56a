"""Names in French order and searched without accents or case, on the lists and
their exports (whichever database runs the suite: SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from encaisse.accounts.models import Role, User
from encaisse.ledger.models import Customer
from encaisse.ledger.services import payment_record
from tests.conftest import PASSWORD, make_customer, make_invoice
from tests.web.test_ledger_customers import export_rows

pytestmark = pytest.mark.usefixtures("frozen_today")

# Created in this (byte) order, which is not the French one.
NAMES = [
    "Agence de Provence",
    "Agence de la Côte",
    "André",
    "Aérotec",
    "Zoé Conseil",
    "eclairage Martin",
    "ÉCOLE DES ARTS",
    "Œuvres Sociales",
]
FRENCH_ORDER = [
    "Aérotec",
    "Agence de la Côte",
    "Agence de Provence",
    "André",
    "eclairage Martin",
    "ÉCOLE DES ARTS",
    "Œuvres Sociales",
    "Zoé Conseil",
]


@pytest.fixture
def named(bob: User) -> dict[str, Customer]:
    customers = {}
    for n, name in enumerate(NAMES):
        customer = make_customer(bob, name)
        make_invoice(customer, "100.00", number=f"INV-{n}")
        payment_record(
            actor=None,
            customer=customer,
            amount=Decimal("10.00"),
            date=dt.date(2026, 3, 1),
            external_key=f"PAY-{n}",
            bank_reference=f"VIR-{n}",
        )
        customers[name] = customer
    return customers


def listed(page: str) -> list[str]:
    """Customer names in the order a results table shows them."""
    return re.findall(r'href="/customers/\d+/">([^<]+)</a>', page)


def test_the_customer_list_and_its_export_are_in_french_order(
    client: Client, alice: User, named: dict[str, Customer]
) -> None:
    client.force_login(alice)
    assert listed(client.get("/customers/").content.decode()) == FRENCH_ORDER
    descending = client.get("/customers/", {"sort": "-name"}).content.decode()
    assert listed(descending) == FRENCH_ORDER[::-1]
    exported = [row[0] for row in export_rows(client.get("/customers/export.csv"))[1:]]
    assert exported == FRENCH_ORDER


def test_a_sales_rep_sees_his_customers_in_french_order_too(
    client: Client, bob: User, named: dict[str, Customer]
) -> None:
    client.force_login(bob)
    assert listed(client.get("/customers/").content.decode()) == FRENCH_ORDER


@pytest.mark.parametrize("url", ["/invoices/", "/payments/"])
def test_invoices_and_payments_sort_by_customer_in_french_order(
    client: Client, alice: User, named: dict[str, Customer], url: str
) -> None:
    client.force_login(alice)
    assert listed(client.get(url, {"sort": "customer"}).content.decode()) == FRENCH_ORDER
    descending = client.get(url, {"sort": "-customer"}).content.decode()
    assert listed(descending) == FRENCH_ORDER[::-1]
    export = client.get(url.rstrip("/") + "/export.csv", {"sort": "customer"})
    header, *rows = export_rows(export)
    column = header.index("Client")
    assert [row[column] for row in rows] == FRENCH_ORDER


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("cote", ["Agence de la Côte"]),
        ("CÔTE", ["Agence de la Côte"]),
        ("andre", ["André"]),
        ("ANDRÉ", ["André"]),
        ("ecole", ["ÉCOLE DES ARTS"]),
        ("oeuvres", ["Œuvres Sociales"]),
        ("agence de", ["Agence de la Côte", "Agence de Provence"]),
        ("zoe", ["Zoé Conseil"]),
    ],
)
@pytest.mark.parametrize("url", ["/customers/", "/invoices/", "/payments/"])
def test_search_ignores_accents_and_case(
    client: Client, alice: User, named: dict[str, Customer], url: str, q: str, expected: list[str]
) -> None:
    client.force_login(alice)
    sort = {"sort": "customer"} if url != "/customers/" else {}
    assert listed(client.get(url, {"q": q, **sort}).content.decode()) == expected


def test_invoice_numbers_and_bank_references_are_still_found(
    client: Client, alice: User, named: dict[str, Customer]
) -> None:
    client.force_login(alice)
    assert listed(client.get("/invoices/", {"q": "inv-3"}).content.decode()) == ["Aérotec"]
    assert listed(client.get("/payments/", {"q": "vir-2"}).content.decode()) == ["André"]


def test_the_account_manager_filter_lists_people_in_french_order(
    client: Client, alice: User, bob: User
) -> None:
    for username, first, last in [("ze", "Zoé", "Martin"), ("em", "Émilie", "Roux")]:
        User.objects.create_user(
            username=username, password=PASSWORD, first_name=first, last_name=last, role=Role.SALES
        )
    client.force_login(alice)
    page = client.get("/customers/").content.decode()
    options = re.findall(r'<option value="\d+">([^<]+)</option>', page)
    assert options == ["Bob", "Dave", "Émilie Roux", "Zoé Martin"]
