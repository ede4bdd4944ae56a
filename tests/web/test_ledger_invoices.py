"""Invoice list, invoice page and invoice export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer
from tests.conftest import make_customer, make_invoice
from tests.web.conftest import TODAY, Portfolio
from tests.web.test_ledger_customers import export_rows

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def aged(bob: User) -> Customer:
    """One open invoice per overdue bucket (TODAY is 2026-03-15)."""
    customer = make_customer(bob, "Agée SA")
    for number, due in [
        ("NOTDUE", TODAY + dt.timedelta(days=5)),
        ("LATE10", TODAY - dt.timedelta(days=10)),
        ("LATE45", TODAY - dt.timedelta(days=45)),
        ("LATE75", TODAY - dt.timedelta(days=75)),
        ("LATE200", TODAY - dt.timedelta(days=200)),
    ]:
        make_invoice(customer, "100.00", issue=due - dt.timedelta(days=30), due=due, number=number)
    return customer


NUMBERS = {"NOTDUE", "LATE10", "LATE45", "LATE75", "LATE200"}


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        ("", NUMBERS),
        ("not_due", {"NOTDUE"}),
        ("1-30", {"LATE10"}),
        ("31-60", {"LATE45"}),
        ("61-90", {"LATE75"}),
        ("90+", {"LATE200"}),
    ],
)
def test_overdue_buckets(
    client: Client, alice: User, aged: Customer, bucket: str, expected: set[str]
) -> None:
    client.force_login(alice)
    page = client.get("/invoices/", {"bucket": bucket}).content.decode()
    assert {n for n in NUMBERS if f">{n}<" in page} == expected


def test_outstanding_by_default_all_on_request(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get("/invoices/").content.decode()
    assert "BOB-OVERDUE" in page and "BOB-PAID" not in page
    page = client.get("/invoices/", {"status": "all"}).content.decode()
    assert "BOB-PAID" in page
    page = client.get("/invoices/", {"status": "paid"}).content.decode()
    assert "BOB-PAID" in page and "BOB-OVERDUE" not in page


def test_search_by_number_customer_and_manager(
    client: Client, alice: User, bob: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get("/invoices/", {"q": "carol-"}).content.decode()
    assert "CAROL-OVERDUE" in page and "BOB-OVERDUE" not in page
    page = client.get("/invoices/", {"customer": bobs.customer.pk}).content.decode()
    assert "BOB-OVERDUE" in page and "CAROL-OVERDUE" not in page
    assert "Retirer le filtre client" in page
    page = client.get("/invoices/", {"manager": bob.pk}).content.decode()
    assert "BOB-OVERDUE" in page and "CAROL-OVERDUE" not in page


def test_sorts(client: Client, alice: User, aged: Customer) -> None:
    client.force_login(alice)
    page = client.get("/invoices/").content.decode()
    assert page.index(">LATE200<") < page.index(">NOTDUE<")  # oldest due first
    page = client.get("/invoices/", {"sort": "-due"}).content.decode()
    assert page.index(">NOTDUE<") < page.index(">LATE200<")
    big = make_invoice(aged, "5000.00", number="BIG")
    page = client.get("/invoices/", {"sort": "-balance"}).content.decode()
    assert page.index(f">{big.number}<") < page.index(">LATE10<")
    page = client.get("/invoices/", {"sort": "amount"}).content.decode()
    assert page.index(">LATE10<") < page.index(f">{big.number}<")


def test_the_count_is_capped(
    client: Client, alice: User, aged: Customer, settings: Any, monkeypatch: Any
) -> None:
    from encaisse.web.views import listing

    settings.ENCAISSE_PAGE_SIZE = 2
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    client.force_login(alice)
    page = client.get("/invoices/").content.decode()
    assert "3+</strong>" in page
    assert "Page 1 of" not in page


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_the_list_runs_a_bounded_number_of_queries(
    client: Client, everyone: dict[str, User], aged: Customer, settings: Any, who: str
) -> None:
    settings.ENCAISSE_PAGE_SIZE = 3
    client.force_login(everyone[who])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/invoices/", {"page": 2}).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(20):
        make_invoice(make_customer(everyone["bob"]), "10.00")
    # 9 at most for a manager: one of them the company's language, read for
    # users who never chose theirs (web/middleware.py).
    assert queries() == few <= 9


def test_invoice_page(client: Client, bob: User, bobs: Portfolio) -> None:
    client.force_login(bob)
    page = client.get(f"/invoices/{bobs.invoice.pk}/").content.decode()
    for text in (
        "BOB-OVERDUE",
        "Boulangerie Bob",
        "1\u202f200,00\u00a0€",  # amount
        "950,00\u00a0€",  # balance
        "34 jours de retard",
        "VIR BOB-PAID",  # the payment allocated to it (remainder of 450 − 300)
        "150,00\u00a0€",
        "BOB-AV",  # the credit note
        "avoir BOB-AV\u00a0; solde restant dû\u00a0: 950,00\u00a0€",  # timeline
    ):
        assert text in page, text


def test_invoice_page_queries(client: Client, alice: User, bobs: Portfolio) -> None:
    client.force_login(alice)
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/invoices/{bobs.invoice.pk}/")
    # 5 for the ledger; the rest is dunning.services.explain (plans, holds, last
    # contact, actions, the customer's cash on account, the go-live policy), a
    # fixed cost: see tests/web/test_dunning_panels.py; then the resolution
    # panels, each a fixed cost: 1 for the disputes, 3 for extensions and holds
    # (extensions, the effective due date, holds), 2 for handovers and write-offs,
    # 1 for instalment plans.
    assert len(captured) <= 24


def test_export_has_the_same_filters_and_scope(
    client: Client, bob: User, bobs: Portfolio, carols: Portfolio, aged: Customer
) -> None:
    client.force_login(bob)
    rows = export_rows(client.get("/invoices/export.csv", {"status": "all"}))
    numbers = {row[0] for row in rows[1:]}
    assert numbers == NUMBERS | {"BOB-OVERDUE", "BOB-PAID"}
    rows = export_rows(client.get("/invoices/export.csv", {"bucket": "90+"}))
    assert [row[0] for row in rows[1:]] == ["LATE200"]
    assert rows[1][-1] == "200"  # days late
    assert client.get("/invoices/export.csv", {"customer": carols.customer.pk}).status_code == 404
