"""Customer list, customer page and customer export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from tests.conftest import make_customer, make_invoice
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.usefixtures("frozen_today")


def export_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))  # French by default


def test_the_list_shows_balances_and_overdue_amounts(
    client: Client, alice: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get("/customers/").content.decode()
    assert "Boulangerie Bob" in page and "Carrosserie Carol" in page
    assert "950,00\u00a0€" in page  # open balance and overdue of each


def test_a_sales_rep_sees_his_portfolio_only(
    client: Client, bob: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(bob)
    page = client.get("/customers/").content.decode()
    assert "Boulangerie Bob" in page and "Carrosserie Carol" not in page
    # carol is not in bob's account manager filter, and filtering by her is ignored
    assert f'value="{carols.customer.account_manager_id}"' not in page
    page = client.get("/customers/", {"manager": carols.customer.account_manager_id})
    assert "Carrosserie Carol" not in page.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "boulan"}, {"Boulangerie Bob"}),
        ({"q": "123456"}, {"Siren Corp"}),
        ({"status": "on_hold"}, {"Siren Corp"}),
        ({"overdue": "on"}, {"Boulangerie Bob", "Carrosserie Carol"}),
    ],
)
def test_filters(
    client: Client,
    alice: User,
    bob: User,
    bobs: Portfolio,
    carols: Portfolio,
    params: dict[str, str],
    expected: set[str],
) -> None:
    make_customer(bob, "Siren Corp", siren="123456789", status="on_hold")
    client.force_login(alice)
    page = client.get("/customers/", params).content.decode()
    for name in ("Boulangerie Bob", "Carrosserie Carol", "Siren Corp"):
        assert (name in page) == (name in expected), name


def test_filter_by_account_manager(
    client: Client, alice: User, bob: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get("/customers/", {"manager": bob.pk}).content.decode()
    assert "Boulangerie Bob" in page and "Carrosserie Carol" not in page


def test_sort_by_open_balance(client: Client, alice: User, bob: User) -> None:
    small = make_customer(bob, "Petit")
    big = make_customer(bob, "Grand")
    make_invoice(small, "10.00")
    make_invoice(big, "9000.00")
    client.force_login(alice)
    page = client.get("/customers/", {"sort": "-balance"}).content.decode()
    assert page.index("Grand") < page.index("Petit")
    page = client.get("/customers/", {"sort": "balance"}).content.decode()
    assert page.index("Petit") < page.index("Grand")


def test_pagination(client: Client, alice: User, bob: User, settings: Any) -> None:
    settings.ENCAISSE_PAGE_SIZE = 2
    for n in range(1, 6):
        make_customer(bob, f"Client-{n}")  # the dash: never part of a random CSRF token
    client.force_login(alice)
    first = client.get("/customers/").content.decode()
    assert "Client-1" in first and "Client-3" not in first and 'rel="next"' in first
    third = client.get("/customers/", {"page": 3}).content.decode()
    assert "Client-5" in third and "Client-4" not in third and 'rel="next"' not in third
    assert "5</strong>" in third  # the total
    past_the_end = client.get("/customers/", {"page": 9})
    assert past_the_end.context["page"].number == 3
    assert "Client-5" in past_the_end.content.decode()


def test_htmx_gets_the_results_only(client: Client, alice: User, bobs: Portfolio) -> None:
    client.force_login(alice)
    response = client.get("/customers/", {"q": "bob"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "Boulangerie Bob" in content
    assert "<html" not in content and "<form" not in content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_list_runs_a_bounded_number_of_queries(
    client: Client, everyone: dict[str, User], bob: User, settings: Any, who: str
) -> None:
    settings.ENCAISSE_PAGE_SIZE = 50
    client.force_login(everyone[who])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/customers/", {"sort": "-balance"}).status_code == 200
        return len(captured)

    make_invoice(make_customer(bob), "10.00")
    few = queries()
    for _ in range(30):
        make_invoice(make_customer(bob), "10.00")
    assert queries() == few <= 8


def test_customer_page(client: Client, dave: User, bobs: Portfolio) -> None:
    client.force_login(dave)
    page = client.get(f"/customers/{bobs.customer.pk}/").content.decode()
    for text in (
        "Boulangerie Bob",
        "BOB-OVERDUE",  # open invoice
        "BOB-PAID",  # settled invoice
        "BOB-AV",  # credit note
        "VIR BOB-PAID",  # payment
        "compta@bob.test",  # contact
        "34 jours de retard",
        "Facture BOB-OVERDUE émise pour 1\u202f200,00\u00a0€",  # timeline sentence
    ):
        assert text in page, text


def test_customer_page_queries_do_not_grow_with_the_ledger(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    url = f"/customers/{bobs.customer.pk}/"
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(10):
        make_invoice(bobs.customer, "20.00")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    # 13 for the ledger, 3 for the reminders panel (plan, history, its invoices),
    # 9 for the open invoices' next steps (dunning_outlook: states, holds, plans,
    # last contact, cash on account, go-live policy), whatever their number, 1 for
    # the company's language (alice never chose one: web/middleware.py), 1 for the
    # customer's portal links, 1 for the disputes panel, 3 for the promises and
    # holds panel (promises, holds, the form's open invoices), 2 for the handover
    # and write-off panel (its handovers, its write-offs), 1 for the instalment
    # plans panel.
    assert len(after) == len(before) <= 34


def test_export_is_scoped_and_filtered(
    client: Client, bob: User, alice: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(bob)
    response = client.get("/customers/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = export_rows(response)
    assert rows[0][:2] == ["Nom", "SIREN"]  # headers in the user's language
    assert [row[0] for row in rows[1:]] == ["Boulangerie Bob"]
    assert rows[1][-2:] == ["950,00", "950,00"]
    client.force_login(alice)
    rows = export_rows(client.get("/customers/export.csv", {"q": "carro"}))
    assert [row[0] for row in rows[1:]] == ["Carrosserie Carol"]


def test_export_neutralises_spreadsheet_formulas(client: Client, alice: User, bob: User) -> None:
    make_customer(bob, '=HYPERLINK("http://evil.example","Cliquez")')
    client.force_login(alice)
    rows = export_rows(client.get("/customers/export.csv"))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","Cliquez")'


def test_a_customer_in_credit_is_shown_net_of_credit_notes_on_account(
    client: Client, alice: User, bob: User
) -> None:
    """Open invoices of 300 € but an unallocated credit note of 500 €: in credit by 200 €."""
    import datetime as dt
    from decimal import Decimal

    from encaisse.ledger.services import credit_note_record

    customer = make_customer(bob, "Client Créditeur")
    make_invoice(customer, "300.00", number="CRED-1")
    credit_note_record(actor=None, customer=customer, number="CRED-AV", amount=Decimal("500.00"),
                       issue_date=dt.date(2026, 3, 1))  # fmt: skip
    client.force_login(alice)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "En crédit" in page
    assert "Net des sommes non affectées\u00a0: -200,00\u00a0€" in page
    assert "Paiements 0,00\u00a0€ · avoirs 500,00\u00a0€" in page
